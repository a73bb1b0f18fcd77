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


def _read(path: str) -> bytes:
    from .errors import UsageError

    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        _fail(UsageError(f"{path}: 找不到這個檔案。 (no such file)"))
    except OSError as exc:
        _fail(UsageError(f"{path}: 無法讀取：{exc.strerror}。 (cannot read)"))
