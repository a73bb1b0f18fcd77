"""Writing conventions of official Chinese text: warnings on a loaded plan, and safe fixes.

Warnings (never errors unless `plan validate --strict`): half-width punctuation inside Chinese
sentences, two ways of writing the same numbering level, dates written two ways, and document
numbers whose year digits disagree with their date. `fix_source` rewrites what is safe to rewrite
directly in the YAML text, so comments, quoting and key order stay as the officer left them.
"""
from __future__ import annotations

import re
from collections import Counter

import yaml

from .characters import INVISIBLE
from .errors import Problem, Where
from .model import Item, Plan, Section, Table

CJK = r"\u3400-\u9fff\uf900-\ufaff"
_HALF_PUNCT = re.compile(rf"(?<=[{CJK}」』）])[ \t]*([,;:?!])(?:[ \t]*(?=[{CJK}「『（])|(?=$))", re.M)
_HALF_PAREN = re.compile(rf"\(([^()\n]*[{CJK}][^()\n]*)\)")
_LABEL_PAREN = re.compile(r"^[(（]([一二三四五六七八九十]+|\d+)[)）]")
_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_DATE = re.compile(r"(?<!\d)(\d{2,3})( ?)年( ?)(\d{1,2})( ?)月( ?)(\d{1,2})( ?)日")
_DOC_NUMBER = re.compile(r"第\s*(\d{5,})\s*號")


def fix_punctuation(text: str) -> str:
    """Half-width , ; : ? ! and ( ) between Chinese characters → full-width."""
    text = _HALF_PUNCT.sub(lambda m: _FULL[m.group(1)], text)
    return _HALF_PAREN.sub(lambda m: m.group(0) if _LABEL_PAREN.match(m.group(0)) else f"（{m.group(1)}）", text)


def date_style(match: re.Match) -> str:
    spaces = "".join(match.group(i) for i in (2, 3, 5, 6))
    return "spaced" if spaces.strip() == "" and len(spaces) == 4 else ("tight" if not spaces else "mixed")


def respace_dates(text: str, style: str) -> str:
    sep = " " if style == "spaced" else ""
    return _DATE.sub(lambda m: f"{m.group(1)}{sep}年{sep}{m.group(4)}{sep}月{sep}{m.group(7)}{sep}日", text)


def plan_texts(plan: Plan):
    """Every free text of a plan with where it was written: (where, field path, text)."""
    for key in ("agency",):
        yield plan.at.get(key), key, getattr(plan, key)
    for key, section in plan.ordered_sections():
        yield from _section_texts(section, key)
    for a, appendix in enumerate(plan.appendices):
        yield from _item_texts(appendix.items, f"appendices[{a}].items")
        if appendix.table:
            yield from _table_texts(appendix.table, f"appendices[{a}].table")
        for f, form in enumerate(appendix.forms):
            yield from _item_texts(form.items, f"appendices[{a}].forms[{f}].items")


def _section_texts(section: Section, path: str):
    for name in ("title", "text", "closing"):
        if getattr(section, name):
            yield section.at[name], f"{path}.{name}", getattr(section, name)
    yield from _item_texts(section.items, f"{path}.items")
    if section.table:
        yield from _table_texts(section.table, f"{path}.table")


def _item_texts(items: list[Item], path: str):
    for i, item in enumerate(items):
        for name in ("title", "text"):
            if getattr(item, name):
                yield item.at[name], f"{path}[{i}].{name}", getattr(item, name)
        yield from _item_texts(item.items, f"{path}[{i}].items")
        if item.table:
            yield from _table_texts(item.table, f"{path}[{i}].table")


def _table_texts(table: Table, path: str):
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row):
            if cell.text:
                yield cell.at.get("text", cell.where), f"{path}.rows[{r}][{c}]", cell.text
            yield from _item_texts(cell.items, f"{path}.rows[{r}][{c}].items")


def every_string(obj, path: str = ""):
    """Every string field of a plan, however deep: (where, field path, text)."""
    import dataclasses

    for f in dataclasses.fields(obj):
        if f.metadata.get("internal"):
            continue
        value, here = getattr(obj, f.name), f"{path}.{f.name}" if path else f.name
        where = obj.at.get(f.name) or obj.where
        if isinstance(value, str):
            yield where, here, value
        elif hasattr(value, "at"):
            yield from every_string(value, here)
        elif isinstance(value, list):
            for i, element in enumerate(value):
                for j, inner in enumerate(element if isinstance(element, list) else [element]):
                    at = f"{here}[{i}][{j}]" if isinstance(element, list) else f"{here}[{i}]"
                    if isinstance(inner, str):
                        yield where, at, inner
                    elif hasattr(inner, "at"):
                        yield from every_string(inner, at)


