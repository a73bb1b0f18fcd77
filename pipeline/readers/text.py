"""Reader for text (.txt) copied out of a PDF or a web page; the .docx reader passes its paragraphs here too.

Residue of the extraction is dropped (see residue.py); rows separated by tabs or pipes are gathered
into tables, and a table header repeated after a page break is dropped; box-drawing lines (flow
charts) are kept together as one preformatted block; a line that had a list bullet but no label is
marked, so the recogniser can number it. Everything else is a line of text for the recogniser.
"""
from __future__ import annotations

import re

from ..numbering import reading_patterns
from . import Block
from .markdown import is_rule, pipe_cells
from .residue import PAGE_NUMBER, bulleted, clean_line, is_box_drawing, is_chrome, is_contents

LABEL_START = re.compile("(?:" + "|".join(p for _, p in reading_patterns()) + ")")
ARTICLE_NUMBER = re.compile(r"^\s*\d{1,3}\s+(?=\S)")   # 「1 一、…」: a regulations site's point number


def read(text: str) -> list[Block]:
    lines = text.replace("\r\n", "\n").replace("\f", "\n").split("\n")
    blocks = blocks_from_lines(lines)
    _mark_alone(blocks, lines)
    return blocks


def indent_of(raw: str) -> int:
    """The columns of white space a line starts with: a full-width space two, a tab four."""
    lead = raw[:len(raw) - len(raw.lstrip())]
    return sum(2 if c == "\u3000" else 4 if c == "\t" else 1 for c in lead)


def _mark_alone(blocks: list[Block], lines: list[str]) -> None:
    """Marks the lines a blank line comes before and after (a web page's paragraphs: 「民政課」 above
    the paragraph of its duties), so that rejoining never takes a short one for a wrapped line."""
    alone = {line.strip() for before, line, after in zip([""] + lines, lines, lines[1:] + [""])
             if line.strip() and not before.strip() and not after.strip()}
    for block in blocks:
        block.alone = block.table is None and block.text in alone


def blocks_from_lines(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    header: list[str] | None = None
    for raw in space_aligned(lines):
        if isinstance(raw, Block):
            blocks.append(raw)
            header = None
            continue
        raw = _label_tab(raw.rstrip())
        if is_box_drawing(raw):
            if blocks and blocks[-1].role == "pre":
                blocks[-1].text += "\n" + raw.strip("\u3000 ")
            else:
                blocks.append(Block(text=raw.strip("\u3000 "), role="pre"))
            continue
        if is_rule(raw):
            continue
        cells = _row_cells(raw)
        if cells is not None and sum(1 for c in cells if c) <= 1 and not (blocks and blocks[-1].table is not None):
            cells = None   # tabs that only indent one text (「\t（一）\t縮短…」) start no table
        if cells is not None:
            if header is None or (blocks and blocks[-1].table is None):
                header = cells
                blocks.append(Block(table=[cells]))
            elif _trimmed(cells) != _trimmed(header):  # the header again, after a page break, is dropped
                filled = next((i for i, c in enumerate(cells) if c), len(cells))
                # A flattened row leaves the cells that the row above spans empty in front.
                blocks[-1].table.append([None] * filled + cells[filled:])
            continue
        if PAGE_NUMBER.match(re.sub(r"<[^>]+>", "", raw)):
            continue  # checked before list dashes are removed: 「- 2 -」 is a page number, not an item
        had_bullet = bulleted(raw)
        line = clean_line(ARTICLE_NUMBER.sub("", raw) if _numbered_point(raw) else raw)
        if not line or PAGE_NUMBER.match(line) or is_chrome(line) or is_contents(line):
            continue
        if line == (header and "".join(header)):
            continue
        if blocks and blocks[-1].table is not None and header and _flattened_header(line, header):
            continue
        role = "bullet" if had_bullet and not LABEL_START.match(line) else ""
        blocks.append(Block(text=line, role=role, indent=indent_of(raw)))
    return blocks


def _trimmed(cells: list[str]) -> list[str]:
    """A row without the empty cells an extra tab leaves at its end."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


SPACED = re.compile(r"\s{2,}|\t")
CONTINUES = re.compile(r"[^。；;：:！!？?」』）)]$")


def space_aligned(lines: list[str]) -> list:
    """A table laid out with spaces — at least three lines with the same number of fields two or
    more spaces apart, under a header of short column names — as a table Block; other lines as they are.
    A line whose every field continues its column's unfinished sentence is the row above, wrapped."""
    out: list = []
    i = 0
    while i < len(lines):
        fields = _fields(lines[i])
        run = i + 1
        while run < len(lines) and len(fields) >= 2 and len(_fields(lines[run])) == len(fields):
            run += 1
        if len(fields) >= 2 and run - i >= 3 and all(len(f) <= 12 and not re.search(r"[，,。；;]", f) for f in fields):
            out.append(Block(table=[[clean_line(f) for f in fields]] + _merged(lines[i + 1:run])))
            i = run
        else:
            out.append(lines[i])
            i += 1
    return out


def _merged(lines: list[str]) -> list[list[str]]:
    """The rows of a space-aligned table; a line is the row above wrapped when every field continues
    its column's unfinished sentence and the row above filled its columns (a short cell such as
    「晨讀十分鐘」 in a column of longer ones ended there, and so did its row)."""
    rows = [[clean_line(f) for f in _fields(line)] for line in lines]
    widest = [max(_width(row[c]) for row in rows) for c in range(len(rows[0]))] if rows else []
    merged: list[list[str]] = []
    for k, fields in enumerate(rows):
        filled = k > 0 and all(_width(cell) >= 0.8 * widest[c] for c, cell in enumerate(rows[k - 1][:-1]))
        if merged and filled and all(CONTINUES.search(cell) and not LABEL_START.match(f)
                                     for cell, f in zip(merged[-1], fields)):
            merged[-1] = [cell + f for cell, f in zip(merged[-1], fields)]
        else:
            merged.append(fields)
    return merged


def _width(text: str) -> int:
    """Columns a text takes in a monospaced layout: two for a wide (Chinese) character."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fields(line) -> list[str]:
    if not isinstance(line, str):
        return []
    text = line.strip()
    if not text or "\t" in text or is_box_drawing(text) or "|" in text:
        return [text] if text else []
    return [f for f in SPACED.split(text) if f]


def _label_tab(raw: str) -> str:
    """「一、<tab>文字」: the tab after a label (Word's hanging indent) separates nothing."""
    match = LABEL_START.match(raw.lstrip())
    if match and raw.lstrip()[match.end():match.end() + 1] == "\t":
        start = len(raw) - len(raw.lstrip()) + match.end()
        return raw[:start] + raw[start + 1:]
    return raw


def _numbered_point(raw: str) -> bool:
    rest = ARTICLE_NUMBER.sub("", raw, count=1)
    return rest != raw and bool(LABEL_START.match(rest)) and not LABEL_START.match(raw.strip())


def _row_cells(raw: str) -> list[str] | None:
    """The cells of a table row: tab-separated, or a pipe row (with or without its outer pipes)."""
    piped = pipe_cells(raw)
    if piped is None and raw.count("|") >= 2 and (raw.strip().endswith("|") or raw.strip().startswith("|")):
        inner = raw.strip().strip("|")
        piped = inner.split("|") if "|" in inner else None
    if piped is not None:
        return [clean_line(c) for c in piped]
    if "\t" in raw and raw.strip():
        return [clean_line(c) for c in raw.split("\t")]
    return None


def _flattened_header(line: str, header: list[str]) -> bool:
    return re.sub(r"\s", "", line) == "".join(re.sub(r"\s", "", h) for h in header)
