"""The DOCX read back: styles, East Asian fonts on every run, hanging indents, tables, footer, properties."""
import subprocess
import zipfile

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree

from conftest import SEEDS, libreoffice_pdf, needs_tool
from render_helpers import document


def body_paragraphs(path):
    return docx.Document(path).paragraphs


@pytest.mark.parametrize("agency,year", SEEDS)
def test_sections_are_word_headings_with_their_labels(outputs, agency, year):
    path, _ = outputs(agency, year)
    headings = [p.text for p in body_paragraphs(path) if p.style.name == "Heading 1"]
    doc = document(agency, year)
    expected = [f"{s.label}\t{s.heading}" for s in doc.body] + [a.title for a in doc.appendices]
    assert headings == expected


@pytest.mark.parametrize("agency,year", SEEDS)
def test_every_run_names_its_east_asian_font(outputs, agency, year):
    path, _ = outputs(agency, year)
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    runs = list(root.iter(qn("w:r")))
    assert runs
    for run in runs:
        if run.find(qn("w:t")) is None:
            continue
        fonts = run.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        assert fonts is not None and fonts.get(qn("w:eastAsia")) == "標楷體", etree.tostring(run, encoding="unicode")
        text = "".join(t.text for t in run.iter(qn("w:t")))
        if all(ord(ch) >= 0x2000 and __import__("unicodedata").east_asian_width(ch) == "A" for ch in text):
            # □ ※ …: the Kai face in every slot, so no program draws them from the Latin font
            assert fonts.get(qn("w:ascii")) == "標楷體" and fonts.get(qn("w:hint")) == "eastAsia"
        else:
            assert fonts.get(qn("w:ascii")) == "Times New Roman"


def test_page_setup_and_styles_come_from_the_template(outputs):
    path, _ = outputs("kaohsiung-cec", 103)
    word = docx.Document(path)
    section = word.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert all(round(getattr(section, m).cm, 2) == 2.5 for m in ("left_margin", "right_margin", "top_margin", "bottom_margin"))
    normal = word.styles["Normal"]
    assert normal.font.size.pt == 16 and normal.paragraph_format.line_spacing.pt == 28
    title = word.styles["Title"]
    assert title.font.size.pt == 20 and title.font.bold
    assert word.paragraphs[0].style.name == "Title" and word.paragraphs[0].alignment is None  # centred by style
    assert title.paragraph_format.alignment == 1


def test_footer_numbers_pages(outputs):
    path, _ = outputs("kaohsiung-cec", 103)
    footer = docx.Document(path).sections[0].footer.paragraphs[0]
    xml = footer._p.xml
    assert "PAGE" in xml and "NUMPAGES" in xml
    assert footer.text.startswith("第 ") and "頁，共" in footer.text


def test_items_hang_under_their_text(outputs):
    path, _ = outputs("kaohsiung-cec", 103)
    items = [p for p in body_paragraphs(path) if p.text.startswith("(一)\t")]
    assert items
    for para in items:
        fmt = para.paragraph_format
        assert fmt.first_line_indent < 0 < fmt.left_indent
        assert fmt.left_indent + fmt.first_line_indent > 0, "nested under the level above"
        assert [round(t.position) for t in fmt.tab_stops] == [round(fmt.left_indent)]


def test_titled_items_are_second_level_headings(outputs):
    path, _ = outputs("kaohsiung-cec", 103)
    second = [p.text for p in body_paragraphs(path) if p.style.name == "Heading 2"]
    assert "一、\t建構友善環境，回應民眾需求：" in second and len(second) == 6


def test_table_has_repeated_header_and_row_spans(outputs):
    path, _ = outputs("fengshan-hr1", 97)
    word = docx.Document(path)
    (table,) = word.tables
    assert [c.text for c in table.rows[0].cells] == ["實施要項", "執行策略", "執行方法"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    first_column = [row.cells[0].text for row in table.rows[1:]]
    assert first_column[:6] == ["一、提升服務品質，深化服務績效"] * 6, "one cell spanning six rows"
    restarts = table._tbl.xpath(".//w:vMerge[@w:val='restart']")
    assert len(restarts) == 5
    assert len(table.rows) == 1 + 24, "twenty-four strategies"


def test_scoring_form_has_boxes_and_points(outputs):
    path, _ = outputs("keelung-cec", 105)
    word = docx.Document(path)
    assert len(word.tables) == 3
    first = word.tables[0]
    assert [c.text for c in first.rows[0].cells] == ["評核內容（依實際情形勾選選項）", "配分", "評分", "評核紀錄事項"]
    row = first.rows[2].cells
    assert row[0].text.startswith("1.\t□是□否 ") and row[1].text == ""
    assert first.rows[1].cells[1].text == "本項配分 60 分，每項配分 10 分。"
    phone = word.tables[2]
    assert phone.rows[-1].cells[0].text == "評分合計" and phone.rows[-1].cells[1].text == "100"


def test_cover_and_properties(outputs):
    path, _ = outputs("fengshan-hr1", 97)
    word = docx.Document(path)
    cover = [p.text for p in word.paragraphs if p.style.name == "Plan Cover"]
    assert cover == ["高雄縣鳳山市第一戶政事務所", "「97 年提升政府服務品質執行計畫」",
                     "高雄縣鳳山市第一戶政事務所 訂定", "中華民國 96 年 12 月 3 日"]
    title = next(p for p in word.paragraphs if p.style.name == "Title")
    # the cover is a section of its own, without a footer; the body's section starts a new page numbered 1
    assert title.text and len(word.sections) == 2
    assert word.sections[0].footer.is_linked_to_previous and not word.sections[1].footer.is_linked_to_previous
    assert word.sections[1]._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
    assert word.core_properties.title == "高雄縣鳳山市第一戶政事務所 提升政府服務品質執行計畫"
    assert word.core_properties.author == "高雄縣鳳山市第一戶政事務所"


def test_control_of_markdown_in_runs(write_plan, tmp_path):
    from pipeline.loader import load_plan
    from pipeline.tree import build_document
    from pipeline.writers import docx as writer

    plan = load_plan(write_plan("agency: 甲\nyear: 103\ntitle: 乙\ngoals: 提升**服務品質**，詳見[網站](https://www.gov.tw)與 R&D a < b\n"))
    out = tmp_path / "m.docx"
    writer.write(build_document(plan), str(out))
    (para,) = [p for p in docx.Document(str(out)).paragraphs if "提升" in p.text]
    assert para.text == "提升服務品質，詳見網站與 R&D a < b"
    assert [r.text for r in para.runs if r.bold] == ["服務品質"]
    assert para._p.xpath(".//w:hyperlink")


@pytest.mark.parametrize("agency,year", SEEDS)
def test_libreoffice_opens_the_docx(outputs, tmp_path, agency, year):
    path, _ = outputs(agency, year)
    pdf = libreoffice_pdf(path, tmp_path)
    pdftotext = needs_tool("pdftotext")
    text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True).stdout
    first = document(agency, year).body[0]
    assert first.title.rstrip("：") in text
