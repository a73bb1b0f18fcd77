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

import yaml

from .characters import UNCARRIABLE, is_cjk
from .errors import IndexedWhere, PlanProblems, Problem, Where, quoted
from .nodes import Mapping, Node, Scalar, Sequence

MAX_DEPTH = 64
ALLOWED_CONTROLS = {"\t", "\n", "\r"}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0abtnvfre \"/\\N_LP])")
_SIMPLE_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f",
                   "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85",
                   "_": "\xa0", "L": "\u2028", "P": "\u2029"}


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
    lines = LineIndex(text)
    for match in UNCARRIABLE.finditer(text):
        ch = match.group(0)
        kind = "控制字元" if unicodedata.category(ch) == "Cc" else "特殊字元（非字元碼）"
        yield Problem(lines.where(path, match.start()), "", (
            f"含有看不見的{kind} U+{ord(ch):04X}（多半是從其他文件複製貼上帶進來的），"
            "請刪除該字元。 (control character in the file)"))


class LineIndex:
    """Line and column of a character index, counting only \\n as a line break.

    PyYAML also counts U+2028, U+2029 and U+0085 as line breaks; editors and officers do not, so
    positions are taken from the index of PyYAML's marks, never from their line numbers.
    """

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def where(self, path: str, index: int) -> Where:
        return IndexedWhere(path, self.starts, index)


_SURROGATE = re.compile("[\ud800-\udfff]")
_COMMENT_AFTER_TEXT = re.compile(r"[ \t]+#(?=[^\s#])")


def join_surrogates(value: str) -> str:
    """JSON-style escaped pairs ("\\uD83D\\uDE00") become the one character they stand for; lone halves stay."""
    if not _SURROGATE.search(value):
        return value
    return re.sub("[\ud800-\udbff][\udc00-\udfff]",
                  lambda m: m.group(0).encode("utf-16-le", "surrogatepass").decode("utf-16-le"), value)


def uncarriable_offset(source: str, bad: str) -> int:
    """Where, in a scalar's source text, the escape that produced `bad` was written (0 if not found)."""
    for match in _ESCAPE.finditer(source):
        code = match.group(1)
        value = chr(int(code[1:], 16)) if code[0] in "xuU" else _SIMPLE_ESCAPES.get(code, "")
        if value == bad or (code[0] in "uU" and 0xD800 <= ord(value) <= 0xDFFF and bad == value):
            return match.start()
    return 0


def parse(path: str, text: str, notices: list[Problem] | None = None) -> Node:
    """Parse YAML text into one located node tree; refuse what plans never need.

    libyaml's C parser reads the file when PyYAML has it (several times faster); it gives the same
    events with the same marks. A file it finds any problem in is read again by the pure-Python
    parser, so that every message and position is the one that parser gives.
    """
    text, stand_ins = _hide_separators(text)
    if FAST_LOADER is not None:
        builder = _TreeBuilder(path, text, stand_ins)
        try:
            for event in yaml.parse(text, Loader=FAST_LOADER):
                builder.feed(event)
        except (yaml.YAMLError, _Stop):
            pass
        else:
            if not builder.problems and builder.root is not None:
                if notices is not None:
                    notices.extend(builder.notices)
                return builder.root
    builder = _TreeBuilder(path, text, stand_ins)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except yaml.reader.ReaderError as exc:  # a character YAML refuses outright
        raise PlanProblems([Problem(builder.lines.where(path, exc.position), "", (
            f"含有 YAML 不接受的字元 U+{exc.character if isinstance(exc.character, int) else ord(exc.character):04X}，"
            "請刪除該字元。 (character not allowed in YAML)"))]) from None
    except yaml.MarkedYAMLError as exc:
        from .yamlerrors import syntax_problem

        raise PlanProblems([syntax_problem(path, text, exc)]) from None
    if builder.problems:
        raise PlanProblems(builder.problems)
    if notices is not None:
        notices.extend(builder.notices)
    if builder.root is None:
        raise PlanProblems([Problem(Where(path, 1, 1), "", (
            "檔案是空的：請至少寫入 agency（機關）、year（年度）與 title（計畫名稱）。"
            " (the file is empty)"))])
    return builder.root


SEPARATORS = "\u2028\u2029"  # LINE and PARAGRAPH SEPARATOR: PyYAML breaks lines there, editors do not
def _hide_separators(text: str) -> tuple[str, dict[str, str]]:
    """Raw U+2028/U+2029 are parsed as the ordinary characters the officer sees, not as line breaks.

    Each is replaced, before parsing, by a private-use character the file does not contain (one
    character for one, so every index stays) and put back into the values afterwards.
    """
    stand_ins: dict[str, str] = {}
    if not any(sep in text for sep in SEPARATORS):
        return text, stand_ins
    candidates = (chr(c) for c in range(0xF0000, 0xFFFFD) if chr(c) not in text)
    for separator in SEPARATORS:
        stand_in = next(candidates)
        stand_ins[stand_in] = separator
        text = text.replace(separator, stand_in)
    return text, stand_ins


class _Loader(yaml.SafeLoader):
    """Only the scanner and parser are used: no constructor ever runs."""


FAST_LOADER = getattr(yaml, "CSafeLoader", None)  # libyaml, when PyYAML was built with it


