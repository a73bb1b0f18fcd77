"""HTML writer: Document → one self-contained, accessible page (jinja2 template, autoescaped).

The page carries its own CSS (nothing is fetched), `lang="zh-Hant-TW"`, a skip link, a table of
contents, real headings, and tables with captions and `th scope`. Plan text goes through
pipeline.inline, which prints its runs (emphasis, links, tracked changes as <ins>/<del>), every character escaped.
"""
from __future__ import annotations

import os
import re

import jinja2
from markupsafe import Markup

from ..files import write_atomic
from ..inline import plain, to_html
from ..tree import Document, Entry, FormBlock, Paragraph, TableBlock, form_rows
from . import TEMPLATES


def template_folders(agency: str | None = None, extra: str | None = None) -> list[str]:
    """Where templates are looked up: a folder given by the user, the agency's own, the default."""
    folders = [extra] if extra else []
    if agency:
        folders.append(str(TEMPLATES / "agencies" / agency))
    folders.append(str(TEMPLATES))
    return folders


def bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the user's cache folder: compiling costs more than rendering a plan."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "plan-pipeline", "jinja")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(folder) if os.access(folder, os.W_OK) else None


def environment(folders: list[str]) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folders), autoescape=True,
                             undefined=jinja2.StrictUndefined, bytecode_cache=bytecode_cache())
    env.filters.update(inline=lambda t: Markup(to_html(t or "")), plain=lambda t: plain(t or ""),
                       anchor=anchor, form_rows=form_rows, in_groups=in_groups, form_field=form_field)
    env.tests["entry"] = lambda block: isinstance(block, Entry)
    return env


def anchor(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-")


def in_groups(children: list):
    """Children in reading order, consecutive entries gathered into one list."""
    groups: list = []
    for block in children:
        if isinstance(block, Entry):
            if groups and groups[-1][0] == "entries":
                groups[-1][1].append(block)
            else:
                groups.append(("entries", [block]))
        elif isinstance(block, Paragraph):
            groups.append(("paragraph", block))
        elif isinstance(block, TableBlock):
            groups.append(("table", block))
        elif isinstance(block, FormBlock):
            groups.append(("form", block))
    return groups


def form_field(field: str) -> Markup:
    """A header field of a form: its name and a line to fill in, unless it brings its own blanks."""
    if "：" in field:
        return Markup.escape(field)
    return Markup('{}：<span class="blank"><span class="visually-hidden">（待填）</span></span>').format(field)


def render(doc: Document, folders: list[str] | None = None, site: dict | None = None, fragment: bool = False) -> str:
    """The plan's page; `site` adds the bundle's navigation and downloads; `fragment` gives the body alone."""
    env = environment(folders or template_folders())
    scoped = scope_css(env.loader.get_source(env, "plan.css")[0], ".plan-fragment") if fragment else ""
    return env.get_template("plan.html.j2").render(doc=doc, site=site, fragment=fragment, scoped_css=scoped)


def write(doc: Document, path: str, options: dict | None = None) -> None:
    options = options or {}
    page = render(doc, options.get("template_folders"), options.get("site"), options.get("fragment", False))
    write_atomic(path, page.encode("utf-8"))


def scope_css(css: str, scope: str) -> str:
    """Prefix every selector with `scope`, so that pasted styles reach only the plan's own elements.

    `:root`, `html` and `body` become the scope itself; @page is dropped (it would set the host's
    printing); @media blocks are scoped inside. Written for the project's own stylesheet.
    """
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out, position = [], 0
    for match in re.finditer(r"([^{}]+)\{", css):
        if match.start() < position:
            continue
        head = match.group(1).strip()
        depth, end = 1, match.end()
        while depth and end < len(css):
            depth += {"{": 1, "}": -1}.get(css[end], 0)
            end += 1
        body = css[match.end():end - 1]
        position = end
        if head.startswith("@page"):
            continue
        if head.startswith("@"):
            out.append(f"{head} {{{scope_css(body, scope)}}}")
            continue
        selectors = []
        for selector in head.split(","):
            selector = selector.strip()
            if selector in (":root", "html", "body", "*"):
                selectors.append(scope if selector != "*" else f"{scope}, {scope} *")
            elif selector.startswith(("html ", "body ")):
                selectors.append(f"{scope} {selector.split(' ', 1)[1]}")
            else:
                selectors.append(f"{scope} {selector}")
        out.append(f"{', '.join(selectors)} {{{body}}}")
    return "\n".join(out)
