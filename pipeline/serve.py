"""`plan serve`: a live preview on this computer while the officer edits a plan.

Stage: a loop around the other stages. On every save (watchfiles: the system's file events, not a
polling loop) the plan is loaded and rendered again:

    /          the plan's web page (the HTML writer)
    /review    the review against the agency's previous plan, when there is one
    /layout    the pages of the DOCX as printed: the DOCX converted by LibreOffice to PDF and drawn
               as images by pdftoppm (made after the web pages, since it takes a few seconds;
               without LibreOffice the page says what to install)
    /plan.docx the DOCX itself

Each page carries a bar with the pages' links and, when the plan does not load, its problems
(file:line:col, field, message); the last good render stays below. Pages reload themselves through
server-sent events (/events). The server listens on 127.0.0.1 only.
"""
from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .errors import PlanError, PlanProblems

HOST = "127.0.0.1"
LAYOUT_RESOLUTION = 70  # dots per inch of the page images: an A4 page about 580 px wide


@dataclass
class Rendered:
    """What the server shows; replaced as a whole, so a request never sees half a rebuild."""

    plan_html: str = ""
    review_html: str = ""
    docx: bytes = b""
    has_cover: bool = False  # the DOCX has a cover page, which its page count leaves out
    problems: list[str] = field(default_factory=list)  # one line each: file:line:col: field: message
    version: int = 0


@dataclass
class Layout:
    pages: list[bytes] = field(default_factory=list)  # PNG images, one per page
    note: str = "版面預覽製作中…"
    version: int = 0


class Preview:
    """The plan being previewed, its last good render, and the waiters to tell when either changes."""

    def __init__(self, plan_path: str, previous_path: str | None, agency: str | None):
        self.plan_path = plan_path
        self.previous_path = previous_path
        self.agency = agency
        self.rendered = Rendered()
        self.layout = Layout()
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self._layout_wanted = threading.Event()

    # ---- building ------------------------------------------------------------------------------

    def rebuild(self) -> None:
        """Render the plan again; on problems keep the last good pages and show the problems."""
        from .loader import load_plan
        from .tree import build_document
        from .writers import docx as docx_writer
        from .writers import html as html_writer

        last = self.rendered
        problems: list[str] = []
        from .writers.pdf import has_cover

        plan_html, review_html, docx_bytes, cover = last.plan_html, last.review_html, last.docx, last.has_cover
        document = None
        try:  # a plan that does not load, a template that does not render, a file saved half-way
            document = build_document(load_plan(self.plan_path, _read(self.plan_path)))
            folders = html_writer.template_folders(self.agency)
            plan_html = html_writer.render(document, folders)
            docx_bytes = docx_writer.render(document, docx_writer.checked_template({"agency": self.agency}))
            cover = has_cover(document)
            review_html, review_problems = self._review(document, folders)
            problems.extend(review_problems)
        except PlanProblems as error:
            problems.extend(str(p) for p in error.problems)
        except PlanError as error:
            problems.append(str(error))
        with self.changed:
            self.rendered = Rendered(plan_html, review_html, docx_bytes, cover, problems, last.version + 1)
            self.changed.notify_all()
        if document is not None:
            self._layout_wanted.set()

    def _review(self, document, folders) -> tuple[str, list[str]]:
        if not self.previous_path:
            return "", []
        from .diff import compare
        from .loader import load_plan
        from .review.html import render
        from .tree import build_document

        try:
            old = build_document(load_plan(self.previous_path, _read(self.previous_path)))
        except PlanProblems as error:
            return self.rendered.review_html, [str(p) for p in error.problems]
        except PlanError as error:  # last year's file unreadable for a moment (an editor saving it)
            return self.rendered.review_html, [str(error)]
        return render(compare(old, document, self.previous_path, self.plan_path), folders), []

    def layout_worker(self) -> None:
        """Draws the pages of the latest DOCX whenever asked; one conversion at a time, the newest wins."""
        while True:
            self._layout_wanted.wait()
            if self.stopping.is_set():
                return
            self._layout_wanted.clear()
            pages, note = draw_pages(self.rendered.docx, self.rendered.has_cover)
            with self.changed:
                self.layout = Layout(pages, note, self.layout.version + 1)
                self.changed.notify_all()

    def stop(self) -> None:
        self.stopping.set()
        self._layout_wanted.set()
        with self.changed:
            self.changed.notify_all()

    # ---- waiting -------------------------------------------------------------------------------

    def wait_for_change(self, seen_pages: int, seen_layout: int) -> str | None:
        """Blocks until the pages or the layout are newer than what the browser has; None on shutdown."""
        with self.changed:
            while not self.stopping.is_set():
                if self.rendered.version != seen_pages:
                    return "pages"
                if self.layout.version != seen_layout:
                    return "layout"
                self.changed.wait()
        return None


