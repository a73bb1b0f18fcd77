"""Properties: any plan survives model → YAML → model; mutated files fail only with the project's error."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, SEEDS
from pipeline.dump import to_yaml
from pipeline.errors import PlanProblems
from pipeline.loader import load_plan
from pipeline.model import Basis, Cell, Item, Numbering, Period, Plan, Reference, Section, Table
from pipeline.rocdate import RocDate
from pipeline.tree import build_document

ALPHABET = st.sampled_from(list("計畫服務品質提升民眾機關一二三，。、：；「」（）abcXYZ0123456789 -*#:'\"!?&<>\n"))
words = st.text(ALPHABET, min_size=1, max_size=24)
maybe = lambda strategy: st.none() | strategy  # noqa: E731


def items(depth: int):
    children = st.just([]) if depth == 0 else st.lists(st.deferred(lambda: items(depth - 1)), max_size=3)
    return st.builds(Item, title=maybe(words), text=maybe(words), code=maybe(words), note=maybe(words),
                     check=maybe(st.sampled_from(["是否", "勾選"])), items=children)


sections = st.builds(Section, title=maybe(words), text=maybe(words), same_line=st.booleans(),
                     items=st.lists(items(3), max_size=3), closing=maybe(words))
tables = st.integers(1, 3).flatmap(lambda n: st.builds(
    Table, columns=st.lists(words, min_size=n, max_size=n),
    rows=st.lists(st.lists(st.builds(Cell, text=maybe(words)), min_size=n, max_size=n), max_size=3)))


@st.composite
def plans(draw):
    year = draw(st.integers(1, 200))
    start = RocDate(year, draw(st.integers(1, 6)), draw(st.integers(1, 28)))
    end = RocDate(year, draw(st.integers(7, 12)), draw(st.integers(1, 28)))
    refs = st.lists(st.builds(Reference, issuer=words, number=maybe(words), verb=maybe(words),
                              document=maybe(words)), max_size=2)
    plan = Plan(
        agency=draw(words), year=year, title=draw(st.lists(words.filter(lambda w: "\n" not in w and w.strip()),
                                                           min_size=1, max_size=2)).copy(),
        numbering=draw(st.builds(Numbering, three=maybe(st.sampled_from(["參", "叁"])),
                                 parentheses=maybe(st.sampled_from(["full", "half"])))),
        basis=draw(maybe(st.builds(Basis, references=refs, style=st.sampled_from(["sentence", "list"])))),
        period=draw(maybe(st.just(Period(start=start, end=end)))),
        goals=draw(maybe(sections)), strategies=draw(maybe(sections.flatmap(
            lambda s: tables.map(lambda t: Section(title=s.title, text=s.text, items=s.items, table=t))))),
        sections=draw(st.lists(sections.filter(lambda s: s.title), max_size=2)),
    )
    plan.title = [t.strip() for t in plan.title]
    plan.order = [k for k in ("basis", "period", "goals", "strategies", "sections") if getattr(plan, k)]
    return plan


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_model_to_yaml_to_model(plan):
    text = to_yaml(plan)
    again = load_plan("roundtrip.yaml", text.encode("utf-8"))
    assert again == plan
    assert again.order == plan.order


SEED_TEXTS = [(ROOT / "plans" / a / f"{y}.yaml").read_text(encoding="utf-8") for a, y in SEEDS]


@st.composite
def mutated(draw):
    lines = draw(st.sampled_from(SEED_TEXTS)).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "insert", "swap", "truncate"]))
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "indent":
            lines[i] = "  " + lines[i]
        elif action == "dedent":
            lines[i] = lines[i].lstrip(" ")
        elif action == "insert":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(st.text(st.sampled_from(list(":-[]{}&*!|>'\"#%@`\t\x00\x07,?~0123456789"
                                                                         "是否年月日")), max_size=4)) + lines[i][at:]
        elif action == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "truncate":
            lines = lines[:i]
    return "".join(lines).encode("utf-8")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_files_raise_only_plan_problems(data):
    try:
        plan = load_plan("mutated.yaml", data)
    except PlanProblems as problems:
        assert problems.problems, "a failure always names at least one problem"
        assert all(p.where.line >= 1 and p.where.col >= 1 for p in problems.problems)
        return
    build_document(plan)
