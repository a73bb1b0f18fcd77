"""Writes templates/reference.docx: the page setup and styles every DOCX plan starts from.

Layout per 政府文書格式參考規範: A4, 2.5 cm margins; 標楷體 (open fallback TW-Kai) for Chinese and
Times New Roman for Latin letters and digits; 16 pt body on an exact 28 pt line; 20 pt bold centred
title; page numbers 「第 X 頁，共 Y 頁」 centred in the footer at 10 pt. An agency can replace the
file (or put its own under templates/agencies/<agency>/reference.docx) without touching code.

Run: .venv/bin/python tools/make_reference_docx.py
"""
from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

EAST_ASIAN = "標楷體"
OPEN_KAI = "TW-Kai"
LANGUAGE = "zh-TW"  # what a screen reader speaks and what the PDF declares (/Lang)
LATIN = "Times New Roman"
OUT = Path(__file__).resolve().parent.parent / "templates" / "reference.docx"


def set_fonts(rpr_parent) -> None:
    rpr = rpr_parent.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_parent.insert(1 if rpr_parent.tag == qn("w:style") else 0, rpr)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for name, value in (("w:ascii", LATIN), ("w:hAnsi", LATIN), ("w:eastAsia", EAST_ASIAN), ("w:cs", LATIN)):
        fonts.set(qn(name), value)
    set_language(rpr)


def set_language(rpr) -> None:
    """zh-TW for Latin and East Asian text (w:lang is near the end of w:rPr: append it, or reuse the one there)."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    lang.set(qn("w:bidi"), "ar-SA")


def style_paragraph(style, size: float, bold: bool = False, align=None, line: float = 28) -> None:
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    set_fonts(style.element)
    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line)
    if align is not None:
        fmt.alignment = align
    ppr = style.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    # Characters grid off, so that full-width text and Latin text keep their own widths.
    snap = ppr.find(qn("w:snapToGrid"))
    if snap is None:
        snap = OxmlElement("w:snapToGrid")
        ppr.find(qn("w:spacing")).addprevious(snap)  # schema order: snapToGrid before spacing
    snap.set(qn("w:val"), "0")


def add_field(paragraph, instruction: str) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == instruction:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)


def font_table_fallback(document) -> None:
    """Name the open Kai face as 標楷體's alternative for machines without it."""
    part = next((rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/fontTable")), None)
    if part is None:
        return
    from lxml import etree

    root = etree.fromstring(part.blob)
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    for old in root.xpath(f"w:font[@w:name='{EAST_ASIAN}']", namespaces=ns):
        root.remove(old)
    font = etree.SubElement(root, qn("w:font"))
    font.set(qn("w:name"), EAST_ASIAN)
    for tag, value in (("w:altName", OPEN_KAI), ("w:panose1", "03000509000000000000"), ("w:charset", "88"),
                       ("w:family", "script"), ("w:pitch", "fixed")):
        child = etree.SubElement(font, qn(tag))
        child.set(qn("w:val"), value)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def finish_package(path: Path) -> None:
    """What python-docx's blank document carries and a plan's file should not.

    - the sample thumbnail;
    - word/stylesWithEffects.xml: Word 2010's copy of the styles, which python-docx never updates; a copy
      that does not match styles.xml makes Word offer to repair the file, and Word does without it;
    - settings' theme font languages (en-US, ja-JP): the document's languages are zh-TW.
    """
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    for name in ("docProps/thumbnail.jpeg", "word/stylesWithEffects.xml"):
        parts.pop(name, None)
    for rels in ("_rels/.rels", "word/_rels/document.xml.rels"):
        text = parts[rels].decode("utf-8")
        parts[rels] = re.sub(r"<Relationship [^>]*(thumbnail|stylesWithEffects)[^>]*/>", "", text).encode("utf-8")
    types = parts["[Content_Types].xml"].decode("utf-8")
    types = re.sub(r'<Override PartName="/word/stylesWithEffects.xml"[^>]*/>', "", types)
    parts["[Content_Types].xml"] = types.encode("utf-8")
    settings = parts["word/settings.xml"].decode("utf-8")
    settings = re.sub(r"<w:themeFontLang [^>]*/>", f'<w:themeFontLang w:val="{LANGUAGE}" w:eastAsia="{LANGUAGE}"/>',
                      settings)
    assert f'w:eastAsia="{LANGUAGE}"' in settings, "settings.xml has no w:themeFontLang"
    parts["word/settings.xml"] = settings.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def main() -> int:
    document = Document()
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    set_fonts(defaults.find(qn("w:rPrDefault")))
    style_paragraph(styles["Normal"], 16)
    style_paragraph(styles["Title"], 20, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, line=32)
    styles["Title"].paragraph_format.space_after = Pt(12)
    style_paragraph(styles["Heading 1"], 16, bold=True)
    style_paragraph(styles["Heading 2"], 16)
    style_paragraph(styles["Heading 3"], 16)
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        styles[name].paragraph_format.keep_with_next = True
    for name, size, line, align in (("Plan Item", 16, 28, None), ("Plan Body", 16, 28, None),
                                    ("Plan Cover", 20, 40, WD_ALIGN_PARAGRAPH.CENTER),
                                    ("Plan Table", 12, 18, None), ("Plan Note", 12, 18, None)):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style_paragraph(style, size, align=align, line=line)
    styles["Plan Cover"].font.bold = True
    style_paragraph(styles["Footer"], 10, align=WD_ALIGN_PARAGRAPH.CENTER, line=12)

    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    section.footer_distance = Cm(1.2)
    footer = section.footer.paragraphs[0]
    footer.style = styles["Footer"]
    footer.add_run("第 ")
    add_field(footer, "PAGE")
    footer.add_run(" 頁，共 ")
    add_field(footer, "NUMPAGES")
    footer.add_run(" 頁")
    for run in footer.runs:
        set_fonts(run._r)
    font_table_fallback(document)
    document.core_properties.title = ""
    document.core_properties.author = ""
    document.core_properties.comments = "Reference document for plan DOCX output"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(OUT))
    finish_package(OUT)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
