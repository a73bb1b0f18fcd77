"""Page layout shared by the word-processor writers (DOCX, ODT): what goes in which paragraph and table.

`Layout` walks the Document once and decides every paragraph's role, hanging indent and tab stop, and
every table's widths, header row and row spans. A writer subclasses it and supplies the markup:
`paragraph`, `run`, `link`, `table_start`, `table_row`, `table_end`. Lengths are given in points.
"""
from __future__ import annotations

import unicodedata
from abc import ABC, abstractmethod
from itertools import groupby

from ..inline import Run, Text, runs_of
from ..tree import Document, Entry, FormBlock, Paragraph, TableBlock, Walk, form_rows, kind_of

BODY_PT = 16
TABLE_PT = 12
TEXT_WIDTH_PT = 453.5  # A4 width 21 cm less two 2.5 cm margins = 16 cm
FORM_WEIGHTS = [9, 3, 2, 3]
HANG_SLACK_EM = 0.25  # a label exactly as wide as its indent would tab past it
TITLE_AFTER_PT = 12  # space between the title and the first section
CELL_PADDING_PT = 2.835  # 0.1 cm between a table cell's text and its left and right borders (the ODT's fo:padding)


def label_width(label: str) -> float:
    """Width of a label in ems: full-width characters 1, others 0.5."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.5 for ch in label)


def east_asian_in_use(ch: str) -> bool:
    """A symbol a Chinese text draws in its own (Kai) face though Unicode lets the Latin font draw it.

    Unicode's "ambiguous" width symbols above the Latin, Greek and Cyrillic blocks: □ ※ … ○ △ ● and the like.
    After a Latin run (「1.□是」) Word and LibreOffice would otherwise take them from the Latin font.
    """
    return ord(ch) >= 0x2000 and unicodedata.east_asian_width(ch) == "A"


def script_pieces(text: str) -> list[tuple[str, bool]]:
    """text cut into (piece, is East Asian symbol) pieces, in order (each piece joined once: a text of
    megabytes takes a moment, not minutes)."""
    return [("".join(chars), symbol) for symbol, chars in groupby(text, key=east_asian_in_use)]


def is_east_asian(text: str) -> bool:
    """Has a character drawn from the East Asian font (Han, kana, full-width forms, CJK punctuation, □ …)."""
    return any(unicodedata.east_asian_width(ch) in ("W", "F") or east_asian_in_use(ch) for ch in text)


def hang_of(label: str) -> float:
    """How far (ems) the text after a label starts from the label: the hanging indent."""
    return label_width(label) + HANG_SLACK_EM if label else 0.0


def role_of(entry: Entry) -> str:
    """Sections are first-level headings, titled items second-level (Word's outline); the rest items."""
    if entry.kind == "section":
        return "heading1"
    if entry.is_outline_heading:
        return "heading2"
    return "item"


class Layout(Walk, ABC):
    """Walks a Document (the tree's one walk) into paragraphs and tables; subclasses write the markup."""

    def __init__(self):
        self.out: list[str] = []
        self.tracking: str | None = None  # the tracked change of the block being written (tree.CHANGES)

    # ---- what a writer supplies ------------------------------------------------------------

    @abstractmethod
    def paragraph(self, content: str, role: str, *, left: float = 0, hanging: float = 0, tab: bool = False,
                  page_break: bool = False, space_before: float = 0, keep_next: bool = False,
                  starts: str | None = None) -> str:
        """role: title, issued (the issuance line under a title without a cover), heading1, heading2, item, body,
        table, header (a table's column name), cover, note.

        keep_next: on the same page as what follows (a table's caption, a form's fields).
        starts: this paragraph opens a part of the document on a new page: "cover" (no page number) or
        "body" (pages numbered and counted from here)."""

    @abstractmethod
    def run(self, text: str, bold: bool = False, italic: bool = False, underline: bool = False,
            strike: bool = False, mark: str | None = None) -> str:
        """mark: a tracked change of this run (ins, del); inside a tracked block, self.tracking applies."""

    @abstractmethod
    def link(self, text: str, href: str, bold: bool = False, italic: bool = False) -> str:
        ...

    @abstractmethod
    def table_start(self, columns: list[str], widths: list[float]) -> None:
        ...

    @abstractmethod
    def table_row(self, cells: list[tuple[str, int, bool]], header: bool = False) -> None:
        """cells: (content, rows spanned, covered by a cell above)."""

    @abstractmethod
    def table_end(self) -> None:
        ...

    # ---- shared ------------------------------------------------------------------------------

    def runs(self, text: str, bold: bool = False) -> str:
        """A Text's runs as markup (a plain str is one unstyled run); `bold` makes them all bold."""
        return "".join(self.inline(run.styled(bold=True) if bold else run) for run in runs_of(text))

    def inline(self, run: Run) -> str:
        """One run: a link, or styled text; a writer that tracks changes wraps marked runs."""
        if run.href and not (run.mark or self.tracking):
            return self.link(run.text, run.href, run.bold, run.italic)
        return self.run(run.text, run.bold, run.italic, run.underline or bool(run.href), run.strike, run.mark)

    def text_paragraph(self, text: str, role: str, **layout) -> str:
        """A paragraph of one text; if every run of it is inserted (or deleted), so is the paragraph."""
        marks = {run.mark for run in runs_of(text)}
        outer = self.tracking
        if len(marks) == 1 and None not in marks:
            self.tracking = outer or marks.pop()
        xml = self.paragraph(self.runs(text), role, **layout)
        self.tracking = outer
        return xml

    def moved(self, start: int, entry: Entry) -> None:
        """Called after a moved entry was written from self.out[start:]: a writer may mark its range."""

    def labelled(self, entry: Entry, role: str, base_em: float, size_pt: float,
                 heading: str | None = None) -> tuple[str, float]:
        """A paragraph whose label hangs; returns its markup and where its text starts (ems).

        `heading` is the markup after the label and mark; by default the entry's heading as runs.
        """
        hang = hang_of(entry.label)
        start = base_em + hang
        content = self.runs(entry.label_text) + self.run("\t") if entry.label else ""
        if entry.mark:
            content += self.run(entry.mark + " ")
        content += self.runs(entry.heading) if heading is None else heading
        return self.paragraph(content, role, left=start * size_pt, hanging=hang * size_pt, tab=bool(entry.label)), start

    def document(self, doc: Document) -> None:
        for index, line in enumerate(doc.cover_lines):
            self.out.append(self.text_paragraph(line, "cover", space_before=120 if index == 0 else 24,
                                                starts="cover" if index == 0 else None))
        title = self.run("\n").join(self.runs(line) for line in doc.title_lines)
        self.out.append(self.paragraph(title, "title", starts="body" if doc.cover else None))
        for line in doc.under_title:
            self.out.append(self.text_paragraph(line, "issued"))
        self.children(doc.body, 0.0)
        for appendix in doc.appendices:
            self.tracking = appendix.change
            self.out.append(self.paragraph(self.runs(appendix.title or ""), "heading1", page_break=True))
            for text in appendix.body:
                self.out.append(self.text_paragraph(text, "body"))
            self.children(appendix.children, 0.0)
            self.tracking = None

    def entry(self, entry: Entry, base_em: float) -> None:
        outer, first = self.tracking, len(self.out)
        self.tracking = entry.change or outer
        xml, start = self.labelled(entry, role_of(entry), base_em, BODY_PT)
        self.out.append(xml)
        for text in entry.body:
            self.out.append(self.text_paragraph(text, "body", left=start * BODY_PT))
        self.children(entry.children, start)
        self.tracking = outer
        if entry.change in ("move-from", "move-to") and outer is None:
            self.moved(first, entry)

    def children(self, blocks: list, base_em: float) -> None:
        """Blocks in reading order, each indented by base_em (ems)."""
        self.walk(blocks, base_em)

    def on_entry(self, entry: Entry, base_em: float) -> None:
        self.entry(entry, base_em)

    def on_paragraph(self, block: Paragraph, base_em: float) -> None:
        outer = self.tracking
        self.tracking = block.change or outer
        self.out.extend(self.paragraph(self.runs(line), "body", left=base_em * BODY_PT) for line in self.lines(block))
        self.tracking = outer

    def on_table(self, block: TableBlock, base_em: float) -> None:
        self.table(block)

    def on_form(self, block: FormBlock, base_em: float) -> None:
        self.form(block, base_em)

    def widths(self, count: int, weights: list[int]) -> list[float]:
        weights = weights if len(weights) == count else [1] * count
        return [TEXT_WIDTH_PT * w / sum(weights) for w in weights]

    @staticmethod
    def lines(block: Paragraph) -> list:
        """A paragraph's lines: one for running text, each line of a preformatted block on its own."""
        if block.role != "pre":
            return [block.text]
        text, out, at = Text(block.text), [], 0
        for line in str(text).split("\n"):
            out.append(text.slice(at, at + len(line)))
            at += len(line) + 1
        return out

    def header(self, columns: list[str], weights: list[int]) -> None:
        self.table_start(columns, self.widths(len(columns), weights))
        self.table_row([(self.paragraph(self.runs(name, bold=True), "header"), 1, False) for name in columns],
                       header=True)

    def table(self, block: TableBlock) -> None:
        if block.caption:
            self.out.append(self.paragraph(self.runs(block.caption, bold=True), "table", keep_next=True))
        self.header(block.columns, block.widths)
        covered = [0] * len(block.columns)
        outer = self.tracking
        for number, row in enumerate(block.rows):
            self.tracking = (block.row_changes[number] if number < len(block.row_changes) else None) or outer
            cells_in_row = iter(row)
            cells = []
            for column in range(len(block.columns)):
                if covered[column]:
                    cells.append((self.paragraph("", "table"), 1, True))
                    continue
                cell = next(cells_in_row, None)
                if cell is None:
                    continue
                content = "".join(self.cell_lines(cell.blocks)) or self.paragraph("", "table")
                cells.append((content, cell.rowspan, False))
                covered[column] = cell.rowspan
            covered = [max(0, c - 1) for c in covered]
            self.table_row(cells)
        self.tracking = outer
        self.table_end()

    def cell_lines(self, blocks: list, base_em: float = 0.0):
        for block in blocks:
            outer = self.tracking
            kind = kind_of(block)
            if kind not in ("paragraph", "entry"):  # plan validate refuses tables and forms inside a cell
                raise TypeError(f"a {kind} inside a table cell cannot be laid out")
            self.tracking = block.change or outer
            if isinstance(block, Paragraph):
                yield from [self.paragraph(self.runs(line), "table", left=base_em * TABLE_PT)
                            for line in self.lines(block)]
            elif isinstance(block, Entry):
                xml, start = self.labelled(block, "table", base_em, TABLE_PT)
                yield xml
                for text in block.body:
                    yield self.text_paragraph(text, "table", left=start * TABLE_PT)
                yield from self.cell_lines(block.children, start)
            self.tracking = outer

    def form(self, block: FormBlock, base_em: float) -> None:
        for field in block.fields:
            content = self.runs(field) if "：" in field else self.runs(field + "：") + self.run("\u3000" * 10, underline=True)
            self.out.append(self.paragraph(content, "body", left=base_em * BODY_PT, keep_next=True))
        self.header(block.columns, FORM_WEIGHTS[:len(block.columns)])
        outer = self.tracking
        for entry in form_rows(block):
            self.tracking = entry.change or outer
            xml, start = self.labelled(entry, "table", max(0, entry.depth - 3), TABLE_PT)
            content = xml + "".join(self.text_paragraph(t, "table", left=start * TABLE_PT) for t in entry.body)
            self.form_row(len(block.columns), content, entry.points or "")
        self.tracking = outer
        if block.total_label:
            self.form_row(len(block.columns), self.paragraph(self.runs(block.total_label, bold=True), "table"),
                          "" if block.total is None else str(block.total))
        self.table_end()
        for note in block.notes:
            self.out.append(self.paragraph(self.runs(note), "note"))

    def form_row(self, count: int, content: str, points: str) -> None:
        cells = [(content, 1, False)]
        if count > 1:
            cells.append((self.paragraph(self.runs(points) if points else "", "table"), 1, False))
        cells += [(self.paragraph("", "table"), 1, False) for _ in range(count - 2)]
        self.table_row(cells)
