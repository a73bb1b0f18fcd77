"""The year-over-year review: crafted edits come out exactly, and nothing else does."""
import json
import re
import unicodedata
import zipfile
import random
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import ROOT, SEEDS, libreoffice_pdf
from pipeline.diff import _heaviest_increasing, compare, reading_keys, roll_years, whole_tokens
from pipeline.dump import to_yaml
from pipeline.loader import load_plan
from pipeline.model import Item
from pipeline.tree import build_document

BASE = (ROOT / "plans/kaohsiung-cec/103.yaml").read_text(encoding="utf-8")


def review(old_text: str, new_text: str):
    def doc(text):
        return build_document(load_plan("plan.yaml", text.encode("utf-8")))
    return compare(doc(old_text), doc(new_text), "old.yaml", "new.yaml")


def edited(*pairs):
    text = BASE
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


THIRD = "        - 善用傳播媒體及公聽會、說明會及大型活動等公眾場合，針對服務對象及業務特性擬定行銷策略，宣導選務重要措施。\n"
FIRST = "        - 考量民眾洽公之便利性及實用性，合宜改造服務場所，充實更新服務設施。\n"
FOURTH = "        - 結合企業、社會團體辦理或主動參與各項公益事務，擴散服務訊息及功能。\n"


def test_same_plan_has_no_changes():
    assert review(BASE, BASE).changes == []


@pytest.mark.parametrize("agency,year", SEEDS)
def test_each_seed_against_itself(agency, year):
    text = (ROOT / "plans" / agency / f"{year}.yaml").read_text(encoding="utf-8")
    assert review(text, text).changes == []


def test_item_inserted_mid_list_is_one_addition():
    result = review(BASE, edited((THIRD, "        - 定期辦理選務志工培訓。\n" + THIRD)))
    (change,) = result.changes
    assert (change.kind, change.old_path, change.new_path, change.new) == ("added", None, "伍、一、(三)", "定期辦理選務志工培訓。")


def test_item_deleted_is_one_removal():
    (change,) = review(BASE, edited((THIRD, ""))).changes
    assert (change.kind, change.old_path, change.new_path) == ("removed", "伍、一、(三)", None)
    assert change.old.startswith("善用傳播媒體")


def test_phrase_changed_is_one_modification_with_a_phrase_redline():
    (change,) = review(BASE, edited(("充實更新服務設施", "全面更新無障礙服務設施"))).changes
    assert (change.kind, change.old_path, change.new_path) == ("modified", "伍、一、(一)", "伍、一、(一)")
    assert change.redline() == [(0, "考量民眾洽公之便利性及實用性，合宜改造服務場所，"), (-1, "充實更新"),
                                (1, "全面更新無障礙"), (0, "服務設施。")]


def test_item_moved_to_the_end_of_its_list_is_one_move():
    (change,) = review(BASE, edited((FIRST, ""), (FOURTH, FOURTH + FIRST))).changes
    assert (change.kind, change.old_path, change.new_path) == ("moved", "伍、一、(一)", "伍、一、(四)")


def test_item_moved_to_another_parent_is_one_move():
    moved = "        - 本會應將中央選舉委員會評核結果、改進情形及本會自行評核結果，會知各組室。\n"
    text = edited(("      - 本會應將中央選舉委員會評核結果、改進情形及本會自行評核結果，會知各組室。\n", ""),
                  (FOURTH, FOURTH + moved))
    (change,) = review(BASE, text).changes
    assert (change.kind, change.old_path, change.new_path) == ("moved", "捌、二、", "伍、一、(五)")


def test_year_roll_is_only_year_changes():
    text = BASE.replace("year: 103", "year: 104").replace("103 年", "104 年").replace("103-01-01", "104-01-01")
    text = text.replace("103-12-31", "104-12-31")
    result = review(BASE, text)
    # the title, the plan's year itself, and three dated passages
    assert result.summary == {"added": 0, "removed": 0, "modified": 0, "moved": 0, "year": 5}
    assert [c.new_path for c in result.changes][:2] == ["標題", "年度"]
    title = result.changes[0]
    assert title.redline() == [(0, "高雄市選舉委員會 "), (-1, "103"), (1, "104"), (0, " 年提升服務品質執行計畫")]


