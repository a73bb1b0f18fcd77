"""Plan import: the period (自民國 103 年 1 月 1 日至 103 年 12 月 31 日止) and the plan's year."""
from __future__ import annotations

import re

from ..model import Period
from ..rocdate import DateFormatError, parse_roc_date
from ..tree import period_text
from .lines import squeeze

DATE = r"\d{2,3}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"


def period_of(common: dict, report, guesses) -> Period | None:
    text = common["text"] or ""
    dates = re.findall(DATE, text)
    if len(dates) < 2:
        return None
    try:
        start, end = parse_roc_date(dates[0]), parse_roc_date(dates[1])
    except DateFormatError:
        return None
    # Braces of the source are printed as full-width ones: in a wording only {start} {end} {length} may stand.
    wording = text.replace("{", "｛").replace("}", "｝").replace(dates[0], "{start}", 1).replace(dates[1], "{end}", 1)
    wording = re.sub(r"為期\s*(\d+\s*(?:年|個月))", "為期 {length}", wording)
    period = Period(title=common["title"], start=start, end=end, same_line=common.get("same_line", False))
    if squeeze(period_text(period)) != squeeze(text):
        period.wording = wording
        if squeeze(period_text(period)) != squeeze(text):
            guesses["period"] = "期程的寫法未能完全還原，請核對"
    report.append(f"期程：{start} 至 {end}")
    return period


def year_from_text(plan, texts: list[str]) -> int:
    """The year from the period, else from a 「○○ 年度」 mention; 0 when there is none."""
    if isinstance(plan.period, Period):
        return plan.period.start.year
    for text in texts:
        found = re.search(r"(\d{2,3})\s*年度", text) or MONTHS.search(text)
        if found:
            return int(found.group(1))
    return 0


# 「自民國 104 年 1 月起至民國 104 年 12 月止」: a period given in months
MONTHS = re.compile(r"自\s*(?:民國)?\s*(\d{2,3})\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?\s*起?\s*(?:至|到)")
