"""PDF writer: Document → the DOCX, converted by LibreOffice headless into PDF/A-2b with a text layer.

Fonts: LibreOffice runs with templates/fonts.conf, which draws 標楷體 with the open Kai faces (TW-Kai
from fonts-cns11643-kai, or AR PL UKai from fonts-arphic-ukai) and embeds them. Each conversion has
its own temporary LibreOffice profile and its own process group, which is ended if it overruns, so
builds can run side by side and none is left behind. Without LibreOffice: a BuildError that says
what to install; the other formats of the same build are still written.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile

from ..errors import BuildError
from ..files import write_atomic
from ..tree import Document
from . import TEMPLATES
from .docx import checked_template, render as render_docx

TIMEOUT_SECONDS = 180
EXPORT = "pdf:writer_pdf_Export:" + json.dumps({"SelectPdfVersion": {"type": "long", "value": "2"},
                                                "UseTaggedPDF": {"type": "boolean", "value": "true"}})
INSTALL_HINT = ("要輸出 PDF 需要 LibreOffice 與楷書字型：sudo apt-get install libreoffice-writer-nogui "
                "fonts-cns11643-kai fonts-arphic-ukai (PDF needs LibreOffice and a Kai font)")


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise BuildError(INSTALL_HINT)
    return found


def convert(docx_bytes: bytes, name: str = "plan") -> bytes:
    """PDF bytes of a DOCX, by LibreOffice headless."""
    program = soffice()
    with tempfile.TemporaryDirectory(prefix="plan-pdf-") as work:
        source = os.path.join(work, f"{name}.docx")
        with open(source, "wb") as handle:
            handle.write(docx_bytes)
        env = {**os.environ, "FONTCONFIG_FILE": str(TEMPLATES / "fonts.conf"), "HOME": work, "TMPDIR": work}
        command = [program, "--headless", "--norestore", "--nolockcheck",
                   f"-env:UserInstallation=file://{work}/profile", "--convert-to", EXPORT, "--outdir", work, source]
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
            return handle.read()


def _end(process: subprocess.Popen) -> None:
    """End LibreOffice and every process it started (its own process group), and reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate()


def write(doc: Document, path: str, options: dict | None = None) -> None:
    docx_bytes = render_docx(doc, checked_template(options or {}))
    write_atomic(path, convert(docx_bytes))
