"""Stage 4: writers. One module per output format, each with write(doc, path, options); `writer(fmt)`
is the one registry that build, site, the review and the CLI ask for a format's writer."""
from importlib import import_module
from pathlib import Path

FORMATS = ("docx", "html", "odt", "pdf")
TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


def writer(fmt: str):
    """The module that writes a Document in this format (docx, html, odt, pdf)."""
    if fmt not in FORMATS:
        from ..errors import UsageError

        raise UsageError(f"不支援的格式「{fmt}」；可用：{'、'.join(FORMATS)}。 (unknown format)")
    return import_module(f"{__name__}.{fmt}")
