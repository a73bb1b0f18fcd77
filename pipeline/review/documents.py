"""Stage 4 for the review: Review → the Documents that the plan's own writers write.

`comparison` is the 修正對照表: the new plan's title, then one table 修正規定 | 現行規定 | 說明 with a
row per change in document order — new wording underlined, old wording struck through, a moved
point marked as moved, and 說明 drafted from the kind of change unless the item has a `note`.

`tracked` is the new plan with every change marked on its entries, table rows and runs: inserted
and deleted parts, moved parts at both their places, edited wording as a phrase-level redline, and
labels whose number changed (the old deleted, the new inserted). Accepting every change gives the
new plan; rejecting every change gives the old one. Nothing here knows any output format.
"""
from __future__ import annotations

import copy
from datetime import datetime, timezone

from ..diff import Change, Review, Unit
from ..inline import Run, Text
from ..tree import Document, Entry, FormBlock, Paragraph, Revisions, TableBlock, TableCell

COLUMNS = ["修正規定", "現行規定", "說明"]
WEIGHTS = [4, 4, 2]
EDIT_MARKS = {-1: "del", 0: None, 1: "ins"}


# ---- the 修正對照表 -------------------------------------------------------------------------------

def comparison(review: Review, fold_years: bool = False) -> Document:
    """The 修正對照表 as a Document; fold_years puts every year-only change on one row, as reviewers do."""
    new = review.new_doc
    rows = []
    changes = [c for c in review.changes if not (fold_years and c.kind == "year")]
    years = [c for c in review.changes if c.kind == "year"] if fold_years else []
    for change in changes:
        rows.append([_cell(side(change, new=True)), _cell(side(change, new=False)), _cell(Text(change.explanation))])
    if years:
        where = "、".join((c.new_path or "").rstrip("、") for c in years)
        rows.insert(0, [_cell(Text(f"{where}：年度由 {review.old_doc.year} 年更新為 {new.year} 年。")),
                        _cell(Text("")), _cell(Text("年度更新。"))])
    body = ([TableBlock(key="comparison", columns=COLUMNS, rows=rows, widths=WEIGHTS,
                        context=f"{new.title}修正對照表")]
            if rows else [Paragraph(Text("兩份計畫內容相同，沒有修正。"))])
    return Document(agency=new.agency, year=new.year, title_lines=list(new.title_lines) + [Text("修正對照表")],
                    body=body, appendices=[], source=new.source, subject=f"{new.title}修正對照表")


def _cell(text: Text) -> TableCell:
    return TableCell(blocks=[Paragraph(text)])


def side(change: Change, new: bool) -> Text:
    """One side of a row: the point's number (and where it moved), then its wording with the edits marked."""
    if (change.new if new else change.old) is None:
        return Text("")
    path = change.new_path if new else change.old_path
    if change.kind == "moved":
        path = f"{path}（移列）" if new else f"{path}（移列至{change.new_path}）"
    head = Text((Run(f"{path}\u3000", bold=True),)) if path else Text("")
    pieces = []
    for op, piece in change.pieces():
        if op == 0:
            pieces.append(piece)
        elif op == 1 and new:
            pieces.append(piece.styled(underline=True))
        elif op == -1 and not new:
            pieces.append(piece.styled(strike=True))
    return head + Text.join("", pieces)


# ---- the tracked plan -----------------------------------------------------------------------------

def marked(old: str | None, new: str | None) -> Text:
    """The new wording with the old one's deleted phrases kept in place, both cut along their runs."""
    change = Change("modified", None, None, Text(old or ""), Text(new or ""))
    return Text.join("", [piece.styled(mark=EDIT_MARKS[op]) if op else piece for op, piece in change.pieces()])


