"""Plan import, stage 1: readers. One module per input format — docx.py, odt.py, pdf.py, text.py, markdown.py — each
turning a file into blocks (lines of text and tables, in reading order) for pipeline/recognise.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import PlanError, UsageError


LIST_MARK = "\u2063"  # depth marker of a paragraph numbered by its document's own list numbering (no label known)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


class NotAPlan(PlanError):
    """The file could not be read as a plan."""


@dataclass
class Block:
    text: str = ""
    table: list[list[str | None]] | None = None   # rows of cell texts; None where the cell above spans down
    role: str = ""                          # from a DOCX style: title, cover; "pre" for a preformatted block
    alone: bool = False                     # a paragraph of its own: blank lines before and after it
    indent: int | None = None               # a text line's indent in columns (a full-width space is two)
    body_indent: int | None = None          # the indent of the lines it was wrapped onto (set on rejoining)


MAX_PART = 50 * 1024 * 1024       # a part of a .docx or .odt larger than this uncompressed is refused (zip bombs)
MAX_RATIO = 200                   # nor a part compressed more than this
MAX_TOTAL = 100 * 1024 * 1024     # nor all parts together (styles, numbering, headers are opened too)


def too_large(path: str, parts: list) -> None:
    """Refuse a package (the zip of a .docx or .odt) that would decompress to an absurd size: every part
    counts, not only the text."""
    def bomb(part) -> bool:
        big = part.file_size > 1024 * 1024 and part.file_size > MAX_RATIO * max(part.compress_size, 1)
        return part.file_size > MAX_PART or big

    if any(bomb(part) for part in parts) or sum(part.file_size for part in parts) > MAX_TOTAL:
        info = max(parts, key=lambda part: part.file_size)
        raise NotAPlan(f"{path}: 文件內容解壓後過大（{info.file_size} 位元組），不像計畫文件，已拒絕。"
                       " (refused: decompresses too far, a zip bomb?)")


TEXT_SUFFIXES = (".txt", ".text")
ODT_SUFFIXES = (".odt", ".fodt")
MARKDOWN_SUFFIXES = (".md", ".markdown")


def read_file(path: str, data: bytes | None = None) -> list[Block]:
    """The blocks of a .docx, .odt, .pdf, .txt or .md file; clear errors for what cannot be read.

    With `data` given (standard input, `-`), a PDF is told by its header, a .docx or .odt by its zip header.
    """
    try:
        if data is None:
            with open(path, "rb") as handle:
                data = handle.read()
        elif path == "-":
            path = "<stdin>.pdf" if data.startswith(b"%PDF-") else "<stdin>.txt"
            if data.startswith(b"PK\x03\x04"):  # a package: an OpenDocument one names its kind first
                path = "<stdin>.odt" if data[30:38] == b"mimetype" else "<stdin>.docx"
    except OSError as exc:
        raise UsageError(f"{path}: 無法讀取：{exc.strerror}。 (cannot read)") from None
    if not data.strip():
        raise NotAPlan(f"{path}: 檔案是空的。 (empty file)")
    lower = path.lower()
    if lower.endswith(".docx"):
        from . import docx
        return docx.read(path, data)
    if lower.endswith(ODT_SUFFIXES):
        from . import odt
        return odt.read(path, data)
    if lower.endswith(".pdf"):
        from . import pdf
        return pdf.read(path, data)
    if lower.endswith(TEXT_SUFFIXES + MARKDOWN_SUFFIXES):
        from . import markdown, text
        reader = markdown if lower.endswith(MARKDOWN_SUFFIXES) else text
        return reader.read(carriable(decode(path, data)))
    hint = next((words for suffixes, words in OTHER_FORMATS if lower.endswith(suffixes)), "")
    raise UsageError(f"{path}: 只能匯入 .docx、.odt、.pdf、.txt 或 .md 檔。{hint} (import reads .docx, .odt, .pdf, .txt, .md)")


OTHER_FORMATS = (  # what an office has instead, and how to turn it into what import reads
    ((".doc", ".rtf", ".wps", ".pages"), "請在 Word 或 LibreOffice 開啟後「另存新檔」為 .docx 或 .odt，再匯入。"),
    ((".html", ".htm"), "請在瀏覽器全選網頁文字、複製，貼到記事本存成 .txt（UTF-8），再匯入。"),
)


def decode(path: str, data: bytes) -> str:
    """UTF-8, UTF-16 with its byte-order mark (Notepad's 「Unicode」), or Big5 (older offices' files)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "cp950", "big5"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise NotAPlan(f"{path}: 文字檔不是 UTF-8 或 Big5 編碼；請用編輯器「另存為 UTF-8」後再試。"
                   " (unknown text encoding; save it as UTF-8)")


def carriable(text: str) -> str:
    """Text without what no document can carry and what prints as nothing: form feeds, vertical tabs and
    Unicode's line and paragraph separators become line breaks; other controls, zero-width spaces and
    joiners, direction marks, a byte-order mark inside the text and soft hyphens (a web page's) go."""
    from ..characters import INVISIBLE, UNCARRIABLE

    text = UNCARRIABLE.sub(lambda m: "\n" if m.group(0) in "\x0b\x0c" else "", text)
    return INVISIBLE.sub(lambda m: "\n" if m.group(0) in "\u2028\u2029" else "", text).replace("\u00ad", "")
