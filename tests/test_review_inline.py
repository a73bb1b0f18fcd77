"""Inline text is structure: Markdown is read once at the tree stage, and no review output shows its marks."""
import json
import subprocess
import sys
import zipfile

from conftest import ROOT
from pipeline.diff import compare
from pipeline.inline import Run, Text, parse, plain
from pipeline.loader import load_plan
from pipeline.tree import build_document, outline

BASE = (ROOT / "plans/kaohsiung-cec/103.yaml").read_text(encoding="utf-8")
LINE = "        - 考量民眾洽公之便利性及實用性，合宜改造服務場所，充實更新服務設施。\n"
OLD = BASE.replace(LINE, "        - 考量民眾洽公之便利性及實用性，合宜改造**服務場所**，充實更新服務設施。\n")
NEW = BASE.replace(LINE, "        - 考量民眾洽公之便利性，合宜改造**整體服務場所**，充實更新[服務設施](https://www.gov.tw)。\n")


def doc(text):
    return build_document(load_plan("plan.yaml", text.encode("utf-8")))


def test_the_tree_holds_runs_not_markdown():
    tree = doc(NEW)
    text = outline(tree)
    assert "**" not in text and "](" not in text
    (entry,) = [e for e in tree.body[4].children[0].children if "整體" in e.heading]
    heading = entry.heading
    assert isinstance(heading, Text)
    assert [r.text for r in heading.runs if r.bold] == ["整體服務場所"]
    assert [r.href for r in heading.runs if r.href] == ["https://www.gov.tw"]


def test_text_keeps_runs_when_joined_and_sliced():
    text = parse("甲**乙丙**丁") + "戊"
    assert text == "甲乙丙丁戊" and plain(text) == "甲乙丙丁戊"
    assert text.slice(1, 2).runs == (Run("乙", bold=True),)
    assert Text.join("\n", [text, parse("*己*")]).runs[-1] == Run("己", italic=True)


def test_redline_is_cut_along_runs():
    (change,) = compare(doc(OLD), doc(NEW)).changes
    assert "*" not in change.old + change.new
    pieces = change.pieces()
    inserted_bold = [p for op, p in pieces if op == 1 for r in p.runs if r.bold]
    assert inserted_bold, "an insertion inside bold text stays bold"
    kept_bold = "".join(r.text for op, p in pieces if op == 0 for r in p.runs if r.bold)
    assert kept_bold == "服務場所"
    assert "".join(p for op, p in pieces if op != -1) == change.new
    assert "".join(p for op, p in pieces if op != 1) == change.old


def test_no_markdown_marks_in_any_review_output(tmp_path):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(NEW, encoding="utf-8")
    outputs = {}
    for fmt in ("text", "json", "html", "docx", "tracked"):
        target = tmp_path / f"diff.{fmt}"
        done = subprocess.run([sys.executable, "-m", "pipeline.cli", "diff", str(old), str(new), "--format", fmt,
                               "-o", str(target)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        data = target.read_bytes()
        if fmt in ("docx", "tracked"):
            with zipfile.ZipFile(target) as archive:
                data = archive.read("word/document.xml")
        outputs[fmt] = data.decode("utf-8")
    for fmt, text in outputs.items():
        assert "**" not in text and "](https" not in text, fmt
    changes = json.loads(outputs["json"])["changes"]
    assert changes and all("*" not in (c["new"] or "") for c in changes)
    assert "<strong>" in outputs["html"]
    assert "<w:b/>" in outputs["docx"]
