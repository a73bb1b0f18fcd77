"""Year-over-year review: two Documents → the list of changes between them, never from rendered text.

Both trees are flattened into units (the title, each section, item, form row and table row, each with
its own text and no label). Units are aligned by content, not by number: identical text under the same
parent first, then identical text anywhere, then similar text under the same parent, then similar text
anywhere. Then each pair is classified:

- text equal, same parent, same order among its siblings  → no change (a new number alone is not one);
- text equal but another parent, or out of order         → moved;
- text differs only by the plan's year moving on          → year (「103 年度」→「104 年度」);
- text differs                                            → modified;
- left over in the old plan → removed; in the new → added (a whole added subtree is one change).

Order among siblings is judged by the longest increasing run of old positions (ties broken so that
edited items keep their place), so that inserting or deleting a sibling moves nothing else.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from collections import deque
from dataclasses import field

from .inline import Text
from .records import record
from .tree import Document, Entry, FormBlock, Paragraph, TableBlock, Walk, cell_text

SIMILAR_UNDER_PARENT = 0.5
SIMILAR_ANYWHERE = 0.7
_YEAR = re.compile(r"(?<![\d.])(\d{2,3})(?=\s*(?:年|[-/.]\d{1,2}[-/.]\d{1,2}))")


@record
class Unit:
    """One entry or table row of a plan, in reading order, as the review compares it."""

    index: int
    path: str
    text: str
    parent: int | None
    kind: str = "entry"   # entry | row | title | year
    note: str | None = None
    entry: Entry | None = field(default=None, repr=False)  # the tree node it stands for (entries only)
    row: tuple | None = field(default=None, repr=False)    # (table, row number) for a table row
    key: str = field(default="", repr=False)  # the text as a reader sees it: what alignment compares (units_of sets it)


_SPACES = re.compile(r"\s+")
_WIDE = re.compile("[\u3000\uff01-\uff5e]")  # the ideographic space and full-width ASCII: NFKC narrows them one for one
_APART = "\0"  # joins texts normalised together: NFKC changes no character next to it, and it is no space


def reading_key(text: str) -> str:
    """Text with what a reader does not see as a change folded away: spaces and line breaks, and the
    full- or half-width form of the same punctuation, letter or digit (，/, （）/() ：/: １/1).

    The full-width forms Chinese text is full of are narrowed first, as NFKC would: what is left is
    then usually normalised already, which NFKC finds in one quick pass instead of rebuilding the text.
    """
    return _SPACES.sub("", unicodedata.normalize("NFKC", _narrowed(text)))


def _narrowed(text: str) -> str:
    for wide in set(_WIDE.findall(text)):  # a handful of distinct forms, each replaced everywhere at once
        text = text.replace(wide, " " if wide == "\u3000" else chr(ord(wide) - 0xFEE0))
    return text


def reading_keys(texts: list[str]) -> list[str]:
    """reading_key of each text, all of them normalised in one pass over the texts joined."""
    whole = _APART.join(texts)
    if not texts or whole.count(_APART) != len(texts) - 1:  # a text holds the joining character itself
        return [reading_key(text) for text in texts]
    return reading_key(whole).split(_APART)


@record
class Change:
    """One difference between the two plans: added, removed, modified, moved, or the year."""

    kind: str             # added | removed | modified | moved | year
    old_path: str | None
    new_path: str | None
    old: str | None
    new: str | None
    note: str | None = None
    order: tuple = field(default=(0, 0), repr=False, compare=False)
    old_unit: Unit | None = field(default=None, repr=False, compare=False)
    new_unit: Unit | None = field(default=None, repr=False, compare=False)
    old_anchor: int = field(default=-1, repr=False, compare=False)  # new unit after which the old text stood

    def as_json(self) -> dict:
        return {"kind": self.kind, "old_path": self.old_path, "new_path": self.new_path,
                "old": self.old, "new": self.new}

    def redline(self) -> list[tuple[int, str]]:
        """Character-level edits as whole phrases: (-1 deleted | 0 kept | 1 inserted, text)."""
        if self.old is None:
            return [(1, self.new or "")]
        if self.new is None:
            return [(-1, self.old)]
        from diff_match_patch import diff_match_patch

        engine = diff_match_patch()
        engine.Diff_Timeout = 0
        edits = engine.diff_main(self.old, self.new)
        engine.diff_cleanupSemantic(edits)
        return whole_tokens([(op, text) for op, text in edits])


    @property
    def explanation(self) -> str:
        """The 說明 of a 修正對照表 row: the item's own `note`, else a draft from the kind of change."""
        if self.note:
            return self.note
        if self.kind == "moved":
            return f"本點移列自{self.old_path}。" + ("" if reading_key(self.old or "") == reading_key(self.new or "")
                                                     else "文字修正。")
        return DRAFTS.get(self.kind, "")

    def pieces(self) -> list[tuple[int, Text]]:
        """The redline cut along the runs of both texts: each piece keeps its emphasis and links."""
        return cut(Text(self.old or ""), Text(self.new or ""), self.redline())


