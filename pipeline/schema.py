"""Stage 2 of loading: located YAML nodes → typed model objects, declared once.

The plan format is declared as dataclasses (pipeline/model.py). This module reads those
declarations twice: to convert and check a node tree (every problem collected with its position,
unknown keys answered with the nearest known one), and to write the JSON Schema editors use.
"""
from __future__ import annotations

import dataclasses
import re
import types
import typing
from dataclasses import field
from functools import lru_cache

from .errors import Problem, Where, quoted
from .records import record
from .rocdate import DateFormatError, RocDate, parse_roc_date
from .nodes import Mapping, Node, Scalar, Sequence


@record(kw_only=True)
class Located:
    """Base of every model object: where it was written, and where each of its fields was."""

    where: Where | None = field(default=None, repr=False, compare=False, metadata={"internal": True})
    at: dict = field(default_factory=dict, repr=False, compare=False, metadata={"internal": True})

    # A value written as a bare scalar or list stands for this field (e.g. `goals: 一段文字`).
    scalar_field: typing.ClassVar[str | None] = None
    sequence_field: typing.ClassVar[str | None] = None


@record(frozen=True)
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
        return self._convert(node, shape_of(tp), path)

    def _convert(self, node: Node, shape: tuple, path: str):
        kind, argument = shape
        if kind == "scalar":
            return self._scalar(node, path, *argument)
        if kind == "model":
            return self._model(node, argument, path)
        if kind == "list":
            return self._list(node, argument, path)
        if kind == "points":
            return self._points(node, path)
        if kind == "choice":
            return self._choice(node, argument, path)
        return self._lines(node, path)

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
        return self._list(node, shape_of(str), path)

    def _points(self, node: Node, path: str):
        """A score: an integer, or a range such as 8~10."""
        if isinstance(node, Scalar) and _RANGE.match(node.text):
            return self._scalar(node, path, *SCALARS[PointRange])
        if isinstance(node, Scalar) and not _INT.match(node.text):
            self.error(node.where, path, f"{quoted(node.text)}不是配分：配分應該是 0 以上的整數（例如 20），"
                                         "或分數範圍（例如 8~10）。 (expected points)")
            return MISSING
        return self._scalar(node, path, *SCALARS[int])

    def _list(self, node: Node, item_shape: tuple, path: str):
        if not isinstance(node, Sequence):
            self.error(node.where, path, f"這裡應該是清單（每項以「- 」開頭），卻寫成了{_kind(node)}。 (expected a list)")
            return MISSING
        values = []
        for index, child in enumerate(node.items):
            value = self._convert(child, item_shape, f"{path}[{index}]")
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
            value = self._convert(value_node, fields[key.text].shape, child_path)
            if value is not MISSING:
                values[key.text] = value
                at[key.text] = value_node.where
        missing = [name for name in required_fields(cls) if name not in values]
        written = {k.text for k, _ in node.pairs} if missing else set()
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
        if key.startswith("\u3000"):  # typed with a Chinese input method: YAML does not take it as indentation
            return (f"「{key.lstrip(chr(0x3000) + ' ')}」前面用了全形空白「　」縮排；YAML 只能用半形空白縮排，"
                    "請把這一行開頭的全形空白換成半形空白（每一層通常是 2 個空白）。 (a full-width space used for indentation)")
        if key == "<<":
            return ("計畫檔不支援 YAML 的合併鍵「<<」；請把要合併的欄位直接寫在這裡。"
                    " (merge keys are not supported in plan files)")
        known = list(fields)
        suggestion = self.synonyms.get(key) if self.synonyms.get(key) in fields else None
        if suggestion is None:
            import difflib  # only when a key is unknown

            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            suggestion = close[0] if close else None
        hint = f"是不是要寫「{suggestion}」？" if suggestion else f"可用的欄位有：{', '.join(known)}。"
        return f"不認得的欄位「{key}」；{hint} (unknown key" + (f"; did you mean '{suggestion}'?)" if suggestion else ")")


@record(frozen=True)
class FieldSpec:
    """A model field as the converter and the JSON Schema read it."""

    type: object
    required: bool
    doc: str
    shape: tuple  # what the converter does with the field's value: shape_of(type)


@lru_cache(maxsize=None)
def model_fields(cls: type) -> dict[str, FieldSpec]:
    hints = typing.get_type_hints(cls)
    specs = {}
    for f in dataclasses.fields(cls):
        if f.metadata.get("internal"):
            continue
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        specs[f.name] = FieldSpec(hints[f.name], required, f.metadata.get("doc", ""), shape_of(hints[f.name]))
    return specs


@lru_cache(maxsize=None)
def required_fields(cls: type) -> tuple[str, ...]:
    return tuple(name for name, spec in model_fields(cls).items() if spec.required)


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


