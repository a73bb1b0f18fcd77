"""Stage 3 (inline): plan text → Text, the words a reader sees with the runs that style them.

Markdown in plan text (**粗體**, *強調*, [連結](https://…), `代碼`) is parsed here once, while the tree
is built; from then on nothing reads Markdown. A `Text` is a `str` whose value is the plain text (what
the outline, the diff and search compare), and whose `runs` say which parts are bold, italic, code,
a link, underlined or struck through (the 修正對照表's marks), or inserted or deleted (tracked changes).
Text with no Markdown characters takes a fast path and is never parsed. Raw HTML is off, and only
http, https and mailto links are kept, so a writer can print runs as they are.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

_MARKUP = re.compile(r"[*_`\[\]<>&\\]")
URL_SCHEMES = {"http", "https", "mailto"}
MARKS = ("ins", "del", "move-from", "move-to")  # a tracked insertion, deletion, or the two ends of a move


class Run(NamedTuple):
    """A piece of text and how it is shown (a tuple: made by the thousand while a tree is built)."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    href: str | None = None
    underline: bool = False  # shown underlined: new wording in the 修正對照表
    strike: bool = False     # shown struck through: old wording in the 修正對照表
    mark: str | None = None  # one of MARKS: a tracked change, accepted or rejected by the reviewer

    def styled(self, **changes) -> "Run":
        return self._replace(**changes)


class Text(str):
    """Plain text (the str value) carrying its runs; joining and slicing keep the runs.

    A Text joined from others (Text.join, +) keeps its parts and makes its runs the first time they
    are asked for, and a Text of plain text makes its one unstyled run then: many texts (the review's
    units, outline lines, every paragraph when the review goes to a terminal) are only read as plain text.
    """

    _runs: tuple[Run, ...] | None = None  # made, or None: plain text, or joined from _parts
    _parts: tuple[str, list[str]] | None = None

    def __new__(cls, runs=()):
        if isinstance(runs, str):
            if type(runs) is cls:
                return runs  # a Text never changes
            if isinstance(runs, Text):
                return _text(cls, runs.runs, runs)
            return str.__new__(cls, runs)
        runs = tuple(r for r in runs if r.text)
        return _text(cls, runs, "".join(r.text for r in runs))

    @property
    def runs(self) -> tuple[Run, ...]:
        runs = self._runs
        if runs is None:
            if self._parts is not None:
                runs = _joined_runs(*self._parts)
                self._parts = None
            else:
                plain = str.__str__(self)
                runs = (Run(plain),) if plain else ()
            self._runs = runs
        return runs

    def __reduce__(self):
        return (Text, (self.runs,))

    def __add__(self, other):
        if not isinstance(other, str):
            return NotImplemented
        return _joined("", [self, other])

    def __radd__(self, other):
        if not isinstance(other, str):
            return NotImplemented
        return _joined("", [other, self])

    def slice(self, start: int, end: int) -> "Text":
        """The runs between two offsets of the plain text, cut where needed."""
        out, position = [], 0
        for run in self.runs:
            low, high = max(start, position), min(end, position + len(run.text))
            if low < high:
                out.append(run._replace(text=run.text[low - position:high - position]))
            position += len(run.text)
        return Text(out)

    @property
    def accepted(self) -> "Text":
        """The text as it reads once every tracked change is accepted: deletions and old places gone."""
        return Text(r for r in self.runs if r.mark not in ("del", "move-from"))

    def styled(self, **changes) -> "Text":
        return Text(r.styled(**changes) for r in self.runs)

    @staticmethod
    def join(separator: str, parts) -> "Text":
        parts = [p if isinstance(p, str) else Text(p) for p in parts if p is not None]
        if len(parts) == 1 and isinstance(parts[0], Text):
            return parts[0]  # a Text never changes: one part is the joined text itself
        return _joined(separator, parts) if parts else NOTHING


def _text(cls, runs: tuple, plain: str) -> Text:
    """A Text from runs already without empty ones, and their plain text already joined."""
    self = str.__new__(cls, plain)
    self._runs = runs
    return self


