"""Fuzz: every string field drawn from the whole of Unicode (controls, surrogates, noncharacters, bidi,
astral, private use). For each generated plan file, `plan validate` either refuses it with a position,
or every writer produces files that parse: DOCX and ODT parts with lxml, HTML with an HTML5 parser
(html5lib, strict), the review's DOCX, tracked DOCX, HTML and JSON likewise, the PDF with pdfinfo (a few examples only: LibreOffice is slow).
"""
import json
import subprocess
import zipfile
from pathlib import Path

import html5lib
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import ROOT, needs_tool
from pipeline.diff import compare
from pipeline.errors import PlanProblems
from pipeline.loader import load_plan
from pipeline.review import write as write_review
from pipeline.tree import build_document
from pipeline.writers import docx, html, odt, pdf

# Every code point, surrogates included; the interesting ones more often than chance would give them.
ANY = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
AWKWARD = st.sampled_from(
    ["\x00", "\x01", "\x0b", "\x1b", "\x7f", "\x85", "\x9b", "\ud800", "\udfff", "\ud83d", "\ude00", "\ufffe",
     "\uffff", "\ufdd0", "\U0001fffe", "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\u2028", "\u2029",
     "\U0001f600", "\U00020000", "\ue000", "\U0010fffd", "&", "<", ">", '"', "'", "{", "}", "#", "\\", "\t",
     "]]>", "<!--", "</style>", "<script>", "計", "畫", "　"])
TEXT = st.lists(st.one_of(ANY, AWKWARD), min_size=1, max_size=16).map("".join)
# What a document can carry, from the whole of Unicode otherwise (bidi, astral, private use, U+FDD0…):
# a plan written only with these must build.
CARRIABLE = ANY.filter(lambda ch: not (ord(ch) < 0x20 and ch not in "\t\n") and not 0x7F <= ord(ch) <= 0x9F
                       and not 0xD800 <= ord(ch) <= 0xDFFF and ch not in "\ufffe\uffff")
CLEAN_TEXT = st.lists(st.one_of(CARRIABLE, AWKWARD.filter(lambda t: all(c.isprintable() or c in "\t\u202e\u2066\u200b\u200d\ufeff\u2028\u2029\ue000\U0010fffd" for c in t))),
                      min_size=1, max_size=16).map("".join)


def scalar(value: str, raw: bool) -> str:
    """A YAML double-quoted scalar: characters a file can hold written as they are (when `raw`), the rest escaped."""
    out = []
    for ch in value:
        code = ord(ch)
        printable = code >= 0x20 and code not in (0x7F, 0x85, 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF) \
            and not 0x80 <= code <= 0x9F and not 0xD800 <= code <= 0xDFFF
        if ch in '"\\':
            out.append("\\" + ch)
        elif raw and printable:
            out.append(ch)
        elif code > 0xFFFF:
            out.append(f"\\U{code:08X}")
        else:
            out.append(f"\\u{code:04X}")
    return '"' + "".join(out) + '"'


@st.composite
def plan_files(draw, hostile: bool | None = None) -> str:
    """A plan file with every string field drawn; `hostile` plans use characters no document can carry."""
    raw = draw(st.booleans())
    hostile = draw(st.booleans()) if hostile is None else hostile
    q = lambda: scalar(draw(TEXT if hostile else CLEAN_TEXT), raw)  # noqa: E731
    return f"""agency: {q()}
year: 103
title: [{q()}, {q()}]
cover:
  note: {q()}
basis:
  references:
    - issuer: {q()}
      number: {q()}
      verb: {q()}
      document: {q()}
period:
  start: 103-01-01
  end: 103-12-31
  wording: {q()}
goals:
  title: {q()}
  text: {q()}
  items:
    - title: {q()}
      text: {q()}
      code: {q()}
      note: {q()}
      items:
        - {q()}
strategies:
  table:
    caption: {q()}
    columns: [{q()}, {q()}]
    rows:
      - [{q()}, {{text: {q()}, items: [{q()}]}}]
  closing: {q()}
sections:
  - title: {q()}
    text: {q()}
appendices:
  - title: {q()}
    text: {q()}
    forms:
      - title: {q()}
        fields: [{q()}]
        total_label: {q()}
        items:
          - text: {q()}
            points: 10
        notes: {q()}
"""


