"""Stage 2 of loading: located YAML nodes → typed model objects, declared once.

The plan format is declared as dataclasses (pipeline/model.py). This module reads those
declarations twice: to convert and check a node tree (every problem collected with its position,
unknown keys answered with the nearest known one), and to write the JSON Schema editors use.
"""
from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
from dataclasses import dataclass, field
from functools import lru_cache

from .errors import Problem, Where, quoted
from .rocdate import DateFormatError, RocDate, parse_roc_date
from .source import Mapping, Node, Scalar, Sequence


@dataclass(kw_only=True)
class Located:
    """Base of every model object: where it was written, and where each of its fields was."""

    where: Where | None = field(default=None, repr=False, compare=False, metadata={"internal": True})
    at: dict = field(default_factory=dict, repr=False, compare=False, metadata={"internal": True})

    # A value written as a bare scalar or list stands for this field (e.g. `goals: 一段文字`).
    scalar_field: typing.ClassVar[str | None] = None
    sequence_field: typing.ClassVar[str | None] = None


@dataclass(frozen=True)
class PointRange:
    """A score band written as 8~10 or 11-15 (options on a scoring form)."""

    low: int
    high: int
    text: str

    def __str__(self) -> str:
        return self.text


Points = typing.Union[int, PointRange]  # a score: a whole number, or a band such as 8~10
Lines = typing.NewType("Lines", list)  # one line of text, or a list of lines

_RANGE = re.compile(r"^\s*(\d+)\s*([~～\-－至])\s*(\d+)\s*$")
_INT = re.compile(r"^\s*[+]?\d+\s*$")
TRUE_WORDS = {"true", "True", "TRUE", "是"}
FALSE_WORDS = {"false", "False", "FALSE", "否"}
MISSING = object()


def doc(text: str, **extra) -> dict:
    """Field metadata: the Chinese description shown in docs and in editors."""
    return {"doc": text, **extra}


class Converter:
    """Turns nodes into model objects; collects problems instead of stopping at the first."""

    def __init__(self, synonyms: dict[str, str] | None = None):
        self.problems: list[Problem] = []
        self.synonyms = synonyms or {}

    def error(self, where: Where, path: str, message: str) -> None:
        self.problems.append(Problem(where, path, message))

    def convert(self, node: Node, tp, path: str):
        origin = typing.get_origin(tp)
        if tp is Lines:
            return self._lines(node, path)
        if origin in (typing.Union, types.UnionType):
            return self._union(node, typing.get_args(tp), path)
        if origin is list:
            return self._list(node, typing.get_args(tp)[0], path)
        if origin is typing.Literal:
            return self._choice(node, typing.get_args(tp), path)
        if isinstance(tp, type) and issubclass(tp, Located):
            return self._model(node, tp, path)
        if tp is str:
            return self._scalar(node, path, "文字", str, "text")
        if tp is int:
            return self._scalar(node, path, "整數（例如 103）", _to_int, "an integer")
        if tp is bool:
            return self._scalar(node, path, "true 或 false", _to_bool, "true or false")
        if tp is RocDate:
            return self._scalar(node, path, "民國日期（例如 103-01-01）", parse_roc_date, "an ROC date")
        if tp is PointRange:
            return self._scalar(node, path, "分數範圍（例如 8~10）", _to_range, "a range like 8~10")
        raise TypeError(f"unsupported field type {tp!r}")

    def _scalar(self, node: Node, path: str, expected: str, parse, english: str):
        if not isinstance(node, Scalar):
            self.error(node.where, path, f"這裡應該是{expected}，卻寫成了{_kind(node)}。 (expected a scalar)")
            return MISSING
        try:
            return parse(node.text)
        except DateFormatError as exc:
            self.error(node.where, path, f"{exc}。 (invalid date)")
        except ValueError:
            self.error(node.where, path, f"{quoted(node.text)}不是{expected}。 (expected {english})")
        return MISSING

    def _lines(self, node: Node, path: str):
        if isinstance(node, Scalar):
            return [line for line in node.text.split("\n") if line.strip()]
        return self._list(node, str, path)

    def _union(self, node: Node, options: tuple, path: str):
        options = tuple(o for o in options if o is not type(None))
        if len(options) == 1:
            return self.convert(node, options[0], path)
        # Points: an integer, or a range such as 8~10.
        if set(options) == {int, PointRange}:
            if isinstance(node, Scalar) and _RANGE.match(node.text):
                return self.convert(node, PointRange, path)
            return self.convert(node, int, path)
        raise TypeError(f"unsupported union {options!r}")

    def _list(self, node: Node, item_type, path: str):
        if not isinstance(node, Sequence):
            self.error(node.where, path, f"這裡應該是清單（每項以「- 」開頭），卻寫成了{_kind(node)}。 (expected a list)")
            return MISSING
        values = []
        for index, child in enumerate(node.items):
            value = self.convert(child, item_type, f"{path}[{index}]")
            if value is not MISSING:
                values.append(value)
        return values

    def _choice(self, node: Node, choices: tuple, path: str):
        value = self._scalar(node, path, "選項", str, "a choice")
        if value is MISSING:
            return value
        if value not in choices:
            listed = "、".join(str(c) for c in choices)
            self.error(node.where, path, f"{quoted(value)}不是可用的選項；請從這些選一個：{listed}。 (one of: {listed})")
            return MISSING
        return value

    def _model(self, node: Node, cls: type, path: str):
        if isinstance(node, Scalar) and cls.scalar_field and not node.is_empty:
            node = Mapping(node.where, [(Scalar(node.where, cls.scalar_field, True), node)])
        elif isinstance(node, Sequence) and cls.sequence_field:
            node = Mapping(node.where, [(Scalar(node.where, cls.sequence_field, True), node)])
        if not isinstance(node, Mapping):
            self.error(node.where, path, f"這裡應該是一組欄位（「名稱: 值」），卻寫成了{_kind(node)}。 (expected a mapping)")
            return MISSING
        fields = model_fields(cls)
        values: dict = {}
        at: dict = {}
        for key, value_node in node.pairs:
            child_path = f"{path}.{key.text}" if path else key.text
            if key.text not in fields:
                self.error(key.where, child_path, self._unknown_key(key.text, fields))
                continue
            if isinstance(value_node, Scalar) and value_node.is_empty:
                if fields[key.text].required:
                    self.error(value_node.where, child_path,
                               f"必填欄位「{key.text}」不能空白（{fields[key.text].doc}）。 (required field is empty)")
                continue
            value = self.convert(value_node, fields[key.text].type, child_path)
            if value is not MISSING:
                values[key.text] = value
                at[key.text] = value_node.where
        written = {k.text for k, _ in node.pairs}
        missing = [name for name, spec in fields.items() if spec.required and name not in values]
        for name in missing:
            if name not in written:
                self.error(node.where, f"{path}.{name}" if path else name,
                           f"缺少必填欄位「{name}」（{fields[name].doc}）。 (required field missing)")
        if missing:
            return MISSING
        obj = cls(**values)
        obj.where = node.where
        obj.at = at
        return obj

    def _unknown_key(self, key: str, fields: dict) -> str:
        known = list(fields)
        suggestion = self.synonyms.get(key) if self.synonyms.get(key) in fields else None
        if suggestion is None:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            suggestion = close[0] if close else None
        hint = f"是不是要寫「{suggestion}」？" if suggestion else f"可用的欄位有：{', '.join(known)}。"
        return f"不認得的欄位「{key}」；{hint} (unknown key" + (f"; did you mean '{suggestion}'?)" if suggestion else ")")


