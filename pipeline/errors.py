"""Errors shared by every stage: one small hierarchy, each with its exit code.

A problem names where it happened (file, line, column), the field, and what to do.
Only the command line prints them; nothing else catches them.
"""
from __future__ import annotations

import re

from .characters import UNPRINTABLE
from .records import record


class Where:
    """A position in a plan file; line and column count from 1.

    Loading gives every node and field a position, and almost none is ever printed: a position read
    from a file keeps the character index and its file's line starts (IndexedWhere), and works out
    the line and column the first time they are asked for.
    """

    __slots__ = ("file", "_line", "_col", "_starts", "_index")

    def __init__(self, file: str, line: int, col: int):
        self.file, self._line, self._col, self._starts = file, line, col, None

    @property
    def line(self) -> int:
        if self._starts is not None:
            self._resolve()
        return self._line

    @property
    def col(self) -> int:
        if self._starts is not None:
            self._resolve()
        return self._col

    def _resolve(self) -> None:
        from bisect import bisect_right

        starts, self._starts = self._starts, None
        self._line = bisect_right(starts, self._index)
        self._col = self._index - starts[self._line - 1] + 1

    def _key(self) -> tuple:
        return self.file, self.line, self.col

    def __eq__(self, other) -> bool:
        return self._key() == other._key() if isinstance(other, Where) else NotImplemented

    def __lt__(self, other: Where) -> bool:
        return self._key() < other._key()

    def __le__(self, other: Where) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: Where) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: Where) -> bool:
        return self._key() >= other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self):
        return Where, self._key()  # to a worker process: the line and column, not the file's line starts

    def __repr__(self) -> str:
        return f"Where(file={self.file!r}, line={self.line!r}, col={self.col!r})"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class IndexedWhere(Where):
    """A Where made while reading a file: character `index`, where `starts` lists the index at which
    each line begins; resolved to line and column on demand."""

    __slots__ = ()

    def __init__(self, file: str, starts: list[int], index: int):
        self.file, self._starts, self._index = file, starts, index


@record(frozen=True)
class Problem:
    """One finding about a plan file: an error, or a warning about writing conventions."""

    where: Where
    field: str
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        tag = "" if self.severity == "error" else "警告 warning: "
        field = self.field or "(檔案)"
        return printable(f"{self.where}: {field}: {tag}{self.message}")


def printable(text: str, keep_newlines: bool = False) -> str:
    """Text safe to print on a terminal: controls (ANSI escapes), bidi and zero-width characters shown as <U+XXXX>."""
    def shown(match: re.Match) -> str:
        ch = match.group(0)
        return ch if keep_newlines and ch in "\n\t" else f"<U+{ord(ch):04X}>"
    return UNPRINTABLE.sub(shown, text)


def json_for_terminal(text: str) -> str:
    """JSON text with controls, bidi and zero-width characters written as \\uXXXX escapes: the same data, safe to show."""
    return UNPRINTABLE.sub(lambda m: "\n" if m.group(0) == "\n" else f"\\u{ord(m.group(0)):04x}", text)


QUOTE_LIMIT = 60


def quoted(text: str) -> str:
    """Source text as an error message quotes it: 「…」 around at most one line of at most QUOTE_LIMIT characters."""
    lines = str(text).strip().splitlines() or [""]
    first = lines[0]
    cut = len(lines) > 1 or len(first) > QUOTE_LIMIT
    return f"「{first[:QUOTE_LIMIT]}{'…' if cut else ''}」"


class PlanError(Exception):
    """Base of the project's errors; exit_code is what the command line returns."""

    exit_code = 1


class PlanProblems(PlanError):
    """A plan file could not be accepted; carries every problem found, in file order."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.where, p.field))
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(PlanError):
    """The command was asked for something it cannot do (a missing file, a bad name)."""

    exit_code = 2


class BuildError(PlanError):
    """An output could not be written; the last good output is left in place."""

    exit_code = 1


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised as an interrupt so that the same cleanup runs as for Ctrl-C."""


def raise_on_terminate(*_) -> None:
    raise Terminated()