def load_or_refuse(path: Path):
    """The plan, or None after checking that every problem has a line and a column."""
    try:
        return load_plan(str(path))
    except PlanProblems as problems:
        assert problems.problems
        for problem in problems.problems:
            assert problem.where.line >= 1 and problem.where.col >= 1, str(problem)
            assert str(path) in str(problem)
        return None


def assert_parts_parse(document: Path) -> None:
    with zipfile.ZipFile(document) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(archive.read(name))  # raises on anything XML 1.0 cannot carry


def assert_html_parses(page: Path, fragment: bool = False) -> None:
    parser = html5lib.HTMLParser(strict=True)
    text = page.read_bytes().decode("utf-8")
    parser.parseFragment(text) if fragment else parser.parse(text)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=plan_files())
def test_any_unicode_is_refused_with_a_position_or_builds_files_that_parse(tmp_path, text):
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    plan = load_or_refuse(path)
    if plan is None:
        return
    doc = build_document(plan)
    docx.write(doc, str(tmp_path / "plan.docx"))
    odt.write(doc, str(tmp_path / "plan.odt"))
    html.write(doc, str(tmp_path / "plan.html"))
    html.write(doc, str(tmp_path / "fragment.html"), {"fragment": True})
    assert_parts_parse(tmp_path / "plan.docx")
    assert_parts_parse(tmp_path / "plan.odt")
    assert_html_parses(tmp_path / "plan.html")
    assert_html_parses(tmp_path / "fragment.html", fragment=True)
    # the review writers too: last year's plan (a seed) against this one, and the plan against itself edited
    last_year = build_document(load_plan(str(ROOT / "plans" / "kaohsiung-cec" / "103.yaml")))
    review = compare(last_year, doc, "103", "fuzz")
    for fmt, name in (("docx", "diff.docx"), ("tracked", "diff.tracked.docx"), ("html", "diff.html"),
                      ("json", "diff.json")):
        write_review(review, fmt, str(tmp_path / name))
    assert_parts_parse(tmp_path / "diff.docx")
    assert_parts_parse(tmp_path / "diff.tracked.docx")
    assert_html_parses(tmp_path / "diff.html")
    assert json.loads((tmp_path / "diff.json").read_text(encoding="utf-8"))["changes"]


def test_the_strategy_reaches_both_outcomes(tmp_path):
    """The property is not empty: some generated plans are refused, and some are built."""
    from hypothesis import find

    def outcome(text: str, refused: bool) -> bool:
        path = tmp_path / "probe.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_plan(str(path))
            return not refused
        except PlanProblems:
            return refused

    settings_ = settings(max_examples=200, deadline=None, database=None, phases=[Phase.generate])  # no shrinking
    find(plan_files(), lambda t: outcome(t, True), settings=settings_)
    find(plan_files(), lambda t: outcome(t, False), settings=settings_)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=plan_files(hostile=False))
def test_pdf_of_any_accepted_unicode_opens(tmp_path, text):
    pdfinfo = needs_tool("pdfinfo")
    needs_tool("soffice")
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    plan = load_or_refuse(path)
    if plan is None:
        return
    pdf.write(build_document(plan), str(tmp_path / "plan.pdf"))
    info = subprocess.run([pdfinfo, str(tmp_path / "plan.pdf")], capture_output=True, text=True, timeout=60)
    assert info.returncode == 0 and "Pages:" in info.stdout, info.stderr


def test_json_style_escapes_are_what_the_strategy_writes():
    assert scalar("\ud83d\ude00", False) == '"\\uD83D\\uDE00"'
    assert json.loads(scalar("a\"b\\c", True)) == 'a"b\\c'
