"""Plan import: numbering labels at the start of a line (壹、 一、 （一） 1. （1） 甲、 …).

The patterns are those of pipeline/numbering.py, the module that prints the labels: one set for both.
"""
from __future__ import annotations

import re

from ..numbering import reading_patterns
from ..readers.docx import LIST_MARK

LABELS = reading_patterns()   # (style, pattern), the style names of pipeline.numbering
LABEL = re.compile("|".join(f"(?P<s{i}>{p})" for i, (_, p) in enumerate(LABELS)))


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
