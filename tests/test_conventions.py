"""Warnings about the conventions of official Chinese text, and `plan fmt`, which fixes the safe ones."""
import subprocess
import sys

from conftest import ROOT, SEEDS
from pipeline.conventions import convention_warnings, fix_punctuation, fix_source
from pipeline.loader import load_plan

HEAD = "agency: 測試機關\nyear: 103\ntitle: 測試計畫\n"


def warnings_for(write_plan, text):
    return convention_warnings(load_plan(write_plan(HEAD + text)))


def test_seed_plans_follow_the_conventions():
    for agency, year in SEEDS:
        assert convention_warnings(load_plan(str(ROOT / "plans" / agency / f"{year}.yaml"))) == []


def test_half_width_punctuation_in_chinese(write_plan):
    (warning,) = warnings_for(write_plan, "goals: 提升服務品質,深化服務績效;強化網路溝通\n")
    assert warning.severity == "warning" and warning.where.line == 4 and warning.field == "goals.text"
    assert "半形標點" in warning.message and "plan fmt" in warning.message


def test_punctuation_fix_leaves_latin_and_labels_alone():
    assert fix_punctuation("服務,品質") == "服務，品質"
    assert fix_punctuation("問題集」(FAQ) 機制") == "問題集」(FAQ) 機制"
    assert fix_punctuation("(一)訂定計畫(含附件)") == "(一)訂定計畫（含附件）"
    assert fix_punctuation("see https://a.tw/x?a=1, b") == "see https://a.tw/x?a=1, b"


def test_mixed_numbering_variants(write_plan):
    text = ("numbering:\n  parentheses: full\nstrategies:\n  table:\n    columns: [甲, 乙]\n"
            "    rows:\n      - [(一)訂定計畫, 說明]\n")
    (warning,) = warnings_for(write_plan, text)
    assert warning.field == "strategies.table.rows[0][0]" and "混用" in warning.message


def test_dates_written_two_ways(write_plan):
    text = "goals: 自 103 年 1 月 1 日起實施。\ntargets: 於 103 年 3 月 1 日前完成。\nsteps: 於103年6月30日前檢討。\n"
    (warning,) = warnings_for(write_plan, text)
    assert warning.field == "steps.text" and "103年6月30日" in warning.message


def test_document_number_year_disagrees_with_date(write_plan):
    text = ("basis:\n  references:\n    - issuer: 行政院\n      date: 96-07-23\n"
            "      number: 院授研展字第 09500152471 號\n")
    (warning,) = warnings_for(write_plan, text)
    assert warning.where.line == 8 and warning.field == "basis.references[0].number" and "095" in warning.message


def test_fmt_fixes_in_place_keeping_comments_and_order(write_plan):
    source = (HEAD + "# 目標段落的註解\ngoals: 提升服務品質,深化服務績效  # 行尾註解\n"
              "targets: |\n  本會第一組;第四組\n  及行政室\nsteps: '自 103 年 1 月 1 日起'\nassessment: 於103年3月1日前\n"
              "strategies:\n  table:\n    columns: [實施要項, 執行策略]\n    rows: []\n")
    path = write_plan(source)
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "fmt", path], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    fixed = open(path, encoding="utf-8").read()
    assert "# 目標段落的註解" in fixed and "# 行尾註解" in fixed
    assert "提升服務品質，深化服務績效" in fixed and "本會第一組；第四組" in fixed
    assert "columns: [實施要項, 執行策略]" in fixed, "flow separators are not punctuation"
    assert convention_warnings(load_plan(path)) == []
    assert fix_source(fixed, load_plan(path)) == fixed, "a second run changes nothing"


def test_strict_turns_warnings_into_errors(write_plan):
    path = write_plan(HEAD + "goals: 提升服務品質,深化服務績效\n")
    relaxed = subprocess.run([sys.executable, "-m", "pipeline.cli", "validate", path], capture_output=True, text=True, cwd=ROOT)
    strict = subprocess.run([sys.executable, "-m", "pipeline.cli", "validate", "--strict", path],
                            capture_output=True, text=True, cwd=ROOT)
    assert relaxed.returncode == 0 and "警告" in relaxed.stderr
    assert strict.returncode == 1
