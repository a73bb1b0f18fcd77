"""PDF writer: Document → the DOCX, converted by LibreOffice headless into PDF/A-2b and PDF/UA-1 with a text layer.

A build converts all its plans' PDFs together: convert_files gives LibreOffice many files in one
call, so a build starts it once per worker (`-j`), not once per plan.

Fonts: LibreOffice runs with the machine's font configuration plus templates/fonts-kai.conf, which draws
標楷體 with the open Traditional Kai faces (TW-Kai from fonts-cns11643-kai, or AR PL UKai TW from
fonts-arphic-ukai) and embeds them. Each conversion has
its own temporary LibreOffice profile and its own process group, which is ended if it overruns, so
builds can run side by side and none is left behind. Without LibreOffice: a BuildError that says
what to install; the other formats of the same build are still written.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

from ..errors import BuildError
from ..files import write_atomic
from ..tree import Document
from . import TEMPLATES
from .docx import checked_template, render as render_docx

TIMEOUT_SECONDS = 180
# LibreOffice's PDF export filter: PDF/A-2b (archival) and PDF/UA-1 (accessible: tagged headings, tables and
# lists, page furniture as artifacts, the document's title shown in the window, its language declared).
EXPORT = "pdf:writer_pdf_Export:" + json.dumps({"SelectPdfVersion": {"type": "long", "value": "2"},
                                                "PDFUACompliance": {"type": "boolean", "value": "true"},
                                                "UseTaggedPDF": {"type": "boolean", "value": "true"},
                                                "DisplayPDFDocumentTitle": {"type": "boolean", "value": "true"},
                                                "ExportBookmarks": {"type": "boolean", "value": "true"}})
INSTALL_HINT = ("要輸出 PDF 需要 LibreOffice 與楷書字型：sudo apt-get install libreoffice-writer-nogui "
                "fonts-cns11643-kai fonts-arphic-ukai (PDF needs LibreOffice and a Kai font)")


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise BuildError(INSTALL_HINT)
    return found


def fontconfig_file(folder: str) -> str:
    """A fontconfig file in folder: the machine's configuration and the project's Kai aliases."""
    path = os.path.join(folder, "fonts.conf")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>'
                     '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                     f'<include>{TEMPLATES / "fonts-kai.conf"}</include></fontconfig>\n')
    return path


def convert(docx_bytes: bytes, name: str = "plan") -> bytes:
    """PDF bytes of a DOCX, by LibreOffice headless."""
    with tempfile.TemporaryDirectory(prefix="plan-pdf-") as work:
        source = os.path.join(work, f"{name}.docx")
        with open(source, "wb") as handle:
            handle.write(docx_bytes)
        result = convert_files([source], work)[source]
        if isinstance(result, BuildError):
            raise result
        with open(result, "rb") as handle:
            return describe_pdfua_schema(handle.read())


def convert_files(sources: list[str], outdir: str, instances: int = 1) -> dict[str, str | BuildError]:
    """Each DOCX (distinct file names) converted into outdir: {source: its PDF, or the BuildError why not}.

    One LibreOffice call converts many files, so a build starts LibreOffice once, not once per plan:
    `instances` calls run side by side, each over its share of the files, each with its own profile
    and process group. All are ended, and their profiles removed, on a timeout, Ctrl-C or SIGTERM.
    """
    program = soffice()
    shares = [sources[i::instances] for i in range(max(1, min(instances, len(sources))))]
    with tempfile.TemporaryDirectory(prefix="plan-soffice-") as work:
        running = []
        try:
            for number, share in enumerate(shares):
                running.append((_start(program, share, outdir, os.path.join(work, str(number))), share))
            timed_out = _wait(running, TIMEOUT_SECONDS + PER_FILE_SECONDS * max(len(s) for s in shares))
        except BaseException:  # Ctrl-C or SIGTERM: LibreOffice, in its own session, would run on
            for process, _ in running:
                _end(process)
            raise
        results: dict[str, str | BuildError] = {}
        for (process, share), late in zip(running, timed_out):
            for source in share:
                target = os.path.join(outdir, os.path.splitext(os.path.basename(source))[0] + ".pdf")
                # soffice exits 0 even when it could not load the file: the output itself is the proof.
                if os.path.exists(target) and os.path.getsize(target) > 0:
                    results[source] = target
                elif late:
                    results[source] = BuildError("LibreOffice 超過時限仍未完成 PDF，已停止。 (PDF conversion timed out)")
                else:
                    results[source] = BuildError(f"LibreOffice 無法產生 PDF：{_last_error(process)} (PDF conversion failed)")
        return results


PER_FILE_SECONDS = 60  # added to TIMEOUT_SECONDS for each file one LibreOffice converts


def _start(program: str, sources: list[str], outdir: str, home: str) -> subprocess.Popen:
    os.makedirs(home)
    env = {**os.environ, "FONTCONFIG_FILE": fontconfig_file(home), "HOME": home, "TMPDIR": home}
    command = [program, "--headless", "--norestore", "--nolockcheck", f"-env:UserInstallation={Path(home, 'profile').as_uri()}",
               "--convert-to", EXPORT, "--outdir", outdir, *sources]
    with open(os.path.join(home, "errors.txt"), "wb") as errors:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, env=env, start_new_session=True)
    process.errors_file = os.path.join(home, "errors.txt")
    return process


def _wait(running: list, seconds: float) -> list[bool]:
    """Wait for every LibreOffice until the deadline; those still running then are ended. Which overran."""
    import time

    deadline = time.monotonic() + seconds
    late = []
    for process, _ in running:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
            late.append(False)
        except subprocess.TimeoutExpired:
            _end(process)
            late.append(True)
    return late


def _last_error(process: subprocess.Popen) -> str:
    try:
        with open(process.errors_file, "rb") as handle:
            lines = handle.read().decode("utf-8", "replace").strip().splitlines()
    except OSError:
        lines = []
    return lines[-1] if lines else "沒有輸出"


# PDF/A requires every XMP property outside its own schemas to be described; LibreOffice 7.4 writes the PDF/UA
# identification (pdfuaid:part) without the description, which PDF/A validators reject.
PDFUA_SCHEMA = (
    '<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
    'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
    '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
    '<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>'
    '<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>'
    '<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">'
    '<pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>'
    '<pdfaProperty:category>internal</pdfaProperty:category>'
    '<pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>'
    '</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>'
).encode("utf-8")


def describe_pdfua_schema(pdf_bytes: bytes) -> bytes:
    """The XMP packet with the PDF/UA schema described, written into the packet's own padding so that no
    length or offset in the file changes. Unchanged if already described or if the padding is too short."""
    start, end = pdf_bytes.find(b"<?xpacket begin="), pdf_bytes.find(b'<?xpacket end="w"?>')
    if start < 0 or end < 0 or b"pdfuaid:part" not in pdf_bytes[start:end] or b"pdfaExtension" in pdf_bytes[start:end]:
        return pdf_bytes
    packet = pdf_bytes[start:end]
    closing = packet.rfind(b"</rdf:RDF>")
    padding = len(packet) - len(packet.rstrip(b" \n"))
    if closing < 0 or padding < len(PDFUA_SCHEMA) + 200:
        return pdf_bytes
    content = packet[:closing] + PDFUA_SCHEMA + packet[closing:].rstrip(b" \n")
    lines = b"\n" + (b" " * 99 + b"\n") * ((len(packet) - len(content) - 1) // 100)
    filled = content + lines + b" " * (len(packet) - len(content) - len(lines))
    assert len(filled) == len(packet)
    return pdf_bytes[:start] + filled + pdf_bytes[end:]


def page_count(pdf_bytes: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf_bytes))


def with_body_count(docx_bytes: bytes, body_pages: int) -> bytes:
    """The DOCX with the body's page count written into its SECTIONPAGES fields (LibreOffice shows the
    result stored in the file: it does not count a section's pages itself)."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes))
    out = io.BytesIO()
    field = re.compile(rb"( SECTIONPAGES </w:instrText>.*?<w:t>)\d*(</w:t>)", re.S)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            data = source.read(name)
            if re.fullmatch(r"word/footer\d*\.xml", name):
                data = field.sub(rb"\g<1>" + str(body_pages).encode() + rb"\g<2>", data)
            archive.writestr(name, data)
    return out.getvalue()


