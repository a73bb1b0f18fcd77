"""Builds the seed plans once per test session for the rendering tests."""
from functools import lru_cache
from pathlib import Path

from conftest import ROOT
from pipeline.loader import load_plan
from pipeline.tree import build_document
from pipeline.writers import docx, html


@lru_cache(maxsize=None)
def document(agency: str, year: int):
    return document_at(ROOT / "plans" / agency / f"{year}.yaml")


def document_at(path: Path):
    return build_document(load_plan(str(path)))


@lru_cache(maxsize=None)
def rendered(agency: str, year: int, out: str) -> tuple[str, str]:
    folder = Path(out) / agency
    folder.mkdir(parents=True, exist_ok=True)
    doc = document(agency, year)
    docx.write(doc, str(folder / "plan.docx"))
    html.write(doc, str(folder / "plan.html"))
    return str(folder / "plan.docx"), str(folder / "plan.html")
