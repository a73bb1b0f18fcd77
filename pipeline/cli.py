"""The `plan` command line: parses arguments, calls one stage, prints problems.

Each command imports only what it needs, so a command starts about as fast as Python does.
Problems are printed one per line as FILE:LINE:COL: field: message; no traceback reaches the user.
"""
from __future__ import annotations

import sys

import click

from .errors import PlanError, PlanProblems


def _fail(error: PlanError) -> None:
    click.echo(str(error), err=True)
    sys.exit(error.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """計畫檔（YAML）的檢查、輸出與年度比較。 Annual plans: validate, build, compare."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--strict", is_flag=True, help="把寫作慣例的警告也當成錯誤。 Treat warnings as errors.")
def validate(files: tuple[str, ...], strict: bool) -> None:
    """檢查計畫檔；有錯誤時每個問題一行，結束代碼 1。"""
    from .conventions import convention_warnings
    from .loader import load_plan

    failed = False
    for path in files:
        try:
            plan = load_plan(path, _read(path))
        except PlanProblems as problems:
            click.echo(str(problems), err=True)
            failed = True
            continue
        warnings = convention_warnings(plan)
        for warning in warnings:
            click.echo(str(warning), err=True)
        if warnings and strict:
            failed = True
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--check", is_flag=True, help="只檢查是否需要修正，不寫入（需要時結束代碼 1）。 Report only.")
def fmt(files: tuple[str, ...], check: bool) -> None:
    """自動修正可安全修正的寫作慣例（半形標點、日期寫法），保留註解與順序。"""
    from .conventions import fix_source
    from .files import write_atomic
    from .loader import load_plan

    failed = changed = False
    for path in files:
        data = _read(path)
        try:
            plan = load_plan(path, data)
        except PlanProblems as problems:
            click.echo(str(problems), err=True)
            failed = True
            continue
        text = data.decode("utf-8-sig")
        fixed = fix_source(text, plan)
        if fixed == text:
            continue
        changed = True
        if check:
            click.echo(f"{path}: 需要整理 (would reformat)", err=True)
        else:
            write_atomic(path, fixed.encode("utf-8"))
            click.echo(f"已整理 reformatted {path}")
    sys.exit(1 if failed or (check and changed) else 0)


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="寫到檔案（預設印出）")
def schema(output: str | None) -> None:
    """印出計畫格式的 JSON Schema，供編輯器即時檢查與自動完成。"""
    import json

    from .model import Plan
    from .schema import json_schema

    text = json.dumps(json_schema(Plan, "年度計畫 plan"), ensure_ascii=False, indent=2) + "\n"
    if output:
        from .files import write_atomic

        write_atomic(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=False)


FORMAT_HELP = "輸出格式，以逗號分隔：docx,html,odt,pdf。 Formats, comma-separated."


def _formats(value: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """A comma-separated list of formats, each one of `allowed`, in the order given."""
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in allowed]
    if unknown or not chosen:
        raise click.BadParameter(f"不支援的格式 {', '.join(unknown) or '(空白)'}；可用：{', '.join(allowed)}")
    return chosen


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", "out", help="輸出資料夾。 Output folder.")
@click.option("--format", "formats", default="docx,html", show_default=True, help=FORMAT_HELP)
@click.option("-j", "--jobs", "workers", type=click.IntRange(1, 64), default=None,
              help="同時建置的計畫數（預設為 CPU 核心數）。 Parallel builds.")
@click.option("--force", is_flag=True, help="即使計畫沒有改變也重新建置。 Rebuild unchanged plans.")
def build(paths: tuple[str, ...], out: str | None, formats: str, workers: int | None, force: bool) -> None:
    """把計畫檔輸出為 DOCX／HTML／ODT／PDF；資料夾內的計畫平行建置。"""
    import os

    from .build import jobs_for, run_jobs
    from .writers import FORMATS

    try:
        jobs = jobs_for(list(paths), out, _formats(formats, FORMATS), force)
    except PlanError as error:
        _fail(error)
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    sys.exit(_report(run_jobs(jobs, workers), len(jobs)))


@main.command(name="make")
@click.argument("agency")
@click.argument("year")
@click.option("-o", "--output", "out", default="build", show_default=True, help="輸出資料夾。 Output folder.")
def make_plan(agency: str, year: str, out: str) -> None:
    """`make plan AGENCY= YEAR=` 所執行的：build/<機關>/<年度>/ 下的 plan.docx、plan.html，
    有前一年計畫時再加 diff.html、diff.docx（修正對照表）、diff.json 與 diff.tracked.docx。"""
    import os

    from .build import Job, plan_file, run_jobs

    try:
        path = plan_file(agency, year)
    except PlanError as error:
        _fail(error)
    folder = os.path.join(out, agency, str(int(year)))
    code = _report(run_jobs([Job(path, folder, ("docx", "html"), agency)], 1), 1)
    previous = os.path.join("plans", agency, f"{int(year) - 1}.yaml")
    if code == 0 and os.path.isfile(previous):
        from .review import write

        review = _review(previous, path)
        for fmt, name in (("html", "diff.html"), ("docx", "diff.docx"), ("json", "diff.json"),
                          ("tracked", "diff.tracked.docx")):
            target = os.path.join(folder, name)
            try:
                write(review, fmt, target, {"agency": agency})
            except PlanError as error:
                _fail(error)
            click.echo(f"已寫入 wrote {target}")
    sys.exit(code)


@main.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--format", "formats", default="text", show_default=True,
              help="text,html,json,docx,odt,pdf（修正對照表）,tracked,tracked-odt,tracked-html,tracked-pdf"
                   "（含修訂標記的新計畫；可多選）。 Formats.")
@click.option("-o", "--output", "out", help="輸出檔；多種格式時作為檔名主幹。 Output file (a stem when several).")
def diff(old: str, new: str, formats: str, out: str | None) -> None:
    """比較兩份計畫（通常是去年與今年）：新增、刪除、修改、移動與年度更新。"""
    from .review import FORMATS, to_json, write

    chosen = _formats(formats, FORMATS)
    review = _review(old, new)

    for fmt in chosen:
        if out is None and fmt in ("text", "json"):
            if fmt == "text":
                from .review.text import render

                click.echo(render(review, colour=sys.stdout.isatty()), nl=False)
            else:
                click.echo(to_json(review), nl=False)
            continue
        target = _target(out, fmt, len(chosen) > 1)
        try:
            write(review, fmt, target)
        except PlanError as error:
            _fail(error)
        click.echo(f"已寫入 wrote {target}", err=True)


def _review(old: str, new: str):
    from .diff import compare
    from .loader import load_plan
    from .tree import build_document

    documents = []
    for path in (old, new):
        try:
            documents.append(build_document(load_plan(path, _read(path))))
        except PlanProblems as problems:
            _fail(problems)
    return compare(documents[0], documents[1], old, new)


def _target(out: str | None, fmt: str, several: bool) -> str:
    import os

    from .review import SUFFIXES

    suffix = SUFFIXES.get(fmt, fmt)
    if out is None:
        return f"diff.{suffix}"
    return f"{os.path.splitext(out)[0]}.{suffix}" if several else out


@main.command(name="new")
@click.argument("agency")
@click.argument("year")
@click.option("--force", is_flag=True, help="覆蓋已存在的計畫檔。 Overwrite an existing plan.")
def new_year(agency: str, year: str, force: bool) -> None:
    """依該機關最近一年的計畫，產生 plans/AGENCY/YEAR.yaml 草稿（年度與日期順延）。"""
    from .build import SLUG
    from .errors import UsageError
    from .newyear import new_plan

    try:
        if not SLUG.match(agency):
            raise UsageError(f"機關代號「{agency}」只能用小寫英文字母、數字與連字號。 (AGENCY must be a slug)")
        if not year.isdigit():
            raise UsageError(f"YEAR「{year}」不是民國年（例如 104）。 (YEAR must be an ROC year)")
        source, target = new_plan(agency, int(year), force=force)
    except PlanError as error:
        _fail(error)
    click.echo(f"已寫入 wrote {target}（依 {source}）")


@main.command()
@click.option("-o", "--output", "out", default="build/site", show_default=True, help="輸出資料夾。 Output folder.")
@click.option("--plans", "plans_dir", default="plans", show_default=True, help="計畫檔所在資料夾。 Plans folder.")
@click.option("--base-url", help="網站的網址，用來寫 sitemap.xml（例如 https://www.example.gov.tw/plans/）。")
@click.option("--fragment", is_flag=True, help="另為每份計畫寫 fragment.html：可貼入內容管理系統的本文。")
@click.option("-j", "--jobs", "workers", type=click.IntRange(1, 64), default=None, help="同時建置的計畫數。")
def site(out: str, plans_dir: str, base_url: str | None, fragment: bool, workers: int | None) -> None:
    """建置可上傳的網站：計畫列表、每份計畫的網頁與下載檔、年度比較、網站導覽。"""
    import os

    from .site import build_site

    code = 0
    try:
        for result in build_site(plans_dir, out, base_url, fragment, workers or os.cpu_count() or 1):
            for note in result.notes:
                click.echo(note, err=True)
            if result.error:
                click.echo(result.error, err=True)
                code = 1
            else:
                click.echo(f"已寫入 wrote {out}/{result.agency}/{result.year}/")
    except PlanError as error:
        _fail(error)
    click.echo(f"網站 site: {out}/index.html")
    sys.exit(code)


@main.command(name="import")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), help="寫成 YAML 檔（預設印出）。")
@click.option("--report", is_flag=True, help="列出辨識到的結構，以及保留為一般文字的部分。")
@click.option("--year", type=click.IntRange(1, 999), help="計畫年度（民國年），原文沒有寫年度時指定。 ROC year, when the text has none.")
def import_plan(source: str, out: str | None, report: bool, year: int | None) -> None:
    """由既有的計畫（.docx，或由 PDF、網頁取出的 .txt／.md）產生計畫 YAML。"""
    from .importer import import_file, to_yaml_with_notes
    from .loader import load_plan

    try:
        imported = import_file(source, year)
        text = to_yaml_with_notes(imported, source)
        load_plan(out or "imported.yaml", text.encode("utf-8"))  # what is written must load
    except PlanError as error:
        _fail(error)
    if report:
        for line in imported.report:
            click.echo(f"辨識 recognised: {line}", err=True)
        for key, note in imported.guesses.items():
            click.echo(f"請確認 check: {key}: {note}", err=True)
    if out:
        from .files import write_atomic

        write_atomic(out, text.encode("utf-8"))
        click.echo(f"已寫入 wrote {out}", err=True)
    else:
        click.echo(text, nl=False)


def _report(outcomes, total: int) -> int:
    """Print each plan's result as it ends; returns the exit code of the whole run."""
    code = 0
    show_bar = total > 1 and sys.stderr.isatty()
    with click.progressbar(length=total, label="建置中 building", file=sys.stderr) if show_bar else _NoBar() as bar:
        for outcome in outcomes:
            bar.update(1)
            if outcome.error:
                click.echo(outcome.error, err=True)
                code = max(code, outcome.exit_code)
            for path in outcome.written:
                click.echo(f"已寫入 wrote {path}", err=show_bar)
            for path in outcome.skipped:
                click.echo(f"未變更 unchanged {path}", err=show_bar)
    return code


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n: int) -> None:
        pass


def _read(path: str) -> bytes:
    from .errors import UsageError

    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        _fail(UsageError(f"{path}: 找不到這個檔案。 (no such file)"))
    except OSError as exc:
        _fail(UsageError(f"{path}: 無法讀取：{exc.strerror}。 (cannot read)"))


if __name__ == "__main__":
    main()
