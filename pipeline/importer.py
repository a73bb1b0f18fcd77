"""`plan import`: an existing plan (.docx, .odt, .pdf, or text from a web page as .txt / .md) → plan YAML.

The inverse of `plan build`: pipeline/readers turns the file into blocks (one module per input format,
as pipeline/writers has one per output format), pipeline/recognise turns the blocks into a Plan, and
this module writes the Plan as YAML with a `# 請確認:` comment wherever recognition had to guess.
"""
from __future__ import annotations

from .readers import Block, NotAPlan, read_file
from .readers.text import read as read_text
from .recognise import Imported, recognise

__all__ = ["Block", "Imported", "NotAPlan", "import_file", "read_file", "read_text", "recognise",
           "to_yaml_with_notes"]


def import_file(path: str, year: int | None = None, data: bytes | None = None) -> Imported:
    """The plan in a .docx, .odt, .pdf, .txt or .md file; `year` when the text does not say it; `data` for standard input."""
    blocks = read_file(path, data)
    if not any(b.text or b.table for b in blocks):
        raise NotAPlan(f"{path}: 沒有任何文字內容。 (no text)")
    return recognise(blocks, path, year)


def to_yaml_with_notes(imported: Imported, source: str) -> str:
    from .dump import to_yaml

    text = to_yaml(imported.plan)
    lines = [f"# 由 plan import 自 {source} 匯入；標有「請確認」之處是推測的，請核對後再使用。\n"]
    lines += [f"# 請確認: {note}\n" for note in imported.left_out]
    for line in text.splitlines(keepends=True):
        key = line.split(":", 1)[0]
        if not line.startswith((" ", "-")) and key in imported.guesses:
            lines.append(f"# 請確認: {imported.guesses[key]}\n")
        lines.append(line)
    return "".join(lines)
