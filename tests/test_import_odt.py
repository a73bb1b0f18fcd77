"""`plan import` of OpenDocument text (.odt, .fodt), the national open format: the project's own ODT and
files saved by LibreOffice read as their Word counterparts do."""
import io
import subprocess
import sys
import zipfile

import pytest
import yaml

from conftest import ROOT, SEEDS
from pipeline.importer import import_file
from pipeline.loader import load_plan
from pipeline.tree import build_document
from pipeline.writers import docx as docx_writer
from pipeline.writers import odt as odt_writer

ODT = ROOT / "tests" / "fixtures" / "import" / "odt"


def plan_import(*args, data: bytes | None = None):
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "import", *map(str, args)], input=data,
                          capture_output=True, cwd=ROOT)


def without_source_line(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("# 由 plan import 自"))


@pytest.mark.parametrize("agency,year", SEEDS)
def test_the_projects_own_odt_imports_as_its_docx_does(tmp_path, agency, year):
    document = build_document(load_plan(str(ROOT / "plans" / agency / f"{year}.yaml")))
    odt_writer.write(document, str(tmp_path / "plan.odt"))
    docx_writer.write(document, str(tmp_path / "plan.docx"))
    from_odt, from_docx = plan_import(tmp_path / "plan.odt"), plan_import(tmp_path / "plan.docx")
    assert from_odt.returncode == 0 and from_docx.returncode == 0, from_odt.stderr.decode()
    assert without_source_line(from_odt.stdout.decode()) == without_source_line(from_docx.stdout.decode())


@pytest.mark.parametrize("name", ["word-lists.odt", "word-lists.fodt"])
def test_libreoffice_list_numbering_gives_the_labels_it_draws(name):
    plan = yaml.safe_load(plan_import(ODT / name).stdout)
    assert plan["title"] == ["臺南市政府地政局 113 年提升服務效能執行計畫"]
    assert plan["basis"] == "依據本府 113 年施政計畫辦理。"
    steps = plan["steps"]
    assert steps["title"] == "實施方式", "貳、: the list continued across the paragraph between"
    assert [item["title"] for item in steps["items"]] == ["服務態度", "服務環境"]
    assert steps["items"][0]["items"] == ["設置服務台。", "提供引導。"]
    assert [s["title"] for s in plan["sections"]] == ["預期效益"]


def test_a_libreoffice_file_with_changes_not_accepted_reads_as_the_new_plan(tmp_path):
    out = tmp_path / "103.yaml"
    run = plan_import(ODT / "tracked-review.odt", "-o", out)
    assert run.returncode == 0, run.stderr.decode()
    review = subprocess.run([sys.executable, "-m", "pipeline.cli", "diff", str(ODT / "tracked-review.new.yaml"), str(out),
                             "--format", "json"], capture_output=True, text=True, cwd=ROOT)
    assert review.returncode == 0 and yaml.safe_load(review.stdout)["changes"] == [], review.stdout[:2000]
    text = out.read_text(encoding="utf-8")
    assert "全面考量" in text and "新增：定期辦理選務志工培訓。" in text


def test_merged_table_cells_of_a_libreoffice_file_keep_their_places():
    plan = import_file(str(ODT / "fengshan-hr1-97.odt")).plan
    spans = [c.span for row in plan.strategies.table.rows for c in row if c.span > 1]
    assert spans == [6, 4, 5, 5, 4], "as the same table imported from the seed's text"


def test_an_odt_on_standard_input_is_told_by_its_package():
    run = plan_import("-", data=(ODT / "word-lists.odt").read_bytes())
    assert run.returncode == 0, run.stderr.decode()
    assert yaml.safe_load(run.stdout)["steps"]["title"] == "實施方式"


