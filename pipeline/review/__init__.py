"""Stage 4 for the year-over-year review: Review → documents and reports.

The 修正對照表 and the tracked plan are Documents (review/documents.py) written by the plan's own
writers through the one registry (pipeline.writers.writer): DOCX, ODT, PDF and HTML. Text and JSON
come straight from the changes (text.py; JSON is the `plan diff` layout of the design notes), and
html.py is the review's web page (counts, jump links, a switch for year-only changes).
"""
from __future__ import annotations

import json

from ..diff import Review

# docx/odt/pdf: the 修正對照表; tracked*: the new plan with tracked changes (tracked = DOCX)
FORMATS = ("text", "html", "docx", "json", "odt", "pdf", "tracked", "tracked-odt", "tracked-html", "tracked-pdf")
KIND_NAMES = {"added": "新增", "removed": "刪除", "modified": "修改", "moved": "移動", "year": "年度更新", "format": "格式"}
SUFFIXES = {"text": "txt", "tracked": "tracked.docx", "tracked-odt": "tracked.odt", "tracked-html": "tracked.html",
            "tracked-pdf": "tracked.pdf"}


def to_json(review: Review) -> str:
    return json.dumps(review.as_json(), ensure_ascii=False, indent=2) + "\n"


def for_terminal(review: Review, fmt: str, colour: bool) -> str:
    """The review as `plan diff` prints it: text (coloured on a terminal) or JSON with unprintable characters escaped."""
    if fmt == "text":
        from .text import render

        return render(review, colour=colour)
    from ..errors import json_for_terminal

    return json_for_terminal(to_json(review))


def write(review: Review, fmt: str, path: str, options: dict | None = None) -> None:
    from ..files import write_atomic  # not needed when the review goes to the terminal

    options = options or {}
    if fmt == "json":
        write_atomic(path, to_json(review).encode("utf-8"))
    elif fmt == "text":
        from .text import render

        write_atomic(path, render(review, colour=False).encode("utf-8"))
    elif fmt == "html":
        from .html import write as write_html

        write_html(review, path, options)
    elif fmt in FORMATS:
        from ..writers import writer
        from .documents import comparison, tracked

        if fmt.startswith("tracked"):
            document, target = tracked(review, options.get("author"), options.get("date")), fmt[8:] or "docx"
        else:
            document, target = comparison(review, options.get("fold_years", False)), fmt
        writer(target).write(document, path, {"agency": review.new_doc.agency, **options})
    else:
        raise ValueError(fmt)
