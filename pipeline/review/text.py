"""The review as terminal text: counts, then each change with its paths and a redline (colour on a terminal)."""
from __future__ import annotations

from ..diff import Review
from ..errors import printable
from . import KIND_NAMES


def render(review: Review, colour: bool) -> str:
    """`colour` is for a terminal: plan text then has its bidi and zero-width characters shown as <U+XXXX>."""
    def show(text: str) -> str:
        return printable(text, keep_newlines=True) if colour else text

    def paint(text: str, **style) -> str:
        if not colour:
            return text
        import click

        return click.style(show(text), **style)

    counts = " · ".join(f"{KIND_NAMES[k]} {n}" for k, n in review.summary.items())
    lines = [f"比較 {review.old_name} → {review.new_name}", counts]
    if not review.changes:
        lines.append("兩份計畫內容相同。 (no changes)")
    for change in review.changes:
        where = change.new_path or change.old_path or ""
        if change.kind == "moved" or (change.old_path and change.new_path and change.old_path != change.new_path):
            where = f"{change.old_path} → {change.new_path}"
        lines.append("")
        lines.append(paint(f"{KIND_NAMES[change.kind]} {where}", bold=True))
        if change.kind in ("modified", "year"):
            marked = []
            for op, text in change.redline():
                if op == -1:
                    marked.append(paint(f"[-{text}-]", fg="red"))
                elif op == 1:
                    marked.append(paint(f"{{+{text}+}}", fg="green"))
                else:
                    marked.append(show(text))
            lines += ["  " + line for line in "".join(marked).split("\n")]
        elif change.kind == "added":
            lines += [paint("  + " + line, fg="green") for line in (change.new or "").split("\n")]
        elif change.kind == "removed":
            lines += [paint("  - " + line, fg="red") for line in (change.old or "").split("\n")]
        else:
            lines += ["  " + show(line) for line in (change.new or "").split("\n")]
    return "\n".join(lines) + "\n"