def unfold_chinese(value: str, source: str) -> str:
    """Undo the space YAML puts where a plain or folded (>) scalar wrapped between Chinese characters.

    Chinese has no spaces between words, so a line break there is only a wrap. A space typed within
    one line (「○○事務所 訂定」) is the officer's and stays.
    """
    lines = [line.strip() for line in source.split("\n")]
    for before, after in zip(lines, lines[1:]):
        if before and after and is_cjk(before[-1]) and is_cjk(after[0]):
            value = value.replace(f"{before[-1]} {after[0]}", before[-1] + after[0], 1)
    return value


class _TreeBuilder:
    def __init__(self, path: str, text: str = "", stand_ins: dict[str, str] | None = None):
        self.text = text
        self.stand_ins = stand_ins or {}
        self.path = path
        self.root: Node | None = None
        self.stack: list[Node] = []
        self.pending_key: list[Scalar | None] = []
        self.segments: list[str] = []  # the path segment of each open container
        self.problems: list[Problem] = []
        self.lines = LineIndex(text)
        self.notices: list[Problem] = []  # warnings found while reading: they do not stop the load

    def where(self, event) -> Where:
        return self.lines.where(self.path, event.start_mark.index)

    def feed(self, event) -> None:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            if event.tag is not None:
                self._check_tag(event)
            self._scalar(event)
        elif kind is yaml.MappingStartEvent:
            if event.tag is not None:
                self._check_tag(event)
            self._open(Mapping(self.where(event)))
        elif kind is yaml.SequenceStartEvent:
            if event.tag is not None:
                self._check_tag(event)
            self._open(Sequence(self.where(event)))
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            self.stack.pop()
            self.pending_key.pop()
            self.segments.pop()
        elif kind is yaml.AliasEvent:
            self.problems.append(Problem(self.where(event), self._field(), (
                "計畫檔不支援別名（*名稱）；請把要重複的內容直接寫出來。"
                " (aliases are not supported in plan files)")))
            raise _Stop(self)
        elif kind is yaml.DocumentStartEvent and self.root is not None:
            self.problems.append(Problem(self.where(event), "", (
                "一個計畫檔只能有一份文件；請刪除多出的「---」與其後內容。"
                " (only one YAML document per plan file)")))
            raise _Stop(self)

    def _check_tag(self, event) -> None:
        tag = event.tag
        if tag != "!" and not (type(event) is yaml.ScalarEvent and event.implicit[0]):
            self.problems.append(Problem(self.where(event), self._field(), (
                f"計畫檔不使用 YAML 標籤（{tag}）；請刪除它。 (explicit tags are not supported)")))

    def _scalar(self, event) -> None:
        value = event.value
        style = event.style
        start, end = event.start_mark, event.end_mark
        if style in (None, "", ">") and end.line > start.line:
            value = unfold_chinese(value, self.text[start.index:end.index])
        if self.stand_ins:
            value = self._restore_separators(value)
        plain = not style  # the pure parser says None, libyaml ""
        node = Scalar(self.lines.where(self.path, start.index), value, plain)
        if plain and value:
            self._comment_after_text(end.index)
        if UNCARRIABLE.search(value):  # lone surrogates among them: joined into pairs first
            node.text = join_surrogates(value)
            self._refuse_uncarriable(node, event)
        self._add(node)

    def _comment_after_text(self, end: int) -> None:
        """` #` after unquoted text starts a YAML comment: 「電話 04-7772011 #3」 would lose 「#3」 unseen.

        A comment written the usual way, with a space after `#` (`text  # note`), is taken as meant;
        `#` followed at once by text (#3, #A棟) is the officer's text lost.
        """
        if end >= len(self.text) or self.text[end] not in " \t":
            return  # nothing after the text on its line can be a comment: it would start with a space
        line_end = self.text.find("\n", end)
        rest = self.text[end:line_end if line_end >= 0 else len(self.text)]
        comment = _COMMENT_AFTER_TEXT.match(rest)
        if comment is None:
            return
        self.notices.append(Problem(self.lines.where(self.path, end + comment.end() - 1), self._field(), (
            f"這一行文字後面的{quoted(rest.strip())}被 YAML 當成註解，不會印出；"
            "若它是文字的一部分，請把整段文字用引號括起來，或刪掉「#」前的空白。"
            " (a comment follows text on this line; quote the text if # belongs to it)"), severity="warning"))

    def _restore_separators(self, value: str) -> str:
        for stand_in, separator in self.stand_ins.items():
            value = value.replace(stand_in, separator)
        return value

    def _refuse_uncarriable(self, node: Scalar, event) -> None:
        """A character written as an escape ("\\x01", "\\uFFFE", a lone "\\ud800") that no document can carry."""
        bad = UNCARRIABLE.search(node.text)
        if bad is None:
            return
        ch = bad.group(0)
        offset = uncarriable_offset(self.text[event.start_mark.index:event.end_mark.index], ch)
        what = "半個代理字元（surrogate）" if 0xD800 <= ord(ch) <= 0xDFFF else "控制字元或非字元碼"
        self.problems.append(Problem(self.lines.where(self.path, event.start_mark.index + offset), self._field(), (
            f"文字含有 {what} U+{ord(ch):04X}，Word、LibreOffice 與網頁都無法存放；"
            "請刪除這個跳脫寫法（反斜線開頭的 \\x、\\u）。 (character that documents cannot carry)")))

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


def load_nodes(path: str, data: bytes | None = None, notices: list[Problem] | None = None) -> Node:
    """Read a plan file into its located node tree, or raise PlanProblems; warnings go to `notices`."""
    if data is None:
        with open(path, "rb") as handle:
            data = handle.read()
    text = read_text(path, data)
    try:
        return parse(path, text, notices)
    except _Stop as stop:
        raise PlanProblems(stop.args[0].problems) from None
