"""Reader for OpenDocument text (.odt, and the single-file .fodt), the national open format: paragraphs,
headings, lists and tables in reading order.

Like the Word reader: encrypted, damaged and zip-bomb files are refused with a message; a paragraph
numbered by the document's own list or chapter numbering gets the label the numbering draws (壹、 一、
（一） 1.), counted as LibreOffice counts it, and a list whose format no plan uses (bullets, letters)
keeps only its depth; changes not yet accepted read as accepted (deleted text lives apart from the body);
tables keep cells merged across columns in place and mark those merged down; plain paragraphs go through
the text reader's line handling. Bold — fo:font-weight of a span's or paragraph's style, automatic or
named, or a style it is based on — is kept as plan text's **…** by the Word reader's rule (emphasis.py):
a paragraph bold throughout apart from its label (the project's own Heading and Title styles are bold) is
a heading and stays plain; bold inside a paragraph is emphasis.
"""
from __future__ import annotations

import io
import re
import zipfile

from ..numbering import branch, chinese_numeral, legal_numeral, stem
from . import FULL_WIDTH, LIST_MARK, Block, NotAPlan, carriable, too_large

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
LOEXT = "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0"
MAX_REPEAT = 200   # a row written as repeated more often than this is read this often
MAX_ROWS, MAX_COLUMNS = 10_000, 200  # a table larger than this is cut there


def _t(tag: str) -> str:
    return f"{{{TEXT}}}{tag}"


PARAGRAPHS = {_t("p"), _t("h")}
PICTURES = {f"{{{DRAW}}}frame", f"{{{DRAW}}}custom-shape", f"{{{DRAW}}}g"}  # pictures, charts, text boxes
SKIPPED = {_t("tracked-changes"), _t("note"), _t("sequence-decls"), _t("variable-decls"), _t("user-field-decls"),
           _t("table-of-content"), _t("alphabetical-index"), _t("illustration-index"), _t("table-index"),
           _t("object-index"), _t("user-index"), _t("bibliography"), f"{{{OFFICE}}}annotation",
           f"{{{OFFICE}}}annotation-end", f"{{{OFFICE}}}forms", *PICTURES}  # not plan text

# style:num-format as LibreOffice writes it (Word's Chinese list formats become these on saving as .odt)
FORMATS = {"1": str, "1, 2, 3, ...": str, "１, ２, ３, ...": lambda n: str(n).translate(FULL_WIDTH),
           "壹, 貳, 參, ...": legal_numeral, "一, 二, 三, ...": chinese_numeral,
           "甲, 乙, 丙, ...": stem, "子, 丑, 寅, ...": branch}


def read(path: str, data: bytes) -> list[Block]:
    content, styles = _documents(path, data)
    reader = _Reader(Numberings(content, styles), _paragraph_roles(content, styles), Weights(content, styles))
    body = content.find(f"{{{OFFICE}}}body/{{{OFFICE}}}text")
    if body is None:
        raise NotAPlan(f"{path}: 這個 OpenDocument 檔不是文字文件（可能是試算表或簡報）。 (not a text document)")
    reader.walk(body)
    return reader.finish()


