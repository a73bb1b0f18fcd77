"""Reader for Markdown (.md): a page saved or converted to Markdown.

Markdown is text with marks: headings (#), emphasis (** __), list dashes and pipe tables. This module
knows that syntax; text.py, which reads the same residue in text copied from web pages, uses it too.
"""
from __future__ import annotations

import re

from . import Block

PIPE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
PIPE_RULE = re.compile(r"^\s*\|[\s:|-]+\|\s*$")


HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
COMMENT = re.compile(r"<!--.*?-->", re.S)   # an HTML comment: the page shows nothing of it


def read(text: str) -> list[Block]:
    from . import text as text_reader
    from .residue import clean_line

    text = COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text.replace("\r\n", "\n"))
    lines = text.split("\n")
    headings = numbered_headings(lines)
    blocks = text_reader.read("\n".join(lines))
    if headings:
        labelled = {clean_line(line) for line in headings.values()}
        for block in blocks:
            if block.table is None and block.text in labelled:
                block.role = "heading"   # numbered here, from its level: the recogniser says so
    return blocks


def numbered_headings(lines: list[str]) -> dict[int, str]:
    """A page whose sections are Markdown headings without numbers (「## 計畫依據」): each heading line
    rewritten in `lines` with the label its level implies — the first level under the title 一、, the
    next （一） — so the recogniser sees the structure the page shows. {line number: new line}; nothing
    when a heading already has a label, or there are none."""
    from ..numbering import chinese_numeral
    from .text import LABEL_START

    found = [(i, len(m.group(1)), unmark(m.group(2)).strip()) for i, line in enumerate(lines)
             if (m := HEADING.match(line))]
    if not found or any(LABEL_START.match(title) for _, _, title in found):
        return {}
    levels = sorted({level for _, level, _ in found})
    if sum(1 for _, level, _ in found if level == levels[0]) == 1 and found[0][1] == levels[0]:
        levels = levels[1:]   # one heading above the rest, first: the title
    counts = [0, 0]
    rewritten: dict[int, str] = {}
    for i, level, title in found:
        if level not in levels[:2]:
            continue
        depth = levels.index(level)
        counts[depth] += 1
        if depth == 0:
            counts[1] = 0
        label = f"{chinese_numeral(counts[0])}、" if depth == 0 else f"（{chinese_numeral(counts[1])}）"
        lines[i] = rewritten[i] = label + title
    return rewritten


def pipe_cells(line: str) -> list[str] | None:
    """The cells of a pipe-table row, or None for any other line."""
    row = PIPE_ROW.match(line)
    return row.group(1).split("|") if row else None


def is_rule(line: str) -> bool:
    """The |---|---| line under a pipe table's header."""
    return bool(PIPE_RULE.match(line))


def unmark(line: str) -> str:
    """A line without its heading hashes, and its bold as plan text keeps it: a line bold throughout (a
    heading) loses the marks, bold inside it stays (emphasis.tidy_markdown; bullets: see residue.py)."""
    from .emphasis import tidy_markdown

    return tidy_markdown(re.sub(r"^\s*#{1,6}\s*", "", line))