SCALARS = {
    str: ("文字", str, "text"),
    int: ("大於或等於 0 的整數（例如 103）", _to_int, "a whole number"),
    bool: ("「是」或「否」（也可寫 true 或 false）", _to_bool, "yes or no"),
    RocDate: ("民國日期（例如 103-01-01）", parse_roc_date, "an ROC date"),
    PointRange: ("分數範圍（例如 8~10）", _to_range, "a range like 8~10"),
}


@lru_cache(maxsize=None)
def shape_of(tp) -> tuple[str, object]:
    """What a field's type asks the converter for, worked out once per type: ("scalar", (expected,
    parse, English)), ("model", the class), ("list", the items' shape), ("points", None), ("choice",
    choices) or ("lines", None); an optional field's shape is its type's."""
    origin = typing.get_origin(tp)
    if tp is Lines:
        return "lines", None
    if origin in (typing.Union, types.UnionType):
        options = tuple(o for o in typing.get_args(tp) if o is not type(None))
        if len(options) == 1:  # optional: an empty value is left out before conversion
            return shape_of(options[0])
        if set(options) == {int, PointRange}:  # Points: an integer, or a range such as 8~10
            return "points", None
        raise TypeError(f"unsupported union {options!r}")
    if origin is list:
        return "list", shape_of(typing.get_args(tp)[0])
    if origin is typing.Literal:
        return "choice", typing.get_args(tp)
    if isinstance(tp, type) and issubclass(tp, Located):
        return "model", tp
    if tp in SCALARS:
        return "scalar", SCALARS[tp]
    raise TypeError(f"unsupported field type {tp!r}")


# ---- JSON Schema -------------------------------------------------------------------------
#
# The schema accepts what the converter above accepts, as an editor sees the file: YAML 1.2 values
# (an unquoted 103 is a number, `是` is text), so text fields also take numbers and true/false, whole
# numbers may be quoted, and an optional field may be left empty. Each check carries the Chinese
# message yaml-language-server shows instead of its own (`errorMessage`, `patternErrorMessage`).
# Two limits: checks across fields (points that add up, the period inside the year) are left to
# `plan validate`, and a score band written high to low (10~8) passes the pattern.

SCALAR_TYPES = ["string", "number", "boolean"]  # what a plain YAML scalar may load as; the loader reads its text
OBJECT_MESSAGE = "這裡應該是一組欄位（「名稱: 值」，每個名稱一行）。 (expected a mapping)"


def json_schema(root: type, title: str) -> dict:
    """The JSON Schema (draft 2020-12) of a model class, for editors' YAML extensions."""
    defs: dict = {}
    _schema_of(root, defs)  # fills defs, the root's own among them
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title,
            **defs.pop(root.__name__), "$defs": defs}


def _text_schema() -> dict:
    return {"type": SCALAR_TYPES, "errorMessage": "這裡應該是文字，不是清單或一組欄位。 (expected text)"}


def _choices(values: tuple) -> list:
    """A choice as YAML may load it: `1` and `1.` load as numbers, which the loader reads back as text."""
    loaded = list(values)
    for value in values:
        if re.fullmatch(r"\d+\.?", str(value)) and int(str(value).rstrip(".")) not in loaded:
            loaded.append(int(str(value).rstrip(".")))
    return loaded


def _schema_of(tp, defs: dict) -> dict:
    origin = typing.get_origin(tp)
    if tp is Lines:
        return {"anyOf": [_text_schema(), {"type": "array", "items": _text_schema()}],
                "errorMessage": "這裡應該是一行文字，或文字的清單。 (expected text or a list of text)"}
    if origin in (typing.Union, types.UnionType):
        options = [o for o in typing.get_args(tp) if o is not type(None)]
        if len(options) == 1:
            return _schema_of(options[0], defs)
        if set(options) == {int, PointRange}:
            return {"type": ["integer", "string"], "minimum": 0,
                    "pattern": rf"^\s*(?:\+?\d+|{_RANGE.pattern[4:-4]})\s*$",
                    "errorMessage": "配分應該是整數（例如 20），或分數範圍（例如 8~10）。 (expected points)",
                    "patternErrorMessage": "配分應該是整數（例如 20），或分數範圍（例如 8~10）。 (expected points)"}
        raise TypeError(f"unsupported union {options!r}")
    if origin is list:
        return {"type": "array", "items": _schema_of(typing.get_args(tp)[0], defs),
                "errorMessage": "這裡應該是清單（每項以「- 」開頭）。 (expected a list)"}
    if origin is typing.Literal:
        listed = "、".join(str(c) for c in typing.get_args(tp))
        return {"enum": _choices(typing.get_args(tp)),
                "errorMessage": f"不是可用的選項；請從這些選一個：{listed}。 (one of: {listed})"}
    if tp is str:
        return _text_schema()
    if tp is int:
        return {"type": ["integer", "string"], "minimum": 0, "pattern": _INT.pattern,
                "errorMessage": "這裡應該是整數（例如 103）。 (expected an integer)",
                "patternErrorMessage": "這裡應該是整數（例如 103）。 (expected an integer)"}
    if tp is bool:
        # 是／否 first (what completion offers first); the spellings YAML reads as text follow
        words = ["是", "否", True, False, *sorted(TRUE_WORDS - {"是"}), *sorted(FALSE_WORDS - {"否"})]
        return {"enum": words, "errorMessage": "請寫 是 或 否（也可寫 true 或 false）。 (expected yes or no)"}
    if tp is RocDate:
        return {"type": "string", "pattern": roc_date_pattern(),
                "errorMessage": "這裡應該是民國日期，例如 103-01-01 或 103年1月1日。 (expected an ROC date)",
                "patternErrorMessage": ("不是存在的民國日期：請寫成 103-01-01 或 103年1月1日，"
                                        "月份 1 到 12，日子不超過該月的天數。 (not a valid ROC date)")}
    if tp is PointRange:
        return {"type": "string", "pattern": _RANGE.pattern,
                "patternErrorMessage": "分數範圍寫成 8~10。 (expected a range like 8~10)"}
    if isinstance(tp, type) and issubclass(tp, Located):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}
            defs[name] = _object_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"unsupported field type {tp!r}")


