"""What a user trying to break the tool found: each test failed before its fix."""
import shutil
import subprocess
import sys

from conftest import ROOT


def plan_command(*args, cwd=ROOT, stdin=None):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=cwd,
                          input=stdin)


def test_plan_new_without_issued_gives_the_issuance_note_no_line_of_a_comment(tmp_path):
    """A plan with no `issued` block: the note to fill it in named 「第 4 行」, a line of the header."""
    shutil.copytree(ROOT / "plans" / "kaohsiung-cec", tmp_path / "plans" / "kaohsiung-cec")
    run = plan_command("new", "kaohsiung-cec", "105", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    lines = (tmp_path / "plans" / "kaohsiung-cec" / "105.yaml").read_text(encoding="utf-8").split("\n")
    issued = [line for line in lines if line.startswith("# 請確認:") and "（issued）" in line]
    assert len(issued) == 1
    assert "第 " not in issued[0], issued[0]
    assert any("（issued）" in line and "第 " not in line for line in run.stderr.splitlines())
