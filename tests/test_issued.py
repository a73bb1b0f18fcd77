"""The issuance line (「中華民國113年2月1日中市某國小教字第1130000123號函核定」): import keeps its verb, the
tree carries it for a plan with a cover or without one, every writer prints it under the title when there
is no cover, and the tracked review marks a change to it."""
import re
import zipfile

import docx
import pytest
import yaml

from conftest import ROOT
from review_marks import paragraphs, plain_paragraphs, resolve
from pipeline.diff import compare
from pipeline.importer import import_file, read_text, recognise
from pipeline.loader import load_plan
from pipeline.review.documents import tracked
from pipeline.tree import build_document, outline
from pipeline.writers import writer

SCHOOL = ROOT / "tests/fixtures/issued/school-113.yaml"
LINE = "中華民國 113 年 2 月 1 日中市某國小教字第 1130000123 號函核定"


def plan_text(**issued) -> str:
    text = SCHOOL.read_text(encoding="utf-8")
    block = "issued:\n" + "".join(f"  {key}: {value}\n" for key, value in issued.items())
    return re.sub(r"issued:\n(?:  .*\n)+", block, text)


def doc_of(text: str):
    return build_document(load_plan("plan.yaml", text.encode("utf-8")))


# ---- import ------------------------------------------------------------------------------------

def test_the_school_plans_issuance_line_keeps_its_verb():
    plan = import_file(str(ROOT / "tests/fixtures/genre/school-reading-113.md")).plan
    assert (plan.issued.date.short, plan.issued.number, plan.issued.verb) == (
        "113-02-01", "中市某國小教字第 1130000123 號", "函核定")


@pytest.mark.parametrize("line,verb", [
    ("中華民國九十六年七月二十三日院授研展字第0960015247號函頒", "函頒"),
    ("104年6月3日東麻鄉行字第1040008107號函訂定", "函訂定"),
    ("109年4月16日水北畫字第10905016320號函修正全文9點", "函修正"),
    ("113.2.1 府授研字第1130012345號令訂定，自即日生效", "令訂定"),
    ("113年2月1日府授研字第1130012345號", None),
])
def test_the_verb_is_the_wording_after_the_number(line, verb):
    plan = recognise(read_text(f"某某縣政府服務躍升執行計畫\n{line}\n壹、計畫依據：本府計畫。\n"), "plan.txt").plan
    assert plan.issued.number.endswith("號") and plan.issued.verb == verb


# ---- the tree ----------------------------------------------------------------------------------

def test_without_a_cover_the_tree_has_one_issuance_line_in_the_plans_date_style():
    doc = doc_of(SCHOOL.read_text(encoding="utf-8"))
    assert doc.cover == [] and list(map(str, doc.issued)) == [LINE]
    assert "issued: " + LINE in outline(doc)
    without_verb = doc_of(plan_text(date="113-02-01", number="中市某國小教字第 1130000123 號"))
    assert list(map(str, without_verb.issued)) == ["中華民國 113 年 2 月 1 日中市某國小教字第 1130000123 號"]
    assert list(map(str, doc_of(plan_text(date="113-02-01")).issued)) == ["中華民國 113 年 2 月 1 日"]


def test_on_a_cover_the_verb_follows_the_number():
    text = plan_text(date="113-02-01", number="中市某國小教字第 1130000123 號", verb="函核定")
    doc = doc_of(text.replace("numbering:", "cover:\n  note: 臺中市某區某某國民小學 訂定\nnumbering:", 1))
    assert list(map(str, doc.issued)) == ["中華民國 113 年 2 月 1 日", "中市某國小教字第 1130000123 號函核定"]


# ---- the writers -------------------------------------------------------------------------------

def test_docx_prints_the_issuance_line_under_the_title_on_the_first_page(tmp_path):
    writer("docx").write(doc_of(SCHOOL.read_text(encoding="utf-8")), str(tmp_path / "plan.docx"))
    word = docx.Document(str(tmp_path / "plan.docx"))
    texts = [p.text for p in word.paragraphs if p.text]
    assert texts[1] == LINE and word.paragraphs[0].style.name == "Title"
    line = next(p for p in word.paragraphs if p.text == LINE)
    assert line.alignment is not None and line.alignment.name == "RIGHT"
    assert len(word.sections) == 1, "no cover: the title's page is the first page"


