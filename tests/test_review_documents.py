"""The review as documents: golden 修正對照表 and tracked plan, part by part; Accept All gives the new
plan and Reject All the old one (with lxml, and in LibreOffice); what a reader cannot see is no change."""
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import ROOT, SEEDS, needs_tool
from review_marks import paragraphs, plain_paragraphs, resolve
from pipeline.diff import compare
from pipeline.dump import to_yaml
from pipeline.loader import load_plan
from pipeline.review import write
from pipeline.review.documents import comparison, tracked
from pipeline.tree import build_document
from pipeline.writers import writer

FIXTURES = ROOT / "tests/fixtures/review"
GOLDEN = ROOT / "tests/golden/review"
DATE = "2015-01-05T00:00:00Z"
UPDATE = os.environ.get("REVIEW_GOLDEN") == "update"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def doc_of(path_or_text, name="plan.yaml"):
    if isinstance(path_or_text, Path):
        return build_document(load_plan(str(path_or_text)))
    return build_document(load_plan(name, path_or_text.encode("utf-8")))


def fixture_review():
    return compare(doc_of(FIXTURES / "old.yaml"), doc_of(FIXTURES / "new.yaml"), "103.yaml", "104.yaml")


def normalised(xml: bytes) -> str:
    """XML canonicalised and indented, so that a golden file reads part by part and diffs by line."""
    parser = etree.XMLParser(remove_blank_text=True)
    root = etree.fromstring(etree.canonicalize(xml_data=xml.decode("utf-8")).encode("utf-8"), parser)
    return etree.tostring(root, pretty_print=True, encoding="unicode")


PARTS = {
    "comparison.docx": ("docx", ["word/document.xml", "word/_rels/document.xml.rels"]),
    "comparison.odt": ("odt", ["content.xml", "meta.xml"]),
    "tracked.docx": ("tracked", ["word/document.xml", "word/settings.xml"]),
    "tracked.odt": ("tracked-odt", ["content.xml", "meta.xml"]),
    "tracked.html": ("tracked-html", None),
}


@pytest.mark.parametrize("name", sorted(PARTS))
def test_golden_review_documents(tmp_path, name):
    fmt, parts = PARTS[name]
    out = tmp_path / name
    write(fixture_review(), fmt, str(out), {"date": DATE})
    if parts is None:  # the page's content; its head (styles, their hash) belongs to the HTML writer's tests
        page = out.read_text(encoding="utf-8")
        found = {name: page[page.index("<main"):page.index("</main>") + len("</main>")] + "\n"}
    else:
        with zipfile.ZipFile(out) as archive:
            found = {f"{name}/{part}": normalised(archive.read(part)) for part in parts}
    for key, text in found.items():
        golden = GOLDEN / key.replace("/", "--")
        if UPDATE:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(text, encoding="utf-8")
        assert text == golden.read_text(encoding="utf-8"), f"{key} differs from {golden}"


def test_the_comparison_table_reads_as_an_officer_expects(tmp_path):
    import docx

    out = tmp_path / "c.docx"
    write(fixture_review(), "docx", str(out))
    word = docx.Document(str(out))
    title = next(p for p in word.paragraphs if p.style.name == "Title")
    assert title.text == "範例市政府 104 年提升服務品質執行計畫\n修正對照表", "修正對照表 on its own line, never broken mid-word"
    table = word.tables[0]
    header = table.rows[0]
    assert [c.text for c in header.cells] == ["修正規定", "現行規定", "說明"]
    assert all(c.paragraphs[0]._p.find(f"{W}pPr/{W}jc").get(f"{W}val") == "center" for c in header.cells)
    rows = {r.cells[0].text.split("\u3000")[0] or r.cells[1].text.split("\u3000")[0]: r for r in table.rows[1:]}
    assert rows["參、一、（二）"].cells[2].text == "本點新增。"
    assert rows["參、一、（三）"].cells[2].text == "本點刪除。"
    assert rows["參、二、（二）（移列）"].cells[2].text == "本點移列自參、二、（一）。"
    assert rows["參、二、（二）（移列）"].cells[1].text.startswith("參、二、（一）（移列至參、二、（二））")
    assert rows["貳、"].cells[2].text == "文字修正。" and rows["年度"].cells[2].text == "年度更新。"
    goals = rows["貳、"].cells[0].paragraphs[0]
    assert [r.text for r in goals.runs if r.underline] == ["與效能"]
    assert "整體服務品質與效能" in "".join(r.text for r in goals.runs if r.bold), "emphasis survives the redline"
    assert "*" not in "".join(c.text for r in table.rows for c in r.cells)