def mark_all(block, mark: str) -> None:
    """A whole block and everything under it inserted, deleted or moved."""
    if isinstance(block, Entry):
        block.change = mark
        block.marked_label = Text(block.label).styled(mark=mark)
        block.marked_heading = block.heading.styled(mark=mark)
        block.marked_body = [Text(t).styled(mark=mark) for t in block.body]
        for child in block.children:
            mark_all(child, mark)
    elif isinstance(block, Paragraph):
        block.change = mark
        block.text = Text(block.text).styled(mark=mark)
    elif isinstance(block, TableBlock):
        block.row_changes = [mark] * len(block.rows)
        for row in block.rows:
            _mark_row(row, mark)
    elif isinstance(block, FormBlock):
        block.fields = [Text(f).styled(mark=mark) for f in block.fields]
        block.notes = [Text(n).styled(mark=mark) for n in block.notes]
        for item in block.items:
            mark_all(item, mark)


def _former(block) -> None:
    """Keys of a part put back from the old plan, so its anchors never clash with the new plan's."""
    if isinstance(block, (Entry, TableBlock, FormBlock)):
        block.key = f"former-{block.key}"
    for child in getattr(block, "children", []) + getattr(block, "items", []):
        _former(child)
    for row in getattr(block, "rows", []):
        for cell in row:
            for child in cell.blocks:
                _former(child)


def _reach(table: TableBlock, position: int) -> dict[int, tuple[TableCell, int]]:
    """Column → the last cell in it among the rows above `position`, and the last row that cell spans."""
    reach: dict[int, tuple[TableCell, int]] = {}
    for number, row in enumerate(table.rows[:position]):
        cells = iter(row)
        for column in range(len(table.columns)):
            if column in reach and reach[column][1] >= number:
                continue
            cell = next(cells, None)
            if cell is not None:
                reach[column] = (cell, number + cell.rowspan - 1)
    return reach


def _fit_into_spans(row: list[TableCell], old_table: TableBlock, number: int, table: TableBlock, position: int) -> None:
    """Old row `number`, deleted, to be put back at `position` of the new table. Where a cell of a row above
    covered one of its columns in the old table, a cell covers it here too: the cell above that reaches the
    row before `position` spans one row more, or an empty cell stands in. Its own cells span this row
    alone. So every row keeps its cells in their columns."""
    covered = {column for column, (_, last) in _reach(old_table, number).items() if last >= number}
    above = {column: cell for column, (cell, last) in _reach(table, position).items() if last >= position - 1}
    for column in sorted(covered):
        if column in above:
            above[column].rowspan += 1
        else:
            row.insert(sum(1 for c in range(column) if c not in covered or c not in above), TableCell())
    for cell in row:
        cell.rowspan = 1


def _mark_row(row: list[TableCell], mark: str) -> None:
    for cell in row:
        for block in cell.blocks:
            mark_all(block, mark)


