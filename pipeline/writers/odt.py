"""ODT writer: Document → OpenDocument Text (ODF, CNS 15251), the same content and layout as the DOCX.

The layout (pipeline/writers/layout.py) decides paragraphs, hanging indents and tables; this module
writes them as ODF: A4 with 2.5 cm margins, 標楷體 for Chinese (font-name-asian) and Times New Roman for
Latin, 16 pt on an exact 28 pt line, headings with outline levels (LibreOffice's navigator shows the
outline), tables with a repeated header row, row-spanning cells and rows kept whole, and 「第 X 頁，共 Y 頁」
centred in the footer (a cover has a page style without one; the body after it shows 「第 X 頁」).
"""
from __future__ import annotations

import io
import re
import zipfile

from ..files import write_atomic
from ..inline import plain
from ..tree import Document, Revisions
from .docx import EAST_ASIAN, LATIN, escape
from .layout import TITLE_AFTER_PT, Layout, script_pieces

MIMETYPE = "application/vnd.oasis.opendocument.text"
NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
      'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
      'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:dc="http://purl.org/dc/elements/1.1/" '
      'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3"')
ROLES = {"title": "Title", "heading1": "Heading_20_1", "heading2": "Heading_20_2", "item": "Plan_20_Item",
         "body": "Plan_20_Body", "table": "Plan_20_Table", "header": "Plan_20_Table_20_Heading",
         "cover": "Plan_20_Cover", "note": "Plan_20_Note", "issued": "Plan_20_Issued"}
INSERTED = {"ins", "move-to"}
BREAK_END = "\x00{}\x00"  # a change marked where the next paragraph starts (end:ID an insertion's end, at:ID a deletion)
_BREAK_END = re.compile("\x00([^\x00]+)\x00")
_MARK_AT = re.compile(r'<text:change(?:-end)? text:change-id="([^"]+)"/>')
_PARAGRAPH_START = re.compile(r"<text:[ph]\b[^>]*>")
OUTLINE = {"heading1": 1, "heading2": 2}
FONT_FACES = (f'<office:font-face-decls><style:font-face style:name="{LATIN}" svg:font-family="&apos;{LATIN}&apos;" '
              'style:font-family-generic="roman" style:font-pitch="variable"/>'
              f'<style:font-face style:name="{EAST_ASIAN}" svg:font-family="{EAST_ASIAN}"/></office:font-face-decls>')
# No style:font-family-generic / style:font-pitch on the Kai face: LibreOffice answers "script" and "fixed" with
# a fallback face of that kind (a Japanese sans) and never looks the name up.


def _text_props(size: float, bold: bool = False) -> str:
    weight = ' fo:font-weight="bold" style:font-weight-asian="bold"' if bold else ""
    return (f'<style:text-properties style:font-name="{LATIN}" style:font-name-asian="{EAST_ASIAN}" '
            f'fo:font-size="{size}pt" style:font-size-asian="{size}pt" fo:language="zh" fo:country="TW" '
            f'style:language-asian="zh" style:country-asian="TW"{weight}/>')


def _paragraph_style(name: str, size: float, line: float, bold: bool = False, align: str = "",
                     outline: int | None = None, after: float = 0) -> str:
    level = f' style:default-outline-level="{outline}"' if outline else ""
    centre = f' fo:text-align="{align}"' if align else ""
    keep = ' fo:keep-with-next="always"' if outline else ""
    return (f'<style:style style:name="{name}" style:family="paragraph" style:parent-style-name="Standard"{level}>'
            f'<style:paragraph-properties fo:line-height="{line}pt" fo:margin-top="0pt" fo:margin-bottom="{after}pt"'
            f'{centre}{keep}/>{_text_props(size, bold)}</style:style>')


