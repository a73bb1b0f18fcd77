"""Reader for PDF files (.pdf), as agencies publish their plans: each page's lines in reading order and
its ruled tables as tables, read with pdfplumber (pdfminer.six).

A table that goes on over a page break is one table: the header row the next page repeats is left out,
and a cell merged down that the break cut (its part on the new page is drawn empty) stays merged.
Lines in a cell wrapped by the page are joined; a line that starts with a label (1. （一）) stays a line.
The text around the tables goes through the text reader's line handling like any text copied from a
PDF (page numbers, wrapped lines). A scanned PDF (no text in it), an encrypted or a damaged one is
refused with what to do.
"""
from __future__ import annotations

import io
import re
from collections import Counter
from typing import NamedTuple

from . import Block, NotAPlan, carriable
from .residue import PAGE_NUMBER

MAX_PAGES = 500  # a plan is tens of pages; a PDF longer than this is refused
SENTENCE_END = ("。", "！", "？", "!", "?")
TEXT_GAP = 1.5  # points between two characters that make a space (pdfplumber takes 3: 「60 分」 in a 12 pt table read 「60分」)


def read(path: str, data: bytes) -> list[Block]:
    pdf = _open(path, data)
    with pdf:
        if len(pdf.pages) > MAX_PAGES:
            raise NotAPlan(f"{path}: PDF 有 {len(pdf.pages)} 頁，超過 {MAX_PAGES} 頁，不像一份計畫。 (too many pages)")
        pages = [_page(page) for page in pdf.pages]
    blocks = _Reader(pages).blocks()
    if not any(b.text.strip() or b.table for b in blocks):
        raise NotAPlan(f"{path}: 這個 PDF 裡沒有文字（多半是掃描成圖片的檔案）；請用原始的 Word 或 ODT 檔匯入，"
                       "或先以文字辨識（OCR）轉成文字。 (no text in the PDF: a scan?)")
    return blocks


class Line(NamedTuple):
    """A line of text outside the tables: where it ends on the right, and its type size in points."""

    text: str
    right: float
    size: float


