"""Plan import, stage 2: recognition — the blocks of a reader (pipeline/readers) → a Plan.

1. lines.py rejoins lines wrapped mid-sentence;
2. labels.py finds each line's numbering label, with the patterns of pipeline/numbering.py;
3. sections.py nests the lines by their labels and names the sections; references.py reads the basis,
   periods.py the period and the year, tables.py the tables, covers.py the title, agency and cover.
Whatever had to be guessed is listed in the report and marked in the YAML with `# 請確認:`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..conventions import fix_punctuation
from ..model import PARTS, Appendix, Plan, Section, Table
from ..readers import Block, NotAPlan
from ..tree import period_text
from .covers import identity
from .labels import label_of
from .lines import rejoin
from .periods import year_from_text
from .sections import Node, fill_sections, item_of, outline


@dataclass
class Imported:
    plan: Plan
    guesses: dict[str, str] = field(default_factory=dict)   # top-level key → what to check
    report: list[str] = field(default_factory=list)


def recognise(blocks: list[Block], source: str) -> Imported:
    first = next((i for i, b in enumerate(blocks) if b.table is None and label_of(b.text)
                  and label_of(b.text)[0] == "壹"), None)
    if first is None:
        raise NotAPlan(f"{source}: 找不到「壹、」這類的段落標題，看來不是一份計畫。 (no level-1 sections: not a plan?)")
    result = Imported(plan=None)
    head = [b for b in blocks[:first] if b.table is None]  # the cover and title: short lines, never rejoined
    for block in blocks:
        block.text = fix_punctuation(block.text)
        if block.table:
            block.table = [[cell if cell is None else fix_punctuation(cell) for cell in row] for row in block.table]
    nodes = outline(rejoin(blocks[first:]))
    sections = [n for n in nodes if n.style != "appendix"]
    plan = identity(head, result.report, result.guesses)
    fill_sections(plan, sections, result.report, result.guesses)
    for node in nodes:
        if node.style == "appendix":
            plan.appendices.append(_appendix(node))
            result.report.append(f"{node.text} → appendices（評核表等以一般項目匯入）")
            result.guesses["appendices"] = "附件中的評核表以一般項目與文字匯入，勾選框與配分請改寫成 forms"
    if not plan.year:
        plan.year = year_from_text(plan, [b.text for b in blocks])
    settle(plan, result)
    result.plan = plan
    return result


def _appendix(node: Node) -> Appendix:
    return Appendix(title=node.text, text="\n\n".join(c for c in node.children if isinstance(c, str)) or None,
                    items=[item_of(c, c.style) for c in node.children if isinstance(c, Node)],
                    table=next((c for c in node.children if isinstance(c, Table)), None))


def settle(plan: Plan, result: Imported) -> None:
    """What the loader would refuse is turned back into text the officer can check, so the YAML loads."""
    from ..loader import check_plan

    for problem in check_plan(plan):
        if problem.field.startswith("period") and plan.period is not None:
            plan.sections.insert(0, Section(title=plan.period.title or PARTS["period"], text=period_text(plan.period)))
            plan.period = None
            plan.order = [k for k in plan.order if k != "period"]
            if "sections" not in plan.order:
                plan.order.append("sections")
            result.guesses["sections"] = "計畫期程的日期不在計畫年度內，已改為一般段落，請核對年度與日期"
        elif problem.field.endswith(".points"):
            item = _at_path(plan, problem.field.rsplit(".", 1)[0])
            if item is not None and item.points is not None:
                item.title = f"{item.title}（{item.points} 分）" if item.title else item.title
                item.text = f"{item.text}（{item.points} 分）" if item.text and not item.title else item.text
                item.points = None
                result.guesses[problem.field.split(".")[0].split("[")[0]] = "配分加總與上層不符，已保留為文字，請核對"


def _at_path(root, path: str):
    """The object at a field path such as strategies.items[0].items[2]."""
    node = root
    for name, index in re.findall(r"([a-z_]+)(?:\[(\d+)\])?", path):
        node = getattr(node, name, None)
        if node is None:
            return None
        if index:
            node = node[int(index)] if int(index) < len(node) else None
    return node
