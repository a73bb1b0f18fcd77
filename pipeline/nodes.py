"""Stage 1 of loading, its result: the located values read from a plan file (pipeline.source reads them).

Apart from the reader so that what converts and shows them (the schema, the model, the document
tree, the writers) is imported without the YAML library.
"""
from __future__ import annotations

from dataclasses import field

from .errors import Where
from .records import record


@record
class Node:
    """A YAML node and where it was written."""

    where: Where


@record
class Scalar(Node):
    """A text value, as written."""

    text: str
    plain: bool  # written without quotes or block indicators

    @property
    def is_empty(self) -> bool:
        """`key:` with nothing after it, or an explicit null."""
        return self.plain and self.text in ("", "~", "null", "Null", "NULL")


@record
class Mapping(Node):
    """`key: value` pairs, in the order written."""

    pairs: list[tuple[Scalar, Node]] = field(default_factory=list)

    def get(self, key: str) -> Node | None:
        for k, v in self.pairs:
            if k.text == key:
                return v
        return None


@record
class Sequence(Node):
    """A list (`- ` items)."""

    items: list[Node] = field(default_factory=list)
