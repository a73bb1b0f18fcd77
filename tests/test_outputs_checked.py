"""Every output as its consumers check it: pages drawn by LibreOffice, Word's validator, PDF/UA and PDF/A checkers.

The three seed plans are written as DOCX and ODT and opened by LibreOffice in ONE conversion for the
whole session (with the Kai aliases a Linux office installs, templates/fonts-kai.conf); the PDF writer's own
files are made once too. The checks read pages, not markup: the fonts each PDF embeds, its page count,
where each table row lands, what the first page's footer says.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import ROOT, SEEDS, needs_tool
from render_helpers import document
from pipeline.writers import TEMPLATES, docx, odt, pdf

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
KAI_OR_TIMES = re.compile(r"^(TW-Kai|AR ?PL ?UKai ?TW|ARPLUKaiTW|LiberationSerif)")
COVERED = [agency for agency, year in SEEDS if document(agency, year).cover]
TABLED = [agency for agency, year in SEEDS if agency != "kaohsiung-cec"]  # kaohsiung-cec 103 has no table


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)


def pages_text(path: Path) -> list[str]:
    """Each page's text, whitespace removed."""
    text = run([needs_tool("pdftotext"), "-layout", str(path), "-"]).stdout
    return [re.sub(r"\s+", "", page) for page in text.split("\f")[:-1]]


def page_count(path: Path) -> int:
    info = run([needs_tool("pdfinfo"), str(path)]).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def fonts(path: Path) -> list[str]:
    listing = run([needs_tool("pdffonts"), str(path)]).stdout.splitlines()[2:]
    return sorted({line.split()[0].split("+", 1)[-1] for line in listing})


# ---- DOCX and ODT drawn by LibreOffice -------------------------------------------------------------

@pytest.mark.parametrize("kind", ["docx.pdf", "odt.pdf", "plan.pdf"])
@pytest.mark.parametrize("agency", [a for a, _ in SEEDS])
def test_chinese_is_drawn_in_kai_and_latin_in_a_times_face(office, agency, kind):
    faces = fonts(office[(agency, kind)])
    assert faces and all(KAI_OR_TIMES.match(face) for face in faces), faces
    assert any("Kai" in face for face in faces) and any("LiberationSerif" in face for face in faces), faces


@pytest.mark.parametrize("agency", [a for a, _ in SEEDS])
def test_odt_and_docx_have_the_same_number_of_pages(office, agency):
    docx_pages, odt_pages = page_count(office[(agency, "docx.pdf")]), page_count(office[(agency, "odt.pdf")])
    assert abs(docx_pages - odt_pages) <= 1, (docx_pages, odt_pages)


