"""The editor agrees with `plan validate`: yaml-language-server (what VS Code runs) on schema/plan.schema.json,
driven over LSP, accepts and rejects the same plans, on the same lines, in Chinese; completion offers the
fields with their descriptions."""
import re
import subprocess
import sys

import pytest

from conftest import ROOT, SEEDS

HEAD = "agency: 高雄市選舉委員會\nyear: 106\ntitle: 高雄市選舉委員會 106 年提升服務品質執行計畫\n"

# Plans both must accept: what the loader accepts and an editor once refused.
GOOD = {
    "same-line-yes": HEAD + "targets:\n  same_line: 是\n  text: 本會各組\n",
    "same-line-no": HEAD + "targets:\n  same_line: 否\n  text: 本會各組\n",
    "quoted-year": HEAD.replace("year: 106", 'year: "106"'),
    "number-as-text": HEAD + "issued:\n  date: 106-01-05\n  number: 1060000123\n",
    "empty-goals": HEAD + "goals:\n",
    "arabic-style": HEAD + "numbering:\n  arabic: 1.\n",
    "leap-day": HEAD.replace("106", "105") + "period:\n  start: 105-02-29\n  end: 105-12-31\n",
    "points": HEAD + "strategies:\n  items:\n    - text: 甲\n      points: \"20\"\n      items:\n"
                     "        - text: 乙\n          points: 8~10\n        - text: 丙\n          points: 10\n",
    "dates-in-words": HEAD + "period:\n  start: 中華民國106年1月1日\n  end: 106/12/31\n",
}

# Plans both must refuse, each on one line.
BAD = {
    "unknown-key": HEAD + "gaols: 提升服務品質\n",
    "february-30": HEAD + "period:\n  start: 106-02-30\n  end: 106-12-31\n",
    "month-13": HEAD + "period:\n  start: 106-01-01\n  end: 106-13-01\n",
    "same-line-maybe": HEAD + "targets:\n  same_line: 也許\n  text: 本會各組\n",
    "year-in-words": HEAD.replace("year: 106", "year: 一〇六"),
    "three-choice": HEAD + "numbering:\n  three: 三\n",
    "list-for-text": HEAD.replace("agency: 高雄市選舉委員會", "agency: [高雄市, 選舉委員會]"),
    "text-for-mapping": HEAD + "cover: 封面\n",
    "points-in-words": HEAD + "strategies:\n  items:\n    - text: 甲\n      points: 二十分\n",
    "missing-title": "agency: 高雄市選舉委員會\nyear: 106\ngoals: 提升服務品質\n",
    "unknown-key-deep": HEAD + "strategies:\n  items:\n    - txet: 甲\n",
}

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_ONLY = ("is not allowed", "Missing property", "Incorrect type", "does not match the pattern", "Value is not accepted")


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    """Every plan of the table as a file that names the schema on its first line, as the README says."""
    folder = tmp_path_factory.mktemp("editor")
    modeline = f"# yaml-language-server: $schema={(ROOT / 'schema' / 'plan.schema.json').as_uri()}\n"
    files = {}
    for name, text in {**GOOD, **BAD}.items():
        files[name] = folder / f"{name}.yaml"
        files[name].write_text(modeline + text, encoding="utf-8")
    for agency, year in SEEDS:
        text = (ROOT / "plans" / agency / f"{year}.yaml").read_text(encoding="utf-8")
        files[f"seed-{agency}"] = folder / f"seed-{agency}.yaml"
        files[f"seed-{agency}"].write_text(modeline + text, encoding="utf-8")
    return files


@pytest.fixture(scope="module")
def validated(plans):
    """`plan validate` on every file: {file: [(line, field, message)]}."""
    run = subprocess.run([sys.executable, "-m", "pipeline", "validate", *map(str, plans.values())],
                         capture_output=True, text=True, cwd=ROOT)
    found: dict = {str(path): [] for path in plans.values()}
    for line in run.stderr.splitlines():
        match = re.match(r"^(.+\.yaml):(\d+):(\d+): ([^:]*): (.*)$", line)
        if match and match.group(1) in found:
            found[match.group(1)].append((int(match.group(2)), match.group(4), match.group(5)))
    return found


@pytest.fixture(scope="module")
def editor(plans):
    from lsp_client import LanguageServer

    server = LanguageServer(next(iter(plans.values())).parent)
    for path in plans.values():
        server.open(path)
    yield server
    server.close()


@pytest.fixture(scope="module")
def diagnostics(editor, plans):
    return {name: editor.diagnostics_of(path) for name, path in plans.items()}


@pytest.mark.parametrize("name", [*GOOD, *(f"seed-{agency}" for agency, _ in SEEDS)])
def test_both_accept(name, plans, validated, diagnostics):
    assert validated[str(plans[name])] == []
    assert diagnostics[name] == []


@pytest.mark.parametrize("name", BAD)
def test_both_refuse_on_the_same_line_in_chinese(name, plans, validated, diagnostics):
    problems = validated[str(plans[name])]
    assert problems, "plan validate accepts it"
    found = diagnostics[name]
    assert found, "the editor accepts it"
    assert {line for line, _, _ in problems} == {d["range"]["start"]["line"] + 1 for d in found}, (problems, found)
    for diagnostic in found:
        message = diagnostic["message"]
        assert CJK.search(message) and not any(english in message for english in ENGLISH_ONLY), message
        assert "\\d" not in message and "(?:" not in message, "no raw pattern in the message"


def test_messages_name_the_fix(plans, diagnostics):
    """The schema's own words, not the server's: the choices, the date format, the field that is missing."""
    text = {name: " ".join(d["message"] for d in found) for name, found in diagnostics.items()}
    assert "三" not in text["three-choice"] and "參、叁" in text["three-choice"]
    assert "103-01-01" in text["february-30"]
    assert "缺少必填欄位「title」" in text["missing-title"]
    assert "不認得的欄位" in text["unknown-key"] and "goals" in text["unknown-key"]
    assert "是 或 否" in text["same-line-maybe"]


def test_completion_offers_fields_with_their_descriptions(editor, plans):
    path = plans["empty-goals"]
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    editor.notify("textDocument/didChange", {"textDocument": {"uri": path.as_uri(), "version": 2},
                                            "contentChanges": [{"text": path.read_text(encoding="utf-8")}]})
    last_line = path.read_text(encoding="utf-8").count("\n")
    items = {item["label"]: item for item in editor.completion(path, last_line, 0)}
    assert {"basis", "period", "strategies", "appendices"} <= set(items), sorted(items)
    assert "agency" not in items, "fields already written are not offered again"

    def described(item):
        documentation = item.get("documentation", "")
        return documentation.get("value", "") if isinstance(documentation, dict) else documentation

    assert "計畫期程" in described(items["period"]) or "計畫期程" in items["period"].get("detail", "")

    sample = plans["three-choice"]
    line = sample.read_text(encoding="utf-8").split("\n").index("  three: 三")
    choices = {item["label"] for item in editor.completion(sample, line, len("  three: "))}
    assert {"參", "叁"} <= choices, choices


def test_the_language_server_is_pinned():
    lock = (ROOT / "tools" / "lsp" / "package-lock.json").read_text(encoding="utf-8")
    assert '"node_modules/yaml-language-server"' in lock
