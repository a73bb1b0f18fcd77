"""DOCX writer: Document → the official Word file, built on the reference template's page and styles.

Page setup, fonts, sizes and the footer (「第 X 頁，共 Y 頁」) come from templates/reference.docx
(or an agency's own); this module adds the content: the cover, the title, sections as Heading 1 and
titled items as Heading 2 (so Word's navigation pane shows the outline), numbered items with hanging
indents (label, tab, text; wrapped lines align under the text), tables with a repeated header row and
row-spanning cells, and scoring forms. Every run names its East Asian font (w:eastAsia), since
python-docx does not.
"""
from __future__ import annotations

import io
import os
import unicodedata

from docx import Document as open_docx
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from ..files import write_atomic
from ..inline import plain, to_runs
from ..tree import Document, Entry, FormBlock, Paragraph, TableBlock, form_rows
from .html import TEMPLATES

EAST_ASIAN = "標楷體"
LATIN = "Times New Roman"
BODY_PT = 16
TABLE_PT = 12
TEXT_WIDTH_CM = 16.0  # A4 width 21 cm less two 2.5 cm margins


def template_path(agency: str | None = None, explicit: str | None = None) -> str:
    if explicit:
        return explicit
    if agency:
        own = TEMPLATES / "agencies" / agency / "reference.docx"
        if own.exists():
            return str(own)
    return str(TEMPLATES / "reference.docx")