STYLES_XML = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles {NS}>{FONT_FACES}<office:styles>'
    '<style:default-style style:family="paragraph"><style:paragraph-properties fo:line-height="28pt"/>'
    f'{_text_props(16)}</style:default-style>'
    '<style:default-style style:family="text"/><style:default-style style:family="table"/>'
    '<style:default-style style:family="table-row"/><style:default-style style:family="table-cell"/>'
    '<style:style style:name="Standard" style:family="paragraph" style:class="text"/>'
    + _paragraph_style("Title", 20, 32, bold=True, align="center", after=TITLE_AFTER_PT)
    + _paragraph_style("Heading_20_1", 16, 28, bold=True, outline=1)
    + _paragraph_style("Heading_20_2", 16, 28, outline=2)
    + _paragraph_style("Plan_20_Item", 16, 28) + _paragraph_style("Plan_20_Body", 16, 28)
    + _paragraph_style("Plan_20_Cover", 20, 40, bold=True, align="center")
    + _paragraph_style("Plan_20_Table", 12, 18) + _paragraph_style("Plan_20_Note", 12, 18)
    + _paragraph_style("Plan_20_Issued", 12, 18, align="end", after=TITLE_AFTER_PT)
    + _paragraph_style("Plan_20_Table_20_Heading", 12, 18, bold=True, align="center")
    + _paragraph_style("Footer", 10, 12, align="center")
    + '</office:styles><office:automatic-styles><style:page-layout style:name="A4">'
    '<style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" style:print-orientation="portrait" '
    'fo:margin-top="2.5cm" fo:margin-bottom="1.5cm" fo:margin-left="2.5cm" fo:margin-right="2.5cm"/>'
    '<style:footer-style><style:header-footer-properties fo:min-height="1cm" fo:margin-top="0.3cm"/></style:footer-style>'
    '</style:page-layout></office:automatic-styles><office:master-styles>'
    '<style:master-page style:name="Cover" style:page-layout-name="A4"/>'
    '<style:master-page style:name="Body" style:page-layout-name="A4"><style:footer>'
    '<text:p text:style-name="Footer">第 <text:page-number text:select-page="current" text:page-adjust="-1">1</text:page-number> 頁'
    '</text:p></style:footer></style:master-page>'
    '<style:master-page style:name="Standard" style:page-layout-name="A4"><style:footer>'
    '<text:p text:style-name="Footer">第 <text:page-number text:select-page="current">1</text:page-number> 頁，共 '
    '<text:page-count>1</text:page-count> 頁</text:p></style:footer></style:master-page></office:master-styles>'
    '</office:document-styles>')

MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
            f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{MIMETYPE}" manifest:version="1.3"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
            '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
            '</manifest:manifest>')

