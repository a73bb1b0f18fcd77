"""`plan import`: existing plans (.docx, .txt, .md) → YAML that validates and renders back to the same document."""
import io
import re
import subprocess
import sys
import textwrap
import zipfile

import pytest

from conftest import ROOT, SEEDS
from likeness import docx_text, likeness, seed_text
from pipeline.importer import import_file
from pipeline.loader import load_plan
from pipeline.tree import build_document
from pipeline.writers import docx as docx_writer

FIXTURES = ROOT / "tests" / "fixtures"
LEVEL_ONE = re.compile(r"^[\s#*\-]*([壹貳參叁肆伍陸柒捌玖拾]+、)", re.M)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, cwd=ROOT)


def imported(tmp_path, source, name="imported.yaml"):
    out = tmp_path / name
    run = cli("import", str(source), "-o", str(out), "--report")
    assert run.returncode == 0, run.stderr
    return out, run


def rendered_text(tmp_path, yaml_path) -> str:
    target = tmp_path / f"{yaml_path.stem}.docx"
    docx_writer.write(build_document(load_plan(str(yaml_path))), str(target))
    return docx_text(str(target))


@pytest.mark.parametrize("agency,year", SEEDS)
def test_seed_text_to_yaml_to_docx_reads_like_the_seed(tmp_path, agency, year):
    source = FIXTURES / f"{agency}-{year}.txt"
    out, _ = imported(tmp_path, source)
    assert likeness(seed_text(source.read_text(encoding="utf-8")), rendered_text(tmp_path, out)) >= 0.90
    labels = LEVEL_ONE.findall(source.read_text(encoding="utf-8"))
    assert [s.label for s in build_document(load_plan(str(out))).body] == labels


def test_seed_structure_is_recognised():
    plan = import_file(str(FIXTURES / "kaohsiung-cec-103.txt")).plan
    assert (plan.agency, plan.year) == ("高雄市選舉委員會", 103)
    assert [r.issuer for r in plan.basis.references] == ["行政院", "中央選舉委員會"]
    assert plan.basis.references[0].number == "院授研展字第 09600152471 號"
    assert (plan.period.start.short, plan.period.end.short) == ("103-01-01", "103-12-31")
    assert [i.title for i in plan.strategies.items][:2] == ["建構友善環境，回應民眾需求：", "便捷服務程序，確保流程透明："]
    assert len(plan.strategies.items[0].items) == 4, "a line wrapped mid-sentence is one item"
    assert plan.numbering.parentheses == "half"
    fengshan = import_file(str(FIXTURES / "fengshan-hr1-97.txt")).plan
    assert fengshan.basis.style == "list" and len(fengshan.basis.references) == 2
    assert fengshan.cover.note == "高雄縣鳳山市第一戶政事務所 訂定" and fengshan.issued.date.short == "96-12-03"
    spans = [c.span for row in fengshan.strategies.table.rows for c in row if c.span > 1]
    assert spans == [6, 4, 5, 5, 4], "the strategy table, rebuilt across its page breaks"
    keelung = import_file(str(FIXTURES / "keelung-cec-105.txt")).plan
    assert keelung.numbering.three == "叁" and keelung.appendices[0].title.startswith("附表")


@pytest.mark.parametrize("agency,year", SEEDS)
def test_the_projects_own_docx_round_trips(tmp_path, agency, year):
    first = tmp_path / "first.docx"
    docx_writer.write(build_document(load_plan(str(ROOT / "plans" / agency / f"{year}.yaml"))), str(first))
    out, _ = imported(tmp_path, first)
    assert likeness(docx_text(str(first)), rendered_text(tmp_path, out)) >= 0.98


def test_a_table_plan_with_an_executing_unit_column(tmp_path):
    out, run = imported(tmp_path, FIXTURES / "import" / "table-plan.txt")
    plan = load_plan(str(out))
    assert (plan.agency, plan.year) == ("臺南市政府地政局", 113)
    table = plan.strategies.table
    assert table.columns == ["實施要項", "執行策略", "執行單位"]
    assert [[c.text for c in row] for row in table.rows][1] == ["(二)簡化土地登記案件審查流程，縮短辦理時限。", "地籍科、資訊室"]
    assert [c.span for row in table.rows for c in row if c.span > 1] == [3, 2]
    assert len(table.rows) == 6, "the header repeated after the page break and the page number are dropped"
    assert plan.sections[0].title == "本計畫如有未盡事宜，得隨時修正補充之。"


