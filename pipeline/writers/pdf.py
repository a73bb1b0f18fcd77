"""PDF writer: Document → the DOCX, converted by LibreOffice headless into PDF/A-2b and PDF/UA-1 with a text layer.

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
    program = soffice()
    with tempfile.TemporaryDirectory(prefix="plan-pdf-") as work:
        source = os.path.join(work, f"{name}.docx")
        with open(source, "wb") as handle:
            handle.write(docx_bytes)
        env = {**os.environ, "FONTCONFIG_FILE": fontconfig_file(work), "HOME": work, "TMPDIR": work}
        command = [program, "--headless", "--norestore", "--nolockcheck",
                   f"-env:UserInstallation={Path(work, 'profile').as_uri()}", "--convert-to", EXPORT, "--outdir", work, source]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                   start_new_session=True)
        try:
            _, errors = process.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            _end(process)
            raise BuildError(f"LibreOffice 超過 {TIMEOUT_SECONDS} 秒仍未完成 PDF，已停止。 (PDF conversion timed out)") from None
        except BaseException:  # Ctrl-C or SIGTERM: LibreOffice, in its own session, would run on
            _end(process)
            raise
        target = os.path.join(work, f"{name}.pdf")
        # soffice exits 0 even when it could not load the file: the output itself is the proof.
        if not os.path.exists(target) or os.path.getsize(target) == 0:
            detail = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or ["沒有輸出"]
            raise BuildError(f"LibreOffice 無法產生 PDF：{detail[0]} (PDF conversion failed)")
        with open(target, "rb") as handle:
            return describe_pdfua_schema(handle.read())


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


def _end(process: subprocess.Popen) -> None:
    """End LibreOffice and every process it started (its own process group), and reap it."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:  # Windows: no process groups
            process.kill()
    except ProcessLookupError:
        pass
    process.communicate()


def from_docx(docx_bytes: bytes, has_cover: bool) -> bytes:
    """The PDF of a rendered plan DOCX. The cover (one page) is not counted: with a cover, a second
    pass carries the body's page count."""
    pdf_bytes = convert(docx_bytes)
    if has_cover:
        pdf_bytes = convert(with_body_count(docx_bytes, page_count(pdf_bytes) - 1))
    return pdf_bytes


def has_cover(doc: Document) -> bool:
    return bool(doc.cover or doc.issued)


def write(doc: Document, path: str, options: dict | None = None) -> None:
    docx_bytes = render_docx(doc, checked_template(options or {}))
    write_atomic(path, from_docx(docx_bytes, has_cover(doc)))
