"""`plan new`: next year's draft from the latest earlier plan of the same agency.

The earlier file's text is edited, not regenerated, so its comments, order and wording stay. Moved on
by the gap between the years: `year`, the period's dates, and mentions of the plan's own year in text
(「103 年度」, 103-01-01). Left alone: the documents the plan is based on (their dates, numbers and titles are another body's). Cleared: what
belongs to one year only, the issuance date and number (`issued`). The result is loaded and checked
before it is written.

The draft starts with one comment saying where it came from (an earlier draft's is replaced, not
stacked), then a `# 請確認:` line for each thing the officer should look at: the documents of earlier
years it is based on, years and document numbers in the text that were not moved, the cleared
issuance block. The same list is returned for the terminal.
"""
from __future__ import annotations

import re
from pathlib import Path

from .errors import UsageError
from .files import inside, outside_message, write_atomic
from .loader import load_plan
from .rocdate import RocDate, plan_year


def latest_earlier(agency: str, year: int, plans_dir: str = "plans") -> Path:
    folder = Path(plans_dir) / agency
    years = sorted(y for y in (plan_year(p.stem) for p in folder.glob("*.yaml")) if y is not None and y < year)
    if not years:
        raise UsageError(f"{folder}: 沒有 {year} 年以前的計畫可以沿用；請先用 plan import 匯入或手寫一份。"
                         " (no earlier plan of this agency)")
    return folder / f"{years[-1]}.yaml"


def roll_text(text: str, old: int, new: int) -> str:
    """Mentions of the plan's own year: 「103 年」「103年度」 and dates 103-01-01, 103/1/1, 103.1.1."""
    pattern = re.compile(rf"(?<![\d.]){old}(?=\s*年|[-/.]\d{{1,2}}[-/.]\d{{1,2}})")
    return pattern.sub(str(new), text)


def draft(source: Path, year: int) -> tuple[str, list[str]]:
    """The draft's text, and what the officer should check in it (also written as `# 請確認:` lines)."""
    data = source.read_bytes()
    plan = load_plan(str(source), data)
    lines = data.decode("utf-8-sig").splitlines(keepends=True)
    keep_as_is = set()  # lines whose years are not the plan's own: the documents it is based on
    if plan.basis:
        for ref in plan.basis.references:
            keep_as_is.update(where.line - 1 for where in ref.at.values())
    if plan.period:
        for name in ("start", "end"):
            where = plan.period.at[name]
            date: RocDate = getattr(plan.period, name)
            lines[where.line - 1] = _replace_scalar(lines[where.line - 1], where.col - 1,
                                                    date.shifted(year - plan.year).short)
            keep_as_is.add(where.line - 1)
    where = plan.at["year"]
    lines[where.line - 1] = _replace_scalar(lines[where.line - 1], where.col - 1, str(year))
    keep_as_is.add(where.line - 1)
    for number, line in enumerate(lines):
        if number not in keep_as_is:
            lines[number] = roll_text(line, plan.year, year)
    if plan.issued is not None:
        lines = _without_top_level_block(lines, "issued", _issued_placeholder(plan.issued))
    body = "".join(_without_earlier_header(lines))
    target = f"{source.parent / f'{year}.yaml'}"
    checks = to_check(load_plan(target, body.encode("utf-8")), body, year, cleared_issued=plan.issued is not None)
    header = [f"# 由 plan new 依 {source.name} 產生的 {year} 年度草稿：年度、期程與文中的本年度年份已順延，"
              "核定日期與文號已清除；請檢查後再核定。\n"]
    offset = len(header) + len(checks)
    notes = [_at_line(line + offset if line else 0, note) for line, note in checks]  # 0: no line to name
    header += [f"# 請確認: {note}\n" for note in notes]
    text = "".join(header) + body
    load_plan(target, text.encode("utf-8"))  # what is written must load
    return text, notes


