"""Stage 3: Plan → Document, the one neutral tree every writer and the diff read.

`build_document` lays the plan out as blocks (numbered entries, paragraphs, tables, scoring forms)
in reading order; `number` then labels every entry once (壹、一、（一）…) and records its label
path (伍、一、（二）). Writers print what they find here; they never read the YAML.
"""
from __future__ import annotations

import re
from dataclasses import field
from typing import TYPE_CHECKING

from .characters import is_cjk
from .inline import Text, parse, verbatim
from .numbering import NumberingOptions, label, next_style
from .records import record

if TYPE_CHECKING:  # the model is imported where a plan is built: a document is read and written without it
    from .model import Appendix, Basis, Cell, Form, Item, Numbering, Period, Plan, Section, Table

CHECK_MARKS = {"是否": "□是□否", "勾選": "□"}


CHANGES = ("ins", "del", "move-from", "move-to")  # how a tracked document marks a whole block


@record
class Paragraph:
    """A paragraph of text: body text, fields of a form, a note, or a preformatted block."""

    text: Text
    role: str = "body"  # body | fields | note | pre (preformatted: printed line by line, never joined)
    change: str | None = None  # in a tracked document: one of CHANGES


@record
class Entry:
    """A numbered part of the plan: a section (壹、), an item at any depth, an appendix or a form."""

    kind: str                 # section | item | appendix | form
    key: str                  # the YAML path it came from: a stable id for anchors and the diff
    style: str = ""           # numbering style of its list: 壹 一 （一） 1 （1） 甲 …
    options: NumberingOptions = field(default_factory=NumberingOptions)
    fixed_label: str | None = None
    title: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    same_line: bool = False   # the first paragraph follows the title on the label's line
    code: str | None = None
    mark: str | None = None   # ☐是 ☐否 on scoring forms
    points: str | None = None  # what to print for the points: （120 分） inline, or the form column
    note: str | None = None
    children: list = field(default_factory=list)
    depth: int = 1            # 1 for sections; each level of items adds one
    in_form: bool = False     # a row of a scoring form: points go to their own column
    label: str = ""           # filled by number()
    path: str = ""            # filled by number(): labels from the top, e.g. 伍、一、（二）
    # In a tracked document (the review): the whole entry inserted, deleted or moved (one of CHANGES);
    # its label as marked runs (the old label deleted, the new inserted); its wording with the edits.
    change: str | None = None
    move_id: int = 0          # pairs the two places of a moved entry
    marked_label: Text | None = None
    marked_heading: Text | None = None
    marked_body: list[Text] | None = None

    @property
    def label_text(self) -> Text:
        """The label as printed: with its tracked change, if any."""
        return self.marked_label if self.marked_label is not None else Text(self.label)

    @property
    def is_outline_heading(self) -> bool:
        """A section, a form, or a titled item of the first level whose text has lines of its own."""
        return self.kind in ("section", "form") or bool(self.title and self.depth == 2 and not self.same_line)

    @property
    def heading(self) -> Text:
        """The text printed after the label on its first line."""
        if self.marked_heading is not None:
            return self.marked_heading
        head = Text.join(" ", [p for p in (self.code, self.title) if p])
        if self.same_line and self.paragraphs:
            head += ("" if not self.title or self.title.endswith(("：", ":")) else "：") + self.paragraphs[0]
        elif not self.title and self.paragraphs:
            head = Text.join(" ", [p for p in (self.code, self.paragraphs[0]) if p])
        if self.points and self.kind == "item" and not self.in_form:
            head += self.points
        return head

    @property
    def body(self) -> list[Text]:
        """Paragraphs printed under the first line."""
        if self.marked_body is not None:
            return self.marked_body
        if self.same_line or not self.title:
            return self.paragraphs[1:]
        return self.paragraphs


@record
class TableCell:
    """One cell of a table: its blocks, and how many rows it spans."""

    blocks: list = field(default_factory=list)
    rowspan: int = 1


@record
class TableBlock:
    """A table: its column headings, its rows of cells, its caption and column widths."""

    key: str
    columns: list[str]
    rows: list[list[TableCell]]
    caption: str | None = None
    widths: list[int] = field(default_factory=list)
    context: str = ""  # the title of the part that holds the table: a caption for screen readers
    row_changes: list[str | None] = field(default_factory=list)  # in a tracked document: per row, one of CHANGES


@record
class FormBlock:
    """A scoring form (評核項目表): its header fields, columns, and scored items as a tree."""

    key: str
    fields: list[str]
    columns: list[str]
    items: list[Entry]
    total_label: str | None = None
    total: int | None = None
    notes: list[str] = field(default_factory=list)
    context: str = ""  # the form's title: a caption for screen readers


