"""The same plan as Markdown, so that pandoc can be timed on equal content (benchmark only).

It walks the tree with the writers' own walk (pipeline.tree.Walk)."""
from __future__ import annotations

from pipeline.tree import Document, Entry, FormBlock, Paragraph, TableBlock, Walk, cell_text, form_rows


class _Markdown(Walk):
    def __init__(self):
        self.out: list[str] = []

    def on_entry(self, block: Entry, depth: int) -> None:
        pad = "    " * depth
        self.out.append(f"{pad}- {block.label}{block.mark or ''}{block.heading}")
        self.out += [f"{pad}  {p}" for p in block.body]
        self.out.append("")
        self.walk(block.children, depth + 1)

    def on_paragraph(self, block: Paragraph, depth: int) -> None:
        self.out += [f"{'    ' * depth}{block.text}", ""]

    def on_table(self, block: TableBlock, depth: int) -> None:
        self.out += ["| " + " | ".join(block.columns) + " |", "|" + "---|" * len(block.columns)]
        for row in block.rows:
            cells = [cell_text(cell.blocks, " ") for cell in row]
            cells += [""] * (len(block.columns) - len(cells))
            self.out.append("| " + " | ".join(cells) + " |")
        self.out.append("")

    def on_form(self, block: FormBlock, depth: int) -> None:
        pad = "    " * depth
        self.out += [f"{pad}{field}" for field in block.fields] + [""]
        self.out += ["| " + " | ".join(block.columns) + " |", "|" + "---|" * len(block.columns)]
        for entry in form_rows(block):
            row = [f"{entry.label}{entry.mark or ''}{entry.heading}", entry.points or ""]
            self.out.append("| " + " | ".join(row + [""] * (len(block.columns) - 2)) + " |")
        self.out += [""] + [n + "\n" for n in block.notes]

    def on_appendix(self, appendix: Entry, depth: int) -> None:
        self.out += [f"## {appendix.title}", ""]
        self.walk(appendix.children, 0)


def to_markdown(doc: Document) -> str:
    walk = _Markdown()
    walk.out += [f"# {doc.title}", ""]
    for line in doc.cover:
        walk.out += [line, ""]
    for section in doc.body:
        if isinstance(section, Entry):
            walk.out += [f"## {section.label}{section.heading}", ""]
            walk.out += [p + "\n" for p in section.body]
            walk.walk(section.children, 0)
        else:
            walk.walk([section], 0)
    for appendix in doc.appendices:
        walk.on_appendix(appendix, 0)
    return "\n".join(walk.out) + "\n"
