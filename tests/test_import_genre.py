"""plan import across the genre: published plans of other agencies (tests/fixtures/import/corpus/).

Each fixture is imported, validated and built to DOCX and HTML, then measured three ways against its
source: the likeness of the text (tests/likeness.py), the sequence of numbering labels that open
paragraphs, and the cell counts of its tables. Its YAML → DOCX → import → YAML gives the same plan.
"""
import re
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest
import yaml
from lxml import etree

from conftest import ROOT
from likeness import docx_text, html_text, likeness, seed_text
from pipeline.loader import load_plan
from pipeline.tree import build_document, outline
from pipeline.writers import docx as docx_writer
from pipeline.writers import html as html_writer

CORPUS = ROOT / "tests/fixtures/import/corpus"
INDEX = yaml.safe_load((CORPUS / "index.yaml").read_text(encoding="utf-8"))
IMPORTED = [entry for entry in INDEX if "refused" not in entry]
REFUSED = [entry for entry in INDEX if "refused" in entry]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Labels as a reader sees them at the start of a paragraph (after NFKC: （一） is (一)).
OPENING = re.compile(r"^(?:[壹貳參叁肆伍陸柒捌玖拾]+、|[一二三四五六七八九十百]+、|\([一二三四五六七八九十百]+\)|\(\d+\)"
                     r"|\d+[.、](?!\d)|[甲乙丙丁戊己庚辛壬癸]、|\([甲乙丙丁戊己庚辛壬癸]\))")
SOURCE_NOISE = re.compile(r"^[\s•·●\-*]*(?:\d{1,3}\s+(?=\S+、))?")


def test_the_corpus_covers_the_genre():
    assert len(IMPORTED) >= 15
    agencies = {e["organisation"] for e in IMPORTED}
    assert len(agencies) >= 10, agencies


def cli(*args):
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


def import_to(source: Path, out: Path, entry: dict):
    extra = ["--year", entry["year"]] if "year" in entry else []
    run = cli("import", source, "-o", out, "--report", *extra)
    assert run.returncode == 0, run.stderr
    return run


def norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def source_text(entry: dict) -> str:
    """The source without the chrome and metadata the index names (each must be there to remove)."""
    text = (CORPUS / entry["file"]).read_text(encoding="utf-8")
    for part in entry.get("chrome", []) + entry.get("metadata", []):
        assert part in text, f"{entry['file']}: {part!r} is not in the source"
        text = text.replace(part, "", 1)
    return text


def source_labels(entry: dict) -> list[str]:
    if "labels" in entry:
        return [norm(label) for label in entry["labels"]]
    labels = []
    for line in (CORPUS / entry["file"]).read_text(encoding="utf-8").splitlines():
        found = OPENING.match(norm(SOURCE_NOISE.sub("", line)))
        if found:
            labels.append(found.group(0))
    return labels


def docx_labels(path: Path) -> list[str]:
    """Labels opening the body's paragraphs (table cells excluded), in order."""
    with zipfile.ZipFile(path) as archive:
        body = etree.fromstring(archive.read("word/document.xml")).find(f"{W}body")
    labels = []
    for paragraph in body.iterchildren(f"{W}p"):
        found = OPENING.match(norm("".join(t.text or "" for t in paragraph.iter(f"{W}t"))))
        if found:
            labels.append(found.group(0))
    return labels


