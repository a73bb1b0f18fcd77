"""Reader for Word files (.docx): paragraphs and tables in reading order.

Refuses encrypted, damaged and zip-bomb files with a message. A paragraph numbered by Word's own list
numbering (no label in its text) carries its list depth as a marker for the recogniser. Plain
paragraphs go through the text reader's line handling, so a Word file with text pasted from the web
is cleaned the same way (「- 」, <p>, bullets, chrome) and its tab-separated paragraphs become tables.
"""
from __future__ import annotations

import io
import zipfile

from . import Block, NotAPlan

MAX_DOCX_XML = 50 * 1024 * 1024   # uncompressed document.xml larger than this is refused (zip bombs)
MAX_RATIO = 200                   # nor a part compressed more than this
MAX_DOCX_TOTAL = 100 * 1024 * 1024  # nor all parts together (python-docx opens styles, numbering, headers…)
LIST_MARK = "\u2063"              # depth marker of Word's own list numbering


def _bomb(part: zipfile.ZipInfo) -> bool:
    """A part of the .docx that would decompress to an absurd size: every part counts, not only the text."""
    big = part.file_size > 1024 * 1024 and part.file_size > MAX_RATIO * max(part.compress_size, 1)
    return part.file_size > MAX_DOCX_XML or big


def read(path: str, data: bytes) -> list[Block]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        info = archive.getinfo("word/document.xml")
    except (zipfile.BadZipFile, KeyError):
        kind = "已加密（有密碼保護）或" if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" else ""
        raise NotAPlan(f"{path}: 這個 .docx 檔{kind}已損毀，無法開啟；請在 Word 另存為未加密的 .docx 後再試。"
                       " (encrypted or corrupt .docx)") from None
    parts = archive.infolist()
    if any(_bomb(part) for part in parts) or sum(part.file_size for part in parts) > MAX_DOCX_TOTAL:
        info = max(parts, key=lambda part: part.file_size)
        raise NotAPlan(f"{path}: 文件內容解壓後過大（{info.file_size} 位元組），不像計畫文件，已拒絕。"
                       " (refused: decompresses too far, a zip bomb?)")
    from docx import Document as open_docx

    try:
        word = open_docx(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on malformed parts
        raise NotAPlan(f"{path}: .docx 內容無法解析（{type(exc).__name__}）。 (malformed .docx)") from None
    from docx.oxml.ns import qn

    from .text import blocks_from_lines

    blocks: list[Block] = []
    plain: list[str] = []

    def flush() -> None:
        blocks.extend(blocks_from_lines(plain))
        plain.clear()

    for child in word.element.body.iterchildren():
        if child.tag == qn("w:p"):
            found = _paragraph(child, word)
            if found and not found[0].role and not found[0].text.startswith(LIST_MARK):
                plain.extend(b.text for b in found)
                continue
            flush()
            blocks.extend(found)
        elif child.tag == qn("w:tbl"):
            flush()
            blocks.append(Block(table=_table(child)))
    flush()
    return blocks


def _paragraph(p, word) -> list[Block]:
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    from .text import LABEL_START

    para = Paragraph(p, word)
    style = (para.style.name if para.style is not None else "").lower()
    role = "title" if style == "title" else "cover" if "cover" in style else ""
    text = para.text
    number = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
    if number is None and para.style is not None:  # numbering given by the paragraph's style
        number = para.style.element.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
    if number is not None and not LABEL_START.match(text.strip()):
        text = text.replace("\t", "")
        level = number.find(qn("w:ilvl"))
        depth = int(level.get(qn("w:val"))) if level is not None else 0
        text = LIST_MARK * (depth + 1) + text
    if role != "title":
        return [Block(text=text.strip("\n"), role=role)] if text.strip() else []
    return [Block(text=line.strip(), role=role) for line in text.split("\n") if line.strip()]


def _table(tbl) -> list[list[str | None]]:
    from docx.oxml.ns import qn

    rows = []
    for tr in tbl.iterchildren(qn("w:tr")):
        row = []
        for tc in tr.iterchildren(qn("w:tc")):
            merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
            continued = merge is not None and merge.get(qn("w:val")) in (None, "continue")
            paragraphs = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p"))]
            row.append(None if continued else "\n\n".join(p for p in paragraphs if p.strip()))
        rows.append(row)
    return rows
