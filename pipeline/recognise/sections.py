"""Plan import: the outline — lines nested by their labels, sections named (計畫依據 → basis, …),
items with their titles, codes (A-1-1), points (（120 分）) and check boxes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import PARTS, Item, Numbering, Period, Plan, Section, Table
from ..numbering import STYLES, next_style
from ..readers import Block
from .labels import label_of, value_of
from .lines import APPENDIX
from .periods import period_of
from .references import basis_of
from .tables import table_of

SECTION_WORDS = [("basis", ("依據",)), ("period", ("期程", "期間")), ("goals", ("目標", "目的", "宗旨")),
                 ("targets", ("對象", "執行單位")), ("strategies", ("策略", "實施內容", "實施要項")),
                 ("steps", ("步驟", "實施方式", "分工")), ("assessment", ("評核", "考核", "管制"))]
POINTS = re.compile(r"[（(]\s*(\d+)\s*分\s*[）)]\s*$")
CODE = re.compile(r"^([A-Z]{1,2}(?:-\d+)+)\s+")
FENCE = "```"
CHECKS = (("□是□否", "是否"), ("☐是☐否", "是否"), ("□", "勾選"), ("☐", "勾選"))


@dataclass
class Node:
    style: str
    label: str
    text: str
    children: list = field(default_factory=list)
    table: Table | None = None
    body_indent: int | None = None   # where its wrapped lines start, in a text with indents


def outline(blocks: list[Block], guesses: dict | None = None) -> list[Node]:
    """Nest the lines by their labels: a label style already open closes what is below it. A code
    line without a label (「A-1-1-1 單一窗口服務」) is an unnumbered item: its children number afresh."""
    root = Node("root", "", "")
    stack: list[Node] = [root]
    unnumbered: list[str] = []
    indents = _indents_by_style(blocks)
    for block in blocks:
        if block.table is not None:
            stack[-1].children.append(table_of(block.table))
            continue
        if block.role == "pre":
            stack[-1].children.append(f"{FENCE}\n{block.text}\n{FENCE}")
            continue
        if APPENDIX.match(block.text):
            node = Node("appendix", "", block.text)
            root.children.append(node)
            stack[:] = [root, node]
            continue
        if block.role == "bullet" and len(stack) > 1:
            parent = stack[-1]   # a list item whose number was lost: the next level down
            style = next_style(parent.style) if parent.style in STYLES else "1"
            parent.children.append(Node(style, "", block.text))
            unnumbered.append(block.text)
            continue
        code = CODE.match(block.text)
        if code and not label_of(block.text) and len(stack) > 1:
            _close_codes(stack, code.group(1).count("-"))
            node = Node(f"code{code.group(1).count('-')}", "", block.text)
            stack[-1].children.append(node)
            stack.append(node)
            continue
        found = label_of(block.text)
        if found is None:
            _close_to_indent(stack, block.indent, indents)
            stack[-1].children.append(block.text)
            continue
        style, label, rest = found
        styles = [n.style for n in stack]
        if style in styles:
            del stack[styles.index(style):]
        node = Node(style, label, rest, body_indent=block.body_indent)
        stack[-1].children.append(node)
        stack.append(node)
    if unnumbered and guesses is not None:
        guesses["numbering"] = f"{len(unnumbered)} 個清單項目原文沒有編號（網頁清單），已當作下一層項目，請核對"
    return [n for n in root.children if isinstance(n, Node)]


def _indents_by_style(blocks: list[Block]) -> dict[str, int]:
    """Each label style's usual indent of wrapped lines, where the text shows its indents (a
    regulations site's: 一、 wrapped under four spaces, （一） under six)."""
    seen: dict[str, list[int]] = {}
    for block in blocks:
        found = label_of(block.text) if block.table is None and block.body_indent is not None else None
        if found:
            seen.setdefault(found[0], []).append(block.body_indent)
    return {style: max(set(values), key=values.count) for style, values in seen.items()}


def _close_to_indent(stack: list[Node], indent: int | None, indents: dict[str, int]) -> None:
    """A paragraph indented as a section's wrapped lines, after that section's items (less indented than
    the item above's lines), is the section's again: its closing paragraph. 「    屬跨機關執行之計畫…」
    after 「（二）…」 belongs to 二、, not to （二）."""
    if indent is None or len(stack) < 3:
        return
    section, top = stack[1], stack[-1]
    top_indent = top.body_indent if top.body_indent is not None else indents.get(top.style)
    section_indent = section.body_indent if section.body_indent is not None else indents.get(section.style)
    if section_indent is not None and top_indent is not None and indent == section_indent < top_indent:
        del stack[2:]