def count_into(docx_path: str, pdf_bytes: bytes) -> None:
    """The plan's DOCX written with its PDF given the body's page count the PDF has, as its SECTIONPAGES
    results: LibreOffice shows the result stored in the file (「共 1 頁」 on every page otherwise); Word
    counts again."""
    with open(docx_path, "rb") as handle:
        docx_bytes = handle.read()
    write_atomic(docx_path, with_body_count(docx_bytes, page_count(pdf_bytes) - 1))


def _end(process: subprocess.Popen) -> None:
    """End LibreOffice and every process it started (its own process group), and reap it."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:  # Windows: no process groups
            process.kill()
    except ProcessLookupError:
        pass
    process.wait()


def prepare(doc: Document, path: str, options: dict | None = None) -> tuple[bytes, bool, int | None]:
    """What render_pdfs needs for one plan: its DOCX, whether its footer counts the body's pages, and
    that count as the PDF already at `path` has it (the likely count; None when there is no PDF yet)."""
    docx_bytes = render_docx(doc, checked_template(options or {}))
    try:
        with open(path, "rb") as handle:
            guess = page_count(handle.read()) - 1
    except OSError:
        guess = None
    return docx_bytes, has_cover(doc), guess


def render_pdfs(prepared: list[tuple[bytes, bool, int | None]], instances: int = 1) -> list[bytes | BuildError]:
    """The PDF of each prepared DOCX, or the BuildError why not, converted together (convert_files).

    A footer that counts the body's pages (the cover is not counted) shows the number written into
    the DOCX; it is written from the expected count, and a plan whose PDF turns out to have another
    count is converted once more with the right one: in a second call for all such plans together.
    """
    with tempfile.TemporaryDirectory(prefix="plan-pdf-") as work:
        first = _stage(work, "first", {i: (with_body_count(docx, guess) if counted and guess is not None else docx)
                                       for i, (docx, counted, guess) in enumerate(prepared)})
        converted = convert_files(list(first.values()), os.path.join(work, "first"), instances)
        results: list = [None] * len(prepared)
        again = {}
        for i, (docx, counted, guess) in enumerate(prepared):
            result = converted[first[i]]
            if isinstance(result, BuildError):
                results[i] = result
                continue
            with open(result, "rb") as handle:
                pdf_bytes = handle.read()
            if counted and page_count(pdf_bytes) - 1 != guess:
                again[i] = with_body_count(docx, page_count(pdf_bytes) - 1)
            else:
                results[i] = describe_pdfua_schema(pdf_bytes)
        if again:
            second = _stage(work, "again", again)
            converted = convert_files(list(second.values()), os.path.join(work, "again"), instances)
            for i, source in second.items():
                result = converted[source]
                if not isinstance(result, BuildError):
                    with open(result, "rb") as handle:
                        result = describe_pdfua_schema(handle.read())
                results[i] = result
        return results


def _stage(work: str, name: str, documents: dict[int, bytes]) -> dict[int, str]:
    folder = os.path.join(work, name)
    os.makedirs(folder)
    paths = {}
    for i, docx_bytes in documents.items():
        paths[i] = os.path.join(folder, f"plan-{i:05d}.docx")
        with open(paths[i], "wb") as handle:
            handle.write(docx_bytes)
    return paths


def from_docx(docx_bytes: bytes, has_cover: bool) -> bytes:
    """The PDF of a rendered plan DOCX. The cover (one page) is not counted: with a cover, a second
    pass carries the body's page count."""
    [pdf_bytes] = render_pdfs([(docx_bytes, has_cover, None)])
    if isinstance(pdf_bytes, BuildError):
        raise pdf_bytes
    return pdf_bytes


def has_cover(doc: Document) -> bool:
    return bool(doc.cover)


def write(doc: Document, path: str, options: dict | None = None) -> None:
    [pdf_bytes] = render_pdfs([prepare(doc, path, options)])
    if isinstance(pdf_bytes, BuildError):
        raise pdf_bytes
    write_atomic(path, pdf_bytes)
