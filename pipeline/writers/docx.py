"""DOCX writer: Document → the official Word file, on the reference document's page setup and styles.

Every part of the reference document (templates/reference.docx, or an agency's own) is kept — styles,
fonts, settings, the footer with 「第 X 頁，共 Y 頁」 and the section's page setup — and only the body
(word/document.xml) and the document properties are written here, as WordprocessingML text. Sections
are Heading 1 and titled items Heading 2, so Word's navigation pane shows the outline; numbered items
hang (label, tab, text; wrapped lines align under the text); tables repeat their header row and merge
row-spanning cells; scoring forms carry □是□否 boxes and a points column. Every run names its East
Asian font (w:eastAsia), which Word otherwise takes from the theme.
"""
from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from datetime import datetime, timezone
from functools import lru_cache

from ..errors import BuildError
from ..files import write_atomic
from ..inline import plain, to_runs
from ..tree import Document, Entry, FormBlock, Paragraph, TableBlock, form_rows
from . import TEMPLATES

EAST_ASIAN = "標楷體"
LATIN = "Times New Roman"
BODY_PT = 16
TABLE_PT = 12
TEXT_WIDTH_TWIPS = 9072  # A4 width 21 cm less two 2.5 cm margins = 16 cm
FORM_WIDTHS = [9, 3, 2, 3]
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
NAMESPACES = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
              'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
FONTS = f'<w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:eastAsia="{EAST_ASIAN}" w:cs="{LATIN}"/>'
BORDERS = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                  for side in ("top", "left", "bottom", "right", "insideH", "insideV"))


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


def twips(ems: float, size_pt: float) -> int:
    return round(ems * size_pt * 20)


