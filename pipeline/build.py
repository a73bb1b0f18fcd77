"""Building outputs: plan file(s) → Document → one file per format, atomically, skipping what is current.

A plan is rebuilt when its fingerprint changes: a SHA-256 over the plan file's bytes, the templates
the format uses, and the source of this package. The fingerprint of each output is kept beside it
(.plan.<fmt>.sha256); `--force` ignores it. Outputs are written to a temporary file and renamed, so a
failed build leaves the last good output in place and two builds at once both leave whole files.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import BuildError, PlanError, UsageError
from .files import inside, outside_message, write_atomic
from .rocdate import plan_year
from .writers import TEMPLATES

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PACKAGE = Path(__file__).resolve().parent
TEMPLATE_FILES = {"html": ("plan.html.j2", "plan.css"), "docx": ("reference.docx",),
                  "pdf": ("reference.docx", "fonts-kai.conf")}


@dataclass(frozen=True)
class Job:
    plan: str       # the plan file
    out_dir: str    # where plan.<fmt> goes
    formats: tuple[str, ...]
    agency: str | None
    force: bool = False
    data: bytes | None = None  # the plan's bytes when they came from standard input


@dataclass(frozen=True)
class Outcome:
    job: Job
    written: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    error: str | None = None
    exit_code: int = 0


def agency_of(plan_path: str) -> tuple[str | None, str | None]:
    """plans/<agency>/<year>.yaml → (agency, year) when the path has that shape."""
    path = Path(plan_path)
    agency, year = path.parent.name, path.stem
    if SLUG.match(agency) and plan_year(year) is not None:
        return agency, year
    return None, None


def jobs_for(paths: list[str], out: str | None, formats: tuple[str, ...], force: bool) -> list[Job]:
    jobs = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.yaml") if plan_year(p.stem) is not None)
            if not found:
                raise UsageError(f"{given}: 這個資料夾裡沒有計畫檔（<機關>/<年度>.yaml）。 (no plans in folder)")
            for plan in found:
                if not inside(given, str(plan)):
                    raise UsageError(outside_message(str(plan), given))
                agency, year = agency_of(str(plan))
                agency = agency or plan.parent.name
                jobs.append(Job(str(plan), str(Path(out or "build") / agency / plan.stem), formats, agency, force))
        elif path.is_file():
            agency, year = agency_of(given)
            if out and len(paths) == 1:
                folder = Path(out)  # one file: DIR/plan.<fmt>
            else:  # several files, or no -o: <agency>/<year>/ under DIR (or build/)
                folder = Path(out or "build") / (agency or path.parent.name) / (year or path.stem)
            jobs.append(Job(given, str(folder), formats, agency, force))
        else:
            raise UsageError(f"{given}: 找不到這個檔案或資料夾。 (no such file or folder)")
    refuse_collisions(jobs)
    return jobs


def refuse_collisions(jobs: list[Job]) -> None:
    """Two plans that would write the same output folder are an error before anything is written."""
    seen: dict[str, Job] = {}
    clashes = []
    for job in jobs:
        key = os.path.normcase(os.path.abspath(job.out_dir))
        if key in seen:
            clashes.append(f"{seen[key].plan} 與 {job.plan} 都會寫到 {job.out_dir}")
        else:
            seen[key] = job
    if clashes:
        raise UsageError("兩份計畫會寫到同一個輸出資料夾，互相覆蓋：" + "；".join(clashes)
                         + "。請改名或分開建置。 (two plans map to the same output folder)")


@lru_cache(maxsize=1)
def code_digest() -> str:
    digest = hashlib.sha256()
    for source in sorted(PACKAGE.rglob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def fingerprint(plan_bytes: bytes, fmt: str, agency: str | None) -> str:
    digest = hashlib.sha256(plan_bytes)
    digest.update(code_digest().encode())
    digest.update(fmt.encode())
    for name in TEMPLATE_FILES.get(fmt, ()):
        for folder in ([TEMPLATES / "agencies" / agency] if agency else []) + [TEMPLATES]:
            candidate = folder / name
            if candidate.exists():
                digest.update(candidate.read_bytes())
                break
    return digest.hexdigest()


def run_job(job: Job) -> Outcome:
    """Build one plan in every format asked; never raises for a problem in the plan."""
    try:
        return _run(job)
    except PlanError as error:
        return Outcome(job, error=str(error), exit_code=error.exit_code)
    except OSError as exc:
        return Outcome(job, error=f"{exc.filename or job.plan}: 無法讀取或寫入：{exc.strerror}。 ({exc.strerror})",
                       exit_code=1)
    except Exception as exc:  # noqa: BLE001 — one plan's failure must not stop the others being built
        return Outcome(job, error=(f"{job.plan}: 建置時發生未預期的錯誤（{type(exc).__name__}: {exc}），已略過這份計畫；"
                                   "請回報這個錯誤。 (unexpected error; plan skipped)"), exit_code=1)


def _run(job: Job) -> Outcome:
    from .loader import load_plan

    data = job.data
    try:
        if data is None:
            with open(job.plan, "rb") as handle:
                data = handle.read()
    except OSError as exc:
        raise UsageError(f"{job.plan}: 無法讀取：{exc.strerror}。 (cannot read)") from None
    todo, skipped = [], []
    for fmt in job.formats:
        target = os.path.join(job.out_dir, f"plan.{fmt}")
        stamp = _stamp_path(target)
        current = fingerprint(data, fmt, job.agency)
        if not job.force and os.path.exists(target) and _read(stamp) == current:
            skipped.append(target)
        else:
            todo.append((fmt, target, stamp, current))
    if not todo:
        return Outcome(job, skipped=tuple(skipped))
    from .tree import build_document

    document = build_document(load_plan(job.plan, data))
    written, failures = [], []
    for fmt, target, stamp, current in todo:
        try:
            _writer(fmt).write(document, target, {"agency": job.agency})
        except BuildError as error:  # one format failing leaves the others to be written
            failures.append(f"{job.plan}: {fmt}: {error}")
            continue
        write_atomic(stamp, current.encode())
        written.append(target)
    error = "\n".join(failures) or None
    return Outcome(job, written=tuple(written), skipped=tuple(skipped), error=error,
                   exit_code=BuildError.exit_code if failures else 0)


def _writer(fmt: str):
    from .writers import writer

    return writer(fmt)


def _stamp_path(target: str) -> str:
    folder, name = os.path.split(target)
    return os.path.join(folder, f".{name}.sha256")


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read().strip()
    except (OSError, UnicodeDecodeError):
        return None


def in_parallel(function, items: list, workers: int):
    """function(item) for each item, in worker processes when there are several; yields results as they end.

    Interrupted (Ctrl-C, SIGTERM, or the caller stops reading), the work not yet started is dropped
    and the workers are ended at once with SIGTERM, on which each ends its own LibreOffice and
    removes its temporary files; outputs are only ever renamed into place whole.
    """
    if workers <= 1 or len(items) <= 1:
        for item in items:
            yield function(item)
        return
    import multiprocessing

    pool = multiprocessing.Pool(processes=min(workers, len(items)), initializer=_worker_signals)
    finished = False
    try:
        yield from pool.imap_unordered(function, items)
        finished = True
    finally:
        if finished:
            pool.close()
        else:
            pool.terminate()
        pool.join()


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised as an interrupt so that the same cleanup runs as for Ctrl-C."""