def _close_codes(stack: list[Node], depth: int) -> None:
    """Before a code line: close the code items at its depth or deeper, and everything inside them."""
    codes = [k for k, n in enumerate(stack) if n.style.startswith("code")]
    shallower = [k for k in codes if int(stack[k].style[4:]) < depth]
    if shallower:
        del stack[shallower[-1] + 1:]
    elif codes:
        del stack[codes[0]:]


def walk(nodes):
    for node in nodes:
        if isinstance(node, Node):
            yield node
            yield from walk(node.children)


def fill_sections(plan: Plan, sections: list[Node], report, guesses, top: str = "壹") -> None:
    used = set()
    count = 0
    for node in sections:
        key = section_key(node.text, used)
        if "sections" in plan.order:
            key = "sections"   # extra sections print where the first one was: what follows stays extra
        section = section_of(node, key, report, guesses, next_style(top))
        if node.label and value_of(node.label) != count + 1:
            section.label = node.label   # numbered as written (a plan cut from its first part, a skip)
        else:
            count += 1
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


def numbering_of(labels: list[tuple[str, str]], top: str) -> Numbering:
    """The agency's way of writing labels, from the (style, label) pairs the document uses — in its
    lines and in its table cells: (一) or （一）, 1. or 1、, 叁, and the top level."""
    half = sum(1 for _, l in labels if l.startswith("(")) > sum(1 for _, l in labels if l.startswith("（"))
    three = "叁" if any(l.startswith("叁") for _, l in labels) else None
    arabic = [l for style, l in labels if style == "1"]
    comma = sum(1 for a in arabic if a.endswith("、")) > len(arabic) / 2
    return Numbering(parentheses="half" if half else None, three=three, arabic="1、" if comma else None,
                     top="一" if top == "一" else None)


def written_labels(blocks: list[Block]) -> list[tuple[str, str]]:
    """Every label that opens a line or a table cell's paragraph."""
    texts = []
    for block in blocks:
        if block.table is not None:
            texts += [p for row in block.table for cell in row if cell for p in cell.split("\n")]
        elif block.role != "pre":
            texts.append(block.text)
    found = [label_of(t.strip()) for t in texts]
    return [(f[0], f[1]) for f in found if f and f[1]]


def section_key(title: str, used: set[str]) -> str:
    for key, words in SECTION_WORDS:
        if key not in used and any(word in title[:12] for word in words):
            return key
    return "sections"


def section_of(node: Node, key: str, report, guesses, usual: str = "一") -> Section:
    title, inline = split_title(node.text)
    if not title and key == "sections":   # a label with nothing after it (「貳、」 alone: a blank in a form)
        title = "（請填寫段落標題）"
        guesses["sections"] = "原文有只寫編號、沒有標題的段落，已填「（請填寫段落標題）」，請填寫或刪除"
    first_item = next((k for k, c in enumerate(node.children) if isinstance(c, Node)), len(node.children))
    texts = ([inline] if inline else []) + [c for c in node.children[:first_item] if isinstance(c, str)]
    closing = [c for c in node.children[first_item:] if isinstance(c, str)]
    style = list_style(node.children, usual)
    items = keep_written_labels([c for c in node.children if isinstance(c, Node)], style or usual)
    tables = [c for c in node.children if isinstance(c, Table)]
    default = PARTS.get(key)
    common = dict(title=None if title == default else title, text="\n\n".join(texts) or None, items=items,
                  items_style=style, table=tables[0] if tables else None, same_line=bool(inline),
                  closing="\n\n".join(closing) or None)
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
    styles = [c.style for c in children if isinstance(c, Node) and not c.style.startswith("code")]
    if not styles or styles[0] == usual or styles[0].startswith("word"):
        return None
    return styles[0]


def keep_written_labels(nodes: list[Node], style: str) -> list[Item]:
    """The items of a list; one whose label is not the next in sequence keeps its label as written."""
    items, count = [], 0
    for node in nodes:
        item = item_of(node, style)
        if item.label is None and node.label:
            if value_of(node.label) == count + 1:
                count += 1
            else:
                item.label = node.label
        elif item.label is None:
            count += 1
        items.append(item)
    return items


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
    children = keep_written_labels([c for c in node.children if isinstance(c, Node)], child_style or next_style(style))
    table = next((c for c in node.children if isinstance(c, Table)), None)
    label = "" if node.style.startswith("code") else None   # an unnumbered code item takes no number
    if paragraphs or (children and not text.endswith("。")):
        return Item(title=text, text="\n\n".join(paragraphs) or None, code=code, points=points, items=children,
                    items_style=child_style, table=table, check=check, label=label)
    return Item(text=text, code=code, points=points, items=children, items_style=child_style, table=table,
                check=check, label=label)