def test_note_overrides_the_drafted_explanation():
    new = (FIXTURES / "new.yaml").read_text(encoding="utf-8").replace(
        "        - 運用社群媒體與民眾雙向溝通。\n",
        "        - text: 運用社群媒體與民眾雙向溝通。\n          note: 配合本府社群經營政策新增。\n")
    review = compare(doc_of(FIXTURES / "old.yaml"), doc_of(new), "old", "new")
    (added,) = [c for c in review.changes if c.kind == "added" and c.new_path == "參、一、（二）"]
    assert added.explanation == "配合本府社群經營政策新增。"


def test_year_only_rows_can_be_folded():
    document = comparison(fixture_review(), fold_years=True)
    rows = document.body[0].rows
    assert len(rows) == len(fixture_review().changes) - 4 + 1
    assert str(rows[0][0].blocks[0].text).endswith("年度由 103 年更新為 104 年。")


def test_tracked_docx_marks_moves_rows_labels_and_switches_tracking_on(tmp_path):
    out = tmp_path / "t.docx"
    write(fixture_review(), "tracked", str(out), {"date": DATE})
    with zipfile.ZipFile(out) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
        settings = archive.read("word/settings.xml").decode("utf-8")
    assert "<w:trackRevisions/>" in settings
    marks = root.findall(f".//{W}ins") + root.findall(f".//{W}del")
    assert marks and all(m.get(f"{W}author") == "範例市政府" and m.get(f"{W}date") == DATE for m in marks)
    starts = {e.get(f"{W}name") for e in root.iter(f"{W}moveFromRangeStart")}
    assert starts and starts == {e.get(f"{W}name") for e in root.iter(f"{W}moveToRangeStart")}
    assert root.findall(f".//{W}moveFrom") and root.findall(f".//{W}moveTo")
    assert root.findall(f".//{W}trPr/{W}ins"), "an added table row is tracked as a row"
    labels = [t.text for t in root.iter(f"{W}delText")]
    assert "（三）" in labels, "a label that changed is tracked: the old one deleted"
    ids = [m.get(f"{W}id") for m in root.iter() if m.get(f"{W}id") is not None and not m.tag.endswith("RangeEnd")]
    assert len(ids) == len(set(ids)), "every revision has its own id"


# ---- Accept All / Reject All ---------------------------------------------------------------------

def edited_copy(path: Path, year: int) -> str:
    """Next year's plan made as an officer would: `plan new`'s draft, then a real edit of each kind."""
    from pipeline.newyear import draft

    plan = load_plan("new.yaml", draft(path, year + 1)[0].encode("utf-8"))
    lists = [s.items for _, s in plan.ordered_sections() if len(s.items) >= 2]
    lists += [i.items for _, s in plan.ordered_sections() for i in s.items if len(i.items) >= 2]
    from pipeline.model import Item

    inserted_into, edited_in, shuffled = lists[0], lists[1], max(lists[2:] or lists[1:], key=len)
    inserted_into.insert(1, Item(text="新增**重點**工作：運用[社群媒體](https://www.gov.tw)即時回應民眾。"))
    target = next(i for i in edited_in if i.text and len(i.text) > 8)
    target.text = target.text[:4] + "加強" + target.text[4:]
    shuffled.insert(0, shuffled.pop())   # the last item moved to the front
    del shuffled[-1]                     # and the new last one deleted
    tables = [s.table for _, s in plan.ordered_sections() if s.table is not None and len(s.table.rows) > 1]
    if tables:
        row = tables[0].rows[-1]
        cell = next(c for c in row if c.text)
        cell.text = cell.text + "（**修正**）"
    return to_yaml(plan)