def table_rows(docx_path: Path) -> list[list[str]]:
    """Text of each cell that spans one row only, row by row, from the DOCX (the same rows the ODT has)."""
    with zipfile.ZipFile(docx_path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    rows = []
    for row in root.iter(f"{W}tr"):
        cells = []
        for cell in row.iter(f"{W}tc"):
            if cell.find(f"{W}tcPr/{W}vMerge") is None:
                cells.append(re.sub(r"\s+", "", "".join(t.text or "" for t in cell.iter(f"{W}t"))))
        rows.append([c for c in cells if len(c) >= 12])
    return rows


@pytest.mark.parametrize("kind", ["docx.pdf", "odt.pdf"])
@pytest.mark.parametrize("agency", TABLED)
def test_no_table_row_is_split_across_pages(office, agency, kind):
    """A cell's first and last words are on the same page (rows are kept whole)."""
    pages = pages_text(office[(agency, kind)])
    checked = 0
    for cells in table_rows(office[(agency, "docx")]):
        for cell in cells:
            head, tail = cell[:8], cell[-8:]
            with_head = {n for n, page in enumerate(pages) if head in page}
            with_tail = {n for n, page in enumerate(pages) if tail in page}
            if with_head and with_tail:
                assert with_head & with_tail, f"{cell[:30]}… starts on page {min(with_head) + 1}, ends on {min(with_tail) + 1}"
                checked += 1
    assert checked >= 5


@pytest.mark.parametrize("kind", ["docx.pdf", "odt.pdf", "plan.pdf"])
@pytest.mark.parametrize("agency", COVERED)
def test_the_cover_is_not_numbered_and_the_body_is_numbered_from_its_first_page(office, agency, kind):
    pages = pages_text(office[(agency, kind)])
    assert "頁" not in pages[0] and not re.search(r"第\d+頁", pages[0]), pages[0][-40:]
    body = len(pages) - 1
    assert re.search(r"第1頁(，共\d+頁)?$", pages[1]) and re.search(rf"第{body}頁(，共\d+頁)?$", pages[-1]), \
        (pages[1][-20:], pages[-1][-20:])


@pytest.mark.parametrize("agency", COVERED)
def test_the_body_is_counted_without_its_cover(office, agency):
    """The PDF counts the body's pages; the DOCX asks Word for its section's pages (SECTIONPAGES).

    LibreOffice 7.4 counts every page of a document (ODT page-count) and shows the stored result of a DOCX
    SECTIONPAGES field, so the PDF writer stores the count it measured, and an ODT with a cover shows no total."""
    pages = pages_text(office[(agency, "plan.pdf")])
    body = len(pages) - 1
    assert all(f"第{n}頁，共{body}頁" in page for n, page in enumerate(pages[1:], 1)), pages[1][-20:]
    with zipfile.ZipFile(office[(agency, "docx")]) as archive:
        footer = archive.read("word/footer1.xml").decode("utf-8")
    assert " SECTIONPAGES " in footer and " NUMPAGES " not in footer


def test_a_plan_without_a_cover_counts_every_page(office):
    pages = pages_text(office[("kaohsiung-cec", "plan.pdf")])
    assert all(f"第{n}頁，共{len(pages)}頁" in page for n, page in enumerate(pages, 1))

def words(path: Path) -> list[tuple[str, float, float]]:
    """(word, width, height) of every word pdftotext finds."""
    found = run([needs_tool("pdftotext"), "-bbox", str(path), "-"]).stdout
    return [(html_unescape(w), float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1, w in
            re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', found)]


def html_unescape(text: str) -> str:
    import html
    return html.unescape(text)


@pytest.mark.parametrize("kind", ["docx.pdf", "odt.pdf", "plan.pdf"])
def test_check_boxes_are_drawn_full_width_in_the_kai_face(office, kind):
    """□是□否: every box as wide as the Han characters beside it (a Latin font draws a smaller box)."""
    import unicodedata

    found = words(office[("keelung-cec", kind)])
    han = {round(h, 1): w / len(word) for word, w, h in found if len(word) >= 2
           and all(unicodedata.east_asian_width(ch) == "W" and "\u4e00" <= ch <= "\u9fff" for ch in word)}
    boxed = [(word, w, h) for word, w, h in found if "□" in word
             and all(ch == "□" or unicodedata.east_asian_width(ch) == "W" for ch in word)]
    assert len(boxed) >= 20
    for word, width, height in boxed:
        em = han[round(height, 1)]
        assert abs(width - em * len(word)) < 0.05 * em, f"{word}: {width:.1f} pt wide, {len(word)} × {em:.1f} expected"


# ---- language -------------------------------------------------------------------------------------------

def pdf_language(path: Path) -> str:
    import pikepdf

    with pikepdf.open(path) as opened:
        return str(opened.Root.get("/Lang", ""))


@pytest.mark.parametrize("kind", ["docx.pdf", "odt.pdf", "plan.pdf"])
@pytest.mark.parametrize("agency", [a for a, _ in SEEDS])
def test_pdf_says_it_is_in_traditional_chinese(office, agency, kind):
    assert pdf_language(office[(agency, kind)]) == "zh-TW"


def test_docx_says_zh_tw_in_its_runs_styles_and_settings(office):
    with zipfile.ZipFile(office[("keelung-cec", "docx")]) as archive:
        body = etree.fromstring(archive.read("word/document.xml"))
        styles = etree.fromstring(archive.read("word/styles.xml"))
        settings = etree.fromstring(archive.read("word/settings.xml"))
    runs = [r for r in body.iter(f"{W}r") if r.find(f"{W}t") is not None]
    assert runs and all(r.find(f"{W}rPr/{W}lang").get(f"{W}eastAsia") == "zh-TW" for r in runs)
    default = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert default.get(f"{W}val") == default.get(f"{W}eastAsia") == "zh-TW"
    theme = settings.find(f"{W}themeFontLang")
    assert theme.get(f"{W}val") == theme.get(f"{W}eastAsia") == "zh-TW"
    langs = {lang.get(f"{W}eastAsia") for lang in styles.iter(f"{W}lang")}
    assert langs == {"zh-TW"}, langs


# ---- Word's validator ------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def every_docx(office, tmp_path_factory):
    """Every kind of DOCX the project writes: the three plans, a 修正對照表 and a tracked-changes plan."""
    folder = tmp_path_factory.mktemp("reviews")
    files = [office[(agency, "docx")] for agency, _ in SEEDS]
    for kind, name in (("docx", "diff.docx"), ("tracked", "diff.tracked.docx")):
        done = run([sys.executable, "-m", "pipeline.cli", "diff", "plans/kaohsiung-cec/103.yaml",
                    "plans/kaohsiung-cec/104.yaml", "--format", kind, "-o", str(folder / name)], cwd=ROOT)
        assert done.returncode == 0, done.stderr
        files.append(folder / name)
    return files


def audit(paths: list[Path], folder: Path) -> list[dict]:
    """openxml-audit's findings for each file (it takes one file or one folder)."""
    tool = shutil.which("openxml-audit", path=str(Path(sys.executable).parent)) or needs_tool("openxml-audit")
    folder.mkdir()
    for path in paths:
        shutil.copy(path, folder / path.name)
    done = run([tool, "-o", "json", "-m", "0", "-r", str(folder)])
    return json.loads(done.stdout)


def test_every_docx_passes_openxml_audit_with_no_error_or_warning(every_docx, tmp_path):
    results = audit(every_docx, tmp_path / "audited")
    assert len(results) == len(every_docx)
    for result in results:
        assert result["error_count"] == 0 and result["warning_count"] == 0, json.dumps(result, ensure_ascii=False)[:2000]


def test_every_odt_passes_openxml_audits_odf_checks_with_no_error_or_warning(office, tmp_path):
    odts = [office[(agency, "odt")] for agency, _ in SEEDS]
    results = audit(odts, tmp_path / "audited")
    assert len(results) == len(odts)
    for result in results:
        assert result["error_count"] == 0 and result["warning_count"] == 0, json.dumps(result, ensure_ascii=False)[:2000]


# ---- PDF/UA-1 and PDF/A-2b ------------------------------------------------------------------------------

PREFLIGHT_JARS = ["preflight", "pdfbox2", "fontbox2", "xmpbox", "commons-logging", "javax.activation", "jaxb-api"]


def struct_roles(path: Path) -> tuple[dict[str, int], list]:
    """How many structure elements of each role the PDF has, and its heading elements."""
    import pikepdf

    roles: dict[str, int] = {}
    headings = []
    with pikepdf.open(path) as opened:
        stack = [opened.Root.StructTreeRoot]
        while stack:
            node = stack.pop()
            if not isinstance(node, pikepdf.Dictionary):
                continue
            role = str(node.get("/S", ""))
            roles[role] = roles.get(role, 0) + 1
            if re.fullmatch(r"/H\d?", role):
                headings.append(reaches_content(node))
            kids = node.get("/K")
            stack.extend(kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else [])
    return roles, headings


def reaches_content(node) -> bool:
    """A structure element marks page content: an MCID somewhere under it."""
    import pikepdf

    kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
    if kids is None:
        return False
    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
    return any(not isinstance(kid, (pikepdf.Dictionary, pikepdf.Array)) or "/MCID" in kid or reaches_content(kid)
               for kid in kids)


@pytest.mark.parametrize("agency,year", SEEDS)
def test_pdf_passes_the_pdfua_checker_and_is_tagged(office, agency, year):
    path = office[(agency, "plan.pdf")]
    tool = shutil.which("pdfua", path=str(Path(sys.executable).parent)) or needs_tool("pdfua")
    checked = run([tool, "check", "--format", "json", str(path)])
    assert checked.returncode == 0, checked.stdout[:3000]
    import pikepdf

    with pikepdf.open(path) as opened:
        assert opened.Root.ViewerPreferences.DisplayDocTitle is True
        assert str(opened.open_metadata().get("dc:title", "")) == docx_title(office[(agency, "docx")])
        pages_with_artifacts = sum(b"/Artifact" in page.Contents.read_bytes() for page in opened.pages
                                   if isinstance(page.Contents, pikepdf.Stream))
        assert pages_with_artifacts == len(opened.pages), "every page's footer is marked as an artifact"
    xmp = run([needs_tool("pdfinfo"), "-meta", str(path)]).stdout
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp and "<pdfaid:part>2</pdfaid:part>" in xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    roles, headings = struct_roles(path)
    doc = document(agency, year)
    assert roles.get("/H1") == len(doc.body) + len(doc.appendices), roles
    assert headings and all(headings), "every heading has content (pdfua 0.1.3 cannot evaluate UA-14-001 here)"
    tables = docx_table_count(office[(agency, "docx")])
    assert roles.get("/Table", 0) == tables and (tables == 0 or roles.get("/TH", 0) >= 2 * tables), roles


def docx_title(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        core = etree.fromstring(archive.read("docProps/core.xml"))
    return core.find("{http://purl.org/dc/elements/1.1/}title").text


def docx_table_count(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return len(etree.fromstring(archive.read("word/document.xml")).findall(f".//{W}tbl"))


@pytest.mark.parametrize("agency", [a for a, _ in SEEDS])
def test_pdf_passes_pdfbox_preflight_but_for_its_pdfa_part(office, agency):
    """Apache PDFBox Preflight (Debian libpdfbox2-java) validates PDF/A-1b, the strictest PDF/A level: fonts
    embedded, XMP metadata and its schemas, colour, no transparency, no encryption. The file is PDF/A-2b, so
    Preflight's one expected complaint is the part number (7.11.2 "part must be 1")."""
    java = needs_tool("java")
    jars = [Path("/usr/share/java") / f"{name}.jar" for name in PREFLIGHT_JARS]
    missing = [str(jar) for jar in jars if not jar.exists()]
    if missing:
        needs_tool("preflight.jar (apt-get install libpdfbox2-java libactivation-java libjaxb-api-java)")
    done = run([java, "-cp", ":".join(map(str, jars)), "org.apache.pdfbox.preflight.Validator_A1b",
                str(office[(agency, "plan.pdf")])])
    errors = [line.strip() for line in done.stdout.splitlines()[1:] if re.match(r"\s*\d+(\.\d+)*\s*:", line)]
    assert "not a valid PDF/A-1b" in done.stdout or "is a valid PDF/A-1b" in done.stdout, done.stdout + done.stderr
    assert errors == ["7.11.2 : Error on MetaData, part must be 1"], errors


# ---- a Linux office without 標楷體 or TW-Kai -----------------------------------------------------------

def bold_strokes(path: Path) -> int:
    """Text drawn filled and stroked (2 Tr): how LibreOffice emboldens a face that has no bold."""
    import pikepdf

    with pikepdf.open(path) as opened:
        return sum(len(re.findall(rb"\b2 Tr\b", page.Contents.read_bytes())) for page in opened.pages
                   if isinstance(page.Contents, pikepdf.Stream))


@pytest.mark.parametrize("kind", ["docx.pdf", "odt.pdf", "plan.pdf"])
def test_headings_are_bold_in_the_kai_face(office, kind):
    assert bold_strokes(office[("fengshan-hr1", kind)]) >= 10


def test_without_tw_kai_an_office_draws_the_traditional_ukai_and_its_bold(office, tmp_path):
    """Only AR PL UKai installed (TW-Kai taken away) and the project's aliases (templates/fonts-kai.conf):
    LibreOffice draws the Traditional AR PL UKai TW, never the Simplified UKai CN or a Japanese sans, and
    still emboldens headings."""
    config = tmp_path / "fonts.conf"
    config.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>'
                      '<include ignore_missing="yes">/etc/fonts/fonts.conf</include><selectfont><rejectfont>'
                      '<glob>/usr/share/fonts/truetype/cns11643/*</glob><pattern><patelt name="family">'
                      '<string>TW-Kai</string></patelt></pattern></rejectfont></selectfont>'
                      f'<include>{TEMPLATES / "fonts-kai.conf"}</include></fontconfig>\n', encoding="utf-8")
    sources = [office[("fengshan-hr1", "docx")], office[("fengshan-hr1", "odt")]]
    env = {**os.environ, "FONTCONFIG_FILE": str(config), "HOME": str(tmp_path)}
    matched = run([needs_tool("fc-match"), "標楷體"], env=env).stdout
    assert "AR PL UKai TW" in matched, matched
    done = run([needs_tool("soffice"), "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
                "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, sources)], env=env)
    for source in sources:
        drawn = tmp_path / f"{source.stem}.pdf"
        assert drawn.exists(), done.stderr
        faces = fonts(drawn)
        assert faces and all(re.match(r"(UKaiTW|LiberationSerif)", face) for face in faces), faces
        assert bold_strokes(drawn) >= 10


# ---- the ODT's own layout ---------------------------------------------------------------------------------

def forms_of(doc) -> list:
    from pipeline.tree import Entry, FormBlock

    found, stack = [], list(doc.body) + list(doc.appendices)
    while stack:
        node = stack.pop(0)
        if isinstance(node, FormBlock):
            found.append(node)
        stack[0:0] = [child for child in getattr(node, "children", []) if isinstance(child, (Entry, FormBlock))]
    return found


@pytest.mark.parametrize("kind", ["docx.pdf", "odt.pdf"])
def test_a_forms_fields_are_on_the_page_of_its_table(office, kind):
    """None of a scoring form's header fields (受測機關… 測試人員) is left on the page before its table."""
    pages = pages_text(office[("keelung-cec", kind)])
    forms = forms_of(document("keelung-cec", 105))
    assert len(forms) >= 3
    page, offset, checked = 0, 0, 0
    for form in forms:
        last = re.sub(r"\s+", "", form.fields[0]).split("：")[0]  # the first field: all of them go with the table
        header = re.sub(r"\s+", "", form.columns[0])[:6]
        while page < len(pages) and last not in pages[page][offset:]:
            page, offset = page + 1, 0
        assert page < len(pages), last
        offset = pages[page].index(last, offset)
        assert header in pages[page][offset:], f"{last} ends page {page + 1}; its table starts on the next page"
        offset += len(last)
        checked += 1
    assert checked == len(forms)


def test_odt_draws_each_border_once_and_spaces_the_title(office):
    with zipfile.ZipFile(office[("fengshan-hr1", "odt")]) as archive:
        content = archive.read("content.xml").decode("utf-8")
        styles = archive.read("styles.xml").decode("utf-8")
    rows = re.findall(r"<table:table-row\b[^>]*>(.*?)</table:table-row>", content)
    first_row = {m.start() for m in re.finditer(r"<table:table-header-rows>", content)}
    assert rows and first_row
    borders = dict(re.findall(r'<style:style style:name="(\w+)" style:family="table-cell">'
                              r'<style:table-cell-properties ([^>]*)/>', content))
    for row_number, row in enumerate(re.findall(r"<table:table-row\b[^>]*>(.*?)</table:table-row>", content)):
        cells = re.findall(r'<table:(table-cell|covered-table-cell)\b([^>]*)', row)
        for column, (kind, attributes) in enumerate(cells):
            if kind != "table-cell":
                continue
            props = borders[re.search(r'table:style-name="(\w+)"', attributes).group(1)]
            assert 'fo:border-right="0.5pt' in props and 'fo:border-bottom="0.5pt' in props
            assert ('fo:border-left="0.5pt' in props) == (column == 0), (row_number, column, props)
    assert 'table:style-name="PlanRow"' in content and 'fo:keep-together="always"' in content
    title = re.search(r'<style:style style:name="Title"[^>]*>(.*?)</style:style>', styles).group(1)
    assert 'fo:margin-bottom="12pt"' in title
    face = re.search(r'<style:font-face style:name="標楷體"[^>]*>', styles).group(0)
    assert "font-family-generic" not in face and "font-pitch" not in face
