"""The neutral tree and its numbering: golden outlines of the seed plans, labels for any count."""
import os

import pytest

from conftest import ROOT, SEEDS
from pipeline.loader import load_plan
from pipeline.numbering import NumberingOptions, label
from pipeline.tree import build_document, outline, walk_entries

GOLDEN = ROOT / "tests" / "golden"


@pytest.mark.parametrize("agency,year", SEEDS)
def test_outline_matches_the_reviewed_golden_file(agency, year):
    """Golden files are reviewed by hand; UPDATE_GOLDEN=1 rewrites them for review in git diff."""
    text = outline(build_document(load_plan(str(ROOT / "plans" / agency / f"{year}.yaml"))))
    golden = GOLDEN / f"{agency}-{year}.outline.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("style,n,options,expected", [
    ("壹", 3, NumberingOptions(), "參、"),
    ("壹", 3, NumberingOptions(three="叁"), "叁、"),
    ("壹", 11, NumberingOptions(), "拾壹、"),
    ("壹", 11, NumberingOptions(legal_ten="壹拾壹"), "壹拾壹、"),
    ("壹", 23, NumberingOptions(three="叁"), "貳拾叁、"),
    ("壹", 105, NumberingOptions(), "壹佰零伍、"),
    ("一", 10, NumberingOptions(), "十、"),
    ("一", 11, NumberingOptions(), "十一、"),
    ("一", 20, NumberingOptions(), "二十、"),
    ("一", 101, NumberingOptions(), "一百零一、"),
    ("一", 110, NumberingOptions(), "一百一十、"),
    ("（一）", 12, NumberingOptions(), "（十二）"),
    ("（一）", 2, NumberingOptions(half_parentheses=True), "(二)"),
    ("1", 12, NumberingOptions(), "12."),
    ("1", 3, NumberingOptions(arabic="1、"), "3、"),
    ("1", 3, NumberingOptions(arabic="1"), "3"),
    ("（1）", 4, NumberingOptions(), "（4）"),
    ("甲", 10, NumberingOptions(), "癸、"),
    ("甲", 11, NumberingOptions(), "甲戌、"),
    ("（甲）", 2, NumberingOptions(), "（乙）"),
    ("子", 12, NumberingOptions(), "亥、"),
    ("（子）", 1, NumberingOptions(half_parentheses=True), "(子)"),
])
def test_labels(style, n, options, expected):
    assert label(style, n, options) == expected


def test_every_count_gets_a_distinct_label():
    for style in ("壹", "一", "（一）", "1", "甲", "子"):
        labels = [label(style, n) for n in range(1, 1201)]
        assert len(set(labels)) == len(labels), style


def test_levels_nest_in_the_traditional_order(write_plan):
    deep = "x"
    for _ in range(10):
        deep = f"{{text: 項, items: [{deep}]}}"
    plan = load_plan(write_plan(f"agency: 甲\nyear: 103\ntitle: 乙\ngoals:\n  items: [{deep}]\n"))
    labels = [e.label for e in walk_entries(build_document(plan).body)]
    assert labels == ["壹、", "一、", "（一）", "1.", "（1）", "甲、", "（甲）", "子、", "（子）", "1.", "（1）", "甲、"]


def test_label_paths_and_fixed_labels(write_plan):
    plan = load_plan(write_plan(
        "agency: 甲\nyear: 103\ntitle: 乙\nnumbering: {three: 叁}\ngoals: 一\ntargets: 二\n"
        "strategies:\n  items:\n    - 甲\n    - {label: '', text: 無編號}\n    - {text: 乙, items: [丙, {label: 子、, text: 丁}, 戊]}\n"))
    entries = {e.heading: e for e in walk_entries(build_document(plan).body)}
    assert entries["乙"].path == "叁、二、"
    assert entries["無編號"].label == ""
    assert entries["丁"].label == "子、" and entries["戊"].path == "叁、二、（二）"


def test_yaml_folded_chinese_lines_join_without_a_space(write_plan):
    plan = load_plan(write_plan("agency: 甲\nyear: 103\ntitle: 乙\ngoals: >-\n  提升服務品質，\n  深化服務績效 103 年\n  達成 Web 2.0 目標\n"))
    (goals,) = build_document(plan).body
    assert goals.body == ["提升服務品質，深化服務績效 103 年達成 Web 2.0 目標"]
