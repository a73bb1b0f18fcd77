"""What was found by looking at the outputs as their readers do: the plan in Word and LibreOffice, the
web page on a phone, the review with its tracked changes."""
import re
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import ROOT, needs_tool

from review_marks import paragraphs, plain_paragraphs, resolve
from pipeline.diff import compare
from pipeline.loader import load_plan
from pipeline.review.documents import tracked
from pipeline.tree import build_document
from pipeline.writers import writer

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

GROUPED = """agency: 測試機關
year: {year}
title: 測試機關 {year} 年計畫
sections:
  - title: 實施內容
    table:
      columns: [實施要項, 執行策略, 執行方法]
      rows:
{rows}"""


def grouped(year: int, strategies: list[str]) -> str:
    """A strategy table whose first column is one cell spanning the group's rows, then a row of its own."""
    rows = [f"        - - {{text: 一、創新服務, span: {len(strategies)}}}\n          - 策略{strategies[0]}\n"
            f"          - 方法{strategies[0]}\n"]
    rows += [f"        - - 策略{s}\n          - 方法{s}\n" for s in strategies[1:]]
    rows.append("        - - 二、便捷服務\n          - 策略戊\n          - 方法戊\n")
    return GROUPED.format(year=year, rows="".join(rows))


def doc_of(text: str, name: str):
    return build_document(load_plan(name, text.encode("utf-8")))


def grid_columns(path) -> list[int]:
    """How many grid columns each table row of a DOCX fills (a cell's w:gridSpan counted)."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    counts = []
    for row in root.iter(f"{W}tr"):
        count = 0
        for cell in row.findall(f"{W}tc"):
            span = cell.find(f"{W}tcPr/{W}gridSpan")
            count += int(span.get(f"{W}val")) if span is not None else 1
        counts.append(count)
    return counts


def test_a_row_removed_from_inside_a_spanning_group_keeps_the_rows_below_in_their_columns(tmp_path):
    """plan diff --format tracked: the deleted row is put back inside the group whose first cell spans
    it; the group's cell spans it too, so the row after it is not shifted one column to the left."""
    for kept in (["甲", "乙", "丁"], ["甲", "乙", "丙"]):  # a middle row removed, the group's last row removed
        old_doc = doc_of(grouped(103, ["甲", "乙", "丙", "丁"]), "103.yaml")
        new_doc = doc_of(grouped(104, kept), "104.yaml")
        paths = {name: tmp_path / f"{name}.docx" for name in ("old", "new", "tracked")}
        writer("docx").write(old_doc, str(paths["old"]))
        writer("docx").write(new_doc, str(paths["new"]))
        review = compare(old_doc, new_doc, "103.yaml", "104.yaml")
        assert [c.kind for c in review.changes if c.kind != "year"] == ["removed"]
        writer("docx").write(tracked(review), str(paths["tracked"]))
        assert grid_columns(paths["tracked"]) == [3] * 6
        assert paragraphs(resolve(paths["tracked"], accept=True)) == plain_paragraphs(paths["new"])
        assert paragraphs(resolve(paths["tracked"], accept=False)) == plain_paragraphs(paths["old"])


def test_at_375_px_an_item_in_a_scoring_form_has_six_characters_a_line(site, browser):
    """keelung-cec 105's 評核項目表 on a phone: an item four levels down hung its lines under its label and
    its parents' indents, leaving two characters a line in the first column."""
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto((site / "keelung-cec/105/index.html").as_uri())
    lines = page.evaluate("""() => [...document.querySelectorAll('table.form .cell-item')].map(item => {
        const style = getComputedStyle(item);
        const width = item.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return {text: item.textContent.slice(0, 12), chars: width / parseFloat(style.fontSize)};
    })""")
    page.close()
    assert len(lines) > 50
    narrow = [line for line in lines if line["chars"] < 6]
    assert narrow == [], narrow[:5]


def header_fits(header: str, column: int, margins: int) -> bool:
    """Whether a header at the tables' 12 pt fits its column on one line (twips: full-width characters 240, others 120)."""
    width = sum(240 if unicodedata.east_asian_width(ch) in "WF" else 120 for ch in header)
    return width <= column - margins