def _page(page) -> list[tuple]:
    """A page's lines and tables from top to bottom: ("line", Line) and ("table", rows)."""
    tables = page.find_tables()
    placed = [(t.bbox[1], 1, ("table", table_rows(t))) for t in tables]
    for line in page.extract_text_lines(x_tolerance=TEXT_GAP):
        if not any(_inside(line, t.bbox) for t in tables):
            sizes = sorted(ch["size"] for ch in line["chars"]) or [0]
            text = carriable(line["text"])
            placed.append((line["top"], 0, ("line", Line(text, line["x1"], sizes[len(sizes) // 2]))))
    return [item for _, _, item in sorted(placed, key=lambda p: (p[0], p[1]))]


def _open(path: str, data: bytes):
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pdf.pages  # noqa: B018 — reads the page tree: a damaged file fails here
        return pdf
    except Exception as exc:  # noqa: BLE001 — pdfminer raises many kinds on a damaged file
        if any(isinstance(reason, (PDFPasswordIncorrect, PDFEncryptionError)) for reason in (exc, *exc.args)):
            raise NotAPlan(f"{path}: 這個 PDF 有密碼保護；請用原始的 Word 或 ODT 檔匯入。"
                           " (password-protected PDF)") from None
        raise NotAPlan(f"{path}: 這個 PDF 已損毀，無法讀取；請重新下載，或用原始的 Word 或 ODT 檔匯入。"
                       " (damaged PDF)") from None


class _Reader:
    """The pages' lines and tables as blocks: title lines by their size, lines the page wrapped joined, a
    table going on over a page break kept whole, the rest through the text reader."""

    def __init__(self, pages: list[list[tuple]]):
        self.pages = pages
        lines = [item for page in pages for kind, item in page if kind == "line"]
        sizes = Counter(round(line.size) for line in lines for _ in line.text)
        self.body_size = sizes.most_common(1)[0][0] if sizes else 0
        self.right_edge = max((line.right for line in lines), default=0)
        cells = [cell for page in pages for kind, rows in page if kind == "table" for row in rows for cell in row if cell]
        self.spaced = spaced_habit([line.text for line in lines] + cells)
        self.out: list[Block] = []
        self.plain: list[str] = []
        self.open_table: Block | None = None  # the last table, while only page furniture has followed it
        self._wrapped = False  # the last line ran to the margin: the next one goes on from it

    def blocks(self) -> list[Block]:
        self._title_lines()
        for page in self.pages:
            self._wrapped = False  # a line at the foot of a page runs on only into a table
            for kind, item in page:
                if kind == "table":
                    self.table(item)
                else:
                    self.line(item)
        self._flush()
        return self.out

    def _title_lines(self) -> None:
        """Lines in a larger type than the body's at the top of the first page, before any label: the title.
        A first page with no label and no table is a cover: the text reader reads it as one."""
        from .text import LABEL_START

        first = self.pages[0] if self.pages else []
        if not any(kind == "table" or LABEL_START.match(item.text.strip()) for kind, item in first):
            return
        while first and first[0][0] == "line" and first[0][1].size >= self.body_size * 1.15 \
                and not LABEL_START.match(first[0][1].text.strip()):
            self.out.append(Block(text=first.pop(0)[1].text.strip(), role="title"))

    def _flush(self) -> None:
        from .text import blocks_from_lines

        self.out.extend(blocks_from_lines(self.plain))
        self.plain.clear()

    def line(self, line: Line) -> None:
        from .text import LABEL_START

        if PAGE_NUMBER.match(line.text):
            return  # page furniture: a table may go on after it
        if self.plain and self._wrapped and not LABEL_START.match(line.text.strip()):
            self.plain[-1] = joined(self.plain[-1], line.text.strip(), self.spaced)
        else:
            self.plain.append(line.text)
        # a line that ran to the margin, not at the end of a sentence, goes on in the next
        self._wrapped = (line.right >= self.right_edge - 1.5 * max(line.size, 1)
                         and not line.text.rstrip().endswith(SENTENCE_END))
        self.open_table = None

    def table(self, rows: list[list[str | None]]) -> None:
        self._wrapped = False
        rows = [[cell if cell is None else cell_text(cell, self.spaced) for cell in row] for row in rows]
        if not rows:
            return
        going_on = self.open_table
        if going_on is not None and len(rows[0]) == len(going_on.table[0]):
            if rows[0] == going_on.table[0]:
                rows = rows[1:]  # the header row, repeated on the new page
            if rows:  # a cell merged down, cut by the page break, is drawn empty at the top of the new page
                rows[0] = [None if cell == "" else cell for cell in rows[0]]
            going_on.table.extend(rows)
            return
        self._flush()
        self.open_table = Block(table=rows)
        self.out.append(self.open_table)


def joined(before: str, after: str, spaced: bool) -> str:
    """Two pieces of a line the page wrapped. No space between Chinese characters; between Latin words a
    space; between a Chinese character and a number or Latin word as the document writes them elsewhere
    (`spaced`: 「每年 12 月」), for the page drops the space it wrapped at."""
    from ..characters import is_cjk

    if not before or not after:
        return before + after
    left, right = is_cjk(before[-1]), is_cjk(after[0])
    if left and right:
        return before + after
    if left or right:
        latin = after[0] if left else before[-1]
        return f"{before} {after}" if spaced and latin.isascii() and latin.isalnum() else before + after
    return f"{before} {after}"


_SPACED = re.compile(r"[\u4e00-\u9fff] [0-9A-Za-z]|[0-9A-Za-z] [\u4e00-\u9fff]")
_CLOSE = re.compile(r"[\u4e00-\u9fff][0-9A-Za-z]|[0-9A-Za-z][\u4e00-\u9fff]")


def spaced_habit(texts: list[str]) -> bool:
    """Whether the document puts a space between Chinese characters and numbers or Latin words."""
    spaced = sum(len(_SPACED.findall(text)) for text in texts)
    return spaced > 0 and spaced >= sum(len(_CLOSE.findall(text)) for text in texts)


def _inside(line: dict, box: tuple) -> bool:
    middle = (line["top"] + line["bottom"]) / 2
    return box[1] <= middle <= box[3] and line["x0"] < box[2] and line["x1"] > box[0]


def table_rows(table) -> list[list[str | None]]:
    """The rows of a ruled table; a cell merged across columns leaves the columns it covers empty, one merged
    down leaves None in the rows below (as the Word reader gives them)."""
    rows = []
    for row, texts in zip(table.rows, table.extract(x_tolerance=TEXT_GAP)):
        cells: list[str | None] = []
        reach = None  # the right edge of the last cell, to tell a cell merged across from one merged down
        for box, text in zip(row.cells, texts):
            if box is None:
                cells.append("" if reach is not None and cells and reach > _left_of(table, len(cells)) + 1 else None)
                continue
            cells.append(carriable(text or ""))
            reach = box[2]
        rows.append(cells)
    return rows


def _left_of(table, column: int) -> float:
    return table.columns[column].bbox[0] if column < len(table.columns) else float("inf")


def cell_text(text: str, spaced: bool) -> str:
    """A cell's lines, wrapped by the page, joined; a line that starts with a label starts a new line."""
    from .text import LABEL_START

    lines = [line.strip() for line in text.split("\n") if line.strip()]
    whole = lines[0] if lines else ""
    for line in lines[1:]:
        whole = whole + "\n" + line if LABEL_START.match(line) else joined(whole, line, spaced)
    return whole