def docx_table_cells(path: Path) -> list[int]:
    with zipfile.ZipFile(path) as archive:
        body = etree.fromstring(archive.read("word/document.xml")).find(f"{W}body")
    counts = []
    for table in body.iterchildren(f"{W}tbl"):
        cells = [tc for tc in table.iter(f"{W}tc")
                 if not any(m.get(f"{W}val") in (None, "continue") for m in tc.iter(f"{W}vMerge"))]
        counts.append(len(cells))
    return counts


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Every fixture imported and built once: {file: (yaml path, docx path, html path, report)}."""
    folder = tmp_path_factory.mktemp("genre")
    out = {}
    for entry in IMPORTED:
        stem = Path(entry["file"]).stem
        target = folder / f"{stem}.yaml"
        run = import_to(CORPUS / entry["file"], target, entry)
        doc = build_document(load_plan(str(target)))
        docx_writer.write(doc, str(folder / f"{stem}.docx"))
        html_writer.write(doc, str(folder / f"{stem}.html"))
        out[entry["file"]] = (target, folder / f"{stem}.docx", folder / f"{stem}.html", run.stderr)
    return out


def test_every_imported_plan_passes_strict_validation(results):
    run = cli("validate", "--strict", *[paths[0] for paths in results.values()])
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("entry", IMPORTED, ids=[e["file"] for e in IMPORTED])
def test_reads_like_its_source(results, entry):
    _, docx_path, html_path, _ = results[entry["file"]]
    source = seed_text(source_text(entry))
    assert likeness(source, docx_text(str(docx_path))) >= 0.95
    assert likeness(source, html_text(html_path.read_text(encoding="utf-8"))) >= 0.95


@pytest.mark.parametrize("entry", IMPORTED, ids=[e["file"] for e in IMPORTED])
def test_opening_labels_are_the_sources(results, entry):
    _, docx_path, _, _ = results[entry["file"]]
    assert docx_labels(docx_path) == source_labels(entry)


@pytest.mark.parametrize("entry", [e for e in IMPORTED if "cells" in e], ids=lambda e: e["file"])
def test_tables_keep_every_cell(results, entry):
    _, docx_path, _, _ = results[entry["file"]]
    assert docx_table_cells(docx_path) == entry["cells"]


@pytest.mark.parametrize("entry", IMPORTED, ids=[e["file"] for e in IMPORTED])
def test_chrome_and_metadata_stay_out_of_the_text(results, entry):
    yaml_path, docx_path, _, _ = results[entry["file"]]
    text = docx_text(str(docx_path))
    for part in entry.get("chrome", []):
        if len(norm(part)) >= 4:
            assert norm(part) not in text, part
    plan = load_plan(str(yaml_path))
    assert plan.agency == entry["agency"]
    assert plan.year == entry.get("year", entry.get("year_found"))
    if "issued" in entry:
        issued = entry["issued"]
        assert plan.issued.date == _roc(issued["date"])
        assert plan.issued.number == issued.get("number")
        assert plan.issued.verb == issued.get("verb")
    for line in plan.title:
        assert not line.startswith(("法規名稱", "列印時間")) and "公告日期" not in line


def _roc(value):
    from pipeline.rocdate import parse_roc_date

    year, month, day = str(value).split("-")
    return parse_roc_date(f"{int(year)}年{int(month)}月{int(day)}日")


@pytest.mark.parametrize("entry", IMPORTED, ids=[e["file"] for e in IMPORTED])
def test_yaml_to_docx_to_import_gives_the_same_plan(results, entry, tmp_path):
    yaml_path, docx_path, _, _ = results[entry["file"]]
    again = tmp_path / "again.yaml"
    plan = load_plan(str(yaml_path))
    import_to(docx_path, again, {"year": plan.year})
    assert outline(build_document(load_plan(str(again)))) == outline(build_document(plan))


@pytest.mark.parametrize("entry", REFUSED, ids=[e["file"] for e in REFUSED])
def test_what_is_not_a_plan_is_refused_with_a_reason(entry, tmp_path):
    run = cli("import", CORPUS / entry["file"], "-o", tmp_path / "out.yaml")
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert re.search(r"找不到", run.stderr) and not (tmp_path / "out.yaml").exists()


# ---- property: damaged corpus texts import to a valid plan or fail with the project's own error -----

from hypothesis import HealthCheck, given, settings  # noqa: E402
from damage import damaged  # noqa: E402

from pipeline.dump import to_yaml  # noqa: E402
from pipeline.errors import PlanError  # noqa: E402
from pipeline.importer import read_text, recognise  # noqa: E402

TEXTS = [(CORPUS / e["file"]).read_text(encoding="utf-8") for e in INDEX]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged(TEXTS, "壹貳一二（）()1.、：:□•-|┌─┐│\t 年月日號字第A實施要項單位各組", " ", 14))
def test_damaged_corpus_text_gives_a_valid_plan_or_a_clear_error(text):
    try:
        plan = recognise(read_text(text), "damaged.txt", 100).plan
    except PlanError:
        return
    load_plan("damaged.yaml", to_yaml(plan).encode("utf-8"))  # raises PlanProblems if the importer wrote nonsense
