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