def cut(old: Text, new: Text, edits: list[tuple[int, str]]) -> list[tuple[int, Text]]:
    """Edits computed on plain text, as slices of the old (deleted) and new (kept, inserted) Texts."""
    at_old = at_new = 0
    out = []
    for op, text in edits:
        size = len(text)
        if op == -1:
            out.append((op, old.slice(at_old, at_old + size)))
            at_old += size
        else:
            out.append((op, new.slice(at_new, at_new + size)))
            at_new += size
            at_old += size if op == 0 else 0
    return out


_TOKEN_END = re.compile(r"[0-9A-Za-z]+$")
_TOKEN_START = re.compile(r"^[0-9A-Za-z]+")


def whole_tokens(edits: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Widen each edit to whole numbers and Latin words: 「103 → 104」, not 「10[3→4]」."""
    groups: list[list] = []  # [kept text] or [deleted, inserted]
    for op, text in edits:
        if op == 0:
            groups.append([text])
        elif groups and len(groups[-1]) == 2:
            groups[-1][0 if op == -1 else 1] += text
        else:
            groups.append([text, ""] if op == -1 else ["", text])
    for i, group in enumerate(groups):
        if len(group) != 2:
            continue
        if i > 0 and any(_TOKEN_START.match(g) for g in group):
            head = _TOKEN_END.search(groups[i - 1][0])
            if head:
                groups[i - 1][0] = groups[i - 1][0][:head.start()]
                group[0], group[1] = head.group(0) + group[0], head.group(0) + group[1]
        if i + 1 < len(groups) and len(groups[i + 1]) == 1 and any(_TOKEN_END.search(g) for g in group):
            tail = _TOKEN_START.match(groups[i + 1][0])
            if tail:
                groups[i + 1][0] = groups[i + 1][0][tail.end():]
                group[0], group[1] = group[0] + tail.group(0), group[1] + tail.group(0)
    result = []
    for group in groups:
        if len(group) == 1:
            result += [(0, group[0])] if group[0] else []
        else:
            result += [(op, text) for op, text in ((-1, group[0]), (1, group[1])) if text]
    return result


DRAFTS = {"added": "本點新增。", "removed": "本點刪除。", "modified": "文字修正。", "year": "年度更新。",
          "format": "格式調整。"}
KINDS = ("added", "removed", "modified", "moved", "year")  # and "format", listed only when asked for


@record
class Review:
    """The changes from one plan to the next, in the new plan's reading order, with a summary."""

    old_name: str
    new_name: str
    old_title: str
    new_title: str
    changes: list[Change]
    new_doc: Document | None = field(default=None, repr=False, compare=False)
    old_doc: Document | None = field(default=None, repr=False, compare=False)
    old_units: list[Unit] = field(default_factory=list, repr=False, compare=False)
    new_units: list[Unit] = field(default_factory=list, repr=False, compare=False)
    match: dict[int, int] = field(default_factory=dict, repr=False, compare=False)  # new unit → old unit

    @property
    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(KINDS, 0)
        for change in self.changes:
            counts.setdefault(change.kind, 0)
            counts[change.kind] += 1
        return counts

    def as_json(self) -> dict:
        return {"old": self.old_name, "new": self.new_name,
                "changes": [c.as_json() for c in self.changes], "summary": self.summary}


# ---- flattening ------------------------------------------------------------------------------

class _Flatten(Walk):
    """The tree as units: each entry (title and wording, no label) and each table row, in reading order."""

    def __init__(self):
        self.units: list[Unit] = []

    def add(self, path: str, text: str, parent: int | None, kind: str = "entry", note: str | None = None,
            entry: Entry | None = None, row: tuple | None = None) -> int:
        self.units.append(Unit(len(self.units), path, text, parent, kind, note, entry, row))
        return len(self.units) - 1

    def on_entry(self, entry: Entry, parent: int | None, parent_path: str) -> None:
        me = self.add(entry.path or entry.title or "", _entry_text(entry), parent, note=entry.note, entry=entry)
        self.walk(entry.children, me, entry.path)

    on_appendix = on_entry

    def on_table(self, table: TableBlock, parent: int | None, parent_path: str) -> None:
        for number, row in enumerate(table.rows, start=1):
            cells = [cell_text(cell.blocks, " ", deep=True) for cell in row]
            self.add(f"{parent_path}表格第 {number} 列", Text.join(" | ", cells), parent, "row", row=(table, number - 1))

    def on_form(self, form: FormBlock, parent: int | None, parent_path: str) -> None:
        self.walk(form.items, parent, parent_path)  # the form's own wording belongs to its entry


def _entry_text(entry: Entry) -> Text:
    parts = [entry.mark or "", entry.heading] + entry.body
    for block in entry.children:
        if isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, FormBlock):
            parts += block.fields + block.notes + ([block.total_label] if block.total_label else [])
    if entry.points and entry.in_form:
        parts.append(entry.points)
    return Text.join("\n", [p for p in parts if p])


