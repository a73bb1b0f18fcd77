"""Reader for Markdown (.md): a page saved or converted to Markdown.

Markdown is text with marks: headings (#), emphasis (** __), list dashes and pipe tables. This module
knows that syntax; text.py, which reads the same residue in text copied from web pages, uses it too.
"""
from __future__ import annotations

import re

from . import Block

PIPE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
PIPE_RULE = re.compile(r"^\s*\|[\s:|-]+\|\s*$")


def read(text: str) -> list[Block]:
    from . import text as text_reader

    return text_reader.read(text)


def pipe_cells(line: str) -> list[str] | None:
    """The cells of a pipe-table row, or None for any other line."""
    row = PIPE_ROW.match(line)
    return row.group(1).split("|") if row else None


def is_rule(line: str) -> bool:
    """The |---|---| line under a pipe table's header."""
    return bool(PIPE_RULE.match(line))


def unmark(line: str) -> str:
    """A line without its Markdown marks: emphasis and heading hashes (bullets: see residue.py)."""
    line = line.replace("**", "").replace("__", "")
    return re.sub(r"^\s*#{1,6}\s*", "", line)