@lru_cache(maxsize=4)
def reference_parts(path: str, mtime: float) -> tuple[dict[str, bytes], str]:
    """The reference document's parts, and its body's closing section properties (page setup, footer)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
    except (OSError, zipfile.BadZipFile) as exc:
        raise BuildError(f"{path}: DOCX 範本檔無法開啟（{exc}）。 (cannot open the DOCX template)") from None
    body = parts.get("word/document.xml", b"").decode("utf-8")
    section = re.search(r"<w:sectPr\b.*?</w:sectPr>", body, re.S)
    if section is None:
        raise BuildError(f"{path}: DOCX 範本檔缺少版面設定（w:sectPr）。 (template has no section properties)")
    return parts, section.group(0)


class Body:
    """WordprocessingML for the body of one document, built as a list of strings."""

    def __init__(self):
        self.out: list[str] = []
        self.links: dict[str, str] = {}  # url → relationship id

    # ---- runs --------------------------------------------------------------------------------

    def runs(self, text: str, bold: bool = False) -> str:
        parts = []
        for run in to_runs(text):
            if run.href:
                rel = self.links.setdefault(run.href, f"rIdLink{len(self.links) + 1}")
                parts.append(f'<w:hyperlink r:id="{rel}">{run_xml(run.text, run.bold or bold, run.italic, True)}</w:hyperlink>')
            else:
                parts.append(run_xml(run.text, run.bold or bold, run.italic))
        return "".join(parts)

    # ---- paragraphs -------------------------------------------------------------------------

    def paragraph(self, content: str, style: str, *, left: int = 0, hanging: int = 0, tab: int | None = None,
                  page_break: bool = False, space_before: int = 0) -> str:
        props = [f'<w:pStyle w:val="{style}"/>']
        if page_break:
            props.append("<w:pageBreakBefore/>")
        if tab is not None:
            props.append(f'<w:tabs><w:tab w:val="left" w:pos="{tab}"/></w:tabs>')
        if space_before:
            props.append(f'<w:spacing w:before="{space_before}"/>')
        if left or hanging:
            props.append(f'<w:ind w:left="{left}" w:hanging="{hanging}"/>' if hanging else f'<w:ind w:left="{left}"/>')
        return f"<w:p><w:pPr>{''.join(props)}</w:pPr>{content}</w:p>"

    def labelled(self, entry: Entry, style: str, base_em: float, size_pt: float) -> tuple[str, float]:
        """A paragraph whose label hangs: returns its XML and where its text starts (in ems)."""
        hang = label_width(entry.label) + 0.25 if entry.label else 0.0  # slack: an exact fit would tab past
        start = base_em + hang
        content = ""
        if entry.label:
            content += run_xml(entry.label) + run_xml("\t")
        if entry.mark:
            content += run_xml(entry.mark + " ")
        content += self.runs(entry.heading)
        xml = self.paragraph(content, style, left=twips(start, size_pt), hanging=twips(hang, size_pt),
                             tab=twips(start, size_pt) if entry.label else None)
        return xml, start

    # ---- document parts ---------------------------------------------------------------------

    def document(self, doc: Document) -> None:
        for index, line in enumerate(doc.cover + doc.issued):
            self.out.append(self.paragraph(self.runs(line), "PlanCover", space_before=2400 if index == 0 else 480))
        title = run_xml("\n").join(self.runs(line) for line in doc.title_lines)
        self.out.append(self.paragraph(title, "Title", page_break=bool(doc.cover or doc.issued)))
        for section in doc.body:
            self.entry(section, 0.0)
        for appendix in doc.appendices:
            self.out.append(self.paragraph(self.runs(appendix.title or ""), "Heading1", page_break=True))
            for text in appendix.body:
                self.out.append(self.paragraph(self.runs(text), "PlanBody"))
            self.children(appendix.children, 0.0)

    def entry(self, entry: Entry, base_em: float) -> None:
        if entry.kind == "section":
            style = "Heading1"
        elif entry.kind == "form" or (entry.title and entry.depth == 2):
            style = "Heading2"
        else:
            style = "PlanItem"
        xml, start = self.labelled(entry, style, base_em, BODY_PT)
        self.out.append(xml)
        for text in entry.body:
            self.out.append(self.paragraph(self.runs(text), "PlanBody", left=twips(start, BODY_PT)))
        self.children(entry.children, start)

    def children(self, blocks: list, base_em: float) -> None:
        for block in blocks:
            if isinstance(block, Entry):
                self.entry(block, base_em)
            elif isinstance(block, Paragraph):
                self.out.append(self.paragraph(self.runs(block.text), "PlanBody", left=twips(base_em, BODY_PT)))
            elif isinstance(block, TableBlock):
                self.table(block)
            elif isinstance(block, FormBlock):
                self.form(block, base_em)

    # ---- tables and forms --------------------------------------------------------------------

    def table_start(self, columns: list[str], weights: list[int]) -> list[int]:
        weights = weights if len(weights) == len(columns) else [1] * len(columns)
        widths = [TEXT_WIDTH_TWIPS * w // sum(weights) for w in weights]
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        self.out.append(
            '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
            f'<w:tblBorders>{BORDERS}</w:tblBorders><w:tblLayout w:type="fixed"/>'
            f'<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
            f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>")
        header = "".join(cell_xml(width, self.paragraph(self.runs(name, bold=True), "PlanTable"))
                         for width, name in zip(widths, columns))
        self.out.append(f'<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{header}</w:tr>')
        return widths

    def table(self, block: TableBlock) -> None:
        if block.caption:
            self.out.append(self.paragraph(self.runs(block.caption, bold=True), "PlanTable"))
        widths = self.table_start(block.columns, block.widths)
        covered = [0] * len(block.columns)
        for row in block.rows:
            cells = iter(row)
            xml = []
            for column, width in enumerate(widths):
                if covered[column]:
                    xml.append(cell_xml(width, self.paragraph("", "PlanTable"), merge="continue"))
                    continue
                cell = next(cells, None)
                if cell is None:
                    continue
                content = "".join(self.cell_lines(cell.blocks)) or self.paragraph("", "PlanTable")
                xml.append(cell_xml(width, content, merge="restart" if cell.rowspan > 1 else None))
                covered[column] = cell.rowspan
            covered = [max(0, c - 1) for c in covered]
            self.out.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{''.join(xml)}</w:tr>")
        self.out.append("</w:tbl>")

    def cell_lines(self, blocks: list, base_em: float = 0.0):
        for block in blocks:
            if isinstance(block, Paragraph):
                yield self.paragraph(self.runs(block.text), "PlanTable", left=twips(base_em, TABLE_PT))
            elif isinstance(block, Entry):
                xml, start = self.labelled(block, "PlanTable", base_em, TABLE_PT)
                yield xml
                for text in block.body:
                    yield self.paragraph(self.runs(text), "PlanTable", left=twips(start, TABLE_PT))
                yield from self.cell_lines(block.children, start)

    def form(self, block: FormBlock, base_em: float) -> None:
        for field in block.fields:
            content = self.runs(field) if "：" in field else self.runs(field + "：") + run_xml("\u3000" * 10, underline=True)
            self.out.append(self.paragraph(content, "PlanBody", left=twips(base_em, BODY_PT)))
        widths = self.table_start(block.columns, FORM_WIDTHS[:len(block.columns)])
        for entry in form_rows(block):
            xml, start = self.labelled(entry, "PlanTable", max(0, entry.depth - 3), TABLE_PT)
            content = xml + "".join(self.paragraph(self.runs(t), "PlanTable", left=twips(start, TABLE_PT)) for t in entry.body)
            self.form_row(widths, content, entry.points or "")
        if block.total_label:
            self.form_row(widths, self.paragraph(self.runs(block.total_label, bold=True), "PlanTable"),
                          "" if block.total is None else str(block.total))
        self.out.append("</w:tbl>")
        for note in block.notes:
            self.out.append(self.paragraph(self.runs(note), "PlanNote"))

    def form_row(self, widths: list[int], content: str, points: str) -> None:
        cells = [cell_xml(widths[0], content)]
        if len(widths) > 1:
            cells.append(cell_xml(widths[1], self.paragraph(self.runs(points), "PlanTable") if points
                                  else self.paragraph("", "PlanTable")))
        cells += [cell_xml(w, self.paragraph("", "PlanTable")) for w in widths[2:]]
        self.out.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{''.join(cells)}</w:tr>")


def escape(text: str, quote: bool = False) -> str:
    """XML character escaping (xml.sax.saxutils would pull in urllib and ssl at start-up)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


