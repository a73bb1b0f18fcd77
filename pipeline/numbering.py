"""Labels of the traditional numbering: 壹、→ 一、→（一）→ 1. →（1）→ 甲、→（甲）→ 子、→（子）.

Pure functions of (style, position, options); the tree's number() pass calls them once per item.
Any count is labelled: 拾壹、/壹拾壹、, 十一、, 一百零一、, and past 癸 the sixty-cycle 甲子, 乙丑….
`reading_patterns` gives, for plan import, the labels of each style as regular expressions: what
label() prints under any options, with the variants people type (１．, 1、, a 、 after a parenthesis).
"""
from __future__ import annotations

from .records import record

STYLES = ("壹", "一", "（一）", "1", "（1）", "甲", "（甲）", "子", "（子）")
DIGITS = "零一二三四五六七八九"
LEGAL_DIGITS = "零壹貳參肆伍陸柒捌玖"
STEMS = "甲乙丙丁戊己庚辛壬癸"
BRANCHES = "子丑寅卯辰巳午未申酉戌亥"


@record(frozen=True)
class NumberingOptions:
    """How a plan writes its numbers: 參 or 叁, full- or half-width parentheses, 1. or 1、, 拾壹 or 壹拾壹."""

    three: str = "參"          # or 叁
    half_parentheses: bool = False
    arabic: str = "1."         # "1.", "1、" or "1"
    legal_ten: str = "拾壹"     # or 壹拾壹
    top: str = "壹"            # the sections' style: 壹 (壹、→一、→（一）) or 一 (一、→（一）→1.)


def next_style(style: str) -> str:
    """The style one level deeper; past （子） the cycle starts again at 1."""
    index = STYLES.index(style) + 1
    return STYLES[index] if index < len(STYLES) else "1"


def label(style: str, n: int, options: NumberingOptions = NumberingOptions()) -> str:
    if style == "壹":
        return legal_numeral(n, options) + "、"
    if style == "一":
        return chinese_numeral(n) + "、"
    if style == "（一）":
        return _parens(chinese_numeral(n), options)
    if style == "1":
        return f"{n}{options.arabic[1:]}"
    if style == "（1）":
        return _parens(str(n), options)
    if style == "甲":
        return stem(n) + "、"
    if style == "（甲）":
        return _parens(stem(n), options)
    if style == "子":
        return branch(n) + "、"
    if style == "（子）":
        return _parens(branch(n), options)
    raise ValueError(f"unknown numbering style {style!r}")


def _parens(inner: str, options: NumberingOptions) -> str:
    return f"({inner})" if options.half_parentheses else f"（{inner}）"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 101 → 一百零一, 1010 → 一千零一十."""
    if n <= 0:
        return "零"
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n - 10] if n > 10 else "")
    return _positional(n, DIGITS, ("", "十", "百", "千"), "萬")


def legal_numeral(n: int, options: NumberingOptions = NumberingOptions()) -> str:
    """1 → 壹, 3 → 參 (or 叁), 10 → 拾, 11 → 拾壹 (or 壹拾壹), 20 → 貳拾."""
    digits = LEGAL_DIGITS.replace("參", options.three)
    if 0 < n < 10:
        return digits[n]
    if 10 <= n < 20 and options.legal_ten == "拾壹":
        return "拾" + (digits[n - 10] if n > 10 else "")
    return _positional(n, digits, ("", "拾", "佰", "仟"), "萬")


def _positional(n: int, digits: str, units: tuple[str, ...], myriad: str) -> str:
    if n >= 10000:
        high, low = divmod(n, 10000)
        rest = _positional(low, digits, units, myriad) if low else ""
        zero = digits[0] if 0 < low < 1000 else ""
        return _positional(high, digits, units, myriad) + myriad + zero + rest
    out = ""
    pending_zero = False
    for power in range(3, -1, -1):
        digit = (n // 10 ** power) % 10
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out += digits[0]
            pending_zero = False
        out += digits[digit] + units[power]
    return out or digits[0]


def stem(n: int) -> str:
    """甲…癸, then the sixty-cycle 甲子 乙丑 … from the 11th, then Chinese numerals."""
    if n <= 10:
        return STEMS[n - 1]
    if n <= 60:
        return STEMS[(n - 1) % 10] + BRANCHES[(n - 1) % 12]
    return chinese_numeral(n)


def branch(n: int) -> str:
    """子…亥, then the same sixty-cycle as the stems."""
    return BRANCHES[n - 1] if n <= 12 else stem(n)


_LEGAL_CHARS = LEGAL_DIGITS[1:] + "叁拾佰仟萬零"
_CHINESE_CHARS = DIGITS[1:] + "十百千零〇"
_ARABIC = "0-9０-９"


def _parenthesised(inner: str) -> str:
    return rf"[（(]{inner}[）)]、?"


def reading_patterns() -> list[tuple[str, str]]:
    """(style, regex) for every label style, in the order they must be tried (（1） before 1)."""
    return [
        # 壹、 一、 — also as extraction and typing leave them: 「一 、」, 「一.」 「壹．」
        ("壹", rf"[{_LEGAL_CHARS}]+(?: ?、|[.．](?![{_ARABIC}]))"),
        ("一", rf"[{_CHINESE_CHARS}]+(?: ?、|[.．](?![{_ARABIC}]))"),
        ("（一）", _parenthesised(rf"[{_CHINESE_CHARS}]+")),
        ("（1）", _parenthesised(rf"[{_ARABIC}]+")),
        # 1. 1、 １． — or a bare number directly before text (not a date, a count, an amount 「24,000」 or a decimal)
        ("1", rf"[{_ARABIC}]+(?:[.．、](?![{_ARABIC}])|(?=[^{_ARABIC}\s.．、年月日%％分,，]))"),
        ("（甲）", _parenthesised(f"[{STEMS}]")),
        ("甲", rf"[{STEMS}]、"),
        ("（子）", _parenthesised(f"[{BRANCHES}]")),
        ("子", rf"[{BRANCHES}]、"),
    ]
