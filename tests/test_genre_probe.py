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


def test_an_agency_and_its_subordinates_is_the_agency():
    """經濟部: 「經濟部暨所屬各機關（構）…注意事項」 is the ministry's, not 「經濟部暨所」's (所屬 is not a 所)."""
    assert plan_of(source("moea-notice-105.txt")).agency == "經濟部"
    assert plan_of("臺中市政府暨所屬各機關 112 年度服務計畫\n一、依據：本府計畫。\n").agency == "臺中市政府"


def test_a_line_before_the_title_that_import_cannot_place_is_named_not_dropped(tmp_path):
    """臺南市北區區公所: 「105.04.23 初版」 under the title is no title, agency or issuance; the YAML says
    so in a 請確認 line instead of losing it without a word. A page header repeating the title is no loss."""
    from pipeline.importer import to_yaml_with_notes

    imported = recognise(read_text(source("tainan-north-105.txt")), "test.txt")
    assert any("105.04.23 初版" in note for note in imported.left_out)
    assert not any("105年度提升服務品質實施計畫" in note for note in imported.left_out)
    assert "# 請確認: 標題前的「105.04.23 初版」" in to_yaml_with_notes(imported, "test.txt")


def test_a_short_paragraph_between_blank_lines_is_not_a_wrapped_line():
    """臺南市北區區公所: a web page's 「民政課」, a paragraph of its own above the paragraph of its duties,
    stays apart from it (it was glued: 「民政課自治行政、…」). A wrapped line in a PDF's text still joins."""
    plan = plan_of(source("tainan-north-105.txt"))
    duties = plan.sections[0].items[1].text
    assert duties.startswith("民政課\n\n自治行政、選舉") and "\n\n社會課\n\n社會行政" in duties
    wrapped = plan_of("某所 112 年計畫\n\n壹、工作\n\n一、提供便捷、親切之服務，並簡化\n作業流程。\n")
    assert wrapped.sections[0].items[0].text == "提供便捷、親切之服務，並簡化作業流程。"


def test_a_period_written_on_its_heading_line_stays_on_it():
    """臺中市動物保護防疫處: 「肆、執行期程：自106年1月1日至106年12月31日止。」 is one line in the source;
    the imported period kept its dates but was printed on a line of its own under the heading."""
    from pipeline.tree import build_document, outline

    plan = plan_of(source("taichung-animal-106.txt"))
    assert plan.period.same_line and (plan.period.start.year, plan.period.end.month) == (106, 12)
    assert any(line.startswith("肆、執行期程：自") for line in outline(build_document(plan)).splitlines())


def school_plan() -> str:
    """The Markdown fixture without its HTML comment (its header)."""
    text = (GENRE / "school-reading-113.md").read_text(encoding="utf-8")
    return text[text.index("-->") + 3:].lstrip("\n")


def test_a_school_is_an_agency_and_an_appendix_that_is_no_scoring_form_is_not_called_one():
    """A school's plan: 「…國民小學」 is the agency (it was 「（請填寫機關名稱）」); its 經費概算表 has no
    check boxes or points, so the note is not the scoring form's but says where the signatures went."""
    from pipeline.importer import read_file

    path = GENRE / "school-reading-113.md"
    imported = recognise(read_file(str(path), school_plan().encode()), str(path))
    assert imported.plan.agency == "臺中市某區某某國民小學"
    note = imported.guesses["appendices"]
    assert "評核表" not in note and "承辦人" in note and "表格之前" in note
    scored = recognise(read_text("某所 112 年計畫\n一、依據：本所計畫。\n附件一　評核表\n一、□是□否 設置服務台（10 分）\n"),
                       "test.txt")
    assert "評核表" in scored.guesses["appendices"]


def test_an_html_comment_in_markdown_is_not_text():
    """A Markdown file's <!-- … --> shows nothing on the page; import read it as lines before the title."""
    from pipeline.importer import import_file

    imported = import_file(str(GENRE / "school-reading-113.md"))
    assert not any("Shape of" in note or "-->" in note for note in imported.left_out)
    assert imported.plan.title == ["臺中市某區某某國民小學113年度閱讀推動實施計畫"]


