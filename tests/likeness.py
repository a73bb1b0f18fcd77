"""How closely a rendered plan reads like its seed: the measure the rendering tests use.

Seed texts keep their extraction's residue (Markdown marks, <p> tags, list dashes); that residue is
removed first, then both sides are NFKC-normalised with all whitespace dropped and compared with
difflib (autojunk off, which Chinese text needs).
"""
from __future__ import annotations

import difflib
import re
import unicodedata
import zipfile
from html.parser import HTMLParser

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text)


def seed_text(raw: str) -> str:
    """A seed's plan text without its extraction residue."""
    text = re.sub(r"<[^>]+>", "", raw)
    text = re.sub(r"^\s*#+\s*", "", text, flags=re.M)
    text = re.sub(r"^\s*-\s+", "", text, flags=re.M)
    text = text.replace("**", "")
    return normalise(text)


def docx_text(path: str) -> str:
    """Body text of a DOCX in reading order (paragraphs and tables as Word stores them)."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    return normalise("".join(node.text or "" for node in root.iter(f"{W}t")))


class _MainText(HTMLParser):
    """Text of a plan page's cover and main content (not its navigation: skip link, table of contents)."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.skipping = 0  # depth inside a <nav>
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if self.depth or tag == "main" or (tag == "header" and "cover" in classes):
            self.depth += 1
            if self.skipping or tag == "nav":
                self.skipping += 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
            if self.skipping:
                self.skipping -= 1

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_data(self, data):
        if self.depth and not self.skipping:
            self.parts.append(data)


def html_text(page: str) -> str:
    parser = _MainText()
    parser.feed(page)
    return normalise("".join(parser.parts))


def likeness(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def odt_text(path: str) -> str:
    """Body text of an ODT in reading order."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("content.xml"))
    office = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
    body = root.find(f"{office}body")
    return normalise("".join(body.itertext()))


def pdf_text(path: str) -> str:
    """The PDF's text layer in content order (-raw: table cells whole), less the page footers."""
    import subprocess

    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", path, "-"], capture_output=True, text=True, check=True).stdout
    return normalise(re.sub(r"第\s*\d+\s*頁\s*[，,]\s*共\s*\d+\s*頁", "", text))