@dataclass(frozen=True)
class FieldSpec:
    type: object
    required: bool
    doc: str


@lru_cache(maxsize=None)
def model_fields(cls: type) -> dict[str, FieldSpec]:
    hints = typing.get_type_hints(cls)
    specs = {}
    for f in dataclasses.fields(cls):
        if f.metadata.get("internal"):
            continue
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        specs[f.name] = FieldSpec(hints[f.name], required, f.metadata.get("doc", ""))
    return specs


def _kind(node: Node) -> str:
    if isinstance(node, Mapping):
        return "一組欄位"
    if isinstance(node, Sequence):
        return "清單"
    return f"文字{quoted(node.text)}"


def _to_int(text: str) -> int:
    if not _INT.match(text):
        raise ValueError(text)
    return int(text)


def _to_bool(text: str) -> bool:
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(text)


def _to_range(text: str) -> PointRange:
    match = _RANGE.match(text)
    if not match or int(match.group(1)) > int(match.group(3)):
        raise ValueError(text)
    return PointRange(int(match.group(1)), int(match.group(3)), text.strip())


# ---- JSON Schema -------------------------------------------------------------------------

def json_schema(root: type, title: str) -> dict:
    """The JSON Schema (draft 2020-12) of a model class, for editors' YAML extensions."""
    defs: dict = {}
    _schema_of(root, defs)  # fills defs, the root's own among them
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title,
            **defs.pop(root.__name__), "$defs": defs}


def _schema_of(tp, defs: dict) -> dict:
    origin = typing.get_origin(tp)
    if tp is Lines:
        return {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    if origin in (typing.Union, types.UnionType):
        options = [o for o in typing.get_args(tp) if o is not type(None)]
        if len(options) == 1:
            return _schema_of(options[0], defs)
        return {"anyOf": [_schema_of(o, defs) for o in options]}
    if origin is list:
        return {"type": "array", "items": _schema_of(typing.get_args(tp)[0], defs)}
    if origin is typing.Literal:
        return {"enum": list(typing.get_args(tp))}
    if tp is str:
        return {"type": "string"}
    if tp is int:
        return {"type": "integer", "minimum": 0}
    if tp is bool:
        return {"type": "boolean"}
    if tp is RocDate:
        return {"type": "string", "pattern": r"^\s*(中華)?(民國)?\s*\d{1,3}\s*([-/.]\d{1,2}[-/.]\d{1,2}|年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*$",
                "description": "民國日期，例如 103-01-01 或 103年1月1日"}
    if tp is PointRange:
        return {"type": "string", "pattern": _RANGE.pattern}
    if isinstance(tp, type) and issubclass(tp, Located):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}
            properties = {}
            required = []
            for key, spec in model_fields(tp).items():
                properties[key] = {**_schema_of(spec.type, defs), "description": spec.doc}
                if spec.required:
                    required.append(key)
            body = {"type": "object", "description": (tp.__doc__ or "").strip(),
                    "properties": properties, "additionalProperties": False}
            if required:
                body["required"] = required
            shorthands = []
            if tp.scalar_field:
                shorthands.append({"type": "string"})
            if tp.sequence_field:
                shorthands.append(properties[tp.sequence_field])
            defs[name] = {"anyOf": [body, *shorthands]} if shorthands else body
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"unsupported field type {tp!r}")
