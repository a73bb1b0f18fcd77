"""Tracked changes of a DOCX resolved with lxml, as Word's Accept All / Reject All do, and the text
of a DOCX paragraph by paragraph (table cells included, in reading order) to compare with."""
import zipfile

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
INSERTED = ("ins", "moveTo")
DELETED = ("del", "moveFrom")


def body_of(path):
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("word/document.xml")).find(f"{W}body")


def resolve(path, accept: bool):
    """The document body with every change accepted (or rejected)."""
    body = body_of(path)
    gone, kept = (DELETED, INSERTED) if accept else (INSERTED, DELETED)
    for row in list(body.iter(f"{W}tr")):
        marks = row.find(f"{W}trPr")
        if marks is not None and any(marks.find(W + g) is not None for g in ("del" if accept else "ins",)):
            row.getparent().remove(row)
    for element in list(body.iter(*[W + n for n in gone + kept])):
        parent = element.getparent()
        if parent is None or parent.tag == f"{W}rPr" or parent.tag == f"{W}trPr":
            continue
        if element.tag in [W + n for n in gone]:
            parent.remove(element)
        else:
            index = parent.index(element)
            for child in list(element):
                parent.insert(index, child)
                index += 1
            parent.remove(element)
    for text in list(body.iter(f"{W}delText")):
        text.tag = f"{W}t"
    for marker in list(body.iter(*[f"{W}{n}Range{e}" for n in ("moveFrom", "moveTo") for e in ("Start", "End")])):
        marker.getparent().remove(marker)
    for paragraph in list(body.iter(f"{W}p")):
        mark = paragraph.find(f"{W}pPr/{W}rPr")
        if mark is None or not any(mark.find(W + g) is not None for g in gone):
            continue
        following = paragraph.getnext()
        content = [c for c in paragraph if c.tag != f"{W}pPr"]
        if following is not None and following.tag == f"{W}p":
            at = 1 if following.find(f"{W}pPr") is not None else 0
            for child in content:
                following.insert(at, child)
                at += 1
            paragraph.getparent().remove(paragraph)
        elif not text_of(paragraph):
            paragraph.getparent().remove(paragraph)
    for table in list(body.iter(f"{W}tbl")):
        if table.find(f"{W}tr") is None:
            table.getparent().remove(table)
    return body


def text_of(paragraph) -> str:
    out = []
    for node in paragraph.iter(f"{W}t", f"{W}delText", f"{W}tab", f"{W}br"):
        if node.tag == f"{W}tab":
            if node.getparent().tag == f"{W}r":
                out.append("\t")
        elif node.tag == f"{W}br":
            out.append("\n")
        else:
            out.append(node.text or "")
    return "".join(out)


def paragraphs(body) -> list[str]:
    """The text of every paragraph; empty paragraphs at the very end (Word always keeps one) left out."""
    found = [text_of(p) for p in body.iter(f"{W}p")]
    while found and not found[-1]:
        found.pop()
    return found


def plain_paragraphs(path) -> list[str]:
    return paragraphs(body_of(path))