def test_a_scored_plan_keeps_codes_and_points(tmp_path):
    out, _ = imported(tmp_path, FIXTURES / "import" / "scored-plan.md")
    plan = load_plan(str(out))  # the points add up, or this would fail
    scored = next(s for _, s in plan.ordered_sections() if s.items and s.items[0].code)
    first = scored.items[0]
    assert (first.code, first.title, first.points) == ("A-1", "服務流程", 200)
    assert [(i.code, i.points) for i in first.items] == [("A-1-1", 120), ("A-1-2", 80)]
    assert len(first.items[0].items) == 2 and plan.year == 114


def test_text_hard_wrapped_every_25_characters(tmp_path):
    clean = [line.strip() for line in (FIXTURES / "kaohsiung-cec-103.txt").read_text(encoding="utf-8").splitlines()]
    wrapped = []
    for number, line in enumerate(l for l in clean if l):
        line = re.sub(r"^- ", "", line)
        wrapped += textwrap.wrap(line, 25) if len(line) > 25 else [line]
        if number % 15 == 14:
            wrapped += ["", f"第 {number // 15 + 1} 頁", ""]
    source = tmp_path / "wrapped.txt"
    source.write_text("\n".join(wrapped), encoding="utf-8")
    out, _ = imported(tmp_path, source)
    seed = seed_text((FIXTURES / "kaohsiung-cec-103.txt").read_text(encoding="utf-8"))
    assert likeness(seed, rendered_text(tmp_path, out)) >= 0.90
    plan = load_plan(str(out))
    assert len(plan.strategies.items) == 5 and len(plan.strategies.items[3].items) == 4


def test_word_list_numbering_gives_levels(tmp_path):
    import docx

    word = docx.Document()
    word.add_paragraph("測試機關 113 年計畫", style="Title")
    word.add_paragraph("壹、計畫目標")
    for text in ("提升服務品質。", "強化數位服務。"):
        word.add_paragraph(text, style="List Number")
    word.add_paragraph("貳、實施對象")
    word.add_paragraph("本機關各單位。")
    source = tmp_path / "listed.docx"
    word.save(str(source))
    out, _ = imported(tmp_path, source)
    plan = load_plan(str(out))
    assert plan.goals.items and [i.text for i in plan.goals.items] == ["提升服務品質。", "強化數位服務。"]
    assert plan.targets.text == "本機關各單位。"


def test_yaml_marks_its_guesses(tmp_path):
    out, run = imported(tmp_path, FIXTURES / "keelung-cec-105.txt")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# 由 plan import")
    assert "# 請確認:" in text and "辨識 recognised:" in run.stderr


def make_zip(parts: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("name,content,words", [
    ("empty.txt", b"", "空的"),
    ("not-a-plan.txt", "今天天氣很好，我們去公園散步。\n晚上吃飯。\n".encode("utf-8"), "不是一份計畫"),
    ("corrupt.docx", b"PK\x03\x04 this is not really a zip", "損毀"),
    ("encrypted.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "加密"),
    ("bomb.docx", make_zip({"word/document.xml": b"<w:document>" + b" " * (60 * 1024 * 1024)}), "過大"),
    ("plan.pdf", b"%PDF-1.4", "已損毀"),
])
def test_bad_input_is_a_clear_error(tmp_path, name, content, words):
    source = tmp_path / name
    source.write_bytes(content)
    run = cli("import", str(source), "-o", str(tmp_path / "out.yaml"))
    assert run.returncode != 0 and words in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "out.yaml").exists()


def test_a_web_page_with_a_markdown_table(tmp_path):
    out, _ = imported(tmp_path, FIXTURES / "import" / "web-page.md")
    plan = load_plan(str(out))
    assert plan.basis.references[0].issuer == "桃園市政府" and plan.basis.references[0].verb == "函"
    table = plan.strategies.table
    assert table.columns == ["實施要項", "執行策略", "執行單位"] and len(table.rows) == 3
    assert table.rows[0][0].span == 2 and [c.text for c in table.rows[1]] == ["(二)延長夜間服務時段。", "各戶政事務所"]


# ---- property: damaged text imports to a valid plan or fails with the project's own error ---------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from damage import damaged  # noqa: E402

from pipeline.errors import PlanError  # noqa: E402
from pipeline.importer import read_text, recognise  # noqa: E402

SEED_TEXTS = [(FIXTURES / f"{a}-{y}.txt").read_text(encoding="utf-8") for a, y in SEEDS]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged(SEED_TEXTS, "壹貳一二（）()1.、：:□\t|#*-<>年月日分 0123456789A"))
def test_damaged_text_gives_a_valid_plan_or_a_clear_error(text):
    from pipeline.dump import to_yaml

    try:
        plan = recognise(read_text(text), "damaged.txt").plan
    except PlanError:
        return
    load_plan("damaged.yaml", to_yaml(plan).encode("utf-8"))  # raises PlanProblems if the importer wrote nonsense