def raise_on_terminate(*_) -> None:
    raise Terminated()


def _worker_signals() -> None:
    """In a worker: Ctrl-C is the main process's to handle; SIGTERM unwinds (ending LibreOffice, removing temporaries)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_worker)


def _exit_worker(*_) -> None:
    raise SystemExit(143)  # unwinds every `finally` and except-BaseException cleanup; ends the worker quietly


def run_jobs(jobs: list[Job], workers: int):
    """Build each job; yields each Outcome as it ends."""
    return in_parallel(run_job, jobs, workers)


def plan_file(agency: str, year: str, plans_dir: str = "plans") -> str:
    """The plan file `make plan` means, or a UsageError that lists the plans there are."""
    if not SLUG.match(agency or ""):
        raise UsageError(
            f"AGENCY「{agency}」不是有效的機關代號：只能用小寫英文字母、數字與連字號（例如 kaohsiung-cec）。"
            " (AGENCY must be a slug: [a-z0-9-])")
    if plan_year(year or "") is None:
        raise UsageError(f"YEAR「{year}」不是民國年（例如 103）。 (YEAR must be an ROC year)")
    path = os.path.join(plans_dir, agency, f"{int(year)}.yaml")
    if os.path.isfile(path) and not inside(plans_dir, path):
        raise UsageError(outside_message(path, plans_dir))
    if not os.path.isfile(path):
        existing = sorted(str(p.relative_to(plans_dir)) for p in Path(plans_dir).glob("*/*.yaml"))
        listed = "\n".join(f"  {p}" for p in existing) or "  （目前沒有任何計畫檔）"
        raise UsageError(f"{path}: 找不到這個計畫檔。現有的計畫：\n{listed}\n(no such plan; the plans above exist)")
    return path