def _read(path: str) -> bytes:
    from .errors import UsageError

    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise UsageError(f"{path}: 無法讀取：{exc.strerror}。 (cannot read)") from None


def draw_pages(docx_bytes: bytes, has_cover: bool = False) -> tuple[list[bytes], str]:
    """PNG images of the DOCX's pages (LibreOffice, then pdftoppm), or no pages and what is missing."""
    from .writers import pdf

    pdftoppm = shutil.which("pdftoppm")
    if not docx_bytes:
        return [], "計畫還沒有成功載入過，沒有可預覽的版面。"
    if pdftoppm is None or not (shutil.which("soffice") or shutil.which("libreoffice")):
        return [], ("版面預覽需要 LibreOffice 與 pdftoppm：sudo apt-get install libreoffice-writer-nogui "
                    "poppler-utils fonts-cns11643-kai。仍可下載 DOCX 在 Word 中查看。")
    try:
        pdf_bytes = pdf.from_docx(docx_bytes, has_cover)
    except PlanError as error:
        return [], str(error)
    with tempfile.TemporaryDirectory(prefix="plan-serve-") as work:
        source = os.path.join(work, "plan.pdf")
        Path(source).write_bytes(pdf_bytes)
        run = subprocess.run([pdftoppm, "-png", "-r", str(LAYOUT_RESOLUTION), source, os.path.join(work, "page")],
                             capture_output=True, timeout=120)
        if run.returncode != 0:
            return [], "pdftoppm 無法把 PDF 畫成圖片。"
        files = sorted(Path(work).glob("page-*.png"), key=lambda p: int(re.findall(r"\d+", p.stem)[-1]))
        return [p.read_bytes() for p in files], "以 LibreOffice 把 DOCX 轉成 PDF 後的各頁（與 plan.docx 的版面相同）。"


# ---- pages -------------------------------------------------------------------------------------

BAR_STYLE = """
.plan-serve{font:16px/1.6 system-ui,"Noto Sans CJK TC",sans-serif;background:#f3f3f3;border-bottom:1px solid #888;padding:.5rem 1rem}
.plan-serve nav a{margin-right:1.2rem;color:#0b4f8a}
.plan-serve nav a[aria-current]{font-weight:bold;color:#000;text-decoration:none}
.plan-serve .problems{background:#fdecea;border:2px solid #b3261e;color:#5c0f0a;padding:.5rem 1rem;margin:.5rem 0}
.plan-serve .problems h2{font-size:1.1rem;margin:0 0 .3rem}
.plan-serve .problems li{font-family:ui-monospace,monospace;white-space:pre-wrap;overflow-wrap:anywhere}
.plan-serve .status{color:#333;margin:.2rem 0}
.layout-pages img{display:block;margin:1rem auto;box-shadow:0 0 6px #888;max-width:100%;height:auto}
"""

SCRIPT = """<script>
(() => {
  const source = new EventSource("/events?pages=%(pages)d&layout=%(layout)d");
  source.addEventListener("pages", () => location.reload());
  %(layout_listener)s
  window.addEventListener("pagehide", () => source.close());
})();
</script>"""

TABS = (("/", "計畫網頁"), ("/review", "年度比較"), ("/layout", "版面預覽（DOCX）"), ("/plan.docx", "下載 DOCX"))


