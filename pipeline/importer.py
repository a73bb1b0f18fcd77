"""`plan import`: an existing plan (.docx, or text from a PDF or web page as .txt / .md) → plan YAML.

Readers turn a file into blocks: lines of text and tables, in reading order. The recogniser then
1. drops extraction residue (tags, Markdown marks, list dashes, page numbers, repeated table headers);
2. rejoins lines wrapped mid-sentence (a line that does not end a sentence continues on the next);
3. finds each line's level from its label (壹、 一、 （一） 1. （1） 甲、 and their variants), the
   nesting following the order in which the document uses them;
4. names the sections (計畫依據 → basis, …) and reads the basis references, the period's dates, codes
   and points (「A-1-1 …（120 分）」) and the cover block.
Whatever it had to guess is listed in the report and marked in the YAML with `# 請確認:`.
"""
from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from .errors import PlanError, UsageError
from .conventions import fix_punctuation
from .model import (PARTS, Appendix, Basis, Cell, Cover, Issued, Item, Numbering, Period, Plan, Reference,
                    Section, Table)
from .numbering import next_style
from .rocdate import DateFormatError, parse_roc_date
from .tree import period_text, reference_text

MAX_DOCX_XML = 50 * 1024 * 1024   # uncompressed document.xml larger than this is refused (zip bombs)
MAX_RATIO = 200                   # nor a part compressed more than this
MAX_DOCX_TOTAL = 100 * 1024 * 1024  # nor all parts together (python-docx opens styles, numbering, headers…)

LEGAL = "壹貳參叁肆伍陸柒捌玖拾"
CHINESE = "一二三四五六七八九十百"
STEMS = "甲乙丙丁戊己庚辛壬癸"
BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
LABELS = [  # (style, pattern) — the style names are those of pipeline.numbering
    ("壹", rf"[{LEGAL}]+、"),
    ("一", rf"[{CHINESE}]+、"),
    ("（一）", rf"[（(][{CHINESE}]+[）)]、?"),
    ("（1）", r"[（(][0-9０-９]+[）)]、?"),
    ("1", r"[0-9０-９]+(?:[.．、](?!\d)|(?=[^\d\s.．、年月日%％分]))"),
    ("（甲）", rf"[（(][{STEMS}][）)]、?"),
    ("甲", rf"[{STEMS}]、"),
    ("（子）", rf"[（(][{BRANCHES}][）)]、?"),
    ("子", rf"[{BRANCHES}]、"),
]
LABEL = re.compile("|".join(f"(?P<s{i}>{p})" for i, (_, p) in enumerate(LABELS)))
SENTENCE_END = "。：:；;！!？?」』）)"
SECTION_WORDS = [("basis", ("依據",)), ("period", ("期程", "期間")), ("goals", ("目標",)),
                 ("targets", ("對象", "執行單位")), ("strategies", ("策略", "實施內容", "實施要項")),
                 ("steps", ("步驟", "實施方式", "分工")), ("assessment", ("評核", "考核", "管制"))]
REFERENCE = re.compile(
    r"(?P<issuer>[^，。；、及「」\s][^，。；「」]*?)\s*(?P<date>\d{2,3}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*"
    r"(?P<number>[^\s，。]*?字第\s*\d+\s*號)(?P<verb>函頒|函送|函|令頒|令)?(?:之?「(?P<document>[^」]+)」)?")
POINTS = re.compile(r"[（(]\s*(\d+)\s*分\s*[）)]\s*$")
CODE = re.compile(r"^([A-Z]{1,2}(?:-\d+)+)\s+")
APPENDIX = re.compile(r"^(附表|附件|附錄)[\s　一二三四五六七八九十\d：:]")
CHECKS = (("□是□否", "是否"), ("☐是☐否", "是否"), ("□", "勾選"), ("☐", "勾選"))
PIPE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
PIPE_RULE = re.compile(r"^\s*\|[\s:|-]+\|\s*$")
PAGE_NUMBER = re.compile(r"^\s*(?:[-－—]\s*\d+\s*[-－—]|第\s*\d+\s*頁(?:\s*[，,]?\s*共\s*\d+\s*頁)?|\d+\s*/\s*\d+|\d+)\s*$")


