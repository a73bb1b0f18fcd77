"""The 修正對照表 as DOCX: 修正規定 | 現行規定 | 說明, one row per change in document order.

New text is underlined where it was added, old text struck through where it was removed; 說明 comes
from the item's `note` in the new plan, else is left empty for the officer. Page setup and styles are
the plan's own reference document.
"""
from __future__ import annotations

from ..diff import Change, Review
from ..files import write_atomic
from ..writers.docx import Body, checked_template, core_properties, package
from . import KIND_NAMES

COLUMNS = ["修正規定", "現行規定", "說明"]
WEIGHTS = [4, 4, 2]


def side(body: Body, change: Change, new: bool) -> str:
    """One side of a row: the point's number, then its text with the edits marked."""
    path = change.new_path if new else change.old_path
    if (change.new if new else change.old) is None:
        return body.paragraph("", "table")
    runs = [body.run(f"{path}　", bold=True)] if path else []
    for op, piece in change.pieces():
        if op == 0:
            runs.append(body.runs(piece))
        elif op == 1 and new:
            runs.append(body.runs(piece.styled(underline=True)))
        elif op == -1 and not new:
            runs.append(body.runs(piece.styled(strike=True)))
    return body.paragraph("".join(runs), "table")


def render(review: Review, template: str) -> bytes:
    body = Body()
    body.out.append(body.paragraph(body.runs(f"{review.new_title}修正對照表"), "title"))
    if not review.changes:
        body.out.append(body.paragraph(body.runs("兩份計畫內容相同，沒有修正。"), "body"))
    else:
        body.header(COLUMNS, WEIGHTS)
        for change in review.changes:
            cells = [side(body, change, True), side(body, change, False),
                     body.paragraph(body.runs(change.note or ""), "table")]
            body.table_row([(cell, 1, False) for cell in cells])
        body.table_end()
    counts = "、".join(f"{KIND_NAMES[k]} {n} 項" for k, n in review.summary.items() if n)
    agency = review.new_doc.agency if review.new_doc is not None else ""
    properties = core_properties(f"{review.new_title}修正對照表", agency, counts or "無修正",
                                 f"{review.old_name}; {review.new_name}")
    return package(body, template, properties)


def write(review: Review, path: str, options: dict | None = None) -> None:
    options = options or {}
    write_atomic(path, render(review, checked_template(options)))
