"""DOCX writer: Document → the official Word file, on the reference document's page setup and styles.

Every part of the reference document (templates/reference.docx, or an agency's own) is kept — styles,
fonts, settings, the footer with 「第 X 頁，共 Y 頁」 and the section's page setup — and only the body
(word/document.xml) and the document properties are written here, as WordprocessingML text. Sections
are Heading 1 and titled items Heading 2, so Word's navigation pane shows the outline; numbered items
hang (label, tab, text; wrapped lines align under the text); tables repeat their header row and merge
row-spanning cells; scoring forms carry □是□否 boxes and a points column. Every run names its East
Asian font (w:eastAsia), which Word otherwise takes from the theme, and its language (zh-TW); symbols
such as □ ※ … are runs of their own in the Kai face. A cover is a section without a footer; the body's
section is numbered from 1 and counted by SECTIONPAGES.
"""
from __future__ import annotations

import os
import re
import zipfile
import zlib
from datetime import datetime, timezone
from functools import lru_cache

from ..errors import BuildError
from ..files import write_atomic
from ..inline import plain
from ..tree import Document, Revisions
from . import TEMPLATES
from .layout import CELL_PADDING_PT, TITLE_AFTER_PT, Layout, is_east_asian, script_pieces
from .zipparts import Kept, package as zip_package, read_kept, unpacked

EAST_ASIAN = "標楷體"
LATIN = "Times New Roman"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
NAMESPACES = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
              'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
LANGUAGE = "zh-TW"
FONTS = f'<w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:eastAsia="{EAST_ASIAN}" w:cs="{LATIN}"/>'
# East Asian text: the hint tells Word that shared characters (「」、…) are East Asian; symbols Unicode lets either
# font draw (□ ※ …) also name the Kai for every slot, since LibreOffice does not read the hint.
FONTS_HINTED = FONTS.replace("/>", ' w:hint="eastAsia"/>')
FONTS_SYMBOL = (f'<w:rFonts w:ascii="{EAST_ASIAN}" w:hAnsi="{EAST_ASIAN}" w:eastAsia="{EAST_ASIAN}" '
                f'w:cs="{EAST_ASIAN}" w:hint="eastAsia"/>')
LANG = f'<w:lang w:val="{LANGUAGE}" w:eastAsia="{LANGUAGE}"/>'
BORDERS = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                  for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
COVER_SECTION = "<!--cover-section-->"
STYLES = {"title": "Title", "heading1": "Heading1", "heading2": "Heading2", "item": "PlanItem",
          "body": "PlanBody", "table": "PlanTable", "header": "PlanTable", "cover": "PlanCover", "note": "PlanNote",
          "issued": "PlanNote"}
CENTRED = {"header"}
# The issuance line under a title without a cover: at the right, in the notes' size, a title's space before the body.
RIGHT = {"issued"}
# Tracked changes: the element that wraps a run, and the one that marks a paragraph mark or a table row.
RUN_MARKS = {"ins": "w:ins", "del": "w:del", "move-to": "w:moveTo", "move-from": "w:moveFrom"}
DELETED = {"del", "move-from"}
ROW_MARKS = {"ins": "w:ins", "move-to": "w:ins", "del": "w:del", "move-from": "w:del"}


def template_path(agency: str | None = None, explicit: str | None = None) -> str:
    if explicit:
        return explicit
    if agency:
        own = TEMPLATES / "agencies" / agency / "reference.docx"
        if own.exists():
            return str(own)
    return str(TEMPLATES / "reference.docx")


def twips(points: float) -> int:
    return round(points * 20)


# The cells' left and right margins, as the ODT's (Word's Table Grid style has 0.19 cm, which wrapped a header
# such as 「評核紀錄事項」 in a form's narrow column).
CELL_MARGINS = (f'<w:tblCellMar><w:left w:w="{twips(CELL_PADDING_PT)}" w:type="dxa"/>'
                f'<w:right w:w="{twips(CELL_PADDING_PT)}" w:type="dxa"/></w:tblCellMar>')