def test_odt_prints_the_issuance_line_under_the_title(tmp_path):
    writer("odt").write(doc_of(SCHOOL.read_text(encoding="utf-8")), str(tmp_path / "plan.odt"))
    content = zipfile.ZipFile(tmp_path / "plan.odt").read("content.xml").decode("utf-8")
    title = content.index("臺中市某區某某國民小學閱讀推動實施計畫</text:p>")
    line = content.index(f'<text:p text:style-name="Plan_20_Issued">{LINE}</text:p>')
    assert title < line < content.index("依據")
    assert 'master-page-name="Cover"' not in content


def test_html_prints_the_issuance_line_under_the_title(tmp_path):
    writer("html").write(doc_of(SCHOOL.read_text(encoding="utf-8")), str(tmp_path / "plan.html"))
    page = (tmp_path / "plan.html").read_text(encoding="utf-8")
    assert re.search(rf"</h1>\s*<p class=\"issued\">{LINE}</p>", page)
    assert 'class="cover"' not in page


def test_a_plan_with_a_cover_prints_no_issuance_line_under_its_title(tmp_path):
    doc = build_document(load_plan(str(ROOT / "plans/fengshan-hr1/97.yaml")))
    writer("html").write(doc, str(tmp_path / "plan.html"))
    page = (tmp_path / "plan.html").read_text(encoding="utf-8")
    assert 'class="issued"' not in page and "<p>中華民國 96 年 12 月 3 日</p>" in page


# ---- the review --------------------------------------------------------------------------------

def test_the_tracked_review_marks_a_changed_issuance_line_and_lists_no_change_for_it(tmp_path):
    """As on a cover: the issuance belongs to one year, so it is no row of the 修正對照表, but the
    tracked plan marks it, and Reject All gives last year's line."""
    old_doc = doc_of(SCHOOL.read_text(encoding="utf-8"))
    new_doc = doc_of(plan_text(date="114-01-20", number="中市某國小教字第 1140000456 號", verb="函核定"))
    review = compare(old_doc, new_doc, "113.yaml", "114.yaml")
    assert not any("中市某國小教字" in str(c.new or "") + str(c.old or "") for c in review.changes)
    paths = {name: tmp_path / f"{name}.docx" for name in ("old", "new", "tracked")}
    writer("docx").write(old_doc, str(paths["old"]))
    writer("docx").write(new_doc, str(paths["new"]))
    writer("docx").write(tracked(review, date="2025-01-05T00:00:00Z"), str(paths["tracked"]))
    line = next(p for p in docx.Document(str(paths["tracked"])).paragraphs if "中市某國小教字" in p._p.xml)
    assert "<w:ins " in line._p.xml and "<w:del " in line._p.xml
    assert paragraphs(resolve(paths["tracked"], accept=True)) == plain_paragraphs(paths["new"])
    assert paragraphs(resolve(paths["tracked"], accept=False)) == plain_paragraphs(paths["old"])
    page = tmp_path / "tracked.html"
    writer("html").write(tracked(review, date="2025-01-05T00:00:00Z"), str(page))
    issued = re.search(r'<p class="issued">(.*?)</p>', page.read_text(encoding="utf-8")).group(1)
    assert "<ins" in issued and "<del" in issued


# ---- the schema --------------------------------------------------------------------------------

def test_the_schema_and_field_reference_name_the_verb():
    schema = yaml.safe_load((ROOT / "schema/plan.schema.json").read_text(encoding="utf-8"))
    issued = schema["$defs"]["Issued"]["properties"]
    assert "verb" in issued
    assert "`verb`" in (ROOT / "docs/fields.md").read_text(encoding="utf-8").split("## Issued", 1)[1].split("## ", 1)[0]