def label_width(label: str) -> float:
    """Width of a label in ems: full-width characters 1, others 0.5."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.5 for ch in label)


class DocxWriter:
    def __init__(self, doc: Document, template: str):
        self.doc = doc
        self.word = open_docx(template)
        body = self.word.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)

    # ---- runs and paragraphs -------------------------------------------------------------

    def runs(self, paragraph, text: str, bold: bool | None = None) -> None:
        for run in to_runs(text):
            if run.href:
                self._hyperlink(paragraph, run.text, run.href)
                continue
            made = paragraph.add_run(run.text)
            fonts(made)
            if run.bold or bold:
                made.bold = True
            if run.italic:
                made.italic = True

    def _hyperlink(self, paragraph, text: str, url: str) -> None:
        rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), rel)
        run = paragraph.add_run(text)
        fonts(run)
        run.underline = True
        link.append(run._r)
        paragraph._p.append(link)

    def paragraph(self, container, text: str = "", style: str = "Plan Body"):
        para = container.add_paragraph(style=style)
        if text:
            self.runs(para, text)
        return para

    def hanging(self, para, base_em: float, label: str, unit_pt: float) -> float:
        """Indent so that wrapped lines align under the text after the label; returns the text start."""
        hang = label_width(label) + 0.25 if label else 0.0  # slack: a label as wide as the indent would tab past it
        fmt = para.paragraph_format
        fmt.left_indent = Pt((base_em + hang) * unit_pt)
        fmt.first_line_indent = Pt(-hang * unit_pt)
        if label:
            fmt.tab_stops.add_tab_stop(Pt((base_em + hang) * unit_pt), WD_TAB_ALIGNMENT.LEFT)
        return base_em + hang

    # ---- document parts --------------------------------------------------------------------

    def write(self) -> bytes:
        doc, word = self.doc, self.word
        if doc.cover:
            for index, line in enumerate(doc.cover):
                para = self.paragraph(word, line, "Plan Cover")
                para.paragraph_format.space_before = Pt(120 if index == 0 else 24)
        title = word.add_paragraph(style="Title")
        title.paragraph_format.page_break_before = bool(doc.cover)
        for index, line in enumerate(doc.title_lines):
            if index:
                title.add_run().add_break()
            self.runs(title, line)
        for section in doc.body:
            self.entry(word, section, 0.0)
        for appendix in doc.appendices:
            heading = self.paragraph(word, appendix.title or "", "Heading 1")
            heading.paragraph_format.page_break_before = True
            for text in appendix.body:
                self.paragraph(word, text)
            self.children(word, appendix.children, 0.0)
        props = word.core_properties
        props.title = plain(doc.title)
        props.author = doc.agency
        props.subject = f"{doc.agency} {doc.year} 年度計畫"
        props.keywords = f"{doc.agency}; {doc.year}"
        props.comments = ""
        out = io.BytesIO()
        word.save(out)
        return out.getvalue()

    def entry(self, container, entry: Entry, base_em: float) -> None:
        if entry.kind == "section":
            style = "Heading 1"
        elif entry.title and entry.depth == 2 or entry.kind == "form":
            style = "Heading 2"
        else:
            style = "Plan Item"
        para = container.add_paragraph(style=style)
        text_start = self.hanging(para, base_em, entry.label, BODY_PT)
        if entry.label:
            fonts(para.add_run(entry.label + "\t"))
        if entry.mark:
            fonts(para.add_run(entry.mark + " "))
        self.runs(para, entry.heading)
        for text in entry.body:
            body = self.paragraph(container, text)
            body.paragraph_format.left_indent = Pt(text_start * BODY_PT)
        self.children(container, entry.children, text_start)

    def children(self, container, blocks: list, base_em: float) -> None:
        for block in blocks:
            if isinstance(block, Entry):
                self.entry(container, block, base_em)
            elif isinstance(block, Paragraph):
                para = self.paragraph(container, block.text)
                para.paragraph_format.left_indent = Pt(base_em * BODY_PT)
            elif isinstance(block, TableBlock):
                self.table(container, block)
            elif isinstance(block, FormBlock):
                self.form(container, block, base_em)

    # ---- tables and forms ---------------------------------------------------------------------

    def new_table(self, container, columns: list[str], body_rows: int, widths: list[int]):
        table = container.add_table(rows=1 + body_rows, cols=len(columns))
        table.style = self.word.styles["Table Grid"]
        table.autofit = False
        weights = widths if len(widths) == len(columns) else [1] * len(columns)
        for index, column in enumerate(table.columns):
            width = Cm(TEXT_WIDTH_CM * weights[index] / sum(weights))
            column.width = width
            for cell in column.cells:
                cell.width = width
        header = table.rows[0]
        repeat_header(header)
        for cell, name in zip(header.cells, columns):
            para = cell.paragraphs[0]
            para.style = self.word.styles["Plan Table"]
            self.runs(para, name, bold=True)
        return table

    def table(self, container, block: TableBlock) -> None:
        if block.caption:
            self.paragraph(container, block.caption, "Plan Table").runs[0].bold = True
        table = self.new_table(container, block.columns, len(block.rows), block.widths)
        covered = [0] * len(block.columns)
        for r, row in enumerate(block.rows, start=1):
            free = [c for c in range(len(block.columns)) if covered[c] == 0]
            for column, cell in zip(free, row):
                target = table.cell(r, column)
                if cell.rowspan > 1:
                    target = target.merge(table.cell(r + cell.rowspan - 1, column))
                self.cell(target, cell.blocks)
                covered[column] = cell.rowspan
            covered = [max(0, c - 1) for c in covered]

    def cell(self, cell, blocks: list) -> None:
        first = cell.paragraphs[0]
        first.style = self.word.styles["Plan Table"]
        used = False
        for block in blocks:
            for kind, text, label, depth in _cell_lines(block):
                para = first if not used else cell.add_paragraph(style="Plan Table")
                used = True
                if kind == "item":
                    self.hanging(para, depth, label, TABLE_PT)
                    fonts(para.add_run(label + "\t"))
                self.runs(para, text)

    def form(self, container, block: FormBlock, base_em: float) -> None:
        for field in block.fields:
            para = self.paragraph(container, "")
            para.paragraph_format.left_indent = Pt(base_em * BODY_PT)
            if "：" in field:
                self.runs(para, field)
            else:
                self.runs(para, field + "：")
                blank = para.add_run("\u3000" * 10)
                blank.underline = True
                fonts(blank)
        rows = form_rows(block)
        extra = 1 if block.total_label else 0
        table = self.new_table(container, block.columns, len(rows) + extra, [6, 1, 1, 2][:len(block.columns)])
        for r, entry in enumerate(rows, start=1):
            cells = table.rows[r].cells
            para = cells[0].paragraphs[0]
            para.style = self.word.styles["Plan Table"]
            self.hanging(para, max(0, entry.depth - 3) * 1.0, entry.label, TABLE_PT)
            if entry.label:
                fonts(para.add_run(entry.label + "\t"))
            if entry.mark:
                fonts(para.add_run(entry.mark + " "))
            self.runs(para, entry.heading)
            for text in entry.body:
                self.runs(cells[0].add_paragraph(style="Plan Table"), text)
            if entry.points and len(cells) > 1:
                points = cells[1].paragraphs[0]
                points.style = self.word.styles["Plan Table"]
                self.runs(points, entry.points)
        if extra:
            cells = table.rows[-1].cells
            cells[0].paragraphs[0].style = self.word.styles["Plan Table"]
            self.runs(cells[0].paragraphs[0], block.total_label, bold=True)
            if block.total is not None and len(cells) > 1:
                self.runs(cells[1].paragraphs[0], str(block.total))
        for note in block.notes:
            self.paragraph(container, note, "Plan Note")


def _cell_lines(block, depth: float = 0.0):
    """(kind, text, label, indent) for each line a cell block prints."""
    if isinstance(block, Paragraph):
        yield "text", block.text, "", depth
        return
    if isinstance(block, Entry):
        yield "item", block.heading, block.label, depth
        for text in block.body:
            yield "text", text, "", depth
        for child in block.children:
            yield from _cell_lines(child, depth + label_width(block.label))


def fonts(run) -> None:
    """Name the fonts on the run itself: Times New Roman for Latin and digits, 標楷體 for Chinese."""
    rpr = run._r.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:ascii"), LATIN)
    rfonts.set(qn("w:hAnsi"), LATIN)
    rfonts.set(qn("w:eastAsia"), EAST_ASIAN)


def repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def write(doc: Document, path: str, options: dict | None = None) -> None:
    options = options or {}
    template = template_path(options.get("agency"), options.get("docx_template"))
    if not os.path.exists(template):
        from ..errors import BuildError

        raise BuildError(f"{template}: 找不到 DOCX 範本檔。 (DOCX template not found)")
    write_atomic(path, DocxWriter(doc, template).write())