@lru_cache(maxsize=4)
def reference_parts(path: str, mtime: float) -> tuple[dict[str, Kept], str]:
    """The reference document's parts (compressed, as stored), and its body's closing section properties."""
    try:
        parts = read_kept(path)
        body = unpacked(parts["word/document.xml"]).decode("utf-8") if "word/document.xml" in parts else ""
    except (OSError, zipfile.BadZipFile, zlib.error, UnicodeDecodeError) as exc:
        raise BuildError(f"{path}: DOCX 範本檔無法開啟（{exc}）。 (cannot open the DOCX template)") from None
    section = re.search(r"<w:sectPr\b.*?</w:sectPr>", body, re.S)
    if section is None:
        raise BuildError(f"{path}: DOCX 範本檔缺少版面設定（w:sectPr）。 (template has no section properties)")
    return parts, section.group(0)


class Body(Layout):
    """WordprocessingML for the body of one document."""

    def __init__(self, revisions: Revisions | None = None):
        super().__init__()
        self.links: dict[str, str] = {}  # url → relationship id
        self.cover = False  # the body starts with a cover section
        self.column_widths: list[int] = []
        self.revisions = revisions
        self.revision = 0

    def run(self, text: str, bold: bool = False, italic: bool = False, underline: bool = False,
            strike: bool = False, mark: str | None = None) -> str:
        mark = mark or self.tracking
        if mark is None or self.revisions is None:
            return run_xml(text, bold, italic, underline, strike)
        xml = run_xml(text, bold, italic, underline, strike)
        if mark == "del":
            xml = xml.replace("<w:t ", "<w:delText ").replace("</w:t>", "</w:delText>")
        element = RUN_MARKS[mark]
        return f"<{element} {self.revision_attributes()}>{xml}</{element}>"

    def revision_attributes(self) -> str:
        self.revision += 1
        return (f'w:id="{self.revision}" w:author="{escape(self.revisions.author, quote=True)}" '
                f'w:date="{self.revisions.date}"')

    def moved(self, start: int, entry) -> None:
        """A moved part between named range marks, so Word pairs where it went with where it was."""
        if self.revisions is None:
            return
        kind = "moveFrom" if entry.change == "move-from" else "moveTo"
        name = f"move{entry.move_id}"
        self.revision += 1
        ident = self.revision
        self.out.insert(start, f'<w:{kind}RangeStart w:id="{ident}" w:name="{name}" '
                               f'w:author="{escape(self.revisions.author, quote=True)}" w:date="{self.revisions.date}"/>')
        self.out.append(f'<w:{kind}RangeEnd w:id="{ident}"/>')

    def link(self, text: str, href: str, bold: bool = False, italic: bool = False) -> str:
        rel = self.links.setdefault(href, f"rIdLink{len(self.links) + 1}")
        return f'<w:hyperlink r:id="{rel}">{run_xml(text, bold, italic, True)}</w:hyperlink>'

    def paragraph(self, content: str, role: str, *, left: float = 0, hanging: float = 0, tab: bool = False,
                  page_break: bool = False, space_before: float = 0, keep_next: bool = False,
                  starts: str | None = None) -> str:
        props = [f'<w:pStyle w:val="{STYLES[role]}"/>']
        if keep_next:
            props.append("<w:keepNext/>")
        if page_break:
            props.append("<w:pageBreakBefore/>")
        if tab:
            props.append(f'<w:tabs><w:tab w:val="left" w:pos="{twips(left)}"/></w:tabs>')
        if space_before:
            props.append(f'<w:spacing w:before="{twips(space_before)}"/>')
        elif role in RIGHT:
            props.append(f'<w:spacing w:after="{twips(TITLE_AFTER_PT)}"/>')
        if left or hanging:
            hang = f' w:hanging="{twips(hanging)}"' if hanging else ""
            props.append(f'<w:ind w:left="{twips(left)}"{hang}/>')
        if role in CENTRED:
            props.append('<w:jc w:val="center"/>')
        elif role in RIGHT:
            props.append('<w:jc w:val="right"/>')
        if self.tracking and self.revisions is not None:  # the paragraph mark itself is inserted or deleted
            props.append(f"<w:rPr><{RUN_MARKS[self.tracking]} {self.revision_attributes()}/></w:rPr>")
        xml = f"<w:p><w:pPr>{''.join(props)}</w:pPr>{content}</w:p>"
        if starts == "body":  # the cover is a section of its own, ended here: package() fills in its page setup
            self.cover = True
            xml = f"<w:p><w:pPr>{COVER_SECTION}</w:pPr></w:p>" + xml
        return xml

    def table_start(self, columns: list[str], widths: list[float]) -> None:
        self.column_widths = [twips(w) for w in widths]
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in self.column_widths)
        self.out.append(
            '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
            f'<w:tblBorders>{BORDERS}</w:tblBorders><w:tblLayout w:type="fixed"/>{CELL_MARGINS}'
            '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
            f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>")

    def table_row(self, cells: list[tuple[str, int, bool]], header: bool = False) -> None:
        xml = []
        for width, (content, rows, covered) in zip(self.column_widths, cells):
            merge = "<w:vMerge/>" if covered else ('<w:vMerge w:val="restart"/>' if rows > 1 else "")
            xml.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{merge}</w:tcPr>{content}</w:tc>')
        repeat = "<w:tblHeader/>" if header else ""
        if self.tracking and self.revisions is not None:
            repeat += f"<{ROW_MARKS[self.tracking]} {self.revision_attributes()}/>"
        self.out.append(f"<w:tr><w:trPr><w:cantSplit/>{repeat}</w:trPr>{''.join(xml)}</w:tr>")

    def table_end(self) -> None:
        self.out.append("</w:tbl>")


def escape(text: str, quote: bool = False) -> str:
    """XML character escaping (xml.sax.saxutils would pull in urllib and ssl at start-up)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


def run_xml(text: str, bold: bool = False, italic: bool = False, underline: bool = False,
            strike: bool = False) -> str:
    """Runs for one stretch of text, fonts and language named on each run; East Asian symbols get a run of
    their own in the Kai face. Tabs and line breaks become Word's own marks."""
    marks = (("<w:b/>" if bold else "") + ("<w:i/>" if italic else "") + ("<w:strike/>" if strike else "")
             + ('<w:u w:val="single"/>' if underline else ""))
    out = []
    for piece, symbol in script_pieces(text):
        fonts = FONTS_SYMBOL if symbol else FONTS_HINTED if is_east_asian(piece) else FONTS
        content = []
        for part in re.split(r"(\t|\n)", piece):
            if part == "\t":
                content.append("<w:tab/>")
            elif part == "\n":
                content.append("<w:br/>")
            elif part:
                content.append(f'<w:t xml:space="preserve">{escape(part)}</w:t>')
        out.append(f"<w:r><w:rPr>{fonts}{marks}{LANG}</w:rPr>{''.join(content)}</w:r>")
    return "".join(out) or f"<w:r><w:rPr>{FONTS}{marks}{LANG}</w:rPr></w:r>"


def core_properties(title: str, agency: str, subject: str, keywords: str) -> bytes:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    fields = {"dc:title": title, "dc:creator": agency, "cp:lastModifiedBy": agency,
              "dc:subject": subject, "cp:keywords": keywords, "dc:language": LANGUAGE}
    body = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items())
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'{body}<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>').encode("utf-8")


