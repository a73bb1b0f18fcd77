"""One plan built as a web page and in another format: the page is written by a second process while the
first loads the plan (pipeline.beside), and what comes of it is what writing the formats in turn gives."""
import os
import pty
import select
import shutil
import subprocess
import sys
import time
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


def test_the_second_process_does_the_work_and_answers(tmp_path):
    result = python("""
import os, sys
from pipeline import beside
def work(x):
    with open(sys.argv[1], "w") as out:
        out.write(f"{os.getpid()} {x * 2}")
second = beside.start(lambda: None, work)
second.send(21)
print(second.collect(), os.getpid())
second.end()
""", tmp_path / "answer")
    done, pid = result.stdout.split()
    worker, value = (tmp_path / "answer").read_text().split()
    assert done == "True" and worker != pid and value == "42", result.stderr


def test_a_second_process_that_ends_without_doing_its_work_says_so():
    result = python("""
import os
from pipeline import beside
second = beside.start(lambda: None, lambda: os._exit(9))
second.send()
print(second.collect())
second.end()
""")
    assert result.stdout.split() == ["False"], result.stderr


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


def test_ended_when_its_sigterm_goes_unheard_the_second_process_still_leaves():
    """`plan build` of a plan that does not load hung now and then in the suite: the second process lost
    its SIGTERM and waited for work on its pipe, while the first, holding that pipe open, waited for it."""
    script = """
import signal
from pipeline import beside
second = beside.start(lambda: signal.signal(signal.SIGTERM, signal.SIG_IGN), lambda: None)
import time; time.sleep(0.5)   # prepare() has run: SIGTERM is ignored from here
second.end()
print("ended")
"""
    try:
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail("end() waited for a second process that was waiting for it")
    assert result.stdout.split() == ["ended"], result.stderr


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
parent = os.getpid()
def killed_in_the_second(*args):  # as if by the system, out of memory: the first writes the page itself
    if os.getpid() != parent:
        os.kill(os.getpid(), 9)
    write(*args)
if sys.argv[3] == "second killed":
    html.write = killed_in_the_second
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


def test_a_page_the_second_process_did_not_write_is_written_by_the_first(tmp_path):
    result = python(WHO_WROTE, PLAN, tmp_path, "second killed")
    pid, code = result.stdout.split()
    assert code == "0", result.stderr
    assert (tmp_path / "plan.html.pid").read_text() == pid and (tmp_path / ".plan.html.sha256").exists()
    assert "plan.html" in result.stderr.splitlines()[-1]


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


def interrupted(command: list[str], after: float) -> tuple[int, str]:
    """(exit code, what it printed) of a command Ctrl-C'd through a terminal `after` seconds in: both processes get it."""
    pid, terminal = pty.fork()
    if pid == 0:
        os.chdir(ROOT)
        os.execv(command[0], command)
    time.sleep(after)
    os.write(terminal, b"\x03")
    shown = b""
    while select.select([terminal], [], [], 30)[0]:
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        shown += chunk
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), shown.decode("utf-8", "replace")


@pytest.mark.parametrize("share", [0.3, 0.6, 0.8, 0.95])
def test_ctrl_c_ends_both_processes_and_leaves_only_whole_outputs(tmp_path, share):
    items = "".join(f"  - title: 第{i}項策略\n    text: 簡化流程，第{i}項說明。\n    items:\n      - 細項甲{i}\n      - 細項乙{i}\n"
                    for i in range(3000))
    plan = tmp_path / "plan.yaml"
    plan.write_text("agency: 測試機關\nyear: 103\ntitle: 測試計畫\nstrategies:\n  items:\n" + items, encoding="utf-8")
    command = [str(ROOT / ".venv" / "bin" / "plan"), "build", str(plan), "--format", "docx,html", "--force"]
    started = time.monotonic()
    whole = subprocess.run([*command, "-o", str(tmp_path / "whole")], capture_output=True, text=True, timeout=120)
    took = time.monotonic() - started
    assert whole.returncode == 0, whole.stderr
    out = tmp_path / "out"
    code, shown = interrupted([*command, "-o", str(out)], took * share)
    assert code in (0, 130), shown
    assert "Traceback" not in shown and "Bad file descriptor" not in shown
    if code == 130:
        assert "已中斷" in shown
    for name in os.listdir(out) if out.exists() else []:  # nothing half-written: each output whole, or absent
        assert not name.startswith(".tmp"), name
    if (out / "plan.html").exists():
        assert (out / "plan.html").read_bytes() == (tmp_path / "whole" / "plan.html").read_bytes()
    if (out / "plan.docx").exists():
        with zipfile.ZipFile(out / "plan.docx") as docx:
            assert docx.testzip() is None
    assert not processes_naming(str(out))  # the second process did not outlive the first


def processes_naming(text: str) -> list[str]:
    """The processes whose command line holds `text`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text.encode() in (entry / "cmdline").read_bytes():
                found.append(entry.name)
        except OSError:  # ended meanwhile
            pass
    return found


def test_ended_at_once_again_and_again_it_never_hangs():
    """end() right after start(): the second process may not have its handlers yet; it must end anyway."""
    result = python("""
import os, signal, time
from pipeline import beside
from pipeline.errors import raise_on_terminate
signal.signal(signal.SIGTERM, raise_on_terminate)
os.register_at_fork(after_in_child=lambda: time.sleep(0.002))  # a second process slow to get going
for _ in range(150):
    beside.start(lambda: None, lambda: None).end()
print("done")
""")
    assert result.stdout.split() == ["done"], result.stderr


def test_a_signal_before_the_second_process_is_ready_is_met_by_its_own_handler(tmp_path):
    """A SIGTERM that reaches the second process before it has set its handlers must not run the first
    process's: no second 「已中斷」, no second report."""
    D = tmp_path / "out"
    script = """
import os, sys, time, runpy
import pipeline.beside as beside
ready = beside._second
def late(*args):
    time.sleep(0.2)  # not scheduled yet, while the first finds everything current and ends it
    ready(*args)
beside._second = late
sys.argv = ["plan", "build", sys.argv[1], "--format", "docx,html", "-o", sys.argv[2]]
runpy.run_module("pipeline", run_name="__main__")
"""
    assert python(script, PLAN, D).returncode == 0
    again = python(script, PLAN, D)  # everything current: the second process is ended before its work
    assert again.returncode == 0, again.stderr
    assert "已中斷" not in again.stderr and again.stderr.count("未變更") == 2, again.stderr


def test_when_no_process_can_be_made_every_format_is_written_here(tmp_path):
    result = python("""
import os, sys
def refused():
    raise BlockingIOError(11, "Resource temporarily unavailable")
os.fork = refused
from pipeline.entry import build, guarded
print(guarded(lambda: build([sys.argv[1]], sys.argv[2], ("docx", "html"), None, True)))
""", PLAN, tmp_path)
    assert result.stdout.split() == ["0"], result.stderr
    assert (tmp_path / "plan.docx").exists() and (tmp_path / "plan.html").exists()