def test_a_real_change_beside_a_year_change_is_modified():
    (change,) = review(BASE, edited(("應於今年 1 月底前完成", "應於今年 2 月底前完成"))).changes
    assert change.kind == "modified"


def test_roll_years_moves_only_years_near_the_plans():
    assert roll_years("103 年度計畫，依 96 年 7 月 23 日函", 103, 104) == "104 年度計畫，依 96 年 7 月 23 日函"
    assert roll_years("自 103-01-01 起，為期 1 年", 103, 105) == "自 105-01-01 起，為期 1 年"


def test_whole_tokens_widen_numbers():
    assert whole_tokens([(0, "第 10"), (-1, "3"), (1, "4"), (0, " 年")]) == [(0, "第 "), (-1, "103"), (1, "104"), (0, " 年")]


# Full-width forms, combining marks that compose with what precedes them, compatibility characters
# NFKC turns into spaces, and spaces themselves: what the one-pass reading keys must fold as NFKC does.
TRICKY = st.sampled_from(list("，（）：；！？ＡＺａｚ０９\u3000 \n\t\u00a0\u0301\u0308\u0345\u203e\ufb01\u2460eａ甲乙，。\0"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=TRICKY, max_size=6) | st.text(max_size=6), max_size=5))
@example(["a", "\u0301b"]).via("a mark that would compose with the character joining the texts")
def test_reading_keys_fold_each_text_as_nfkc_without_spaces(texts):
    assert reading_keys(texts) == [re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)) for text in texts]


def heaviest_increasing_by_every_pair(values, weights):
    """The plain quadratic search: each position extends its earliest best predecessor."""
    best, previous = list(weights), [-1] * len(values)
    for i in range(len(values)):
        for j in range(i):
            if values[j] < values[i] and best[j] + weights[i] > best[i]:
                best[i], previous[i] = best[j] + weights[i], j
    position, keep = max(range(len(values)), key=best.__getitem__, default=-1), set()
    while position >= 0:
        keep.add(position)
        position = previous[position]
    return keep


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.sampled_from([1000, 1001])), max_size=14,
                unique_by=lambda pair: pair[0]))
def test_siblings_kept_in_order_are_those_the_quadratic_search_keeps(pairs):
    values, weights = [v for v, _ in pairs], [w for _, w in pairs]
    assert _heaviest_increasing(values, weights) == heaviest_increasing_by_every_pair(values, weights)


def test_added_subtree_is_one_change():
    text = edited(("steps:\n  items:\n", "steps:\n  items:\n    - title: 新增章節\n      items: [甲事項, 乙事項]\n"))
    (change,) = review(BASE, text).changes
    assert change.kind == "added" and change.new == "新增章節\n甲事項\n乙事項"


# ---- property: random edits give counts by kind that match the edits made ---------------------

def leaves(items, path=()):
    for index, item in enumerate(items):
        if item.items:
            yield from leaves(item.items, path + (index,))
        else:
            yield item


@st.composite
def edit_scripts(draw):
    return [(draw(st.sampled_from(["add", "remove", "modify", "move"])), draw(st.integers(0, 10_000)))
            for _ in range(draw(st.integers(1, 4)))]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edit_scripts())
def test_counts_by_kind_match_random_edits(script):
    plan = load_plan("base.yaml", BASE.encode("utf-8"))
    lists = [s.items for s in plan.strategies.items] + [plan.assessment.items]
    expected = {"added": 0, "removed": 0, "modified": 0, "moved": 0, "year": 0}
    touched, added = set(), set()
    moved_in = set()  # one move per list: two moves in one list can undo each other, leaving fewer to report
    # Moves go last, and only where an original sibling follows: moving an item past siblings that are
    # later removed, or only past new ones, leaves it where it was among what both plans share.
    for action, seed in sorted(script, key=lambda step: step[0] == "move"):
        rng = random.Random(seed)
        items = rng.choice([lst for lst in lists if len(lst) >= 3])
        index = rng.randrange(len(items))
        if id(items[index]) in touched:
            continue
        if action == "add":
            new = Item(text=f"第 {seed} 號新增項目：擴大辦理線上申辦服務。")
            items.insert(index, new)
            touched.add(id(new))
            added.add(id(new))
        elif action == "remove":
            del items[index]
        elif action == "modify":
            items[index].text = items[index].text[:-1] + f"，並於每季檢討第 {seed} 次。"
            touched.add(id(items[index]))
        elif action == "move":
            if id(items) in moved_in or not any(id(later) not in added for later in items[index + 1:]):
                continue
            item = items.pop(index)
            items.append(item)
            touched.add(id(item))
            moved_in.add(id(items))
        expected[{"add": "added", "remove": "removed", "modify": "modified", "move": "moved"}[action]] += 1
    assert review(BASE, to_yaml(plan)).summary == expected