def package(parts: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


BODY = ('<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body>{}</office:body>'
        '</office:document-content>')


def test_spaces_breaks_notes_and_a_table_of_contents_read_as_the_page_shows(tmp_path):
    text = ('<office:text><text:table-of-content><text:index-body><text:p>壹、計畫依據 ........ 1</text:p>'
            '</text:index-body></text:table-of-content>'
            '<text:p>臺南市政府地政局 113 年提升服務效能執行計畫</text:p>'
            '<text:p>壹、計畫依據<text:note><text:note-citation>1</text:note-citation><text:note-body>'
            '<text:p>註腳文字</text:p></text:note-body></text:note></text:p>'
            '<text:p>依據<text:s text:c="2"/>本府 113 年施政計畫<text:span>辦理</text:span>。</text:p>'
            '<text:p>貳、實施方式</text:p><text:p>一、設置服務台。<text:line-break/>二、提供引導。</text:p></office:text>')
    path = tmp_path / "plan.odt"
    path.write_bytes(package({"content.xml": BODY.format(text)}))
    plan = import_file(str(path)).plan
    assert plan.basis.text == "依據 本府 113 年施政計畫辦理。", "text:s is a space (runs of spaces fold as in any import)"
    assert [i.text for i in plan.steps.items] == ["設置服務台。", "提供引導。"]
    written = yaml.safe_dump(yaml.safe_load(plan_import(path).stdout), allow_unicode=True)
    assert "註腳文字" not in written and "........" not in written


@pytest.mark.parametrize("parts, words", [
    ({"content.xml": "<office:document-content", "META-INF/manifest.xml": "<manifest:encryption-data/>"}, "密碼保護"),
    ({"content.xml": "<office:document-content"}, "無法解析"),
    ({"styles.xml": "<x/>"}, "已損毀"),
    ({"content.xml": BODY.format("<office:spreadsheet/>")}, "不是文字文件"),
    ({"content.xml": BODY.format("<office:text>" + "<text:p>甲</text:p>" * 10 + "</office:text>"),
      "Pictures/big.bin": b"\0" * (60 * 1024 * 1024)}, "解壓後過大"),
])
def test_a_file_that_is_not_a_readable_text_document_is_refused_with_a_reason(tmp_path, parts, words):
    path = tmp_path / "plan.odt"
    path.write_bytes(package(parts))
    run = plan_import(path)
    message = run.stderr.decode()
    assert run.returncode != 0 and words in message and "Traceback" not in message, message


def test_a_word_97_file_is_pointed_to_the_formats_import_reads(tmp_path):
    path = tmp_path / "plan.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    message = plan_import(path).stderr.decode()
    assert ".docx 或 .odt" in message and ".odt" in message


def test_repeated_and_covered_cells_keep_the_columns_they_stand_for(tmp_path):
    row = '<table:table-row>{}</table:table-row>'
    table = ('<table:table><table:table-header-rows>'
             + row.format('<table:table-cell><text:p>工作項目</text:p></table:table-cell>'
                          '<table:table-cell><text:p>辦理期程</text:p></table:table-cell>'
                          '<table:table-cell><text:p>負責單位</text:p></table:table-cell>')
             + '</table:table-header-rows>'
             + row.format('<table:table-cell table:number-rows-spanned="2"><text:p>便民服務</text:p></table:table-cell>'
                          '<table:table-cell table:number-columns-spanned="2"><text:p>全年</text:p></table:table-cell>'
                          '<table:covered-table-cell/>')
             + row.format('<table:covered-table-cell/><table:table-cell><text:p>每月</text:p></table:table-cell>'
                          '<table:table-cell><text:p>各課</text:p></table:table-cell>')
             + row.format('<table:table-cell table:number-columns-repeated="3"/>')
             + '<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="1000"/>'
             '</table:table-row></table:table>')
    from pipeline.readers.odt import table_rows
    from lxml import etree

    parsed = etree.fromstring(BODY.format(f"<office:text>{table}</office:text>").encode())
    rows = table_rows(parsed.find(".//{urn:oasis:names:tc:opendocument:xmlns:table:1.0}table"))
    assert rows == [["工作項目", "辦理期程", "負責單位"], ["便民服務", "全年", ""], [None, "每月", "各課"]]


def test_headings_numbered_by_their_styles_keep_their_levels():
    plan = yaml.safe_load(plan_import(ODT / "heading-lists.odt").stdout)
    assert plan["basis"] == "依據本府 113 年施政計畫辦理。"
    assert plan["steps"]["title"] == "實施方式"
    assert plan["steps"]["items"] == [{"title": "服務態度", "text": "設置服務台。"}, "服務環境"]
    assert [s["title"] for s in plan["sections"]] == ["預期效益"], "參、: an item holding only a deeper list is not counted"
