"""`plan import` keeps the emphasis an agency set in bold (Word, OpenDocument, Markdown) as **…**, while a title
or heading bold throughout stays plain, and literal asterisks stay literal."""

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from conftest import ROOT
from pipeline.dump import to_yaml
from pipeline.importer import import_file
from pipeline.inline import parse
from pipeline.loader import load_plan
from pipeline.tree import build_document
from pipeline.writers import docx as docx_writer
from pipeline.writers import odt as odt_writer

ODT = ROOT / "tests" / "fixtures" / "import" / "odt"


def plan_docx(tmp_path, fill) -> str:
    """A small plan as an office writes it: a title, 壹、 headings, and the paragraphs `fill` adds under 壹、."""
    word = docx.Document()
    word.add_paragraph("測試市政府環境保護局 114 年為民服務計畫", style="Title")
    word.add_paragraph("壹、計畫目標", style="Heading 1")
    fill(word)
    word.add_paragraph("貳、實施對象", style="Heading 1")
    word.add_paragraph("本局各科室。")
    path = tmp_path / "plan.docx"
    word.save(str(path))
    return str(path)


def bold_off(run) -> None:
    """w:b w:val="0" on a run: not bold, whatever its styles say."""
    b = OxmlElement("w:b")
    b.set(qn("w:val"), "0")
    run._r.get_or_add_rPr().append(b)


def test_a_bold_phrase_split_into_runs_is_one_bold_phrase(tmp_path):
    def fill(word):
        p = word.add_paragraph("以")
        for piece in ("提升", "服務"):   # Word splits runs: two bold runs side by side
            p.add_run(piece).bold = True
        p.add_run(" ").bold = True       # white space at the edge stays outside the marks
        p.add_run("品質為目標，回應民眾需求。")

    plan = import_file(plan_docx(tmp_path, fill)).plan
    assert plan.goals.text == "以**提升服務** 品質為目標，回應民眾需求。"
    assert [(r.text, r.bold) for r in parse(plan.goals.text).runs][:2] == [("以", False), ("提升服務", True)]
    assert "goals: 以**提升服務** 品質為目標" in to_yaml(plan)


def test_bold_by_a_character_style(tmp_path):
    def fill(word):
        strong = word.styles.add_style("重點字", WD_STYLE_TYPE.CHARACTER)
        strong.font.bold = True
        p = word.add_paragraph("本局應")
        p.add_run("主動公開", style="重點字")
        p.add_run("服務資訊。")

    assert import_file(plan_docx(tmp_path, fill)).plan.goals.text == "本局應**主動公開**服務資訊。"


def test_a_title_or_heading_bold_throughout_stays_plain(tmp_path):
    def fill(word):
        word.add_paragraph("提升服務品質。")

    path = plan_docx(tmp_path, fill)
    word = docx.Document(path)
    for p in word.paragraphs[:2]:     # the title and 壹、計畫目標, also bold by hand on top of their styles
        for run in p.runs:
            run.bold = True
    word.paragraphs[-2].runs[0].bold = True   # 貳、實施對象: bold only by hand
    word.save(path)
    plan = import_file(path).plan
    assert plan.title == ["測試市政府環境保護局 114 年為民服務計畫"]
    assert plan.goals.text == "提升服務品質。" and plan.targets.text == "本局各科室。"
    assert "**" not in to_yaml(plan)


