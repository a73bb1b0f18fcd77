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
from functools import lru_cache, partial
from pathlib import Path

from .errors import BuildError, PlanError, UsageError
from .files import inside, outside_message, write_atomic
from .records import record
from .rocdate import not_a_year, plan_year
from .writers import TEMPLATES

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PACKAGE = Path(__file__).resolve().parent
TEMPLATE_FILES = {"html": ("plan.html.j2", "plan.css"), "docx": ("reference.docx",),
                  "pdf": ("reference.docx", "fonts-kai.conf")}


@record(frozen=True)
class Job:
    """One plan to build: its file, its output folder and the formats asked for."""

    plan: str       # the plan file
    out_dir: str    # where plan.<fmt> goes
    formats: tuple[str, ...]
    agency: str | None
    force: bool = False
    data: bytes | None = None  # the plan's bytes when they came from standard input


@record(frozen=True)
class Outcome:
    """What building one plan came to: the files written and skipped, or its error."""

    job: Job
    written: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    error: str | None = None
    exit_code: int = 0
    pdfs: tuple = ()  # PDFs left for the build to convert together: (target, stamp, fingerprint, prepared)


def agency_of(plan_path: str) -> tuple[str | None, str | None]:
    """plans/<agency>/<year>.yaml → (agency, year) when the path has that shape."""
    folder, name = os.path.split(plan_path)
    agency, year = os.path.basename(folder), os.path.splitext(name)[0]
    if SLUG.match(agency) and plan_year(year) is not None:
        return agency, year
    return None, None


def jobs_for(paths: list[str], out: str | None, formats: tuple[str, ...], force: bool,
             left_out: list[str] | None = None) -> list[Job]:
    """The plans to build; YAML files in a folder that are not named as plans go to `left_out`."""
    jobs = []
    for given in paths:
        if os.path.isdir(given):
            found = plan_files(given, left_out)
            if not found:
                raise UsageError(f"{given}: 這個資料夾裡沒有計畫檔（<機關>/<年度>.yaml）。 (no plans in folder)")
            for plan, linked in found:
                if linked and not inside(given, plan):
                    raise UsageError(outside_message(plan, given))
                agency, year = agency_of(plan)
                agency = agency or os.path.basename(os.path.dirname(plan))
                stem = os.path.basename(plan)[:-len(".yaml")]
                jobs.append(Job(plan, os.path.join(out or "build", agency, stem), formats, agency, force))
        elif os.path.isfile(given):
            path = Path(given)
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


def plan_files(folder: str, left_out: list[str] | None = None) -> list[tuple[str, bool]]:
    """Every <year>.yaml under folder, in path order, each with whether it is a symbolic link; the other
    YAML files there (103.yml, 103-draft.yaml) are added to `left_out`, for the command to say so.

    Linked folders are not entered (as Path.rglob does not), so only a linked file can lead outside.
    """
    found, others, folders = [], [], [folder]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                elif entry.name.endswith(".yaml") and plan_year(entry.name[:-len(".yaml")]) is not None:
                    found.append((entry.path, entry.is_symlink()))
                elif entry.name.endswith((".yaml", ".yml")) and not entry.name.startswith("."):
                    others.append(entry.path)
    if left_out is not None:
        left_out.extend(sorted(others, key=lambda path: path.split(os.sep)))
    return sorted(found, key=lambda plan: plan[0].split(os.sep))


def left_out_notice(path: str) -> str:
    """What a command says of a YAML file in a plans folder that is not named as a plan."""
    stem = os.path.basename(path).rsplit(".", 1)[0]
    rename = f"改名為 {stem}.yaml" if plan_year(stem) is not None else "以年度命名，例如 113.yaml"
    return (f"注意：略過 {path}：計畫檔要以年度命名（<年度>.yaml）才會處理；若它是計畫，請{rename}。"
            " (skipped: not named <year>.yaml)")


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
    digest.update(template_digest(fmt, agency))
    return digest.hexdigest()


def template_digest(fmt: str, agency: str | None) -> bytes:
    """The templates a format uses for an agency (its own where it has one), read once per build."""
    return _template_digest(fmt, agency if agency in agencies_with_templates() else None)


