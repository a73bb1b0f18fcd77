"""Diff speed: two plans k times the size of kaohsiung-cec 103 with a few edits, against difflib.

The enlarged plan repeats each section k times with its text made distinct (so nothing aligns by
accident), then the new one gets one phrase change, one insertion, one deletion and one move.
"""
from __future__ import annotations

import copy
import difflib
import statistics
import time
from pathlib import Path

from pipeline.diff import compare, units_of
from pipeline.loader import load_plan
from pipeline.model import Item, Section
from pipeline.tree import build_document

ROOT = Path(__file__).resolve().parent.parent


def enlarged(times: int):
    plan = load_plan(str(ROOT / "plans/kaohsiung-cec/103.yaml"))
    extra = []
    for k in range(1, times):
        for key, section in plan.ordered_sections():
            clone = copy.deepcopy(section)
            title = plan.section_title(key, section)
            extra.append(Section(title=f"{title}（第 {k} 部分）", text=_tag(section.text, k),
                                 items=[_tagged(i, k) for i in clone.items]))
    plan.sections = plan.sections + extra
    return plan


def _tag(text, k):
    return f"{text}（第 {k} 部分）" if text else text


def _tagged(item: Item, k: int) -> Item:
    item.title, item.text = _tag(item.title, k), _tag(item.text, k)
    item.items = [_tagged(child, k) for child in item.items]
    return item


def edited(plan):
    plan = copy.deepcopy(plan)
    lists = [s.items for _, s in plan.ordered_sections() if s.items and s.items[0].items]
    middle = lists[len(lists) // 2][0].items
    middle[0].text = middle[0].text.replace("考量", "全面考量")
    middle.insert(1, Item(text="新增：定期辦理選務志工培訓。"))
    del lists[-1][0].items[-1]
    first = lists[1][0].items
    first.append(first.pop(0))
    return plan


def flat_text(doc) -> str:
    return "\n".join(unit.text for unit in units_of(doc))


def timing(action, runs: int = 5) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def run(sizes=(1, 5, 20)) -> list[tuple]:
    rows = []
    for times in sizes:
        old_plan = enlarged(times)
        old_doc, new_doc = build_document(old_plan), build_document(edited(old_plan))
        units = len(units_of(old_doc))
        old_text, new_text = flat_text(old_doc), flat_text(new_doc)

        def ours():
            review = compare(old_doc, new_doc)
            for change in review.changes:
                change.redline()
            return review

        review = ours()
        ours_time = timing(ours)
        difflib_time = timing(lambda: difflib.SequenceMatcher(None, old_text, new_text, autojunk=False).get_opcodes(),
                              runs=1 if times >= 20 else 3)
        rows.append((times, units, len(old_text), ours_time, difflib_time, review.summary))
    return rows


# ---- two unrelated plans: nothing aligns, so every unit looks for a similar one ---------------------

WORDS = ("服務", "品質", "民眾", "申辦", "流程", "簡化", "便民", "措施", "推動", "辦理", "機關", "資訊", "網站", "檢討",
         "改善", "滿意度", "調查", "訓練", "同仁", "櫃台", "電話", "禮貌", "創新", "整合", "資源", "宣導", "活動", "成效",
         "評核", "獎勵", "標準", "作業", "時限", "案件", "系統", "線上", "查詢", "回應", "意見", "陳情", "處理", "追蹤")


def unrelated(items: int, seed: int):
    """A plan of `items` items (ten sections of items with sub-items) whose sentences come from `seed`."""
    import random

    from pipeline.model import Plan, Section

    rng = random.Random(seed)

    def sentence() -> str:
        return "".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))) + "。"

    sections, made = [], 0
    per_section = max(1, items // 10)
    while made < items:
        top = []
        while len(top) * 4 < per_section and made < items:
            children = [Item(text=sentence()) for _ in range(min(3, items - made - 1))]
            top.append(Item(title=sentence()[:8], text=sentence(), items=children))
            made += 1 + len(children)
        sections.append(Section(title=f"第 {len(sections) + 1} 段", items=top))
    plan = Plan(agency="測試機關", year=103, title=["測試計畫"], sections=sections)
    plan.order = ["sections"]
    return plan


def run_unrelated(sizes=((1000, 1000), (1000, 3000), (3000, 3000))) -> list[tuple]:
    rows = []
    for old_items, new_items in sizes:
        old_doc, new_doc = build_document(unrelated(old_items, 1)), build_document(unrelated(new_items, 2))
        review = None

        def ours():
            nonlocal review
            review = compare(old_doc, new_doc)

        rows.append((len(units_of(old_doc)), len(units_of(new_doc)), timing(ours, runs=1), review.summary))
    return rows
