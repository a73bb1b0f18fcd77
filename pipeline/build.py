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
from .files import write_atomic
from .writers import TEMPLATES

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PACKAGE = Path(__file__).resolve().parent
TEMPLATE_FILES = {"html": ("plan.html.j2", "plan.css"), "docx": ("reference.docx",),
                  "pdf": ("reference.docx", "fonts.conf")}


@dataclass(frozen=True)
class Job:
    plan: str       # the plan file
    out_dir: str    # where plan.<fmt> goes
    formats: tuple[str, ...]
    agency: str | None
    force: bool = False


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
    if SLUG.match(agency) and year.isdigit():
        return agency, year
    return None, None


def jobs_for(paths: list[str], out: str | None, formats: tuple[str, ...], force: bool) -> list[Job]:
    jobs = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.yaml") if p.stem.isdigit())
            if not found:
                raise UsageError(f"{given}: 這個資料夾裡沒有計畫檔（<機關>/<年度>.yaml）。 (no plans in folder)")
            for plan in found:
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
    return jobs


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


def _run(job: Job) -> Outcome:
    from .loader import load_plan

    try:
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
    """function(item) for each item, in worker processes when there are several; yields results as they end."""
    if workers <= 1 or len(items) <= 1:
        for item in items:
            yield function(item)
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(max_workers=workers) as pool:
        for future in as_completed([pool.submit(function, item) for item in items]):
            yield future.result()


def run_jobs(jobs: list[Job], workers: int):
    """Build each job; yields each Outcome as it ends."""
    return in_parallel(run_job, jobs, workers)


def plan_file(agency: str, year: str, plans_dir: str = "plans") -> str:
    """The plan file `make plan` means, or a UsageError that lists the plans there are."""
    if not SLUG.match(agency or ""):
        raise UsageError(
            f"AGENCY「{agency}」不是有效的機關代號：只能用小寫英文字母、數字與連字號（例如 kaohsiung-cec）。"
            " (AGENCY must be a slug: [a-z0-9-])")
    if not (year or "").isdigit():
        raise UsageError(f"YEAR「{year}」不是民國年（例如 103）。 (YEAR must be an ROC year)")
    path = os.path.join(plans_dir, agency, f"{int(year)}.yaml")
    if not os.path.isfile(path):
        existing = sorted(str(p.relative_to(plans_dir)) for p in Path(plans_dir).glob("*/*.yaml"))
        listed = "\n".join(f"  {p}" for p in existing) or "  （目前沒有任何計畫檔）"
        raise UsageError(f"{path}: 找不到這個計畫檔。現有的計畫：\n{listed}\n(no such plan; the plans above exist)")
    return path
