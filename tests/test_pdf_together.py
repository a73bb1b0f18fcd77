"""PDFs of a build come from one LibreOffice per worker, not one per plan; it is gone afterwards, and a
conversion that fails names its plan."""
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, needs_tool

PLAN = [sys.executable, "-m", "pipeline.cli", "build"]


@pytest.fixture
def counted_soffice(tmp_path):
    """A `soffice` first on PATH that notes each start and its files, then runs LibreOffice; and a private TMPDIR."""
    real = needs_tool("soffice")
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "starts.log"
    wrapper = folder / "soffice"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\n'
                       'for a in "$@"; do case "$a" in *"$FAIL_ONE"*) [ -n "$FAIL_ONE" ] && rm -f "$a";; esac; done\n'
                       f'exec "{real}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    shutil.copytree(ROOT / "plans", tmp_path / "plans")
    env = {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}", "TMPDIR": str(temporary)}
    return env, log, temporary


def starts(log) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("workers", [1, 2])
def test_a_folder_of_plans_starts_libreoffice_once_per_worker(tmp_path, counted_soffice, workers):
    env, log, temporary = counted_soffice
    done = subprocess.run([*PLAN, "plans", "-o", "out", "--format", "pdf", "-j", str(workers)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    plans = sorted((tmp_path / "plans").glob("*/*.yaml"))
    first_pass = [line for line in starts(log) if "/first" in line]
    assert len(first_pass) == workers  # not one per plan
    assert sum(line.count(".docx") for line in first_pass) == len(plans)
    for plan in plans:
        pdf = tmp_path / "out" / plan.parent.name / plan.stem / "plan.pdf"
        assert pdf.read_bytes().startswith(b"%PDF") and "第 1 頁" in pdf_text(pdf)
    assert not subprocess.run(["pgrep", "-f", str(temporary)], capture_output=True).stdout, "LibreOffice is gone"
    assert list(temporary.iterdir()) == [], "its profiles and the staged files are removed"


def test_pdfs_made_together_are_those_made_one_by_one(tmp_path, counted_soffice):
    env, _, _ = counted_soffice
    for plan in ("kaohsiung-cec/103", "keelung-cec/105"):
        subprocess.run([*PLAN, f"plans/{plan}.yaml", "-o", f"one/{plan}", "--format", "pdf"], cwd=tmp_path, env=env,
                       check=True, capture_output=True, timeout=600)
    subprocess.run([*PLAN, "plans", "-o", "all", "--format", "pdf"], cwd=tmp_path, env=env, check=True,
                   capture_output=True, timeout=900)
    for plan in ("kaohsiung-cec/103", "keelung-cec/105"):
        assert pdf_text(tmp_path / "one" / plan / "plan.pdf") == pdf_text(tmp_path / "all" / plan / "plan.pdf")


def test_a_rebuilt_plan_with_a_cover_counts_its_body_pages_right(tmp_path, counted_soffice):
    """The footer's 「共 N 頁」 leaves out the cover; a rebuild starts from the count the last PDF had."""
    env, log, _ = counted_soffice
    for _ in range(2):
        subprocess.run([*PLAN, "plans/fengshan-hr1/97.yaml", "-o", "out", "--format", "pdf", "--force"], cwd=tmp_path,
                       env=env, check=True, capture_output=True, timeout=600)
    text = pdf_text(tmp_path / "out/plan.pdf")
    pages = text.count("\f")
    assert f"共 {pages - 1} 頁" in text
    assert not any("/again" in line for line in starts(log)[-1:]), "the rebuild needed one conversion, not two"


def test_a_failed_conversion_names_its_plan_and_the_others_are_written(tmp_path, counted_soffice):
    env, _, _ = counted_soffice
    env = {**env, "FAIL_ONE": "plan-00001.docx"}  # the second plan in order: kaohsiung-cec/103
    done = subprocess.run([*PLAN, "plans", "-o", "out", "--format", "pdf,html", "-j", "1"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode != 0
    failed = [line for line in done.stderr.splitlines() if "PDF" in line and "無法" in line]
    assert failed and failed[0].startswith(os.path.join("plans", "kaohsiung-cec", "103.yaml") + ": pdf:"), done.stderr
    assert not (tmp_path / "out/kaohsiung-cec/103/plan.pdf").exists()
    assert (tmp_path / "out/kaohsiung-cec/103/plan.html").exists()
    assert (tmp_path / "out/keelung-cec/105/plan.pdf").exists() and (tmp_path / "out/fengshan-hr1/97/plan.pdf").exists()
    again = subprocess.run([*PLAN, "plans", "-o", "out", "--format", "pdf,html", "-j", "1"], cwd=tmp_path,
                           env={**env, "FAIL_ONE": ""}, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr
    assert "已寫入 wrote out/kaohsiung-cec/103/plan.pdf" in again.stderr  # no stamp was kept for the failed one
