"""The command line's own words in Traditional Chinese first: click's usage errors and help headings.

Click writes its messages in English; `PlanGroup` (the `plan` command) catches its usage errors and
prints them translated, with the English alongside, and exit code 2 as click does.
"""
from __future__ import annotations

import re
import sys

import click

# click's usage messages (format_message()), most specific first; groups are quoted as they come.
USAGE_MESSAGES = [
    (r"No such command '(.+?)'\.(?: Did you mean '(.+?)'\?)?$", "沒有「{0}」這個指令"),
    (r"No such option:? '?([^'\s]+?)'?\.?(?: \(?Did you mean(?: one of:)? (.+?)\??\)?)?$", "沒有「{0}」這個選項"),
    (r"Missing argument '(.+?)'\.?", "缺少參數 {0}"),
    (r"Missing option '(.+?)'\.?", "缺少選項 {0}"),
    (r"Missing command\.?", "缺少指令（例如 plan build）"),
    (r"Got unexpected extra arguments? \((.+)\)", "多了參數：{0}"),
    (r"Option '(.+?)' does not take a value\.?", "選項 {0} 不接受值"),
    (r"Option '(.+?)' requires (?:an argument|\d+ arguments)\.?", "選項 {0} 後面要接一個值"),
    (r"Invalid value for (.+?): (.*)$", "{0} 的值不正確：{1}"),
    (r"Invalid value: (.*)$", "{0}"),
]

VALUE_MESSAGES = [
    (r"(.+) is not in the range (.+?)\.?$", "{0} 不在允許的範圍（{1}）內"),
    (r"'(.+)' is not a valid (?:integer|integer range|float)\.?$", "「{0}」不是數字"),
    (r"(?:File|Path|Directory) '(.+)' does not exist\.?$", "找不到「{0}」"),
    (r"(?:File|Path) '(.+)' is a directory\.?$", "「{0}」是資料夾，這裡要的是檔案"),
    (r"Directory '(.+)' is a file\.?$", "「{0}」是檔案，這裡要的是資料夾"),
    (r"'(.+)' is not one of (.+?)\.?$", "「{0}」不是可用的選項；可用：{1}"),
    (r"'(.+)' is not a valid boolean\.?$", "「{0}」不是 是／否"),
]

QUOTED = re.compile(r"'([^']*)'")
HEADINGS = {"Options": "選項 Options", "Commands": "指令 Commands", "Arguments": "參數 Arguments"}


def _apply(table, english: str) -> str | None:
    for pattern, chinese in table:
        match = re.match(pattern, english.strip())
        if match:
            return chinese.format(*(group or "" for group in match.groups()))
    return None


def usage_message(error: click.UsageError) -> str:
    """The usage error in Chinese: what was wrong, what to type, and click's English after."""
    english = error.format_message()
    chinese = _apply(USAGE_MESSAGES, english)
    if chinese and "的值不正確：" in chinese:
        head, _, value = chinese.partition("的值不正確：")
        head = QUOTED.sub(r"「\1」", head).replace(" / ", "／") or "值"
        chinese = f"{head}的值不正確：{_apply(VALUE_MESSAGES, value) or value}"
    suggestion = re.search(r"Did you mean(?: one of:)? (.+?)\??\)?$", english)
    if chinese and suggestion:
        named = QUOTED.sub(r"「\1」", suggestion.group(1)).replace(", ", "、")
        chinese += f"；是不是要打{named}？"
    lines = []
    if error.ctx is not None:
        lines.append(error.ctx.get_usage())
    help_hint = f"請執行「{error.ctx.command_path} --help」查看說明。" if error.ctx is not None else ""
    sentence = chinese or english
    stop = "" if chinese is None or chinese.endswith(("？", "。")) else "。"
    lines.append(f"錯誤：{sentence}{stop}{help_hint}")
    lines.append(f"(Error: {english})")
    return "\n".join(lines)


class ChineseHelpFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法 Usage: " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(HEADINGS.get(heading, heading))


class ChineseContext(click.Context):
    formatter_class = ChineseHelpFormatter


def _in_chinese(help_option):
    if help_option is not None:
        help_option.help = "顯示說明後結束。 Show this message and exit."
    return help_option


class PlanCommand(click.Command):
    context_class = ChineseContext

    def get_help_option(self, ctx):
        return _in_chinese(super().get_help_option(ctx))


class PlanGroup(click.Group):
    """The `plan` command: subcommands get the Chinese help; usage errors are printed in Chinese."""

    context_class = ChineseContext
    command_class = PlanCommand

    def get_help_option(self, ctx):
        return _in_chinese(super().get_help_option(ctx))

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as error:
            click.echo(usage_message(error), err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("已中止。 (Aborted)", err=True)
            sys.exit(1)
        except click.ClickException as error:
            click.echo(f"錯誤：{error.format_message()}", err=True)
            sys.exit(error.exit_code)
