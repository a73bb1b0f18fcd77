"""Plan import: the outline — lines nested by their labels, sections named (計畫依據 → basis, …),
items with their titles, codes (A-1-1), points (（120 分）) and check boxes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import PARTS, Item, Numbering, Period, Plan, Section, Table
from ..numbering import next_style
from ..readers import Block
from .labels import label_of
from .periods import period_of
from .references import basis_of
from .tables import table_of

SECTION_WORDS = [("basis", ("依據",)), ("period", ("期程", "期間")), ("goals", ("目標",)),
                 ("targets", ("對象", "執行單位")), ("strategies", ("策略", "實施內容", "實施要項")),
                 ("steps", ("步驟", "實施方式", "分工")), ("assessment", ("評核", "考核", "管制"))]
POINTS = re.compile(r"[（(]\s*(\d+)\s*分\s*[）)]\s*$")
CODE = re.compile(r"^([A-Z]{1,2}(?:-\d+)+)\s+")
APPENDIX = re.compile(r"^(附表|附件|附錄)[\s　一二三四五六七八九十\d：:]")
CHECKS = (("□是□否", "是否"), ("☐是☐否", "是否"), ("□", "勾選"), ("☐", "勾選"))


@dataclass
class Node:
    style: str
    label: str
    text: str
    children: list = field(default_factory=list)
    table: Table | None = None


def outline(blocks: list[Block]) -> list[Node]:
    """Nest the lines by their labels: a label style already open closes what is below it."""
    root = Node("root", "", "")
    stack: list[Node] = [root]
    for block in blocks:
        if block.table is not None:
            stack[-1].children.append(table_of(block.table))
            continue
        if APPENDIX.match(block.text):
            node = Node("appendix", "", block.text)
            root.children.append(node)
            stack[:] = [root, node]
            continue
        found = label_of(block.text)
        if found is None:
            stack[-1].children.append(block.text)
            continue
        style, label, rest = found
        styles = [n.style for n in stack]
        if style in styles:
            del stack[styles.index(style):]
        node = Node(style, label, rest)
        stack[-1].children.append(node)
        stack.append(node)
    return [n for n in root.children if isinstance(n, Node)]


def walk(nodes):
    for node in nodes:
        if isinstance(node, Node):
            yield node
            yield from walk(node.children)


def fill_sections(plan: Plan, sections: list[Node], report, guesses) -> None:
    nodes = list(walk(sections))
    half = sum(1 for n in nodes if n.label.startswith("(")) > sum(1 for n in nodes if n.label.startswith("（"))
    three = "叁" if any(n.label.startswith("叁") for n in sections) else None
    plan.numbering = Numbering(parentheses="half" if half else None, three=three)
    used = set()
    for node in sections:
        key = section_key(node.text, used)
        section = section_of(node, key, report, guesses)
        if key == "period" and not isinstance(section, Period):  # no dates to read: an ordinary section
            key, section.title = "sections", section.title or PARTS["period"]
        if key not in plan.order:
            plan.order.append(key)  # sections keep the document's order
        if key == "sections":
            plan.sections.append(section)
            report.append(f"{node.label}{node.text} → sections（其他段落）")
        else:
            used.add(key)
            setattr(plan, key, section)
            report.append(f"{node.label}{node.text} → {key}")


def section_key(title: str, used: set[str]) -> str:
    for key, words in SECTION_WORDS:
        if key not in used and any(word in title[:12] for word in words):
            return key
    return "sections"


def section_of(node: Node, key: str, report, guesses) -> Section:
    title, inline = split_title(node.text)
    texts = ([inline] if inline else []) + [c for c in node.children if isinstance(c, str)]
    style = list_style(node.children, "一")
    items = [item_of(c, style or "一") for c in node.children if isinstance(c, Node)]
    tables = [c for c in node.children if isinstance(c, Table)]
    default = PARTS.get(key)
    common = dict(title=None if title == default else title, text="\n\n".join(texts) or None, items=items,
                  items_style=style, table=tables[0] if tables else None)
    if len(tables) > 1:
        guesses[key] = f"此段有 {len(tables)} 個表格，只保留第一個"
    if key == "basis":
        return basis_of(common, report, guesses)
    if key == "period":
        period = period_of(common, report, guesses)
        if period is not None:
            return period
    return Section(**common)


def split_title(text: str) -> tuple[str, str]:
    """「實施對象：本會各組」 → (「實施對象：」, 「本會各組」); a heading alone stays whole."""
    match = re.match(r"^(.{1,24}?[：:])(.+)$", text)
    if match and len(match.group(2)) > 0:
        return match.group(1), match.group(2).strip()
    return text, ""


def list_style(children: list, usual: str) -> str | None:
    """The style the children's labels use, when it is not the one that would follow anyway."""
    styles = [c.style for c in children if isinstance(c, Node)]
    if not styles or styles[0] == usual or styles[0].startswith("word"):
        return None
    return styles[0]


def item_of(node: Node, style: str) -> Item:
    text = node.text
    check = None
    for mark, kind in CHECKS:
        if text.startswith(mark):
            check, text = kind, text[len(mark):].strip()
            break
    code_match = CODE.match(text)
    code = code_match.group(1) if code_match else None
    if code_match:
        text = text[code_match.end():]
    points_match = POINTS.search(text)
    points = int(points_match.group(1)) if points_match else None
    if points_match:
        text = text[:points_match.start()].rstrip()
    paragraphs = [c for c in node.children if isinstance(c, str)]
    child_style = list_style(node.children, next_style(style))
    children = [item_of(c, child_style or next_style(style)) for c in node.children if isinstance(c, Node)]
    table = next((c for c in node.children if isinstance(c, Table)), None)
    if paragraphs or (children and not text.endswith("。")):
        return Item(title=text, text="\n\n".join(paragraphs) or None, code=code, points=points, items=children,
                    items_style=child_style, table=table, check=check)
    return Item(text=text, code=code, points=points, items=children, items_style=child_style, table=table,
                check=check)
