"""What a user trying to break the tool found: each test failed before its fix."""
import shutil
import subprocess
import sys

from conftest import ROOT


def plan_command(*args, cwd=ROOT, stdin=None):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=cwd,
                          input=stdin)


def test_plan_new_without_issued_gives_the_issuance_note_no_line_of_a_comment(tmp_path):
    """A plan with no `issued` block: the note to fill it in named 「第 4 行」, a line of the header."""
    shutil.copytree(ROOT / "plans" / "kaohsiung-cec", tmp_path / "plans" / "kaohsiung-cec")
    run = plan_command("new", "kaohsiung-cec", "105", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    lines = (tmp_path / "plans" / "kaohsiung-cec" / "105.yaml").read_text(encoding="utf-8").split("\n")
    issued = [line for line in lines if line.startswith("# 請確認:") and "（issued）" in line]
    assert len(issued) == 1
    assert "第 " not in issued[0], issued[0]
    assert any("（issued）" in line and "第 " not in line for line in run.stderr.splitlines())


def test_import_reads_text_notepad_saved_as_unicode(tmp_path):
    """Windows Notepad's 「Unicode」 is UTF-16 with a byte-order mark: it was refused as an unknown encoding."""
    text = (ROOT / "tests" / "fixtures" / "import" / "table-plan.txt").read_text(encoding="utf-8")
    expected = plan_command("import", "-", stdin=text)
    assert expected.returncode == 0, expected.stderr
    for encoding in ("utf-16-le", "utf-16-be"):
        source = tmp_path / f"{encoding}.txt"
        source.write_bytes(("\ufeff" + text).encode(encoding))
        run = plan_command("import", str(source))
        assert run.returncode == 0, run.stderr
        assert run.stdout.split("\n", 1)[1] == expected.stdout.split("\n", 1)[1]


def test_an_unknown_text_encoding_says_what_to_do(tmp_path):
    source = tmp_path / "plan.txt"
    source.write_bytes(b"\x81\x30\x81\x30 \xff\xff\xff")
    run = plan_command("import", str(source))
    assert run.returncode != 0
    assert "另存為 UTF-8" in run.stderr and "Traceback" not in run.stderr


def test_import_of_a_pdf_or_old_word_file_says_how_to_get_what_it_reads(tmp_path):
    for name, words in (("plan.doc", "另存新檔」為 .docx 或 .odt"), ("plan.html", "貼到記事本存成 .txt")):
        (tmp_path / name).write_bytes(b"%PDF-1.4 or whatever")
        run = plan_command("import", str(tmp_path / name))
        assert run.returncode == 2 and words in run.stderr, run.stderr
    for name, words in (("plan.odt", "無法解析"), ("plan.pdf", "已損毀")):  # read now: tests/test_import_odt.py, _pdf.py
        (tmp_path / name).write_bytes(b"%PDF-1.4 or whatever")
        run = plan_command("import", str(tmp_path / name))
        assert run.returncode == 1 and words in run.stderr and "Traceback" not in run.stderr, run.stderr


def imported(tmp_path, text, name="plan.txt", *args):
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    run = plan_command("import", str(source), *args)
    assert run.returncode == 0, run.stderr
    import yaml
    return yaml.safe_load(run.stdout), run


MID_TERM = """臺中市政府研究發展考核委員會中程施政計畫（104至107年度）
壹、環境情勢分析與優先發展課題
一、環境情勢分析
本會職掌研究發展、綜合計畫、管制考核、為民服務及資訊管理等業務。
二、優先發展課題
（一）強化施政計畫管理。
（二）本會為提升為民服務品質，特訂定
本計畫，各單位應配合辦理。
"""


def test_a_short_heading_and_its_body_on_the_next_line_stay_apart(tmp_path):
    """「一、環境情勢分析」 then its body: they ran together as 「環境情勢分析本會職掌…」."""
    plan, _ = imported(tmp_path, MID_TERM)
    first, second = plan["sections"][0]["items"]
    assert first["title"] == "環境情勢分析"
    assert first["text"].startswith("本會職掌研究發展")
    assert second["title"] == "優先發展課題"
    assert second["items"][1] == "本會為提升為民服務品質，特訂定本計畫，各單位應配合辦理。", "a wrapped line still joins"


def test_a_heading_split_from_its_body_on_one_line_is_not_joined_again(tmp_path):
    """A PDF preview's 「一、年度施政目標 依據地方制度法…」 was cut in two, then glued back by the rejoin."""
    plan, _ = imported(tmp_path, "屏東縣政府 101 年度施政計畫目標 壹、民政類 一、年度施政目標 "
                                 "依據地方制度法制定相關法規，落實地方自治，致力府會和諧。 二、年度重點 強化宗教團體輔導及鼓勵興辦公益慈善。\n")
    items = plan["sections"][0]["items"]
    assert items[0]["title"] == "年度施政目標" and items[0]["text"].startswith("依據地方制度法")


CONTENTS = """【目 錄】
壹、環境情勢分析與優先發展課題…………………………26-1
一、環境情勢分析………………………………………26-1
二、優先發展課題………………………………………26-1
貳、現有計畫執行成效與資源分配檢討……………………26-3
參、策略績效目標與衡量指標.........................9
"""
BODY = """壹、環境情勢分析與優先發展課題
一、環境情勢分析
本會職掌研究發展、綜合計畫、管制考核、為民服務及資訊管理等業務。
貳、現有計畫執行成效與資源分配檢討
本會 103 年度計畫均如期完成。
參、策略績效目標與衡量指標
提升施政效能。
"""


def test_a_table_of_contents_is_not_imported_as_the_plan(tmp_path):
    """A plan from a PDF begins with its 目錄: each line became a section, the outline twice over."""
    plan, run = imported(tmp_path, "臺中市政府研究發展考核委員會中程施政計畫（104至107年度）\n" + CONTENTS + BODY)
    titles = [section["title"] for section in plan["sections"]]
    assert titles == ["環境情勢分析與優先發展課題", "現有計畫執行成效與資源分配檢討", "策略績效目標與衡量指標"]
    assert "目" not in str(plan.get("title")).replace("目標", "")
    assert "label" not in str(plan["sections"]), "the body's labels are in sequence"
    assert "……" not in run.stdout



def test_import_of_the_tracked_review_gives_the_new_plan(tmp_path):
    """A Word file with changes not yet accepted (here the review's diff.tracked.docx): inserted text was
    lost (「高雄市選舉委員會  年提升服務品質執行計畫」, no year) and moved-away text read twice."""
    plans = ROOT / "plans" / "kaohsiung-cec"
    made = plan_command("diff", str(plans / "103.yaml"), str(plans / "104.yaml"), "--format", "tracked",
                        "-o", str(tmp_path / "tracked.docx"))
    assert made.returncode == 0, made.stderr
    assert plan_command("import", str(tmp_path / "tracked.docx"), "-o", str(tmp_path / "back.yaml")).returncode == 0
    run = plan_command("diff", str(plans / "104.yaml"), str(tmp_path / "back.yaml"), "--exit-code")
    assert run.returncode == 0, run.stdout


def test_import_reads_text_inside_content_controls_and_smart_tags(tmp_path):
    """Word templates wrap parts in content controls (w:sdt); old files have smart tags: their text was lost."""
    from docx import Document
    from docx.oxml import OxmlElement

    word = Document()
    word.add_paragraph("臺中市政府地政局 113 年提升服務效能執行計畫")
    paragraphs = [word.add_paragraph(line) for line in ("壹、計畫依據", "依據本府 113 年施政計畫辦理。", "貳、計畫目標", "提升")]
    control, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    control.append(content)
    paragraphs[2]._p.addprevious(control)
    for paragraph in paragraphs[2:]:
        content.append(paragraph._p)
    tag, run, text = OxmlElement("w:smartTag"), OxmlElement("w:r"), OxmlElement("w:t")
    text.text = "服務品質。"
    run.append(text)
    tag.append(run)
    paragraphs[3]._p.append(tag)
    word.save(tmp_path / "plan.docx")
    run = plan_command("import", str(tmp_path / "plan.docx"))
    assert run.returncode == 0, run.stderr
    assert "goals: 提升服務品質。" in run.stdout


def test_later_amendments_under_the_title_are_not_dropped_silently(tmp_path):
    """Three issuance lines (函頒, then two 函修正): the two amendments vanished without a word."""
    text = ("經濟部水利署第十河川局計畫書撰寫規定\n108年7月29日水北畫字第10805036800號函頒\n"
            "109年4月16日水北畫字第10905016320號函修正\n111年8月31日水北畫字第11105034790號函修正\n"
            "一、本局計畫書之撰寫格式悉依本規定。\n二、計畫書封面：通用格式如附件一。\n")
    plan, run = imported(tmp_path, text, "plan.txt", "--report")
    assert plan["issued"] == {"date": "108-07-29", "number": "水北畫字第 10805036800 號", "verb": "函頒"}
    for amendment in ("109年4月16日水北畫字第10905016320號函修正", "111年8月31日水北畫字第11105034790號函修正"):
        assert amendment in run.stdout and amendment in run.stderr
    assert "# 請確認: 原文另有修正紀錄" in run.stdout
    assert len(plan["sections"]) == 2


def test_one_issuance_written_twice_is_no_amendment(tmp_path):
    text = ("內政部 公告日期:100 年5 月19 日\n內政部 99 年度施政績效報告 公告日期:100 年 5 月 19 日\n"
            "壹、前言\n一、年度施政目標\n提升施政效能。\n")
    _, run = imported(tmp_path, text)
    assert "修正紀錄" not in run.stdout + run.stderr


def test_symbols_are_cut_from_text_in_order():
    from pipeline.writers.layout import script_pieces

    assert script_pieces("1.□是□否 說明※") == [("1.", False), ("□", True), ("是", False), ("□", True),
                                              ("否 說明", False), ("※", True)]
    assert script_pieces("") == []


def test_a_field_of_five_megabytes_builds_in_every_word_processor_format(tmp_path):
    """A 5 MB text field took minutes to write as DOCX and ODT (each character copied its run again);
    the time is not asserted here, what is written is."""
    import zipfile

    text = (ROOT / "plans" / "kaohsiung-cec" / "103.yaml").read_text(encoding="utf-8")
    big = "本" * (5 * 1024 * 1024 // 3)
    plan = tmp_path / "103.yaml"
    plan.write_text(text.replace("targets: 本會第一組、第四組及行政室。", f"targets: {big}□"), encoding="utf-8")
    run = plan_command("build", str(plan), "-o", str(tmp_path / "out"), "--format", "docx,odt")
    assert run.returncode == 0, run.stderr
    document = zipfile.ZipFile(tmp_path / "out" / "plan.docx").read("word/document.xml").decode("utf-8")
    assert big in document
    content = zipfile.ZipFile(tmp_path / "out" / "plan.odt").read("content.xml").decode("utf-8")
    assert big in content


def test_site_refuses_to_write_into_the_plans_folder(tmp_path):
    """`plan site -o plans` wrote index.html, sitemap.html and a folder per year among the plan files."""
    shutil.copytree(ROOT / "plans" / "kaohsiung-cec", tmp_path / "plans" / "kaohsiung-cec")
    before = sorted(p.name for p in (tmp_path / "plans").rglob("*"))
    for out in ("plans", "plans/kaohsiung-cec", "./plans/"):
        run = plan_command("site", "-o", out, cwd=tmp_path)
        assert run.returncode == 2 and "計畫檔資料夾「plans」裡面" in run.stderr, run.stderr
    assert sorted(p.name for p in (tmp_path / "plans").rglob("*")) == before
    assert plan_command("site", "-o", "build/site", cwd=tmp_path).returncode == 0


def test_negative_points_are_called_points_not_a_non_integer(tmp_path):
    """「-5」 was reported as 「不是整數（例如 103）」: it is an integer, and 103 is no example of points."""
    plan = tmp_path / "103.yaml"
    plan.write_text("agency: 甲機關\nyear: 103\ntitle: 甲機關 103 年計畫\nsections:\n  - title: 甲\n"
                    "    items:\n      - {text: 項目, points: -5}\n", encoding="utf-8")
    run = plan_command("validate", str(plan))
    assert run.returncode == 1
    assert "7:28: sections[0].items[0].points: 「-5」不是配分" in run.stderr and "例如 20" in run.stderr
    assert "不是整數" not in run.stderr
    plan.write_text("agency: 甲機關\nyear: -103\ntitle: 甲機關 103 年計畫\n", encoding="utf-8")
    run = plan_command("validate", str(plan))
    assert "「-103」不是大於或等於 0 的整數" in run.stderr


FULL_WIDTH_INDENTED = [
    ("goals:\n　　text: 目標\n", 5, 1, "「text」前面用了全形空白「　」縮排"),
    ("sections:\n  - title: 甲\n    items:\n    　- 乙\n", 7, 5, "第 7 行用了全形空白「　」縮排"),
    ("goals:\n　text: 乙\n  items:\n    - 丙\n", 5, 1, "第 5 行用了全形空白「　」縮排"),
]


def test_indentation_typed_as_full_width_spaces_is_named(tmp_path):
    """A Chinese input method types 「　」 for a space: the officer was told of an unknown key 「　　text」
    or a missing colon, with nothing about the full-width space."""
    for body, line, column, words in FULL_WIDTH_INDENTED:
        plan = tmp_path / "103.yaml"
        plan.write_text("agency: 甲機關\nyear: 103\ntitle: 甲\n" + body, encoding="utf-8")
        run = plan_command("validate", str(plan))
        assert run.returncode == 1
        assert f"103.yaml:{line}:{column}:" in run.stderr and words in run.stderr, run.stderr
        assert "半形空白" in run.stderr


def test_a_text_that_begins_with_full_width_spaces_is_still_text(tmp_path):
    plan = tmp_path / "103.yaml"
    plan.write_text("agency: 甲機關\nyear: 103\ntitle: 甲\ngoals: |\n  　　本會為提升服務品質，\n  　　特訂定本計畫。\n",
                    encoding="utf-8")
    run = plan_command("validate", str(plan))
    assert run.returncode == 0, run.stderr


def test_a_text_that_begins_with_a_question_mark_gets_a_chinese_message(tmp_path):
    """`goals: ? 提升服務` gave 「YAML 語法錯誤：mapping keys are not allowed here」, English in the Chinese."""
    plan = tmp_path / "103.yaml"
    plan.write_text("agency: 甲機關\nyear: 103\ntitle: 甲\ngoals: ? 提升服務\n", encoding="utf-8")
    run = plan_command("validate", str(plan))
    chinese = run.stderr.split(" (YAML syntax error")[0]
    assert run.returncode == 1 and "4:8: goals:" in run.stderr and "goals: '? 提升服務'" in chinese
    assert "mapping keys" not in chinese
    from pipeline.yamlerrors import translate

    assert "mapping" not in translate("mapping keys are not allowed here")


def test_unbalanced_braces_far_from_their_line_end_with_a_message(tmp_path):
    """The message for an unclosed 「{」 contains 「{ }」 and was passed to str.format: a KeyError traceback."""
    plan = tmp_path / "103.yaml"
    plan.write_text("agency: 甲機關\nyear: 103\ntitle: 甲\ngoals: {text: 乙,\n  x: 1,\n  y: 2,\n  z: 3,\n  items: \"a\" b}\n",
                    encoding="utf-8")
    run = plan_command("validate", str(plan))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "8:14: (檔案): YAML 語法錯誤：大括號 { } 沒有成對" in run.stderr


def test_every_syntax_error_of_pyyaml_named_in_the_translations_reads_in_chinese():
    from pipeline.yamlerrors import translate

    for english in ("expected ',' or '}', but got '<scalar>'", "expected ',' or ']', but got '<scalar>'",
                    "expected the node content, but found '}'",
                    "expected '<document start>', but found '<block mapping start>'"):
        chinese = translate(english)
        assert chinese != english and "expected" not in chinese


def test_a_reader_that_goes_away_ends_the_output_quietly(tmp_path):
    """`plan diff a b | head -1`: 「: 無法寫入，無法寫入。 (Broken pipe)」 and exit 1; now quiet, as git is."""
    import os

    plans = ROOT / "plans"
    for args in (["diff", str(plans / "kaohsiung-cec" / "103.yaml"), str(plans / "kaohsiung-cec" / "104.yaml"),
                  "--format", "json,text"], ["schema"], ["import", str(ROOT / "tests" / "fixtures" / "keelung-cec-105.txt")]):
        read, write = os.pipe()
        os.close(read)   # the reader is gone before anything is written
        run = subprocess.run([sys.executable, "-m", "pipeline", *args], stdout=write, stderr=subprocess.PIPE,
                             text=True, cwd=ROOT)
        os.close(write)
        assert run.returncode == 141, (args, run.stderr)
        assert run.stderr == "", (args, run.stderr)


def test_a_fault_without_a_known_cause_is_said_once():
    import errno

    from pipeline.files import fault_message

    message = fault_message(OSError(errno.EIO, "Input/output error"), "build/plan.docx")
    assert message == "build/plan.docx: 無法寫入。 (Input/output error)"
    assert fault_message(OSError(errno.ENOSPC, "No space left on device"), "x") == "x: 磁碟已滿，無法寫入。 (No space left on device)"


def test_diff_says_when_the_two_plans_look_swapped_or_of_two_agencies():
    """`plan diff 104.yaml 103.yaml` reviewed the year going back as 「年度更新」 without a word."""
    plans = ROOT / "plans"
    swapped = plan_command("diff", str(plans / "kaohsiung-cec" / "104.yaml"), str(plans / "kaohsiung-cec" / "103.yaml"))
    assert swapped.returncode == 0 and "OLD（" in swapped.stderr and "是 104 年" in swapped.stderr
    assert "注意" not in swapped.stdout, "standard output carries only the review"
    other = plan_command("diff", str(plans / "kaohsiung-cec" / "103.yaml"), str(plans / "keelung-cec" / "105.yaml"))
    assert "兩份計畫的機關不同（高雄市選舉委員會、基隆市選舉委員會）" in other.stderr
    usual = plan_command("diff", str(plans / "kaohsiung-cec" / "103.yaml"), str(plans / "kaohsiung-cec" / "104.yaml"))
    assert usual.returncode == 0 and "注意" not in usual.stderr


def test_a_western_year_for_year_is_converted_in_the_message(tmp_path):
    """`plan new kaohsiung-cec 2025` was only told 「不是民國年（例如 104）」."""
    run = plan_command("new", "kaohsiung-cec", "2025", cwd=tmp_path)
    assert run.returncode == 2 and "西元 2025 年是民國 114 年" in run.stderr
    run = plan_command("make", "kaohsiung-cec", "2014", cwd=tmp_path)
    assert run.returncode == 2 and "西元 2014 年是民國 103 年" in run.stderr
    run = plan_command("make", "kaohsiung-cec", "abc", cwd=tmp_path)
    assert run.returncode == 2 and "YEAR「abc」不是民國年" in run.stderr


def chinese_list_docx(path, paragraphs):
    """A Word file whose labels are Word's own list numbering in the Chinese formats Word offers:
    壹、(ideographLegalTraditional) → 一、(taiwaneseCountingThousand) → （一）; `paragraphs` are
    (depth or None, text)."""
    from docx import Document
    from docx.oxml import parse_xml

    word = Document()
    word.add_paragraph("臺南市政府地政局 113 年提升服務效能執行計畫", style="Title")
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering = word.part.numbering_part.element
    levels = "".join(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
                     for i, (fmt, text) in enumerate([("ideographLegalTraditional", "%1、"),
                                                      ("taiwaneseCountingThousand", "%2、"),
                                                      ("taiwaneseCountingThousand", "（%3）")]))
    numbering.insert(0, parse_xml(f'<w:abstractNum {w} w:abstractNumId="90">{levels}</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for depth, text in paragraphs:
        paragraph = word.add_paragraph(text)
        if depth is not None:
            paragraph._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr {w}><w:ilvl w:val="{depth}"/><w:numId w:val="90"/></w:numPr>'))
    word.save(path)


def test_a_word_file_numbered_by_words_own_chinese_lists_imports(tmp_path):
    """Word's 壹、貳、 / 一、二、 list numbering is not in the text: such a file was refused as 「not a plan」."""
    chinese_list_docx(tmp_path / "plan.docx", [
        (0, "計畫依據"), (None, "依據本府 113 年施政計畫辦理。"), (0, "實施方式"),
        (1, "服務態度"), (2, "設置服務台。"), (2, "提供引導。"), (1, "服務環境"), (2, "洽公場所明亮整潔。"),
        (0, "預期效益"), (None, "提升民眾滿意度。")])
    run = plan_command("import", str(tmp_path / "plan.docx"), "--report")
    assert run.returncode == 0, run.stderr
    import yaml

    plan = yaml.safe_load(run.stdout)
    assert plan["basis"] == "依據本府 113 年施政計畫辦理。"
    steps = plan["steps"]["items"]
    assert [item["title"] for item in steps] == ["服務態度", "服務環境"]
    assert steps[0]["items"] == ["設置服務台。", "提供引導。"] and steps[1]["items"] == ["洽公場所明亮整潔。"]
    assert [s["title"] for s in plan["sections"]] == ["預期效益"]


def test_characters_that_print_as_nothing_stay_out_of_an_imported_plan(tmp_path):
    """Text pasted from a web page carries zero-width spaces, a BOM inside the text and soft hyphens: the
    imported plan kept them and failed `plan validate --strict` (README: the YAML import writes validates)."""
    text = ("臺南市政府地政局 113 年提升服務效能執行計畫\n壹、\u00a0計畫依據\n依據本府\u200b113 年施政計畫辦理。\n"
            "貳、實施方式\n一、設置服務台。\n二、\u200b提供\ufeff引導。\n參、預期\u00ad效益\u2028提升滿意度。\n")
    source = tmp_path / "page.txt"
    source.write_text(text, encoding="utf-8")
    run = plan_command("import", str(source), "-o", str(tmp_path / "113.yaml"))
    assert run.returncode == 0, run.stderr
    written = (tmp_path / "113.yaml").read_text(encoding="utf-8")
    assert not any(ch in written for ch in "\u200b\ufeff\u00ad\u2028"), written
    assert "提供引導。" in written and "title: 預期效益" in written
    strict = plan_command("validate", "--strict", str(tmp_path / "113.yaml"))
    assert strict.returncode == 0, strict.stderr


def test_characters_that_print_as_nothing_stay_out_of_a_word_import(tmp_path):
    from docx import Document

    word = Document()
    for line in ("臺南市政府地政局 113 年提升服務效能執行計畫", "壹、計畫依據", "依據本府\u200b113 年施政計畫辦理。"):
        word.add_paragraph(line)
    word.save(tmp_path / "plan.docx")
    run = plan_command("import", str(tmp_path / "plan.docx"))
    assert run.returncode == 0 and "basis: 依據本府113 年施政計畫辦理。" in run.stdout, run.stdout


def test_a_word_cell_merged_across_columns_keeps_the_other_cells_in_their_columns(tmp_path):
    """A cell spanning two columns (gridSpan) shifted the rest of its row: 「登記課」 landed under 執行策略."""
    from docx import Document
    import yaml

    word = Document()
    word.add_paragraph("臺南市政府地政局 113 年提升服務效能執行計畫")
    word.add_paragraph("壹、實施方式")
    table = word.add_table(rows=3, cols=3)
    for column, text in enumerate(["實施要項", "執行策略", "承辦單位"]):
        table.cell(0, column).text = text
    for column, text in enumerate(["服務禮儀", "辦理教育訓練", "各課"]):
        table.cell(1, column).text = text
    table.cell(2, 0).merge(table.cell(2, 1)).text = "便民措施"
    table.cell(2, 2).text = "登記課"
    word.save(tmp_path / "plan.docx")
    run = plan_command("import", str(tmp_path / "plan.docx"))
    assert run.returncode == 0, run.stderr
    rows = yaml.safe_load(run.stdout)["steps"]["table"]["rows"]
    assert rows[1][0] == "便民措施" and rows[1][2] == "登記課" and len(rows[1]) == 3


def test_a_title_wrapped_over_two_lines_by_a_pdf_is_read_whole(tmp_path):
    """pdftotext of a centred title 「○○事務所 提升政府服務品質」 / 「執行計畫」: the title became 「執行計畫」."""
    text = ("高雄縣鳳山市第一戶政事務所\n「97 年提升政府服務品質執行計畫」\n高雄縣鳳山市第一戶政事務所 訂定\n"
            "中華民國 96 年 12 月 3 日\n高雄縣鳳山市第一戶政事務所 提升政府服務品質\n                   執行計畫\n"
            "壹、依據：\n依據本府 97 年施政計畫辦理。\n貳、目標：\n提升服務品質。\n")
    plan, _ = imported(tmp_path, text)
    assert plan["title"] == ["高雄縣鳳山市第一戶政事務所 提升政府服務品質執行計畫"]
    assert plan["cover"] == {"title": "「97 年提升政府服務品質執行計畫」", "note": "高雄縣鳳山市第一戶政事務所 訂定"}


def test_a_short_title_after_the_agency_line_is_not_joined_to_it(tmp_path):
    plan, _ = imported(tmp_path, "臺南市政府地政局\n服務計畫\n壹、依據：\n依據本府施政計畫辦理。\n", "plan.txt", "--year", "113")
    assert plan["title"] == ["服務計畫"] and plan["agency"] == "臺南市政府地政局"


def test_a_picture_in_a_word_file_is_said_to_be_left_out(tmp_path):
    """A flow chart drawn as a picture vanished from the import without a word."""
    import base64

    from docx import Document

    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
    (tmp_path / "chart.png").write_bytes(png)
    word = Document()
    for line in ("臺南市政府地政局 113 年提升服務效能執行計畫", "壹、計畫依據", "依據本府 113 年施政計畫辦理。",
                 "貳、作業流程", "流程如下圖："):
        word.add_paragraph(line)
    word.add_picture(str(tmp_path / "chart.png"))
    word.add_paragraph("參、預期效益")
    word.add_paragraph("提升滿意度。")
    word.save(tmp_path / "plan.docx")
    run = plan_command("import", str(tmp_path / "plan.docx"), "--report", "-o", str(tmp_path / "113.yaml"))
    assert run.returncode == 0, run.stderr
    written = (tmp_path / "113.yaml").read_text(encoding="utf-8")
    assert "# 請確認: 原文「流程如下圖：」之後有一張圖" in written
    assert "原文「流程如下圖：」之後有一張圖" in run.stderr and "圖：1 張沒有匯入" in run.stderr
    import yaml

    plan = yaml.safe_load(written)
    assert [s["title"] for s in plan["sections"]] == ["作業流程", "預期效益"]
    assert plan["sections"][0]["text"] == "流程如下圖："


def test_validate_takes_a_folder_of_plans_as_build_does(tmp_path):
    """`plan build plans` builds every plan; `plan validate plans` was refused: 「是資料夾，這裡要的是檔案」."""
    run = plan_command("validate", "plans")
    assert run.returncode == 0 and "4 份計畫皆無問題" in run.stderr, run.stderr
    shutil.copytree(ROOT / "plans" / "kaohsiung-cec", tmp_path / "plans" / "kaohsiung-cec")
    broken = tmp_path / "plans" / "kaohsiung-cec" / "104.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("year: 104", "year: 一零四"), encoding="utf-8")
    run = plan_command("validate", "plans", cwd=tmp_path)
    assert run.returncode == 1 and "104.yaml:" in run.stderr and "year" in run.stderr
    (tmp_path / "empty").mkdir()
    run = plan_command("validate", "empty", cwd=tmp_path)
    assert run.returncode == 2 and "這個資料夾裡沒有計畫檔" in run.stderr


def test_a_merge_key_is_named_as_such(tmp_path):
    """`<<: {start: …}` was 「不認得的欄位「<<」；可用的欄位有：…」, a list of fields that does not help."""
    plan = tmp_path / "103.yaml"
    plan.write_text("agency: 甲機關\nyear: 103\ntitle: 甲\nperiod:\n  <<: {start: 103-01-01}\n  end: 103-12-31\n",
                    encoding="utf-8")
    run = plan_command("validate", str(plan))
    assert run.returncode == 1 and "5:3: period.<<: 計畫檔不支援 YAML 的合併鍵「<<」" in run.stderr


def test_labels_typed_with_a_period_or_a_space_before_the_comma_are_read(tmp_path):
    """「壹.計畫依據」「一.設置」 (typed) and 「一 、」 (a PDF's spacing): the file was refused as not a plan."""
    for top, second in (("壹.", "一."), ("壹．", "一．"), ("壹 、", "一 、")):
        text = (f"臺南市政府地政局 113 年提升服務效能執行計畫\n{top}計畫依據\n依據本府 113 年施政計畫辦理。\n"
                f"{top.replace('壹', '貳')}實施方式\n{second}設置服務台。\n{second.replace('一', '二')}提供引導。\n")
        plan, _ = imported(tmp_path, text)
        assert plan["basis"] == "依據本府 113 年施政計畫辦理。", top
        assert plan["steps"]["items"] == ["設置服務台。", "提供引導。"], top
        assert "label" not in str(plan["steps"]), "read as the usual labels, in sequence"
    plan, _ = imported(tmp_path, "臺南市政府地政局 113 年計畫\n一、依據\n本府計畫。\n二、經費\n一.5 億元由本府編列。\n")
    assert plan["sections"][0]["text"] == "一.5 億元由本府編列。", "a decimal is no label"


HEADED_PAGE = """# 臺南市政府地政局 113 年提升服務效能執行計畫

## 計畫依據

依據本府 113 年施政計畫辦理。

## 實施方式

### 服務態度

- 設置服務台。
- 提供引導。

### 服務環境

洽公場所明亮整潔。

## 預期效益

提升滿意度。
"""


def test_a_page_whose_sections_are_markdown_headings_without_numbers(tmp_path):
    """「## 計畫依據」 headings without labels: the title became 「實施方式」, 計畫依據 and its text were lost,
    and 「預期效益提升滿意度。」 ran together."""
    plan, run = imported(tmp_path, HEADED_PAGE, "page.md", "--report")
    assert plan["title"] == ["臺南市政府地政局 113 年提升服務效能執行計畫"]
    assert plan["agency"] == "臺南市政府地政局"
    assert plan["basis"] == "依據本府 113 年施政計畫辦理。"
    steps = plan["steps"]
    assert steps["title"] == "實施方式"
    assert [item["title"] for item in steps["items"]] == ["服務態度", "服務環境"]
    assert steps["items"][0]["items"] == ["設置服務台。", "提供引導。"]
    assert steps["items"][1]["text"] == "洽公場所明亮整潔。"
    assert plan["sections"] == [{"title": "預期效益", "text": "提升滿意度。"}]
    assert "依 # 的層次推定" in run.stderr


def test_markdown_headings_that_carry_labels_are_read_as_written(tmp_path):
    page = HEADED_PAGE.replace("## 計畫依據", "## 壹、計畫依據").replace("## 實施方式", "## 貳、實施方式") \
        .replace("### 服務態度", "### 一、服務態度").replace("### 服務環境", "### 二、服務環境").replace("## 預期效益", "## 參、預期效益")
    plan, run = imported(tmp_path, page, "page.md", "--report")
    assert "top" not in plan.get("numbering", {}) and "推定" not in run.stderr
    assert [item["title"] for item in plan["steps"]["items"]] == ["服務態度", "服務環境"]


def test_an_interruption_just_after_the_temporary_file_is_made_leaves_nothing(tmp_path, monkeypatch):
    """Ctrl-C or SIGTERM arriving after the temporary file was created but before write_atomic knew its
    name left a `.tmp-…` file beside the output (seen when a parallel build was interrupted). The signal
    is sent to this thread, as the kernel sends it to a build worker, which has no other thread."""
    import os
    import signal
    import threading

    import pytest

    from pipeline import files

    class Stopped(Exception):
        pass

    def stop(*_):
        raise Stopped()

    real_open = os.open

    def open_then_signalled(*args, **kwargs):
        handle = real_open(*args, **kwargs)
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)   # delivered at once, unless held
        return handle

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        monkeypatch.setattr(files.os, "open", open_then_signalled)
        with pytest.raises(Stopped):
            files.write_atomic(str(tmp_path / "plan.docx"), b"data")
    finally:
        monkeypatch.undo()
        signal.signal(signal.SIGTERM, previous)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_long_paragraph_without_a_reference_is_kept_whole(tmp_path):
    """A basis of 20,000 characters with no comma took ten seconds and more to import (the reference
    pattern scanned from every position to the end); the time is not asserted here, what is read is."""
    long_text = "本所應持續辦理各項便民服務措施並定期檢討" * 1000 + "。"
    plan, _ = imported(tmp_path, f"臺南市政府地政局 113 年提升服務效能執行計畫\n壹、依據\n{long_text}\n")
    assert plan["basis"]["text"] == long_text


def test_an_issuer_is_a_name_not_a_paragraph():
    from pipeline.recognise.references import references_in

    refs, _ = references_in("行政院 96 年 7 月 23 日院授研展字第 09600152471 號函頒「政府服務創新精進方案」")
    assert [r.issuer for r in refs] == ["行政院"]
    refs, _ = references_in("本" * 100 + "96 年 7 月 23 日院授研展字第 09600152471 號函頒「政府服務創新精進方案」")
    assert refs == [], "a hundred characters before a date are no issuer"


def test_year_zero_is_no_roc_year(tmp_path):
    """`plan new kaohsiung-cec 0` said 「沒有 0 年以前的計畫可以沿用」, as if 0 were a year."""
    for command in ("new", "make"):
        run = plan_command(command, "kaohsiung-cec", "0", cwd=tmp_path)
        assert run.returncode == 2 and "YEAR「0」不是民國年" in run.stderr, run.stderr


def test_import_reads_a_word_file_that_has_no_list_numbering_part(tmp_path):
    """A .docx without word/numbering.xml (as many older or converted files are) imports as any other."""
    import re
    import zipfile

    built = tmp_path / "built"
    assert plan_command("build", "plans/kaohsiung-cec/103.yaml", "--format", "docx", "-o", str(built)).returncode == 0
    bare = tmp_path / "bare.docx"
    with zipfile.ZipFile(built / "plan.docx") as source, zipfile.ZipFile(bare, "w") as out:
        for name in source.namelist():
            if "numbering" in name:
                continue
            data = source.read(name)
            if name.endswith(".rels") or name == "[Content_Types].xml":
                data = re.sub(rb"<(?:Relationship|Override) [^>]*numbering[^>]*/>", b"", data)
            out.writestr(name, data)
    done = plan_command("import", str(bare), "-o", str(tmp_path / "bare.yaml"))
    assert done.returncode == 0, done.stderr
    imported = (tmp_path / "bare.yaml").read_text(encoding="utf-8")
    assert "\nbasis:" in imported and "會知各組室" in imported


def test_yaml_files_in_a_plans_folder_not_named_as_plans_are_named_when_skipped(tmp_path):
    """plans/<agency>/106.yml or 105-draft.yaml were left out of build, validate and site without a word."""
    import shutil

    plans = tmp_path / "plans"
    shutil.copytree(ROOT / "plans" / "keelung-cec", plans / "keelung-cec")
    for name in ("106.yml", "105-draft.yaml", ".105.yaml"):
        shutil.copy(plans / "keelung-cec" / "105.yaml", plans / "keelung-cec" / name)
    for args in (("build", "plans", "--format", "html", "-o", "out"), ("validate", "plans"), ("site", "-o", "site")):
        run = plan_command(*args, cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        assert "略過 plans/keelung-cec/106.yml" in run.stderr and "請改名為 106.yaml" in run.stderr, args
        assert "略過 plans/keelung-cec/105-draft.yaml" in run.stderr and ".105.yaml" not in run.stderr, args


def test_a_long_run_of_lines_that_could_name_columns_is_read_once_not_once_per_line(monkeypatch):
    """50,000 list items 「項目」 (an .odt list, or a text file) took minutes: each line began a search for a
    table header through all the lines after it."""
    from pipeline.readers import Block
    from pipeline.recognise import tables

    calls = []

    class Counting:
        def match(self, text):
            calls.append(text)
            return tables.COLUMN_PATTERN.match(text)

    monkeypatch.setattr(tables, "COLUMN_PATTERN", tables.COLUMN, raising=False)
    monkeypatch.setattr(tables, "COLUMN", Counting())
    blocks = [Block(text="項目") for _ in range(2000)] + [Block(text="實施項目"), Block(text="辦理期程")]
    out = tables.cells_per_line(blocks)
    assert len(calls) <= 10 * len(blocks), len(calls)
    assert [b.text for b in out[:3]] == ["項目"] * 3, "a run longer than a header stays text"
