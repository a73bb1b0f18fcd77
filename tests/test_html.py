"""The HTML page: accessible structure, self-contained, and sanitised plan text."""
import re
from html.parser import HTMLParser

import pytest

from conftest import SEEDS
from render_helpers import document
from pipeline.loader import load_plan
from pipeline.tree import build_document
from pipeline.writers import html as writer


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.text: dict[str, list[str]] = {}
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data):
        for tag in self.open:
            self.text.setdefault(tag, []).append(data)

    def all(self, tag):
        return [attrs for t, attrs in self.elements if t == tag]


def parse(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    return parser


@pytest.mark.parametrize("agency,year", SEEDS)
def test_page_structure_is_accessible(outputs, agency, year):
    _, path = outputs(agency, year)
    page = open(path, encoding="utf-8").read()
    found = parse(page)
    assert found.all("html")[0]["lang"] == "zh-Hant-TW"
    assert len(found.all("h1")) == 1 and found.all("main")[0]["id"] == "main"
    assert found.all("a")[0]["href"] == "#main" and "skip-link" in found.all("a")[0]["class"]
    nav = found.all("nav")
    assert nav and nav[0]["aria-labelledby"] == "toc-heading"
    ids = {attrs["id"] for _, attrs in found.elements if "id" in attrs}
    toc_targets = [a["href"][1:] for a in found.all("a") if a.get("href", "").startswith("#") and a["href"] != "#main"]
    assert toc_targets and set(toc_targets) <= ids
    doc = document(agency, year)
    assert len(found.all("h2")) == 1 + len(doc.body) + len(doc.appendices)  # the TOC's own heading too
    for table in found.all("table"):
        assert table is not None
    assert len(found.all("caption")) == len(found.all("table"))
    assert all(th.get("scope") in ("col", "row") for th in found.all("th"))


@pytest.mark.parametrize("agency,year", SEEDS)
def test_page_fetches_nothing(outputs, agency, year):
    _, path = outputs(agency, year)
    page = open(path, encoding="utf-8").read()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<link" not in page and "<script" not in page and "@import" not in page
    assert "@media print" in page and "標楷體" in page.split("@media print")[1]


def test_row_spans_reach_the_page(outputs):
    _, path = outputs("fengshan-hr1", 97)
    spans = [td.get("rowspan") for td in parse(open(path, encoding="utf-8").read()).all("td") if td.get("rowspan")]
    assert spans == ["6", "4", "5", "5", "4"]


HOSTILE = """agency: 測試<script>alert(1)</script>機關
year: 103
title: 標題 <img src=x onerror=alert(1)>
goals:
  items:
    - "[點我](javascript:alert(1)) 與 [正常](https://www.gov.tw) **粗體**"
    - "<a href=\\"javascript:alert(2)\\" onclick=\\"x()\\">raw</a> & R&D a < b"
    - "[資料](data:text/html;base64,PHNjcmlwdD4=) <iframe src=//evil></iframe>"
"""


def test_markdown_is_rendered_and_sanitised(write_plan, tmp_path):
    out = tmp_path / "x.html"
    writer.write(build_document(load_plan(write_plan(HOSTILE))), str(out))
    page = open(out, encoding="utf-8").read()
    found = parse(page)
    hrefs = [a.get("href", "") for a in found.all("a")]
    assert "https://www.gov.tw" in hrefs
    assert not any(h.lower().startswith(("javascript:", "data:")) for h in hrefs)
    assert found.all("script") == [] and found.all("img") == [] and found.all("iframe") == []
    assert not any(k.startswith("on") for _, attrs in found.elements for k in attrs)
    assert "<strong>粗體</strong>" in page
    assert "R&amp;D a &lt; b" in page, "text characters are escaped, not lost"