class Tracker:
    """Marks a copy of the new plan with the review's changes."""

    def __init__(self, review: Review):
        self.review = review
        self.memo: dict[int, object] = {}
        self.doc: Document = copy.deepcopy(review.new_doc, self.memo)
        self.old_of = review.match
        self.new_of = {o: n for n, o in review.match.items()}
        self.moves = 0
        self.put_back_order: dict[int, int] = {}  # id(copy of an old part put back) → its place in the old plan
        kinds_new = {c.new_unit.index: c.kind for c in review.changes if c.new_unit is not None}
        kinds_old = {c.old_unit.index: c.kind for c in review.changes if c.old_unit is not None}
        self.whole_new = {i for i, k in kinds_new.items() if k in ("added", "moved")}
        self.whole_old = {i for i, k in kinds_old.items() if k in ("removed", "moved")}
        # each old entry's and table row's unit, found once for every part put back
        self.old_unit_of_entry = {id(u.entry): u.index for u in review.old_units if u.entry is not None}
        self.old_unit_of_row = {(id(u.row[0]), u.row[1]): u.index for u in review.old_units if u.row is not None}

    def copy_of(self, node):
        return self.memo[id(node)]

    def covered(self, unit: Unit, units: list[Unit], whole: set[int]) -> bool:
        """Inside a part that is marked as a whole (added, removed or moved) on this side."""
        parent = unit.parent
        while parent is not None:
            if parent in whole:
                return True
            parent = units[parent].parent
        return False

    def run(self) -> Document:
        review = self.review
        for change in review.changes:
            new_unit, old_unit = change.new_unit, change.old_unit
            new_free = new_unit is not None and not self.covered(new_unit, review.new_units, self.whole_new)
            old_free = old_unit is not None and not self.covered(old_unit, review.old_units, self.whole_old)
            if change.kind == "moved":
                self.moves += 1
                both = new_free and old_free and new_unit.kind == "entry"
                if new_free:
                    self.mark_new(new_unit, "move-to" if both else "ins")
                if old_free:
                    self.put_back(old_unit, "move-from" if both else "del")
            elif change.kind == "added" and new_free:
                self.mark_new(new_unit, "ins")
            elif change.kind == "removed" and old_free:
                self.put_back(old_unit, "del")
            elif change.kind in ("modified", "year", "format") and new_free:
                self.edit(old_unit, new_unit)
        self.relabel()
        old_issued = self.review.old_doc.issued
        if list(map(str, old_issued)) != list(map(str, self.doc.issued)):
            # the issuance (on the cover, or the line under the title) belongs to one year: not a change of
            # the plan's wording, so not in the review's list, but tracked so that Reject All gives last year's
            self.doc.issued = _paired(old_issued, self.doc.issued)
        return self.doc

    # ---- the new side --------------------------------------------------------------------------

    def mark_new(self, unit: Unit, mark: str) -> None:
        if unit.kind == "entry":
            entry = self.copy_of(unit.entry)
            mark_all(entry, mark)
            entry.move_id = self.moves
        elif unit.kind == "row":
            table, number = unit.row
            copied = self.copy_of(table)
            row = self.copy_of(table.rows[number])
            self._row_changes(copied)[_index(copied.rows, row)] = mark
            _mark_row(row, mark)

    def edit(self, old_unit: Unit, new_unit: Unit) -> None:
        if new_unit.kind == "title":
            doc, old = self.doc, self.review.old_doc
            doc.title_lines = _paired(old.title_lines, doc.title_lines)
            doc.cover = _paired(old.cover, doc.cover)
        elif new_unit.kind == "entry":
            old, entry = old_unit.entry, self.copy_of(new_unit.entry)
            entry.marked_heading = marked(old.heading, entry.heading)
            entry.marked_body = _paired(old.body, entry.body)
            self._edit_paragraphs(old.children, entry.children)
        elif new_unit.kind == "row":
            table, number = new_unit.row
            old_table, old_number = old_unit.row
            row = self.copy_of(table.rows[number])
            for old_cell, cell in zip(old_table.rows[old_number], row):
                cell.blocks = _paired_blocks(old_cell.blocks, cell.blocks)

    def _edit_paragraphs(self, old_children: list, children: list) -> None:
        """Paragraphs directly under an edited entry, paired in order; the rest are units of their own."""
        old = [b for b in old_children if isinstance(b, Paragraph)]
        new = [b for b in children if isinstance(b, Paragraph)]
        for before, after in zip(old, new):
            after.text = marked(before.text, after.text)
        for after in new[len(old):]:
            mark_all(after, "ins")
        at = children.index(new[-1]) + 1 if new else 0
        for before in old[len(new):]:
            gone = copy.deepcopy(before)
            mark_all(gone, "del")
            children.insert(at, gone)
            at += 1

    # ---- the old side: parts put back where they stood ----------------------------------------

    def put_back(self, unit: Unit, mark: str) -> None:
        if unit.kind == "entry":
            self._put_back_entry(unit, mark)
        elif unit.kind == "row":
            self._put_back_row(unit)

    def _container(self, unit: Unit) -> tuple[list, list] | None:
        """The old list that holds the unit's entry, and the list in the new copy where it goes back."""
        old_units = self.review.old_units
        if unit.parent is None:
            doc, old = self.doc, self.review.old_doc
            return (old.appendices, doc.appendices) if unit.entry.kind == "appendix" else (old.body, doc.body)
        parent = old_units[unit.parent].entry
        if unit.parent not in self.new_of or parent is None:
            return None
        new_parent = self.copy_of(self.review.new_units[self.new_of[unit.parent]].entry)
        if any(b is unit.entry for b in parent.children):
            return parent.children, new_parent.children
        old_forms = [b for b in parent.children if isinstance(b, FormBlock)]
        new_forms = [b for b in new_parent.children if isinstance(b, FormBlock)]
        for old_form, new_form in zip(old_forms, new_forms):
            if _holds(old_form.items, unit.entry):
                return _holder(old_form.items, unit.entry), _holder_at(new_form.items, old_form.items, unit.entry, self)
        return None

    def _put_back_entry(self, unit: Unit, mark: str) -> None:
        place = self._container(unit)
        if place is None:
            return
        old_list, new_list = place
        gone = copy.deepcopy(unit.entry)
        mark_all(gone, mark)
        _former(gone)
        gone.move_id = self.moves
        new_list.insert(self._position(old_list, new_list, unit.entry, unit.index), gone)
        self.put_back_order[id(gone)] = unit.index

    def _position(self, old_list: list, new_list: list, entry: Entry, order: int) -> int:
        """After the nearest earlier sibling still present (an entry, or a paragraph or table standing in
        the same place), and after parts put back that stood before it."""
        at = _index(old_list, entry)
        position = None
        for earlier in reversed(old_list[:at]):
            if isinstance(earlier, Entry):
                index = self.old_unit_of_entry.get(id(earlier))
                if index is not None and index in self.new_of:
                    copied = self.copy_of(self.review.new_units[self.new_of[index]].entry)
                    if any(b is copied for b in new_list):
                        position = _index(new_list, copied) + 1
                        break
            else:
                counterpart = _same_place(old_list, earlier, new_list)
                if counterpart is not None:
                    position = counterpart + 1
                    break
        if position is None:  # nothing before it is left: before the first block that stood after it
            position = next((i for i, b in enumerate(new_list) if isinstance(b, Entry)
                             or _index_or(old_list, _same_place(new_list, b, old_list), at) > at), len(new_list))
        while position < len(new_list) and self.put_back_order.get(id(new_list[position]), order) < order:
            position += 1
        return position

    def _put_back_row(self, unit: Unit) -> None:
        old_table, number = unit.row
        old_units = self.review.old_units
        if unit.parent is None or unit.parent not in self.new_of:
            return
        old_parent = old_units[unit.parent].entry
        new_parent = self.copy_of(self.review.new_units[self.new_of[unit.parent]].entry)
        old_tables = [b for b in old_parent.children if isinstance(b, TableBlock)]
        new_tables = [b for b in new_parent.children if isinstance(b, TableBlock)]
        ordinal = _index(old_tables, old_table)
        if ordinal >= len(new_tables):
            return
        table = new_tables[ordinal]
        changes = self._row_changes(table)
        position = 0
        for earlier in range(number - 1, -1, -1):
            index = self.old_unit_of_row.get((id(old_table), earlier))
            if index is not None and index in self.new_of:
                new_unit = self.review.new_units[self.new_of[index]]
                row = self.copy_of(new_unit.row[0].rows[new_unit.row[1]])
                if any(r is row for r in table.rows):
                    position = _index(table.rows, row) + 1
                    break
        while position < len(table.rows) and self.put_back_order.get(id(table.rows[position]), unit.index) < unit.index:
            position += 1
        gone = copy.deepcopy(old_table.rows[number])
        _mark_row(gone, "del")
        _fit_into_spans(gone, old_table, number, table, position)
        table.rows.insert(position, gone)
        changes.insert(position, "del")
        self.put_back_order[id(gone)] = unit.index

    @staticmethod
    def _row_changes(table: TableBlock) -> list:
        if len(table.row_changes) < len(table.rows):
            table.row_changes += [None] * (len(table.rows) - len(table.row_changes))
        return table.row_changes

    # ---- labels ------------------------------------------------------------------------------------

    def relabel(self) -> None:
        """A label that differs from the same entry's label last year: the old deleted, the new inserted."""
        review = self.review
        for new_index, old_index in review.match.items():
            unit, before = review.new_units[new_index], review.old_units[old_index]
            if unit.kind != "entry" or unit.entry is None or before.entry is None:
                continue
            entry = self.copy_of(unit.entry)
            if entry.change is None and entry.label != before.entry.label:
                entry.marked_label = _relabelled(before.entry.label, entry.label)


