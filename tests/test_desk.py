"""The officer's desk: messages in Traditional Chinese first that name the likely cause on the right line,
the command line's own words, and the options an officer reaches for."""
import re
import subprocess
import sys

import pytest

from conftest import ROOT
from pipeline.errors import PlanProblems
from pipeline.loader import load_plan

HEAD = "agency: 甲\nyear: 103\n"
CJK = re.compile(r"[\u4e00-\u9fff]")


def only_problem(text: str):
    with pytest.raises(PlanProblems) as caught:
        load_plan("plan.yaml", text.encode("utf-8"))
    assert len(caught.value.problems) == 1, caught.value.problems
    return caught.value.problems[0]


# (name, text, line, column, words the message must contain)
CAUSES = [
    ("full-width colon", HEAD + "title：乙\ngoals: 一\n", 3, 6, "全形冒號"),
    ("full-width colon, last line", HEAD + "title：乙\n", 3, 6, "「title: 」"),
    ("full-width colon, nested", HEAD + "title: 乙\ngoals:\n  title：丙\n  text: 丁\n", 5, 8, "全形冒號"),
    ("bold first", HEAD + "title: 乙\ngoals: **加強**服務\n", 4, 8, "goals: '**加強**服務'"),
    ("star first", HEAD + "title: 乙\ngoals: *加強服務\n", 4, 8, "goals: '*加強服務'"),
    ("at first", HEAD + "title: 乙\ngoals: @加強服務\n", 4, 8, "goals: '@加強服務'"),
    ("backtick first", HEAD + "title: 乙\ngoals: `加強`服務\n", 4, 8, "goals: '`加強`服務'"),
    ("bracket first", HEAD + "title: 乙\ngoals: [114 年] 加強服務\n", 4, 8, "goals: '[114 年] 加強服務'"),
    ("link in a list", HEAD + "title: 乙\ngoals:\n  items:\n    - [連結](https://a.tw) 說明\n", 6, 7,
     "- '[連結](https://a.tw) 說明'"),
    ("quote inside", HEAD + "title: 乙\ngoals: **甲**'s 服務\n", 4, 8, "goals: '**甲**''s 服務'"),
    ("tab indent", HEAD + "title: 乙\ngoals:\n\ttext: 一\n", 5, 1, "Tab"),
    ("tab after spaces", HEAD + "title: 乙\ngoals:\n  items:\n  \t- 一\n", 6, 3, "Tab"),
    ("list misaligned", HEAD + "title: 乙\ngoals:\n  items:\n    - 一\n  - 二\n", 7, 3, "縮排不一致"),
]


@pytest.mark.parametrize("name,text,line,col,words", CAUSES, ids=[c[0] for c in CAUSES])
def test_syntax_errors_name_the_cause_on_its_line(name, text, line, col, words):
    problem = only_problem(text)
    assert (problem.where.line, problem.where.col) == (line, col), str(problem)
    assert words in problem.message, problem.message
    chinese_part = problem.message.split(" (YAML syntax error")[0]
    assert CJK.search(chinese_part) and not re.search(r"expected|found|but", chinese_part), problem.message


def test_the_quoted_line_the_message_suggests_loads():
    for _, text, line, _, _ in CAUSES[3:10]:
        suggestion = re.search(r"括起來：(.+?)(?:；若是清單|。 \()", only_problem(text).message).group(1)
        lines = text.split("\n")
        indent = re.match(r"^\s*", lines[line - 1]).group(0)
        lines[line - 1] = indent + suggestion
        load_plan("plan.yaml", "\n".join(lines).encode("utf-8"))


def test_every_pyyaml_problem_is_translated():
    from pipeline.yamlerrors import translate

    english = ["expected <block end>, but found '-'", "expected <block end>, but found '<scalar>'",
               "expected ',' or ']', but got ':'", "could not find expected ':'", "did not find expected key",
               "mapping values are not allowed here", "found unexpected end of stream",
               "expected alphabetic or numeric character, but found '*'", "found character '@' that cannot start any token",
               "block sequence entries are not allowed here", "expected a comment or a line break, but found 'x'"]
    for message in english:
        chinese = translate(message)
        assert CJK.search(chinese) and "expected" not in chinese and "<" not in chinese, (message, chinese)


def test_format_docs_advice_on_markdown_bold_works():
    text = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "'**" in b)
    plan = load_plan("plan.yaml", (HEAD + "title: 乙\n" + block.replace("items:", "steps:\n  items:")
                                   .replace("\n  - '", "\n    - '")).encode("utf-8"))
    assert plan.goals.text.startswith("**提升服務品質**")


