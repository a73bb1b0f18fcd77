"""ODT (ODF) and PDF: the same plan, opened by odfpy and LibreOffice, reading like the seed."""
import os
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT, SEEDS, libreoffice_pdf, needs_tool
from likeness import likeness, odt_text, pdf_text, seed_text
from render_helpers import document
from pipeline.writers import odt

THRESHOLD = 0.95


def seed(agency, year):
    return seed_text((ROOT / "tests" / "fixtures" / f"{agency}-{year}.txt").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every seed plan as ODT and PDF, built once through `plan build`."""
    needs_tool("soffice")
    out = tmp_path_factory.mktemp("published")
    (out / "tmp").mkdir()  # its own temporary folder: LibreOffice's profiles are found there, not other builds'
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "build", "plans/kaohsiung-cec/103.yaml",
                          "plans/keelung-cec/105.yaml", "plans/fengshan-hr1/97.yaml", "--format", "odt,pdf",
                          "-o", str(out / "x"), "-j", "2"], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "TMPDIR": str(out / "tmp")})
    assert run.returncode == 0, run.stderr
    return out


def build_one(tmp_path, agency, year, formats):
    out = tmp_path / agency
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "build", f"plans/{agency}/{year}.yaml",
                          "--format", formats, "-o", str(out)], capture_output=True, text=True, cwd=ROOT)
    return run, out


@pytest.mark.parametrize("agency,year", SEEDS)
def test_odt_is_valid_odf_and_reads_like_the_seed(tmp_path, agency, year):
    path = tmp_path / "plan.odt"
    odt.write(document(agency, year), str(path))
    with zipfile.ZipFile(path) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.text"
    from odf import text
    from odf.opendocument import load

    loaded = load(str(path))
    outline = [h for h in loaded.getElementsByType(text.H) if h.getAttribute("outlinelevel") == "1"]
    doc = document(agency, year)
    assert len(outline) == len(doc.body) + len(doc.appendices)
    assert likeness(seed(agency, year), odt_text(str(path))) >= THRESHOLD


def test_odt_tables_span_rows_and_repeat_their_header(tmp_path):
    path = tmp_path / "plan.odt"
    odt.write(document("fengshan-hr1", 97), str(path))
    content = zipfile.ZipFile(path).read("content.xml").decode("utf-8")
    assert content.count("<table:table-header-rows>") == 1
    spans = [int(n) for n in __import__("re").findall(r'table:number-rows-spanned="(\d+)"', content)]
    assert spans == [6, 4, 5, 5, 4] and content.count("<table:covered-table-cell/>") == sum(spans) - len(spans)
    styles = zipfile.ZipFile(path).read("styles.xml").decode("utf-8")
    assert 'style:font-name-asian="標楷體"' in styles and "<text:page-number" in styles and "<text:page-count" in styles
    assert 'fo:page-width="21cm"' in styles and 'fo:margin-left="2.5cm"' in styles


@pytest.mark.parametrize("agency,year", SEEDS)
def test_libreoffice_opens_the_odt(built, tmp_path, agency, year):
    pdf = libreoffice_pdf(built / "x" / agency / str(year) / "plan.odt", tmp_path)
    assert likeness(seed(agency, year), pdf_text(str(pdf))) >= THRESHOLD


@pytest.mark.parametrize("agency,year", SEEDS)
def test_pdf_reads_like_the_seed_in_a_kai_face(built, agency, year):
    pdf = str(built / "x" / agency / str(year) / "plan.pdf")
    assert likeness(seed(agency, year), pdf_text(pdf)) >= THRESHOLD
    fonts = subprocess.run([needs_tool("pdffonts"), pdf], capture_output=True, text=True).stdout
    kai = [line for line in fonts.splitlines() if "Kai" in line]
    assert kai and all(line.split()[-5] == "yes" for line in kai), fonts  # embedded
    meta = subprocess.run([needs_tool("pdfinfo"), "-meta", pdf], capture_output=True, text=True).stdout
    assert "<pdfaid:part>2</pdfaid:part>" in meta, "PDF/A-2"


def test_without_libreoffice_pdf_fails_clearly_and_the_rest_is_written(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    env = {**os.environ, "PATH": str(bin_dir)}  # no soffice on the path
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "build", "plans/kaohsiung-cec/103.yaml",
                          "--format", "docx,pdf,html", "-o", str(out)], capture_output=True, text=True, cwd=ROOT, env=env)
    assert run.returncode != 0
    assert "libreoffice" in run.stderr.lower() and "apt-get install" in run.stderr and "Traceback" not in run.stderr
    assert (out / "plan.docx").exists() and (out / "plan.html").exists() and not (out / "plan.pdf").exists()


def test_no_libreoffice_process_is_left_behind(built):
    left = subprocess.run(["pgrep", "-f", f"{built / 'tmp'}/plan-pdf-"], capture_output=True, text=True).stdout.strip()
    assert left == "" and list((built / "tmp").iterdir()) == []
