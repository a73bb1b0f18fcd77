"""`plan site`: the bundle's links, its pages in a real browser (axe-core WCAG 2.1 A and AA), keyboard and phone."""
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = ROOT / "docs" / "screenshots"


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name):
                self.links.append(attrs[name])


def parsed(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "fragment.html")


def test_every_link_resolves_and_is_relative(site):
    checked = 0
    for page in site.rglob("*.html"):
        found = parsed(page)
        for link in found.links:
            assert not re.match(r"^(https?:)?//", link), f"{page}: {link} is not relative"
            target, _, anchor = link.partition("#")
            file = (page.parent / target).resolve() if target else page
            assert file.exists(), f"{page}: {link}"
            if anchor and file.suffix == ".html":
                assert anchor in parsed(file).ids, f"{page}: #{anchor} not in {file}"
            checked += 1
    assert checked > 100


def test_index_lists_agencies_and_years_newest_first(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index.index("kaohsiung-cec/104/index.html") < index.index("kaohsiung-cec/103/index.html")
    for agency in ("高雄市選舉委員會", "基隆市選舉委員會", "高雄縣鳳山市第一戶政事務所"):
        assert agency in index
    assert "kaohsiung-cec/104/diff.html" in index and "kaohsiung-cec/103/diff.html" not in index


def test_plan_pages_carry_their_downloads(site):
    page = (site / "kaohsiung-cec/104/index.html").read_text(encoding="utf-8")
    for name in ("plan.docx", "plan.odt", "plan.pdf", "diff.docx", "diff.html"):
        assert f'href="{name}"' in page and (site / "kaohsiung-cec/104" / name).stat().st_size > 1000


def test_sitemaps(site):
    from xml.etree import ElementTree

    urls = [u.text for u in ElementTree.parse(site / "sitemap.xml").getroot().iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://www.example.gov.tw/plans/kaohsiung-cec/104/diff.html" in urls and len(urls) == 2 + 4 + 1
    assert "kaohsiung-cec/104/index.html" in (site / "sitemap.html").read_text(encoding="utf-8")


def test_fragment_is_the_body_alone_with_scoped_styles(site):
    fragment = (site / "keelung-cec/105/fragment.html").read_text(encoding="utf-8")
    assert fragment.startswith('<div class="plan-fragment" lang="zh-Hant-TW">')
    assert "<html" not in fragment and "<body" not in fragment and "<main" not in fragment and "@page" not in fragment
    css = fragment.split("<style>")[1].split("</style>")[0]
    selectors = [s.strip() for rule in re.findall(r"([^{}@]+)\{[^{}]*\}", css) for s in rule.split(",")]
    assert selectors and all(s.startswith(".plan-fragment") for s in selectors), [s for s in selectors if not s.startswith(".plan-fragment")]


# ---- in a real browser ---------------------------------------------------------------------------

def test_every_page_passes_axe_wcag21_aa(site, browser):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser.new_page()
    checked = []
    for path in pages(site):
        page.goto(path.as_uri())
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        assert result.violations_count == 0, f"{path}:\n{result.generate_report()}"
        checked.append(path.relative_to(site).as_posix())
    assert {"index.html", "sitemap.html", "kaohsiung-cec/104/diff.html", "keelung-cec/105/index.html"} <= set(checked)


def test_skip_link_is_first_and_visible_on_focus(site, browser):
    page = browser.new_page()
    page.goto((site / "keelung-cec/105/index.html").as_uri())
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => {
        const el = document.activeElement, box = el.getBoundingClientRect(), style = getComputedStyle(el);
        return {text: el.textContent, href: el.getAttribute('href'), top: box.top, bottom: box.bottom,
                outline: style.outlineStyle, background: style.backgroundColor};
    }""")
    assert focused["href"] == "#main" and focused["text"] == "跳到主要內容"
    assert focused["top"] >= 0 and focused["bottom"] > focused["top"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring != "none", "focus is visible"


@pytest.mark.parametrize("name", ["index.html", "keelung-cec/105/index.html", "fengshan-hr1/97/index.html",
                                  "kaohsiung-cec/104/diff.html"])
def test_pages_fit_a_phone(site, browser, name):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto((site / name).as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 376


def test_screenshots_for_the_readme(site, browser, tmp_path):
    """UPDATE_SCREENSHOTS=1 refreshes docs/screenshots/, which the README shows."""
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    page = browser.new_page(viewport={"width": 1000, "height": 1300})
    for name, shot in (("kaohsiung-cec/104/index.html", "plan-page.png"), ("kaohsiung-cec/104/diff.html", "review-page.png")):
        page.goto((site / name).as_uri())
        page.screenshot(path=str(folder / shot))
        assert (folder / shot).stat().st_size > 20_000


def test_a_broken_plan_is_reported_and_the_others_published(tmp_path):
    import shutil

    shutil.copytree(ROOT / "plans", tmp_path / "plans")
    (tmp_path / "plans/broken").mkdir()
    (tmp_path / "plans/broken/110.yaml").write_text("agency: 甲\nyear: 110\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "site", "--plans", str(tmp_path / "plans"),
                          "-o", str(tmp_path / "site"), "-j", "2"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 1 and "broken/110.yaml" in run.stderr and "title" in run.stderr
    index = (tmp_path / "site/index.html").read_text(encoding="utf-8")
    assert "keelung-cec/105/index.html" in index and "broken" not in index