HEADER_LINES = re.compile(r"^# (由 plan new 依 |請確認: )")
OTHER_YEAR = re.compile(r"(?<![\d.])(\d{2,3})(?=\s*年)")
DOCUMENT_NUMBER = re.compile(r"字第\s*(\d{3})\d*\s*號")


def _without_earlier_header(lines: list[str]) -> list[str]:
    """The file without the comment lines an earlier `plan new` put at its top."""
    start = 0
    while start < len(lines) and HEADER_LINES.match(lines[start]):
        start += 1
    return lines[start:]


def _at_line(line: int, note: str) -> str:
    return f"第 {line} 行：{note}" if line else note


def _issued_placeholder(issued) -> str:
    """The comment left where last year's `issued` was: what to fill in once approved, with last year's verb."""
    verb = f"、用語（verb，去年是「{issued.verb}」）" if issued.verb else ""
    return f"# issued: 核定後再填寫核定日期（date）、文號（number）{verb}\n"


def to_check(plan, body: str, year: int, cleared_issued: bool) -> list[tuple[int, str]]:
    """(line in the body, what to look at): what a year's move cannot decide for the officer."""
    lines = body.split("\n")
    checks: list[tuple[int, str]] = []
    basis_lines = set()
    if plan.basis:
        for ref in plan.basis.references:
            basis_lines.update(where.line for where in ref.at.values())
            if ref.date is not None and ref.date.year < year:
                named = f"「{ref.document}」" if ref.document else (ref.number or "")
                checks.append((ref.where.line, f"依據的文件{named}是 {ref.date.year} 年的{ref.issuer}文件；"
                                               "請確認仍然適用、沒有更新的版本。"))
    own = {plan.at["year"].line}
    if plan.period:
        own.update(where.line for where in plan.period.at.values())
    for number, line in enumerate(lines, start=1):
        if number in basis_lines or number in own or line.lstrip().startswith("#"):
            continue
        years = sorted({int(y) for y in OTHER_YEAR.findall(line) if 0 < year - int(y) <= 30})
        if years:
            named = "、".join(f"{y} 年" for y in years)
            checks.append((number, f"文中提到 {named}，沒有順延；請確認是否要改成 {year} 年前後的年份。"))
        for match in DOCUMENT_NUMBER.finditer(line):
            checks.append((number, f"文號「{match.group(0)}」是 {int(match.group(1))} 年的，沒有更改；請確認。"))
    issued_line = next((n for n, line in enumerate(lines, start=1) if line.startswith("# issued:")), 0)
    checks.append((issued_line, "核定日期與文號（issued）" + ("已清除" if cleared_issued else "尚未填寫")
                   + "；核定後再填寫。"))
    return sorted(checks)


def _replace_scalar(line: str, start: int, value: str) -> str:
    """Replace the plain scalar that starts at `start` (up to a comment, comma or bracket)."""
    match = re.compile(r"[^#,\]}\n]*?(?=\s*(?:#|,|\]|}|\n|$))").match(line, start)
    end = match.end() if match else len(line.rstrip("\n"))
    return line[:start] + value + line[end:]


def _without_top_level_block(lines: list[str], key: str, replacement: str) -> list[str]:
    out, skipping = [], False
    for line in lines:
        if re.match(rf"{key}\s*:", line):
            skipping = True
            out.append(replacement)
            continue
        if skipping and (line.startswith((" ", "\t")) or not line.strip()):
            continue
        skipping = False
        out.append(line)
    return out


def new_plan(agency: str, year: int, plans_dir: str = "plans", force: bool = False) -> tuple[Path, Path, list[str]]:
    target = Path(plans_dir) / agency / f"{year}.yaml"
    if target.exists() and not force:
        raise UsageError(f"{target}: 已經存在，不會覆蓋；要重新產生請加 --force。 (plan exists; use --force)")
    source = latest_earlier(agency, year, plans_dir)
    if not inside(plans_dir, str(source)):
        raise UsageError(outside_message(str(source), plans_dir))
    text, checks = draft(source, year)
    write_atomic(str(target), text.encode("utf-8"))
    return source, target, checks
