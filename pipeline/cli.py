"""The `plan` command line: parses arguments, calls one stage, prints problems.

Each command imports only what it needs, so a command starts about as fast as Python does.
Problems are printed one per line as FILE:LINE:COL: field: message; no traceback reaches the user.
Standard output carries only what a command produces (the review as text or JSON, the schema, an
imported plan, the version); problems, progress and what was written go to standard error.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager

import click

from .cliwords import PlanGroup
from .errors import PlanError, PlanProblems, printable


STDIN = "-"  # as an input: read standard input; as -o: write to standard output (as pandoc does)


def _fail(error: PlanError) -> None:
    click.echo(printable(str(error), keep_newlines=True), err=True)
    sys.exit(error.exit_code)


class _Commands(PlanGroup):
    """The command group; the one place where errors become a message and an exit code."""

    def invoke(self, ctx):
        from .entry import guarded

        sys.exit(guarded(lambda: super(_Commands, self).invoke(ctx)))


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pipeline", prog_name="plan", message="%(prog)s %(version)s",
                      help="顯示版本後結束。 Show the version and exit.")
def main() -> None:
    """計畫檔（YAML）的檢查、輸出與年度比較。 Annual plans: validate, build, compare."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--strict", is_flag=True, help="把寫作慣例的警告也當成錯誤。 Treat warnings as errors.")
def validate(files: tuple[str, ...], strict: bool) -> None:
    """檢查計畫檔（或資料夾裡的每一份計畫）；有錯誤時每個問題一行，結束代碼 1。"""
    from .conventions import convention_warnings
    from .loader import load_plan

    files = _plans_in(files)
    failed: list[str] = []
    warned = 0
    for path in files:
        try:
            plan = load_plan(_name(path), _read(path))
        except PlanProblems as problems:
            click.echo(str(problems), err=True)
            failed.append(path)
            continue
        warnings = convention_warnings(plan)
        for warning in warnings:
            click.echo(str(warning), err=True)
        warned += len(warnings)
        if warnings and strict:
            failed.append(path)
    if failed:
        sys.exit(1)  # the problems above, one line each, are the whole answer
    click.echo(_validation_summary(len(files), warned), err=True)


def _plans_in(paths: tuple[str, ...]) -> list[str]:
    """Each file as given; a folder as every <agency>/<year>.yaml in it (as `plan build` takes one)."""
    import os

    from .build import left_out_notice, plan_files
    from .errors import UsageError

    found: list[str] = []
    for path in paths:
        if path != STDIN and os.path.isdir(path):
            left_out: list[str] = []
            inside_folder = [plan for plan, _ in plan_files(path, left_out)]
            for other in left_out:
                click.echo(left_out_notice(other), err=True)
            if not inside_folder:
                raise UsageError(f"{path}: 這個資料夾裡沒有計畫檔（<機關>/<年度>.yaml）。 (no plans in folder)")
            found += inside_folder
        else:
            found.append(path)
    return found


def _validation_summary(checked: int, warned: int) -> str:
    plans = f"{checked} 份計畫" if checked > 1 else "計畫"
    if warned:
        return f"{plans}{'皆' if checked > 1 else ''}沒有錯誤，但有 {warned} 個寫作慣例的警告。 (valid, {warned} warnings)"
    return f"{plans}{'皆' if checked > 1 else ''}無問題。 (all {checked} valid)"


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
            plan = load_plan(_name(path), data)
        except PlanProblems as problems:
            click.echo(str(problems), err=True)
            failed = True
            continue
        text = data.decode("utf-8-sig")
        fixed = fix_source(text, plan)
        if path == STDIN and not check:
            click.echo(fixed, nl=False)
            continue
        if fixed == text:
            continue
        changed = True
        if check:
            click.echo(f"{path}: 需要整理 (would reformat)", err=True)
        else:
            write_atomic(path, fixed.encode("utf-8"))
            click.echo(f"已整理 reformatted {path}", err=True)
    sys.exit(1 if failed or (check and changed) else 0)


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="寫到檔案（預設印出）")
def schema(output: str | None) -> None:
    """印出計畫格式的 JSON Schema，供編輯器即時檢查與自動完成。"""
    import json

    from .model import Plan
    from .schema import json_schema

    text = json.dumps(json_schema(Plan, "年度計畫 plan"), ensure_ascii=False, indent=2) + "\n"
    if output and output != STDIN:
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
    from .entry import build as build_plans
    from .writers import FORMATS

    chosen = _formats(formats, FORMATS)
    if STDIN in paths or out == STDIN:
        sys.exit(_build_stream(paths, out, chosen))
    sys.exit(build_plans(list(paths), out, chosen, workers, force))


