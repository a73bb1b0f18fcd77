"""Plan import: lines put back together — lines wrapped mid-sentence rejoined, a label alone on its
line joined to the text that follows.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from ..readers import Block
from ..readers import LIST_MARK
from .labels import LABEL, label_of

SENTENCE_END = "。：:；;！!？?」』）)"
SHORT_PARAGRAPH = 12   # a line this short with blank lines around it is a paragraph, not a wrapped line
APPENDIX = re.compile(r"^(附表|附件|附錄)[\s　一二三四五六七八九十\d：:]")
CODE_LINE = re.compile(r"^[A-Z]{1,2}(?:-\d+)+\s")   # 「A-1-1-1 單一窗口服務」: a heading of its own


def rejoin(blocks: list[Block]) -> list[Block]:
    """Lines wrapped mid-sentence become one line again; a label alone on its line joins the next."""
    out: list[Block] = []
    for block in blocks:
        if (out and out[-1].table is None and LABEL.fullmatch(out[-1].text) and block.table is None
                and not LABEL.match(block.text)):   # 「壹、」 then 「貳、」: an empty section, then the next
            out[-1].text = f"{out[-1].text} {block.text}"
            continue
        previous = out[-1] if out else None
        if (previous is not None and block.table is None and previous.table is None and not block.role
                and not previous.role and previous.text and not _unbold(previous.text).endswith(tuple(SENTENCE_END))
                and not (previous.alone and len(previous.text) <= SHORT_PARAGRAPH)
                and not LABEL.match(block.text) and not block.text.startswith(LIST_MARK)
                and not is_heading(previous.text) and not CODE_LINE.match(previous.text)
                and not CODE_LINE.match(block.text)):
            joiner = " " if _latin_edge(previous.text[-1], block.text[0]) else ""
            previous.text = previous.text + joiner + block.text
            if previous.body_indent is None:
                previous.body_indent = block.indent
            continue
        out.append(replace(block))
    return out


def _unbold(text: str) -> str:
    """A line without a bold mark at its end (「…**準時辦理。**」 ends a sentence)."""
    return re.sub(r"(?<!\\)\*\*$", "", text)


def _latin_edge(left: str, right: str) -> bool:
    return left.isascii() and right.isascii() and left.isalnum() and right.isalnum()


def is_heading(text: str) -> bool:
    """A heading that its body follows on the next line, never a line wrapped mid-sentence: an
    appendix's title, a level-1
    heading 「伍、實施策略與方法」 (short, nothing after it on the line), or at any level a short title
    without punctuation 「一、年度施政目標」 — a line wrapped at the page's width is longer."""
    if APPENDIX.match(text):
        return len(text) <= 24   # 「附件一　經費概算表」: the title of an appendix, its body below
    found = label_of(text)
    if not found:
        return False
    return (found[0] == "壹" and len(found[2]) <= 16) or bool(SHORT_TITLE.fullmatch(found[2]))


SHORT_TITLE = re.compile(r"[^\s，,。；;：:、]{2,16}")


def squeeze(text: str) -> str:
    """Text for comparison: width-normalised, without any whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