def bar(preview: Preview, current: str) -> str:
    rendered = preview.rendered
    links = []
    for href, label in TABS:
        if href == "/review" and not preview.previous_path:
            continue
        mark = ' aria-current="page"' if href == current else ""
        links.append(f'<a href="{href}"{mark}>{label}</a>')
    parts = [f"<style>{BAR_STYLE}</style>",
             '<div class="plan-serve" role="region" aria-label="即時預覽">',
             f'<nav aria-label="預覽頁面">{"".join(links)}</nav>',
             f'<p class="status">即時預覽 {html.escape(preview.plan_path)}：存檔後自動更新。</p>']
    if rendered.problems:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in rendered.problems)
        kept = "下方是最後一次成功的版本。" if rendered.plan_html else ""
        parts.append(f'<section class="problems" role="alert" aria-labelledby="problems-h">'
                     f'<h2 id="problems-h">計畫有 {len(rendered.problems)} 個問題需要修正。{kept}</h2>'
                     f"<ul>{items}</ul></section>")
    parts.append("</div>")
    return "".join(parts)


def with_bar(page: str, preview: Preview, current: str) -> str:
    """A rendered page with the preview bar first in its body and the reload script last."""
    script = SCRIPT % {"pages": preview.rendered.version, "layout": preview.layout.version,
                       "layout_listener": 'source.addEventListener("layout", () => location.reload());'
                       if current == "/layout" else ""}
    if re.search(r"<body[^>]*>", page) is None:
        page = f"<!doctype html><html lang=\"zh-Hant-TW\"><head><meta charset=\"utf-8\"><title>預覽</title></head><body>{page}</body></html>"
    # after the skip link, which stays the first thing the keyboard reaches
    start = re.search(r"<body[^>]*>\s*(<a class=\"skip-link\"[^>]*>.*?</a>)?", page, re.S)
    page = page[:start.end()] + bar(preview, current) + page[start.end():]
    end = page.rfind("</body>")
    from .writers.html import with_security_policy

    return with_security_policy(page[:end] + script + page[end:])


def layout_page(preview: Preview) -> str:
    layout = preview.layout
    images = "".join(
        f'<img src="/layout/page-{n}.png?v={layout.version}" alt="第 {n} 頁" width="579">'
        for n in range(1, len(layout.pages) + 1))
    return (f"<main id=\"main\"><h1>版面預覽</h1>"
            f"<p class=\"status\">{html.escape(layout.note)}</p><div class=\"layout-pages\">{images}</div></main>")


def message_page(text: str) -> str:
    return f"<main id=\"main\"><p>{html.escape(text)}</p></main>"


class Handler(BaseHTTPRequestHandler):
    preview: Preview  # set on the subclass made by serve()

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self):  # noqa: N802 - the base class's name
        if not self._addressed_to_this_computer():
            self._send("只接受本機的連線。 (local requests only)", "text/plain; charset=utf-8", status=421)
            return
        url = urlsplit(self.path)
        preview = self.preview
        rendered = preview.rendered
        if url.path == "/":
            page = rendered.plan_html or message_page("計畫還沒有成功載入過；請依上方的說明修正後存檔。")
            self._send(with_bar(page, preview, "/"))
        elif url.path == "/review":
            page = rendered.review_html or message_page(
                "沒有前一年度的計畫可比較。" if not preview.previous_path else "前一年度的計畫無法載入。")
            self._send(with_bar(page, preview, "/review"))
        elif url.path == "/layout":
            self._send(with_bar(layout_page(preview), preview, "/layout"))
        elif (match := re.fullmatch(r"/layout/page-(\d+)\.png", url.path)) and \
                1 <= int(match.group(1)) <= len(preview.layout.pages):
            self._send(preview.layout.pages[int(match.group(1)) - 1], "image/png")
        elif url.path == "/plan.docx" and rendered.docx:
            self._send(rendered.docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                       {"Content-Disposition": "attachment; filename=plan.docx"})
        elif url.path == "/events":
            self._events(parse_qs(url.query))
        else:
            self._send(with_bar(message_page("沒有這個頁面。"), preview, ""), status=404)

    def _addressed_to_this_computer(self) -> bool:
        """The Host header names this computer: another web site cannot read the preview by pointing
        its own name at 127.0.0.1 (DNS rebinding)."""
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
        return host in ("127.0.0.1", "localhost", "::1")

    def _send(self, body, content_type: str = "text/html; charset=utf-8", headers: dict | None = None,
              status: int = 200) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _events(self, query: dict) -> None:
        """Server-sent events: one message when the page the browser shows is out of date."""
        def number(name):
            value = query.get(name, ["-1"])[0]
            return int(value) if value.lstrip("-").isdigit() else -1

        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            kind = self.preview.wait_for_change(number("pages"), number("layout"))
            if kind:
                self.wfile.write(f"event: {kind}\ndata: {kind}\n\n".encode())
                self.wfile.flush()
        except ConnectionError:
            pass


