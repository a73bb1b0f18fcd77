"""plan import: the shapes of the genre one by one, on short texts written for each test, and the
year pair in the 一、 layout (tests/fixtures/import/pair/)."""
import json
import subprocess
import sys

import pytest

from conftest import ROOT
from pipeline.errors import PlanError
from pipeline.importer import import_file, read_text, recognise
from pipeline.loader import load_plan
from pipeline.recognise.labels import chinese_value, split_inline, value_of
from pipeline.tree import build_document, outline

PAIR = ROOT / "tests/fixtures/import"


def plan_of(text: str, year: int | None = None):
    return recognise(read_text(text), "test.txt", year).plan


def labels(plan) -> list[str]:
    return [line.split("、")[0] + "、" if "、" in line[:4] else line
            for line in outline(build_document(plan)).splitlines()[1:]]


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_numerals_read_back():
    assert [value_of(x) for x in ("參、", "叁、", "拾壹、", "（十二）", "(3)", "2.", "１．", "乙、")] == [3, 3, 11, 12, 3, 2, 1, 2]
    assert (chinese_value("一百零八"), chinese_value("九十七"), chinese_value("十")) == (108, 97, 10)
    assert (chinese_value("一〇六"), chinese_value("一○八"), chinese_value("九九"), chinese_value("一甲")) == (106, 108, 99, 0)


def test_a_date_written_digit_by_digit_gives_the_year():
    plan = plan_of("臺南市某區戶政事務所提升服務品質實施計畫\n中華民國一〇六年三月一日\n"
                   "一、依據：行政院函頒之計畫。\n二、實施對象：本所同仁。\n")
    assert plan.year == 106
    assert plan.issued is not None and str(plan.issued.date).startswith("106")


def test_a_label_inside_a_sentence_is_not_split_without_its_sequence():
    line = "本所依據行政院函頒之計畫辦理，其中 二、 所列事項另案處理。"
    assert split_inline(line, {}) == [line]
    assert split_inline("壹、目的：一、甲事。 二、乙事。", {}) == ["壹、目的：", "一、甲事。", "二、乙事。"]
    assert split_inline("共 3. 5 公里 1.5 倍", {}) == ["共 3. 5 公里 1.5 倍"]


def test_top_level_one_and_its_levels():
    plan = plan_of("○○區公所 113 年度為民服務實施要點\n一、依據：本所服務計畫。\n二、實施方式：\n"
                   "（一）設置服務台。\n1、提供書表。\n2、解答疑義。\n（二）延長服務時間。\n")
    assert plan.numbering.top == "一" and plan.numbering.arabic == "1、"
    assert plan.agency == "○○區公所" and plan.year == 113
    tree = outline(build_document(plan))
    assert "一、依據：本所服務計畫。" in tree and "    1、提供書表。" in tree and "  （二）延長服務時間。" in tree


def test_codes_without_points_restart_their_childrens_numbering():
    plan = plan_of("某局 114 年服務評核計畫\n壹、評核項目\nA-1-1-1 單一窗口服務全功能程度\n說明單一窗口的作法。\n"
                   "（1）臨櫃一次辦妥。\n（2）線上申辦。\nA-1-1-2 服務流程簡化\n（1）減少書表。\n（2）縮短時限。\n")
    items = plan.sections[0].items if plan.sections else plan.assessment.items
    assert [(i.code, i.label, i.title) for i in items] == [("A-1-1-1", "", "單一窗口服務全功能程度"),
                                                          ("A-1-1-2", "", "服務流程簡化")]
    assert items[0].text == "說明單一窗口的作法。" and [len(i.items) for i in items] == [2, 2]
    tree = outline(build_document(plan))
    assert tree.count("（1）") == 2 and "（3）" not in tree


def test_issuance_line_and_law_site_metadata_go_to_fields():
    plan = plan_of("友善列印\n回上一頁\ntext_rotate_vertical\n法規名稱：某鄉公所提升服務品質要點\n公發布日：民國 104 年 06 月 03 日\n"
                   "修正日期：民國 108 年 09 月 09 日\n發文字號：東麻鄉行字第 1080008107 號\n修正全文 6 點；並自函頒日生效\n"
                   "一、本所為提升服務品質，特訂定本要點。\n二、本要點自函頒日生效。\n快速回到頁首\n")
    assert plan.title == ["某鄉公所提升服務品質要點"] and plan.agency == "某鄉公所"
    assert plan.year == 104 and str(plan.issued.date) == "104 年 6 月 3 日"
    assert plan.issued.number == "東麻鄉行字第 1080008107 號"
    text = outline(build_document(plan))
    for chrome in ("友善列印", "回上一頁", "text_rotate", "快速回到頁首", "法規名稱", "修正全文"):
        assert chrome not in text