NOTHING = _text(Text, (), "")  # the empty text, made once


def _joined(separator: str, parts: list[str]) -> Text:
    """Texts and strings joined: the plain text now, the runs when first asked for."""
    self = str.__new__(Text, separator.join(parts))
    self._parts = (separator, parts)
    return self


def _joined_runs(separator: str, parts: list[str]) -> tuple[Run, ...]:
    between = (Run(separator),) if separator else ()
    runs: list[Run] = []
    for index, part in enumerate(parts):
        if index:
            runs += between
        runs += part.runs if isinstance(part, Text) else (Run(part),) if part else ()
    return tuple(runs)


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "breaks": False})


def needs_parsing(text: str) -> bool:
    return bool(_MARKUP.search(text))


def parse(text: str | None) -> Text | None:
    """Plan text as written (inline Markdown allowed) → Text. A Text is returned unchanged."""
    if text is None or isinstance(text, Text):
        return text
    if not needs_parsing(text):
        return Text(text)
    runs: list[Run] = []
    bold = italic = False
    href = None
    for token in _parser().parseInline(text)[0].children or []:
        kind = token.type
        if kind == "strong_open":
            bold = True
        elif kind == "strong_close":
            bold = False
        elif kind == "em_open":
            italic = True
        elif kind == "em_close":
            italic = False
        elif kind == "link_open":
            target = token.attrs.get("href", "")
            href = target if target.split(":", 1)[0].lower() in URL_SCHEMES else None
        elif kind == "link_close":
            href = None
        elif kind == "code_inline":
            runs.append(Run(token.content, bold, italic, True, href))
        elif kind in ("softbreak", "hardbreak"):
            runs.append(Run("\n", bold, italic, False, href))
        elif token.content:
            runs.append(Run(token.content, bold, italic, False, href))
    return Text(runs)


def verbatim(text: str | None) -> Text | None:
    """Text printed exactly as written (preformatted blocks, numbers, codes): no Markdown."""
    if text is None or isinstance(text, Text):
        return text
    return Text(text)


def runs_of(text: str | None) -> tuple[Run, ...]:
    """The runs of a Text; a plain str (already the words a reader sees) is one unstyled run."""
    if not text:
        return ()
    return text.runs if isinstance(text, Text) else (Run(text),)


def to_runs(text: str) -> list[Run]:
    """Runs of a Text, or of Markdown written outside a plan's tree."""
    return list(runs_of(text if isinstance(text, Text) else parse(text)))


def plain(text: str | None) -> str:
    """The text a reader sees, markup removed (for titles, properties, comparisons)."""
    if not text:
        return ""
    return str.__str__(text if isinstance(text, Text) else parse(text))


HTML_STYLES = (("code", "<code>", "</code>"), ("italic", "<em>", "</em>"), ("bold", "<strong>", "</strong>"),
               ("underline", '<u class="added">', "</u>"), ("strike", '<s class="removed">', "</s>"))  # innermost first


def to_html(text: str | None) -> str:
    """HTML for one paragraph of text (no enclosing <p>): runs as <strong>, <em>, <code>, <a>, <u>, <s>,
    tracked changes as <ins>/<del> named for screen readers. Every character of text is escaped."""
    import html  # only the writers of web pages need it, not the review on a terminal

    out = []
    for run in runs_of(text if isinstance(text, Text) else parse(text)):
        piece = html.escape(run.text, quote=False).replace("\n", "<br>")
        for style, opening, closing in HTML_STYLES:
            if getattr(run, style):
                piece = f"{opening}{piece}{closing}"
        if run.href:
            piece = f'<a href="{html.escape(run.href, quote=True)}" rel="noopener noreferrer">{piece}</a>'
        if run.mark in ("ins", "move-to"):
            piece = f'<ins><span class="visually-hidden">新增：</span>{piece}</ins>'
        elif run.mark in ("del", "move-from"):
            piece = f'<del><span class="visually-hidden">刪除：</span>{piece}</del>'
        out.append(piece)
    return "".join(out)