def test_an_appendix_title_is_not_joined_to_the_line_under_it():
    """An appendix's title 「附件一　經費概算表」 has no closing punctuation, but it is a heading: the
    line under it (the signatures of a plan built and imported again) stays its text."""
    plan = plan_of("某所 112 年計畫\n一、依據：本所計畫。\n附件一　經費概算表\n承辦人：　　主任：\n")
    assert plan.appendices[0].title.replace("\u3000", " ") == "附件一 經費概算表"
    assert plan.appendices[0].text.startswith("承辦人")


def test_a_line_indented_with_tabs_is_text_not_a_table():
    """「\\t（一）\\t縮短等候時間。」: a tab before the label and one after it (Word's hanging indent,
    copied) made a table of one empty column and the item; its sub-items then hung under 一、."""
    plan = plan_of("某所 112 年計畫\n壹、計畫目標\n　一、提升服務品質。\n\t（一）\t縮短等候時間。\n　　１．設置取號機。\n")
    item = plan.goals.items[0].items[0]
    assert plan.goals.table is None and item.text == "縮短等候時間。"
    assert [getattr(i, "text", i) for i in item.items] == ["設置取號機。"]


def test_an_issuance_line_dated_with_dots():
    """「113.2.1 府授研字第1130012345號函核定」: offices write dates with dots too; the plan had no year
    and import refused it. A dotted date without a number or verb (「105.04.23 初版」) is no issuance."""
    plan = plan_of("某某縣政府服務躍升執行計畫\n113.2.1 府授研字第1130012345號函核定\n壹、計畫依據：本府計畫。\n")
    assert plan.year == 113 and str(plan.issued.number) == "府授研字第 1130012345 號"
    assert (plan.issued.date.year, plan.issued.date.month, plan.issued.date.day) == (113, 2, 1)
    assert plan_of(source("tainan-north-105.txt")).issued is None


def test_a_paragraph_indented_as_its_point_after_the_sub_items_closes_the_point():
    """經濟部 (regulations site): 「    屬跨機關（單位）執行之計畫…」, indented as 二、's wrapped lines and
    less than （二）'s, follows 二、's sub-items: it is 二、's closing paragraph, not part of （二）."""
    plan = plan_of(source("moea-notice-105.txt"))
    second = plan.sections[1]
    assert second.closing.startswith("屬跨機關（單位）執行之計畫")
    assert [getattr(i, "text", i) for i in second.items][1] == "自行管制計畫，由所屬機關（單位）研考部門或指定專人辦理管制。"
    from pipeline.tree import build_document, outline

    lines = outline(build_document(plan)).splitlines()
    assert lines.index(next(l for l in lines if "屬跨機關" in l)) > lines.index(next(l for l in lines if "自行管制計畫" in l))


def test_a_word_list_inside_a_list_drawn_alike_keeps_its_depth(tmp_path):
    """Word draws 「1.」 for both levels of a list inside a list (pandoc's lists are so): the inner
    items were read as siblings with labels out of sequence (1. 1. 2. 2.); their depth now tells them apart."""
    import subprocess

    from pipeline.importer import import_file

    docx = tmp_path / "plan.docx"
    subprocess.run(["pandoc", str(GENRE / "word-nested-list.md"), "-o", str(docx)], check=True, timeout=120)
    first = import_file(str(docx)).plan.sections[0]
    assert [getattr(i, "text", i) for i in first.items] == ["辦理服務禮儀訓練。", "辦理滿意度調查。"]
    assert [i.text for i in first.items[0].items] == ["第一線人員。", "志工。"]
    assert all(i.label is None for i in first.items[0].items)


def test_points_from_one_with_1_comma_and_a_spaced_parenthesis_keep_their_levels():
    """教育部 (要點 on a regulations site): 一、 at the top, 1、 under （一）, 「(1) 」 with a space; the
    levels, the agency's 1、 and half-width parentheses survive (found right; kept so)."""
    plan = plan_of(source("moe-points-107.txt"))
    assert (plan.numbering.top, plan.numbering.arabic, plan.numbering.parentheses) == ("一", "1、", "half")
    third = plan.sections[2]
    assert third.text == "分級管制原則及管考分工如下："
    rules = third.items[0].items[0]
    assert rules.title.startswith("個案計畫符合下列原則之一") and len(rules.items) == 3
    assert plan.agency == "教育部" and plan.year == 107


