"""`plan build` and `make plan`: outputs in the right places, atomic, rebuilt only when something changed."""
import os
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import ROOT

PLAN = [sys.executable, "-m", "pipeline.cli"]


def plan(*args, cwd):
    return subprocess.run([*PLAN, *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture
def workspace(tmp_path):
    """A copy of plans/ to build from, so tests can edit plans freely."""
    shutil.copytree(ROOT / "plans", tmp_path / "plans")
    return tmp_path


def test_file_build_writes_each_format(workspace):
    run = plan("build", "plans/kaohsiung-cec/103.yaml", cwd=workspace)
    assert run.returncode == 0, run.stderr
    out = workspace / "build/kaohsiung-cec/103"
    assert zipfile.is_zipfile(out / "plan.docx")
    assert (out / "plan.html").read_text(encoding="utf-8").startswith("<!doctype html>")


def test_several_files_each_get_their_own_folder(workspace):
    run = plan("build", "plans/kaohsiung-cec/103.yaml", "plans/keelung-cec/105.yaml", "-o", "out", "--format", "html",
               cwd=workspace)
    assert run.returncode == 0, run.stderr
    assert (workspace / "out/kaohsiung-cec/103/plan.html").exists() and (workspace / "out/keelung-cec/105/plan.html").exists()


def test_only_the_formats_asked(workspace):
    run = plan("build", "plans/kaohsiung-cec/103.yaml", "--format", "html", "-o", "out", cwd=workspace)
    assert run.returncode == 0
    assert sorted(p.name for p in (workspace / "out").iterdir() if not p.name.startswith(".")) == ["plan.html"]
    bad = plan("build", "plans/kaohsiung-cec/103.yaml", "--format", "pdfx", cwd=workspace)
    assert bad.returncode == 2 and "pdfx" in bad.stderr


def test_folder_build_in_parallel(workspace):
    run = plan("build", "plans", "-o", "site", "-j", "2", cwd=workspace)
    assert run.returncode == 0, run.stderr
    built = sorted(str(p.relative_to(workspace / "site")) for p in (workspace / "site").rglob("plan.*"))
    plans = sorted(f"{p.parent.name}/{p.stem}" for p in (workspace / "plans").glob("*/*.yaml"))
    assert len(plans) >= 3
    assert built == [f"{plan}/{fmt}" for plan in plans for fmt in ("plan.docx", "plan.html")]


def test_unchanged_plans_are_not_rebuilt_until_they_change(workspace):
    assert plan("build", "plans/kaohsiung-cec/103.yaml", cwd=workspace).returncode == 0
    again = plan("build", "plans/kaohsiung-cec/103.yaml", cwd=workspace)
    assert again.stderr.count("unchanged") == 2 and "wrote" not in again.stderr
    source = workspace / "plans/kaohsiung-cec/103.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("本會第一組", "本會第二組"), encoding="utf-8")
    changed = plan("build", "plans/kaohsiung-cec/103.yaml", cwd=workspace)
    assert changed.stderr.count("wrote") == 2
    assert "本會第二組" in (workspace / "build/kaohsiung-cec/103/plan.html").read_text(encoding="utf-8")
    forced = plan("build", "plans/kaohsiung-cec/103.yaml", "--force", cwd=workspace)
    assert forced.stderr.count("wrote") == 2


def test_a_failed_build_keeps_the_last_good_output(workspace):
    assert plan("build", "plans/kaohsiung-cec/103.yaml", cwd=workspace).returncode == 0
    out = workspace / "build/kaohsiung-cec/103"
    before = {name: (out / name).read_bytes() for name in ("plan.docx", "plan.html")}
    source = workspace / "plans/kaohsiung-cec/103.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("start: 103-01-01", "start: 103-02-30"), encoding="utf-8")
    run = plan("build", "plans/kaohsiung-cec/103.yaml", cwd=workspace)
    assert run.returncode == 1 and "period.start" in run.stderr and "Traceback" not in run.stderr
    assert {name: (out / name).read_bytes() for name in before} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp-")]


def test_one_bad_plan_does_not_stop_the_others(workspace):
    (workspace / "plans/broken").mkdir()
    (workspace / "plans/broken/103.yaml").write_text("agency: 甲\nyear: 103\n", encoding="utf-8")
    run = plan("build", "plans", "-o", "site", cwd=workspace)
    assert run.returncode == 1 and "title" in run.stderr
    assert (workspace / "site/kaohsiung-cec/103/plan.docx").exists()


def test_two_builds_at_once_leave_whole_files(workspace):
    def build(_):
        return plan("build", "plans/keelung-cec/105.yaml", "--force", "-o", "same", cwd=workspace).returncode

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(build, range(4))) == [0, 0, 0, 0]
    with zipfile.ZipFile(workspace / "same/plan.docx") as archive:
        assert archive.testzip() is None
    assert (workspace / "same/plan.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert not [p for p in (workspace / "same").iterdir() if p.name.startswith(".tmp-")]


def make(*args, cwd=ROOT, env=None):
    return subprocess.run(["make", "--no-print-directory", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})})


def test_make_plan_builds_into_build_folder(tmp_path):
    out = tmp_path / "out"
    run = subprocess.run([*PLAN, "make", "kaohsiung-cec", "103", "-o", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert (out / "kaohsiung-cec/103/plan.docx").exists() and (out / "kaohsiung-cec/103/plan.html").exists()


@pytest.mark.parametrize("agency", ["../../tmp/x", "Kaohsiung", "a b", "x;touch PWNED", "$(touch PWNED)", ""])
def test_make_plan_refuses_an_agency_that_is_not_a_slug(agency):
    run = make("plan", f"AGENCY={agency}", "YEAR=103")
    assert run.returncode != 0
    assert "AGENCY" in run.stderr
    assert not (ROOT / "PWNED").exists()


def test_make_plan_lists_the_plans_when_one_is_missing():
    run = make("plan", "AGENCY=kaohsiung-cec", "YEAR=99")
    assert run.returncode != 0
    assert "找不到" in run.stderr and "kaohsiung-cec/103.yaml" in run.stderr and "keelung-cec/105.yaml" in run.stderr