def units_of(doc: Document) -> list[Unit]:
    flat = _Flatten()
    flat.add("標題", Text.join("\n", doc.title_lines + doc.cover), None, "title")
    flat.add("年度", Text(f"{doc.year} 年度"), None, "year")
    flat.walk_document(doc, None, "")
    for unit, key in zip(flat.units, reading_keys([unit.text for unit in flat.units])):
        unit.key = key
    return flat.units


# ---- alignment -----------------------------------------------------------------------------------

def similarity(a: str, b: str) -> float:
    from difflib import SequenceMatcher  # only for units that were edited: most reviews need it a few times

    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR_UNDER_PARENT or matcher.quick_ratio() < SIMILAR_UNDER_PARENT:
        return 0.0
    return matcher.ratio()


CANDIDATES = 16     # at most this many old units are compared by similarity with each new one
COMMON_PAIR = 48    # a character pair found in more old units than this hardly tells them apart


def _pairs(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


class _SharedGrams:
    """Old units found by their character pairs (bigrams), to find the few a new unit could resemble.

    A similar text (ratio ≥ 0.5) shares most of its character pairs, rare ones included; counting
    shared pairs that are not common everywhere costs about the length of the text, so aligning two
    unrelated plans grows close to linearly instead of comparing every unit with every other.

    Most reviews ask for a handful of pairs (the few units edited), so the old keys are kept as one
    string and the units holding a pair are found by searching it the first time the pair is asked
    for; once SEARCHES pairs were searched, every pair of every unit is indexed instead.
    """

    SEARCHES = 64  # a search reads every old character once, in C; indexing all pairs costs about 200 searches

    def __init__(self, units: list[Unit]):
        self.units = units
        self.whole = _APART.join(unit.key for unit in units)
        self.starts = [0]
        for unit in units:
            self.starts.append(self.starts[-1] + len(unit.key) + 1)
        self.indexed = self.whole.count(_APART) != len(units) - 1  # a key holds the joining character: index now
        self.postings: dict[str, list[int]] = {}  # each pair asked for (all of them once indexed) → its units
        for unit in units:
            if len(unit.key) < 2 or self.indexed:
                for pair in _pairs(unit.key):
                    self.postings.setdefault(pair, []).append(unit.index)
        self.searched = 0

    def holding(self, pair: str) -> list[int]:
        """The old units whose key holds the pair, in order."""
        if self.indexed or len(pair) < 2 or _APART in pair:
            return self.postings.get(pair, [])
        if pair not in self.postings:
            self.searched += 1
            if self.searched > self.SEARCHES:
                self.postings, self.indexed = {}, True
                for unit in self.units:
                    for each in _pairs(unit.key):
                        self.postings.setdefault(each, []).append(unit.index)
                return self.postings.get(pair, [])
            self.postings[pair] = self._search(pair)
        return self.postings[pair]

    def _search(self, pair: str) -> list[int]:
        found = []
        at = self.whole.find(pair)
        while at >= 0:
            unit = bisect.bisect_right(self.starts, at) - 1
            found.append(unit)
            at = self.whole.find(pair, self.starts[unit + 1])
        return found

    def likeliest(self, text: str, allowed: set[int] | None, taken: set[int]) -> list[int]:
        from collections import Counter

        pairs = sorted((p for p in _pairs(text) if self.holding(p)), key=lambda p: len(self.holding(p)))
        telling = [p for p in pairs if len(self.holding(p)) <= COMMON_PAIR] or pairs[:2]
        counts: Counter = Counter()
        for pair in telling:
            counts.update(self.holding(pair))
        ranked = (o for o, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])))
        chosen = [o for o in ranked if o not in taken and (allowed is None or o in allowed)]
        return sorted(chosen[:CANDIDATES])


