"""Plan import: numbering labels (壹、 一、 （一） 1. （1） 甲、 …) at the start of a line, and inside one.

The patterns are those of pipeline/numbering.py, the module that prints the labels: one set for both.
A label inside a line (text from a PDF preview, a whole document on one line) splits the line only
where the sequence confirms it: 一、 after a heading, 二、 after 一、, （一） followed by （二）.
"""
from __future__ import annotations

import re

from ..numbering import BRANCHES, DIGITS, LEGAL_DIGITS, STEMS, reading_patterns
from ..readers import LIST_MARK

LABELS = reading_patterns()   # (style, pattern), the style names of pipeline.numbering
LABEL = re.compile("|".join(f"(?P<s{i}>{p})" for i, (_, p) in enumerate(LABELS)))
_INLINE_START = re.compile(r"(?:(?<=^)|(?<=[\s。：:；;！？!?]))")
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}


def label_of(text: str) -> tuple[str, str, str] | None:
    """(style, label, rest) when the line starts with a numbering label."""
    marker = re.match(f"{LIST_MARK}+", text)
    if marker:
        return (f"word{len(marker.group(0))}", "", text[marker.end():].strip())
    match = LABEL.match(text)
    if not match:
        return None
    style = LABELS[int(match.lastgroup[1:])][0]
    rest = text[match.end():].strip()
    if not rest and style not in ("壹",):
        return None
    return style, match.group(0), rest


def value_of(label: str) -> int:
    """The count a label stands for: 參、→ 3, （十二）→ 12, 2. → 2, 乙、→ 2; 0 when unreadable."""
    core = re.sub(r"[（()）、.．\s]", "", label)
    core = core.translate(str.maketrans("０１２３４５６７８９叁〇", "0123456789參零"))
    if core.isdigit():
        return int(core)
    if len(core) == 1 and core in STEMS:
        return STEMS.index(core) + 1
    if len(core) == 1 and core in BRANCHES:
        return BRANCHES.index(core) + 1
    return chinese_value(core)


def chinese_value(text: str) -> int:
    """一百零八 → 108, 拾壹 → 11, 十二 → 12, 九十七 → 97, and digit by digit 一〇六 → 106, 一○八 → 108;
    0 when the text is not a numeral."""
    text = text.replace("○", "〇")
    if len(text) > 1 and not any(ch in _UNITS for ch in text):  # written digit by digit, as in dates
        values = [0 if ch in "〇零" else DIGITS.index(ch) if ch in DIGITS else -1 for ch in text]
        return 0 if -1 in values else int("".join(map(str, values)))
    total, digit = 0, None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS.index(ch)
        elif ch in LEGAL_DIGITS:
            digit = LEGAL_DIGITS.index(ch)
        elif ch in _UNITS:
            total += (digit if digit is not None else 1) * _UNITS[ch]
            digit = None
        else:
            return 0
    return total + (digit or 0)


def split_inline(text: str, last: dict[str, int]) -> list[str]:
    """The line cut before each label inside it that the sequence confirms; `last` carries the
    latest count of each style from the lines before, and is updated."""
    found = []
    for match in LABEL.finditer(text):
        start = match.start()
        if start and not re.match(r"[\s。：:；;！？!?]", text[start - 1]):
            continue
        style = LABELS[int(match.lastgroup[1:])][0]
        if style == "1" and not re.search(r"[.．、]$", match.group(0)):
            continue  # a bare number inside a sentence is a quantity, not a label
        found.append((start, style, value_of(match.group(0)), match.end()))
    cuts = []
    for i, (start, style, value, end) in enumerate(found):
        confirmed = (start == 0 or value == last.get(style, 0) + 1 and value > 1
                     or value == 1 and (style == "壹" or _sibling_follows(found[i + 1:], style)
                                        or _after_heading(cuts, found, text, start)))
        if confirmed:
            last[style] = value
            for deeper in [s for s in last if _deeper(s, style)]:
                last.pop(deeper)
            cuts.append((start, style, end))
    if len(cuts) <= 1 and (not cuts or cuts[0][0] == 0):
        return [text]
    pieces, previous = [], 0
    for start, _, _ in cuts:
        if start > previous:
            pieces.append(text[previous:start].strip())
        previous = start
    pieces.append(text[previous:].strip())
    return [p for p in pieces if p]


def _sibling_follows(rest: list, style: str) -> bool:
    return any(s == style and v == 2 for _, s, v, _ in rest)


def _after_heading(cuts: list, found: list, text: str, start: int) -> bool:
    """A first label right after a confirmed label's short heading: 「壹、民政類 一、年度施政目標」."""
    if not cuts:
        return False
    _, _, end = cuts[-1]
    between = text[end:start].strip()
    return 0 < len(between) <= 16 and not re.search(r"[，,。；;]", between)


ORDER = ["壹", "一", "（一）", "1", "（1）", "甲", "（甲）", "子", "（子）"]


def _deeper(style: str, than: str) -> bool:
    return style in ORDER and than in ORDER and ORDER.index(style) > ORDER.index(than)


def heading_and_body(rest: str) -> tuple[str, str] | None:
    """「年度施政目標 依據地方制度法…」: a short heading and its body, on one line separated by a space."""
    match = re.match(r"^([^\s，,。；;：:]{2,16})\s+(\S.{16,})$", rest)
    return (match.group(1), match.group(2)) if match else None
