"""Plan import: the lines before the first section — the title, the agency, the year, the issuance
(a date and document number: 「106年4月26日高市地政秘字第10631078900號函核備」) and a cover page, and the
metadata of a regulations site (法規名稱、公發布日、修正日期、發文字號), which goes to those fields and
never into the plan's text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Cover, Issued, Plan
from ..readers import Block
from ..rocdate import DateFormatError, RocDate, parse_roc_date
from .labels import chinese_value

ORGANISATION = r"(?:委員會|事務所|公所|衛生所|政府|分署|中心|小學|中學|大學|學校|局|處|署|部|院|所|隊)"
ORG_UNIT = re.compile(rf"(?!所屬|各)[^\s\d「」（）()，,、:：]{{1,10}}?{ORGANISATION}(?!屬)")
TITLE_WORDS = re.compile(r"計畫|要點|方案|規定|須知|辦法|作業|報告|評分表|項目表|評核表|實施")
NUMERAL = "〇零一二三四五六七八九十百"
DATE = re.compile(rf"(?:中華)?(?:民國)?\s*([0-9０-９]{{2,3}}|[{NUMERAL}]{{2,5}})\s*年\s*([0-9０-９]{{1,2}}|[{NUMERAL}]{{1,3}})\s*月"
                  rf"(?:\s*([0-9０-９]{{1,2}}|[{NUMERAL}]{{1,3}})\s*日)?")
DOTTED = re.compile(r"(?<![\d.])(\d{2,3})[./](\d{1,2})[./](\d{1,2})(?![\d.])")   # 「113.2.1」「113/02/01」
DOCUMENT_NUMBER = re.compile(r"[^\s，。；、]{1,16}字第\s*[0-9A-Za-z]+\s*號")
ISSUE_WORDS = re.compile(r"函頒|函核備|核定|函修正|令訂定|令修正|修正|訂定|發布|生效|函|令|備查")
METADATA = re.compile(r"^(法規名稱|公發布日|發布日期|公告日期|修正日期|訂定日期|生效日期|修正時間|訂定時間|發文字號|"
                      r"停止適用時間|廢止日期|施行日期|法規類別|立法沿革|沿革)\s*[：:]\s*(.*)$")
SPENT = re.compile(r"(?:修正|訂定)?全文\s*\S{1,4}\s*[點條]|自(?:函頒|發布|公布)日(?:起)?(?:生效|施行)")


@dataclass
class Head:
    titles: list[str] = field(default_factory=list)
    agency: str = ""
    agency_lines: list[str] = field(default_factory=list)
    issued_date: RocDate | None = None
    issued_number: str | None = None
    issued_verb: str | None = None   # the wording after the number: 函核定, 函頒, 函修正
    issued_line: str | None = None
    amendments: list[str] = field(default_factory=list)   # later issuance lines: 「109年4月16日…函修正」
    others: list[str] = field(default_factory=list)   # cover lines: 「○○事務所 訂定」
    year: int = 0
    cover_date: bool = False   # a date alone on its line, as cover pages print it


def identity(head: list[Block], report, guesses, year: int | None = None, left_out: list[str] | None = None) -> Plan:
    """The plan's title, agency, year, issuance and cover from the lines before its first section; a
    line that is none of these and no cover to hold it is named in `left_out`, never dropped unsaid."""
    info = read_head(head)
    agency = info.agency or _agency_in(info.titles[0] if info.titles else "") or _agency_in(info.issued_line or "")
    if not agency:
        agency = "（請填寫機關名稱）"
        guesses["agency"] = "原文找不到機關名稱，請填寫"
    elif not info.agency:
        guesses["agency"] = "機關名稱由標題或發文字號推測，請核對"
    title = info.titles or ["（請填寫計畫名稱）"]
    if not info.titles:
        guesses["title"] = "原文找不到計畫名稱，請填寫"
    plan = Plan(agency=agency, year=year or info.year, title=title if len(title) > 1 else title[:1])
    if year:
        report.append(f"年度：{year}（由 --year 指定）")
    elif info.year:
        report.append(f"年度：{info.year}（由標題或發布日期）")
    if info.issued_date or info.issued_number:
        plan.issued = Issued(date=info.issued_date, number=info.issued_number, verb=info.issued_verb)
        report.append(f"發布：{info.issued_line}")
    if info.amendments:
        report.append("修正紀錄：" + "；".join(info.amendments))
        guesses["issued"] = ("原文另有修正紀錄（" + "；".join(info.amendments) + "），計畫檔只記一次核定日期與文號；"
                             "請確認要記哪一次")
    if info.others and ([b for b in head if b.role == "cover"] or info.cover_date):
        plan.cover = Cover(title=next((l for l in info.others if TITLE_WORDS.search(l)), None),
                           note=next((l for l in info.others if not TITLE_WORDS.search(l)), None))
        report.append("封面：" + "／".join(b.text for b in head))
    elif left_out is not None:
        whole_title = re.sub(r"\s+", "", "".join(info.titles))
        left_out += [f"標題前的「{line}」沒有匯入（不是標題、機關或發布日期），需要時請寫入計畫"
                     for line in info.others if re.sub(r"\s+", "", line) not in whole_title]
    report.append(f"機關：{agency}；年度：{plan.year or '（未知）'}；標題：{' '.join(title)}")
    return plan


def read_head(head: list[Block]) -> Head:
    info = Head()
    lines = _joined([b for b in head if b.role != "pre"])
    law_title = None
    candidates: list[tuple[str, str]] = []   # (text, role)
    for text, role in lines:
        meta = METADATA.match(text)
        if meta:
            key, value = meta.groups()
            if key == "法規名稱":
                law_title = value.strip()
            elif key == "發文字號":
                info.issued_number = value.strip() or None
            elif key not in ("停止適用時間", "廢止日期", "法規類別", "立法沿革", "沿革"):
                _issuance(info, value, value)
            continue
        text, dated = _split_dated_metadata(text)
        if dated:
            _issuance(info, dated, dated)
        if not text or SPENT.fullmatch(text):
            continue
        if _is_issuance(text):
            _issuance(info, text, text)
            info.cover_date = info.cover_date or bool(re.fullmatch(rf"(?:中華民國)\s*{DATE.pattern}", text))
            continue
        candidates.append((text, role))
    titled = [t for t, role in candidates if role == "title"]
    if law_title:
        info.titles = [law_title]
    elif titled:
        info.titles = titled
    agencies = [t for t, _ in candidates if re.fullmatch(rf"(?:{ORG_UNIT.pattern})+", t)][:1]
    info.agency_lines = agencies
    info.agency = agencies[0] if agencies else ""
    rest = [t for t, _ in candidates if t not in agencies and t not in info.titles]
    if not info.titles:
        keyword = [t for t in rest if TITLE_WORDS.search(t)]
        chosen = keyword[-1] if keyword else (rest[-1] if rest else "")
        before = _wrapped_before(chosen, [t for t, _ in candidates], agencies)
        if before:
            rest.remove(before)
            chosen = before + chosen
        after = _wrapped_after(chosen, [t for t, _ in candidates])
        if after and after in rest:   # never the agency's line
            rest.remove(after)
            chosen = chosen + after
        info.titles = [chosen.strip("「」『』 ")] if chosen else []
    info.others = [t for t in dict.fromkeys(rest) if t.strip("「」『』 ") not in info.titles]
    info.year = (_year_in(" ".join(info.titles)) or _year_in(" ".join(rest))
                 or (info.issued_date.year if info.issued_date else 0))
    return info


def _wrapped_after(title: str, lines: list[str]) -> str | None:
    """The last characters of a title a PDF wrapped onto a line of their own (「…實施計」 over 「畫」,
    「…評核作」 over 「業注意事項」): a short line without digits or punctuation."""
    if not title or title not in lines or title.endswith(tuple("。：:；;，,」』）)")):
        return None
    index = lines.index(title)
    after = lines[index + 1] if index + 1 < len(lines) else ""
    return after if after != title and re.fullmatch(r"[^\s\d0-9０-９，,。：:；;「」（）()]{1,6}", after) else None


def _wrapped_before(title: str, lines: list[str], agencies: list[str]) -> str | None:
    """The line a title was wrapped from (a PDF's centred title: 「○○事務所 提升政府服務品質」 over 「執行計畫」):
    the line just before a short title, neither the agency alone nor a sentence nor a title of its own."""
    if not title or len(title) > 10 or title.startswith(("「", "『")) or title not in lines:
        return None
    index = lines.index(title)
    before = lines[index - 1] if index else ""
    if (not before or before in agencies or TITLE_WORDS.search(before) or before.endswith(tuple("。：:；;，,」』"))
            or DATE.search(before)):
        return None
    return before


def _joined(blocks: list[Block]) -> list[tuple[str, str]]:
    """Head lines, a document number wrapped across two lines joined, spaced-out characters closed up."""
    out: list[tuple[str, str]] = []
    for block in blocks:
        text = _close_spacing(block.text)
        if out and re.search(r"字第\s*\d+$", out[-1][0]) and re.match(r"^\d+\s*號", text):
            out[-1] = (out[-1][0] + text, out[-1][1])
            continue
        out.append((text, block.role))
    return out


def _close_spacing(text: str) -> str:
    """「中 華 民 國 八 十 五 年」 → 「中華民國八十五年」: characters set one space apart."""
    if re.fullmatch(r"(?:\S )+\S", text.strip()):
        return text.replace(" ", "")
    return text


def _split_dated_metadata(text: str) -> tuple[str, str | None]:
    """「內政部 99 年度施政績效報告 公告日期：100 年 5 月 19 日」 → the title, and the date it carries."""
    match = re.search(r"\s*(?:公告日期|發布日期|修正日期|更新日期)\s*[:：]\s*(.*)$", text)
    if not match:
        return text, None
    return text[:match.start()].strip(), match.group(1)


def _is_issuance(text: str) -> bool:
    """A line that only says when and by which document the plan was issued."""
    date = DATE.search(text)
    if not date:   # a date written with dots or slashes only with a document number or an issuing verb
        dotted = DOTTED.search(text)
        after = text[dotted.end():] if dotted and dotted.start() <= 12 else ""
        return bool(DOCUMENT_NUMBER.search(after) or ISSUE_WORDS.search(after))
    if date.start() > 12:
        return False
    after = text[date.end():]
    return bool(DOCUMENT_NUMBER.search(after) or ISSUE_WORDS.search(after) or not after.strip()
                or re.fullmatch(r"\S{1,12}(?:第\S{1,8}次會議)?\S{0,8}", after.strip()))


def _issuance(info: Head, text: str, line: str) -> None:
    date = DATE.search(text) or DOTTED.search(text)
    if info.issued_line and date and roc_date(date) not in (None, info.issued_date) and line not in info.amendments:
        info.amendments.append(line)   # a later amendment (or an earlier issue): the first line read is kept
        return
    if date and info.issued_date is None:
        info.issued_date = roc_date(date)
    number = DOCUMENT_NUMBER.search(text[date.end():] if date else text)
    if number and info.issued_number is None:
        words = re.sub(rf"^(?:{ORG_UNIT.pattern})+", "", number.group(0))   # the issuer is not the number
        info.issued_number = re.sub(r"字第\s*(\w+)\s*號", r"字第 \1 號", words)
        info.issued_verb = issue_verb(number.string[number.end():])
    info.issued_line = info.issued_line or line


def issue_verb(after: str) -> str | None:
    """The verb after an issuance line's number: 「函核定」「函頒」; 「函修正全文 9 點」 → 「函修正」,
    「函頒，自即日起生效」 → 「函頒」. None when the words there are no issuing verb."""
    words = re.match(r"\s*([^\s，,。；;：:（）()「」]{1,12})", after)
    verb = re.split(r"全文|自|並|之", words.group(1))[0] if words else ""
    return verb if verb and ISSUE_WORDS.match(verb) else None


def roc_date(match: re.Match) -> RocDate | None:
    """A date match (Arabic or Chinese numerals) as a RocDate; None when it does not exist."""
    year, month, day = (_number(g) if g else None for g in match.groups())
    try:
        return parse_roc_date(f"{year}年{month}月{day or 1}日")
    except DateFormatError:
        return None


def _number(text: str) -> int:
    text = text.translate(str.maketrans("０１２３４５６７８９〇", "0123456789零"))
    return int(text) if text.isdigit() else chinese_value(text)


def _year_in(text: str) -> int:
    match = re.search(r"(?<![\d])(\d{2,3})\s*(?:[-~～至]\s*\d{2,3}\s*)?年(?!\s*\d{1,2}\s*月)", text)
    if match:
        return int(match.group(1))
    match = re.search(rf"([{NUMERAL}]{{2,5}})\s*年度", text)
    return chinese_value(match.group(1)) if match else 0


def _agency_in(text: str) -> str:
    """The organisation a title or issuance line begins with: 「高雄市政府地政局岡山地政事務所106年度…」."""
    text = re.sub(r"^\s*(?:中華)?(?:民國)?\s*\S{1,5}年\S{1,3}月\S{1,3}日", "", text)
    match = re.match(rf"(?:{ORG_UNIT.pattern})+", text.strip())
    return match.group(0) if match else ""
