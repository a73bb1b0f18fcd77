"""One plan built as a web page and in another format: the page is written by a second process while the
first loads the plan (pipeline.beside), and what comes of it is what writing the formats in turn gives."""
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

PLAN = ROOT / "plans" / "kaohsiung-cec" / "103.yaml"


def python(script: str, *args) -> subprocess.CompletedProcess:
    """A script in a process of its own: pytest's threads would keep pipeline.beside from forking."""
    return subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def plan_command(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_the_second_process_does_the_work_and_answers():
    result = python("""
import os
from pipeline import beside
second = beside.start(lambda: None, lambda x: (os.getpid(), x * 2))
second.send(21)
pid, value = second.collect()
second.end()
print(pid != os.getpid(), value)
""")
    assert result.stdout.split() == ["True", "42"], result.stderr


def test_what_the_second_process_raises_is_raised_in_the_first():
    result = python("""
from pipeline import beside
from pipeline.errors import BuildError
def work():
    raise BuildError("網頁範本有錯")
second = beside.start(lambda: None, work)
second.send()
try:
    second.collect()
except BuildError as error:
    print("BuildError", error)
second.end()
""")
    assert result.stdout.split() == ["BuildError", "網頁範本有錯"], result.stderr


def test_ended_before_it_gets_work_the_second_process_is_gone_at_once():
    result = python("""
import os, time
from pipeline import beside
second = beside.start(lambda: time.sleep(30), lambda: None)
started = time.monotonic()
second.end()
try:
    os.kill(second.pid, 0)
    print("still there")
except ProcessLookupError:
    print("gone", time.monotonic() - started < 10)
""")
    assert result.stdout.split() == ["gone", "True"], result.stderr


WHO_WROTE = """
import os, sys
import pipeline.writers.html as html
from pipeline import beside
from pipeline.entry import build, guarded

written = html.write
def write(doc, path, options=None):
    written(doc, path, options)
    with open(path + ".pid", "w") as out:
        out.write(str(os.getpid()))
html.write = write
if sys.argv[3] == "one core":
    beside._cores = lambda: 1
code = guarded(lambda: build([sys.argv[1]], sys.argv[2], ("docx", "html"), None, True))
print(os.getpid(), code)
"""


def test_the_page_is_written_by_the_second_process_and_reads_as_when_written_in_turn(tmp_path):
    together, in_turn = tmp_path / "together", tmp_path / "in-turn"
    first = python(WHO_WROTE, PLAN, together, "two cores")
    single = python(WHO_WROTE, PLAN, in_turn, "one core")
    pid, code = first.stdout.split()
    assert code == "0", first.stderr
    assert (together / "plan.html.pid").read_text() != pid  # written by the second process
    pid, code = single.stdout.split()
    assert code == "0" and (in_turn / "plan.html.pid").read_text() == pid, single.stderr
    assert (together / "plan.html").read_bytes() == (in_turn / "plan.html").read_bytes()
    with zipfile.ZipFile(together / "plan.docx") as a, zipfile.ZipFile(in_turn / "plan.docx") as b:
        assert a.read("word/document.xml") == b.read("word/document.xml")
    for folder in (together, in_turn):  # each output's fingerprint is written by the first process
        assert (folder / ".plan.docx.sha256").exists() and (folder / ".plan.html.sha256").exists()
    assert [line.split()[-1] for line in first.stderr.splitlines()] == [str(together / "plan.docx"),
                                                                       str(together / "plan.html")]


def test_a_page_that_fails_reports_as_when_built_alone_and_the_document_stands(tmp_path):
    agency = "beside-test"
    templates = ROOT / "templates" / "agencies" / agency
    templates.mkdir(parents=True)
    try:
        (templates / "plan.html.j2").write_text("<p>{% if %}</p>", encoding="utf-8")
        plan = tmp_path / "plans" / agency / "103.yaml"
        plan.parent.mkdir(parents=True)
        shutil.copy(PLAN, plan)
        both = plan_command("build", plan, "--format", "docx,html", "-o", tmp_path / "both")
        alone = plan_command("build", plan, "--format", "html", "-o", tmp_path / "alone")
    finally:
        shutil.rmtree(templates)
    assert both.returncode == alone.returncode == 1
    failure = [line for line in alone.stderr.splitlines() if "html" in line and "範本" in line]
    assert failure and failure[0] in both.stderr.splitlines(), (both.stderr, alone.stderr)
    assert "Traceback" not in both.stderr
    assert (tmp_path / "both" / "plan.docx").exists() and not (tmp_path / "both" / "plan.html").exists()
    assert not (tmp_path / "both" / ".plan.html.sha256").exists()


def test_a_plan_that_does_not_load_says_so_once_and_leaves_nothing(tmp_path):
    plan = tmp_path / "plans" / "x" / "103.yaml"
    plan.parent.mkdir(parents=True)
    plan.write_text("agency: 甲\nyear: 103\ntitle: 乙\ngoals: [未結束\n", encoding="utf-8")
    both = plan_command("build", plan, "--format", "docx,html", "-o", tmp_path / "both")
    alone = plan_command("build", plan, "--format", "docx", "-o", tmp_path / "alone")
    assert both.returncode == alone.returncode != 0
    assert both.stderr == alone.stderr.replace(str(tmp_path / "alone"), str(tmp_path / "both"))
    assert not (tmp_path / "both").exists() or not any((tmp_path / "both").iterdir())


@pytest.mark.parametrize("current", ["html", "docx"])
def test_with_one_output_current_the_other_is_written(tmp_path, current):
    out = tmp_path / "out"
    assert plan_command("build", PLAN, "--format", current, "-o", out).returncode == 0
    both = plan_command("build", PLAN, "--format", "docx,html", "-o", out)
    assert both.returncode == 0, both.stderr
    lines = both.stderr.splitlines()
    assert any(line.startswith("未變更") and line.endswith(f"plan.{current}") for line in lines), lines
    other = "docx" if current == "html" else "html"
    assert any(line.startswith("已寫入") and line.endswith(f"plan.{other}") for line in lines), lines
    assert os.path.getsize(out / f"plan.{other}") > 1000
