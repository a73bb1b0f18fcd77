"""Stage 4 for the year-over-year review: Review → text, JSON, an HTML page, the 修正對照表 DOCX, and
the new plan with Word tracked changes.

One module per format (text.py, html.py, docx.py, tracked.py; JSON is the `plan diff` layout of the
design notes), each with write(review, path, options).
"""
from __future__ import annotations

import json

from ..diff import Review
from ..files import write_atomic

FORMATS = ("text", "html", "docx", "json", "tracked")  # tracked: the new plan with Word tracked changes
KIND_NAMES = {"added": "新增", "removed": "刪除", "modified": "修改", "moved": "移動", "year": "年度更新"}


def to_json(review: Review) -> str:
    return json.dumps(review.as_json(), ensure_ascii=False, indent=2) + "\n"


def write(review: Review, fmt: str, path: str, options: dict | None = None) -> None:
    if fmt == "json":
        write_atomic(path, to_json(review).encode("utf-8"))
    elif fmt == "text":
        from .text import render

        write_atomic(path, render(review, colour=False).encode("utf-8"))
    elif fmt == "html":
        from .html import write as write_html

        write_html(review, path, options)
    elif fmt == "docx":
        from .docx import write as write_docx

        write_docx(review, path, options)
    elif fmt == "tracked":
        from .tracked import write as write_tracked

        write_tracked(review, path, options)
    else:
        raise ValueError(fmt)
