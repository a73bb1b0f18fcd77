"""The `plan` command's entry point: `plan build`, `plan make` and `plan diff` in their usual forms start without click.

A one-plan build is over in well under a second, so what Python loads before the work counts: the
command-line library alone costs as much as writing the HTML. This module reads the arguments of
`plan build`, `plan make` and `plan diff` (two plan files, text or JSON to the terminal) itself when
it understands every one of them; anything else (help, an
unknown or misspelt option, a value out of range, standard input) goes to the full command line in
cli.py, which gives click's answer. Both paths run the same functions below, so they print the same
lines and exit with the same codes.

A single build or review runs with the garbage collector off (the work makes few cycles and ends soon; pool
workers turn it back on), and ends with os._exit once every output is closed and the terminal
flushed, skipping the interpreter's teardown. One plan built as a web page and in another format
starts the page's process first thing (pipeline.beside), so that it loads the template engine while
this one reads the plan.
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager

from .errors import PlanError

FORMATS = ("docx", "html", "odt", "pdf")  # as pipeline.writers.FORMATS, without importing the writers


def main() -> None:
    quick = _quick_command(sys.argv[1:])
    if quick is None:
        from .cli import main as full

        full(prog_name="plan")
        return
    import gc

    gc.disable()
    code = guarded(quick)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _quick_command(argv: list[str]):
    """A function that runs the command when every argument is understood here, else None."""
    if argv[:1] == ["diff"]:
        return _quick_diff(argv[1:])
    if not argv or argv[0] not in ("build", "make"):
        return None
    values, flags, positional = _options(argv[1:], {"-o": "out", "--output": "out", "--format": "formats",
                                                     "-j": "workers", "--jobs": "workers"}, {"--force"})
    if positional is None:
        return None
    if argv[0] == "make":
        if len(positional) != 2 or set(values) - {"out"} or flags:
            return None
        agency, year = positional
        return lambda: make_plan(agency, year, values.get("out", "build"))
    formats = _formats(values.get("formats", "docx,html"))
    workers = values.get("workers")
    if workers is not None:
        workers = int(workers) if workers.isdecimal() and workers.isascii() else 0
        if not 1 <= workers <= 64:
            return None
    if not positional or formats is None or "-" in positional or values.get("out") == "-":
        return None
    return lambda: build(positional, values.get("out"), formats, workers, "--force" in flags)


def _quick_diff(args: list[str]):
    """`plan diff OLD NEW [--format text|json] [--exit-code]` of two plan files, shown on the terminal."""
    values, flags, positional = _options(args, {"--format": "formats"}, {"--exit-code"})
    if positional is None or len(positional) != 2 or "-" in positional or not all(map(os.path.isfile, positional)):
        return None
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in values.get("formats", "text").split(",") if f.strip()))
    if chosen not in (("text",), ("json",)):
        return None
    old, new = positional
    return lambda: show_review(old, new, chosen[0], "--exit-code" in flags)


def _options(args: list[str], with_value: dict[str, str], switches: set[str]):
    """(values, flags, positional), or (…, …, None) when an argument is not one of these options."""
    values: dict[str, str] = {}
    flags: set[str] = set()
    positional: list[str] = []
    rest = iter(args)
    for arg in rest:
        name, eq, inline = arg.partition("=")
        if arg in switches:
            flags.add(arg)
        elif name in with_value and name.startswith("--") and eq:
            values[with_value[name]] = inline
        elif arg in with_value:
            value = next(rest, None)
            if value is None or value.startswith("-"):
                return values, flags, None
            values[with_value[arg]] = value
        elif arg.startswith("-"):
            return values, flags, None
        else:
            positional.append(arg)
    return values, flags, positional


def _formats(value: str) -> tuple[str, ...] | None:
    """The formats asked for, in order, or None when one is unknown (click then says which)."""
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    if not chosen or any(f not in FORMATS for f in chosen):
        return None
    return chosen


def guarded(command) -> int:
    """Run a command; a plan problem, a file-system fault or an interrupt becomes its message and exit code."""
    import signal
    import threading

    from .errors import Terminated, raise_on_terminate

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, raise_on_terminate)  # SIGTERM unwinds like Ctrl-C: workers and LibreOffice end
    try:
        return command() or 0
    except PlanError as error:
        return fail(error)
    except BrokenPipeError:  # the reader went away (`| head`, `| less` quit early): nothing to say
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # what is still buffered goes nowhere, not into a second error
        return 141
    except OSError as exc:  # a file-system fault outside the writers: one line with the path
        from .files import fault_message

        say(fault_message(exc, exc.filename or ""))
        return 1
    except KeyboardInterrupt as interrupt:
        say("已中斷；先前完成的輸出都保留著。 (interrupted)")
        return 143 if isinstance(interrupt, Terminated) else 130
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)


def say(text: str) -> None:
    """One line on standard error, at once."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def fail(error: PlanError) -> int:
    from .errors import printable

    say(printable(str(error), keep_newlines=True))
    return error.exit_code