def _build_stream(paths: tuple[str, ...], out: str | None, formats: tuple[str, ...]) -> int:
    """`plan build - ...` reads the plan from standard input; `-o -` writes one format to standard output."""
    import os
    import tempfile

    from .build import Job, run_job
    from .errors import UsageError

    if len(paths) != 1:
        raise UsageError("讀標準輸入（-）時只能給一份計畫。 (- must be the only input)")
    if out == STDIN and len(formats) != 1:
        raise UsageError("輸出到標準輸出（-o -）時只能選一種格式，例如 --format html。 (-o - needs one format)")
    data = _read(paths[0]) if paths[0] == STDIN else None
    with tempfile.TemporaryDirectory(prefix="plan-build-") as work:
        folder = work if out == STDIN else (out or "build")
        outcome = run_job(Job(_name(paths[0]), folder, formats, None, True, data))
        if outcome.error:
            click.echo(printable(outcome.error, keep_newlines=True), err=True)
            return outcome.exit_code
        if out == STDIN:
            with open(os.path.join(work, f"plan.{formats[0]}"), "rb") as handle:
                sys.stdout.buffer.write(handle.read())
            sys.stdout.flush()
        else:
            for path in outcome.written:
                click.echo(f"已寫入 wrote {path}", err=True)
    return 0


@main.command(name="make")
@click.argument("agency")
@click.argument("year")
@click.option("-o", "--output", "out", default="build", show_default=True, help="輸出資料夾。 Output folder.")
def make_plan(agency: str, year: str, out: str) -> None:
    """`make plan AGENCY= YEAR=` 所執行的：build/<機關>/<年度>/ 下的 plan.docx、plan.html，
    有前一年計畫時再加 diff.html、diff.docx（修正對照表）、diff.json 與 diff.tracked.docx。"""
    from .entry import make_plan as make

    sys.exit(make(agency, year, out))


@main.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--format", "formats", default="text", show_default=True,
              help="text,html,json,docx,odt,pdf（修正對照表）,tracked,tracked-odt,tracked-html,tracked-pdf"
                   "（含修訂標記的新計畫；可多選）。 Formats.")
@click.option("-o", "--output", "out", help="輸出檔；多種格式時作為檔名主幹。 Output file (a stem when several).")
@click.option("--exit-code", is_flag=True,
              help="有差異時結束代碼為 1（同 git diff --exit-code）。 Exit 1 when the plans differ.")
@click.option("--fold-years", is_flag=True,
              help="修正對照表把只更新年度的各點併成一列。 One row for all year-only changes in the 修正對照表.")
def diff(old: str, new: str, formats: str, out: str | None, exit_code: bool, fold_years: bool) -> None:
    """比較兩份計畫（通常是去年與今年）：新增、刪除、修改、移動與年度更新。"""
    from .review import FORMATS, for_terminal
    from .review import write as write_review

    chosen = _formats(formats, FORMATS)
    with _collector_off():
        review = _review(old, new)

    def write(review, fmt, target):
        write_review(review, fmt, target, {"fold_years": fold_years})

    if out == STDIN and len(chosen) != 1:
        from .errors import UsageError

        raise UsageError("輸出到標準輸出（-o -）時只能選一種格式。 (-o - needs one format)")
    for fmt in chosen:
        if out == STDIN and fmt not in ("text", "json"):
            _write_to_stdout(lambda target: write(review, fmt, target), fmt)
            continue
        if out in (None, STDIN) and fmt in ("text", "json"):
            click.echo(for_terminal(review, fmt, sys.stdout.isatty()), nl=False)
            continue
        target = _target(out, fmt, len(chosen) > 1)
        write(review, fmt, target)
        click.echo(f"已寫入 wrote {target}", err=True)
    if exit_code and review.changes:
        sys.exit(1)


@contextmanager
def _collector_off():
    """Reading two plans makes hundreds of thousands of objects that refer to one another only as a
    tree, so the cycle collector finds nothing while the objects it scans again and again pile up:
    off while the plans are read and compared (as in a single build), on again afterwards. What was
    made meanwhile is frozen first, or the collector's next run, and the one at exit, would scan it
    all once more, again for nothing."""
    import gc

    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_on:
            gc.enable()


def _review(old: str, new: str):
    from .diff import compare
    from .loader import load_plan
    from .tree import build_document

    plans = []
    for path in (old, new):
        try:
            plans.append(load_plan(_name(path), _read(path)))
        except PlanProblems as problems:
            _fail(problems)
    from .entry import pair_notes

    for note in pair_notes(*plans, old, new):
        click.echo(note, err=True)
    return compare(build_document(plans[0]), build_document(plans[1]), old, new)