def _invisible(plan: Plan) -> list[Problem]:
    problems = []
    for where, path, text in every_string(plan):
        found = sorted({f"U+{ord(ch):04X}" for ch in INVISIBLE.findall(text)})
        if found and where is not None:
            problems.append(_warn(where, path, (
                f"文字含有看不見的字元 {'、'.join(found)}（改變文字方向或寬度為零，常是複製貼上帶進來的），"
                "印出來可能與看到的不同；請刪除。 (invisible bidi or zero-width characters)")))
    return problems


# A numbering label typed at the start of an item's text: the item is numbered already, so it would print twice.
TYPED_LABEL = re.compile(
    r"^[ \t\u3000]*(?:[壹貳參叁肆伍陸柒捌玖拾]+、|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]"
    r"|\d{1,2}(?:\.(?!\d)|、)|[（(]\d{1,2}[）)]|[甲乙丙丁戊己庚辛壬癸]、|[（(][甲乙丙丁戊己庚辛壬癸][）)]"
    r"|[子丑寅卯辰巳午未申酉戌亥]、|[（(][子丑寅卯辰巳午未申酉戌亥][）)])[ \t\u3000]*")


def numbered_items(plan: Plan):
    """Every item that gets its label from the numbering: (item, field path)."""
    def walk(items, path):
        for i, item in enumerate(items):
            here = f"{path}[{i}]"
            yield item, here
            yield from walk(item.items, f"{here}.items")
            if item.table:
                yield from in_table(item.table, f"{here}.table")

    def in_table(table, path):
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row):
                yield from walk(cell.items, f"{path}.rows[{r}][{c}].items")

    for key, section in plan.ordered_sections():
        yield from walk(section.items, f"{key}.items")
        if section.table:
            yield from in_table(section.table, f"{key}.table")
    for a, appendix in enumerate(plan.appendices):
        yield from walk(appendix.items, f"appendices[{a}].items")
        if appendix.table:
            yield from in_table(appendix.table, f"appendices[{a}].table")
        for f, form in enumerate(appendix.forms):
            yield from walk(form.items, f"appendices[{a}].forms[{f}].items")


def typed_labels(plan: Plan) -> list[tuple[Item, str, str]]:
    """(item, path, label) of each numbered item whose text begins with a label of its own."""
    found = []
    for item, path in numbered_items(plan):
        match = TYPED_LABEL.match(item.text or "") if item.label is None else None
        if match and item.text[match.end():].strip():
            found.append((item, path, match.group(0).strip()))
    return found


def _typed_labels(plan: Plan) -> list[Problem]:
    return [_warn(at, f"{path}.text", (
        f"項目文字開頭打了編號「{label}」，但項目會自動編號，印出來編號會重複（例如「二、{label}…」）；"
        "請刪除文字中的編號。`plan fmt` 可自動修正。 (a label typed into the text prints twice)"))
        for item, path, label in typed_labels(plan) if (at := item.at.get("text") or item.where) is not None]


def convention_warnings(plan: Plan) -> list[Problem]:
    texts = [(w, p, t) for w, p, t in plan_texts(plan) if w is not None and t]
    warnings = list(plan.notices) + _invisible(plan) + _typed_labels(plan)
    for where, path, text in texts:
        if fix_punctuation(text) != text:
            bad = sorted({m.group(1) for m in _HALF_PUNCT.finditer(text)} | ({"()"} if _HALF_PAREN.search(text) else set()))
            warnings.append(_warn(where, path, (
                f"中文句子中用了半形標點 {' '.join(bad)}；請改成全形（，；：？！（））。"
                "`plan fmt` 可自動修正。 (half-width punctuation in Chinese text)")))
    warnings += _mixed_dates(texts)
    warnings += _mixed_parentheses(plan, texts)
    warnings += _document_numbers(plan)
    warnings += _repeated_titles(plan)
    return warnings


def _repeated_titles(plan: Plan) -> list[Problem]:
    """Two sections with the same title (「參、實施對象」「肆、實施對象」): a part pasted twice, or a title
    left from a copy."""
    problems, seen = [], {}
    for number, (key, section) in enumerate(plan.ordered_sections(), start=1):
        title = re.sub(r"[\s：:]+", "", plan.section_title(key, section))
        where = section.at.get("title") or section.where
        if title and title in seen and where is not None:
            problems.append(_warn(where, f"{key}.title", (
                f"第 {number} 段的標題「{title}」與第 {seen[title]} 段相同；請確認是否重複貼上，"
                "或改成不同的標題、把兩段合併。 (two sections with the same title)")))
        seen.setdefault(title, number)
    return problems