def align(old: list[Unit], new: list[Unit]) -> dict[int, int]:
    """new unit index → old unit index, for every pair judged the same unit."""
    match: dict[int, int] = {}
    taken: set[int] = set()

    def old_parent_of(unit: Unit) -> int | None:
        return None if unit.parent is None else match.get(unit.parent, -1)

    def take(n: int, o: int) -> None:
        match[n] = o
        taken.add(o)

    # 1. identical text under the same parent; 2. identical text anywhere. Each takes the first old
    # unit in reading order still free; the ones taken are dropped from the front of their queue once.
    for same_parent in (True, False):
        queues: dict[tuple, deque[int]] = {}
        for unit in old:
            queues.setdefault((unit.key, unit.kind, unit.parent if same_parent else 0), deque()).append(unit.index)
        for unit in new:
            if unit.index in match:
                continue
            queue = queues.get((unit.key, unit.kind, old_parent_of(unit) if same_parent else 0))
            while queue and queue[0] in taken:
                queue.popleft()
            if queue:
                take(unit.index, queue.popleft())
    # 3. similar text under the same parent; 4. similar text anywhere.
    children: dict[int | None, list[int]] = {}
    for unit in old:
        children.setdefault(unit.parent, []).append(unit.index)
    index = _SharedGrams(old)
    for same_parent in (True, False):
        threshold = SIMILAR_UNDER_PARENT if same_parent else SIMILAR_ANYWHERE
        for unit in new:
            if unit.index in match:
                continue
            pool = children.get(old_parent_of(unit), []) if same_parent else range(len(old))
            if len(pool) > CANDIDATES:  # only the units sharing most of its rarer character pairs can be similar
                pool = index.likeliest(unit.key, set(pool) if same_parent else None, taken)
            best, best_score = None, threshold
            for o in pool:
                if o in taken or old[o].kind != unit.kind:
                    continue
                score = similarity(old[o].key, unit.key)
                if score >= best_score:
                    best, best_score = o, score
            if best is not None:
                take(unit.index, best)
    return match


def _out_of_order(new: list[Unit], old: list[Unit], match: dict[int, int]) -> set[int]:
    """New units that kept their parent but left their place among the siblings that stayed."""
    groups: dict[int | None, list[int]] = {}
    for unit in new:
        if unit.index not in match:
            continue
        o = match[unit.index]
        parent_same = (unit.parent is None and old[o].parent is None) or (
            unit.parent is not None and match.get(unit.parent) == old[o].parent and old[o].parent is not None)
        if parent_same:
            groups.setdefault(unit.parent, []).append(unit.index)
    moved: set[int] = set()
    for members in groups.values():
        # Among equally short explanations, call the unchanged items the moved ones, so that an
        # edited item keeps its place and is reported as modified.
        weights = [1000 if new[n].key == old[match[n]].key else 1001 for n in members]  # whole numbers: exact sums
        keep = _heaviest_increasing([match[n] for n in members], weights)
        moved.update(n for position, n in enumerate(members) if position not in keep)
    return moved