def year_pairs():
    pairs = [("kaohsiung-cec", (ROOT / "plans/kaohsiung-cec/103.yaml").read_text(encoding="utf-8"),
              (ROOT / "plans/kaohsiung-cec/104.yaml").read_text(encoding="utf-8"))]
    for agency, year in SEEDS:
        if agency == "kaohsiung-cec":
            continue
        path = ROOT / "plans" / agency / f"{year}.yaml"
        pairs.append((agency, path.read_text(encoding="utf-8"), edited_copy(path, year)))
    pairs.append(("fixture", (FIXTURES / "old.yaml").read_text(encoding="utf-8"),
                  (FIXTURES / "new.yaml").read_text(encoding="utf-8")))
    return pairs


PAIRS = year_pairs()


def write_pair(folder: Path, name: str, old_text: str, new_text: str) -> dict:
    old_doc, new_doc = doc_of(old_text, "old.yaml"), doc_of(new_text, "new.yaml")
    paths = {"old": folder / f"{name}-old.docx", "new": folder / f"{name}-new.docx",
             "tracked": folder / f"{name}-tracked.docx"}
    writer("docx").write(old_doc, str(paths["old"]))
    writer("docx").write(new_doc, str(paths["new"]))
    review = compare(old_doc, new_doc, "old", "new")
    writer("docx").write(tracked(review, date=DATE), str(paths["tracked"]))
    paths["review"] = review
    return paths


@pytest.mark.parametrize("name,old_text,new_text", PAIRS, ids=[p[0] for p in PAIRS])
def test_accept_all_gives_the_new_plan_and_reject_all_the_old(tmp_path, name, old_text, new_text):
    paths = write_pair(tmp_path, name, old_text, new_text)
    kinds = {c.kind for c in paths["review"].changes}
    assert {"added", "removed", "modified", "moved"} <= kinds, kinds
    assert paragraphs(resolve(paths["tracked"], accept=True)) == plain_paragraphs(paths["new"])
    assert paragraphs(resolve(paths["tracked"], accept=False)) == plain_paragraphs(paths["old"])


# ---- LibreOffice: one process for the whole session ---------------------------------------------

LIBRARY = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" library:readonly="false" library:passwordprotected="false">{}</library:library>
"""
CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:libraries PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "libraries.dtd">
<library:libraries xmlns:library="http://openoffice.org/2000/library" xmlns:xlink="http://www.w3.org/1999/xlink">
 <library:library library:name="Standard" xlink:href="$(USER)/basic/Standard/{}.xlb/" xlink:type="simple" library:link="false"/>
</library:libraries>
"""


@pytest.fixture(scope="session")
def libreoffice_results(tmp_path_factory):
    """Every pair's tracked DOCX and ODT accepted and rejected by LibreOffice (one Basic macro, one
    LibreOffice), and the plain DOCX/ODT of both years, each saved as text: name → lines."""
    soffice = needs_tool("soffice")
    folder = tmp_path_factory.mktemp("libreoffice")
    profile = folder / "profile"
    subprocess.run([soffice, "--headless", "--norestore", "--terminate_after_init",
                    f"-env:UserInstallation=file://{profile}"], capture_output=True, timeout=300)
    basic = profile / "user/basic"
    (basic / "Standard").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "tests/libreoffice/Module1.xba", basic / "Standard/Module1.xba")
    (basic / "Standard/script.xlb").write_text(LIBRARY.format('<library:element library:name="Module1"/>'))
    (basic / "Standard/dialog.xlb").write_text(LIBRARY.format(""))
    (basic / "script.xlc").write_text(CONTAINER.format("script"))
    (basic / "dialog.xlc").write_text(CONTAINER.format("dialog"))
    jobs = []
    for name, old_text, new_text in PAIRS:
        paths = write_pair(folder, name, old_text, new_text)
        review = paths["review"]
        for suffix, document in (("old", review.old_doc), ("new", review.new_doc), ("tracked", tracked(review, date=DATE))):
            odt = folder / f"{name}-{suffix}.odt"
            writer("odt").write(document, str(odt))
            jobs.append((odt, "none" if suffix != "tracked" else None))
        for suffix in ("old", "new"):
            jobs.append((paths[suffix], "none"))
        jobs.append((paths["tracked"], None))
    lines = []
    for source, mode in jobs:
        for each in (["accept", "reject"] if mode is None else [mode]):
            lines.append(f"{source}|{each}|{source}.{each}.txt")
    listing = folder / "jobs.txt"
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                          f'macro:///Standard.Module1.Run("{listing}")'], capture_output=True, text=True, timeout=600)
    results = {}
    for line in lines:
        source, mode, target = line.split("|")
        assert os.path.exists(target), f"LibreOffice did not write {target}: {run.stderr[-400:]}"
        key = f"{Path(source).name}.{mode}"
        results[key] = Path(target).read_text(encoding="utf-8-sig").splitlines()
    return results