@lru_cache(maxsize=1)
def agencies_with_templates() -> frozenset[str]:
    try:
        return frozenset(os.listdir(TEMPLATES / "agencies"))
    except OSError:
        return frozenset()


@lru_cache(maxsize=None)
def _template_digest(fmt: str, agency: str | None) -> bytes:
    digest = hashlib.sha256()
    for name in TEMPLATE_FILES.get(fmt, ()):
        for folder in ([TEMPLATES / "agencies" / agency] if agency else []) + [TEMPLATES]:
            candidate = folder / name
            if candidate.exists():
                digest.update(candidate.read_bytes())
                break
    return digest.digest()


def run_job(job: Job) -> Outcome:
    """Build one plan in every format asked; never raises for a problem in the plan."""
    checked = _guarded(job, _check, job)
    return checked if isinstance(checked, Outcome) else build_checked(checked)


def build_checked(checked: tuple, beside=None) -> Outcome:
    """Write the outputs `_check` found out of date; never raises for a problem in the plan.

    With a fifth element True, a PDF is only prepared (its DOCX made) and left in Outcome.pdfs for
    run_jobs to convert together with the other plans' PDFs. beside: see _build.
    """
    return _guarded(checked[0], _build, checked, beside)


def _guarded(job: Job, action, *arguments):
    try:
        return action(*arguments)
    except PlanError as error:
        return Outcome(job, error=str(error), exit_code=error.exit_code)
    except OSError as exc:
        return Outcome(job, error=f"{exc.filename or job.plan}: 無法讀取或寫入：{exc.strerror}。 ({exc.strerror})",
                       exit_code=1)
    except Exception as exc:  # noqa: BLE001 — one plan's failure must not stop the others being built
        return Outcome(job, error=(f"{job.plan}: 建置時發生未預期的錯誤（{type(exc).__name__}: {exc}），已略過這份計畫；"
                                   "請回報這個錯誤。 (unexpected error; plan skipped)"), exit_code=1)


def _check(job: Job) -> tuple[Job, bytes, list, list]:
    """(job, the plan's bytes, outputs to write as (format, target, stamp, fingerprint), outputs current)."""
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
        if not job.force and _read(stamp) == current and os.path.exists(target):
            skipped.append(target)
        else:
            todo.append((fmt, target, stamp, current))
    return job, data, todo, skipped


def _build(checked: tuple[Job, bytes, list, list], beside=None) -> Outcome:
    """Load the plan once and write each format in `todo`. Given a second process that writes web pages
    (pipeline.beside), the HTML is written there while this one writes the other formats."""
    job, data, todo, skipped = checked[:4]
    together = len(checked) > 4 and checked[4]
    if not todo:
        return Outcome(job, skipped=tuple(skipped))
    from .loader import load_plan
    from .tree import build_document

    document = build_document(load_plan(job.plan, data))
    page = next((entry for entry in todo if entry[0] == "html"), None) if beside else None
    if page:
        beside.send(document, page[1], {"agency": job.agency})
    results = {entry: _write_format(document, entry, job, together) for entry in todo if entry is not page}
    if page:
        results[page] = _write_format(document, page, job, together, written_by=beside.collect)
    ordered = [results[entry] for entry in todo]
    written, failures, pdfs = ([result[i] for result in ordered if result[i]] for i in range(3))
    error = "\n".join(failures) or None
    return Outcome(job, written=tuple(written), skipped=tuple(skipped), error=error,
                   exit_code=BuildError.exit_code if failures else 0, pdfs=tuple(pdfs))


def _write_format(document, entry: tuple, job: Job, together: bool, written_by=None) -> tuple:
    """(target written, failure, PDF prepared), two of them None, for one (format, target, stamp, fingerprint).

    One format failing leaves the others to be written; a PDF built together with other plans' is only
    prepared (its DOCX made) here. written_by: waits for the output written elsewhere and says whether
    it was (if not, it is written here), raising what its writer raised.
    """
    fmt, target, stamp, current = entry
    try:
        if fmt == "pdf" and together:
            return None, None, (target, stamp, current, _writer(fmt).prepare(document, target, {"agency": job.agency}))
        if written_by is None or not written_by():
            _writer(fmt).write(document, target, {"agency": job.agency})
    except BuildError as error:
        return None, f"{job.plan}: {fmt}: {error}", None
    write_atomic(stamp, current.encode())
    return target, None, None


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


