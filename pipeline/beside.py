"""Building one plan: a second process that writes one of its formats beside the first.

A web page's writer needs the template engine (jinja2), and importing it takes about as long as
loading the plan. So when one plan is built as a page and in another format on a machine with two
cores or more, `plan build` forks as soon as it has read its command line: the second process
imports the page's writer meanwhile, then receives the plan's document tree and where to write
through a pipe, writes the page and sends back what came of it, while the first writes the other
formats.

If nothing is left for it (the plan did not load, or its page is current) the second process is
ended before it has written anything; ended while writing (Ctrl-C, SIGTERM, or the first process
gone), it leaves no partial file (files.write_atomic); if it ends without having written the page
(killed, out of memory), the first writes it. What its work raises is raised in the first, so the
messages are the same as when every format is written in turn, as it is where a process cannot
fork (Windows), has one core to run on, or runs other threads (the live preview).
"""
from __future__ import annotations

import os
import pickle
import signal
import threading


class Beside:
    """The second process, seen from the first: send it its work once, collect the answer, end it."""

    def __init__(self, pid: int, outbox: int, inbox: int):
        self.pid, self.outbox, self.inbox = pid, outbox, inbox
        self.running = True

    def send(self, *args) -> None:
        """Have the second process run its work(*args); it starts when the pipe closes."""
        outbox, self.outbox = self.outbox, None  # the file object below owns it now, and closes it
        try:
            with os.fdopen(outbox, "wb") as pipe:
                pickle.dump(args, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        except BrokenPipeError:  # it is gone already; collect() says so
            pass

    def collect(self) -> bool:
        """True once the second process has done its work, False if it ended without doing it (killed, out
        of memory: the first then does the work itself); what the work raised there is raised here."""
        inbox, self.inbox = self.inbox, None
        with os.fdopen(inbox, "rb") as pipe:
            data = pipe.read()
        self._wait()
        if not data:
            return False
        done, failure = pickle.loads(data)
        if not done:
            raise failure
        return True

    def end(self) -> None:
        """Whatever it is doing, the second process stops; called once the first is done with it. The pipes
        close first: a second process whose SIGTERM went unheard (raised inside a finaliser, where Python
        drops it) reads the end of its work and leaves, rather than waiting on it while the first waits."""
        for fd in (self.outbox, self.inbox):
            if fd is not None:
                os.close(fd)
        self.outbox = self.inbox = None
        if self.running:
            os.kill(self.pid, signal.SIGTERM)
            self._wait()

    def _wait(self) -> None:
        os.waitpid(self.pid, 0)
        self.running = False


def start(prepare, work) -> Beside | None:
    """Fork a process that runs prepare() at once, then work(*args) with the arguments Beside.send gives.

    None when a second process would not shorten the build.
    """
    if not hasattr(os, "fork") or _cores() < 2 or threading.active_count() > 1:
        return None  # (a copy of a process with other threads could wait forever on their locks)
    down_read, down_write = os.pipe()  # the work, first to second
    up_read, up_write = os.pipe()      # the answer, second to first
    pid = os.fork()
    if pid == 0:
        os.close(down_write), os.close(up_read)
        _second(prepare, work, down_read, up_write)
    os.close(down_read), os.close(up_write)
    return Beside(pid, down_write, up_read)


def _second(prepare, work, inbox: int, outbox: int) -> None:
    """The second process: never returns, ends with os._exit (the first owns the interpreter's teardown)."""
    code = 1
    try:
        signal.signal(signal.SIGTERM, _stop)
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:  # (ignored in a background job: so here)
            signal.signal(signal.SIGINT, _stop)  # Ctrl-C reaches both processes: the first one reports it
        try:
            prepare()
        except Exception:  # noqa: BLE001 — the work meets it again, and answers for it
            pass
        with os.fdopen(inbox, "rb") as pipe:
            data = pipe.read()
        if data:
            try:
                work(*pickle.loads(data))
                answer = pickle.dumps((True, None))
            except Exception as exc:  # noqa: BLE001 — the first process raises it as its own
                answer = _pickled_failure(exc)
            with os.fdopen(outbox, "wb") as pipe:
                pipe.write(answer)
        code = 0
    except BaseException:  # noqa: BLE001 — stopped, or the first process went away: nothing to say
        pass
    finally:
        os._exit(code)


def _stop(*_) -> None:
    raise SystemExit(143)  # unwinds every `finally`: a file being written is removed, not left half


def _pickled_failure(exc: Exception) -> bytes:
    try:
        return pickle.dumps((False, exc))
    except Exception:  # noqa: BLE001 — an exception that does not pickle goes as its name and message
        return pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
