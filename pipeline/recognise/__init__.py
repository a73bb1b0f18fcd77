"""Plan import, stage 2: recognition — the blocks of a reader (pipeline/readers) → a Plan.

1. labels.py cuts lines at the labels inside them that the sequence confirms (a whole document on
   one line); tables.py rebuilds tables extracted one cell per line; list items whose numbers were
   lost are numbered (一、（一）) and marked for checking;
2. the first top-level label (壹、 or, in the many plans numbered from 一、, 一、) ends the head: covers.py
   reads the title, agency, year, issuance and cover from it;
3. lines.py rejoins lines wrapped mid-sentence; sections.py nests the lines by their labels and names
   the sections; references.py reads the basis, periods.py the period.
Whatever had to be guessed is listed in the report and marked in the YAML with `# 請確認:`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..conventions import fix_punctuation
from ..model import PARTS, Appendix, Plan, Section, Table
from ..numbering import chinese_numeral
from ..readers import Block, NotAPlan
from ..tree import period_text
from .covers import identity
from .labels import heading_and_body, label_of, split_inline
from .lines import rejoin
from .periods import year_from_text
from .sections import APPENDIX, Node, fill_sections, item_of, numbering_of, outline, written_labels
from .tables import cells_per_line, table_of


@dataclass
class Imported:
    plan: Plan
    guesses: dict[str, str] = field(default_factory=dict)   # top-level key → what to check
    report: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)       # what the source has and a plan file cannot


def recognise(blocks: list[Block], source: str, year: int | None = None) -> Imported:
    result = Imported(plan=None)
    blocks = _without_figures(blocks, result)
    for block in blocks:
        if block.role != "pre":
            block.text = punctuated(block.text)
        if block.table:
            block.table = [[cell if cell is None else punctuated(cell) for cell in row] for row in block.table]
    blocks = cells_per_line(split_lines(blocks))
    top, first = top_level(blocks)
    if first is None and sum(1 for b in blocks if b.role == "bullet") >= 2:
        blocks = number_bullets(blocks)
        top, first = top_level(blocks)
        result.guesses["numbering"] = "原文的清單沒有編號（網頁清單的編號遺失），編號是推定的，請核對層次"
        result.report.append("清單項目沒有編號：依冒號標題推定為 一、（一）")
    if any(b.role == "heading" for b in blocks):
        result.guesses["numbering"] = "原文的標題沒有編號（網頁或 Markdown 的 # 標題），編號是依標題層次推定的，請核對"
        result.report.append("標題沒有編號：依 # 的層次推定為 一、（一）")
    table_only = first is None and any(b.table for b in blocks)
    if first is None and not table_only:
        raise NotAPlan(f"{source}: 找不到「壹、」或「一、」這類的段落標題，看來不是一份計畫。"
                       " (no numbered sections: not a plan?)")
    if table_only:
        first = next(i for i, b in enumerate(blocks) if b.table)
    head = [b for b in blocks[:first] if b.table is None]
    plan = identity(head, result.report, result.guesses, year, result.left_out)
    plan.numbering = numbering_of(written_labels(blocks[first:]), top if not table_only else "壹")
    if table_only:
        plan.appendices.append(_table_page(head, blocks[first:], plan))
        result.report.append("整頁是一個表格：匯入為附表")
    else:
        nodes = outline([_punctuated_block(b) for b in rejoin(blocks[first:])], result.guesses)
        sections = [n for n in nodes if n.style != "appendix"]
        fill_sections(plan, sections, result.report, result.guesses, top)
        for node in nodes:
            if node.style == "appendix":
                plan.appendices.append(_appendix(node))
                result.report.append(f"{node.text} → appendices（評核表等以一般項目匯入）")
                _check_appendix(node, plan.appendices[-1], result.guesses)
    if not plan.year:
        plan.year = year_from_text(plan, [b.text for b in blocks])
    if not plan.year:
        raise NotAPlan(f"{source}: 找不到計畫年度：標題、期程與發布日期都沒有寫；請用 --year 指定，例如 --year 113。"
                       " (no year in the title, period or date of issue: give --year)")
    settle(plan, result)
    result.plan = plan
    return result


def _without_figures(blocks: list[Block], result: Imported) -> list[Block]:
    """Pictures, charts and text boxes of a Word file are left out, and said so, with the text before each."""
    kept: list[Block] = []
    for block in blocks:
        if block.role != "figure":
            kept.append(block)
            continue
        before = next((b.text for b in reversed(kept) if b.text), "")
        where = f"「{before[:20]}{'…' if len(before) > 20 else ''}」之後" if before else "開頭"
        result.left_out.append(f"原文{where}有一張圖（圖片、流程圖或文字方塊），計畫檔不收圖，沒有匯入；請另行處理")
    if result.left_out:
        result.report.append(f"圖：{len(result.left_out)} 張沒有匯入")
    return kept


def punctuated(text: str) -> str:
    """Half-width punctuation in Chinese text made full-width; twice, as one fix can enable the next
    (「(如附件2) ,」: the parenthesis first, then the comma after it)."""
    return fix_punctuation(fix_punctuation(text))


def _punctuated_block(block: Block) -> Block:
    if block.table is None and block.role != "pre":
        block.text = punctuated(block.text)   # rejoined lines: a comma that began a line now follows text
    return block


def split_lines(blocks: list[Block]) -> list[Block]:
    """Lines cut at the labels inside them that the sequence confirms; a heading and its body that
    shared the line are told apart (「一、年度施政目標 依據地方制度法…」)."""
    out: list[Block] = []
    last: dict[str, int] = {}
    for block in blocks:
        if block.table is not None or block.role in ("pre", "title", "cover") or not block.text:
            out.append(block)
            continue
        pieces = split_inline(block.text, last)
        if len(pieces) == 1:
            out.append(block)
            continue
        for piece in pieces:
            found = label_of(piece)
            parts = heading_and_body(found[2]) if found else None
            if parts:
                out.append(Block(text=f"{found[1]}{parts[0]}"))
                out.append(Block(text=parts[1]))
            else:
                out.append(Block(text=piece))
    return out


def top_level(blocks: list[Block]) -> tuple[str, int | None]:
    """The style of the sections — 壹 when the document has 壹、 labels before its appendices, else 一 —
    and the first one. (A 要點 from 一、 may have an appendix whose form is numbered from 壹、.)"""
    appendix = next((i for i, b in enumerate(blocks) if b.table is None and APPENDIX.match(b.text)), len(blocks))
    for style in ("壹", "一"):
        for i, block in enumerate(blocks):
            found = block.table is None and block.role != "pre" and label_of(block.text)
            if found and found[0] == style and (i < appendix or style == "一"):
                return style, i
    return "壹", None


def number_bullets(blocks: list[Block]) -> list[Block]:
    """List items whose numbers were lost (web <ol> flattened to 「- 」 lines): a short heading with
    a colon (「服務範圍：」) is a section, the items after a heading with nothing after its colon are
    its sub-items; they are given the labels 一、 and （一）."""
    out: list[Block] = []
    top = sub = 0
    open_group = False
    for block in blocks:
        if block.role != "bullet":
            out.append(block)
            continue
        heading = re.match(r"^[^，,。；;：:]{1,12}[：:]", block.text)
        if heading or not open_group:
            top, sub = top + 1, 0
            open_group = bool(heading) and block.text.rstrip().endswith(("：", ":"))
            out.append(Block(text=f"{chinese_numeral(top)}、{block.text}"))
        else:
            sub += 1
            out.append(Block(text=f"（{chinese_numeral(sub)}）{block.text}"))
    return out


def _table_page(head: list[Block], rest: list[Block], plan: Plan) -> Appendix:
    """A page that is only a table (a scoring sheet): the table as an appendix, its heading lines kept."""
    lines = [_fenced(b) for b in head if b.text not in plan.title and b.text != plan.agency]
    name = next((l for l in lines if APPENDIX.match(l) or l in ("附表", "附件")), None)
    notes = [l for l in lines if l != name]
    tables = [b.table for b in rest if b.table]
    texts = [_fenced(b) for b in rest if b.table is None and b.text]
    return Appendix(title=name or "附表", text="\n\n".join(notes + texts) or None, table=table_of(tables[0]))


def _fenced(block: Block) -> str:
    return f"```\n{block.text}\n```" if block.role == "pre" else block.text


def _appendix(node: Node) -> Appendix:
    nodes = [c for c in node.children if isinstance(c, Node)]
    return Appendix(title=node.text, text="\n\n".join(c for c in node.children if isinstance(c, str)) or None,
                    items=[_appendix_item(c) for c in nodes],
                    table=next((c for c in node.children if isinstance(c, Table)), None))


def _appendix_item(node: Node):
    """An appendix's item. A plan prints an appendix's items from 一、; one the source numbered from 壹、
    (a form attached to a 要點) keeps its label, and its items stay 一、 under it."""
    item = item_of(node, node.style)
    if node.style == "壹" and node.label:
        item.label = node.label
        if item.items and item.items_style is None:
            item.items_style = "一"
    return item


def _check_appendix(node: Node, appendix: Appendix, guesses: dict) -> None:
    """What the officer should look at in an imported appendix: a scoring form's boxes and points,
    which came in as items; text the source had after the table, which the plan prints before it."""
    scored = any(item.check or item.points is not None for item in walk_items(appendix.items))
    if scored:
        guesses["appendices"] = "附件中的評核表以一般項目與文字匯入，勾選框與配分請改寫成 forms"
    tables = [k for k, c in enumerate(node.children) if isinstance(c, Table)]
    after = [c for c in node.children[tables[0] + 1:] if isinstance(c, str)] if tables else []
    if after and not scored:
        guesses["appendices"] = (f"「{appendix.title}」表格之後的文字（{after[0][:20]}…）會印在表格之前，"
                                 "請核對位置")


def walk_items(items):
    for item in items:
        yield item
        yield from walk_items(item.items)


def settle(plan: Plan, result: Imported) -> None:
    """What the loader would refuse is turned back into text the officer can check, so the YAML loads."""
    from ..loader import check_plan

    for problem in check_plan(plan):
        if problem.field.startswith("period") and plan.period is not None:
            plan.sections.insert(0, Section(title=plan.period.title or PARTS["period"], text=str(period_text(plan.period))))
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
