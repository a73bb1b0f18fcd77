"""The loader: valid plans load; every bad input is reported at its line, with its field, in Chinese."""
import re
import subprocess
import sys

import pytest

from conftest import ROOT, SEEDS
from pipeline.errors import PlanProblems
from pipeline.loader import load_plan
from pipeline.rocdate import RocDate

HEAD = "agency: 測試機關\nyear: 103\ntitle: 測試計畫\n"


def problems_of(path: str) -> list:
    with pytest.raises(PlanProblems) as caught:
        load_plan(path)
    return caught.value.problems


@pytest.mark.parametrize("agency,year", SEEDS)
def test_seed_plans_load(agency, year):
    plan = load_plan(str(ROOT / "plans" / agency / f"{year}.yaml"))
    assert plan.year == year
    assert plan.ordered_sections(), "a plan has sections"


def test_values_keep_their_position():
    plan = load_plan(str(ROOT / "plans/kaohsiung-cec/103.yaml"))
    item = plan.strategies.items[1]
    assert item.where.line > plan.strategies.where.line
    text = (ROOT / "plans/kaohsiung-cec/103.yaml").read_text(encoding="utf-8").splitlines()
    line = text[item.at["title"].line - 1]
    assert line[item.at["title"].col - 1:].startswith("便捷服務程序")


# (name, file text, line, column, field, words the message must contain)
BAD = [
    ("syntax", HEAD + "goals: [一, 二\n", 4, 8, "goals", "括號是否成對"),
    ("tab indent", HEAD + "goals:\n\t- 一\n", 5, 1, "", "Tab"),
    ("duplicate key", HEAD + "goals: 一\ngoals: 二\n", 5, 1, "goals", "重複"),
    ("unknown key", HEAD + "gaols: 一\n", 4, 1, "gaols", "goals"),
    ("unknown nested key", HEAD + "period:\n  start: 103-01-01\n  ned: 103-12-31\n", 6, 3, "period.ned", "end"),
    ("chinese key", HEAD + "目標: 一\n", 4, 1, "目標", "goals"),
    ("wrong type", HEAD + "goals:\n  items: 一段文字\n", 5, 10, "goals.items", "清單"),
    ("year not a number", "agency: 甲\nyear: 一零三\ntitle: 乙\n", 2, 7, "year", "整數"),
    ("impossible date", HEAD + "period:\n  start: 103-02-30\n  end: 103-12-31\n", 5, 10, "period.start", "28 天"),
    ("gregorian date", HEAD + "period:\n  start: 2014-01-01\n  end: 103-12-31\n", 5, 10, "period.start", "西元"),
    ("period outside year", HEAD + "period:\n  start: 103-01-01\n  end: 104-12-31\n", 6, 8, "period.end", "不在計畫年度"),
    ("period reversed", HEAD + "period:\n  start: 103-12-01\n  end: 103-01-31\n", 6, 8, "period.end", "早於"),
    ("points", HEAD + "goals:\n  items:\n    - text: 甲\n      points: 100\n      items:\n"
     "        - {text: 乙, points: 60}\n        - {text: 丙, points: 30}\n", 7, 15, "goals.items[0].points", "90"),
    ("form total", HEAD + "appendices:\n  - title: 附表\n    forms:\n      - title: 表\n        total: 100\n"
     "        items:\n          - {text: 甲, points: 60}\n", 8, 16, "appendices[0].forms[0].total", "100"),
    ("missing field", "agency: 甲\nyear: 103\n", 1, 1, "title", "缺少必填欄位"),
    ("empty required", "agency:\nyear: 103\ntitle: 乙\n", 1, 8, "agency", "不能空白"),
    ("empty file", "", 1, 1, "", "檔案是空的"),
    ("comments only", "# 只有註解\n", 1, 1, "", "檔案是空的"),
    ("yes is not a choice", HEAD + "numbering:\n  three: yes\n", 5, 10, "numbering.three", "參、叁"),
    ("NO is not a bool", HEAD + "targets:\n  same_line: NO\n", 5, 14, "targets.same_line", "true 或 false"),
    ("1:20 is not a number", "agency: 甲\nyear: 1:20\ntitle: 乙\n", 2, 7, "year", "整數"),
    ("alias", HEAD + "goals: &g 一\ntargets: *g\n", 5, 10, "targets", "別名"),
    ("tag", HEAD + "goals: !!python/object:os.system 一\n", 4, 8, "goals", "標籤"),
    ("table shape", HEAD + "strategies:\n  table:\n    columns: [甲, 乙]\n    rows:\n      - [一, 二, 三]\n", 8, 10,
     "strategies.table.rows[0]", "3 格"),
    ("two documents", HEAD + "---\nagency: 乙\n", 4, 1, "", "一份文件"),
]