@pytest.mark.parametrize("name", [p[0] for p in PAIRS])
def test_libreoffice_accept_all_and_reject_all_of_the_tracked_docx(libreoffice_results, name):
    found = libreoffice_results
    assert found[f"{name}-tracked.docx.accept"] == found[f"{name}-new.docx.none"]
    assert found[f"{name}-tracked.docx.reject"] == found[f"{name}-old.docx.none"]
    assert found[f"{name}-tracked.docx.accept"] != found[f"{name}-tracked.docx.reject"]


@pytest.mark.parametrize("name", [p[0] for p in PAIRS])
def test_libreoffice_accept_all_and_reject_all_of_the_tracked_odt(libreoffice_results, name):
    found = libreoffice_results
    old_text, new_text = next((o, n) for n_, o, n in PAIRS if n_ == name)
    changes = compare(doc_of(old_text), doc_of(new_text)).changes
    rows_come_and_go = any(c.kind in ("added", "removed") and (c.new_unit or c.old_unit).kind == "row" for c in changes)

    def lines(key):  # ODF cannot track a table row coming or going: its cells are left empty
        return [line for line in found[key] if line.strip()] if rows_come_and_go else found[key]

    assert lines(f"{name}-tracked.odt.accept") == lines(f"{name}-new.odt.none")
    assert lines(f"{name}-tracked.odt.reject") == lines(f"{name}-old.odt.none")


# ---- what a reader cannot see is not a change ------------------------------------------------------

WIDTHS = str.maketrans({"，": ",", "：": ":", "；": ";", "（": "(", "）": ")", "！": "!", "？": "?"})
CJK = re.compile(r"(?<=[\u4e00-\u9fff])(?=[\u4e00-\u9fff])")


def reflowed(text: str) -> str:
    """The same words: half-width punctuation, and a line break or spaces every so often."""
    count = [0]

    def breaks(match):
        count[0] += 1
        return "\n" if count[0] % 7 == 0 else ("  " if count[0] % 11 == 0 else "")

    return CJK.sub(breaks, text.translate(WIDTHS))


def reflow_plan(plan):
    def items(entries):
        for item in entries:
            item.text = reflowed(item.text) if item.text else item.text
            item.title = reflowed(item.title) if item.title else item.title
            items(item.items)
            if item.table is not None:
                table(item.table)

    def table(block):
        for row in block.rows:
            for cell in row:
                cell.text = reflowed(cell.text) if cell.text else cell.text
                items(cell.items)

    for _, section in plan.ordered_sections():
        section.text = reflowed(section.text) if section.text else section.text
        items(section.items)
        if section.table is not None:
            table(section.table)
    return plan


@pytest.mark.parametrize("agency,year", SEEDS)
def test_a_reflowed_copy_with_other_punctuation_widths_has_no_changes(agency, year):
    path = ROOT / "plans" / agency / f"{year}.yaml"
    plan = load_plan(str(path))
    copy = to_yaml(reflow_plan(load_plan(str(path))))
    assert copy != to_yaml(plan) and "," in copy
    review = compare(build_document(plan), doc_of(copy))
    assert review.changes == []
    shown = compare(build_document(plan), doc_of(copy), show_format=True)
    assert shown.changes and {c.kind for c in shown.changes} == {"format"}