class NotAPlan(PlanError):
    """The file could not be read as a plan."""


@dataclass
class Block:
    text: str = ""
    table: list[list[str | None]] | None = None   # rows of cell texts; None where the cell above spans down
    role: str = ""                          # from a DOCX style: title, cover, heading


@dataclass
class Node:
    style: str
    label: str
    text: str
    children: list = field(default_factory=list)
    table: Table | None = None


@dataclass
class Imported:
    plan: Plan
    guesses: dict[str, str] = field(default_factory=dict)   # top-level key → what to check
    report: list[str] = field(default_factory=list)


# ---- readers --------------------------------------------------------------------------------------

def read_file(path: str, data: bytes | None = None) -> list[Block]:
    """Blocks of a .docx, .txt or .md file; `data` given (standard input): a .docx is told by its zip header."""
    try:
        if data is None:
            with open(path, "rb") as handle:
                data = handle.read()
        elif path == "-":
            path = "<stdin>.docx" if data.startswith(b"PK\x03\x04") else "<stdin>.txt"
    except OSError as exc:
        raise UsageError(f"{path}: 無法讀取：{exc.strerror}。 (cannot read)") from None
    if not data.strip():
        raise NotAPlan(f"{path}: 檔案是空的。 (empty file)")
    if path.lower().endswith(".docx"):
        return read_docx(path, data)
    if path.lower().endswith((".txt", ".md", ".markdown", ".text")):
        for encoding in ("utf-8-sig", "cp950", "big5"):
            try:
                return read_text(_carriable(data.decode(encoding)))
            except UnicodeDecodeError:
                continue
        raise NotAPlan(f"{path}: 文字檔不是 UTF-8 或 Big5 編碼。 (unknown text encoding)")
    raise UsageError(f"{path}: 只能匯入 .docx、.txt 或 .md 檔。 (import reads .docx, .txt, .md)")


def _carriable(text: str) -> str:
    """Text without what no document can carry: form feeds and vertical tabs become line breaks, other controls go."""
    from .source import UNCARRIABLE

    return UNCARRIABLE.sub(lambda m: "\n" if m.group(0) in "\x0b\x0c" else "", text)


def read_text(text: str) -> list[Block]:
    """Text from a PDF or web page: residue removed, tab-separated or Markdown rows gathered into tables."""
    blocks: list[Block] = []
    header: list[str] | None = None
    for raw in text.replace("\r\n", "\n").replace("\f", "\n").split("\n"):
        if PIPE_RULE.match(raw):
            continue  # the |---|---| line under a Markdown table's header
        pipe_row = PIPE_ROW.match(raw)
        if pipe_row or ("\t" in raw and raw.strip()):
            parts = pipe_row.group(1).split("|") if pipe_row else raw.split("\t")
            cells = [_clean_line(c) for c in parts]
            if header is None or (blocks and blocks[-1].table is None):
                header = cells
                blocks.append(Block(table=[cells]))
            elif cells != header:  # (the header again, after a page break, is dropped)
                filled = next((i for i, c in enumerate(cells) if c), len(cells))
                # A flattened row leaves the cells that the row above spans empty in front.
                blocks[-1].table.append([None] * filled + cells[filled:])
            continue
        if PAGE_NUMBER.match(re.sub(r"<[^>]+>", "", raw)):
            continue  # checked before list dashes are removed: 「- 2 -」 is a page number, not an item
        line = _clean_line(raw)
        if not line or PAGE_NUMBER.match(line):
            continue
        if line == (header and "".join(header)):
            continue
        if blocks and blocks[-1].table is not None and header and _flattened_header(line, header):
            continue
        blocks.append(Block(text=line))
    return blocks


def _flattened_header(line: str, header: list[str]) -> bool:
    return re.sub(r"\s", "", line) == "".join(re.sub(r"\s", "", h) for h in header)


