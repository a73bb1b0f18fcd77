"""Reader for text (.txt) copied out of a PDF or a web page.

Residue of the extraction is dropped here (tags, Markdown marks, list dashes, page numbers); rows
separated by tabs or pipes are gathered into tables, and a table header repeated after a page break
is dropped. Everything else is a line of text for the recogniser.
"""
from __future__ import annotations

import re

from . import Block
from .markdown import is_rule, pipe_cells, unmark

PAGE_NUMBER = re.compile(r"^\s*(?:[-－—]\s*\d+\s*[-－—]|第\s*\d+\s*頁(?:\s*[，,]?\s*共\s*\d+\s*頁)?|\d+\s*/\s*\d+|\d+)\s*$")


def read(text: str) -> list[Block]:
    blocks: list[Block] = []
    header: list[str] | None = None
    for raw in text.replace("\r\n", "\n").replace("\f", "\n").split("\n"):
        if is_rule(raw):
            continue
        piped = pipe_cells(raw)
        if piped is not None or ("\t" in raw and raw.strip()):
            cells = [clean_line(c) for c in (piped if piped is not None else raw.split("\t"))]
            if header is None or (blocks and blocks[-1].table is None):
                header = cells
                blocks.append(Block(table=[cells]))
            elif cells != header:  # (the header again, after a page break, is dropped)
                filled = next((i for i, c in enumerate(cells) if c), len(cells))
                # A flattened row leaves the cells that the row above spans empty in front.
                blocks[-1].table.append([None] * filled + cells[filled:])
            continue
        if PAGE_NUMBER.match(re.sub(r"<[^>]+>", "", raw)):
            continue  # checked before list dashes are removed: 「- 2 -」 is a page number, not an item
        line = clean_line(raw)
        if not line or PAGE_NUMBER.match(line):
            continue
        if line == (header and "".join(header)):
            continue
        if blocks and blocks[-1].table is not None and header and _flattened_header(line, header):
            continue
        blocks.append(Block(text=line))
    return blocks


def _flattened_header(line: str, header: list[str]) -> bool:
    return re.sub(r"\s", "", line) == "".join(re.sub(r"\s", "", h) for h in header)


def clean_line(line: str) -> str:
    """One line without tags, Markdown marks or a list dash; spaces collapsed."""
    line = unmark(re.sub(r"<[^>]+>", "", line))
    line = line.replace("\u3000", " ").strip()
    return re.sub(r"\s{2,}", " ", line)
