"""Plan import: tables — rows of cell texts (None where the cell above spans down) → a Table; and
tables that extraction flattened to one cell per line, rebuilt."""
from __future__ import annotations

import re

from ..model import Cell, Table
from ..readers import Block


def table_of(rows: list[list[str | None]]) -> Table:
    columns, body = rows[0], rows[1:]
    width = len(columns)
    table_rows: list[list[Cell]] = []
    open_cells: dict[int, Cell] = {}
    for row in body:
        row = (row + [""] * width)[:width]
        cells = []
        for column, text in enumerate(row):
            if text is None and column in open_cells:
                open_cells[column].span += 1  # covered: the cell above spans down
                continue
            cell = Cell(text=text or None)  # a blank cell stays a blank cell
            cells.append(cell)
            open_cells[column] = cell
        table_rows.append(cells)
    return Table(columns=[c or "" for c in columns], rows=table_rows)


COLUMN = re.compile(r"^[^\s，,。；;：:、（）()]{0,8}(?:項目|要項|要領|重點|策略|方法|作法|單位|指標|目標|期程|內容|說明|備註|標準|"
                    r"進度|時程|經費|依據|構面|措施|工作|分工|評分|配分)$")
UNIT = re.compile(r"^(?:各[^\s，,。]{1,4}|[^\s，,。；;：:]{1,10}(?:課|室|組|科|股|所|處|局|隊|中心|單位|小組))"
                  r"(?:[、及與][^\s，,。；;：:]{1,10})*$")


def cells_per_line(blocks: list[Block]) -> list[Block]:
    """A table extracted one cell per line — its column names each on a line (實施要項 / 執行策略 /
    承辦單位), then the cells — rebuilt as a table. The unit column's cells (「登記課」「各組」) close a row."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        header, j = _header_run(blocks, i)
        if len(header) < 2:
            out.append(blocks[i])
            i += 1
            continue
        start = j
        body: list[str] = []
        while j < len(blocks) and blocks[j].table is None and blocks[j].role != "pre" and not _ends_table(blocks[j].text):
            body.append(blocks[j].text)
            j += 1
        unit_last = header[-1].endswith("單位")
        if unit_last:   # the last unit cell closes the table: what follows it (「六、經費：」) is text again
            last = max((k for k, line in enumerate(body) if UNIT.match(line)), default=len(body) - 1)
            body, j = body[:last + 1], start + last + 1
        rows = _rows(body, len(header), unit_last=unit_last)
        if not rows:
            out.append(blocks[i])
            i += 1
            continue
        out.append(Block(table=[header] + rows))
        i = j
    return out


def _header_run(blocks: list[Block], i: int) -> tuple[list[str], int]:
    """The column names from block i on, and the index after them. A name the page broke over two
    lines (「承辦」「單位」, a narrow column) is one name. Reading stops at the ninth name (more is no
    header), so a long run of such lines costs each start a few lines, not the whole run."""
    names = []
    while i < len(blocks) and len(names) <= 8:
        for lines in (1, 2):
            if i + lines <= len(blocks) and all(b.table is None and not b.role for b in blocks[i:i + lines]):
                name = "".join(b.text for b in blocks[i:i + lines])
                if COLUMN.match(name) and (lines == 1 or len(blocks[i].text) <= 4):
                    break
        else:
            break
        names.append(name)
        i += lines
    return (names, i) if 2 <= len(names) <= 8 else ([], i)


def _ends_table(text: str) -> bool:
    from .labels import label_of

    found = label_of(text)
    return bool(found and found[0] == "壹")


def _rows(lines: list[str], width: int, unit_last: bool) -> list[list[str]]:
    """Cells in reading order → rows: each row ends with its run of unit cells; cells beyond the
    row's width join its first column (a group heading above its first item)."""
    if not unit_last:
        return [lines[k:k + width] + [""] * (width - len(lines[k:k + width])) for k in range(0, len(lines), width)]
    rows, texts, units = [], [], []
    columns_of: dict[str, int] = {}   # a label style → the column its cells were found in
    for line in lines + [None]:
        if line is not None and UNIT.match(line):
            units.append(line)
            continue
        if units or line is None:
            if texts or units:
                rows.append(_row(texts, units, width, columns_of, first=not rows))
            texts, units = [], []
        if line is not None:
            texts.append(line)
    return rows if all(r[-1] for r in rows) else []


def _row(texts: list[str], units: list[str], width: int, columns_of: dict[str, int], first: bool) -> list:
    """One row's text cells placed in columns: a labelled cell goes to the column its style was
    found in before (「1.」 under 執行方法, so 「1.」「2.」 are one cell), a cell without a label to the
    column after the one before it. Columns left of the first cell continue the cells above
    (None: the cell above spans down). Cells that cannot be placed so are laid out in order, those
    beyond the row's width joining its first column (a group heading above its first item)."""
    columns = width - 1
    placed = _placed(texts, columns, columns_of)
    if placed is None:
        if len(texts) > columns:
            extra = len(texts) - columns
            texts = ["\n\n".join(texts[:extra + 1])] + texts[extra + 1:]
        return texts + [""] * (columns - len(texts)) + ["\n\n".join(units)]
    cells: list = [""] * columns
    for column, text in placed:
        cells[column] = f"{cells[column]}\n\n{text}" if cells[column] else text
    lead = placed[0][0] if placed else 0
    if not first:
        cells[:lead] = [None] * lead
    return cells + ["\n\n".join(units)]


def _placed(texts: list[str], columns: int, columns_of: dict[str, int]) -> list[tuple[int, str]] | None:
    from .labels import label_of

    learned = dict(columns_of)
    placed: list[tuple[int, str]] = []
    for text in texts:
        found = label_of(text)
        style = found[0] if found else None
        previous = placed[-1][0] if placed else -1
        if style in learned:
            column = learned[style]
        else:
            column = previous + 1
            if style:
                learned[style] = column
        if column >= columns or column < previous:
            return None
        placed.append((column, text))
    columns_of.update(learned)
    return placed
