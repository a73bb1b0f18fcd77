"""Loading a plan: file → located nodes → Plan model → checks that need the whole plan.

`load_plan` either returns a Plan whose every object knows where it was written, or raises
PlanProblems listing everything wrong at once, each with FILE:LINE:COL and the field path.
"""
from __future__ import annotations

import os

from .errors import PlanProblems, Problem, Where
from .model import PARTS, SYNONYMS, Form, Item, Plan, Table
from .schema import MISSING, Converter, PointRange
from .rocdate import plan_year
from .source import load_nodes
from .tree import wording_problems


def load_plan(path: str, data: bytes | None = None) -> Plan:
    notices: list[Problem] = []
    root = load_nodes(path, data, notices)
    converter = Converter(SYNONYMS)
    plan = converter.convert(root, Plan, "")
    problems = list(converter.problems)
    if plan is not MISSING:
        plan.source = path
        plan.notices = notices
        plan.order = [key.text for key, _ in root.pairs if key.text in PARTS or key.text == "sections"]
        problems.extend(check_plan(plan))
        problems.extend(_check_file_year(plan, path))
    if problems:
        raise PlanProblems(problems)
    return plan


def at(obj, name: str) -> Where:
    """Where a field was written; for objects made in memory (an import, a draft), where they would go."""
    return obj.at.get(name) or obj.where or Where("", 1, 1)


def check_plan(plan: Plan) -> list[Problem]:
    """Checks that look across fields: dates against the year, points against totals, table shapes."""
    problems: list[Problem] = []
    if not 1 <= plan.year <= 300:
        problems.append(Problem(at(plan, "year"), "year", (
            f"年度 {plan.year} 不像民國年；請寫民國年，例如 103（= 西元 2014）。 (year must be an ROC year)")))
    if plan.period is not None:
        problems.extend(_check_period(plan))
    for index, section in enumerate(plan.sections):
        if not section.title:
            problems.append(Problem(at(section, "title"), f"sections[{index}].title", (
                "其他段落一定要有標題（title）。 (extra sections need a title)")))
    for key, section in plan.ordered_sections():
        problems.extend(_check_items(section.items, f"{key}.items"))
        if section.table is not None:
            problems.extend(_check_table(section.table, f"{key}.table"))
    for a, appendix in enumerate(plan.appendices):
        problems.extend(_check_items(appendix.items, f"appendices[{a}].items"))
        if appendix.table is not None:
            problems.extend(_check_table(appendix.table, f"appendices[{a}].table"))
        for f, form in enumerate(appendix.forms):
            problems.extend(_check_form(form, f"appendices[{a}].forms[{f}]"))
    return problems


def _check_file_year(plan: Plan, path: str) -> list[Problem]:
    """plans/<agency>/<year>.yaml: the year in the file's name is the year the plan says it is."""
    stem = os.path.splitext(os.path.basename(path))[0]
    named = plan_year(stem)
    if named is None or named == plan.year:
        return []
    return [Problem(at(plan, "year"), "year", (
        f"檔名 {os.path.basename(path)} 表示 {named} 年度，但 year 寫的是 {plan.year}；"
        f"請更正 year，或把檔案改名為 {plan.year}.yaml。 (the file name's year disagrees with year:)"))]


def _check_period(plan: Plan) -> list[Problem]:
    period = plan.period
    problems = []
    if period.end < period.start:
        problems.append(Problem(at(period, "end"), "period.end", (
            f"結束日期 {period.end} 早於開始日期 {period.start}；請對調或更正。 (period ends before it starts)")))
    for offset, piece in wording_problems(period.wording):
        problems.append(Problem(at(period, "wording"), "period.wording", (
            f"期程寫法中的「{piece}」（第 {offset + 1} 個字起）不能使用：大括號只能寫 {{start}}、{{end}}、{{length}}"
            "（代入開始日期、結束日期與期間）；要印出大括號請用全形「｛｝」。"
            " (only {start} {end} {length} may appear in braces)")))
    for name in ("start", "end"):
        date = getattr(period, name)
        if date.year != plan.year:
            problems.append(Problem(at(period, name), f"period.{name}", (
                f"計畫期程的日期 {date} 不在計畫年度 {plan.year} 年內；"
                f"請改成 {plan.year} 年的日期，或更正 year。 (period outside the plan's year)")))
    return problems