def _documents(path: str, data: bytes):
    """(content, styles) as XML trees: the parts of a .odt package, or one .fodt file as both."""
    if not data.startswith(b"PK\x03\x04"):
        root = _parse(path, data)
        return root, root
    damaged = (f"{path}: 這個 .odt 檔已損毀，無法開啟；請在 LibreOffice 或 Word 開啟後另存新檔再試。"
               " (corrupt .odt)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        archive.getinfo("content.xml")
    except (zipfile.BadZipFile, KeyError):
        raise NotAPlan(damaged) from None
    too_large(path, archive.infolist())
    names = set(archive.namelist())
    if "META-INF/manifest.xml" in names and b"encryption-data" in archive.read("META-INF/manifest.xml"):
        raise NotAPlan(f"{path}: 這個 .odt 檔有密碼保護；請在 LibreOffice 開啟後取消密碼、另存新檔再試。"
                       " (password-protected .odt)")
    try:
        content = _parse(path, archive.read("content.xml"))
        styles = _parse(path, archive.read("styles.xml")) if "styles.xml" in names else None
    except zipfile.BadZipFile:
        raise NotAPlan(damaged) from None
    return content, styles


def _parse(path: str, data: bytes):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        raise NotAPlan(f"{path}: 文件內容無法解析，不是完整的 OpenDocument 文字檔。 (malformed OpenDocument)") from None


def _paragraph_roles(content, styles) -> dict[str, str]:
    """Paragraph style name → "title" or "cover", following each automatic style to the style it is based on."""
    parents: dict[str, str] = {}
    names: dict[str, str] = {}
    for tree in (styles, content):
        if tree is None:
            continue
        for style in tree.iter(f"{{{STYLE}}}style"):
            name = style.get(f"{{{STYLE}}}name", "")
            names[name] = style.get(f"{{{STYLE}}}display-name", name)
            if style.get(f"{{{STYLE}}}parent-style-name"):
                parents[name] = style.get(f"{{{STYLE}}}parent-style-name")
    roles = {}
    for name in names:
        seen, current = set(), name
        while current and current not in seen:
            seen.add(current)
            shown = names.get(current, current).lower().replace("_20_", " ")
            if shown == "title":
                roles[name] = "title"
                break
            if "cover" in shown:
                roles[name] = "cover"
                break
            current = parents.get(current)
    return roles


UNNUMBERED = ("", "", "", 1, 1, None)  # a level its list style does not define draws no number


class Numberings:
    """The labels a document's lists and chapter numbering draw: list style (or the outline) → level →
    (format, prefix, suffix, start, levels shown, LibreOffice's full pattern such as 「%1%、」)."""

    OUTLINE = "\x00outline"

    def __init__(self, content, styles):
        self.styles: dict[str, dict[int, tuple]] = {}
        for tree in (styles, content):
            if tree is None:
                continue
            for style in tree.iter(_t("list-style"), _t("outline-style")):
                name = self.OUTLINE if style.tag == _t("outline-style") else style.get(f"{{{STYLE}}}name", "")
                self.styles[name] = {_whole(level.get(_t("level")), 1): self._level(level)
                                     for level in style if level.tag in (_t("list-level-style-number"),
                                                                         _t("outline-level-style"),
                                                                         _t("list-level-style-bullet"),
                                                                         _t("list-level-style-image"))}
        self.counts: dict[str, dict[int, int]] = {}

    @staticmethod
    def _level(level) -> tuple:
        if level.tag in (_t("list-level-style-bullet"), _t("list-level-style-image")):
            return ("bullet", "", "", 1, 1, None)
        get = level.get
        return (get(f"{{{STYLE}}}num-format", ""), get(f"{{{STYLE}}}num-prefix", ""), get(f"{{{STYLE}}}num-suffix", ""),
                _whole(get(_t("start-value")), 1), _whole(get(_t("display-levels")), 1),
                get(f"{{{LOEXT}}}num-list-format"))

    def restart(self, name: str) -> None:
        self.counts.pop(name, None)

    def next(self, name: str, level: int, start: int | None = None) -> str | None:
        """The label of the next item at `level` (from 1); None when its format is not one a plan uses,
        "" when the level draws no number."""
        levels = self.styles.get(name, {})
        counts = self.counts.setdefault(name, {})
        own = levels.get(level, UNNUMBERED)
        counts[level] = start if start is not None else counts.get(level, own[3] - 1) + 1
        for deeper in [d for d in counts if d > level]:
            del counts[deeper]  # a deeper level starts again under each item of this one
        fmt, prefix, suffix, _, shown, pattern = own
        if fmt == "bullet":
            return None
        if not fmt and not pattern:
            return ""
        shown_levels = ({int(n) for n in re.findall(r"%(\d{1,2})%", pattern)} if pattern
                        else range(max(1, level - shown + 1), level + 1))
        numbers = {}
        for at in shown_levels:
            at_fmt, _, _, start, _, _ = levels.get(at, ("1", "", "", 1, 1, None))  # a level not defined counts 1, 2, 3
            if at_fmt not in FORMATS:
                return None
            numbers[at] = FORMATS[at_fmt](counts.get(at, start))
        if pattern:  # LibreOffice's own pattern, such as 「（%3%）」 or 「%1%.%2%.」
            return re.sub(r"%(\d{1,2})%", lambda m: numbers.get(int(m.group(1)), ""), pattern)
        return prefix + ".".join(numbers[at] for at in sorted(numbers)) + suffix


class _Reader:
    """Walks the body in reading order, collecting blocks as the Word reader does."""

    def __init__(self, numberings: Numberings, roles: dict[str, str], weights: "Weights | None" = None):
        self.numberings = numberings
        self.roles = roles
        self.weights = weights
        self.blocks: list[Block] = []
        self.plain: list[str] = []

    def finish(self) -> list[Block]:
        self._flush()
        return self.blocks

    def _flush(self) -> None:
        from .text import blocks_from_lines

        self.blocks.extend(blocks_from_lines(self.plain))
        self.plain.clear()

    def walk(self, element) -> None:
        for child in element:
            self.element(child)

    def element(self, child) -> None:
        tag = child.tag
        if tag in PARAGRAPHS:
            self.paragraph(child, self._heading_label(child) if tag == _t("h") else "")
        elif tag == _t("list"):
            self.list(child, child.get(_t("style-name"), ""), 1)
        elif tag == f"{{{TABLE}}}table":
            self._flush()
            self.blocks.append(Block(table=table_rows(child, self.weights)))
        elif tag in PICTURES:
            self._figure()
        elif tag not in SKIPPED and isinstance(tag, str):
            self.walk(child)  # sections, soft page breaks, custom wrappers

    def _heading_label(self, heading) -> str | None:
        """The label chapter numbering draws before a heading (text:outline-style), if any."""
        if heading.get(_t("is-list-header")) == "true" or Numberings.OUTLINE not in self.numberings.styles:
            return ""
        return self.numberings.next(Numberings.OUTLINE, _whole(heading.get(_t("outline-level")), 1))

    def list(self, element, style: str, level: int) -> None:
        style = element.get(_t("style-name")) or style
        if level == 1 and element.get(_t("continue-numbering")) != "true" and element.get(_t("continue-list")) is None:
            self.numberings.restart(style)
        for item in element:
            if item.tag not in (_t("list-item"), _t("list-header")):
                continue
            first = True
            for child in item:
                if child.tag in PARAGRAPHS:
                    label = ""
                    if first and item.tag == _t("list-item"):
                        start = item.get(_t("start-value"))
                        label = self.numberings.next(style, level, _whole(start, None))
                    self.paragraph(child, label, level)
                    first = False
                elif child.tag == _t("list"):
                    self.list(child, style, level + 1)
                    first = False
                else:
                    self.element(child)  # a table or section inside a list item

    def paragraph(self, p, label: str | None, depth: int = 1) -> None:
        """One paragraph; `label` is what its numbering draws ("" none, None a format only known by its depth)."""
        from .text import LABEL_START

        role = self.roles.get(p.get(_t("style-name"), ""), "")
        text = visible_text(p, self.weights)
        if label != "" and not LABEL_START.match(text.strip()):
            text = (label if label is not None else LIST_MARK * depth) + text.replace("\t", "").lstrip()
        lines = [line.strip() for line in text.split("\n")] if role == "title" else [text.strip("\n")]
        found = [Block(text=line, role=role) for line in lines if line.strip()]
        if found and not role and not found[0].text.startswith(LIST_MARK):
            self.plain.extend(b.text for b in found)
        else:
            self._flush()
            self.blocks.extend(found)
        if any(element.tag in PICTURES for element in p.iter()):
            self._figure()

    def _figure(self) -> None:
        self._flush()
        self.blocks.append(Block(role="figure"))  # a picture, chart or text box: a plan file has none


def visible_text(p, weights: "Weights | None" = None) -> str:
    """A paragraph's text as it reads: spans, links and fields count; runs of spaces (text:s), tabs and line
    breaks are written out; notes, comments, frames and index marks do not count. Bold (see Weights) is
    kept as **…**, literal asterisks escaped (emphasis.py)."""
    from .emphasis import marked

    parts: list[tuple[str, bool]] = []

    def walk(element, bold: bool) -> None:
        if element.text:
            parts.append((carriable(element.text), bold))
        for child in element:
            tag = child.tag
            if tag == _t("s"):
                parts.append((" " * min(_whole(child.get(_t("c")), 1), 100), bold))
            elif tag == _t("tab"):
                parts.append(("\t", bold))
            elif tag == _t("line-break"):
                parts.append(("\n", bold))
            elif tag not in SKIPPED and isinstance(tag, str):
                own = weights.bold(child.get(_t("style-name"))) if weights is not None else None
                walk(child, bold if own is None else own)
            if child.tail:
                parts.append((carriable(child.tail), bold))

    start = weights.bold(p.get(_t("style-name"))) if weights is not None else None
    walk(p, bool(start))
    return marked(parts)


class Weights:
    """Which styles set text bold: fo:font-weight or style:font-weight-asian of a named or automatic style
    (paragraph or text), or of the style it is based on; bold, or a weight of 600 and more, is bold,
    normal (400) is not."""

    def __init__(self, content, styles):
        self.parents: dict[str, str] = {}
        self.weights: dict[str, bool] = {}
        for tree in (styles, content):
            if tree is None:
                continue
            for style in tree.iter(f"{{{STYLE}}}style"):
                name = style.get(f"{{{STYLE}}}name", "")
                if style.get(f"{{{STYLE}}}parent-style-name"):
                    self.parents[name] = style.get(f"{{{STYLE}}}parent-style-name")
                properties = style.find(f"{{{STYLE}}}text-properties")
                if properties is None:
                    continue
                given = [w for w in (properties.get(f"{{{FO}}}font-weight"),
                                     properties.get(f"{{{STYLE}}}font-weight-asian")) if w]
                if given:   # Chinese text is drawn with the Asian weight, which LibreOffice sets beside fo's
                    self.weights[name] = any(w == "bold" or (w.isdigit() and int(w) >= 600) for w in given)

    def bold(self, name: str | None) -> bool | None:
        """True or False when the style (or one it is based on) sets the weight; None when none does."""
        seen: set[str] = set()
        while name and name not in seen:
            seen.add(name)
            if name in self.weights:
                return self.weights[name]
            name = self.parents.get(name)
        return None


def table_rows(table, weights: "Weights | None" = None) -> list[list[str | None]]:
    """The rows of cell texts; a cell merged across columns keeps the columns it covers in place (empty),
    a cell merged down leaves None in the rows below. Empty rows (a spreadsheet's filler) are left out."""
    rows: list[list[str | None]] = []
    for row in _rows_of(table):
        cells: list[str | None] = []
        across = 0  # columns still covered by a cell merged across, to its right
        for cell in row:
            if len(cells) >= MAX_COLUMNS:
                break
            if cell.tag == f"{{{TABLE}}}covered-table-cell":
                for _ in range(_repeats(cell, "columns", MAX_COLUMNS)):
                    cells.append("" if across > 0 else None)
                    across = max(across - 1, 0)
            elif cell.tag == f"{{{TABLE}}}table-cell":
                paragraphs = [visible_text(p, weights) for p in cell.iter(_t("p"), _t("h"))]
                cells.extend(["\n\n".join(p for p in paragraphs if p.strip())] * _repeats(cell, "columns", MAX_COLUMNS))
                across = max(_whole(cell.get(f"{{{TABLE}}}number-columns-spanned"), 1) - 1, 0)
        if any(cells):
            rows.extend(cells[:MAX_COLUMNS] for _ in range(_repeats(row, "rows", MAX_REPEAT)))
        if len(rows) >= MAX_ROWS:
            break
    return rows[:MAX_ROWS]


def _repeats(element, what: str, limit: int) -> int:
    """How many columns a cell, or rows a row, stands for (number-…-repeated), at most `limit`."""
    return min(_whole(element.get(f"{{{TABLE}}}number-{what}-repeated"), 1), limit)


def _whole(text: str | None, default):
    """A count or level written in the file; `default` when absent or not a whole number."""
    return int(text) if text and text.isdigit() and len(text) < 7 else default


def _rows_of(element):
    for child in element:
        if child.tag == f"{{{TABLE}}}table-row":
            yield child
        elif child.tag in (f"{{{TABLE}}}table-header-rows", f"{{{TABLE}}}table-rows", f"{{{TABLE}}}table-row-group"):
            yield from _rows_of(child)
