"""Bold kept on import: a paragraph's pieces (text, bold or not) → plan text with **…** (pipeline/inline.py).

Shared by the Word and OpenDocument readers (the Markdown reader's text is Markdown already and is only
tidied by `tidy_markdown`). What the rule is, from real documents (the fixtures under tests/fixtures/import,
the project's own DOCX and ODT of its seeds, web pages saved as Markdown):

- A paragraph bold throughout — apart from its label (壹、 一、 （一）) and white space — is a title, a
  heading or a label line (「壹、計畫依據」, 「參、本計畫奉核定後實施。」): its bold is its look, not emphasis,
  and it stays plain; the plan's writers print headings in their own style.
- Otherwise every bold stretch becomes **…**: adjacent bold pieces (Word splits runs often) are one
  stretch, white space and line breaks at its edges stay outside the marks, a label at the start of the
  line stays outside them (「**一、服務流程**：…」 → 「一、**服務流程**：…」), and punctuation at an edge that
  CommonMark would not let a mark stand next to (「**目標：**本計畫」) is left outside.
- Literal asterisks and backslashes of the source are escaped (\\*), so they print as they are.
The result is checked by parsing it back (pipeline/inline.py): text that would not read back as the same
words with the same bold is kept plain (escaped) instead.
"""
from __future__ import annotations

import re
import unicodedata

_LITERAL = re.compile(r"\*|\\(?=[!-/:-@\[-`{-~])")   # an asterisk, or a backslash that would escape what follows


def escape(text: str) -> str:
    """Text whose asterisks (and backslashes before punctuation) read as themselves in plan text."""
    return _LITERAL.sub(lambda m: "\\" + m.group(0), text)


def _punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def marked(pieces: list[tuple[str, bool]]) -> str:
    """The paragraph's text, escaped, with its bold stretches as **…** (see the module's rules)."""
    from .text import LABEL_START

    text = "".join(t for t, _ in pieces)
    if not any(bold and t.strip() for t, bold in pieces):
        return escape(text)
    flags = [bold for t, bold in pieces for _ in t]
    label = LABEL_START.match(text)
    start = label.end() if label and label.start() == len(text) - len(text.lstrip()) else 0
    flags[:start] = [False] * start
    if all(flags[i] for i in range(start, len(text)) if not text[i].isspace()):
        return escape(text)   # bold throughout: a heading's look
    stretches = _stretches(text, flags, start)
    out, at = [], 0
    for low, high in stretches:
        out += [escape(text[at:low]), "**", escape(text[low:high]), "**"]
        at = high
    out.append(escape(text[at:]))
    result = "".join(out)
    return result if _reads_back(result, text, stretches) else escape(text)


def _stretches(text: str, flags: list[bool], start: int) -> list[tuple[int, int]]:
    """(start, end) of each bold stretch: joined across white space inside it, trimmed of white space and
    of the edge punctuation a mark cannot stand next to."""
    found: list[tuple[int, int]] = []
    i = start
    while i < len(text):
        if not flags[i] or text[i].isspace():
            i += 1
            continue
        j = i
        end = i + 1
        while j < len(text) and text[j] not in "\n\t" and (flags[j] or text[j].isspace()):
            if flags[j] and not text[j].isspace():
                end = j + 1
            j += 1
        low, high = i, end
        while low < high and _punct(text[low]) and low > 0 and not (text[low - 1].isspace() or _punct(text[low - 1])):
            low += 1   # 「本計畫**「重點」**」: an opening mark before punctuation needs space or punctuation before it
        while low < high and _punct(text[high - 1]) and high < len(text) and not (
                text[high].isspace() or _punct(text[high])):
            high -= 1  # 「**目標：**本計畫」: likewise a closing mark after punctuation
        if low < high:
            found.append((low, high))
        i = max(end, i + 1)
    return found


def _reads_back(result: str, text: str, stretches: list[tuple[int, int]]) -> bool:
    from ..inline import parse

    runs = parse(result).runs
    want: list[tuple[str, bool]] = []
    at = 0
    for low, high in stretches:
        want += [(text[at:low], False), (text[low:high], True)]
        at = high
    want.append((text[at:], False))
    return (_joined((r.text, r.bold) for r in runs) == _joined(want)
            and not any(r.italic or r.code or r.href for r in runs))


def _joined(pieces) -> list[tuple[str, bool]]:
    """Pieces of text with a flag, the empty ones dropped and neighbours of the same flag joined."""
    joined: list[tuple[str, bool]] = []
    for piece, flag in pieces:
        if not piece:
            continue
        if joined and joined[-1][1] == flag:
            joined[-1] = (joined[-1][0] + piece, flag)
        else:
            joined.append((piece, flag))
    return joined


def tidy_markdown(line: str) -> str:
    """A line's Markdown bold as plan text keeps it: a line bold throughout (apart from its label) loses its
    marks (a heading, 「**壹、計畫依據**」 or 「一、**計畫目標**」), a label inside a leading mark moves out of
    it, and marks that would not read as bold (「**目標：**本計畫」, stray ones) go, as they always did."""
    from ..inline import parse
    from .text import LABEL_START

    if "**" not in line and "__" not in line:
        return line
    runs = parse(line).runs
    if any("**" in r.text or "__" in r.text for r in runs):
        return line.replace("**", "").replace("__", "")
    text = "".join(r.text for r in runs)
    label = LABEL_START.match(text.lstrip())
    skip = len(text) - len(text.lstrip()) + (label.end() if label else 0)
    position, throughout = 0, True
    for run in runs:
        for k, ch in enumerate(run.text):
            if position + k >= skip and not ch.isspace() and not run.bold:
                throughout = False
        position += len(run.text)
    if throughout and any(r.bold for r in runs):
        return line.replace("**", "").replace("__", "")
    moved = re.match(r"^(\s*)(\*\*|__)(" + LABEL_START.pattern + r")\s*", line)
    if moved:
        line = f"{moved.group(1)}{moved.group(3)}{moved.group(2)}{line[moved.end():]}"
    return line if not any("**" in r.text or "__" in r.text for r in parse(line).runs) else line.replace(
        "**", "").replace("__", "")
