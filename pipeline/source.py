"""Stage 1 of loading: a plan file's bytes → located YAML nodes.

Built on PyYAML's event stream (an iterative parser), so that:
- every node keeps the file, line and column where it was written;
- scalars stay the text the officer typed: nothing is guessed from YAML 1.1
  (`NO`, `1:20`, `0777` remain text until the schema says what the field is);
- duplicate keys, anchors/aliases (alias bombs), explicit tags and runaway nesting are refused;
- bad UTF-8 (often Big5 from older agency files) and control characters are reported by line.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import yaml

from .errors import PlanProblems, Problem, Where

MAX_DEPTH = 64
ALLOWED_CONTROLS = {"\t", "\n", "\r"}


@dataclass
class Node:
    where: Where


@dataclass
class Scalar(Node):
    text: str
    plain: bool  # written without quotes or block indicators

    @property
    def is_empty(self) -> bool:
        """`key:` with nothing after it, or an explicit null."""
        return self.plain and self.text in ("", "~", "null", "Null", "NULL")


@dataclass
class Mapping(Node):
    pairs: list[tuple[Scalar, Node]] = field(default_factory=list)

    def get(self, key: str) -> Node | None:
        for k, v in self.pairs:
            if k.text == key:
                return v
        return None


@dataclass
class Sequence(Node):
    items: list[Node] = field(default_factory=list)


def read_text(path: str, data: bytes) -> str:
    """Decode a plan file as UTF-8, naming the line of the first bad byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = ""
        for legacy in ("big5", "cp950"):
            try:
                data.decode(legacy)
                hint = "看來是 Big5 編碼（舊的機關檔案常見），"
                break
            except UnicodeDecodeError:
                continue
        raise PlanProblems([Problem(Where(path, line, col), "", (
            f"檔案不是 UTF-8 編碼；{hint}請用編輯器「另存為 UTF-8」後再試。"
            " (file is not UTF-8; save it as UTF-8)"))]) from None
    bad = list(_control_characters(path, text))
    if bad:
        raise PlanProblems(bad)
    return text


def _control_characters(path: str, text: str):
    line, col = 1, 1
    for ch in text:
        if ch == "\n":
            line, col = line + 1, 1
            continue
        if ch not in ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc":
            yield Problem(Where(path, line, col), "", (
                f"含有看不見的控制字元 U+{ord(ch):04X}（多半是從其他文件複製貼上帶進來的），"
                "請刪除該字元。 (control character in the file)"))
        col += 1


def parse(path: str, text: str) -> Node:
    """Parse YAML text into one located node tree; refuse what plans never need."""
    builder = _TreeBuilder(path, text)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        from .yamlerrors import syntax_problem

        raise PlanProblems([syntax_problem(path, text, exc)]) from None
    if builder.problems:
        raise PlanProblems(builder.problems)
    if builder.root is None:
        raise PlanProblems([Problem(Where(path, 1, 1), "", (
            "檔案是空的：請至少寫入 agency（機關）、year（年度）與 title（計畫名稱）。"
            " (the file is empty)"))])
    return builder.root


class _Loader(yaml.SafeLoader):
    """Only the scanner and parser are used: no constructor ever runs."""


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def unfold_chinese(value: str, source: str) -> str:
    """Undo the space YAML puts where a plain or folded (>) scalar wrapped between Chinese characters.

    Chinese has no spaces between words, so a line break there is only a wrap. A space typed within
    one line (「○○事務所 訂定」) is the officer's and stays.
    """
    lines = [line.strip() for line in source.split("\n")]
    for before, after in zip(lines, lines[1:]):
        if before and after and _CJK.match(before[-1]) and _CJK.match(after[0]):
            value = value.replace(f"{before[-1]} {after[0]}", before[-1] + after[0], 1)
    return value


