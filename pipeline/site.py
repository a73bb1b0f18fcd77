"""`plan site`: the bundle an agency's web team uploads, built from every plan under plans/.

    DIR/index.html                       every agency, its plans newest first
    DIR/sitemap.html (and sitemap.xml)   網站導覽; the XML one when --base-url is given
    DIR/<agency>/<year>/index.html       the plan's page, with its downloads and review link
    DIR/<agency>/<year>/plan.docx .odt .pdf   (PDF where LibreOffice is installed)
    DIR/<agency>/<year>/diff.html, diff.docx  the review against the agency's previous plan
    DIR/<agency>/<year>/fragment.html    with --fragment: the body alone, styles scoped, for a CMS

Links are relative, so the bundle works from file:// and from any static host; nothing is fetched.

Like `plan build`, the site is rebuilt only where something changed. Each plan's folder keeps
`.page.json`: the fingerprint of what the page was made from (the plan, the previous plan its review
compares with, the program, the templates, --fragment, whether LibreOffice was there for the PDF)
and what the index needs to list it. A page whose fingerprint matches and whose files are all there
is left as it is, without reading the plan. The index and the site maps are written again whenever
the list they show changes (a plan added, removed, renamed or rebuilt) or --base-url does. The page of
a plan taken out of plans/ is taken out of the bundle, and a file a page no longer has (the review
once its previous plan is gone, a PDF LibreOffice could not make) is removed; only files a .page.json
records are ever removed.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote, urlsplit
from xml.etree.ElementTree import Element, SubElement, tostring

from .errors import BuildError, PlanError, UsageError
from .files import inside, outside_message, write_atomic
from .records import record
from .rocdate import plan_year

SITE_TITLE = "年度計畫"


@record(frozen=True)
class PageJob:
    agency: str
    year: int
    plan: str
    previous: tuple[int, str] | None  # the agency's previous plan: (year, file)
    out: str
    fragment: bool
    root: str = "plans"  # the plans folder: a plan file may not lead outside it
    fingerprint: str = ""  # of the page's inputs, kept in .page.json once the page is written


@record
class PageResult:
    agency: str
    year: int
    agency_name: str = ""
    title: str = ""
    review: bool = False
    previous: int | None = None
    notes: tuple[str, ...] = ()
    error: str | None = None
    unchanged: bool = False  # the page was current and left as it was
    withdrawn: bool = False  # the plan is no longer under plans/: its page was taken out of the bundle


def discover(plans_dir: str, left_out: list[str] | None = None) -> list[tuple[str, int, str]]:
    """(agency, year, path) of every plans/<agency>/<year>.yaml; other YAML files there go to `left_out`."""
    found = []
    for path in sorted([*Path(plans_dir).glob("*/*.yaml"), *Path(plans_dir).glob("*/*.yml")]):
        year = plan_year(path.stem) if path.suffix == ".yaml" else None
        if year is not None:
            found.append((path.parent.name, year, str(path)))
        elif left_out is not None and not path.name.startswith("."):
            left_out.append(str(path))
    return found


def jobs(plans_dir: str, out: str, fragment: bool, left_out: list[str] | None = None) -> list[PageJob]:
    plans = discover(plans_dir, left_out)
    years: dict[str, list[tuple[int, str]]] = {}
    for agency, year, path in plans:
        years.setdefault(agency, []).append((year, path))
    result = []
    for agency, year, path in plans:
        earlier = [(y, p) for y, p in years[agency] if y < year]
        result.append(PageJob(agency, year, path, max(earlier) if earlier else None, out, fragment, plans_dir))
    return result


PAGE_STAMP = ".page.json"


def page_fingerprint(job: PageJob, pdf: bool) -> str | None:
    """What a page is made from, as one SHA-256; None when a plan cannot be read or leads outside."""
    from .build import code_digest

    digest = hashlib.sha256(f"{code_digest()}\0{templates_digest()}\0{job.fragment}\0{pdf}".encode())
    for plan in (job.plan, *(job.previous[1:] if job.previous else ())):
        if not inside(job.root, plan):
            return None  # built, so that the page reports it
        try:
            with open(plan, "rb") as handle:
                digest.update(f"\0{plan}\0".encode() + handle.read())
        except OSError:
            return None
    return digest.hexdigest()


_templates: list[str] = []


def templates_digest() -> str:
    """Every template file (the agencies' own too), read once."""
    if not _templates:
        from .writers import TEMPLATES

        digest = hashlib.sha256()
        for folder, subfolders, files in sorted(os.walk(TEMPLATES)):
            subfolders.sort()
            for name in sorted(files):
                with open(os.path.join(folder, name), "rb") as handle:
                    digest.update(f"{folder}/{name}\0".encode() + handle.read())
        _templates.append(digest.hexdigest())
    return _templates[0]


PAGE_FILES = ("index.html", "plan.docx", "plan.odt", "plan.pdf", "diff.html", "diff.docx", "fragment.html")


def page_outputs(job: PageJob, pdf: bool) -> list[str]:
    names = ["index.html", "plan.docx", "plan.odt"] + (["plan.pdf"] if pdf else [])
    names += ["diff.html", "diff.docx"] if job.previous else []
    return names + (["fragment.html"] if job.fragment else [])


def current_page(job: PageJob) -> PageResult | None:
    """The page's result as kept when it was written, if nothing it is made from has changed since."""
    folder = os.path.join(job.out, job.agency, str(job.year))
    try:
        with open(os.path.join(folder, PAGE_STAMP), encoding="utf-8") as handle:
            kept = json.load(handle)
        if kept["fingerprint"] != job.fingerprint:
            return None
        if not all(os.path.isfile(os.path.join(folder, name)) for name in kept["outputs"]):
            return None
        return PageResult(job.agency, job.year, kept["agency_name"], kept["title"], kept["review"],
                          kept["previous"], tuple(kept["notes"]), unchanged=True)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _keep_stamp(job: PageJob, result: PageResult, pdf: bool) -> None:
    """Record what the page was made from; files an earlier run made here and this one did not are removed."""
    folder = os.path.join(job.out, job.agency, str(job.year))
    outputs = page_outputs(job, pdf)
    _remove_files(folder, [name for name in _made_before(folder) if name not in outputs])
    kept = {"fingerprint": job.fingerprint, "agency_name": result.agency_name, "title": result.title,
            "review": result.review, "previous": result.previous, "notes": list(result.notes),
            "outputs": outputs}
    write_atomic(os.path.join(folder, PAGE_STAMP), json.dumps(kept, ensure_ascii=False).encode("utf-8"))


def _made_before(folder: str) -> list[str]:
    """The page files an earlier run recorded in this folder's .page.json (only names plan site writes)."""
    try:
        with open(os.path.join(folder, PAGE_STAMP), encoding="utf-8") as handle:
            outputs = json.load(handle)["outputs"]
        return [name for name in PAGE_FILES if name in outputs]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def _remove_files(folder: str, names: list[str]) -> None:
    for name in names:
        try:
            os.remove(os.path.join(folder, name))
        except FileNotFoundError:
            pass


def withdraw_pages(out: str, plans: set[tuple[str, int]]) -> list[tuple[str, int]]:
    """Take out of the bundle the pages of plans no longer under plans/, so the site stops publishing them.

    Only a folder with plan site's own .page.json is touched, only the files it records are removed,
    and a folder is removed only when that leaves it empty; a linked folder is never entered.
    """
    withdrawn = []
    for stamp in sorted(Path(out).glob(f"*/*/{PAGE_STAMP}")):
        folder = stamp.parent
        agency, year = folder.parent.name, plan_year(folder.name)
        if year is None or str(year) != folder.name or (agency, year) in plans:
            continue
        if folder.is_symlink() or folder.parent.is_symlink():
            continue
        _remove_files(str(folder), _made_before(str(folder)) + [PAGE_STAMP])
        for empty in (folder, folder.parent):
            try:
                empty.rmdir()
            except OSError:
                break
        withdrawn.append((agency, year))
    return withdrawn


def build_page(job: PageJob) -> PageResult:
    """One plan's folder in the bundle; never raises for a problem in a plan."""
    try:
        return _build_page(job)
    except PlanError as error:
        return PageResult(job.agency, job.year, error=str(error))
    except OSError as exc:  # e.g. the plan file deleted or unreadable while the site was being built
        return PageResult(job.agency, job.year, error=f"{exc.filename or job.plan}: 無法讀取或寫入：{exc.strerror}。 ({exc.strerror})")
    except Exception as exc:  # noqa: BLE001 — one broken plan must not stop the rest of the site
        return PageResult(job.agency, job.year, error=(
            f"{job.plan}: 建置時發生未預期的錯誤（{type(exc).__name__}: {exc}），已略過這份計畫；"
            "其他計畫照常發布。請回報這個錯誤。 (unexpected error; plan skipped)"))


def _build_page(job: PageJob) -> PageResult:
    from .loader import load_plan
    from .tree import build_document
    from .writers import docx, html, odt, pdf

    folder = os.path.join(job.out, job.agency, str(job.year))
    for plan in (job.plan, *(job.previous[1:] if job.previous else ())):
        if not inside(job.root, plan):
            raise UsageError(outside_message(plan, job.root))
    doc = build_document(load_plan(job.plan))
    result = PageResult(job.agency, job.year, doc.agency, doc.title)
    options = {"agency": job.agency}
    docx.write(doc, os.path.join(folder, "plan.docx"), options)
    odt.write(doc, os.path.join(folder, "plan.odt"), options)
    downloads = [("Word 檔（plan.docx）", "plan.docx"), ("ODF 開放文件（plan.odt）", "plan.odt")]
    with_pdf = False
    try:
        pdf.write(doc, os.path.join(folder, "plan.pdf"), options)
        if pdf.has_cover(doc):  # the DOCX's footer counts the body's pages: the PDF's count goes into it
            with open(os.path.join(folder, "plan.pdf"), "rb") as handle:
                pdf.count_into(os.path.join(folder, "plan.docx"), handle.read())
        downloads.append(("PDF 檔（plan.pdf）", "plan.pdf"))
        with_pdf = True
    except BuildError as error:
        result.notes += (f"{job.plan}: 略過 PDF：{error}",)
    review_link = None
    if job.previous:
        result.previous, result.review = job.previous[0], True
        _write_review(job, doc, folder)
        downloads.append((f"修正對照表（diff.docx，與 {job.previous[0]} 年度比較）", "diff.docx"))
        review_link = (f"與 {job.previous[0]} 年度比較（修改之處）", "diff.html")
    site = {"crumbs": [(SITE_TITLE, "../../index.html"), (f"{doc.agency} {job.year} 年度", None)],
            "downloads": downloads, "review": review_link}
    html.write(doc, os.path.join(folder, "index.html"), {**options, "site": site})
    if job.fragment:
        html.write(doc, os.path.join(folder, "fragment.html"), {**options, "fragment": True})
    if job.fingerprint:
        _keep_stamp(job, result, with_pdf)
    return result


def _write_review(job: PageJob, doc, folder: str) -> None:
    from .diff import compare
    from .loader import load_plan
    from .review import write
    from .tree import build_document

    year, path = job.previous
    review = compare(build_document(load_plan(path)), doc, f"{year} 年度", f"{job.year} 年度")
    site = {"crumbs": [(SITE_TITLE, "../../index.html"), (f"{doc.agency} {job.year} 年度", "index.html"),
                       ("年度比較", None)]}
    write(review, "html", os.path.join(folder, "diff.html"), {"site": site})
    write(review, "docx", os.path.join(folder, "diff.docx"), {"agency": job.agency})


def refuse_output_among_plans(plans_dir: str, out: str) -> None:
    """`-o plans` would mix the website's pages and folders with the plan files the officers edit."""
    from .files import inside

    if os.path.isdir(plans_dir) and inside(plans_dir, out):
        from .errors import UsageError

        raise UsageError(f"{out}: 輸出資料夾在計畫檔資料夾「{plans_dir}」裡面，網站會和計畫檔混在一起；"
                         "請指定別的資料夾，例如 -o build/site。 (the output folder is inside the plans folder)")


def build_site(plans_dir: str, out: str, base_url: str | None, fragment: bool, workers: int,
               left_out: list[str] | None = None):
    """Build every page, then the index and site maps; yields each PageResult as it ends. YAML files in
    the plans folder that are not named as plans go to `left_out`."""
    from .build import in_parallel

    if base_url:
        check_base_url(base_url)
    refuse_output_among_plans(plans_dir, out)
    page_jobs = jobs(plans_dir, out, fragment, left_out)
    if not page_jobs:
        raise BuildError(f"{plans_dir}: 沒有任何計畫檔（<機關>/<年度>.yaml）。 (no plans)")
    pdf = pdf_available()
    results, pending = [], []
    for job in page_jobs:
        fingerprint = page_fingerprint(job, pdf)
        job = replace(job, fingerprint=fingerprint or "")
        kept = current_page(job) if fingerprint else None
        if kept is None:
            pending.append(job)
        else:
            results.append(kept)
            yield kept
    for result in in_parallel(build_page, pending, workers):
        results.append(result)
        yield result
    for agency, year in withdraw_pages(out, {(job.agency, job.year) for job in page_jobs}):
        result = PageResult(agency, year, withdrawn=True)
        results.append(result)
        yield result
    write_index(out, [r for r in results if not r.error and not r.withdrawn], base_url)


def pdf_available() -> bool:
    import shutil

    return bool(shutil.which("soffice") or shutil.which("libreoffice"))


def write_index(out: str, results: list[PageResult], base_url: str | None) -> None:
    """index.html and the site maps; left as they are when no page changed and they would list the same."""
    from .build import code_digest

    agencies: dict[str, dict] = {}
    for result in sorted(results, key=lambda r: (r.agency, -r.year)):
        entry = agencies.setdefault(result.agency, {"name": result.agency_name, "plans": []})
        entry["plans"].append({"year": result.year, "title": result.title,
                               "href": f"{result.agency}/{result.year}/index.html",
                               "review": f"{result.agency}/{result.year}/diff.html" if result.review else None,
                               "previous": result.previous})
    listed = sorted(agencies.values(), key=lambda a: a["name"])
    shown = hashlib.sha256(json.dumps([listed, base_url, code_digest(), templates_digest()],
                                      ensure_ascii=False).encode("utf-8")).hexdigest()
    stamp = os.path.join(out, ".index.sha256")
    names = ["index.html", "sitemap.html"] + (["sitemap.xml"] if base_url else [])
    unchanged = all(r.unchanged for r in results)
    if unchanged and _read_text(stamp) == shown and all(os.path.isfile(os.path.join(out, n)) for n in names):
        return  # the same list, already written
    from .writers.html import environment, template_folders, with_security_policy

    env = environment(template_folders())
    for template, name in (("site-index.html.j2", "index.html"), ("site-map.html.j2", "sitemap.html")):
        page = with_security_policy(env.get_template(template).render(title=SITE_TITLE, agencies=listed))
        write_atomic(os.path.join(out, name), page.encode("utf-8"))
    if base_url:
        write_atomic(os.path.join(out, "sitemap.xml"), sitemap_xml(base_url, listed))
    write_atomic(stamp, shown.encode("ascii"))


def _read_text(path: str) -> str | None:
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


URL_SAFE = ":/?#[]@!$&'()*+,;=%~"  # reserved characters and escapes already there; the rest is percent-encoded


def check_base_url(base_url: str) -> str:
    """The site's address for sitemap.xml: an absolute http(s) URL, or a UsageError."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c in base_url for c in "\"<>\\ \t\n"):
        raise UsageError(f"--base-url「{base_url}」不是網址；請寫成 https://www.example.gov.tw/plans/ 的樣子"
                         "（只接受 http 或 https）。 (--base-url must be an http(s) URL)")
    return base_url


def sitemap_xml(base_url: str, agencies: list[dict]) -> bytes:
    root = Element("urlset", xmlns="http://www.sitemaps.org/schemas/sitemap/0.9")
    base = base_url.rstrip("/") + "/"
    pages = ["index.html", "sitemap.html"]
    for agency in agencies:
        for plan in agency["plans"]:
            pages.append(plan["href"])
            if plan["review"]:
                pages.append(plan["review"])
    for page in pages:
        SubElement(SubElement(root, "url"), "loc").text = quote(base + page, safe=URL_SAFE)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="utf-8")
