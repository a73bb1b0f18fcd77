import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

SEEDS = [("kaohsiung-cec", 103), ("keelung-cec", 105), ("fengshan-hr1", 97)]
ISSUED_SCHOOL = ROOT / "tests/fixtures/issued/school-113.yaml"
IN_CI = os.environ.get("CI") == "true"


def needs_tool(name: str) -> str:
    """The path of an external tool; skipped locally when absent, a failure under CI=true."""
    found = shutil.which(name)
    if found is None:
        if IN_CI:
            pytest.fail(f"{name} is required under CI=true; .ci/run should have installed it")
        pytest.skip(f"{name} is not installed (CI installs it)")
    return found


@pytest.fixture
def write_plan(tmp_path):
    def write(text: str | bytes, name: str = "plan.yaml") -> str:
        path = tmp_path / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return str(path)
    return write


@pytest.fixture(scope="session")
def outputs(tmp_path_factory):
    """(docx path, html path) of a seed plan, rendered once per session."""
    from render_helpers import rendered

    folder = str(tmp_path_factory.mktemp("rendered"))
    return lambda agency, year: rendered(agency, year, folder)


def libreoffice_pdf(source, folder):
    """Open a document in LibreOffice headless and save it as PDF; fails unless the PDF is really there."""
    import subprocess

    soffice = needs_tool("soffice")
    run = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{folder}/profile",
                          "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                         capture_output=True, text=True, timeout=300)
    pdf = Path(folder) / (Path(source).stem + ".pdf")
    assert run.returncode == 0 and pdf.exists() and pdf.stat().st_size > 10_000, run.stderr
    return pdf


@pytest.fixture(scope="session")
def office(tmp_path_factory):
    """{(agency, "docx"|"odt"|"pdf"): path}: the seeds as DOCX and ODT, their LibreOffice PDFs, and plan.pdf
    (also of ("school-issued", "plan.pdf"), ISSUED_SCHOOL); one LibreOffice conversion for the whole session."""
    import subprocess

    from render_helpers import document, document_at
    from pipeline.writers import docx, odt, pdf

    soffice = needs_tool("soffice")
    folder = tmp_path_factory.mktemp("office")
    sources, found = [], {}
    for agency, year in SEEDS:
        doc = document(agency, year)
        for kind, writer in (("docx", docx), ("odt", odt)):
            path = folder / f"{agency}-{kind}.{kind}"
            writer.write(doc, str(path))
            sources.append(str(path))
            found[(agency, kind)] = path
        found[(agency, "plan.pdf")] = folder / f"{agency}-plan.pdf"
        pdf.write(doc, str(found[(agency, "plan.pdf")]))
    # a school's plan without a cover, its year given only by the issuance line under the title
    found[("school-issued", "plan.pdf")] = folder / "school-issued-plan.pdf"
    pdf.write(document_at(ISSUED_SCHOOL), str(found[("school-issued", "plan.pdf")]))
    env = {**os.environ, "FONTCONFIG_FILE": pdf.fontconfig_file(str(folder)), "HOME": str(folder)}
    done = subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{folder}/profile",
                           "--convert-to", "pdf", "--outdir", str(folder / "pdf"), *sources],
                          capture_output=True, text=True, timeout=600, env=env)
    for (agency, kind), path in list(found.items()):
        if kind in ("docx", "odt"):
            drawn = folder / "pdf" / f"{path.stem}.pdf"
            assert drawn.exists() and drawn.stat().st_size > 10_000, done.stderr
            found[(agency, f"{kind}.pdf")] = drawn
    return found


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The website bundle of every plan under plans/ (with fragments and a sitemap), built once per session."""
    import subprocess

    out = tmp_path_factory.mktemp("site") / "site"
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "site", "-o", str(out), "--fragment",
                          "--base-url", "https://www.example.gov.tw/plans/"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    chromium = needs_tool("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield launched
        launched.close()
