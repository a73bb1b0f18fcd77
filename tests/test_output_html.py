"""The plan's web page as a phone, a printer and a screen reader's checker meet it (Chromium, one per session)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, needs_tool

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 375, "height": 800}
PAGES = ["keelung-cec/105/index.html", "fengshan-hr1/97/index.html", "kaohsiung-cec/104/index.html",
         "kaohsiung-cec/104/diff.html"]


def opened(browser, site: Path, name: str, viewport: dict):
    page = browser.new_page(viewport=viewport)
    page.goto((site / name).as_uri())
    return page


@pytest.mark.parametrize("name", PAGES)
def test_at_375_px_nothing_is_wider_than_the_screen(site, browser, name):
    page = opened(browser, site, name, PHONE)
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(el => { const r = el.getBoundingClientRect(); return r.width > 0 && (r.right > 375.5 || r.left < -0.5); })
        .filter(el => !el.closest('.visually-hidden, .skip-link'))
        .map(el => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))""")
    assert wide == [], wide[:10]
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.parametrize("name", PAGES[:2])
def test_at_375_px_every_table_column_holds_four_characters(site, browser, name):
    page = opened(browser, site, name, PHONE)
    narrow = page.evaluate("""() => [...document.querySelectorAll('table')].flatMap(table =>
        [...table.querySelectorAll('thead th')].map(th => {
            const style = getComputedStyle(th);
            const inner = th.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            return {text: th.textContent, chars: inner / parseFloat(style.fontSize)};
        })).filter(c => c.chars < 4)""")
    clipped = page.evaluate("""() => [...document.querySelectorAll('th, td')]
        .filter(cell => cell.scrollWidth > cell.clientWidth + 1).map(cell => cell.textContent.slice(0, 20))""")
    assert clipped == [], clipped[:5]
    columns = page.evaluate("document.querySelectorAll('thead th').length")
    assert columns >= 3 and narrow == [], narrow


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_nothing_at_either_width(site, browser, width):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    for name in PAGES:
        page = opened(browser, site, name, {"width": width, "height": 900})
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        assert result.violations_count == 0, f"{name} at {width}px:\n{result.generate_report()}"
        page.close()


def test_the_title_comes_before_the_table_of_contents(site, browser):
    page = opened(browser, site, "keelung-cec/105/index.html", PHONE)
    order = page.evaluate("""() => {
        const h1 = document.querySelector('h1'), toc = document.querySelector('nav.toc');
        return {before: !!(h1.compareDocumentPosition(toc) & Node.DOCUMENT_POSITION_FOLLOWING),
                onFirstScreen: h1.getBoundingClientRect().bottom <= window.innerHeight};
    }""")
    assert order == {"before": True, "onFirstScreen": True}


def test_downloads_say_comparison_only_where_there_is_one(site):
    alone = (site / "keelung-cec/105/index.html").read_text(encoding="utf-8")
    compared = (site / "kaohsiung-cec/104/index.html").read_text(encoding="utf-8")
    assert "年度比較" not in alone and ">下載</h2>" in alone
    assert "下載與年度比較" in compared and 'href="diff.html"' in compared


def test_a_standalone_review_page_shows_no_file_paths(tmp_path):
    out = tmp_path / "diff.html"
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "diff", "plans/kaohsiung-cec/103.yaml",
                          "plans/kaohsiung-cec/104.yaml", "--format", "html", "-o", str(out)],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    page = out.read_text(encoding="utf-8")
    assert "高雄市選舉委員會 103 年" in page and "高雄市選舉委員會 104 年" in page
    assert not re.search(r"plans/|\.yaml|/tmp/|/work/|/home/", page), re.findall(r".{30}(?:plans/|\.yaml).{10}", page)