def plan_command(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("args,words", [
    (["bulid"], "沒有「bulid」這個指令；是不是要打「build」？"),
    (["build"], "缺少參數 PATHS"),
    (["build", "--formt", "x", "plans"], "沒有「--formt」這個選項"),
    (["build", "-j", "0", "plans"], "不在允許的範圍"),
    (["build", "-j", "abc", "plans"], "「abc」不是數字"),
    (["new", "a", "b", "c"], "多了參數：c"),
    (["validate", "--strict=3", "a.yaml"], "不接受值"),
    (["build", "--format"], "後面要接一個值"),
])
def test_usage_errors_are_in_chinese(args, words):
    run = plan_command(*args)
    assert run.returncode == 2, run.stderr
    assert words in run.stderr, run.stderr
    first = [line for line in run.stderr.splitlines() if line.startswith("錯誤：")]
    assert first and "Traceback" not in run.stderr, run.stderr


def test_help_is_in_chinese():
    run = plan_command("build", "--help")
    assert run.returncode == 0
    assert "用法 Usage:" in run.stdout and "選項 Options:" in run.stdout and "顯示說明後結束" in run.stdout


def test_version():
    run = plan_command("--version")
    assert run.returncode == 0 and re.fullmatch(r"plan \d+\.\d+\.\d+\n", run.stdout), run.stdout


def test_diff_exit_code_says_whether_the_plans_differ():
    old, new = "plans/kaohsiung-cec/103.yaml", "plans/kaohsiung-cec/104.yaml"
    assert plan_command("diff", old, new).returncode == 0
    assert plan_command("diff", old, new, "--exit-code").returncode == 1
    assert plan_command("diff", old, old, "--exit-code").returncode == 0


def test_results_on_stdout_status_on_stderr(tmp_path):
    import json
    import shutil

    run = plan_command("diff", "plans/kaohsiung-cec/103.yaml", "plans/kaohsiung-cec/104.yaml", "--format", "json")
    json.loads(run.stdout)
    shutil.copytree(ROOT / "plans" / "kaohsiung-cec", tmp_path / "plans" / "kaohsiung-cec")
    for args in (["build", "plans/kaohsiung-cec/103.yaml", "-o", "out"], ["new", "kaohsiung-cec", "105"],
                 ["make", "kaohsiung-cec", "104"], ["fmt", "plans/kaohsiung-cec/103.yaml"],
                 ["site", "-o", "site", "-j", "1"]):
        run = plan_command(*args, cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        assert run.stdout == "", (args, run.stdout)
        assert "wrote" in run.stderr or args[0] == "fmt", (args, run.stderr)


@pytest.mark.parametrize("names,words", [
    (["kaohsiung-cec/103.yaml", "kaohsiung-cec/104.yaml", "keelung-cec/105.yaml"], "3 份計畫皆無問題"),
    (["fengshan-hr1/97.yaml"], "計畫無問題"),
])
def test_validation_says_when_it_passes(names, words):
    run = plan_command("validate", *(f"plans/{name}" for name in names))
    assert run.returncode == 0 and words in run.stderr, run.stderr


def test_validation_that_fails_prints_only_its_problems(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEAD, encoding="utf-8")
    run = plan_command("validate", "plans/kaohsiung-cec/103.yaml", str(bad))
    assert run.returncode == 1 and "無問題" not in run.stderr
    assert run.stderr.strip().splitlines() == [f"{bad}:1:1: title: 缺少必填欄位「title」（計畫名稱；可寫成多行（清單））。"
                                               " (required field missing)"], run.stderr


def test_shell_completion_is_provided():
    import os

    env = {**os.environ, "_PLAN_COMPLETE": "bash_source"}
    script = subprocess.run([sys.executable, "-m", "pipeline"], capture_output=True, text=True, cwd=ROOT, env=env)
    assert "_plan_completion" in script.stdout
    env = {**os.environ, "_PLAN_COMPLETE": "bash_complete", "COMP_WORDS": "plan bu", "COMP_CWORD": "1"}
    words = subprocess.run([sys.executable, "-m", "pipeline"], capture_output=True, text=True, cwd=ROOT, env=env)
    assert "plain,build" in words.stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "_PLAN_COMPLETE=bash_source" in readme


def test_make_plan_installs_what_building_needs_and_no_test_tools(tmp_path):
    """On a fresh copy: `make plan` creates .venv with the project alone and builds; test tools come with `make test`."""
    import shutil

    make = shutil.which("make")
    assert make, "make is needed for this test"
    for name in ("pipeline", "templates", "plans"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "Makefile"):
        shutil.copy(ROOT / name, tmp_path / name)
    run = subprocess.run([make, "plan", "AGENCY=kaohsiung-cec", "YEAR=103"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "build/kaohsiung-cec/103/plan.docx").stat().st_size > 10_000
    python = tmp_path / ".venv" / "bin" / "python"
    installed = subprocess.run([str(python), "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
                               capture_output=True, text=True).stdout.lower()
    assert "click==" in installed and "watchfiles==" in installed
    for tool in ("pytest", "playwright", "hypothesis", "jsonschema"):
        assert f"\n{tool}==" not in "\n" + installed, f"{tool} is installed by make plan"
    dry = subprocess.run([make, "-n", "test"], cwd=tmp_path, capture_output=True, text=True)
    assert "-e '.[test]'" in dry.stdout


def test_plan_new_says_once_where_the_draft_came_from_and_what_to_check(tmp_path):
    import shutil

    shutil.copytree(ROOT / "plans" / "kaohsiung-cec", tmp_path / "plans" / "kaohsiung-cec")
    source = tmp_path / "plans" / "kaohsiung-cec" / "104.yaml"
    text = source.read_text(encoding="utf-8")
    text = text.replace("targets:", "issued:\n  date: 104-01-20\n  number: 高市選一字第 1040000123 號\ntargets:", 1)
    text = text.replace("本會第一組", "本會第一組（依 103 年滿意度調查及高市選一字第 1030000456 號函）", 1)
    source.write_text(text, encoding="utf-8")
    for year in (105, 106, 107):
        run = plan_command("new", "kaohsiung-cec", str(year), cwd=tmp_path)
        assert run.returncode == 0, run.stderr
    drafted = (tmp_path / "plans" / "kaohsiung-cec" / "107.yaml").read_text(encoding="utf-8")
    lines = drafted.split("\n")
    assert lines[0].startswith("# 由 plan new 依 106.yaml 產生的 107 年度草稿")
    assert sum("由 plan new 依" in line for line in lines) == 1, "one header, not stacked"
    checks = [line for line in lines if line.startswith("# 請確認:")]
    assert checks == lines[1:1 + len(checks)]
    shown = [line.strip() for line in run.stderr.splitlines() if "107.yaml: 第 " in line]
    assert len(shown) == len(checks) >= 4
    for check in checks:
        match = re.match(r"# 請確認: 第 (\d+) 行：(.*)$", check)
        assert match, check
        target_line = lines[int(match.group(1)) - 1]
        if "（issued）" in check:
            assert target_line.startswith("# issued:")
        elif "依據的文件" in check:
            assert target_line.lstrip().startswith("- issuer:"), target_line
        elif "文中提到" in check:
            assert "103 年" in target_line and "103 年" in check
        else:
            assert "文號" in check and "1030000456" in target_line
    assert any("「政府服務創新精進方案」是 96 年" in c for c in checks)
    assert any("文中提到 103 年" in c for c in checks) and any("文號「字第 1030000456 號」" in c for c in checks)
    assert any("issued" in c for c in checks)


SAME_LINE_PLAN = """agency: 甲機關
year: 103
title: 甲機關 103 年提升服務品質執行計畫
basis:
  references:
    - issuer: 行政院
      date: 96-07-23
      verb: 函頒
      document: 政府服務創新精進方案
      quoted: 否
strategies:
  items:
    - title: 建構友善環境
      text: 改造服務場所。
    - title: 服務資訊透明度
      same_line: 是
      text: 於網站公布各項服務資訊。
"""


def test_an_item_prints_title_and_text_on_one_line_and_a_document_without_quotes(tmp_path):
    import docx

    from pipeline.tree import build_document
    from pipeline.writers import docx as docx_writer
    from pipeline.writers import html as html_writer

    document = build_document(load_plan("plan.yaml", SAME_LINE_PLAN.encode("utf-8")))
    docx_writer.write(document, str(tmp_path / "plan.docx"))
    paragraphs = [(p.style.style_id, p.text) for p in docx.Document(str(tmp_path / "plan.docx")).paragraphs]
    assert ("PlanItem", "二、服務資訊透明度：於網站公布各項服務資訊。") in [(s, t.replace("\t", "")) for s, t in paragraphs]
    assert ("Heading2", "一、建構友善環境") in [(s, t.replace("\t", "")) for s, t in paragraphs]
    assert any("函頒之政府服務創新精進方案辦理。" in t for _, t in paragraphs)
    assert not any("「政府服務創新精進方案」" in t for _, t in paragraphs)
    page = html_writer.render(document)
    assert re.search(r'<p class="entry"><span class="label">二、</span>服務資訊透明度：於網站公布各項服務資訊。</p>', page)
    assert "<h3" in page and "服務資訊透明度</h3>" not in page
