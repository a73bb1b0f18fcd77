"""Plan import: tables — rows of cell texts (None where the cell above spans down) → a Table."""
from __future__ import annotations

from ..model import Cell, Table


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
