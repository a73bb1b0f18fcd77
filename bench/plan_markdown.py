"""The same plan as Markdown, so that pandoc can be timed on equal content (benchmark only)."""
from __future__ import annotations

from pipeline.tree import Document, Entry, FormBlock, Paragraph, TableBlock, form_rows


def to_markdown(doc: Document) -> str:
    out = [f"# {doc.title}", ""]
    for line in doc.cover:
        out += [line, ""]
    for section in doc.body:
        out += [f"## {section.label}{section.heading}", ""]
        out += [p + "\n" for p in section.body]
        _blocks(section.children, out, 0)
    for appendix in doc.appendices:
        out += [f"## {appendix.title}", ""]
        _blocks(appendix.children, out, 0)
    return "\n".join(out) + "\n"


def _blocks(blocks: list, out: list[str], depth: int) -> None:
    pad = "    " * depth
    for block in blocks:
        if isinstance(block, Entry):
            out.append(f"{pad}- {block.label}{block.mark or ''}{block.heading}")
            out += [f"{pad}  {p}" for p in block.body]
            out.append("")
            _blocks(block.children, out, depth + 1)
        elif isinstance(block, Paragraph):
            out += [f"{pad}{block.text}", ""]
        elif isinstance(block, TableBlock):
            out += ["| " + " | ".join(block.columns) + " |", "|" + "---|" * len(block.columns)]
            for row in block.rows:
                cells = [" ".join(_cell_text(b) for b in cell.blocks) for cell in row]
                cells += [""] * (len(block.columns) - len(cells))
                out.append("| " + " | ".join(cells) + " |")
            out.append("")
        elif isinstance(block, FormBlock):
            out += [f"{pad}{field}" for field in block.fields] + [""]
            out += ["| " + " | ".join(block.columns) + " |", "|" + "---|" * len(block.columns)]
            for entry in form_rows(block):
                row = [f"{entry.label}{entry.mark or ''}{entry.heading}", entry.points or ""]
                out.append("| " + " | ".join(row + [""] * (len(block.columns) - 2)) + " |")
            out += [""] + [n + "\n" for n in block.notes]


def _cell_text(block) -> str:
    return block.text if isinstance(block, Paragraph) else block.label + block.heading