@record(frozen=True)
class Revisions:
    """Who made a tracked document's changes, and when."""

    author: str
    date: str  # ISO 8601, UTC


@record
class Document:
    """The whole plan as every writer reads it: title lines, numbered body, appendices."""

    agency: str
    year: int
    title_lines: list[str]
    body: list[Entry]
    appendices: list[Entry]
    cover: list[str] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)  # date, number, verb of issue (one year's only): on the cover, or one line under the title without one
    source: str = ""
    revisions: Revisions | None = None  # set on a tracked document: who made its marked changes, and when
    subject: str = ""  # what the document is, for its properties (default: the agency's plan of the year)

    @property
    def cover_lines(self) -> list[str]:
        """The cover page's lines, the issuance last; none without a cover."""
        return self.cover + self.issued if self.cover else []

    @property
    def under_title(self) -> list[str]:
        """The issuance line printed under the title: a plan without a cover has it there."""
        return [] if self.cover else self.issued

    @property
    def title(self) -> str:
        """The title on one line, as it reads (in a tracked document: with its changes accepted)."""
        return " ".join(str(Text(line).accepted) for line in self.title_lines)


def clean(text: str | None) -> Text | None:
    """Trim, join lines broken inside Chinese text in a literal (|) block (that break is a wrap), and
    read its inline Markdown: the tree holds Text, never Markdown."""
    if text is None:
        return None
    return parse(unwrap(text.strip()))


def unwrap(text: str) -> str:
    """Lines broken between two Chinese characters joined, with the spaces around the break."""
    if "\n" not in text:
        return text
    lines = text.split("\n")
    joined = lines[0]
    for line in lines[1:]:
        before, after = joined.rstrip(" \t"), line.lstrip(" \t")
        if before and after and is_cjk(before[-1]) and is_cjk(after[0]):
            joined = before + after  # the break, and the spaces around it, were only a wrap
        else:
            joined += "\n" + line
    return joined


_FENCED = re.compile(r"^```[^\n]*\n(.*?)\n```[ \t]*$", re.M | re.S)


def paragraphs(text: str | None) -> list[Text]:
    if not text:
        return []
    if "\n" not in text:  # one line: one paragraph, if anything is written
        return [clean(text)] if not text.isspace() else []
    return [clean(part) for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]


def text_blocks(text: str | None) -> list[Paragraph]:
    """Paragraphs of a text in order; a fenced block (```) is one preformatted paragraph, kept line by line."""
    if not text:
        return []
    if "```" not in text:
        return [Paragraph(p) for p in paragraphs(text)]
    blocks: list[Paragraph] = []
    position = 0
    for fence in _FENCED.finditer(text):
        blocks += [Paragraph(p) for p in paragraphs(text[position:fence.start()])]
        blocks.append(Paragraph(verbatim(fence.group(1).rstrip()), role="pre"))
        position = fence.end()
    return blocks + [Paragraph(p) for p in paragraphs(text[position:])]


def _lead_and_rest(text: str | None) -> tuple[list[str], list[Paragraph]]:
    """The paragraphs before the first preformatted block, and the blocks from there on (as children)."""
    if not text or "```" not in text:
        return paragraphs(text), []
    blocks = text_blocks(text)
    first = next((i for i, b in enumerate(blocks) if b.role == "pre"), len(blocks))
    return [b.text for b in blocks[:first]], blocks[first:]


def resolve_options(*layers: Numbering | None) -> NumberingOptions:
    values = {}
    for layer in layers:
        if layer is None:
            continue
        if layer.three:
            values["three"] = layer.three
        if layer.parentheses:
            values["half_parentheses"] = layer.parentheses in ("half", "半形")
        if layer.arabic:
            values["arabic"] = layer.arabic
        if layer.above_ten:
            values["legal_ten"] = layer.above_ten
        if layer.top:
            values["top"] = layer.top
    return NumberingOptions(**values)


def build_document(plan: Plan) -> Document:
    options = resolve_options(plan.numbering)
    body = [_section(plan, key, section, options) for key, section in plan.ordered_sections()]
    appendices = [_appendix(a, appendix, plan, options) for a, appendix in enumerate(plan.appendices)]
    document = Document(agency=plan.agency, year=plan.year, title_lines=[clean(t) for t in plan.title],
                        body=body, appendices=appendices, cover=_cover(plan), issued=_issued(plan),
                        source=plan.source)
    number(document)
    return document


