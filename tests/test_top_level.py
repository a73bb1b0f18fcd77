"""Plans numbered from 一、 at the top level (numbering.top: 一): 一、→（一）→ 1. in every output."""
import json
import re
import subprocess
import sys
import zipfile
import pytest

from conftest import ROOT
from likeness import docx_text, html_text, normalise, odt_text
from pipeline.loader import load_plan
from pipeline.numbering import NumberingOptions, label, next_style
from pipeline.tree import build_document

PAIR = ROOT / "tests/fixtures/top_level/yangmei-hro"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=300)


def document(year: int):
    return build_document(load_plan(str(PAIR / f"{year}.yaml")))


def test_sections_are_numbered_from_one_and_items_follow():
    doc = document(111)
    assert [s.label for s in doc.body] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    ways = doc.body[4]
    assert [c.label for c in ways.children] == ["(一)", "(二)", "(三)"]
    assert [c.label for c in ways.children[1].children] == ["1.", "2."]
    assert ways.children[1].children[1].path == "五、(二)2."


def test_the_default_stays_the_legal_numerals():
    text = (PAIR / "111.yaml").read_text(encoding="utf-8").replace("  top: 一\n", "")
    doc = build_document(load_plan("plan.yaml", text.encode("utf-8")))
    assert doc.body[0].label == "壹、" and doc.body[2].children[0].label == "一、"


def test_numbering_options_name_the_top_style():
    assert NumberingOptions().top == "壹"
    options = NumberingOptions(top="一")
    assert label(options.top, 11, options) == "十一、" and next_style(options.top) == "（一）"


def test_validate_accepts_the_layout_and_refuses_an_unknown_top(tmp_path):
    assert run("validate", PAIR / "111.yaml", PAIR / "112.yaml").returncode == 0
    bad = (PAIR / "111.yaml").read_text(encoding="utf-8").replace("top: 一", "top: 甲")
    (tmp_path / "bad.yaml").write_text(bad, encoding="utf-8")
    result = run("validate", tmp_path / "bad.yaml")
    assert result.returncode == 1 and "numbering.top" in result.stdout + result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("top")
    result = run("build", PAIR / "111.yaml", "-o", out, "--format", "docx,html,odt")
    assert result.returncode == 0, result.stderr
    return out


def _labels_in_order(text: str) -> list[str]:
    return re.findall(r"[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|(?<![\d.])\d\.", text)


EXPECTED = ["一、", "二、", "三、", "(一)", "(二)", "四、", "(一)", "(二)", "五、", "(一)", "(二)", "1.", "2.",
            "(三)", "六、"]


def test_docx_prints_the_labels_in_order(built):
    assert _labels_in_order(docx_text(str(built / "plan.docx"))) == [normalise(x) for x in EXPECTED]
    with zipfile.ZipFile(built / "plan.docx") as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    assert "壹、" not in xml and "一、" in xml


def test_html_prints_the_labels_in_order(built):
    text = html_text((built / "plan.html").read_text(encoding="utf-8"))
    assert _labels_in_order(text) == [normalise(x) for x in EXPECTED]


def test_odt_prints_the_labels_in_order(built):
    text = odt_text(str(built / "plan.odt"))
    assert _labels_in_order(text) == [normalise(x) for x in EXPECTED]


def test_diff_paths_use_the_plans_own_labels():
    result = run("diff", PAIR / "111.yaml", PAIR / "112.yaml", "--format", "json")
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)["changes"]
    assert [(c["kind"], c["new_path"]) for c in changes] == [("year", "年度"), ("added", "三、(三)"), ("modified", "六、")]


def test_plan_new_keeps_the_layout_and_changes_only_the_year(tmp_path):
    plans = tmp_path / "plans" / "yangmei-hro"
    plans.mkdir(parents=True)
    (plans / "111.yaml").write_bytes((PAIR / "111.yaml").read_bytes())
    result = run("new", "yangmei-hro", "112", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    new = (plans / "112.yaml").read_text(encoding="utf-8")
    assert "top: 一" in new
    doc = build_document(load_plan(str(plans / "112.yaml")))
    assert doc.body[0].label == "一、" and doc.year == 112
    diff = run("diff", plans / "111.yaml", plans / "112.yaml", "--format", "json", cwd=tmp_path)
    assert json.loads(diff.stdout)["summary"]["added"] == 0


def test_site_pages_show_the_layout(tmp_path):
    plans = tmp_path / "plans" / "yangmei-hro"
    plans.mkdir(parents=True)
    for year in (111, 112):
        (plans / f"{year}.yaml").write_bytes((PAIR / f"{year}.yaml").read_bytes())
    result = run("site", "--plans", tmp_path / "plans", "-o", tmp_path / "site", "-j", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site/yangmei-hro/112/index.html").read_text(encoding="utf-8")
    assert "三、" in page and "壹、" not in page
    review = next((tmp_path / "site/yangmei-hro/112").glob("diff*.html"))
    assert "三、(三)" in review.read_text(encoding="utf-8")


def test_schema_offers_the_top_style():
    schema = json.loads((ROOT / "schema/plan.schema.json").read_text(encoding="utf-8"))
    numbering = json.dumps(schema, ensure_ascii=False)
    assert '"top"' in numbering and '"一"' in numbering
    assert "top" in (ROOT / "docs/fields.md").read_text(encoding="utf-8")