def _clean_line(line: str) -> str:
    line = re.sub(r"<[^>]+>", "", line)
    line = line.replace("**", "").replace("__", "")
    line = re.sub(r"^\s*#{1,6}\s*", "", line)
    line = re.sub(r"^\s*[-*+]\s+", "", line)
    line = line.replace("\u3000", " ").strip()
    return re.sub(r"\s{2,}", " ", line)


def read_docx(path: str, data: bytes) -> list[Block]:
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        info = archive.getinfo("word/document.xml")
    except (zipfile.BadZipFile, KeyError):
        kind = "已加密（有密碼保護）或" if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" else ""
        raise NotAPlan(f"{path}: 這個 .docx 檔{kind}已損毀，無法開啟；請在 Word 另存為未加密的 .docx 後再試。"
                           " (encrypted or corrupt .docx)") from None
    parts = archive.infolist()
    if (any(_bomb(part) for part in parts) or info.file_size > MAX_RATIO * max(info.compress_size, 1)
            or sum(part.file_size for part in parts) > MAX_DOCX_TOTAL):
        info = max(parts, key=lambda part: part.file_size)
        raise NotAPlan(f"{path}: 文件內容解壓後過大（{info.file_size} 位元組），不像計畫文件，已拒絕。"
                           " (refused: decompresses too far, a zip bomb?)")
    from docx import Document as open_docx

    try:
        word = open_docx(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on malformed parts
        raise NotAPlan(f"{path}: .docx 內容無法解析（{type(exc).__name__}）。 (malformed .docx)") from None
    from docx.oxml.ns import qn

    blocks: list[Block] = []
    for child in word.element.body.iterchildren():
        if child.tag == qn("w:p"):
            blocks.extend(_docx_paragraph(child, word))
        elif child.tag == qn("w:tbl"):
            blocks.append(Block(table=_docx_table(child)))
    return blocks


def _bomb(part: zipfile.ZipInfo) -> bool:
    """A part of the .docx that would decompress to an absurd size: every part counts, not only the text."""
    big = part.file_size > 1024 * 1024 and part.file_size > MAX_RATIO * max(part.compress_size, 1)
    return part.file_size > MAX_DOCX_XML or big


def _docx_paragraph(p, word) -> list[Block]:
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    para = Paragraph(p, word)
    style = (para.style.name if para.style is not None else "").lower()
    role = "title" if style == "title" else "cover" if "cover" in style else ""
    text = para.text.replace("\t", "")
    number = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
    if number is None and para.style is not None:  # numbering given by the paragraph's style
        number = para.style.element.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
    if number is not None and not LABEL.match(text.strip()):
        level = number.find(qn("w:ilvl"))
        depth = int(level.get(qn("w:val"))) if level is not None else 0
        text = "\u2063" * (depth + 1) + text  # Word's own list numbering: depth kept as a marker
    lines = [line.strip() for line in text.split("\n")] if role == "title" else [text.strip()]
    return [Block(text=line, role=role) for line in lines if line]


def _docx_table(tbl) -> list[list[str]]:
    from docx.oxml.ns import qn

    rows = []
    for tr in tbl.iterchildren(qn("w:tr")):
        row = []
        for tc in tr.iterchildren(qn("w:tc")):
            merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
            continued = merge is not None and merge.get(qn("w:val")) in (None, "continue")
            paragraphs = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p"))]
            row.append(None if continued else "\n".join(p for p in paragraphs if p.strip()))
        rows.append(row)
    return rows


# ---- recognising ----------------------------------------------------------------------------------

def label_of(text: str) -> tuple[str, str, str] | None:
    """(style, label, rest) when the line starts with a numbering label."""
    marker = re.match("\u2063+", text)
    if marker:
        return (f"word{len(marker.group(0))}", "", text[marker.end():].strip())
    match = LABEL.match(text)
    if not match:
        return None
    style = LABELS[int(match.lastgroup[1:])][0]
    rest = text[match.end():].strip()
    if not rest and style not in ("壹",):
        return None
    return style, match.group(0), rest


def rejoin(blocks: list[Block]) -> list[Block]:
    """Lines wrapped mid-sentence become one line again; a label alone on its line joins the next."""
    out: list[Block] = []
    for block in blocks:
        if out and out[-1].table is None and LABEL.fullmatch(out[-1].text) and block.table is None:
            out[-1].text = f"{out[-1].text} {block.text}"
            continue
        previous = out[-1] if out else None
        if (previous is not None and block.table is None and previous.table is None and not block.role
                and not previous.role and previous.text and not previous.text.endswith(tuple(SENTENCE_END))
                and not LABEL.match(block.text) and not block.text.startswith("\u2063")
                and not _is_heading(previous.text)):
            joiner = " " if _latin_edge(previous.text[-1], block.text[0]) else ""
            previous.text = previous.text + joiner + block.text
            continue
        out.append(Block(block.text, block.table, block.role))
    return out


def _latin_edge(left: str, right: str) -> bool:
    return left.isascii() and right.isascii() and left.isalnum() and right.isalnum()


def _is_heading(text: str) -> bool:
    """A level-1 heading: 「伍、實施策略與方法」 — short, nothing after it on the line."""
    found = label_of(text)
    return bool(found and found[0] == "壹" and len(found[2]) <= 16)


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
    nodes = _tree(rejoin(blocks[first:]))
    sections = [n for n in nodes if n.style != "appendix"]
    plan = _identity(head, sections, result)
    _sections(plan, sections, result)
    for node in nodes:
        if node.style == "appendix":
            plan.appendices.append(Appendix(
                title=node.text, text="\n\n".join(c for c in node.children if isinstance(c, str)) or None,
                items=[_item(c, c.style) for c in node.children if isinstance(c, Node)],
                table=next((c for c in node.children if isinstance(c, Table)), None)))
            result.report.append(f"{node.text} → appendices（評核表等以一般項目匯入）")
            result.guesses["appendices"] = "附件中的評核表以一般項目與文字匯入，勾選框與配分請改寫成 forms"
    if not plan.year:
        plan.year = _year_from_text(plan, blocks)
    _settle(plan, result)
    result.plan = plan
    return result


def _year_from_text(plan: Plan, blocks: list[Block]) -> int:
    if isinstance(plan.period, Period):
        return plan.period.start.year
    for block in blocks:
        found = re.search(r"(\d{2,3})\s*年度", block.text)
        if found:
            return int(found.group(1))
    return 1


def _settle(plan: Plan, result: Imported) -> None:
    """What the loader would refuse is turned back into text the officer can check, so the YAML loads."""
    from .loader import check_plan

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


def _tree(blocks: list[Block]) -> list[Node]:
    """Nest the lines by their labels: a label style already open closes what is below it."""
    root = Node("root", "", "")
    stack: list[Node] = [root]
    for block in blocks:
        if block.table is not None:
            stack[-1].children.append(_table(block.table))
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


def _table(rows: list[list[str]]) -> Table:
    columns, body = rows[0], rows[1:]
    width = len(columns)
    table_rows: list[list[Cell]] = []
    open_cells: dict[int, Cell] = {}
    for row in body:
        row = (row + [""] * width)[:width]
        cells = []
        for column, text in enumerate(row):
            if text is None and column in open_cells:
                open_cells[column].span += 1  # covered: the cell above spans down
                continue
            cell = Cell(text=text or None)  # a blank cell stays a blank cell
            cells.append(cell)
            open_cells[column] = cell
        table_rows.append(cells)
    return Table(columns=columns, rows=table_rows)


def _identity(head: list[Block], sections: list[Node], result: Imported) -> Plan:
    lines = [b.text for b in head]
    titles = [b.text for b in head if b.role == "title"] or [l for l in lines if "計畫" in l][-1:] or lines[:1]
    agency = next((l for l in lines if re.search(r"(委員會|事務所|政府|局|處|署|部|院|中心|公所)$", l)), "")
    year_match = next((re.search(r"(\d{2,3})\s*年", t) for t in titles + lines if re.search(r"(\d{2,3})\s*年", t)), None)
    year = int(year_match.group(1)) if year_match else 0
    if not agency:
        agency = re.split(r"\s*\d{2,3}\s*年", titles[0])[0].strip() if titles else "（請填寫機關名稱）"
        result.guesses["agency"] = "機關名稱由標題推測"
    if not year:  # settled later from the period or a 「○○ 年度」 mention
        result.guesses["year"] = "標題中找不到年度，由內文推測，請核對"
    title = titles if len(titles) > 1 else [titles[0] if titles else f"{agency} {year} 年度計畫"]
    plan = Plan(agency=agency, year=year or 0, title=title)
    dates = [l for l in lines if re.match(r"^中華民國\s*\d", l)]
    cover_lines = [l for l in lines if l not in titles and l != agency and l not in dates]
    if cover_lines or dates:
        plan.cover = Cover(title=next((l for l in cover_lines if "計畫" in l), None),
                           note=next((l for l in cover_lines if "計畫" not in l), None))
        if dates:
            try:
                plan.issued = Issued(date=parse_roc_date(dates[0]))
            except DateFormatError:
                pass
        result.report.append("封面：" + "／".join(lines))
    result.report.append(f"機關：{agency}；年度：{year}；標題：{' '.join(title)}")
    return plan


def _sections(plan: Plan, sections: list[Node], result: Imported) -> None:
    half = sum(1 for n in _walk(sections) if n.label.startswith("(")) > sum(1 for n in _walk(sections) if n.label.startswith("（"))
    three = "叁" if any(n.label.startswith("叁") for n in sections) else None
    plan.numbering = Numbering(parentheses="half" if half else None, three=three)
    used = set()
    for node in sections:
        key = _section_key(node.text, used)
        section = _section(node, key, result)
        if key == "period" and not isinstance(section, Period):  # no dates to read: an ordinary section
            key, section.title = "sections", section.title or PARTS["period"]
        if key not in plan.order:
            plan.order.append(key)  # sections keep the document's order
        if key == "sections":
            plan.sections.append(section)
            result.report.append(f"{node.label}{node.text} → sections（其他段落）")
        else:
            used.add(key)
            setattr(plan, key, section)
            result.report.append(f"{node.label}{node.text} → {key}")


def _walk(nodes):
    for node in nodes:
        if isinstance(node, Node):
            yield node
            yield from _walk(node.children)


def _section_key(title: str, used: set[str]) -> str:
    for key, words in SECTION_WORDS:
        if key not in used and any(word in title[:12] for word in words):
            return key
    return "sections"


def _section(node: Node, key: str, result: Imported) -> Section:
    title, inline = _split_title(node.text)
    texts = ([inline] if inline else []) + [c for c in node.children if isinstance(c, str)]
    style = _list_style(node.children, "一")
    items = [_item(c, style or "一") for c in node.children if isinstance(c, Node)]
    tables = [c for c in node.children if isinstance(c, Table)]
    default = PARTS.get(key)
    common = dict(title=None if title == default else title, text="\n\n".join(texts) or None, items=items,
                  items_style=style, table=tables[0] if tables else None)
    if len(tables) > 1:
        result.guesses[key] = f"此段有 {len(tables)} 個表格，只保留第一個"
    if key == "basis":
        return _basis(common, result)
    if key == "period":
        period = _period(common, result)
        if period is not None:
            return period
    return Section(**common)


def _split_title(text: str) -> tuple[str, str]:
    """「實施對象：本會各組」 → (「實施對象：」, 「本會各組」); a heading alone stays whole."""
    match = re.match(r"^(.{1,24}?[：:])(.+)$", text)
    if match and len(match.group(2)) > 0:
        return match.group(1), match.group(2).strip()
    return text, ""


def _list_style(children: list, usual: str) -> str | None:
    """The style the children's labels use, when it is not the one that would follow anyway."""
    styles = [c.style for c in children if isinstance(c, Node)]
    if not styles or styles[0] == usual or styles[0].startswith("word"):
        return None
    return styles[0]


def _item(node: Node, style: str) -> Item:
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
    child_style = _list_style(node.children, next_style(style))
    children = [_item(c, child_style or next_style(style)) for c in node.children if isinstance(c, Node)]
    table = next((c for c in node.children if isinstance(c, Table)), None)
    if paragraphs or (children and not text.endswith("。")):
        return Item(title=text, text="\n\n".join(paragraphs) or None, code=code, points=points, items=children,
                    items_style=child_style, table=table, check=check)
    return Item(text=text, code=code, points=points, items=children, items_style=child_style, table=table,
                check=check)


def _basis(common: dict, result: Imported) -> Basis:
    texts = [common["text"]] if common["text"] else []
    basis = Basis(title=common["title"], items=common["items"], table=common["table"])
    if texts and not basis.items:
        refs, ending = _references(texts[0])
        if refs and _squeeze("及".join(reference_text(r) for r in refs) + ending) == _squeeze(texts[0]):
            basis.references, basis.ending = refs, ending
            result.report.append(f"依據：{len(refs)} 則文件（一句）")
            return basis
        basis.text = texts[0]
        result.guesses["basis"] = "依據文字未能拆成文件清單，保留原文"
        return basis
    if basis.items and all(not i.items for i in basis.items):
        parsed = [_references(i.text or i.title or "") for i in basis.items]
        if all(len(refs) == 1 and ending in ("。", "") and
               _squeeze(reference_text(refs[0]) + "。") == _squeeze((i.text or i.title or "").rstrip("。") + "。")
               for (refs, ending), i in zip(parsed, basis.items)):
            basis.references = [refs[0] for refs, _ in parsed]
            basis.items, basis.style = [], "list"
            result.report.append(f"依據：{len(basis.references)} 則文件（逐項）")
    return basis


def _references(text: str) -> tuple[list[Reference], str]:
    refs, position = [], 0
    for match in REFERENCE.finditer(text):
        between = text[position:match.start()].strip()
        if between not in ("", "及", "、", "暨"):
            return [], ""
        try:
            date = parse_roc_date(match.group("date"))
        except DateFormatError:
            return [], ""
        refs.append(Reference(issuer=match.group("issuer").strip(), date=date,
                              number=_spaced_number(match.group("number")), verb=match.group("verb"),
                              document=match.group("document")))
        position = match.end()
    return refs, text[position:].strip()


def _spaced_number(number: str) -> str:
    return re.sub(r"字第\s*(\d+)\s*號", r"字第 \1 號", number)


def _period(common: dict, result: Imported) -> Period | None:
    text = common["text"] or ""
    dates = re.findall(r"\d{2,3}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日", text)
    if len(dates) < 2:
        return None
    try:
        start, end = parse_roc_date(dates[0]), parse_roc_date(dates[1])
    except DateFormatError:
        return None
    # Braces of the source are printed as full-width ones: in a wording only {start} {end} {length} may stand.
    wording = text.replace("{", "｛").replace("}", "｝").replace(dates[0], "{start}", 1).replace(dates[1], "{end}", 1)
    wording = re.sub(r"為期\s*(\d+\s*(?:年|個月))", "為期 {length}", wording)
    period = Period(title=common["title"], start=start, end=end)
    if _squeeze(period_text(period)) != _squeeze(text):
        period.wording = wording
        if _squeeze(period_text(period)) != _squeeze(text):
            result.guesses["period"] = "期程的寫法未能完全還原，請核對"
    result.report.append(f"期程：{start} 至 {end}")
    return period


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# ---- output ---------------------------------------------------------------------------------------

def import_file(path: str, data: bytes | None = None) -> Imported:
    blocks = read_file(path, data)
    if not any(b.text or b.table for b in blocks):
        raise NotAPlan(f"{path}: 沒有任何文字內容。 (no text)")
    return recognise(blocks, path)


def to_yaml_with_notes(imported: Imported, source: str) -> str:
    from .dump import to_yaml

    text = to_yaml(imported.plan)
    lines = [f"# 由 plan import 自 {source} 匯入；標有「請確認」之處是推測的，請核對後再使用。\n"]
    for line in text.splitlines(keepends=True):
        key = line.split(":", 1)[0]
        if not line.startswith((" ", "-")) and key in imported.guesses:
            lines.append(f"# 請確認: {imported.guesses[key]}\n")
        lines.append(line)
    return "".join(lines)