def _check_items(items: list[Item], path: str) -> list[Problem]:
    problems = []
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]"
        problems.extend(_check_points(item, item_path))
        if item.table is not None:
            problems.extend(_check_table(item.table, f"{item_path}.table"))
        problems.extend(_check_items(item.items, f"{item_path}.items"))
    return problems


def _check_points(item: Item, path: str) -> list[Problem]:
    if not isinstance(item.points, int) or isinstance(item.points, bool):
        return []
    scored = [child for child in item.items if child.points is not None]
    if not scored:
        return []
    where = at(item, "points")
    if item.pick_one:
        highest = max(c.points.high if isinstance(c.points, PointRange) else c.points for c in scored)
        if highest > item.points:
            return [Problem(where, f"{path}.points", (
                f"擇一選項的最高分 {highest} 超過本項配分 {item.points}。 (an option scores more than its item)"))]
        return []
    whole = [c.points for c in scored if isinstance(c.points, int)]
    if len(whole) == len(scored) and sum(whole) != item.points:
        parts = " + ".join(str(p) for p in whole)
        return [Problem(where, f"{path}.points", (
            f"下層配分相加 {parts} = {sum(whole)}，與本項配分 {item.points} 不符；"
            "請更正其中一個。 (points of the sub-items do not add up)"))]
    return []


def _tables_inside(items: list[Item], path: str, where: str) -> list[Problem]:
    """A table under an item that is itself in a table cell or a form row: no format can lay it out."""
    problems = []
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]"
        if item.table is not None:
            problems.append(Problem(at(item, "table"), f"{item_path}.table", (
                f"{where}裡的項目不能再有表格；請把這個表格移到{where}外（放在上一層項目或段落下），"
                "或改寫成格內的子項目。 (a table cannot sit inside a table cell or a form row)")))
        problems.extend(_tables_inside(item.items, f"{item_path}.items", where))
    return problems


def _check_form(form: Form, path: str) -> list[Problem]:
    problems = _check_items(form.items, f"{path}.items") + _tables_inside(form.items, f"{path}.items", "評核表")
    if form.total is not None:
        whole = [i.points for i in form.items if isinstance(i.points, int)]
        if sum(whole) != form.total:
            problems.append(Problem(at(form, "total"), f"{path}.total", (
                f"各項配分相加為 {sum(whole)}，與總分 {form.total} 不符。 (items do not add up to the total)")))
    return problems


def _check_table(table: Table, path: str) -> list[Problem]:
    problems = []
    width = len(table.columns)
    spans = [0] * width  # rows still covered by a cell above, per column
    for r, row in enumerate(table.rows):
        free = [c for c in range(width) if spans[c] == 0]
        if len(row) != len(free):
            covered = width - len(free)
            problems.append(Problem(row[0].where or at(table, "rows") if row else at(table, "rows"), f"{path}.rows[{r}]", (
                f"這一列有 {len(row)} 格，但表格有 {width} 欄"
                + (f"（其中 {covered} 欄被上方跨列的格子佔用，應寫 {len(free)} 格）" if covered else "")
                + "。 (row does not fit the columns)")))
            spans = [max(0, s - 1) for s in spans]
            continue
        for index, (column, cell) in enumerate(zip(free, row)):
            spans[column] = cell.span
            problems.extend(_tables_inside(cell.items, f"{path}.rows[{r}][{index}].items", "表格的格子"))
        spans = [max(0, s - 1) for s in spans]
    if any(spans):
        problems.append(Problem(at(table, "rows"), f"{path}.rows", (
            "有格子的跨列數（span）超過表格剩下的列數。 (a cell spans past the last row)")))
    return problems