def _worker_signals() -> None:
    """In a worker: Ctrl-C is the main process's to handle; SIGTERM unwinds (ending LibreOffice, removing temporaries)."""
    import gc
    import signal

    gc.enable()  # a worker builds many plans: the single-build shortcut of keeping the collector off does not hold
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_worker)


def _exit_worker(*_) -> None:
    raise SystemExit(143)  # unwinds every `finally` and except-BaseException cleanup; ends the worker quietly


def run_jobs(jobs: list[Job], workers: int, beside=None):
    """Build each job; yields each Outcome as it ends.

    What is current is decided here first, reading only plans and fingerprints: a plan with nothing
    to rebuild is reported at once, and worker processes start only for the plans left, if any.
    beside: a second process the caller started for a single plan's web page (pipeline.beside) and ends.
    """
    pending = []
    for job in jobs:
        checked = _guarded(job, _check, job)
        if isinstance(checked, Outcome):
            yield checked
        elif not checked[2]:
            yield Outcome(job, skipped=tuple(checked[3]))
        else:
            pending.append(checked + (True,))
    waiting = []
    one_plan = len(pending) == 1  # built in this process: the page may be written beside it
    for outcome in in_parallel(partial(build_checked, beside=beside) if one_plan else build_checked, pending, workers):
        if outcome.pdfs:
            waiting.append(outcome)
        else:
            yield outcome
    if waiting:
        yield from _convert_together(waiting, workers)


def _convert_together(waiting: list[Outcome], workers: int):
    """The PDFs of every plan, converted by one LibreOffice per worker; yields each plan's whole Outcome."""
    from .writers import pdf

    prepared = [p[3] for outcome in waiting for p in outcome.pdfs]
    try:
        results = iter(pdf.render_pdfs(prepared, instances=workers))
    except BuildError as error:  # no LibreOffice: every PDF fails alike, the other formats stand
        results = iter([error] * len(prepared))
    for outcome in waiting:
        written, failures = list(outcome.written), [outcome.error] if outcome.error else []
        for target, stamp, current, (_, counted, _) in outcome.pdfs:
            result = next(results)
            try:
                if isinstance(result, BuildError):
                    raise result
                write_atomic(target, result)
                docx_target = os.path.splitext(target)[0] + ".docx"
                if counted and docx_target in outcome.written:  # its footer counts the body's pages
                    pdf.count_into(docx_target, result)
                write_atomic(stamp, current.encode())
                written.append(target)
            except BuildError as error:
                failures.append(f"{outcome.job.plan}: pdf: {error}")
        yield Outcome(outcome.job, written=tuple(written), skipped=outcome.skipped, error="\n".join(failures) or None,
                      exit_code=max(outcome.exit_code, BuildError.exit_code if failures else 0))


def plan_file(agency: str, year: str, plans_dir: str = "plans") -> str:
    """The plan file `make plan` means, or a UsageError that lists the plans there are."""
    if not SLUG.match(agency or ""):
        raise UsageError(
            f"AGENCY「{agency}」不是有效的機關代號：只能用小寫英文字母、數字與連字號（例如 kaohsiung-cec）。"
            " (AGENCY must be a slug: [a-z0-9-])")
    if not plan_year(year or ""):  # None, or year 0
        raise UsageError(not_a_year(year or "", 103))
    path = os.path.join(plans_dir, agency, f"{int(year)}.yaml")
    if os.path.isfile(path) and not inside(plans_dir, path):
        raise UsageError(outside_message(path, plans_dir))
    if not os.path.isfile(path):
        existing = sorted(str(p.relative_to(plans_dir)) for p in Path(plans_dir).glob("*/*.yaml"))
        listed = "\n".join(f"  {p}" for p in existing) or "  （目前沒有任何計畫檔）"
        raise UsageError(f"{path}: 找不到這個計畫檔。現有的計畫：\n{listed}\n(no such plan; the plans above exist)")
    return path