def _heaviest_increasing(values: list[int], weights: list[int]) -> set[int]:
    """Positions of the increasing subsequence of greatest total weight (values are distinct).

    Each position extends the earliest of its best predecessors (smaller value, earlier place) and the
    earliest of the best ends is kept. The best predecessor is found in a Fenwick tree of running
    maxima over the values' ranks, so a long list of siblings costs n log n, not n².
    """
    if all(b > a for a, b in zip(values, values[1:])):
        return set(range(len(values)))
    rank = {value: r for r, value in enumerate(sorted(values), start=1)}
    tree = [(0, 0)] * (len(values) + 1)  # (best total, -position) of the best end among a range of ranks
    best, previous = [0] * len(values), [-1] * len(values)
    for i, value in enumerate(values):
        top = (0, 1)  # no predecessor
        r = rank[value] - 1
        while r > 0:  # the best end among smaller values
            top = max(top, tree[r])
            r &= r - 1
        best[i], previous[i] = (top[0] + weights[i], -top[1]) if top[0] else (weights[i], -1)
        r = rank[value]
        while r < len(tree):
            tree[r] = max(tree[r], (best[i], -i))
            r += r & -r
    position = max(range(len(values)), key=best.__getitem__, default=-1)
    keep = set()
    while position >= 0:
        keep.add(position)
        position = previous[position]
    return keep


def roll_years(text: str, old_year: int, new_year: int) -> str:
    """The text with every year near the plan's moved on by the gap between the two plans."""
    gap = new_year - old_year

    def shift(match: re.Match) -> str:
        year = int(match.group(1))
        return str(year + gap) if abs(year - old_year) <= 2 else match.group(1)

    return _YEAR.sub(shift, text)


# ---- the review --------------------------------------------------------------------------------

def compare(old_doc: Document, new_doc: Document, old_name: str = "", new_name: str = "",
            show_format: bool = False) -> Review:
    """The changes from old_doc to new_doc in the new plan's reading order. Changes a reader cannot
    see (spaces, punctuation width) are left out, or listed as kind "format" with show_format."""
    old, new = units_of(old_doc), units_of(new_doc)
    match = align(old, new)
    matched_old = {o: n for n, o in match.items()}
    out_of_order = _out_of_order(new, old, match)
    changes: list[Change] = []

    anchor = _anchors(len(old), matched_old).__getitem__

    for unit in new:
        if unit.index not in match:
            if unit.parent is not None and unit.parent not in match:
                continue  # inside an added part: shown with it
            changes.append(Change("added", None, unit.path, None, _subtree_text(new, unit), unit.note,
                                  (unit.index, 0), new_unit=unit))
            continue
        before = old[match[unit.index]]
        reparented = (unit.parent is None) != (before.parent is None) or (
            unit.parent is not None and match.get(unit.parent) != before.parent)
        moved = reparented or unit.index in out_of_order
        if before.key == unit.key:
            if moved:
                changes.append(Change("moved", before.path, unit.path, before.text, unit.text, unit.note,
                                      (unit.index, 0), before, unit, anchor(before.index)))
            elif show_format and before.text != unit.text:
                changes.append(Change("format", before.path, unit.path, before.text, unit.text, unit.note,
                                      (unit.index, 0), before, unit))
            continue
        if moved:
            kind = "moved"
        elif reading_key(roll_years(before.text, old_doc.year, new_doc.year)) == unit.key:
            kind = "year"
        else:
            kind = "modified"
        changes.append(Change(kind, before.path, unit.path, before.text, unit.text, unit.note, (unit.index, 0),
                              before, unit, anchor(before.index) if moved else -1))
    for unit in old:
        if unit.index in matched_old or (unit.parent is not None and unit.parent not in matched_old):
            continue
        where = anchor(unit.index)
        changes.append(Change("removed", unit.path, None, _subtree_text(old, unit), None, None,
                              (where, 1 + unit.index), old_unit=unit, old_anchor=where))
    changes.sort(key=lambda c: c.order)
    return Review(old_name, new_name, old_doc.title, new_doc.title, changes, new_doc, old_doc, old, new, match)


def _anchors(count: int, matched_old: dict[int, int]) -> list[int]:
    """For each old unit, the new unit after which it stood: the latest place, among the new units,
    of the old units before it that are still present (-1: none)."""
    anchors, latest = [], -1
    for o in range(count):
        anchors.append(latest)
        latest = max(latest, matched_old.get(o, -1))
    return anchors


def _subtree_text(units: list[Unit], top: Unit) -> str:
    inside = {top.index}
    lines = [top.text]
    for unit in units[top.index + 1:]:
        if unit.parent not in inside:
            break  # units are in reading order, so a part's units follow it without a gap
        inside.add(unit.index)
        lines.append(unit.text)
    return Text.join("\n", lines)