class OdtBody(Layout):
    """ODF text for the body of one document, with the automatic styles its indents and tables need."""

    def __init__(self, revisions: Revisions | None = None):
        super().__init__()
        self.auto: dict[tuple, tuple[str, str]] = {}   # (kind, properties) → (style name, its XML)
        self.tables = 0
        self.column_widths: list[float] = []
        self.revisions = revisions
        self.regions: list[str] = []  # text:changed-region elements, one per tracked run
        self.in_table = False  # inside a table, changes are tracked on the text of its cells only
        self.first_row = True

    def style(self, key: tuple, make) -> str:
        """The automatic style for these properties, made once: make(name) gives its XML."""
        if key not in self.auto:
            name = f"A{len(self.auto) + 1}"
            self.auto[key] = (name, make(name))
        return self.auto[key][0]

    def run(self, text: str, bold: bool = False, italic: bool = False, underline: bool = False,
            strike: bool = False, mark: str | None = None) -> str:
        flags = (bold, italic, underline, strike)
        out = []
        for piece, symbol in script_pieces(text):
            body = "".join(_pieces(piece))
            if symbol:  # □ ※ …: the Kai face even after Latin text, which would give them the Latin font
                name = self.style(("text", "symbol") + flags, lambda n: _text_style(n, *flags, kai=True))
            elif any(flags):
                name = self.style(("text",) + flags, lambda n: _text_style(n, *flags))
            else:
                out.append(body)
                continue
            out.append(f'<text:span text:style-name="{name}">{body}</text:span>')
        body = "".join(out)
        if self.tracking not in (None, *INSERTED) and not self.in_table:
            return body  # the whole paragraph is deleted: its runs go into its changed region as they are
        mark = mark or self.tracking
        if mark is None or self.revisions is None or not text:
            return body
        return self.tracked(body, mark in INSERTED)
    def tracked(self, body: str, inserted: bool) -> str:
        """A tracked run: inserted text between change marks, deleted text kept in its changed region."""
        ident = f"ct{len(self.regions) + 1}"
        info = (f"<office:change-info><dc:creator>{escape(self.revisions.author)}</dc:creator>"
                f"<dc:date>{self.revisions.date.rstrip('Z')}</dc:date></office:change-info>")
        if inserted:
            self.regions.append(f'<text:changed-region xml:id="{ident}" text:id="{ident}"><text:insertion>{info}'
                                "</text:insertion></text:changed-region>")
            return f'<text:change-start text:change-id="{ident}"/>{body}<text:change-end text:change-id="{ident}"/>'
        self.regions.append(f'<text:changed-region xml:id="{ident}" text:id="{ident}"><text:deletion>{info}'
                            f"<text:p>{body}</text:p></text:deletion></text:changed-region>")
        return f'<text:change text:change-id="{ident}"/>'

    def tracked_changes(self) -> str:
        if self.revisions is None:
            return ""
        return f'<text:tracked-changes text:track-changes="true">{"".join(self.regions)}</text:tracked-changes>'

    def link(self, text: str, href: str, bold: bool = False, italic: bool = False) -> str:
        return f'<text:a xlink:type="simple" xlink:href="{escape(href, quote=True)}">{self.run(text, bold, italic)}</text:a>'

    def paragraph(self, content: str, role: str, *, left: float = 0, hanging: float = 0, tab: bool = False,
                  page_break: bool = False, space_before: float = 0, keep_next: bool = False,
                  starts: str | None = None) -> str:
        parent = ROLES[role]
        props = []
        if left or hanging:
            props.append(f'fo:margin-left="{left:.2f}pt" fo:text-indent="{-hanging:.2f}pt"')
        if keep_next:
            props.append('fo:keep-with-next="always"')
        if page_break:
            props.append('fo:break-before="page"')
        if space_before:
            props.append(f'fo:margin-top="{space_before:.2f}pt"')
        # The cover's page has no footer; the body's pages are numbered from its first page. LibreOffice counts
        # every page (and a page number restarted on page 2 adds a hidden blank page to the count), so the
        # body's footer shows its page number without a total.
        master = {"cover": "Cover", "body": "Body"}.get(starts or "")
        name = parent
        if props or tab or master:
            key = ("paragraph", parent, " ".join(props), tab, master)
            name = self.style(key, lambda n: _paragraph_auto_style(n, parent, " ".join(props), tab, master))
        whole = self.tracking if self.revisions is not None and not self.in_table else None
        if role in OUTLINE:
            xml = f'<text:h text:style-name="{name}" text:outline-level="{OUTLINE[role]}">{content}</text:h>'
        else:
            xml = f'<text:p text:style-name="{name}">{content}</text:p>'
        if whole in INSERTED:  # the text and the paragraph's end inserted: the insertion ends in the next paragraph
            ident = self.region("insertion", "")
            opened = xml.index(">") + 1
            return (xml[:opened] + f'<text:change-start text:change-id="{ident}"/>' + xml[opened:]
                    + BREAK_END.format(f"end:{ident}"))
        if whole is not None:  # deleted: the paragraph lives in its changed region, marked where the next one starts
            ident = self.region("deletion", xml + "<text:p/>")
            return BREAK_END.format(f"at:{ident}")
        return xml

    def region(self, kind: str, content: str) -> str:
        ident = f"ct{len(self.regions) + 1}"
        info = (f"<office:change-info><dc:creator>{escape(self.revisions.author)}</dc:creator>"
                f"<dc:date>{self.revisions.date.rstrip('Z')}</dc:date></office:change-info>")
        self.regions.append(f'<text:changed-region xml:id="{ident}" text:id="{ident}"><text:{kind}>{info}{content}'
                            f"</text:{kind}></text:changed-region>")
        return ident

    def table_start(self, columns: list[str], widths: list[float]) -> None:
        self.in_table = True
        self.tables += 1
        self.first_row = True
        self.column_widths = widths
        cols = "".join(
            f'<table:table-column table:style-name="{self.style(("column", round(w, 2)), lambda n, w=w: _column_style(n, w))}"/>'
            for w in widths)
        self.out.append(f'<table:table table:name="表格{self.tables}" table:style-name="PlanTable">{cols}')

    def table_row(self, cells: list[tuple[str, int, bool]], header: bool = False) -> None:
        xml = []
        for column, (content, rows, covered) in enumerate(cells):
            if covered:
                xml.append("<table:covered-table-cell/>")
                continue
            span = f' table:number-rows-spanned="{rows}"' if rows > 1 else ""
            top, left = self.first_row, column == 0
            style = self.style(("cell", top, left), lambda n, top=top, left=left: _cell_style(n, top, left))
            xml.append(f'<table:table-cell table:style-name="{style}" office:value-type="string"{span}>{content}</table:table-cell>')
        self.first_row = False
        row = f'<table:table-row table:style-name="PlanRow">{"".join(xml)}</table:table-row>'
        self.out.append(f"<table:table-header-rows>{row}</table:table-header-rows>" if header else row)

    def table_end(self) -> None:
        self.in_table = False
        self.out.append("</table:table>")

    def automatic_styles(self) -> str:
        """The automatic styles the body uses (ODF validators warn about unused ones)."""
        tables = ('<style:style style:name="PlanTable" style:family="table"><style:table-properties style:width="16cm" '
                  'table:align="margins"/></style:style>'
                  '<style:style style:name="PlanRow" style:family="table-row"><style:table-row-properties '
                  'fo:keep-together="always"/></style:style>') if self.tables else ""
        return tables + "".join(xml for _, xml in self.auto.values())