def test_sections_with_a_label_and_nothing_else_stay_sections(tmp_path):
    """「壹、」「貳、」 alone (a blank form): each label joined the next one's line, so 壹、 vanished and a
    section was titled 「貳、」; kept apart, they now get a title to fill in, and the YAML validates."""
    from pipeline.importer import to_yaml_with_notes
    from pipeline.loader import load_plan

    imported = recognise(read_text("某某所113年計畫\n壹、\n貳、\n參、附則\n本計畫核定後實施。\n"), "test.txt")
    titles = [s.title for s in imported.plan.sections]
    assert titles == ["（請填寫段落標題）", "（請填寫段落標題）", "附則"] and "sections" in imported.guesses
    path = tmp_path / "113.yaml"
    path.write_text(to_yaml_with_notes(imported, "test.txt"), encoding="utf-8")
    assert load_plan(str(path)).sections[2].text == "本計畫核定後實施。"


def test_a_plan_from_one_with_an_appendix_numbered_from_the_top_style():
    """A 要點 from 一、 whose appendix (a form) is numbered 壹、: the 壹、 after the appendix made the whole
    body the lines before a title (「三、本要點奉核後實施。」 became the title). The plan is from 一、 and the
    appendix keeps 壹、 and 一、 under it."""
    from pipeline.tree import build_document, outline

    plan = plan_of("某某局113年度服務躍升實施要點\n一、依據：本局計畫。\n二、實施方式：\n（一）設置服務台。\n"
                   "三、本要點奉核後實施。\n附件　評核項目\n壹、服務態度\n一、親切有禮。\n貳、服務效率\n一、縮短等候時間。\n")
    assert plan.title == ["某某局113年度服務躍升實施要點"] and plan.numbering.top == "一" and plan.agency == "某某局"
    tree = outline(build_document(plan))
    assert "三、本要點奉核後實施。" in tree and "  壹、服務態度" in tree and "    一、親切有禮。" in tree and "  貳、服務效率" in tree


def test_a_regulations_site_article_page_leaves_its_search_form_out():
    """勞動部 (laws.mol.gov.tw): the article page's 「條文內容」 and note on the search system came in as
    the title, and its empty search form (「期 間 自民國 日 至」「檢索字詞」) as the last item's text."""
    imported = recognise(read_text(source("mol-article-9.txt")), "test.txt", 110)
    plan = imported.plan
    assert plan.title == ["（請填寫計畫名稱）"] and not imported.left_out
    last = plan.assessment.items[-1]
    assert getattr(last, "text", last) == "獎勵方式：考核結果優良之地方政府，執行本計畫有功人員，由地方政府予以獎勵。"


def test_a_space_aligned_table_of_short_cells_keeps_its_rows():
    """The school plan's schedule as `pdftotext -layout` gives it: short cells without closing
    punctuation were each taken as the row above wrapped, and the three rows became one."""
    plan = plan_of("某校113年度閱讀推動實施計畫\n一、實施內容：\n"
                   "    工作項目             辦理期程              負責單位\n"
                   "晨讀十分鐘         113 年 2 月至 12 月    教務處\n"
                   "班級共讀書箱輪替      每月第 1 週            教務處、圖書室\n"
                   "閱讀心得比賽        113 年 5 月          教務處\n"
                   "二、預期效益：全校學生每學期閱讀至少 10 本書籍。\n")
    table = next(s.table for s in [plan.strategies, *plan.sections] if s is not None and s.table)
    assert cells(table) == [["晨讀十分鐘", "113 年 2 月至 12 月", "教務處"], ["班級共讀書箱輪替", "每月第 1 週", "教務處、圖書室"],
                            ["閱讀心得比賽", "113 年 5 月", "教務處"]]