def _relabelled(old: str, new: str) -> Text:
    return Text((Run(old, mark="del"), Run(new, mark="ins")))


def _paired(old: list, new: list) -> list[Text]:
    """Two lists of texts paired in order: edited where both exist, else inserted or deleted whole."""
    out = [marked(before, after) for before, after in zip(old, new)]
    out += [Text(after).styled(mark="ins") for after in new[len(old):]]
    out += [Text(before).styled(mark="del") for before in old[len(new):]]
    return out


def _paired_blocks(old: list, new: list) -> list:
    """The blocks of a table cell paired in order (labels included); extra blocks inserted or deleted."""
    out = []
    for before, after in zip(old, new):
        if isinstance(before, Paragraph) and isinstance(after, Paragraph):
            after.text = marked(before.text, after.text)
        elif isinstance(before, Entry) and isinstance(after, Entry):
            if before.label != after.label:
                after.marked_label = _relabelled(before.label, after.label)
            after.marked_heading = marked(before.heading, after.heading)
            after.marked_body = _paired(before.body, after.body)
            after.children = _paired_blocks(before.children, after.children)
        else:
            gone = copy.deepcopy(before)
            mark_all(gone, "del")
            mark_all(after, "ins")
            out.append(gone)
        out.append(after)
    for after in new[len(old):]:
        mark_all(after, "ins")
        out.append(after)
    for before in old[len(new):]:
        gone = copy.deepcopy(before)
        mark_all(gone, "del")
        out.append(gone)
    return out