def _cover(plan: Plan) -> list[str]:
    if plan.cover is None:
        return []
    lines = [clean(plan.agency), clean(plan.cover.title) or clean(" ".join(plan.title))]
    if plan.cover.note:
        lines.append(clean(plan.cover.note))
    return lines


def _issued(plan: Plan) -> list[str]:
    """The issuance: on the cover, the date and then the number with its verb, under the cover's other
    lines; without a cover, one line under the title, as schools' plans and 要點 print it:
    「中華民國 113 年 2 月 1 日中市某國小教字第 1130000123 號函核定」."""
    issued = plan.issued
    if issued is None:
        return []
    date = f"中華民國 {issued.date}" if issued.date else ""
    number = (issued.number or "") + (issued.verb or "")
    if plan.cover is None:
        return [verbatim(date + number)] if date or number else []
    return [verbatim(line) for line in (date, number) if line]


def _section(plan: Plan, key: str, section: Section, options: NumberingOptions) -> Entry:
    entry = Entry(kind="section", key=key, style=options.top, options=options, fixed_label=section.label,
                  title=clean(plan.section_title(key, section)), same_line=section.same_line,
                  note=section.note)
    from .model import Basis, Period

    if isinstance(section, Basis):
        entry.paragraphs, basis_items = _basis(section, key, next_style(options.top), options)
        entry.children.extend(basis_items)
    elif isinstance(section, Period):
        entry.paragraphs = [period_text(section)]
    lead, rest = _lead_and_rest(section.text)
    entry.paragraphs += lead
    entry.children += rest
    if section.table is not None:
        entry.children.append(_table(section.table, f"{key}.table", options, entry.title))
    style = section.items_style or next_style(options.top)
    entry.children += [_item(item, f"{key}.items[{i}]", style, options, 2) for i, item in enumerate(section.items)]
    if section.closing:
        entry.children += text_blocks(section.closing)
    return entry


def reference_text(ref) -> str:
    """行政院 96 年 7 月 23 日院授研展字第 09600152471 號函頒之「政府服務創新精進方案」"""
    text = ref.issuer
    if ref.date:
        text += f" {ref.date}"
    if ref.number:
        text += ref.number
    if ref.verb:
        text += ref.verb
    if ref.document:
        name = f"「{ref.document}」" if ref.quoted else ref.document
        text += f"之{name}" if ref.verb else name
    return text


def _basis(basis: Basis, key: str, style: str, options: NumberingOptions) -> tuple[list[str], list[Entry]]:
    if not basis.references:
        return [], []
    if basis.style == "sentence":
        return [clean("及".join(reference_text(r) for r in basis.references) + basis.ending)], []
    items = [Entry(kind="item", key=f"{key}.references[{i}]", style=style, options=options,
                   paragraphs=[clean(reference_text(r) + "。")], depth=2)
             for i, r in enumerate(basis.references)]
    return [], items


def period_text(period: Period) -> str:
    """The period as printed: its wording with the dates and length filled in."""
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1
    whole_year = period.start.month == 1 and period.start.day == 1 and period.end.month == 12 and period.end.day == 31
    length = f"{months // 12} 年" if whole_year or months % 12 == 0 and months else f"{months} 個月"
    return clean(fill_wording(period.wording, {"start": str(period.start), "end": str(period.end), "length": length}))


WORDING_PLACEHOLDERS = ("start", "end", "length")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(WORDING_PLACEHOLDERS) + r")\}")


def fill_wording(wording: str, values: dict[str, str]) -> str:
    """The officer's wording with {start} {end} {length} replaced literally; the text is never a format string."""
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], wording)


def wording_problems(wording: str) -> list[tuple[int, str]]:
    """(offset, piece) of every brace in a wording that is not one of the placeholders."""
    rest = _PLACEHOLDER.sub(lambda m: "\0" * len(m.group(0)), wording)
    return [(m.start(), m.group(0)) for m in re.finditer(r"\{[^{}\n]{0,20}\}?|\}", rest)]


def _points_inline(item: Item) -> str | None:
    if item.points_text is not None:
        return item.points_text or None
    if item.points is None:
        return None
    return f"（{item.points} 分）"