def _write_to_stdout(write_to, suffix: str) -> None:
    """Run a writer into a temporary file and copy its bytes to standard output."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="plan-out-") as work:
        target = f"{work}/out.{suffix}"
        write_to(target)
        with open(target, "rb") as handle:
            sys.stdout.buffer.write(handle.read())
        sys.stdout.flush()


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
    from .rocdate import not_a_year, plan_year

    if not SLUG.match(agency):
        raise UsageError(f"機關代號「{agency}」只能用小寫英文字母、數字與連字號。 (AGENCY must be a slug)")
    if not plan_year(year):  # None, or year 0
        raise UsageError(not_a_year(year, 104))
    source, target, checks = new_plan(agency, int(year), force=force)
    click.echo(f"已寫入 wrote {target}（依 {source}）", err=True)
    if checks:
        click.echo(f"請確認以下 {len(checks)} 處（檔案開頭也以「# 請確認:」列出）：", err=True)
        for check in checks:
            click.echo(f"  {target}: {check}", err=True)


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

    from .build import left_out_notice

    code, left_out = 0, []
    for result in build_site(plans_dir, out, base_url, fragment, workers or os.cpu_count() or 1, left_out):
        for note in result.notes:
            click.echo(note, err=True)
        if result.error:
            click.echo(printable(result.error, keep_newlines=True), err=True)
            code = 1
        elif result.withdrawn:
            click.echo(f"已移除 removed {out}/{result.agency}/{result.year}/（計畫檔已不在 {plans_dir}/ 裡）", err=True)
        elif result.unchanged:
            click.echo(f"未變更 unchanged {out}/{result.agency}/{result.year}/", err=True)
        else:
            click.echo(f"已寫入 wrote {out}/{result.agency}/{result.year}/", err=True)
    for path in left_out:
        click.echo(left_out_notice(path), err=True)
    click.echo(f"網站 site: {out}/index.html", err=True)
    sys.exit(code)


@main.command()
@click.argument("agency", required=False)
@click.argument("year", required=False)
@click.option("--plans", "plans_dir", default="plans", show_default=True, help="計畫檔所在資料夾。 Plans folder.")
@click.option("-p", "--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="連接埠；0 表示自動選一個空的。 Port (0: any free one).")
@click.option("--open", "open_browser", is_flag=True, help="啟動後開啟瀏覽器。 Open the browser.")
def serve(agency: str | None, year: str | None, plans_dir: str, port: int, open_browser: bool) -> None:
    """即時預覽：存檔後瀏覽器自動更新計畫網頁、年度比較與 DOCX 版面（只限本機）。
    未指定年度時用該機關最新的計畫；都未指定時用最近修改的計畫。"""
    from .serve import choose_plan, start, stop

    agency, path, previous = choose_plan(plans_dir, agency, year)
    try:
        server, preview, threads = start(path, previous, agency, port)
    except OSError as exc:
        from .errors import UsageError

        _fail(UsageError(f"無法在連接埠 {port} 啟動預覽：{exc.strerror}；請用 --port 換一個。 (cannot listen)"))
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    click.echo(f"預覽 preview: {url}  （{path}；按 Ctrl+C 結束 press Ctrl+C to stop）", err=True)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # Ctrl+C, or SIGTERM (the command group makes it one)
        pass
    finally:
        click.echo("預覽結束 stopping…", err=True)
        stop(server, preview, threads)


@main.command(name="import")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), help="寫成 YAML 檔（預設印出）。")
@click.option("--report", is_flag=True, help="列出辨識到的結構，以及保留為一般文字的部分。")
@click.option("--year", type=click.IntRange(1, 999), help="計畫年度（民國年），原文沒有寫年度時指定。 ROC year, when the text has none.")
@click.option("--force", is_flag=True, help="覆蓋已存在的輸出檔。 Overwrite an existing file.")
def import_plan(source: str, out: str | None, report: bool, year: int | None, force: bool) -> None:
    """由既有的計畫（.docx、.odt、.pdf，或由網頁取出的 .txt／.md）產生計畫 YAML。"""
    from .importer import import_file, to_yaml_with_notes
    from .loader import load_plan

    import os

    from .errors import UsageError

    out = None if out == STDIN else out
    if out and os.path.lexists(out) and not force:
        raise UsageError(f"{out}: 已經存在，不會覆蓋；要取代它請加 --force。 (file exists; use --force)")
    imported = import_file(source, year, _read(source) if source == STDIN else None)
    text = to_yaml_with_notes(imported, _name(source))
    load_plan(out or "imported.yaml", text.encode("utf-8"))  # what is written must load
    if report:
        for line in imported.report:
            click.echo(f"辨識 recognised: {line}", err=True)
        for key, note in imported.guesses.items():
            click.echo(f"請確認 check: {key}: {note}", err=True)
        for note in imported.left_out:
            click.echo(f"請確認 check: {note}", err=True)
    if out:
        from .files import write_atomic

        write_atomic(out, text.encode("utf-8"))
        click.echo(f"已寫入 wrote {out}", err=True)
    else:
        click.echo(text, nl=False)


def _report(outcomes, total: int) -> int:
    from .entry import report

    return report(outcomes, total)


def _name(path: str) -> str:
    """How an input is named in messages: standard input is <stdin>."""
    return "<stdin>" if path == STDIN else path


def _read(path: str) -> bytes:
    from .errors import UsageError

    if path == STDIN:
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        _fail(UsageError(f"{path}: 找不到這個檔案。 (no such file)"))
    except OSError as exc:
        _fail(UsageError(f"{path}: 無法讀取：{exc.strerror}。 (cannot read)"))


if __name__ == "__main__":
    main()
