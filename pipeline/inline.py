"""Inline Markdown in plan text (**粗體**, *強調*, [連結](https://…), `代碼`), for every writer.

Text with no Markdown characters takes a fast path and is never parsed. Otherwise markdown-it-py
parses it with raw HTML switched off; `to_html` sanitises the result with nh3 (only a few tags,
only http, https and mailto links), and `to_runs` gives the same spans to the DOCX writer.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

_MARKUP = re.compile(r"[*_`\[\]<>&\\]")
ALLOWED_TAGS = {"strong", "em", "a", "code", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    href: str | None = None


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "breaks": False})


def needs_parsing(text: str) -> bool:
    return bool(_MARKUP.search(text))


def to_html(text: str) -> str:
    """Sanitised HTML for one paragraph of plan text (no enclosing <p>)."""
    if not needs_parsing(text):
        return html.escape(text, quote=False)
    import nh3

    rendered = _parser().renderInline(text)
    return nh3.clean(rendered, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer")


def to_runs(text: str) -> list[Run]:
    """The same paragraph as styled runs, for writers that are not HTML."""
    if not needs_parsing(text):
        return [Run(text)]
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
    return runs


def plain(text: str) -> str:
    """The text a reader sees, markup removed (for titles, properties, comparisons)."""
    return "".join(run.text for run in to_runs(text))
