"""The review as one accessible page: counts, jump links, inline <ins>/<del>, and a switch for year-only changes."""
from __future__ import annotations

from markupsafe import Markup

from ..diff import Review
from ..inline import to_html
from ..files import write_atomic
from ..writers.html import environment, template_faults, template_folders, with_security_policy
from . import KIND_NAMES


def redline_html(change) -> Markup:
    """The change's text with deletions and insertions marked, and named for screen readers."""
    marks = {-1: "del", 0: None, 1: "ins"}
    return Markup("".join(to_html(piece.styled(mark=marks[op])) for op, piece in change.pieces()))


def render(review: Review, folders: list[str] | None = None, site: dict | None = None) -> str:
    env = environment(folders or template_folders())
    env.filters["redline"] = redline_html
    with template_faults():
        return with_security_policy(env.get_template("review.html.j2").render(review=review, kinds=KIND_NAMES, site=site))


def write(review: Review, path: str, options: dict | None = None) -> None:
    options = options or {}
    write_atomic(path, render(review, options.get("template_folders") or template_folders(options.get("agency")),
                                    options.get("site")).encode("utf-8"))
