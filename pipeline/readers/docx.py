"""Reader for Word files (.docx): paragraphs and tables in reading order.

Refuses encrypted, damaged and zip-bomb files with a message. A paragraph numbered by Word's own list
numbering (no label in its text) carries its list depth as a marker for the recogniser. Plain
paragraphs go through the text reader's line handling, so a Word file with text pasted from the web
is cleaned the same way (「- 」, <p>, bullets, chrome) and its tab-separated paragraphs become tables.

Bold is kept as plan text's **…** (literal asterisks escaped): a run is bold as Word shows it — its own
w:b, else its character style's, else its paragraph style's, each following the styles it is based on,
and w:b w:val="0"/"false"/"off" turns bold off. A paragraph bold throughout apart from its label is a
title or heading and stays plain: the project's own DOCX sets its titles and headings bold by their
styles (Title, Heading 1), offices by hand or by a style of their own, and neither is emphasis; the
rest (joining split runs, labels and white space outside the marks) is emphasis.py's.
"""
from __future__ import annotations

import io
import re
import zipfile

from ..numbering import branch, chinese_numeral, legal_numeral, stem
from . import FULL_WIDTH, LIST_MARK, Block, NotAPlan, carriable, too_large
from .emphasis import marked


def read(path: str, data: bytes) -> list[Block]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        archive.getinfo("word/document.xml")  # a Word document has one
    except (zipfile.BadZipFile, KeyError):
        kind = "已加密（有密碼保護）或" if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" else ""
        raise NotAPlan(f"{path}: 這個 .docx 檔{kind}已損毀，無法開啟；請在 Word 另存為未加密的 .docx 後再試。"
                       " (encrypted or corrupt .docx)") from None
    too_large(path, archive.infolist())
    from docx import Document as open_docx

    try:
        word = open_docx(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on malformed parts
        raise NotAPlan(f"{path}: .docx 內容無法解析（{type(exc).__name__}）。 (malformed .docx)") from None
    from docx.oxml.ns import qn

    from .text import blocks_from_lines

    blocks: list[Block] = []
    plain: list[str] = []
    labels = ListLabels(word)
    bold = Bold(word)

    def flush() -> None:
        blocks.extend(blocks_from_lines(plain))
        plain.clear()

    pictures = {qn("w:drawing"), qn("w:pict"), qn("w:object")}
    for child in _blocks_of(word.element.body):
        if child.tag == qn("w:p"):
            found = _paragraph(child, word, labels, bold)
            if found and not found[0].role and not found[0].text.startswith(LIST_MARK):
                plain.extend(b.text for b in found)
            else:
                flush()
                blocks.extend(found)
            if any(element.tag in pictures for element in child.iter()):
                flush()
                blocks.append(Block(role="figure"))   # a picture, chart or text box: a plan file has none
        elif child.tag == qn("w:tbl"):
            flush()
            blocks.append(Block(table=_table(child, bold)))
    flush()
    return blocks


def _blocks_of(body):
    """The paragraphs and tables of the body in order, also those inside content controls (w:sdt) and
    custom XML, which Word templates wrap around parts of a document."""
    from docx.oxml.ns import qn

    for child in body.iterchildren():
        if child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks_of(content)
        elif child.tag == qn("w:customXml"):
            yield from _blocks_of(child)
        else:
            yield child


def visible_text(p, bold: "Bold | None" = None) -> str:
    """A paragraph's text as it reads with every tracked change accepted: inserted runs (w:ins) and runs
    inside content controls, smart tags, hyperlinks and fields count; deleted and moved-away text does not.
    Bold, as the document's `bold` reads its runs, is kept as **…** and literal asterisks are escaped (emphasis.py)."""
    from docx.oxml.ns import qn

    skipped = {qn("w:del"), qn("w:moveFrom"), qn("w:pPr"), qn("w:rPr"), qn("w:txbxContent"), qn("w:instrText")}
    breaks = {qn("w:br"): "\n", qn("w:cr"): "\n", qn("w:tab"): "\t", qn("w:noBreakHyphen"): "-"}
    pieces: list[tuple[str, bool]] = []
    run_bold = bold.of(p) if bold is not None else (lambda run: False)

    def walk(element, strong: bool) -> None:
        for child in element.iterchildren():
            if child.tag in skipped:
                continue
            if child.tag == qn("w:t"):
                pieces.append((carriable(child.text or ""), strong))
            elif child.tag in breaks:
                pieces.append((breaks[child.tag], strong))
            else:
                walk(child, run_bold(child) if child.tag == qn("w:r") else strong)

    walk(p, False)
    return marked(pieces)


def _toggle(rpr) -> bool | None:
    """w:b in run properties: True, False (val 0, false, off), or None when not set there."""
    from docx.oxml.ns import qn

    b = rpr.find(qn("w:b")) if rpr is not None else None
    if b is None:
        return None
    return b.get(qn("w:val"), "true").lower() not in ("0", "false", "off")


class Bold:
    """Whether a run is bold as Word shows it: its own w:b, else its character style's (and the styles
    it is based on), else its paragraph style's. Made once per document, for its styles."""

    def __init__(self, word):
        from docx.oxml.ns import qn

        self.styles = {s.get(qn("w:styleId")): s for s in word.styles.element.iterchildren(qn("w:style"))}
        self.default = next((k for k, s in self.styles.items() if s.get(qn("w:type")) == "paragraph"
                             and s.get(qn("w:default")) in ("1", "true", "on")), None)

    def _style(self, style_id) -> bool | None:
        from docx.oxml.ns import qn

        seen = set()
        while style_id and style_id not in seen and style_id in self.styles:
            seen.add(style_id)
            style = self.styles[style_id]
            found = _toggle(style.find(qn("w:rPr")))
            if found is not None:
                return found
            based = style.find(qn("w:basedOn"))
            style_id = based.get(qn("w:val")) if based is not None else None
        return None

    def of(self, p):
        """A function telling whether a run of paragraph `p` is bold."""
        from docx.oxml.ns import qn

        ref = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        paragraph = self._style(ref.get(qn("w:val")) if ref is not None else self.default)

        def run_bold(run) -> bool:
            rpr = run.find(qn("w:rPr"))
            own = _toggle(rpr)
            if own is not None:
                return own
            ref = rpr.find(qn("w:rStyle")) if rpr is not None else None
            character = self._style(ref.get(qn("w:val"))) if ref is not None else None
            return bool(character if character is not None else paragraph)

        return run_bold


def _paragraph(p, word, labels: "ListLabels", bold: "Bold") -> list[Block]:
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    from .text import LABEL_START

    para = Paragraph(p, word)
    style = (para.style.name if para.style is not None else "").lower()
    role = "title" if style == "title" else "cover" if "cover" in style else ""
    text = visible_text(p, bold)
    number = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
    if number is None and para.style is not None:  # numbering given by the paragraph's style
        number = para.style.element.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
    if number is not None and not LABEL_START.match(text.strip()):
        text = text.replace("\t", "")
        level = number.find(qn("w:ilvl"))
        depth = int(level.get(qn("w:val"))) if level is not None else 0
        instance = number.find(qn("w:numId"))
        shown = labels.next(instance.get(qn("w:val")) if instance is not None else None, depth)
        if shown != "":
            text = (shown or LIST_MARK * (depth + 1)) + text
    if role != "title":
        return [Block(text=text.strip("\n"), role=role)] if text.strip() else []
    return [Block(text=line.strip(), role=role) for line in text.split("\n") if line.strip()]


class ListLabels:
    """The labels Word draws for its own list numbering (numbering.xml), counted as Word counts them:
    「%1、」 in taiwaneseCountingThousand gives 一、二、, ideographLegalTraditional 壹、貳、, 「（%2）」 （一）.
    `next` gives a paragraph's label; None when its format is not one a plan uses (bullets, letters), so
    only its depth is known; "" when the paragraph is not numbered after all (numId 0)."""

    FORMATS = {"decimal": str, "decimalZero": str, "ideographLegalTraditional": lambda n: legal_numeral(n),
               "taiwaneseCountingThousand": lambda n: chinese_numeral(n), "taiwaneseCounting": lambda n: chinese_numeral(n),
               "chineseCounting": lambda n: chinese_numeral(n), "chineseCountingThousand": lambda n: chinese_numeral(n),
               "ideographTraditional": lambda n: stem(n), "ideographZodiac": lambda n: branch(n),
               "decimalFullWidth": lambda n: str(n).translate(FULL_WIDTH), "decimalFullWidth2": lambda n: str(n).translate(FULL_WIDTH),
               "decimalEnclosedParen": lambda n: f"({n})"}

    def __init__(self, word):
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}   # numId → level → (format, text, start)
        self.counts: dict[str, dict[int, int]] = {}
        from docx.opc.constants import RELATIONSHIP_TYPE
        from docx.oxml.ns import qn

        try:  # asked by relationship: python-docx's numbering_part would try to make one the file lacks
            numbering = word.part.part_related_by(RELATIONSHIP_TYPE.NUMBERING).element
        except KeyError:  # no list numbering in this file
            return

        abstract = {a.get(qn("w:abstractNumId")): a for a in numbering.iterchildren(qn("w:abstractNum"))}
        for num in numbering.iterchildren(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            definition = abstract.get(ref.get(qn("w:val"))) if ref is not None else None
            if definition is None:
                continue
            levels = {}
            for lvl in definition.iterchildren(qn("w:lvl")):
                fmt, text, start = (lvl.find(qn(f"w:{tag}")) for tag in ("numFmt", "lvlText", "start"))
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = (
                    fmt.get(qn("w:val"), "decimal") if fmt is not None else "decimal",
                    text.get(qn("w:val"), "") if text is not None else "",
                    int(start.get(qn("w:val"), "1")) if start is not None else 1)
            for override in num.iterchildren(qn("w:lvlOverride")):
                restart = override.find(qn("w:startOverride"))
                level = int(override.get(qn("w:ilvl"), "0"))
                if restart is not None and level in levels:
                    levels[level] = (*levels[level][:2], int(restart.get(qn("w:val"), "1")))
            self.levels[num.get(qn("w:numId"))] = levels

    def next(self, num_id: str | None, depth: int) -> str | None:
        if num_id == "0":
            return ""
        levels = self.levels.get(num_id or "")
        if not levels or depth not in levels:
            return None
        counts = self.counts.setdefault(num_id, {})
        counts[depth] = counts.get(depth, levels[depth][2] - 1) + 1
        for deeper in [d for d in counts if d > depth]:
            del counts[deeper]   # a deeper level starts again under each item of this one
        if any(_shape(levels[d]) == _shape(levels[depth]) for d in levels if d < depth):
            return None   # drawn as a shallower level is (「1.」 under 「1.」): its depth tells it apart
        text = levels[depth][1]
        for level in sorted({int(k) - 1 for k in re.findall(r"%(\d)", text)}, reverse=True):
            fmt, _, start = levels.get(level, ("", "", 1))
            if fmt not in self.FORMATS:
                return None
            text = text.replace(f"%{level + 1}", self.FORMATS[fmt](counts.get(level, start)))
        return text or None


def _shape(level: tuple[str, str, int]) -> tuple[str, str]:
    """A list level's look: its number format and its text without the level it counts."""
    return level[0], re.sub(r"%\d", "%", level[1])


def _table(tbl, bold) -> list[list[str | None]]:
    from docx.oxml.ns import qn

    rows = []
    for tr in tbl.iterchildren(qn("w:tr")):
        if tr.find(f"{qn('w:trPr')}/{qn('w:del')}") is not None:  # a row deleted with changes tracked
            continue
        row = []
        for tc in tr.iterchildren(qn("w:tc")):
            merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
            continued = merge is not None and merge.get(qn("w:val")) in (None, "continue")
            paragraphs = [visible_text(p, bold) for p in tc.iter(qn("w:p"))]
            row.append(None if continued else "\n\n".join(p for p in paragraphs if p.strip()))
            span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
            if span is not None and span.get(qn("w:val"), "1").isdigit():
                # a cell merged across columns: the columns it covers stay in place, empty
                row.extend([None if continued else ""] * (int(span.get(qn("w:val"))) - 1))
        rows.append(row)
    return rows
