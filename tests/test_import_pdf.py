"""`plan import` of PDF, as agencies publish their plans: the text of each page and its ruled tables,
a table going on over page breaks kept whole, and clear words for a scan, a password or a damaged file."""
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT, SEEDS
from likeness import docx_text, likeness
from pipeline.importer import import_file
from pipeline.loader import load_plan
from pipeline.readers.pdf import joined, spaced_habit
from pipeline.tree import build_document
from pipeline.writers import docx as docx_writer

PDF = ROOT / "tests" / "fixtures" / "import" / "pdf"


def plan_import(*args, data: bytes | None = None):
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "import", *map(str, args)], input=data,
                          capture_output=True, cwd=ROOT)


def rendered(tmp_path, plan_yaml, name) -> str:
    target = tmp_path / f"{name}.docx"
    docx_writer.write(build_document(load_plan(str(plan_yaml))), str(target))
    return docx_text(str(target))


@pytest.mark.parametrize("agency,year", SEEDS)
@pytest.mark.parametrize("made_by", ["plan.pdf", "odt.pdf"])
def test_a_plans_pdf_imports_back_to_the_plan_it_shows(tmp_path, office, agency, year, made_by):
    """plan.pdf: what `plan build --format pdf` writes; odt.pdf: the ODT as LibreOffice prints it."""
    out = tmp_path / f"{year}.yaml"
    run = plan_import(office[(agency, made_by)], "-o", out)
    assert run.returncode == 0, run.stderr.decode()
    source = ROOT / "plans" / agency / f"{year}.yaml"
    assert likeness(rendered(tmp_path, source, "source"), rendered(tmp_path, out, "imported")) >= 0.98
    labels = [entry.label for entry in build_document(load_plan(str(source))).body]
    assert [entry.label for entry in build_document(load_plan(str(out))).body] == labels


def test_the_issuance_line_under_a_title_gives_the_year_of_a_plan_without_a_cover(office):
    """A school's plan whose title states no year: the issuance line printed under its title (there is no
    cover to print it on) gives the year, so `plan import plan.pdf` needs no --year."""
    run = plan_import(office[("school-issued", "plan.pdf")])
    assert run.returncode == 0, run.stderr.decode()
    plan = yaml.safe_load(run.stdout)
    assert plan["year"] == 113 and plan["title"] == ["臺中市某區某某國民小學閱讀推動實施計畫"]
    assert plan["issued"] == {"date": "113-02-01", "number": "中市某國小教字第 1130000123 號", "verb": "函核定"}
    assert [s["title"] for s in plan["sections"]][-1] == "本計畫經校長核定後實施，修正時亦同。"


def test_a_table_across_page_breaks_is_one_table_with_its_merged_cells(office):
    plan = import_file(str(office[("fengshan-hr1", "plan.pdf")])).plan
    table = plan.strategies.table
    assert [c.text for c in table.rows[0]][:1] != ["實施要項"], "the header row repeated on each page is left out"
    spans = [c.span for row in table.rows for c in row if c.span > 1]
    assert spans == [6, 4, 5, 5, 4], "as the same table imported from the seed's text"


def test_a_line_the_page_wrapped_is_one_line_again(office):
    """keelung-cec 105: 「本會所訂定之「105 年度…計畫」」 ran to the margin; the text reader alone took
    the line ending in 」 for a title over its text."""
    plan = import_file(str(office[("keelung-cec", "plan.pdf")])).plan
    texts = [item.text for section in (plan.steps, plan.assessment) if section for item in section.items]
    assert any(t and t.startswith("本會所訂定之「105 年度提升服務品質創新精進計畫」應於每年 2 月底前完成") for t in texts), texts
    assert plan.title == ["基隆市選舉委員會", "105 年度提升服務品質創新精進計畫"], "the title by its larger type"


def test_wrapped_pieces_join_as_the_document_spaces_chinese_and_numbers():
    spaced = spaced_habit(["每年 12 月底前完成", "配分 60 分", "計畫"])
    assert spaced and not spaced_habit(["每年12月底前完成", "配分60分"])
    assert joined("每年", "12 月底", spaced) == "每年 12 月底"
    assert joined("每年", "12月底", False) == "每年12月底"
    assert joined("本所", "研訂", spaced) == "本所研訂" and joined("Web", "site", spaced) == "Web site"


def test_a_pdf_on_standard_input_is_told_by_its_header(office):
    run = plan_import("-", data=office[("kaohsiung-cec", "plan.pdf")].read_bytes())
    assert run.returncode == 0, run.stderr.decode()
    assert yaml.safe_load(run.stdout)["agency"] == "高雄市選舉委員會"


def scan(path):
    from PIL import Image

    Image.new("RGB", (595, 842), "white").save(path)
    return path


@pytest.mark.parametrize("make, words", [
    (lambda tmp: PDF / "password-protected.pdf", "密碼保護"),
    (lambda tmp: scan(tmp / "scan.pdf"), "沒有文字"),
    (lambda tmp: (tmp / "bad.pdf").write_bytes(b"%PDF-1.4\nnot a pdf") and tmp / "bad.pdf", "已損毀"),
])
def test_a_pdf_import_cannot_read_is_refused_with_what_to_do(tmp_path, make, words):
    run = plan_import(make(tmp_path))
    message = run.stderr.decode()
    assert run.returncode == 1 and words in message and "Traceback" not in message, message