def _index(items: list, target) -> int:
    return next(i for i, item in enumerate(items) if item is target)


def _index_or(items: list, index: int | None, default: int) -> int:
    return default if index is None else index


def _same_place(blocks: list, block, other: list) -> int | None:
    """Where in `other` the paragraph or table `block` of `blocks` stands: the block of the same kind
    counted the same number from the start (the tree lays out a part's blocks in one fixed order)."""
    kind = type(block)
    nth = sum(1 for b in blocks[:_index(blocks, block)] if type(b) is kind)
    same = [i for i, b in enumerate(other) if type(b) is kind]
    return same[nth] if nth < len(same) else None


def _holds(entries: list, target) -> bool:
    return any(e is target or _holds([c for c in e.children if isinstance(c, Entry)], target) for e in entries)


def _holder(entries: list, target) -> list:
    for entry in entries:
        if entry is target:
            return entries
        if _holds([c for c in entry.children if isinstance(c, Entry)], target):
            return _holder(entry.children, target)
    return entries


def _holder_at(new_entries: list, old_entries: list, target, tracker: Tracker) -> list:
    """In a form, the new list that corresponds to the old list holding target (same parent entry)."""
    holder = _holder(old_entries, target)
    if holder is old_entries:
        return new_entries
    old_units = tracker.review.old_units
    for unit in old_units:
        if unit.entry is not None and holder is unit.entry.children and unit.index in tracker.new_of:
            return tracker.copy_of(tracker.review.new_units[tracker.new_of[unit.index]].entry).children
    return new_entries


def tracked(review: Review, author: str | None = None, date: str | None = None) -> Document:
    """The new plan with the review's changes marked, for Word, LibreOffice and the browser."""
    doc = Tracker(review).run()
    doc.revisions = Revisions(author or review.new_doc.agency or "plan",
                              date or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    doc.subject = f"{review.new_doc.title}（與 {review.old_name} 比較之修正追蹤）"
    return doc