# ---- running -----------------------------------------------------------------------------------

def choose_plan(plans_dir: str, agency: str | None, year: str | None) -> tuple[str, str, str | None]:
    """(agency, plan file, the agency's previous plan or None) for `plan serve [AGENCY [YEAR]]`:
    without a year the agency's latest plan, without an agency the plan saved last."""
    from .build import plan_file
    from .errors import UsageError
    from .site import discover

    plans = discover(plans_dir)
    if not plans:
        raise UsageError(f"{plans_dir}/ 裡沒有任何計畫檔；請先用 plan new 或 plan import 建立一份。 (no plans)")
    if agency is None:
        agency, year, _ = max(plans, key=lambda p: os.path.getmtime(p[2]))
    elif year is None:
        years = [y for a, y, _ in plans if a == agency]
        if not years:
            agencies = "、".join(sorted({a for a, _, _ in plans}))
            raise UsageError(f"{plans_dir}/{agency}/ 裡沒有計畫檔；現有的機關：{agencies}。 (no plans for this agency)")
        year = max(years)
    path = plan_file(agency, str(year), plans_dir)
    earlier = [(y, p) for a, y, p in plans if a == agency and y < int(year)]
    return agency, path, max(earlier)[1] if earlier else None


def watch(preview: Preview) -> None:
    """Rebuild whenever the plan or the previous year's plan is saved (editors often save by renaming)."""
    import watchfiles

    wanted = {os.path.realpath(p) for p in (preview.plan_path, preview.previous_path) if p}
    folders = sorted({os.path.dirname(p) for p in wanted})
    for changes in watchfiles.watch(*folders, stop_event=preview.stopping, debounce=300, step=50,
                                    raise_interrupt=False, watch_filter=lambda _, path: os.path.realpath(path) in wanted):
        if changes:
            preview.rebuild()


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A browser that leaves mid-answer (a reload, a closed tab) is no error; others get one line."""
        import sys

        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            print(f"預覽伺服器無法回應一個請求：{error!r} (request failed)", file=sys.stderr)


def start(plan_path: str, previous_path: str | None, agency: str | None, port: int) -> tuple[ThreadingHTTPServer, Preview, list[threading.Thread]]:
    """Build once, then start the server, the watcher and the layout worker; returns them for stop()."""
    preview = Preview(plan_path, previous_path, agency)
    preview.rebuild()
    handler = type("PreviewHandler", (Handler,), {"preview": preview})
    server = PreviewServer((HOST, port), handler)
    threads = [threading.Thread(target=watch, args=(preview,), name="watch", daemon=True),
               threading.Thread(target=preview.layout_worker, name="layout", daemon=True)]
    for thread in threads:
        thread.start()
    return server, preview, threads


def stop(server: ThreadingHTTPServer, preview: Preview, threads: list[threading.Thread]) -> None:
    """End the watcher, let a LibreOffice conversion under way finish (so none is left behind), close."""
    preview.stop()
    for thread in threads:
        thread.join()
    server.server_close()
