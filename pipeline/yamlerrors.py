"""Stage 1 (source), its error side: a YAML syntax error → one problem in words an officer understands.

PyYAML reports what its parser expected (`expected <block end>, but found '-'`), often a line after
the mistake. Before translating that, the likely causes are looked for, each on its own line:
a full-width colon after a key (`title：`), a tab or a full-width space used for indentation, and text that starts with
a character YAML reserves (`**`, `*`, `[`, `@`, `` ` ``, …) and needs quotes.
"""
from __future__ import annotations

import re

import yaml

from .errors import Problem, Where

ENDING = "請檢查這一行與上一行的縮排、冒號與引號。"
KEY_WITH_FULL_WIDTH_COLON = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_]*)\s*：")
VALUE = re.compile(r"^(\s*(?:-\s+)*(?:[A-Za-z_][A-Za-z0-9_]*:\s+)?)(.+?)\s*$")
RESERVED_STARTS = ("**", "*", "[", "{", "@", "`", "&", "!", "%", "|", ">", "?")

TOKENS = {
    "<scalar>": "一段文字", "<block mapping start>": "一組欄位", "<block sequence start>": "一個清單",
    "<block end>": "這一層結束", "-": "清單項目「- 」", "<block entry>": "清單項目「- 」", "?": "「?」",
    ":": "冒號「:」", ",": "逗號「,」", "[": "「[」", "]": "「]」", "{": "「{」", "}": "「}」",
    "<stream end>": "檔案結尾", "<document start>": "文件開始「---」", "<document end>": "文件結束「...」",
    "<flow sequence start>": "「[」", "<flow mapping start>": "「{」", "<flow sequence end>": "「]」",
    "<flow mapping end>": "「}」", "<key>": "欄位名稱", "<value>": "冒號「:」", "<alias>": "別名「*」",
    "<anchor>": "錨點「&」", "<tag>": "標籤「!」",
}

# PyYAML's problems, most specific first; {0} is the token or character it names, in Chinese.
TRANSLATIONS = [
    (r"expected <block end>, but found '(.+)'", "縮排不一致：這裡出現了{0}，但它的縮排與上面同一層的欄位或清單項目對不齊"),
    (r"expected '?<document start>'?, but found '(.+)'", "這裡出現了{0}，但前面的內容已經結束；多半是這一行的縮排比上面少了"),
    (r"expected ',' or '\]', but got '(.+)'", "方括號 [ ] 沒有成對，或清單項目之間少了逗號（遇到{0}）"),
    (r"expected ',' or '\}', but got '(.+)'", "大括號 { } 沒有成對，或欄位之間少了逗號（遇到{0}）"),
    (r"expected alphabetic or numeric character, but found '(.+)'", "「*」或「&」在 YAML 是特殊符號，後面卻接了{0}"),
    (r"found character '\\t' that cannot start any token", "用了 Tab 縮排；YAML 只能用空白縮排"),
    (r"found character '(.+)' that cannot start any token", "文字不能以「{0}」開頭，除非用引號括起來"),
    (r"found a tab character", "用了 Tab 縮排；YAML 只能用空白縮排"),
    (r"mapping values are not allowed here", "這裡不能出現「冒號加空白」；若冒號是文字的一部分，請把整段文字用引號括起來"),
    (r"mapping keys are not allowed here", "這裡不能出現「? 」（YAML 用它標示欄位名稱）；若這是文字，請把整段文字用引號括起來"),
    (r"could not find expected ':'", "找不到應有的冒號「:」"),
    (r"did not find expected key", "縮排不一致，找不到預期的欄位"),
    (r"did not find expected '-' indicator", "清單的縮排不一致"),
    (r"did not find expected node content", "這裡少了內容"),
    (r"expected the node content, but found '(.+)'", "這裡應該有內容，卻出現了{0}"),
    (r"block sequence entries are not allowed here", "這裡不能開始清單項目「- 」；請檢查縮排，或把以「-」開頭的文字用引號括起來"),
    (r"sequence entries are not allowed here", "這裡不能開始清單項目「- 」"),
    (r"found undefined alias", "用了未定義的別名"),
    (r"found duplicate anchor", "錨點重複"),
    (r"found unexpected end of stream", "檔案在引號或括號還沒結束時就結束了"),
    (r"found unknown escape character", "雙引號內的反斜線 \\ 後接了無法辨識的字元；請改用單引號或刪除反斜線"),
    (r"expected a comment or a line break, but found '(.+)'", "這裡只能換行或寫註解（#），卻出現了{0}"),
    (r"expected chomping or indentation indicators, but found '(.+)'", "「|」或「>」後面只能換行，卻出現了{0}"),
    (r"expected ' ', but found '(.+)'", "這裡應該有一個空白，卻出現了{0}"),
    (r"found unexpected ':'", "多了一個冒號「:」"),
    (r"found unexpected document separator", "文字中間出現了「---」；請用引號括起來"),
    (r"found undefined tag handle", "用了未定義的標籤「!」"),
    (r"expected URI", "標籤「!」的寫法不正確"),
]