def cover_section(section: str) -> str:
    """The cover's section: the reference page setup without header or footer, so the cover has no number."""
    return re.sub(r"<w:(header|footer)Reference\b[^>]*/>|<w:pgNumType\b[^>]*/>|<w:titlePg\b[^>]*/>", "", section)


def numbered_from_one(section: str) -> str:
    """The body's section, its pages numbered from 1."""
    section = re.sub(r"<w:pgNumType\b[^>]*/>", "", section)
    for follower in ("<w:cols", "<w:formProt", "<w:vAlign", "<w:noEndnote", "<w:titlePg", "<w:textDirection",
                     "<w:bidi", "<w:rtlGutter", "<w:docGrid", "<w:printerSettings", "<w:sectPrChange", "</w:sectPr>"):
        if follower in section:
            return section.replace(follower, '<w:pgNumType w:start="1"/>' + follower, 1)
    return section


def package(body: Body, template: str, properties: bytes) -> bytes:
    """A whole .docx: the reference document's parts, with this body and these properties; a body with
    tracked changes also switches on track changes, so the reviewer's own edits are tracked too."""
    parts, section = reference_parts(template, os.path.getmtime(template))
    last = body.out[-1] if body.out else ""
    if last.endswith("</w:tbl>") or (body.revisions is not None and "</w:rPr></w:pPr>" in last):
        # Word expects a paragraph between a table and the section end, and never deletes the last one
        body.tracking = None
        body.out.append(body.paragraph("", "body"))
    content = "".join(body.out)
    if body.cover:
        content = content.replace(COVER_SECTION, cover_section(section))
        section = numbered_from_one(section)
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<w:document {NAMESPACES}><w:body>{content}{section}</w:body></w:document>')
    rels = unpacked(parts["word/_rels/document.xml.rels"]).decode("utf-8")
    links = "".join(f'<Relationship Id="{rid}" Type="{HYPERLINK}" Target="{escape(url, quote=True)}" '
                    'TargetMode="External"/>' for url, rid in body.links.items())
    rels = rels.replace("</Relationships>", links + "</Relationships>")
    written = {"word/document.xml": xml.encode("utf-8"), "word/_rels/document.xml.rels": rels.encode("utf-8"),
               "docProps/core.xml": properties}
    if body.revisions is not None and "word/settings.xml" in parts:
        written["word/settings.xml"] = track_revisions(unpacked(parts["word/settings.xml"]).decode("utf-8")).encode("utf-8")
    if body.cover:  # 「共 Y 頁」 counts the body's section only
        written.update({name: unpacked(part).replace(b" NUMPAGES ", b" SECTIONPAGES ") for name, part in parts.items()
                        if re.fullmatch(r"word/footer\d*\.xml", name)})
    return zip_package([(name, written.get(name, part)) for name, part in parts.items()])


