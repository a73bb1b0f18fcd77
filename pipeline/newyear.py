"""`plan new`: next year's draft from the latest earlier plan of the same agency.

The earlier file's text is edited, not regenerated, so its comments, order and wording stay. Moved on
by the gap between the years: `year`, the period's dates, and mentions of the plan's own year in text
(「103 年度」, 103-01-01). Left alone: the documents the plan is based on (their dates, numbers and titles are another body's). Cleared: what
belongs to one year only, the issuance date and number (`issued`). The result is loaded and checked
before it is written.
"""
from __future__ import annotations

import re
from pathlib import Path

from .errors import UsageError
from .files import inside, outside_message, write_atomic
from .loader import load_plan
from .rocdate import RocDate


def latest_earlier(agency: str, year: int, plans_dir: str = "plans") -> Path:
    folder = Path(plans_dir) / agency
    years = sorted(int(p.stem) for p in folder.glob("*.yaml") if p.stem.isdigit() and int(p.stem) < year)
    if not years:
        raise UsageError(f"{folder}: 沒有 {year} 年以前的計畫可以沿用；請先用 plan import 匯入或手寫一份。"
                         " (no earlier plan of this agency)")
    return folder / f"{years[-1]}.yaml"


def roll_text(text: str, old: int, new: int) -> str:
    """Mentions of the plan's own year: 「103 年」「103年度」 and dates 103-01-01, 103/1/1, 103.1.1."""
    pattern = re.compile(rf"(?<![\d.]){old}(?=\s*年|[-/.]\d{{1,2}}[-/.]\d{{1,2}})")
    return pattern.sub(str(new), text)


def draft(source: Path, year: int) -> str:
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
        lines = _without_top_level_block(lines, "issued", "# issued: 核定後再填寫核定日期（date）與文號（number）\n")
    header = (f"# 由 plan new 依 {source.name} 產生的 {year} 年度草稿：年度、期程與文中的本年度年份已順延，"
              "核定日期與文號已清除；請檢查後再核定。\n")
    text = header + "".join(lines)
    load_plan(f"{source.parent / f'{year}.yaml'}", text.encode("utf-8"))  # what is written must load
    return text


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


def new_plan(agency: str, year: int, plans_dir: str = "plans", force: bool = False) -> tuple[Path, Path]:
    target = Path(plans_dir) / agency / f"{year}.yaml"
    if target.exists() and not force:
        raise UsageError(f"{target}: 已經存在，不會覆蓋；要重新產生請加 --force。 (plan exists; use --force)")
    source = latest_earlier(agency, year, plans_dir)
    if not inside(plans_dir, str(source)):
        raise UsageError(outside_message(str(source), plans_dir))
    write_atomic(str(target), draft(source, year).encode("utf-8"))
    return source, target
