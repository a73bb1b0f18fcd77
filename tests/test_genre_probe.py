"""plan import, validate, build, new and diff on the shapes of other agencies' published plans
(tests/fixtures/genre/: each file says in its header which agency's page it follows), and on inputs
chosen to break them."""
from pathlib import Path

from conftest import ROOT
from pipeline.importer import read_text, recognise

GENRE = ROOT / "tests/fixtures/genre"


def source(name: str) -> str:
    """A fixture's text without its header (the lines starting with 「# 」 that say where it is from)."""
    lines = (GENRE / name).read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith("# "))


def plan_of(text: str, year: int | None = None):
    return recognise(read_text(text), "test.txt", year).plan


def cells(table) -> list[list]:
    return [[None if c is None else c.text for c in row] for row in table.rows]


def test_a_column_name_broken_over_two_lines_and_cells_placed_by_their_labels():
    """臺中市動物保護防疫處: the page breaks the narrow column's name 「承辦單位」 over two lines; the
    table keeps four columns, 「一、」 spans the rows of its strategies, 「1.」「2.」 share one cell."""
    plan = plan_of(source("taichung-animal-106.txt"))
    table = next(s.table for s in plan.sections if s.table)
    assert table.columns == ["實施要項", "執行策略", "執行方法", "承辦單位"]
    first, second = table.rows
    assert [c.text for c in first][0].startswith("一、提升服務品質") and first[0].span == 2
    assert [c.text for c in second][0].startswith("(二)考量民眾洽公便利性")
    assert second[1].text.startswith("1.辦理洽公環境檢查") and "\n\n2.辦理服務設施檢查" in second[1].text
    assert [c.text for c in first][-1] == [c.text for c in second][-1] == "各組"