# ---- commands ----------------------------------------------------------------------------------

def plan(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_plan_new_then_diff_shows_year_changes_only(tmp_path):
    import shutil

    shutil.copytree(ROOT / "plans", tmp_path / "plans")
    (tmp_path / "plans/kaohsiung-cec/104.yaml").unlink()  # the committed example; made afresh here
    for agency, year in SEEDS:
        run = plan("new", agency, str(year + 1), cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        made = tmp_path / "plans" / agency / f"{year + 1}.yaml"
        result = plan("diff", f"plans/{agency}/{year}.yaml", str(made), "--format", "json", cwd=tmp_path)
        summary = json.loads(result.stdout)["summary"]
        assert summary["year"] >= 2 and sum(summary.values()) == summary["year"], (agency, summary)
        text = made.read_text(encoding="utf-8")
        assert "# 由 plan new" in text.splitlines()[0]
        loaded = load_plan(str(made))
        assert loaded.year == year + 1 and loaded.issued is None
        if loaded.period:
            assert loaded.period.start.year == year + 1
        if loaded.basis:
            original = load_plan(str(ROOT / "plans" / agency / f"{year}.yaml")).basis
            assert loaded.basis.references == original.references, "the documents it is based on stay"
    again = plan("new", "kaohsiung-cec", "104", cwd=tmp_path)
    assert again.returncode == 2 and "已經存在" in again.stderr
    none = plan("new", "kaohsiung-cec", "90", cwd=tmp_path)
    assert none.returncode == 2 and "沒有" in none.stderr


def test_the_committed_example_shows_a_real_review():
    run = plan("diff", "plans/kaohsiung-cec/103.yaml", "plans/kaohsiung-cec/104.yaml", "--format", "json")
    data = json.loads(run.stdout)
    assert data["summary"] == {"added": 1, "removed": 1, "modified": 2, "moved": 1, "year": 5}
    assert set(data) == {"old", "new", "changes", "summary"}
    assert all(set(c) == {"kind", "old_path", "new_path", "old", "new"} for c in data["changes"])


def test_diff_writes_several_formats_and_they_open(tmp_path):
    run = plan("diff", "plans/kaohsiung-cec/103.yaml", "plans/kaohsiung-cec/104.yaml",
               "--format", "html,docx,json,text", "-o", str(tmp_path / "review.html"))
    assert run.returncode == 0, run.stderr
    page = (tmp_path / "review.html").read_text(encoding="utf-8")
    assert '<html lang="zh-Hant-TW">' in page and page.count('<article id="change-') == 10
    assert "<ins>" in page and "<del>" in page and 'id="hide-year"' in page
    assert json.loads((tmp_path / "review.json").read_text(encoding="utf-8"))["summary"]["moved"] == 1
    assert (tmp_path / "review.txt").read_text(encoding="utf-8").startswith("比較 ")
    import docx

    table = docx.Document(str(tmp_path / "review.docx")).tables[0]
    assert [c.text for c in table.rows[0].cells] == ["修正規定", "現行規定", "說明"]
    assert len(table.rows) == 1 + 10
    targets = next(r for r in table.rows if r.cells[0].text.startswith("肆、"))
    assert "第二組" in targets.cells[0].text and "第二組" not in targets.cells[1].text
    assert targets.cells[2].text.startswith("第二組辦理")
    underlined = [r.text for p in targets.cells[0].paragraphs for r in p.runs if r.underline]
    assert underlined == ["第二組、"]
    struck = [r.text for row in table.rows for p in row.cells[1].paragraphs for r in p.runs if r.font.strike]
    assert "行政院研考" in struck


@pytest.mark.parametrize("fmt", ["docx", "tracked"])
def test_review_documents_open_in_libreoffice(tmp_path, fmt):
    out = tmp_path / f"review-{fmt}.docx"
    assert plan("diff", "plans/kaohsiung-cec/103.yaml", "plans/kaohsiung-cec/104.yaml", "--format", fmt,
                "-o", str(out)).returncode == 0
    libreoffice_pdf(out, tmp_path)


def test_diff_of_a_bad_plan_names_the_problem(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("agency: 甲\nyear: 103\n", encoding="utf-8")
    run = plan("diff", "plans/kaohsiung-cec/103.yaml", str(bad))
    assert run.returncode == 1 and "title" in run.stderr and "Traceback" not in run.stderr


def test_make_plan_writes_the_review_when_last_year_exists(tmp_path):
    run = plan("make", "kaohsiung-cec", "104", "-o", str(tmp_path))
    assert run.returncode == 0, run.stderr
    names = sorted(p.name for p in (tmp_path / "kaohsiung-cec/104").iterdir() if not p.name.startswith("."))
    assert names == ["diff.docx", "diff.html", "diff.json", "diff.tracked.docx", "plan.docx", "plan.html"]
    first = plan("make", "kaohsiung-cec", "103", "-o", str(tmp_path))
    assert not (tmp_path / "kaohsiung-cec/103/diff.html").exists() and first.returncode == 0


# ---- the new plan with Word tracked changes -------------------------------------------------------

def resolved_text(path, accept: bool) -> str:
    """The document's text after accepting (or rejecting) every tracked change, as Word would."""
    from likeness import normalise
    from review_marks import paragraphs, resolve

    return normalise("".join(paragraphs(resolve(path, accept))))


def test_tracked_changes_accept_to_the_new_plan_and_reject_to_the_old(tmp_path):
    from likeness import docx_text
    from pipeline.writers import docx as plan_docx

    run = plan("diff", "plans/kaohsiung-cec/103.yaml", "plans/kaohsiung-cec/104.yaml", "--format", "tracked",
               "-o", str(tmp_path / "tracked.docx"))
    assert run.returncode == 0, run.stderr
    tracked = tmp_path / "tracked.docx"
    xml = zipfile.ZipFile(tracked).read("word/document.xml").decode("utf-8")
    assert xml.count("<w:ins ") > 5 and xml.count("<w:del ") > 5 and "<w:delText" in xml
    for year in (103, 104):
        plan_docx.write(build_document(load_plan(str(ROOT / f"plans/kaohsiung-cec/{year}.yaml"))), str(tmp_path / f"{year}.docx"))
    accepted, rejected = resolved_text(tracked, True), resolved_text(tracked, False)
    assert accepted == docx_text(str(tmp_path / "104.docx")), "accepting everything gives this year's plan"
    assert "結合企業、社會團體辦理" in rejected and "行政院研考會" in rejected and "103年提升服務品質" in rejected
    assert "臉書粉絲專頁" not in rejected and "國家發展委員會" not in rejected
    assert rejected == docx_text(str(tmp_path / "103.docx")), "rejecting everything gives last year's, labels included"



def test_plan_new_leaves_last_years_issuing_verb_as_a_hint(tmp_path):
    folder = tmp_path / "plans" / "some-school"
    folder.mkdir(parents=True)
    (folder / "113.yaml").write_text(
        "agency: 某國小\nyear: 113\ntitle: 某國小113年度閱讀推動實施計畫\n"
        "issued:\n  date: 113-02-01\n  number: 中市某國小教字第 1130000123 號\n  verb: 函核定\n"
        "goals: 培養閱讀習慣。\n", encoding="utf-8")
    run = plan("new", "some-school", "114", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    text = (folder / "114.yaml").read_text(encoding="utf-8")
    hint = [line for line in text.splitlines() if line.startswith("# issued:")]
    assert hint and "去年是「函核定」" in hint[0], text
    assert load_plan(str(folder / "114.yaml")).issued is None