def test_wrapped_lines_hang_under_the_text_after_half_width_labels(site, browser):
    """1. and （1）-style labels: the second line of a wrapped item starts where the first line's text does."""
    page = opened(browser, site, "keelung-cec/105/index.html", {"width": 700, "height": 900})
    offsets = page.evaluate("""() => [...document.querySelectorAll('p.entry, p.cell-item')].flatMap(p => {
        const label = p.querySelector('.label');
        if (!label || !label.nextSibling) return [];
        const range = document.createRange();
        range.setStart(label.nextSibling, 0);
        range.setEndAfter(p.lastChild);
        const lines = [...range.getClientRects()].filter(r => r.width > 1);
        const tops = [...new Set(lines.map(r => Math.round(r.top)))];
        if (tops.length < 2) return [];
        const first = Math.min(...lines.filter(r => Math.round(r.top) === tops[0]).map(r => r.left));
        const second = Math.min(...lines.filter(r => Math.round(r.top) === tops[1]).map(r => r.left));
        return [{label: label.textContent, first, second}];
    })""")
    half = [o for o in offsets if re.fullmatch(r"[0-9A-Za-z().、]+", o["label"].strip())]
    assert len(half) >= 3, offsets[:5]
    off = [o for o in offsets if abs(o["first"] - o["second"]) > 1]
    assert off == [], off[:5]


# ---- print ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def printed(site, browser, tmp_path_factory):
    """keelung-cec 105's page printed to PDF by Chromium, and its lines page by page."""
    page = browser.new_page()
    page.goto((site / "keelung-cec/105/index.html").as_uri())
    path = tmp_path_factory.mktemp("print") / "printed.pdf"
    page.pdf(path=str(path), format="A4", prefer_css_page_size=True)
    text = subprocess.run([needs_tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True).stdout
    pages = [[line.strip() for line in chunk.splitlines() if line.strip()] for chunk in text.split("\f")[:-1]]
    # headings that introduce something (a section that is its heading alone may end a page), and table headers
    headings = page.evaluate("""() => [...document.querySelectorAll('main h2, main h3, main h4, thead tr')]
        .filter(el => !el.closest('nav') && (el.tagName === 'TR' || el.nextElementSibling))
        .map(el => el.innerText.replace(/\\s+/g, ''))""")
    return path, pages, headings


def test_print_is_about_as_long_as_the_pdf(printed, site):
    info = subprocess.run([needs_tool("pdfinfo"), str(printed[0])], capture_output=True, text=True).stdout
    official = subprocess.run([needs_tool("pdfinfo"), str(site / "keelung-cec/105/plan.pdf")],
                              capture_output=True, text=True).stdout
    count = lambda text: int(re.search(r"^Pages:\s+(\d+)", text, re.M).group(1))
    assert count(info) <= 1.3 * count(official), (count(info), count(official))


def test_print_numbers_every_page(printed):
    _, pages, _ = printed
    assert all(any(line.replace(" ", "") == f"第{n}頁，共{len(pages)}頁" for line in lines)
               for n, lines in enumerate(pages, 1)), [lines[-1] for lines in pages]


def test_print_ends_no_page_with_a_heading_or_a_table_header(printed):
    _, pages, headings = printed
    for number, lines in enumerate(pages[:-1], 1):
        body = [line for line in lines if not re.fullmatch(r"第\s*\d+\s*頁，共\s*\d+\s*頁", line)]
        last = re.sub(r"\s+", "", body[-1])
        assert not any(h and (h == last or h.endswith(last) and len(last) >= 4) for h in headings), \
            f"page {number} ends with 「{body[-1]}」"


def test_phone_screenshot_for_the_readme(site, browser, tmp_path):
    """UPDATE_SCREENSHOTS=1 refreshes docs/screenshots/form-phone.png: a scoring form at 375 px."""
    import os

    folder = ROOT / "docs" / "screenshots" if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    page = opened(browser, site, "keelung-cec/105/index.html", {"width": 375, "height": 700})
    page.locator("table.form").first.scroll_into_view_if_needed()
    page.evaluate("document.querySelector('table.form').closest('.table-wrap').previousElementSibling.scrollIntoView()")
    page.screenshot(path=str(folder / "form-phone.png"))
    assert (folder / "form-phone.png").stat().st_size > 20_000