@pytest.mark.parametrize("name,text,line,col,field,words", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_reported_where_it_is(write_plan, name, text, line, col, field, words):
    path = write_plan(text)
    problems = problems_of(path)
    matching = [p for p in problems if p.field == field]
    assert matching, f"no problem for field {field!r}: {problems}"
    problem = matching[0]
    assert (problem.where.file, problem.where.line, problem.where.col) == (path, line, col)
    assert words in problem.message


def test_problems_are_all_reported_at_once(write_plan):
    path = write_plan(HEAD + "gaols: 一\nperiod:\n  start: 103-02-30\n  end: 103-13-01\nsections:\n  - text: 無標題\n")
    fields = {p.field for p in problems_of(path)}
    assert {"gaols", "period.start", "period.end"} <= fields


def test_big5_file_is_named_as_such(write_plan):
    path = write_plan("agency: 高雄市選舉委員會\nyear: 103\n".encode("big5"))
    (problem,) = problems_of(path)
    assert problem.where.line == 1 and "Big5" in problem.message and "UTF-8" in problem.message


def test_bad_utf8_line_is_counted(write_plan):
    path = write_plan(b"agency: a\nyear: 103\ntitle: \xff\xfe\n")
    (problem,) = problems_of(path)
    assert (problem.where.line, problem.where.col) == (3, 8)


def test_control_character_is_located(write_plan):
    path = write_plan(HEAD + "goals: 一\x0b二\n")
    (problem,) = problems_of(path)
    assert (problem.where.line, problem.where.col) == (4, 9)
    assert "U+000B" in problem.message


def test_alias_bomb_is_refused(write_plan):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    problems = problems_of(write_plan("\n".join(lines) + "\n"))
    assert any("別名" in p.message for p in problems)


def test_deep_nesting_is_refused_without_recursion_error(write_plan):
    problems = problems_of(write_plan("goals: " + "[" * 5000 + "]" * 5000 + "\n"))
    assert any("巢狀" in p.message for p in problems)


def test_yaml_11_surprises_keep_their_text(write_plan):
    path = write_plan(HEAD + "targets: NO\ngoals: 1:20\nsteps: 0777\nassessment: 'yes'\n")
    plan = load_plan(path)
    assert (plan.targets.text, plan.goals.text, plan.steps.text, plan.assessment.text) == ("NO", "1:20", "0777", "yes")


def test_dates_as_officers_write_them(write_plan):
    for written in ("103-01-01", "103/1/1", "103.1.1", "103年1月1日", "民國103年1月1日", "中華民國 103 年 1 月 1 日"):
        plan = load_plan(write_plan(HEAD + f"period:\n  start: {written}\n  end: 103-12-31\n"))
        assert plan.period.start == RocDate(103, 1, 1), written


def test_leap_day_of_roc_year(write_plan):
    assert load_plan(write_plan(HEAD.replace("103", "105") + "period:\n  start: 105-02-29\n  end: 105-12-31\n"))
    problems = problems_of(write_plan(HEAD + "period:\n  start: 103-02-29\n  end: 103-12-31\n"))
    assert "28 天" in problems[0].message


def test_sections_follow_the_file_order(write_plan):
    plan = load_plan(write_plan(HEAD + "goals: 甲\nsections:\n  - title: 其他\nbasis: 乙\n"))
    assert [key for key, _ in plan.ordered_sections()] == ["goals", "sections[0]", "basis"]


LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<field>[^:]+): .+$")


def test_validate_command_prints_one_line_per_problem(write_plan):
    bad = write_plan(HEAD + "gaols: 一\nperiod:\n  start: 103-02-30\n  end: 103-12-31\n")
    good = str(ROOT / "plans/kaohsiung-cec/103.yaml")
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "validate", good, bad],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 2
    assert all(LINE.match(line) and line.startswith(bad) for line in lines)
    assert "Traceback" not in run.stderr


def test_validate_accepts_the_seed_plans():
    files = [str(ROOT / "plans" / a / f"{y}.yaml") for a, y in SEEDS]
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "validate", *files],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr


def test_validate_missing_file_is_an_error_not_a_traceback(tmp_path):
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "validate", str(tmp_path / "none.yaml")],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode != 0 and "找不到" in run.stderr and "Traceback" not in run.stderr
