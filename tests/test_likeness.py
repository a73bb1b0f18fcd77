"""Each seed plan, rendered, reads like the published plan it came from."""
import re
import unicodedata

import pytest

from conftest import ROOT, SEEDS
from likeness import docx_text, html_text, likeness, seed_text
from render_helpers import document

THRESHOLD = 0.95
LEVEL_ONE = re.compile(r"^[\s#*\-]*([壹貳參叁肆伍陸柒捌玖拾]+、[^\n]*?)\s*(\*\*)?\s*$", re.M)


def seed(agency, year):
    return (ROOT / "tests" / "fixtures" / f"{agency}-{year}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("agency,year", SEEDS)
def test_docx_reads_like_the_seed(outputs, agency, year):
    path, _ = outputs(agency, year)
    assert likeness(seed_text(seed(agency, year)), docx_text(path)) >= THRESHOLD


@pytest.mark.parametrize("agency,year", SEEDS)
def test_html_reads_like_the_seed(outputs, agency, year):
    _, path = outputs(agency, year)
    assert likeness(seed_text(seed(agency, year)), html_text(open(path, encoding="utf-8").read())) >= THRESHOLD


def squeeze(text):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("*", "")


@pytest.mark.parametrize("agency,year", SEEDS)
def test_level_one_headings_are_the_seeds(agency, year):
    """Same labels (叁 stays 叁) and the same titles, in the same order (a seed may wrap a long one)."""
    wanted = [squeeze(m.group(1)) for m in LEVEL_ONE.finditer(seed(agency, year))]
    rendered = [squeeze(s.label + s.heading) for s in document(agency, year).body]
    assert len(rendered) == len(wanted)
    for mine, theirs in zip(rendered, wanted):
        assert mine.split("、")[0] == theirs.split("、")[0]
        assert mine.startswith(theirs), (mine, theirs)


def test_the_measure_can_fail():
    text = seed_text(seed("kaohsiung-cec", 103))
    assert likeness(text, text[: len(text) // 2]) < THRESHOLD