def translate(problem: str) -> str:
    """PyYAML's English problem in Chinese; an unknown one is kept as it is (it is shown in English too)."""
    for pattern, chinese in TRANSLATIONS:
        match = re.match(pattern, problem)
        if match:
            token = match.group(1) if match.groups() else ""
            return chinese.replace("{0}", TOKENS.get(token, f"「{token}」"))  # not format: 「{ }」 is text here
    return problem


def syntax_problem(path: str, text: str, exc: yaml.MarkedYAMLError) -> Problem:
    """The problem to report for a YAML syntax error: the likely cause on its own line, or the translation."""
    english = exc.problem or exc.context or "無法解析"
    lines = text.split("\n")
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    col = mark.column + 1 if mark else 1
    first = exc.context_mark.line + 1 if exc.context_mark is not None else line
    for finder in (_full_width_colon, _tab_indent, _full_width_indent, _needs_quotes):
        found = finder(lines, line, min(first, line))
        if found:
            at_line, at_col, field, message = found
            return Problem(Where(path, at_line, at_col), field, f"{message} (YAML syntax error: {english})")
    began = ""
    if exc.context_mark is not None and exc.problem_mark is not None and first != line:
        began = f"（問題從第 {first} 行第 {exc.context_mark.column + 1} 欄那一段開始）"
    return Problem(Where(path, line, col), "", (
        f"YAML 語法錯誤：{translate(english)}{began}。{ENDING} (YAML syntax error: {english})"))


def _candidates(lines: list[str], line: int, first: int) -> list[int]:
    """Line numbers to look at for the cause: the reported line, then upwards to where the trouble began."""
    start = max(1, min(first, line - 3))
    return [n for n in range(min(line, len(lines)), start - 1, -1)]


def _full_width_colon(lines, line, first):
    for number in _candidates(lines, line, first):
        match = KEY_WITH_FULL_WIDTH_COLON.match(lines[number - 1])
        if match:
            key = match.group(2)
            return number, match.end(), key, (
                f"「{key}：」用了全形冒號「：」；欄位名稱後面要用半形冒號加一個空白，例如「{key}: 」。"
                " (a full-width colon after a key)")
    return None


def _tab_indent(lines, line, first):
    for number in _candidates(lines, line, first):
        indent = re.match(r"^[ \t]*", lines[number - 1]).group(0)
        if "\t" in indent:
            return number, indent.index("\t") + 1, "", (
                f"第 {number} 行用了 Tab 縮排；YAML 只能用空白縮排，請把 Tab 換成空白（每一層通常是 2 個空白）。"
                " (a tab used for indentation)")
    return None


FULL_WIDTH_INDENT = re.compile(r"^[ \t]*\u3000[ \t\u3000]*(?=-\s|[A-Za-z_][A-Za-z0-9_]*\s*[:：])")


def _full_width_indent(lines, line, first):
    """A list item or a key indented with full-width spaces 「　」, as a Chinese input method types them."""
    for number in _candidates(lines, line, first):
        match = FULL_WIDTH_INDENT.match(lines[number - 1])
        if match:
            return number, match.group(0).index("\u3000") + 1, "", (
                f"第 {number} 行用了全形空白「　」縮排；YAML 只能用半形空白縮排，請把全形空白換成半形空白"
                "（每一層通常是 2 個空白）。 (a full-width space used for indentation)")
    return None


def _needs_quotes(lines, line, first):
    for number in _candidates(lines, line, first)[:2]:
        match = VALUE.match(lines[number - 1])
        if not match:
            continue
        prefix, value = match.groups()
        start = next((s for s in RESERVED_STARTS if value.startswith(s)), None)
        if start is None or _loads(value) or not _loads(_quoted(value)):
            continue
        key = re.search(r"([A-Za-z_][A-Za-z0-9_]*):\s+$", prefix)
        fix = f"{prefix.strip()} {_quoted(value)}".strip()
        if start in "[{":
            pair = "[ ]" if start == "[" else "{ }"
            message = (f"這段以「{start}」開頭，YAML 把 {pair} 當成清單或欄位的括號。若這是文字，請把整段用單引號括起來："
                       f"{fix}；若是清單，請檢查括號是否成對、項目之間是否以逗號分隔。")
        else:
            message = f"這段文字以「{start}」開頭，YAML 會把它當成特殊符號；請把整段文字用單引號括起來：{fix}。"
        return number, len(prefix) + 1, key.group(1) if key else "", message
    return None


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _loads(value: str) -> bool:
    try:
        yaml.safe_load(f"x: {value}")
    except yaml.YAMLError:
        return False
    return True