def build(paths: list[str], out: str | None, formats: tuple[str, ...], workers: int | None, force: bool) -> int:
    """`plan build PATH... [-o DIR] [--format …] [-j N] [--force]` for files and folders."""
    with _page_beside(paths, formats) as beside:
        from .build import jobs_for, left_out_notice, run_jobs

        left_out: list[str] = []
        jobs = jobs_for(list(paths), out, formats, force, left_out)
        for path in left_out:
            say(left_out_notice(path))
        if len(jobs) > 1:  # many plans: garbage is collected as usual, here and in the workers
            import gc

            gc.enable()
        workers = workers or min(len(jobs), os.cpu_count() or 1)
        return report(run_jobs(jobs, workers, beside), len(jobs))


@contextmanager
def _page_beside(paths: list[str], formats: tuple[str, ...]):
    """For one plan file built as a web page and more, a second process that imports the page's writer while
    this one loads the plan, then writes the page (pipeline.beside); ended on leaving. Else None."""
    beside = None
    if len(paths) == 1 and "html" in formats and len(formats) > 1 and os.path.isfile(paths[0]):
        from .beside import start

        beside = start(_prepare_page, _write_page)
    try:
        yield beside
    finally:
        if beside is not None:
            beside.end()


def _prepare_page() -> None:
    from .writers import writer

    writer("html").prepare()  # the template engine and the page's template, loaded ahead


def _write_page(document, target: str, options: dict) -> None:
    from .writers import writer

    writer("html").write(document, target, options)


def make_plan(agency: str, year: str, out: str) -> int:
    """`plan make AGENCY YEAR`: the plan's DOCX and HTML, and the review against last year's plan."""
    from .build import Job, plan_file, run_jobs

    path = plan_file(agency, year)
    folder = os.path.join(out, agency, str(int(year)))
    with _page_beside([path], ("docx", "html")) as beside:
        code = report(run_jobs([Job(path, folder, ("docx", "html"), agency)], 1, beside), 1)
    previous = os.path.join("plans", agency, f"{int(year) - 1}.yaml")
    if code == 0 and os.path.isfile(previous):
        from .review import write

        review = review_of(previous, path)
        for fmt, name in (("html", "diff.html"), ("docx", "diff.docx"), ("json", "diff.json"),
                          ("tracked", "diff.tracked.docx")):
            target = os.path.join(folder, name)
            write(review, fmt, target, {"agency": agency})
            say(f"已寫入 wrote {target}")
    return code


def review_of(old: str, new: str, read=None):
    """The review of two plan files; PlanProblems of either one propagate."""
    from .diff import compare
    from .loader import load_plan
    from .tree import build_document

    plans = [load_plan(path, read(path) if read else None) for path in (old, new)]
    for note in pair_notes(*plans, old, new):
        say(note)
    return compare(build_document(plans[0]), build_document(plans[1]), old, new)


def pair_notes(older, newer, old: str, new: str) -> list[str]:
    """What a reviewer should know about the two plans before reading the review: given in reverse order,
    or of two agencies."""
    notes = []
    if older.year > newer.year:
        notes.append(f"注意：OLD（{old}）是 {older.year} 年，NEW（{new}）是 {newer.year} 年；比較時舊的在前："
                     f"plan diff 去年的計畫 今年的計畫。 (OLD is the later year: are the two swapped?)")
    if older.agency != newer.agency:
        notes.append(f"注意：兩份計畫的機關不同（{older.agency}、{newer.agency}）。 (the plans are of two agencies)")
    return notes


def show_review(old: str, new: str, fmt: str, exit_code: bool) -> int:
    """The review of two plan files on standard output as text or JSON; with exit_code, 1 when they differ."""
    from .review import for_terminal

    review = review_of(old, new)
    sys.stdout.write(for_terminal(review, fmt, sys.stdout.isatty()))
    return 1 if exit_code and review.changes else 0


def report(outcomes, total: int) -> int:
    """Print each plan's result as it ends; returns the exit code of the whole run."""
    from .errors import printable

    code = 0
    show_bar = total > 1 and sys.stderr.isatty()
    bar = _progress_bar(total) if show_bar else None
    try:
        for outcome in outcomes:
            if bar is not None:
                bar.update(1)
            if outcome.error:
                say(printable(outcome.error, keep_newlines=True))
                code = max(code, outcome.exit_code)
            for path in outcome.written:
                say(f"已寫入 wrote {path}")
            for path in outcome.skipped:
                say(f"未變更 unchanged {path}")
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    return code


def _progress_bar(total: int):
    import click

    bar = click.progressbar(length=total, label="建置中 building", file=sys.stderr)
    bar.__enter__()
    return bar