class _TreeBuilder:
    def __init__(self, path: str, text: str = ""):
        self.text = text
        self.path = path
        self.root: Node | None = None
        self.stack: list[Node] = []
        self.pending_key: list[Scalar | None] = []
        self.segments: list[str] = []  # the path segment of each open container
        self.problems: list[Problem] = []

    def where(self, event) -> Where:
        return Where(self.path, event.start_mark.line + 1, event.start_mark.column + 1)

    def feed(self, event) -> None:
        if isinstance(event, yaml.AliasEvent):
            self.problems.append(Problem(self.where(event), self._field(), (
                "計畫檔不支援別名（*名稱）；請把要重複的內容直接寫出來。"
                " (aliases are not supported in plan files)")))
            raise _Stop(self)
        if isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            tag = getattr(event, "tag", None)
            if tag not in (None, "!") and not (isinstance(event, yaml.ScalarEvent) and event.implicit[0]):
                self.problems.append(Problem(self.where(event), self._field(), (
                    f"計畫檔不使用 YAML 標籤（{tag}）；請刪除它。 (explicit tags are not supported)")))
        if isinstance(event, yaml.ScalarEvent):
            value = event.value
            if event.style in (None, ">") and event.end_mark.line > event.start_mark.line:
                value = unfold_chinese(value, self.text[event.start_mark.index:event.end_mark.index])
            node = Scalar(self.where(event), value, plain=event.style is None)
            self._add(node)
        elif isinstance(event, yaml.MappingStartEvent):
            self._open(Mapping(self.where(event)))
        elif isinstance(event, yaml.SequenceStartEvent):
            self._open(Sequence(self.where(event)))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            self.stack.pop()
            self.pending_key.pop()
            self.segments.pop()
        elif isinstance(event, yaml.DocumentStartEvent) and self.root is not None:
            self.problems.append(Problem(self.where(event), "", (
                "一個計畫檔只能有一份文件；請刪除多出的「---」與其後內容。"
                " (only one YAML document per plan file)")))
            raise _Stop(self)

    def _open(self, node: Node) -> None:
        if len(self.stack) >= MAX_DEPTH:
            self.problems.append(Problem(node.where, self._field(), (
                f"巢狀層次超過 {MAX_DEPTH} 層，請檢查縮排。 (nesting deeper than {MAX_DEPTH})")))
            raise _Stop(self)
        segment = self._segment()
        self._add(node)
        self.stack.append(node)
        self.pending_key.append(None)
        self.segments.append(segment)

    def _add(self, node: Node) -> None:
        if not self.stack:
            if self.root is None:
                self.root = node
            return
        parent = self.stack[-1]
        if isinstance(parent, Sequence):
            parent.items.append(node)
            return
        key = self.pending_key[-1]
        if key is None:
            if not isinstance(node, Scalar):
                self.problems.append(Problem(node.where, self._field(), (
                    "欄位名稱必須是文字。 (mapping keys must be plain text)")))
                raise _Stop(self)
            for existing, _ in parent.pairs:
                if existing.text == node.text:
                    self.problems.append(Problem(node.where, self._field(node.text), (
                        f"欄位「{node.text}」重複（第 {existing.where.line} 行已有），"
                        "後面的會蓋掉前面的；請合併或刪除其中一個。 (duplicate key)")))
            self.pending_key[-1] = node
        else:
            parent.pairs.append((key, node))
            self.pending_key[-1] = None

    def _segment(self) -> str:
        """The path segment of the node about to be added: its key, or its index."""
        if not self.stack:
            return ""
        parent = self.stack[-1]
        if isinstance(parent, Sequence):
            return f"[{len(parent.items)}]"
        key = self.pending_key[-1]
        return key.text if key is not None else ""

    def _field(self, last: str | None = None) -> str:
        parts = [*self.segments, self._segment() if last is None else last]
        return ".".join(p for p in parts if p).replace(".[", "[")


class _Stop(Exception):
    pass


def load_nodes(path: str, data: bytes | None = None) -> Node:
    """Read a plan file into its located node tree, or raise PlanProblems."""
    if data is None:
        with open(path, "rb") as handle:
            data = handle.read()
    text = read_text(path, data)
    try:
        return parse(path, text)
    except _Stop as stop:
        raise PlanProblems(stop.args[0].problems) from None
