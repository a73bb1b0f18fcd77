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
        header = _header_run(blocks, i)
        if len(header) < 2:
            out.append(blocks[i])
            i += 1
            continue
        j = i + len(header)
        body: list[str] = []
        while j < len(blocks) and blocks[j].table is None and blocks[j].role != "pre" and not _ends_table(blocks[j].text):
            body.append(blocks[j].text)
            j += 1
        rows = _rows(body, len(header), unit_last=header[-1].endswith("單位"))
        if not rows:
            out.append(blocks[i])
            i += 1
            continue
        out.append(Block(table=[header] + rows))
        i = j
    return out


def _header_run(blocks: list[Block], i: int) -> list[str]:
    """The column names starting at block i: 2 to 8 lines that name columns. Reading stops at the ninth
    (more is no header), so a long run of such lines costs each start a few lines, not the whole run."""
    names = []
    while (i < len(blocks) and len(names) <= 8 and blocks[i].table is None and not blocks[i].role
           and COLUMN.match(blocks[i].text)):
        names.append(blocks[i].text)
        i += 1
    return names if 2 <= len(names) <= 8 else []


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
    for line in lines + [None]:
        if line is not None and UNIT.match(line):
            units.append(line)
            continue
        if units or line is None:
            if texts or units:
                rows.append(_row(texts, units, width))
            texts, units = [], []
        if line is not None:
            texts.append(line)
    return rows if all(r[-1] for r in rows) else []


def _row(texts: list[str], units: list[str], width: int) -> list[str]:
    columns = width - 1
    if len(texts) > columns:
        extra = len(texts) - columns
        texts = ["\n\n".join(texts[:extra + 1])] + texts[extra + 1:]
    return texts + [""] * (columns - len(texts)) + ["\n\n".join(units)]