@pytest.mark.parametrize("plan", ["keelung-cec/105", "fengshan-hr1/97"])
def test_every_table_header_of_the_docx_fits_its_column_on_one_line(tmp_path, plan):
    """keelung-cec 105 in Word or LibreOffice: the form's 「評核紀錄事項」 wrapped its last character onto a
    second line (the Table Grid style's 0.19 cm cell margins; the ODT has 0.1 cm and kept it whole)."""
    path = tmp_path / "plan.docx"
    writer("docx").write(build_document(load_plan(str(ROOT / "plans" / f"{plan}.yaml"))), str(path))
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    checked = []
    for table in root.iter(f"{W}tbl"):
        margins = sum(int(m.get(f"{W}w")) for m in table.findall(f"{W}tblPr/{W}tblCellMar/*")
                      if m.tag in (f"{W}left", f"{W}right")) or 2 * 108  # Table Grid's margins when none are given
        columns = [int(c.get(f"{W}w")) for c in table.iter(f"{W}gridCol")]
        header = table.find(f"{W}tr")
        for column, cell in zip(columns, header.findall(f"{W}tc")):
            text = "".join(cell.itertext())
            checked.append((text, header_fits(text, column, margins)))
    assert len(checked) >= 3
    assert [text for text, fits in checked if not fits] == []


def footer_page_counts(docx_path) -> list[str]:
    """The stored results of the footer's page-count fields (what LibreOffice shows of SECTIONPAGES)."""
    with zipfile.ZipFile(docx_path) as archive:
        footers = [archive.read(n).decode("utf-8") for n in archive.namelist() if re.fullmatch(r"word/footer\d*\.xml", n)]
    return [m for xml in footers for m in re.findall(r" SECTIONPAGES </w:instrText>.*?<w:t>(\d*)</w:t>", xml, re.S)]


def pdf_pages(path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", Path(path).read_bytes()))


def test_a_plan_with_a_cover_built_with_its_pdf_gets_the_body_page_count_in_its_docx(tmp_path):
    """fengshan-hr1 97 (a cover, then the body numbered from 1) opened in LibreOffice showed 「第 1 頁，共 1 頁」
    on every page: LibreOffice shows the result stored for SECTIONPAGES, and the DOCX stored 1."""
    needs_tool("soffice")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "build", str(ROOT / "plans/fengshan-hr1/97.yaml"),
                          "-o", str(out), "--format", "docx,pdf"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stderr
    body_pages = pdf_pages(out / "plan.pdf") - 1
    assert body_pages > 3
    assert footer_page_counts(out / "plan.docx") == [str(body_pages)]


def test_the_site_gives_a_plan_with_a_cover_its_body_page_count_in_the_docx(site):
    folder = site / "fengshan-hr1/97"
    assert footer_page_counts(folder / "plan.docx") == [str(pdf_pages(folder / "plan.pdf") - 1)]


def first_page_lines(pdf) -> list[tuple[str, float, float]]:
    """The first page's words: text, top and width in points."""
    xml = subprocess.run([needs_tool("pdftotext"), "-f", "1", "-l", "1", "-bbox", str(pdf), "-"],
                         capture_output=True, text=True).stdout
    return [(text, float(y0), float(x1) - float(x0)) for x0, y0, x1, text in
            re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)</word>', xml)]


def test_the_printed_web_page_has_the_cover_of_the_pdf(site, browser, tmp_path):
    """fengshan-hr1 97 printed from the browser: its cover was four 16 pt lines at the top of the page; the
    official PDF sets them 20 pt bold, 40 pt apart, from 120 pt down."""
    page = browser.new_page()
    page.goto((site / "fengshan-hr1/97/index.html").as_uri())
    printed = tmp_path / "printed.pdf"
    page.pdf(path=str(printed), format="A4", prefer_css_page_size=True)
    page.close()
    official = first_page_lines(site / "fengshan-hr1/97/plan.pdf")
    lines = first_page_lines(printed)
    assert official[0][0] == lines[0][0] == "高雄縣鳳山市第一戶政事務所"
    assert abs(lines[0][1] - official[0][1]) < 6, (lines[0], official[0])
    assert abs(lines[0][2] - official[0][2]) < 6, (lines[0], official[0])


def test_the_review_page_says_which_year_each_plan_is(tmp_path):
    """fengshan-hr1's title has no year: the review page read 「比較「…執行計畫」與「…執行計畫」」, the same
    words twice, and did not say which plan was which."""
    from pipeline.review import write

    old_text = (ROOT / "plans/fengshan-hr1/97.yaml").read_text(encoding="utf-8")
    new_text = old_text.replace("\nyear: 97\n", "\nyear: 98\n").replace("「97 年提升", "「98 年提升")
    review = compare(doc_of(old_text, "97.yaml"), doc_of(new_text, "98.yaml"), "97.yaml", "98.yaml")
    assert review.old_title == review.new_title
    write(review, "html", str(tmp_path / "diff.html"))
    compared = re.search(r'<p class="compared">(.*?)</p>', (tmp_path / "diff.html").read_text(encoding="utf-8"), re.S)
    assert compared and re.search(r"97 年度「[^」]+」與 98 年度「", compared.group(1)), compared
