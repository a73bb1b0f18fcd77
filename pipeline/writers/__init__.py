"""Stage 4: writers. One module per output format, each with write(doc, path, options)."""
from pathlib import Path

FORMATS = ("docx", "html", "odt", "pdf")
TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