def test_issuance_line_gives_the_year_and_number():
    plan = plan_of("東麻鄉公所服務品質實施計畫\n中華民國 104 年 6 月 3 日東麻鄉行字第 1040008107 號函頒\n"
                   "一、依據：本所計畫。\n二、目的：提升品質。\n")
    assert plan.year == 104 and plan.issued.number == "東麻鄉行字第 1040008107 號"
    assert plan.title == ["東麻鄉公所服務品質實施計畫"] and plan.agency == "東麻鄉公所"


def test_a_month_only_period_gives_the_year():
    plan = plan_of("某衛生所服務品質執行計畫\n壹、計畫期程：自民國 104 年 1 月起至民國 104 年 12 月止。\n貳、目標：提升品質。\n")
    assert plan.year == 104
    assert "104 年 1 月起" in outline(build_document(plan))


def test_no_year_is_refused_and_year_can_be_given():
    text = "某所服務要點\n一、目的：提升品質。\n二、方式：設置服務台。\n"
    with pytest.raises(PlanError, match="年度"):
        plan_of(text)
    assert plan_of(text, 112).year == 112


def test_residue_and_bullets():
    plan = plan_of("某處 112 年服務計畫\n• 壹、計畫目標\n|\n---\n· 一、提升效率。\n● 二、簡化流程。\n- 貳、實施對象\n本處各科。\n")
    tree = outline(build_document(plan))
    assert "壹、計畫目標" in tree and "  一、提升效率。" in tree and "  二、簡化流程。" in tree
    assert "|" not in tree and "---" not in tree and "•" not in tree


def test_half_width_parentheses_and_styles_are_kept():
    plan = plan_of("某所 112 年計畫\n壹、方法\n一、甲\n(一)子項一。\n(二)子項二。\n二、乙\n(一)子項三。\n")
    assert plan.numbering.parentheses == "half"
    assert "(二)子項二。" in outline(build_document(plan))


def test_a_flow_chart_stays_line_by_line(tmp_path):
    chart = "┌──┐\n│申請│\n└┬─┘\n　↓\n┌──┐\n│審核│\n└──┘"
    plan = plan_of(f"某所 112 年計畫\n壹、流程\n流程如下：\n{chart.replace(chr(12288) + '↓', '  │')}\n貳、附則\n本計畫核定後實施。\n")
    tree = outline(build_document(plan))
    assert "┌──┐\n│申請│" in tree and "│審核│\n└──┘" in tree


def test_docx_paragraphs_are_cleaned_like_text(tmp_path):
    import docx

    word = docx.Document()
    for text in ("某局 113 年服務計畫", "- 壹、計畫目標", "<p>提升服務品質。</p>", "- 貳、執行分工",
                 "實施要項\t執行方法\t承辦單位", "一、便民\t延長服務時間。\t各課"):
        word.add_paragraph(text)
    source = tmp_path / "pasted.docx"
    word.save(str(source))
    plan = import_file(str(source)).plan
    assert plan.goals.text == "提升服務品質。"
    table = plan.steps.table if plan.steps else plan.sections[0].table
    assert table.columns == ["實施要項", "執行方法", "承辦單位"]
    assert [c.text for c in table.rows[0]] == ["一、便民", "延長服務時間。", "各課"]


def test_cells_one_per_line_become_a_table_and_units_stay_cells():
    plan = plan_of("某所 112 年計畫\n壹、執行策略\n實施要項\n執行策略\n承辦單位\n一、便民服務\n推動線上申辦。\n各組\n"
                   "二、資訊公開\n每季公布績效。\n秘書室\n會計室\n貳、附則\n本計畫核定後實施。\n")
    table = plan.strategies.table
    assert table.columns == ["實施要項", "執行策略", "承辦單位"]
    assert [[c.text for c in row] for row in table.rows] == [
        ["一、便民服務", "推動線上申辦。", "各組"], ["二、資訊公開", "每季公布績效。", "秘書室\n\n會計室"]]
    assert "各組" not in (plan.strategies.text or "")


