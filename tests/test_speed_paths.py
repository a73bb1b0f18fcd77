"""The fast paths give what the plain ones give: libyaml's parser, the click-free start of
`plan build`/`plan make`, and the Chinese-wrap joining done without a regular expression."""
import pickle
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from pipeline import source
from pipeline.entry import _quick_command
from pipeline.errors import PlanProblems, Where
from pipeline.loader import load_plan
from pipeline.tree import unwrap
from test_loader import BAD

YAML_FILES = sorted(str(p) for p in [*ROOT.glob("plans/*/*.yaml"), *ROOT.glob("tests/fixtures/**/*.yaml")])


@pytest.fixture
def pure_parser(monkeypatch):
    monkeypatch.setattr(source, "FAST_LOADER", None)


def test_libyaml_is_there_to_be_used():
    assert source.FAST_LOADER is yaml.CSafeLoader, "PyYAML was installed without libyaml: plans load at a third of the speed"


@pytest.mark.parametrize("path", YAML_FILES, ids=[Path(p).name for p in YAML_FILES])
def test_both_parsers_give_the_same_located_tree(path, monkeypatch):
    fast_notices, pure_notices = [], []
    fast = source.load_nodes(path, notices=fast_notices)
    monkeypatch.setattr(source, "FAST_LOADER", None)
    pure = source.load_nodes(path, notices=pure_notices)
    assert fast == pure  # every node, its text, plain-ness and file:line:col
    assert fast_notices == pure_notices


def problems(path: str) -> list[str]:
    try:
        load_plan(path)
    except PlanProblems as error:
        return [str(p) for p in error.problems]
    return []


EXTRA_BAD = [
    "agency: 甲\nyear: 103\ntitle: 乙\ngoals: \"未結束的引號\n",
    "agency: 甲\nyear: 103\ntitle: 乙\ngoals:\n  - 一\n - 二\n",
    "agency: 甲\nyear: 103\ntitle: 乙\ngoals: a\ufeffb\n",                  # a BOM inside: libyaml refuses, PyYAML reads
    "agency: 甲\nyear: 103\ntitle: 乙\ngoals: 電話 04-7772011 #3\n",        # a warning, not an error
    "agency: 甲\nyear: 103\ntitle: 乙\n" + "k:\n" + "".join("  " * i + "- \n" for i in range(70)),
    "agency: 甲\nyear: 103\ntitle: 乙\ngoals: 一\u2028二\n",
    "agency: 甲\nyear: 103\ntitle: 乙\ngoals: \"\\x01\"\n",
    "{agency: 甲, year: 103, title: 乙, goals: [一, {text: 二}]}\n",
]


@pytest.mark.parametrize("text", [b[1] for b in BAD] + EXTRA_BAD)
def test_problems_and_their_positions_are_the_pure_parsers(text, write_plan, monkeypatch):
    path = write_plan(text)
    fast = problems(path)
    monkeypatch.setattr(source, "FAST_LOADER", None)
    assert fast == problems(path)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="中文。（a1 \t\n、", max_size=14))
def test_wrapped_lines_join_as_the_pattern_did(text):
    cjk = r"\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
    wrapped = re.compile(rf"(?<=[{cjk}])[ \t]*\n[ \t]*(?=[{cjk}])")
    assert unwrap(text.strip()) == wrapped.sub("", text.strip())


def test_wrapped_lines_in_a_block_are_one_line_and_a_break_before_latin_stays():
    assert unwrap("第一行文字\n  接著寫完。\nEnglish\n下一段") == "第一行文字接著寫完。\nEnglish\n下一段"


@pytest.mark.parametrize("argv", [
    ["build", "--help"], ["build", "-h"], ["build", "x.yaml", "--formats", "docx"], ["build", "-", "-o", "x"],
    ["build", "x.yaml", "-o", "-"], ["build", "x.yaml", "--format", "rtf"], ["build", "x.yaml", "-j", "0"],
    ["build", "x.yaml", "-j", "²"], ["build"], ["make", "a"], ["make", "a", "103", "--force"], ["validate", "x"],
    [], ["build", "x.yaml", "-o"], ["build", "--", "x.yaml"],
    ["diff", "PLAN", "PLAN", "--format", "docx"], ["diff", "PLAN", "PLAN", "--format", "text,json"],
    ["diff", "PLAN", "PLAN", "-o", "x.json"], ["diff", "PLAN", "PLAN", "--fold-years"], ["diff", "-", "PLAN"],
    ["diff", "PLAN"], ["diff", "PLAN", "missing.yaml"], ["diff", "PLAN", "plans"], ["diff", "PLAN", "PLAN", "-h"]])
def test_what_the_quick_start_does_not_understand_goes_to_click(argv):
    plan = str(ROOT / "plans/kaohsiung-cec/103.yaml")
    assert _quick_command([plan if a == "PLAN" else a for a in argv]) is None


def test_the_quick_start_shows_a_review_of_two_plan_files():
    plan = str(ROOT / "plans/kaohsiung-cec/103.yaml")
    for argv in (["diff", plan, plan], ["diff", plan, plan, "--format=JSON", "--exit-code"]):
        assert _quick_command(argv) is not None


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd)