def _pieces(text: str):
    for index, part in enumerate(text.replace("\r", "").split("\n")):
        if index:
            yield "<text:line-break/>"
        for column, chunk in enumerate(part.split("\t")):
            if column:
                yield "<text:tab/>"
            yield _spaces(escape(chunk))


def _spaces(text: str) -> str:
    """ODF collapses runs of spaces: keep them as text:s."""
    out, count = [], 0
    for ch in text + "\0":
        if ch == " ":
            count += 1
            continue
        if count:
            out.append(" " if count == 1 else f' <text:s text:c="{count - 1}"/>')
            count = 0
        if ch != "\0":
            out.append(ch)
    return "".join(out)


def _text_style(name: str, bold: bool, italic: bool, underline: bool, strike: bool, kai: bool = False) -> str:
    props = f' style:font-name="{EAST_ASIAN}"' if kai else ""
    if bold:
        props += ' fo:font-weight="bold" style:font-weight-asian="bold"'
    if italic:
        props += ' fo:font-style="italic" style:font-style-asian="italic"'
    if underline:
        props += ' style:text-underline-style="solid" style:text-underline-width="auto" style:text-underline-color="font-color"'
    if strike:
        props += ' style:text-line-through-style="solid"'
    return f'<style:style style:name="{name}" style:family="text"><style:text-properties{props}/></style:style>'


def _paragraph_auto_style(name: str, parent: str, props: str, tab: bool, master: str | None) -> str:
    tabs = '<style:tab-stops><style:tab-stop style:position="0pt"/></style:tab-stops>' if tab else ""
    page = f' style:master-page-name="{master}"' if master else ""
    return (f'<style:style style:name="{name}" style:family="paragraph" style:parent-style-name="{parent}"{page}>'
            f'<style:paragraph-properties {props}>{tabs}</style:paragraph-properties></style:style>')


def _cell_style(name: str, top: bool, left: bool) -> str:
    """Each line once: every cell draws its right and bottom edges, the first row its top, the first column its left."""
    line = "0.5pt solid #000000"
    edges = {"top": line if top else "none", "left": line if left else "none", "bottom": line, "right": line}
    borders = " ".join(f'fo:border-{side}="{value}"' for side, value in edges.items())
    return (f'<style:style style:name="{name}" style:family="table-cell"><style:table-cell-properties '
            f'{borders} fo:padding="0.1cm"/></style:style>')


def _column_style(name: str, width: float) -> str:
    return (f'<style:style style:name="{name}" style:family="table-column">'
            f'<style:table-column-properties style:column-width="{width:.2f}pt"/></style:style>')


def _end_breaks(text: str) -> str:
    """Each inserted paragraph end, and each deleted paragraph, is marked where the next paragraph starts."""
    placed: set[str] = set()
    while True:
        mark = _BREAK_END.search(text)
        if mark is None:
            return text
        kind, ident = mark.group(1).split(":", 1)
        end = f'<text:{"change-end" if kind == "end" else "change"} text:change-id="{ident}"/>'
        text = text[:mark.start()] + text[mark.end():]
        following = _PARAGRAPH_START.search(text, mark.start())
        if following is None:
            text += f'<text:p text:style-name="Plan_20_Body">{end}</text:p>'
        else:  # after the paragraph marks already there, so that changes keep their order
            at = following.end()
            while (earlier := _MARK_AT.match(text, at)) is not None and earlier.group(1) in placed:
                at = earlier.end()
            text = text[:at] + end + text[at:]
        placed.add(ident)


def meta(doc: Document) -> str:
    fields = {"dc:title": plain(doc.title), "meta:initial-creator": doc.agency, "dc:creator": doc.agency,
              "dc:subject": doc.subject or f"{doc.agency} {doc.year} 年度計畫", "meta:keyword": f"{doc.agency}; {doc.year}",
              "dc:language": "zh-TW"}
    body = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items())
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {NS}><office:meta>{body}</office:meta></office:document-meta>'


def render(doc: Document) -> bytes:
    body = OdtBody(doc.revisions)
    body.document(doc)
    text = _end_breaks("".join(body.out))
    content = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {NS}>{FONT_FACES}'
               f'<office:automatic-styles>{body.automatic_styles()}</office:automatic-styles>'
               f'<office:body><office:text>{body.tracked_changes()}{text}</office:text></office:body>'
               '</office:document-content>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", MANIFEST)
        archive.writestr("styles.xml", STYLES_XML)
        archive.writestr("meta.xml", meta(doc))
        archive.writestr("content.xml", content)
    return out.getvalue()


def write(doc: Document, path: str, options: dict | None = None) -> None:
    write_atomic(path, render(doc))