def _object_schema(tp: type, defs: dict) -> dict:
    """A model class: its fields, the unknown-key and missing-field messages, and its shorthands."""
    fields = model_fields(tp)
    properties = {}
    for key, spec in fields.items():
        value = _schema_of(spec.type, defs)
        if not spec.required:
            value = _or_empty(value)
        properties[key] = {**value, "description": spec.doc}
    known = ", ".join(fields)
    body = {"type": "object", "description": (tp.__doc__ or "").strip(),
            "errorMessage": OBJECT_MESSAGE,
            "properties": properties,
            "propertyNames": {"enum": list(fields),
                              "errorMessage": f"不認得的欄位；這裡可用的欄位有：{known}。 (unknown key)"}}
    # `required` would answer in English ("Missing property"): each required field is a condition instead.
    required = [key for key, spec in fields.items() if spec.required]
    if required:
        body["allOf"] = [{"if": {"not": {"required": [key]}},
                          "then": {"type": "null", "errorMessage": (
                              f"缺少必填欄位「{key}」（{fields[key].doc}）。 (required field missing)")}}
                         for key in required]
    shorthands = []
    if tp.scalar_field:
        shorthands.append(_text_schema())
    if tp.sequence_field:
        shorthands.append({k: v for k, v in properties[tp.sequence_field].items() if k != "description"})
    return {"anyOf": [body, *shorthands]} if shorthands else body


def _or_empty(value: dict) -> dict:
    """An optional field may be left empty (`key:`): the loader then treats it as not given."""
    if isinstance(value.get("type"), list):
        return {**value, "type": [*value["type"], "null"]}
    if "enum" in value:
        return {**value, "enum": [*value["enum"], None]}
    # `const` rather than `type: null`: yaml-language-server rewrites two type mismatches as one English message.
    return {"anyOf": [value, {"const": None, "errorMessage": value.get("errorMessage", OBJECT_MESSAGE)}]}


def roc_date_pattern() -> str:
    """A pattern for the dates parse_roc_date accepts: real days only (2 月 29 日 in leap years)."""
    year = r"(?!0{1,3}(?!\d))\d{1,3}"
    # ROC year y is a leap year when y + 1911 is: y % 4 == 1, except 189, 289, 389, 589, … (not 89, 489, 889).
    leap_year = r"(?![1235679]89(?!\d))(?:\d?(?:[02468][159]|[13579][37])|[159])(?!\d)"
    long_month, short_month, february = r"0?[13578]|1[02]", r"0?[469]|11", r"0?2"
    day31, day30, day28 = r"0?[1-9]|[12]\d|3[01]", r"0?[1-9]|[12]\d|30", r"0?[1-9]|1\d|2[0-8]"

    def month_day(months_days: list[tuple[str, str]]) -> str:
        dashed = "|".join(rf"(?:{m})[-/.](?:{d})" for m, d in months_days)
        written = "|".join(rf"(?:{m})\s*月\s*(?:{d})\s*日" for m, d in months_days)
        return rf"(?:[-/.](?:{dashed})|\s*年\s*(?:{written}))"

    common = month_day([(long_month, day31), (short_month, day30), (february, day28)])
    leap_day = month_day([(february, "29")])
    return rf"^\s*(?:中華)?(?:民國)?\s*(?:{year}{common}|{leap_year}{leap_day})\s*$"