def run_xml(text: str, bold: bool = False, italic: bool = False, underline: bool = False,
            strike: bool = False) -> str:
    """One run, fonts named on the run itself; tabs and line breaks become Word's own marks."""
    props = (FONTS + ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "") + ("<w:strike/>" if strike else "")
             + ('<w:u w:val="single"/>' if underline else ""))
    pieces = []
    for part in re.split(r"(\t|\n)", text):
        if part == "\t":
            pieces.append("<w:tab/>")
        elif part == "\n":
            pieces.append("<w:br/>")
        elif part:
            pieces.append(f'<w:t xml:space="preserve">{escape(part)}</w:t>')
    return f"<w:r><w:rPr>{props}</w:rPr>{''.join(pieces)}</w:r>"


def cell_xml(width: int, content: str, merge: str | None = None) -> str:
    merge_xml = {"restart": '<w:vMerge w:val="restart"/>', "continue": "<w:vMerge/>"}.get(merge, "")
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{merge_xml}</w:tcPr>{content}</w:tc>'


def core_properties(title: str, agency: str, subject: str, keywords: str) -> bytes:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    fields = {"dc:title": title, "dc:creator": agency, "cp:lastModifiedBy": agency,
              "dc:subject": subject, "cp:keywords": keywords}
    body = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items())
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'{body}<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>').encode("utf-8")


def package(body: Body, template: str, properties: bytes) -> bytes:
    """A whole .docx: the reference document's parts, with this body and these properties."""
    parts, section = reference_parts(template, os.path.getmtime(template))
    if body.out and body.out[-1].endswith("</w:tbl>"):
        body.out.append(body.paragraph("", "PlanBody"))  # Word expects a paragraph between a table and the section end
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<w:document {NAMESPACES}><w:body>{"".join(body.out)}{section}</w:body></w:document>')
    rels = parts["word/_rels/document.xml.rels"].decode("utf-8")
    links = "".join(f'<Relationship Id="{rid}" Type="{HYPERLINK}" Target="{escape(url, quote=True)}" '
                    'TargetMode="External"/>' for url, rid in body.links.items())
    rels = rels.replace("</Relationships>", links + "</Relationships>")
    written = {"word/document.xml": xml.encode("utf-8"), "word/_rels/document.xml.rels": rels.encode("utf-8"),
               "docProps/core.xml": properties}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, written.get(name, data))
    return out.getvalue()


def render(doc: Document, template: str) -> bytes:
    body = Body()
    body.document(doc)
    properties = core_properties(plain(doc.title), doc.agency, f"{doc.agency} {doc.year} 年度計畫",
                                 f"{doc.agency}; {doc.year}")
    return package(body, template, properties)


def checked_template(options: dict) -> str:
    template = template_path(options.get("agency"), options.get("docx_template"))
    if not os.path.exists(template):
        raise BuildError(f"{template}: 找不到 DOCX 範本檔。 (DOCX template not found)")
    return template


def write(doc: Document, path: str, options: dict | None = None) -> None:
    write_atomic(path, render(doc, checked_template(options or {})))