def _item(item: Item, key: str, style: str, options: NumberingOptions, depth: int,
          in_form: bool = False, option: bool = False) -> Entry:
    lead, rest = _lead_and_rest(item.text)
    entry = Entry(kind="item", key=key, style=style, options=options, fixed_label=item.label,
                  title=clean(item.title), paragraphs=lead, code=item.code, children=list(rest),
                  same_line=item.same_line,
                  mark=CHECK_MARKS.get(item.check) if item.check else None,
                  points=_form_points(item, option) if in_form else _points_inline(item),
                  note=item.note, depth=depth, in_form=in_form)
    if item.table is not None:
        entry.children.append(_table(item.table, f"{key}.table", options, entry.title or entry.heading))
    child_style = item.items_style or next_style(style)
    entry.children += [_item(child, f"{key}.items[{i}]", child_style, options, depth + 1, in_form, item.pick_one)
                       for i, child in enumerate(item.items)]
    return entry


def _form_points(item: Item, option: bool) -> str | None:
    """The points column of a form row: options of a pick-one item and score bands in parentheses."""
    if item.points_text is not None:
        return item.points_text
    if item.points is None:
        return None
    from .schema import PointRange

    return f"({item.points})" if option or isinstance(item.points, PointRange) else str(item.points)


def _table(table: Table, key: str, options: NumberingOptions, context: str | None = "") -> TableBlock:
    rows = []
    for r, row in enumerate(table.rows):
        rows.append([_cell(cell, f"{key}.rows[{r}][{c}]", options) for c, cell in enumerate(row)])
    return TableBlock(key=key, columns=[clean(c) for c in table.columns], rows=rows,
                      caption=clean(table.caption), widths=list(table.widths), context=context or "")


def _cell(cell: Cell, key: str, options: NumberingOptions) -> TableCell:
    blocks: list = text_blocks(cell.text)
    style = cell.items_style or "1"
    blocks += [_item(item, f"{key}.items[{i}]", style, options, 1) for i, item in enumerate(cell.items)]
    return TableCell(blocks=blocks, rowspan=cell.span)


def _appendix(index: int, appendix: Appendix, plan: Plan, plan_options: NumberingOptions) -> Entry:
    key = f"appendices[{index}]"
    options = resolve_options(plan.numbering, appendix.numbering)
    lead, rest = _lead_and_rest(appendix.text)
    entry = Entry(kind="appendix", key=key, title=clean(appendix.title), fixed_label="",
                  paragraphs=lead, options=options, children=list(rest))
    if appendix.table is not None:
        entry.children.append(_table(appendix.table, f"{key}.table", options, entry.title))
    entry.children += [_item(item, f"{key}.items[{i}]", "一", options, 2) for i, item in enumerate(appendix.items)]
    entry.children += [_form(form, f"{key}.forms[{f}]", plan, appendix) for f, form in enumerate(appendix.forms)]
    return entry


def _form(form: Form, key: str, plan: Plan, appendix: Appendix) -> Entry:
    options = resolve_options(plan.numbering, appendix.numbering, form.numbering)
    items = [_item(item, f"{key}.items[{i}]", form.first_style, options, 3, in_form=True)
             for i, item in enumerate(form.items)]
    block = FormBlock(key=key, fields=[clean(f) for f in form.fields], columns=[clean(c) for c in form.columns],
                      items=items, total_label=clean(form.total_label), total=form.total,
                      notes=paragraphs(form.notes), context=clean(form.title))
    return Entry(kind="form", key=key, style="一", options=options, title=clean(form.title), depth=2,
                 children=[block])


def number(document: Document) -> None:
    """Label every entry from its style and its place among its siblings; a pure pass over the tree."""
    _number_list(document.body, "")
    for appendix in document.appendices:
        appendix.label = ""
        appendix.path = appendix.title or ""
        _number_list(appendix.children, "")


def _number_list(blocks: list, parent_path: str) -> None:
    count = 0
    for block in blocks:
        if isinstance(block, Entry):
            if block.fixed_label is not None:
                block.label = block.fixed_label  # written by hand: takes no number from its siblings
            else:
                count += 1
                block.label = label(block.style, count, block.options)
            block.path = parent_path + block.label
            _number_list(block.children, block.path)
        elif isinstance(block, TableBlock):
            for row in block.rows:
                for cell in row:
                    _number_list(cell.blocks, parent_path)
        elif isinstance(block, FormBlock):
            _number_list(block.items, parent_path)


def form_rows(form: FormBlock) -> list[Entry]:
    """A form's items in reading order, one table row each (children follow their parent)."""
    rows: list[Entry] = []

    def walk(entries: list[Entry]) -> None:
        for entry in entries:
            rows.append(entry)
            walk([c for c in entry.children if isinstance(c, Entry)])

    walk(form.items)
    return rows


BLOCK_KINDS = ((Entry, "entry"), (Paragraph, "paragraph"), (TableBlock, "table"), (FormBlock, "form"))


