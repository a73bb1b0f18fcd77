"""Interrupts sent to a real build: Ctrl-C (SIGINT to the process group, as a terminal sends it) and
SIGTERM to the main process. Afterwards no process of the build is left, no partial file exists, and
outputs written before stay whole.
"""
import os
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, needs_tool

PLAN = ROOT / ".venv" / "bin" / "plan"
SEED = ROOT / "plans" / "keelung-cec" / "105.yaml"


def many_plans(folder: Path, count: int) -> Path:
    for i in range(count):
        (folder / f"a{i}").mkdir(parents=True)
        (folder / f"a{i}" / "105.yaml").write_bytes(SEED.read_bytes())
    return folder


def processes() -> list[tuple[int, int, str]]:
    """(pid, process group, command line) of every process on the machine."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z":
            found.append((int(entry.name), int(fields[2]), command))
    return found


def left_in_group(group: int) -> list[str]:
    return [command for pid, pgid, command in processes() if pgid == group]


def start_build(args, cwd: Path, env=None) -> subprocess.Popen:
    return subprocess.Popen([str(PLAN), "build", *map(str, args)], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, env=env)


def wait_for(condition, limit: float = 120.0) -> None:
    """Poll until condition() holds; fails (never hangs) if it does not within `limit` seconds."""
    end = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < end, "the build never reached the state the test waits for"
        time.sleep(0.1)


def assert_whole(out: Path) -> None:
    assert not list(out.rglob(".tmp-*")), "a partial file was left behind"
    for document in list(out.rglob("plan.docx")) + list(out.rglob("plan.odt")):
        with zipfile.ZipFile(document) as archive:
            assert archive.testzip() is None


@pytest.mark.parametrize("how", ["ctrl-c", "sigint-to-main", "sigterm"])
def test_interrupting_a_parallel_build_stops_it_and_leaves_no_process(tmp_path, how):
    plans = many_plans(tmp_path / "plans", 300)
    out = tmp_path / "out"
    build = start_build([plans, "-o", out, "-j", "2", "--format", "docx,html,odt"], tmp_path)
    wait_for(lambda: len(list(out.rglob("plan.html"))) >= 4)
    assert len(left_in_group(build.pid)) >= 3, "main process and two workers"
    if how == "ctrl-c":  # a terminal sends SIGINT to the whole foreground group
        os.killpg(build.pid, signal.SIGINT)
    else:  # `kill -INT` or `kill` (SIGTERM) reach the main process alone
        os.kill(build.pid, signal.SIGTERM if how == "sigterm" else signal.SIGINT)
    try:
        _, errors = build.communicate(timeout=60)
    finally:
        if build.poll() is None:  # the build did not stop: end it so the test leaves nothing behind
            os.killpg(build.pid, signal.SIGKILL)
            build.communicate()
    assert build.returncode == (143 if how == "sigterm" else 130), errors.decode()
    assert "已中斷" in errors.decode() and "Traceback" not in errors.decode()
    wait_for(lambda: not left_in_group(build.pid), 10)
    built = len(list(out.rglob("plan.html")))
    assert built < 300, "the build stopped instead of finishing every plan"
    assert_whole(out)


def soffice_of(group_root: str) -> list[tuple[int, str]]:
    return [(pid, command) for pid, _, command in processes()
            if "soffice" in command and group_root in command]


def test_ctrl_c_during_pdf_conversion_ends_libreoffice_and_removes_its_profile(tmp_path):
    needs_tool("soffice")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary)}
    out = tmp_path / "out"
    first = start_build([SEED, "-o", out, "--format", "pdf"], tmp_path, env)
    _, errors = first.communicate(timeout=600)
    assert first.returncode == 0, errors.decode()
    good = (out / "plan.pdf").read_bytes()

    build = start_build([SEED, "-o", out, "--format", "pdf", "--force"], tmp_path, env)
    wait_for(lambda: soffice_of(str(temporary)), 120)
    time.sleep(1)  # LibreOffice is loading the document
    (work,) = {Path(part.split("file://", 1)[1]).parent for _, command in soffice_of(str(temporary))
               for part in command.split() if part.startswith("-env:UserInstallation=")}
    assert work.exists()
    os.killpg(build.pid, signal.SIGINT)  # LibreOffice runs in its own session: the terminal's Ctrl-C misses it
    try:
        _, errors = build.communicate(timeout=60)
        wait_for(lambda: not soffice_of(str(temporary)), 10)
    finally:  # whatever happened, the test leaves no process behind
        for pid, _ in soffice_of(str(temporary)):
            os.kill(pid, signal.SIGKILL)
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
            build.communicate()
    assert build.returncode == 130, errors.decode()
    assert not work.exists(), "LibreOffice's temporary profile is removed"
    assert list(temporary.iterdir()) == []
    assert (out / "plan.pdf").read_bytes() == good, "the last good PDF survives"
    assert_whole(out)
