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


def test_import_reads_text_notepad_saved_as_unicode(tmp_path):
    """Windows Notepad's 「Unicode」 is UTF-16 with a byte-order mark: it was refused as an unknown encoding."""
    text = (ROOT / "tests" / "fixtures" / "import" / "table-plan.txt").read_text(encoding="utf-8")
    expected = plan_command("import", "-", stdin=text)
    assert expected.returncode == 0, expected.stderr
    for encoding in ("utf-16-le", "utf-16-be"):
        source = tmp_path / f"{encoding}.txt"
        source.write_bytes(("\ufeff" + text).encode(encoding))
        run = plan_command("import", str(source))
        assert run.returncode == 0, run.stderr
        assert run.stdout.split("\n", 1)[1] == expected.stdout.split("\n", 1)[1]


def test_an_unknown_text_encoding_says_what_to_do(tmp_path):
    source = tmp_path / "plan.txt"
    source.write_bytes(b"\x81\x30\x81\x30 \xff\xff\xff")
    run = plan_command("import", str(source))
    assert run.returncode != 0
    assert "另存為 UTF-8" in run.stderr and "Traceback" not in run.stderr


def test_import_of_a_pdf_or_old_word_file_says_how_to_get_what_it_reads(tmp_path):
    for name, words in (("plan.pdf", "貼到記事本存成 .txt"), ("plan.doc", "另存新檔」為 .docx"),
                        ("plan.odt", "另存新檔」為 .docx"), ("plan.html", "貼到記事本存成 .txt")):
        (tmp_path / name).write_bytes(b"%PDF-1.4 or whatever")
        run = plan_command("import", str(tmp_path / name))
        assert run.returncode == 2 and words in run.stderr, run.stderr