def test_a_run_not_bold_in_a_bold_paragraph_style(tmp_path):
    def fill(word):
        style = word.styles.add_style("重點段落", WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = word.styles["Normal"]
        style.font.bold = True
        p = word.add_paragraph("一、減少等候：", style="重點段落")   # bold by the paragraph's style, label too
        bold_off(p.add_run("臨櫃平均等候時間"))
        p.add_run("不超過十分鐘")
        bold_off(p.add_run("。"))
        bold_off(word.add_paragraph("二、", style="重點段落").add_run("簡化申辦流程。"))

    plan = import_file(plan_docx(tmp_path, fill)).plan
    assert [item.text for item in plan.goals.items] == [
        "**減少等候**：臨櫃平均等候時間**不超過十分鐘**。", "簡化申辦流程。"]


def test_literal_asterisks_stay_literal(tmp_path):
    def fill(word):
        word.add_paragraph("**非粗體** 與 *註：* 及 C:\\*.docx 照原樣印出。")

    plan = import_file(plan_docx(tmp_path, fill)).plan
    assert plan.goals.text == "\\*\\*非粗體\\*\\* 與 \\*註：\\* 及 C:\\\\\\*.docx 照原樣印出。"
    assert [(r.text, r.bold, r.italic) for r in parse(plan.goals.text).runs] == [
        ("**非粗體** 與 *註：* 及 C:\\*.docx 照原樣印出。", False, False)]


def test_a_libreoffice_file_with_a_bold_automatic_style():
    plan = import_file(str(ODT / "bold.odt")).plan
    assert plan.goals.text == "以**提升服務**品質為目標。"
    assert plan.targets.text == "本局**各科室**。"
    assert plan.title == ["測試市政府環境保護局 114 年為民服務計畫"], "its bold title stays plain"


def test_markdown_bold_is_kept_and_a_bold_heading_is_not(tmp_path):
    source = tmp_path / "page.md"
    source.write_text("# 測試市政府 114 年為民服務計畫\n\n**壹、計畫目標**\n\n以**提升服務**品質為目標。\n\n"
                      "**貳、實施策略**\n\n**一、便民服務**：推動線上預約。\n\n## 二、**資料開放**\n",
                      encoding="utf-8")
    plan = import_file(str(source)).plan
    assert plan.goals.text == "以**提升服務**品質為目標。"
    assert plan.strategies.title == "實施策略"
    assert [item.text for item in plan.strategies.items] == ["**便民服務**：推動線上預約。", "資料開放"]


@pytest.mark.parametrize("writer,suffix", [(docx_writer, "docx"), (odt_writer, "odt")])
def test_bold_in_a_plan_survives_its_own_document(tmp_path, writer, suffix):
    text = (ROOT / "plans" / "kaohsiung-cec" / "103.yaml").read_text(encoding="utf-8")
    text = text.replace("targets: 本會第一組、第四組及行政室。", "targets: 本會**第一組**、第四組及**行政室。**")
    text = text.replace("- 考量民眾洽公之便利性", "- 考量民眾洽公之**便利性**")
    source = tmp_path / "plan.yaml"
    source.write_text(text, encoding="utf-8")
    writer.write(build_document(load_plan(str(source))), str(tmp_path / f"plan.{suffix}"))
    plan = import_file(str(tmp_path / f"plan.{suffix}")).plan
    assert plan.targets.text == "本會**第一組**、第四組及**行政室。**"
    assert plan.strategies.items[0].items[0].text.startswith("考量民眾洽公之**便利性**及實用性")


@pytest.mark.parametrize("pieces,expected", [
    ([("本局", False), ("提升", True), ("服務", True), ("品質", False)], "本局**提升服務**品質"),
    ([("本局 ", False), (" 提升 ", True), ("品質", False)], "本局  **提升** 品質"),
    ([("一、服務流程", True), ("：簡化申辦。", False)], "一、**服務流程**：簡化申辦。"),
    ([("一、", True), ("服務流程：", False)], "一、服務流程："),
    ([("本計畫", False), ("「重點」", True), ("辦理", False)], "本計畫「**重點**」辦理"),
    ([("目標：", True), ("本計畫", False)], "**目標**：本計畫"),
    ([("第一行", True), ("\n", True), ("第二行", True), ("外", False)], "**第一行**\n**第二行**外"),
    ([("參、本計畫奉核定後實施。", True)], "參、本計畫奉核定後實施。"),
])
def test_bold_stretches(pieces, expected):
    from pipeline.readers.emphasis import marked

    assert marked(pieces) == expected
    bold = "".join(r.text for r in parse(expected).runs if r.bold)
    assert "".join(t for t, _ in pieces) == str(parse(expected)) and ("**" not in expected or bold)


def test_a_paragraph_ending_in_bold_still_ends_its_sentence(tmp_path):
    def fill(word):
        p = word.add_paragraph("各科室應")
        p.add_run("準時辦理。").bold = True
        word.add_paragraph("提升服務品質")   # a paragraph of its own, not the line above wrapped

    assert import_file(plan_docx(tmp_path, fill)).plan.goals.text == "各科室應**準時辦理。**\n\n提升服務品質"
