"""HTML writer: Document → one self-contained, accessible page (jinja2 template, autoescaped).

The page carries its own CSS (nothing is fetched), `lang="zh-Hant-TW"`, a skip link, a table of
contents, real headings, and tables with captions and `th scope`. Plan text goes through
pipeline.inline, which prints its runs (emphasis, links, tracked changes as <ins>/<del>), every character escaped.
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from ..errors import BuildError
from ..files import write_atomic
from ..inline import plain, to_html
from ..tree import Document, Entry, form_rows, kind_of
from . import TEMPLATES
from .layout import hang_of


def template_folders(agency: str | None = None, extra: str | None = None) -> list[str]:
    """Where templates are looked up: a folder given by the user, the agency's own, the default."""
    folders = [extra] if extra else []
    if agency and re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", agency) and os.path.isdir(TEMPLATES / "agencies" / agency):
        folders.append(str(TEMPLATES / "agencies" / agency))
    folders.append(str(TEMPLATES))
    return folders


def bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the user's cache folder: compiling costs more than rendering a plan.

    Compiled code is loaded and run, so the folder is trusted only when it is the user's own and
    nobody else can write to it (made 0700 when it is new); otherwise templates are compiled afresh.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "plan-pipeline", "jinja")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(folder) if private_folder(folder) else None


def private_folder(folder: str) -> bool:
    """True when `folder` is a real folder owned by this user that no group or other user may write."""
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    import stat

    owner = getattr(os, "getuid", None)  # Windows has no owners by number: no cache is trusted there
    return (owner is not None and stat.S_ISDIR(info.st_mode) and info.st_uid == owner()
            and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and os.access(folder, os.W_OK))


def prepare() -> None:
    """What writing a page first costs, paid ahead by a process that will write one (pipeline.beside): the
    default template compiled or read from the bytecode cache, the template engine's patterns, the policy's modules."""
    environment(template_folders()).get_template("plan.html.j2")
    with_security_policy("<style></style>")


def environment(folders: list[str]) -> jinja2.Environment:
    """Templates run sandboxed: an agency's own template may shape the page but reach no module or file."""
    env = ImmutableSandboxedEnvironment(loader=jinja2.FileSystemLoader(folders), autoescape=True,
                                        undefined=jinja2.StrictUndefined, bytecode_cache=bytecode_cache())
    env.filters.update(inline=lambda t: Markup(to_html(t or "")), plain=lambda t: plain(t or ""),
                       anchor=anchor, form_rows=form_rows, in_groups=in_groups, form_field=form_field,
                       hang=lambda label: f"{hang_of(label or ''):.2f}em")
    env.tests["entry"] = lambda block: isinstance(block, Entry)
    return env


def anchor(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-")


def in_groups(children: list):
    """Children in reading order, consecutive entries gathered into one list."""
    groups: list = []
    for block in children:
        kind = kind_of(block)
        if kind == "entry":
            if groups and groups[-1][0] == "entries":
                groups[-1][1].append(block)
            else:
                groups.append(("entries", [block]))
        else:
            groups.append((kind, block))
    return groups


def form_field(field: str) -> Markup:
    """A header field of a form: its name and a line to fill in, unless it brings its own blanks."""
    if "：" in field:
        return Markup.escape(field)
    return Markup('{}：<span class="blank"><span class="visually-hidden">（待填）</span></span>').format(field)


def render(doc: Document, folders: list[str] | None = None, site: dict | None = None, fragment: bool = False) -> str:
    """The plan's page; `site` adds the bundle's navigation and downloads; `fragment` gives the body alone."""
    env = environment(folders or template_folders())
    with template_faults():
        scoped = scope_css(env.loader.get_source(env, "plan.css")[0], ".plan-fragment") if fragment else ""
        page = env.get_template("plan.html.j2").render(doc=doc, site=site, fragment=fragment, scoped_css=scoped)
    return prefix_ids(page, FRAGMENT_PREFIX) if fragment else with_security_policy(page)


FRAGMENT_PREFIX = "plan-fragment-"
_REFERENCES = re.compile(r'(\s(?:id|for|headers|aria-labelledby|aria-describedby|aria-controls)=")([^"]*)(")|(\shref="#)([^"]*)(")')


def prefix_ids(page: str, prefix: str) -> str:
    """Every id of a fragment, and every reference to one, prefixed: pasted into a host page, none can clash."""
    def prefixed(match: re.Match) -> str:
        if match.group(1):
            ids = " ".join(prefix + name for name in match.group(2).split())
            return f"{match.group(1)}{ids}{match.group(3)}"
        return f"{match.group(4)}{prefix}{match.group(5)}{match.group(6)}" if match.group(5) else match.group(0)
    return _REFERENCES.sub(prefixed, page)


CSP_META = re.compile(r'\n?<meta http-equiv="Content-Security-Policy" content="[^"]*">')


def with_security_policy(page: str) -> str:
    """The page with a Content-Security-Policy that allows exactly its own styles and scripts, nothing else.

    Nothing is fetched from elsewhere; each <style> block, each style attribute and each <script>
    block the page carries is allowed by its SHA-256 hash, so an injected style or script is refused.
    A published page has no script at all; a page with one (the live preview's reloader) may also
    talk back to its own server. A policy the page already had is replaced.
    """
    import base64
    import hashlib
    from html import unescape

    def source(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"

    page = CSP_META.sub("", page)
    blocks = re.findall(r"<style>(.*?)</style>", page, flags=re.S)
    attributes = sorted({unescape(v) for v in re.findall(r'\sstyle="([^"]*)"', page)})
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    styles = " ".join(dict.fromkeys(source(t) for t in blocks + attributes))
    hashes_of_attributes = " 'unsafe-hashes'" if attributes else ""
    allowed_scripts = (f"; script-src {' '.join(dict.fromkeys(source(t) for t in scripts))}; connect-src 'self'"
                       if scripts else "")
    policy = (f"default-src 'none'; style-src {styles}{hashes_of_attributes}{allowed_scripts}; "
              "img-src 'self' data:; base-uri 'none'; form-action 'none'")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    # After the character set (which must stay within the first 1024 bytes), else first in <head>;
    # a template that leaves <head> implied gets it right after the doctype, where HTML puts it in the head.
    place = _CHARSET_META.search(page) or _HEAD.search(page) or _DOCTYPE.match(page)
    at = place.end() if place else 0
    return page[:at] + meta + page[at:]


_CHARSET_META = re.compile(r"<meta\s+charset=[\"']?utf-8[\"']?\s*/?>", re.IGNORECASE)
_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.IGNORECASE)
_DOCTYPE = re.compile(r"\s*<!doctype[^>]*>", re.IGNORECASE)


@contextmanager
def template_faults():
    """A template that cannot render (a mistake in an agency's override, or one the sandbox stops) is a BuildError."""
    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        raise BuildError(f"{exc.filename or exc.name}:{exc.lineno}: 網頁範本有語法錯誤：{exc.message} (template syntax error)") from None
    except jinja2.TemplateError as exc:
        raise BuildError(f"網頁範本無法產生頁面：{exc} (template error)") from None


def write(doc: Document, path: str, options: dict | None = None) -> None:
    options = options or {}
    folders = options.get("template_folders") or template_folders(options.get("agency"))
    page = render(doc, folders, options.get("site"), options.get("fragment", False))
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