def track_revisions(settings: str) -> str:
    """settings.xml with <w:trackRevisions/> on (it follows w:zoom and the view settings in schema order)."""
    if "<w:trackRevisions" in settings:
        return settings
    for before in ("<w:doNotTrackMoves", "<w:doNotTrackFormatting", "<w:documentProtection", "<w:autoFormatOverride",
                   "<w:styleLockTheme", "<w:styleLockQFSet", "<w:defaultTabStop"):
        if before in settings:
            return settings.replace(before, "<w:trackRevisions/>" + before, 1)
    return re.sub(r"(<w:settings\b[^>]*>)", r"\1<w:trackRevisions/>", settings, count=1)


def render(doc: Document, template: str) -> bytes:
    body = Body(doc.revisions)
    body.document(doc)
    properties = core_properties(plain(doc.title), doc.agency, doc.subject or f"{doc.agency} {doc.year} 年度計畫",
                                 f"{doc.agency}; {doc.year}")
    return package(body, template, properties)


def checked_template(options: dict) -> str:
    template = template_path(options.get("agency"), options.get("docx_template"))
    if not os.path.exists(template):
        raise BuildError(f"{template}: 找不到 DOCX 範本檔。 (DOCX template not found)")
    return template


def write(doc: Document, path: str, options: dict | None = None) -> None:
    write_atomic(path, render(doc, checked_template(options or {})))
