"""Stage 4: writers. One module per output format, each with write(doc, path, options)."""

FORMATS = ("docx", "html")