def _warn(where: Where, path: str, message: str) -> Problem:
    return Problem(where, path, message, severity="warning")


def _mixed_dates(texts) -> list[Problem]:
    found = [(w, p, date_style(m), m.group(0)) for w, p, t in texts for m in _DATE.finditer(t)]
    styles = Counter(style for _, _, style, _ in found)
    if len(styles) < 2:
        return []
    usual = styles.most_common(1)[0][0]
    example = {"spaced": "103 年 1 月 1 日", "tight": "103年1月1日"}.get(usual, "103 年 1 月 1 日")
    return [_warn(w, p, (
        f"日期「{text}」與本計畫其他日期的寫法不一致；請統一寫成「{example}」的樣子。"
        "`plan fmt` 可自動修正。 (dates written two ways)"))
        for w, p, style, text in found if style != usual]


def _mixed_parentheses(plan: Plan, texts) -> list[Problem]:
    configured = "half" if plan.numbering.parentheses in ("half", "半形") else "full"
    problems = []
    for where, path, text in texts:
        match = _LABEL_PAREN.match(text)
        if match and ("half" if match.group(0)[0] == "(" else "full") != configured:
            want = "(一)" if configured == "half" else "（一）"
            problems.append(_warn(where, path, (
                f"編號「{match.group(0)}」的括號寫法與本計畫設定（{want}）不同，兩種寫法混用；"
                f"請改成 {want} 的寫法，或改 numbering.parentheses。 (two numbering variants mixed)")))
    return problems


def _document_numbers(plan: Plan) -> list[Problem]:
    found = []
    if plan.basis:
        for i, ref in enumerate(plan.basis.references):
            found.append((ref, f"basis.references[{i}]"))
    if plan.issued:
        found.append((plan.issued, "issued"))
    problems = []
    for obj, path in found:
        if not (obj.number and obj.date):
            continue
        match = _DOC_NUMBER.search(obj.number)
        if match and int(match.group(1)[:3]) != obj.date.year:
            problems.append(_warn(obj.at["number"], f"{path}.number", (
                f"文號「{obj.number}」開頭三碼 {match.group(1)[:3]} 表示民國 {int(match.group(1)[:3])} 年發文，"
                f"但日期是 {obj.date.year} 年；請核對文號或日期。 (document number year disagrees with its date)")))
    return problems


def fix_source(text: str, plan: Plan | None = None) -> str:
    """Apply the safe fixes to every text scalar of a YAML source, editing only those scalars."""
    date_fix = None
    if plan is not None:
        texts = [(w, p, t) for w, p, t in plan_texts(plan) if w is not None and t]
        styles = Counter(date_style(m) for _, _, t in texts for m in _DATE.finditer(t))
        if len(styles) > 1:
            date_fix = styles.most_common(1)[0][0]

    def fix(value: str) -> str:
        value = fix_punctuation(value)
        return respace_dates(value, date_fix) if date_fix in ("spaced", "tight") else value

    labelled = set()
    if plan is not None:
        labelled = {(w.line, w.col) for item, _, _ in typed_labels(plan) if (w := item.at.get("text") or item.where)}

    edits = []
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if not isinstance(event, yaml.ScalarEvent) or not re.search(f"[{CJK}]", event.value):
            continue
        start, end = event.start_mark.index, event.end_mark.index
        source = text[start:end]
        wanted = fix(event.value)
        if (event.start_mark.line + 1, event.start_mark.column + 1) in labelled:
            wanted = TYPED_LABEL.sub("", wanted, count=1)
            quote = source[:1] if source[:1] in "'\"" else ""
            source = quote + TYPED_LABEL.sub("", source[len(quote):], count=1)
        if wanted == event.value:
            continue
        replacement = fix(source)
        if _scalar_value(replacement) == wanted:
            edits.append((start, end, replacement))
    for start, end, replacement in reversed(edits):
        text = text[:start] + replacement + text[end:]
    return text


def _scalar_value(source: str) -> str | None:
    """The value a scalar's source text stands for, read alone; None if it cannot be read alone."""
    try:
        events = [e for e in yaml.parse(f"k: {source}" if "\n" not in source else f"k: {source}\n",
                                        Loader=yaml.SafeLoader) if isinstance(e, yaml.ScalarEvent)]
    except yaml.YAMLError:
        return None
    return events[1].value if len(events) == 2 else None
