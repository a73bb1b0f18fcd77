"""Plan import: the lines before the first section — the title, the agency, the year and the cover
(a date of issue, a line such as 「○○事務所 訂定」).
"""
from __future__ import annotations

import re

from ..model import Cover, Issued, Plan
from ..readers import Block
from ..rocdate import DateFormatError, parse_roc_date

AGENCY_END = r"(委員會|事務所|政府|局|處|署|部|院|中心|公所)$"


def identity(head: list[Block], report, guesses) -> Plan:
    lines = [b.text for b in head]
    titles = [b.text for b in head if b.role == "title"] or [l for l in lines if "計畫" in l][-1:] or lines[:1]
    agency = next((l for l in lines if re.search(AGENCY_END, l)), "")
    year_match = next((re.search(r"(\d{2,3})\s*年", t) for t in titles + lines if re.search(r"(\d{2,3})\s*年", t)), None)
    year = int(year_match.group(1)) if year_match else 0
    if not agency:
        agency = re.split(r"\s*\d{2,3}\s*年", titles[0])[0].strip() if titles else "（請填寫機關名稱）"
        guesses["agency"] = "機關名稱由標題推測"
    if not year:  # settled later from the period or a 「○○ 年度」 mention
        guesses["year"] = "標題中找不到年度，由內文推測，請核對"
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
        report.append("封面：" + "／".join(lines))
    report.append(f"機關：{agency}；年度：{year}；標題：{' '.join(title)}")
    return plan