def kind_of(block) -> str:
    """What a block of the tree is; anything else is a fault of the program, never dropped silently."""
    for cls, name in BLOCK_KINDS:
        if isinstance(block, cls):
            return name
    raise TypeError(f"the document tree holds a {type(block).__name__}, which no writer knows")


class Walk:
    """The one walk of a Document in reading order (pandoc's approach).

    Every writer, the outline, the diff's flattening and the benchmark's Markdown subclass it and say
    what each kind of block becomes (on_entry, on_paragraph, on_table, on_form); `context` is theirs
    (an indent, a parent). By default an entry's children, a table's cells and a form's rows are
    walked in turn, so a shape that one consumer knows, all of them reach.
    """

    def walk_document(self, doc: Document, *context) -> None:
        self.walk(doc.body, *context)
        for appendix in doc.appendices:
            self.on_appendix(appendix, *context)

    def walk(self, blocks: list, *context) -> None:
        for block in blocks:
            getattr(self, f"on_{kind_of(block)}")(block, *context)

    def on_appendix(self, appendix: Entry, *context) -> None:
        self.walk(appendix.children, *context)

    def on_entry(self, entry: Entry, *context) -> None:
        self.walk(entry.children, *context)

    def on_paragraph(self, paragraph: Paragraph, *context) -> None:
        pass

    def on_table(self, table: TableBlock, *context) -> None:
        for row in table.rows:
            for cell in row:
                self.walk(cell.blocks, *context)

    def on_form(self, form: FormBlock, *context) -> None:
        self.walk(form.items, *context)


class _Entries(Walk):
    def __init__(self):
        self.found: list[Entry] = []

    def on_entry(self, entry: Entry, *context) -> None:
        self.found.append(entry)
        super().on_entry(entry)


def walk_entries(blocks: list) -> list[Entry]:
    """Every entry in reading order, tables and forms included."""
    walk = _Entries()
    walk.walk(blocks)
    return walk.found


def cell_text(blocks: list, separator: str = " / ", deep: bool = False) -> Text:
    """A table cell's text on one line: paragraphs, and items as label and heading (deep: with their sub-items)."""
    parts = []
    for block in blocks:
        if kind_of(block) == "paragraph":
            parts.append(block.text)
        elif kind_of(block) == "entry":
            inner = [cell_text(block.children, "", True)] if deep and block.children else []
            parts.append(Text.join("", [block.label + block.heading] + inner))
    return Text.join(separator, parts)


class _Outline(Walk):
    def __init__(self):
        self.lines: list[str] = []

    def on_entry(self, block: Entry, indent: str) -> None:
        mark = f"{block.mark} " if block.mark else ""
        points = f"  [{block.points}]" if block.points and block.in_form else ""
        self.lines.append(f"{indent}{block.label}{mark}{block.heading}{points}")
        self.lines.extend(f"{indent}  ¶ {text}" for text in block.body)
        self.walk(block.children, indent + "  ")

    def on_paragraph(self, block: Paragraph, indent: str) -> None:
        self.lines.append(f"{indent}¶ {block.text}")

    def on_table(self, block: TableBlock, indent: str) -> None:
        self.lines.append(f"{indent}table: {' | '.join(block.columns)}")
        for row in block.rows:
            cells = []
            for cell in row:
                text = cell_text(cell.blocks)
                cells.append(f"{text} (rows {cell.rowspan})" if cell.rowspan > 1 else text)
            self.lines.append(f"{indent}  row: {' | '.join(cells)}")

    def on_form(self, block: FormBlock, indent: str) -> None:
        self.lines.append(f"{indent}form: {' | '.join(block.columns)}; fields: {'、'.join(block.fields)}")
        self.walk(block.items, indent + "  ")
        if block.total_label:
            self.lines.append(f"{indent}  total: {block.total_label} [{block.total}]")
        self.lines.extend(f"{indent}  ¶ {note}" for note in block.notes)

    def on_appendix(self, appendix: Entry, indent: str) -> None:
        self.lines.append(f"appendix: {appendix.title}")
        self.walk(appendix.children, "  ")


def outline(document: Document) -> str:
    """A stable text dump of the tree: one line per entry, paragraph, table row and form row."""
    walk = _Outline()
    walk.lines += [f"# {document.title}"] + [f"cover: {line}" for line in document.cover_lines]
    walk.lines += [f"issued: {line}" for line in document.under_title]
    walk.walk_document(document, "")
    return "\n".join(walk.lines) + "\n"