def test_a_year_pair_in_the_one_layout_diffs_with_only_its_changes(tmp_path):
    old, new = tmp_path / "100.yaml", tmp_path / "101.yaml"
    assert cli("import", PAIR / "corpus/taichung-land-servicedesk-100.txt", "-o", old).returncode == 0
    assert cli("import", PAIR / "pair/taichung-land-servicedesk-101.txt", "-o", new).returncode == 0
    assert load_plan(str(old)).numbering.top == "一" and load_plan(str(new)).year == 101
    run = cli("diff", old, new, "--format", "json")
    assert run.returncode == 0, run.stderr
    changes = json.loads(run.stdout)["changes"]
    assert sorted((c["kind"], c["new_path"]) for c in changes) == [
        ("added", "二、(十)"), ("modified", "四、"), ("year", "年度")], changes


def test_a_space_aligned_table_and_a_tab_header_repeated_with_an_extra_tab():
    plan = plan_of("某所 112 年計畫\n壹、執行策略\n實施要項      執行策略          承辦單位\n"
                   "一、便民服務  推動線上申辦。    各組\n二、資訊公開  每季公布績效。    秘書室\n貳、附則\n本計畫核定後實施。\n")
    assert plan.strategies.table.columns == ["實施要項", "執行策略", "承辦單位"]
    assert [[c.text for c in row] for row in plan.strategies.table.rows][1] == ["二、資訊公開", "每季公布績效。", "秘書室"]
    tabbed = plan_of("某所 112 年計畫\n壹、執行策略\n實施要項\t執行策略\t承辦單位\n一、便民\t線上申辦。\t各組\n"
                     "第 2 頁\n實施要項\t執行策略\t承辦單位\t\n二、公開\t公布績效。\t秘書室\n貳、附則\n本計畫核定後實施。\n")
    assert [[c.text for c in row] for row in tabbed.strategies.table.rows] == [
        ["一、便民", "線上申辦。", "各組"], ["二、公開", "公布績效。", "秘書室"]]


def test_list_items_without_numbers_inside_a_numbered_plan_are_items_to_check():
    imported = recognise(read_text("某所 112 年計畫\n一、戶籍登記\n(一) 身分登記\n- 出生登記\n- 結婚登記\n(二) 遷徙登記\n"),
                         "test.txt")
    tree = outline(build_document(imported.plan))
    assert "    1.出生登記" in tree and "    2.結婚登記" in tree and "numbering" in imported.guesses


def test_a_page_that_is_only_a_table_extracted_one_cell_per_line():
    plan = plan_of("某局 113 年度服務品質評核表\n評核項目\n評核指標\n具體作法\n預期目標\n承辦單位\n"
                   "服務流程\n申辦案件處理時間\n檢討作業流程。\n縮短 10%。\n各組\n"
                   "資訊公開\n網站資訊更新\n每月檢查網頁。\n正確率 100%。\n資訊室\n")
    table = plan.appendices[0].table
    assert table.columns == ["評核項目", "評核指標", "具體作法", "預期目標", "承辦單位"]
    assert [[c.text for c in row] for row in table.rows] == [
        ["服務流程", "申辦案件處理時間", "檢討作業流程。", "縮短 10%。", "各組"],
        ["資訊公開", "網站資訊更新", "每月檢查網頁。", "正確率 100%。", "資訊室"]]
    assert plan.year == 113 and plan.agency == "某局"


def test_a_period_outside_the_year_becomes_a_section_that_writes_as_yaml():
    """The loader would refuse a period outside the plan's year: import keeps it as a section's text,
    plain text the YAML writer can write (a damaged-text property case found it written as a tree run)."""
    from pipeline.dump import to_yaml

    plan = plan_of("某機關 103 年度提升服務品質執行計畫\n壹、計畫期程\n自民國 104 年 1 月 1 日至 104 年 12 月 31 日止，為期 1 年。\n"
                   "貳、實施對象\n本所同仁。\n")
    assert plan.period is None and any("104 年 1 月 1 日" in (s.text or "") for s in plan.sections)
    load_plan("imported.yaml", to_yaml(plan).encode("utf-8"))