def test_a_table_one_cell_per_line_ends_at_its_last_unit_cell():
    """The school plan's schedule as plain `pdftotext` gives it, in a plan from 一、: nothing but 壹、
    ended the table, so 「六、經費：」 and the rest were read as cells, the rows did not close and the
    whole table became one paragraph of run-together cells."""
    plan = plan_of("某校113年度閱讀推動實施計畫\n\n一、實施內容：\n工作項目\n\n辦理期程\n\n負責單位\n\n晨讀十分鐘\n\n"
                   "113 年 2 月至 12 月\n\n教務處\n\n閱讀心得比賽\n\n113 年 5 月\n\n教務處\n\n二、經費：\n"
                   "（一）所需經費新臺幣 3 萬元。\n（二）經費概算表如附件一。\n")
    table = next(s.table for s in [plan.strategies, *plan.sections] if s is not None and s.table)
    assert cells(table) == [["晨讀十分鐘", "113 年 2 月至 12 月", "教務處"], ["閱讀心得比賽", "113 年 5 月", "教務處"]]
    assert [s.title for s in plan.sections] == ["經費："] and len(plan.sections[0].items) == 2


def test_a_title_whose_last_character_a_pdf_wrapped_onto_its_own_line():
    """A long title in a PDF's text: 「…實施計」 then 「畫」 alone; the 「畫」 was left out of the title."""
    plan = plan_of("臺中市動物保護防疫處 106 年提升服務品質實施計\n畫\n壹、計畫目標：提供優質服務。\n")
    assert plan.title == ["臺中市動物保護防疫處 106 年提升服務品質實施計畫"] and plan.year == 106


def test_an_amount_with_a_thousands_comma_is_not_a_label():
    """「24,000」 alone on a line (a budget table's cell in a PDF's text) was read as the label 「24,」
    and became an item 「,000」 of its own."""
    plan = plan_of("某校113年度計畫\n一、經費：\n所需經費如下。\n24,000\n二、附則：本計畫核定後實施。\n")
    assert "24,000" in (plan.sections[0].text or "")
    assert [s.title for s in plan.sections] == ["經費：", "附則："]


def test_a_title_wrapped_a_few_characters_before_its_end():
    """經濟部's title in its own built PDF's text: 「…管制及評核作」 over 「業注意事項」; a page header that
    repeats the title on the next line is not a tail of it."""
    plan = plan_of("經濟部暨所屬各機關（構）個案計畫管制及評核作\n業注意事項\n一、本部為落實個案計畫之執行，特訂定本注意事項。\n",
                   105)
    assert plan.title == ["經濟部暨所屬各機關（構）個案計畫管制及評核作業注意事項"]
    repeated = plan_of("南港區公所\n\n參訪區公所\n\n參訪區公所\n一、目的：加強民眾對區政業務的認識。\n", 112)
    assert repeated.title == ["參訪區公所"]


def test_a_short_line_after_the_title_that_is_the_agency_stays_the_agency():
    """Found by the damaged-corpus property test: the line after the title was the agency's line
    (「參訪區公所」), which the title's tail must not take (it raised ValueError)."""
    plan = plan_of("跳到主要內容區塊 南港區公所\n\n參訪區公所\n\n參訪區公所\n一、 目的:加強民眾對區政業務的認識。\n", 112)
    assert plan.agency == "參訪區公所" and "參訪區公所" not in plan.title[0]


def test_two_sections_with_the_same_title_are_pointed_out(tmp_path):
    """「參、實施對象」 then 「肆、實施對象」 (a part pasted twice): validate said nothing; now a warning
    at the second title, an error under --strict."""
    from pipeline.conventions import convention_warnings
    from pipeline.loader import load_plan

    path = tmp_path / "112.yaml"
    path.write_text("agency: 某某區公所\nyear: 112\ntitle: 某某區公所112年度為民服務實施計畫\n"
                    "targets:\n  text: 本所同仁。\nsections:\n- title: 實施對象\n  text: 志工。\n- title: 附則\n",
                    encoding="utf-8")
    warnings = convention_warnings(load_plan(str(path)))
    assert [(w.field, w.where.line) for w in warnings] == [("sections[0].title", 7)]
    assert "與第 1 段相同" in warnings[0].message
