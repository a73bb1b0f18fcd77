"""The new plan as DOCX with Word's own tracked changes (w:ins / w:del) against the old one.

Reviewers open it in Word or LibreOffice and accept or reject each change. It is the plan's DOCX
(same reference document and layout) with, for every change of the review: inserted text and
paragraphs marked as insertions; removed parts put back where they stood, marked as deletions;
modified wording as a phrase-level redline inside the paragraph; a moved part as a deletion where it
was and an insertion where it is. Changes inside table rows are not tracked: tables show the new text.
"""
from __future__ import annotations

from datetime import datetime, timezone

from ..diff import Change, Review, units_of
from ..files import write_atomic
from ..inline import plain
from ..tree import Document, Entry, Paragraph
from ..writers.docx import Body, checked_template, core_properties, package, run_xml
from ..writers.layout import BODY_PT, hang_of, role_of

AUTHOR = "plan diff"


class TrackedBody(Body):
    def __init__(self, review: Review, new_doc: Document):
        super().__init__()
        self.date = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.revision = 0
        self.inserting = False
        self.changed: dict[int, Change] = {}        # id(new entry) → its change
        self.title_change: Change | None = None
        self.deleted_after: dict[int, list[Change]] = {}  # id(new entry), or -1 for the top → removed parts
        new_units = units_of(new_doc)
        for change in review.changes:
            unit = change.new_unit
            if unit is not None and unit.kind == "title":
                self.title_change = change
            elif unit is not None and unit.entry is not None:
                self.changed[id(unit.entry)] = change
            if change.kind in ("removed", "moved") and change.old_unit is not None and change.old_unit.entry is not None:
                anchor = new_units[change.old_anchor].entry if change.old_anchor > 0 else None
                self.deleted_after.setdefault(id(anchor) if anchor is not None else -1, []).append(change)

    # ---- marks -----------------------------------------------------------------------------------

    def _attributes(self) -> str:
        self.revision += 1
        return f'w:id="{self.revision}" w:author="{AUTHOR}" w:date="{self.date}"'

    def inserted(self, runs: str) -> str:
        return f"<w:ins {self._attributes()}>{runs}</w:ins>" if runs else ""

    def deleted(self, text: str) -> str:
        if not text:
            return ""
        runs = run_xml(text).replace("<w:t ", "<w:delText ").replace("</w:t>", "</w:delText>")
        return f"<w:del {self._attributes()}>{runs}</w:del>"

    def marked(self, paragraph: str, mark: str) -> str:
        """The paragraph mark itself inserted or deleted, so accepting or rejecting removes the paragraph."""
        return paragraph.replace("</w:pPr>", f"<w:rPr><w:{mark} {self._attributes()}/></w:rPr></w:pPr>", 1)

    def redline(self, old: str, new: str) -> str:
        parts = []
        for op, text in Change("modified", None, None, old, new).redline():
            if op == 0:
                parts.append(self.runs(text))
            elif op == 1:
                parts.append(self.inserted(self.runs(text)))
            else:
                parts.append(self.deleted(text))
        return "".join(parts)

    # ---- the document ------------------------------------------------------------------------------

    def document(self, doc: Document) -> None:
        start = len(self.out)
        super().document(doc)
        title_at = next(i for i in range(start, len(self.out)) if '<w:pStyle w:val="Title"/>' in self.out[i])
        if self.title_change is not None:  # the title unit holds the title lines, then the cover's
            old_lines = (self.title_change.old or "").split("\n")[:len(doc.title_lines)]
            self.out[title_at] = self.paragraph(self.redline("\n".join(old_lines), "\n".join(doc.title_lines)),
                                                "title", starts="body" if doc.cover or doc.issued else None)
        self.out[title_at + 1:title_at + 1] = self.deleted_parts(-1, 0.0)

    def entry(self, entry: Entry, base_em: float) -> None:
        change = self.changed.get(id(entry))
        kind = change.kind if change else None
        was_inserting = self.inserting
        if kind in ("added", "moved"):
            self.inserting = True
        old_entry = change.old_unit.entry if change is not None and change.old_unit is not None else None
        edited = kind in ("modified", "year") and old_entry is not None
        heading = self.redline(old_entry.heading, entry.heading) if edited else None
        first, start = self.labelled(entry, role_of(entry), base_em, BODY_PT, heading)
        if edited:
            bodies = self._paired_bodies(old_entry.body, entry.body, start)
        else:
            bodies = [self.paragraph(self.runs(t), "body", left=start * BODY_PT) for t in entry.body]
        paragraphs = [first] + bodies
        if self.inserting:
            paragraphs = [self._all_inserted(p) for p in paragraphs]
        self.out += paragraphs
        self.out += self.deleted_parts(id(entry), base_em)
        self.children(entry.children, start)
        self.inserting = was_inserting

    def _paired_bodies(self, old: list[str], new: list[str], start: float) -> list[str]:
        out = []
        for index in range(max(len(old), len(new))):
            before = old[index] if index < len(old) else None
            after = new[index] if index < len(new) else None
            if after is None:
                out.append(self.marked(self.paragraph(self.deleted(before), "body", left=start * BODY_PT), "del"))
            elif before is None:
                out.append(self.marked(self.paragraph(self.inserted(self.runs(after)), "body", left=start * BODY_PT), "ins"))
            else:
                out.append(self.paragraph(self.redline(before, after), "body", left=start * BODY_PT))
        return out

    def _all_inserted(self, paragraph: str) -> str:
        """Every run of a paragraph of an added part marked as inserted."""
        head, _, rest = paragraph.partition("</w:pPr>")
        content = rest[:-len("</w:p>")]
        return self.marked(f"{head}</w:pPr>{self.inserted(content)}</w:p>", "ins")

    def deleted_parts(self, anchor: int, base_em: float) -> list[str]:
        """Paragraphs of the parts removed after this point, marked as deleted."""
        out = []
        for change in self.deleted_after.get(anchor, []):
            out += self._deleted_entry(change.old_unit.entry, base_em, subtree=change.kind == "removed")
        return out

    def _deleted_entry(self, entry: Entry, base_em: float, subtree: bool) -> list[str]:
        hang = hang_of(entry.label)
        start = base_em + hang
        text = entry.label + "\t" + (entry.mark + " " if entry.mark else "") + entry.heading if entry.label else entry.heading
        out = [self.marked(self.paragraph(self.deleted(text), "item", left=start * BODY_PT, hanging=hang * BODY_PT,
                                          tab=bool(entry.label)), "del")]
        out += [self.marked(self.paragraph(self.deleted(t), "body", left=start * BODY_PT), "del") for t in entry.body]
        if subtree:
            for child in entry.children:
                if isinstance(child, Entry):
                    out += self._deleted_entry(child, start, True)
                elif isinstance(child, Paragraph):
                    out.append(self.marked(self.paragraph(self.deleted(child.text), "body", left=start * BODY_PT), "del"))
        return out


def render(review: Review, template: str) -> bytes:
    new_doc = review.new_doc
    body = TrackedBody(review, new_doc)
    body.document(new_doc)
    properties = core_properties(plain(new_doc.title) + "（修正追蹤）", new_doc.agency, f"與 {review.old_name} 比較",
                                 f"{review.old_name}; {review.new_name}")
    return package(body, template, properties)


def write(review: Review, path: str, options: dict | None = None) -> None:
    write_atomic(path, render(review, checked_template(options or {})))
