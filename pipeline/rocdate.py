"""ROC (民國) dates as officers write them: 103-01-01, 103/1/1, 103.1.1, 103年1月1日, 中華民國103年1月1日."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import quoted

ROC_OFFSET = 1911
ROC_YEAR = re.compile(r"[0-9]{1,3}")  # ASCII digits only: str.isdigit() also takes ² and ٣


def plan_year(stem: str) -> int | None:
    """The ROC year a plan file's name gives (plans/<agency>/<year>.yaml: 「103」 → 103), or None."""
    return int(stem) if ROC_YEAR.fullmatch(stem) else None


def not_a_year(year: str, example: int) -> str:
    """The message for a YEAR argument that is no ROC year; a Western year is converted for the officer."""
    if re.fullmatch(r"(19[1-9][0-9]|2[01][0-9][0-9])", year):
        return (f"YEAR「{year}」看來是西元年；計畫用民國年：西元 {year} 年是民國 {int(year) - ROC_OFFSET} 年。"
                " (YEAR must be an ROC year)")
    return f"YEAR「{year}」不是民國年（例如 {example}）。 (YEAR must be an ROC year)"

_PATTERN = re.compile(
    r"^\s*(?:中華)?(?:民國)?\s*(\d{1,3})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
    r"|[-/.](\d{1,2})[-/.](\d{1,2}))\s*$")
_GREGORIAN = re.compile(r"^\s*(1[89]\d\d|20\d\d)\s*[-/.年]")


@dataclass(frozen=True, order=True)
class RocDate:
    """A date of the Republic of China calendar (民國): year 1 is 1912."""

    year: int
    month: int
    day: int

    def __str__(self) -> str:
        """The plan's own way of writing a date: 103 年 1 月 1 日."""
        return f"{self.year} 年 {self.month} 月 {self.day} 日"

    @property
    def short(self) -> str:
        return f"{self.year}-{self.month:02d}-{self.day:02d}"

    def shifted(self, years: int) -> "RocDate":
        day = min(self.day, days_in_month(self.year + years, self.month))
        return RocDate(self.year + years, self.month, day)


def days_in_month(roc_year: int, month: int) -> int:
    """The days of a month of an ROC year (民國 year + 1911 is the Gregorian year, leap years and all)."""
    if month == 2:
        year = roc_year + ROC_OFFSET
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


class DateFormatError(ValueError):
    """The text is not a date, or not a date that exists; the message says which, in Chinese."""


def parse_roc_date(text: str) -> RocDate:
    if _GREGORIAN.match(text):
        raise DateFormatError(
            f"{quoted(text)}看來是西元年；計畫用民國年，例如 103-01-01 或 103年1月1日")
    match = _PATTERN.match(text)
    if not match:
        raise DateFormatError(
            f"{quoted(text)}不是可辨識的日期；請寫成 103-01-01 或 103年1月1日（民國年）")
    year = int(match.group(1))
    month = int(match.group(2) or match.group(4))
    day = int(match.group(3) or match.group(5))
    if year < 1:
        raise DateFormatError(f"{quoted(text)}的民國年必須大於 0")
    if not 1 <= month <= 12:
        raise DateFormatError(f"{quoted(text)}的月份 {month} 不存在（只有 1 到 12 月）")
    last = days_in_month(year, month)
    if not 1 <= day <= last:
        raise DateFormatError(
            f"{quoted(text)}不存在：民國 {year} 年 {month} 月只有 {last} 天")
    return RocDate(year, month, day)
