"""Properties of the review's documents on random valid plans: tables whose cells hold numbered items,
Markdown, deep nesting. Every such plan renders in DOCX, ODT and HTML; a random year-over-year edit
gives a tracked DOCX whose Accept All is the new plan and whose Reject All is the old one."""
import copy

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from review_marks import paragraphs, plain_paragraphs, resolve
from test_properties import plans, words
from pipeline.diff import compare
from pipeline.dump import to_yaml
from pipeline.loader import load_plan
from pipeline.model import Cell, Item, Table
from pipeline.review.documents import comparison, tracked
from pipeline.tree import build_document
from pipeline.writers import writer

MARKDOWN = st.sampled_from(["**重點**", "*強調*", "[服務網](https://www.gov.tw)", "`A-1`", "R&D a < b"])
marked_words = st.builds(lambda a, m, b: f"{a}{m}{b}", words, MARKDOWN, words)
text = words | marked_words


def deep_items(depth: int):
    children = st.just([]) if depth == 0 else st.lists(st.deferred(lambda: deep_items(depth - 1)), max_size=2)
    return st.builds(Item, title=st.none() | text, text=st.none() | text, items=children)


def cells(columns: int):
    cell = st.builds(Cell, text=st.none() | text, items=st.lists(deep_items(2), max_size=2))
    return st.lists(cell, min_size=columns, max_size=columns)


tables_with_items = st.integers(1, 3).flatmap(lambda n: st.builds(
    Table, columns=st.lists(words.filter(str.strip), min_size=n, max_size=n),
    rows=st.lists(cells(n), min_size=1, max_size=3)))


@st.composite
def rich_plans(draw):
    plan = draw(plans())
    sections = [s for _, s in plan.ordered_sections() if hasattr(s, "items")]
    if sections:
        target = draw(st.sampled_from(sections))
        target.items = draw(st.lists(deep_items(5), min_size=1, max_size=3))
        target.table = draw(tables_with_items)
    text = to_yaml(plan)
    return load_plan("plan.yaml", text.encode("utf-8"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rich_plans())
def test_every_valid_plan_renders_in_docx_odt_and_html(tmp_path_factory, plan):
    folder = tmp_path_factory.mktemp("render")
    document = build_document(plan)
    for fmt in ("docx", "odt", "html"):
        target = folder / f"plan.{fmt}"
        writer(fmt).write(document, str(target))
        assert target.stat().st_size > 500
    page = (folder / "plan.html").read_text(encoding="utf-8")
    if "**重點**" in to_yaml(plan):
        assert "<strong>重點</strong>" in page, "Markdown is read once, at the tree stage"


def all_lists(plan):
    found = []

    def walk(items):
        found.append(items)
        for item in items:
            walk(item.items)

    for _, section in plan.ordered_sections():
        if hasattr(section, "items"):
            walk(section.items)
    return [lst for lst in found if lst is not None]


@st.composite
def year_pairs(draw):
    old = draw(rich_plans())
    new = copy.deepcopy(old)
    assume(all_lists(new))
    for _ in range(draw(st.integers(1, 4))):
        lists = [lst for lst in all_lists(new)]
        chosen = draw(st.sampled_from(lists))
        action = draw(st.sampled_from(["insert", "delete", "move", "edit"]))
        if action == "insert":
            chosen.insert(draw(st.integers(0, len(chosen))), Item(text=draw(text)))
        elif chosen and action == "delete":
            del chosen[draw(st.integers(0, len(chosen) - 1))]
        elif chosen and action == "move":
            item = chosen.pop(draw(st.integers(0, len(chosen) - 1)))
            target = draw(st.sampled_from(all_lists(new)))
            target.insert(draw(st.integers(0, len(target))), item)
        elif chosen and action == "edit":
            item = draw(st.sampled_from(chosen))
            item.text = (item.text or "") + draw(text)
    new = load_plan("new.yaml", to_yaml(new).encode("utf-8"))
    return old, new


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(year_pairs())
def test_accept_all_and_reject_all_on_random_edits(tmp_path_factory, pair):
    folder = tmp_path_factory.mktemp("tracked")
    old_doc, new_doc = (build_document(p) for p in pair)
    review = compare(old_doc, new_doc, "old", "new")
    paths = {}
    for name, document in (("old", old_doc), ("new", new_doc), ("tracked", tracked(review))):
        paths[name] = folder / f"{name}.docx"
        writer("docx").write(document, str(paths[name]))
    assert paragraphs(resolve(paths["tracked"], accept=True)) == plain_paragraphs(paths["new"])
    assert paragraphs(resolve(paths["tracked"], accept=False)) == plain_paragraphs(paths["old"])
    for fmt in ("odt", "html"):
        writer(fmt).write(tracked(review), str(folder / f"tracked.{fmt}"))
        writer(fmt).write(comparison(review), str(folder / f"comparison.{fmt}"))


def test_reject_all_puts_a_removed_item_back_between_the_table_and_the_closing(tmp_path):
    """Found by the property above: with no earlier item left, a removed item went back after the closing."""
    head = "agency: 甲\nyear: 103\ntitle: 乙\ngoals:\n"
    tail = "  table:\n    columns: [欄]\n    rows:\n      - [格]\n  closing: 結語\n"
    pair = [load_plan(f"{name}.yaml", (head + items + tail).encode("utf-8"))
            for name, items in (("old", "  items:\n    - 刪去的項目\n"), ("new", ""))]
    old_doc, new_doc = (build_document(p) for p in pair)
    review = compare(old_doc, new_doc, "old", "new")
    writer("docx").write(old_doc, str(tmp_path / "old.docx"))
    writer("docx").write(tracked(review), str(tmp_path / "tracked.docx"))
    rejected = paragraphs(resolve(tmp_path / "tracked.docx", accept=False))
    assert rejected == plain_paragraphs(tmp_path / "old.docx")
    assert rejected.index("結語") > [i for i, p in enumerate(rejected) if "刪去的項目" in p][0]