QUICK = [sys.executable, "-m", "pipeline"]       # the console script's entry point
CLICK = [sys.executable, "-m", "pipeline.cli"]   # the same command through click


@pytest.mark.parametrize("args", [
    ["build", "PLANS/kaohsiung-cec/103.yaml", "-o", "OUT", "--format", "html,docx"],
    ["build", "PLANS", "-o", "OUT", "-j", "2", "--format", "html"],
    ["build", "PLANS/kaohsiung-cec/103.yaml", "--output=OUT", "--force"],
    ["build", "PLANS/none.yaml", "-o", "OUT"],
    ["build", "PLANS/broken/103.yaml", "-o", "OUT"],
    ["make", "kaohsiung-cec", "104", "-o", "OUT"],
    ["make", "kaohsiung-cec", "99", "-o", "OUT"],
    ["make", "Bad Agency", "104"],
    ["diff", "PLANS/kaohsiung-cec/103.yaml", "PLANS/kaohsiung-cec/104.yaml"],
    ["diff", "PLANS/kaohsiung-cec/103.yaml", "PLANS/kaohsiung-cec/104.yaml", "--format", "json", "--exit-code"],
    ["diff", "PLANS/kaohsiung-cec/103.yaml", "PLANS/kaohsiung-cec/103.yaml", "--exit-code"],
    ["diff", "PLANS/kaohsiung-cec/103.yaml", "PLANS/broken/103.yaml", "--format", "json"],
])
def test_quick_start_and_click_write_and_say_the_same(args, tmp_path):
    import shutil

    results = []
    for name, command in (("quick", QUICK), ("click", CLICK)):
        work = tmp_path / name
        shutil.copytree(ROOT / "plans", work / "plans")
        (work / "plans/broken").mkdir()
        (work / "plans/broken/103.yaml").write_text("agency: 甲\nyear: 103\ngoals: [一\n", encoding="utf-8")
        done = run([*command, *[a.replace("PLANS", "plans").replace("OUT", "out") for a in args]], work)
        outputs = {str(p.relative_to(work / "out")): _content(p) for p in sorted((work / "out").rglob("*")) if p.is_file()} \
            if (work / "out").exists() else {}
        results.append((done.returncode, sorted(done.stderr.splitlines()), done.stdout, outputs))  # -j 2: any order
    assert results[0] == results[1]
    assert not any("Traceback" in line for line in results[0][1])


def _content(path: Path):
    """A file's content to compare: a DOCX part by part, without the times it was written and changed."""
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as archive:
            return {n: re.sub(rb'<dcterms:(created|modified)[^<]*</dcterms:\1>|w:date="[^"]*"', b"", archive.read(n))
                    for n in archive.namelist()}
    return path.read_bytes()


def test_docx_copies_the_reference_parts_still_compressed_and_every_part_reads_back(tmp_path):
    from pipeline.tree import build_document
    from pipeline.writers import docx
    from pipeline.writers.zipparts import read_kept, unpacked

    reference = str(ROOT / "templates" / "reference.docx")
    data = docx.render(build_document(load_plan(str(ROOT / "plans/fengshan-hr1/97.yaml"))), reference)
    (tmp_path / "plan.docx").write_bytes(data)
    written, kept = read_kept(str(tmp_path / "plan.docx")), read_kept(reference)
    assert list(written) == list(kept)
    with zipfile.ZipFile(tmp_path / "plan.docx") as archive:
        assert archive.testzip() is None
        for name in written:
            assert archive.read(name) == unpacked(written[name])
    assert written["word/styles.xml"].raw == kept["word/styles.xml"].raw  # copied, not compressed again
    assert written["word/document.xml"].raw != kept["word/document.xml"].raw
    assert b"SECTIONPAGES" in unpacked(written["word/footer1.xml"])  # a plan with a cover counts its body's pages


@given(st.text(alphabet="ab\n中", max_size=40), st.data())
@settings(max_examples=200, deadline=None)
def test_a_position_kept_as_an_index_reads_as_the_line_and_column_it_stands_for(text, data):
    index = data.draw(st.integers(0, len(text)))
    lines = source.LineIndex(text)
    where = lines.where("p.yaml", index)
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    assert (where.line, where.col, str(where)) == (line, col, f"p.yaml:{line}:{col}")
    assert where == Where("p.yaml", line, col) and hash(where) == hash(Where("p.yaml", line, col))
    assert pickle.loads(pickle.dumps(lines.where("p.yaml", index))) == Where("p.yaml", line, col)


def test_positions_sort_by_file_line_and_column():
    lines = source.LineIndex("ab\ncd\nef")
    found = [lines.where("b.yaml", 0), lines.where("a.yaml", 7), lines.where("a.yaml", 4), Where("a.yaml", 2, 1)]
    assert [str(w) for w in sorted(found)] == ["a.yaml:2:1", "a.yaml:2:2", "a.yaml:3:2", "b.yaml:1:1"]
    assert repr(found[2]) == "Where(file='a.yaml', line=2, col=2)"