def test_the_plans_year_and_period_are_listed():
    text = (FIXTURES / "old.yaml").read_text(encoding="utf-8")
    no_period = re.sub(r"period:\n.*\n.*\n", "", text)
    (change,) = compare(doc_of(no_period), doc_of(no_period.replace("year: 103", "year: 104"))).changes
    assert (change.kind, change.new_path, change.old, change.new) == ("year", "年度", "103 年度", "104 年度")
    (change,) = compare(doc_of(text), doc_of(text.replace("end: 103-12-31", "end: 103-06-30"))).changes
    assert change.kind == "modified" and change.new_path == "壹、" and "6 月 30 日" in change.new


# ---- shapes that validate render everywhere; others are refused ----------------------------------

NESTED = """agency: 甲機關
year: 103
title: 測試計畫
strategies:
  table:
    columns: [項目, 內容]
    rows:
      - - 甲
        - items:
            - text: 乙
              table:
                columns: [子欄]
                rows:
                  - [丙]
"""


@pytest.mark.parametrize("command", [["validate"], ["build", "--format", "html"], ["build", "--format", "docx"]])
def test_a_table_inside_a_table_cell_is_refused_with_its_position(tmp_path, command):
    path = tmp_path / "nested.yaml"
    path.write_text(NESTED, encoding="utf-8")
    run = subprocess.run([str(ROOT / ".venv/bin/plan"), *command, str(path), *(["-o", str(tmp_path / "out")]
                          if command[0] == "build" else [])], capture_output=True, text=True)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert f"{path}:12:17: strategies.table.rows[0][1].items[0].table: 表格的格子裡的項目不能再有表格" in run.stderr + run.stdout
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("plan.*"))


def test_the_tracked_page_marks_changes_and_keeps_ids_unique(tmp_path):
    out = tmp_path / "t.html"
    write(fixture_review(), "tracked-html", str(out))
    page = out.read_text(encoding="utf-8")
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "a part put back from last year has anchors of its own"
    assert "<title>範例市政府 104 年提升服務品質執行計畫</title>" in page
    assert page.count("<del>") >= 5 and page.count("<ins>") >= 5 and "**" not in page


def test_the_comparison_table_comes_out_as_pdf_through_the_docx(tmp_path):
    needs_tool("soffice")
    pdftotext = needs_tool("pdftotext")
    out = tmp_path / "c.pdf"
    write(fixture_review(), "pdf", str(out))
    text = subprocess.run([pdftotext, str(out), "-"], capture_output=True, text=True).stdout
    assert out.read_bytes().startswith(b"%PDF") and "修正對照表" in text
    assert "本點新增。" in text and "本點移列自參、二、（一）。" in text.replace("\n", "")


def test_plan_diff_folds_year_only_rows_when_asked(tmp_path):
    import docx

    out = tmp_path / "c.docx"
    run = subprocess.run([str(ROOT / ".venv/bin/plan"), "diff", str(FIXTURES / "old.yaml"), str(FIXTURES / "new.yaml"),
                          "--format", "docx", "--fold-years", "-o", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    rows = docx.Document(str(out)).tables[0].rows
    assert rows[1].cells[0].text == "標題、年度、壹、肆：年度由 103 年更新為 104 年。" and rows[1].cells[2].text == "年度更新。"
    assert not any(r.cells[2].text == "年度更新。" for r in rows[2:])


def test_no_review_module_reaches_into_a_writer():
    """The review writes through the registry; only the review page shares the HTML writer's template setup."""
    import ast

    allowed = {"pipeline.writers": {"writer"},
               "pipeline.writers.html": {"environment", "template_faults", "template_folders", "with_security_policy"}}
    for module in (ROOT / "pipeline/review").glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and "writers" in node.module:
                name = "pipeline." + node.module.lstrip(".") if node.level else node.module
                names = {alias.name for alias in node.names}
                assert name in allowed and names <= allowed[name], f"{module.name} imports {names} from {name}"
    assert not (ROOT / "pipeline/review/docx.py").exists() and not (ROOT / "pipeline/review/tracked.py").exists()
