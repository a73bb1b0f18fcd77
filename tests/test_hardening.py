"""Hardening: what validates builds, hostile or careless input gets a clear error, nothing leaks.

Each test stands for one case of the attacker's and careless user's list (issue 12).
"""
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT

from pipeline.cli import main

PLAN = ROOT / ".venv" / "bin" / "plan"
HEAD = "agency: 測試機關\nyear: 103\ntitle: 測試計畫\n"


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def plan_with_wording(wording: str) -> str:
    escaped = wording.replace("\\", "\\\\").replace('"', '\\"')
    return HEAD + f'period:\n  start: 103-01-01\n  end: 103-12-31\n  wording: "{escaped}"\n'


# ---- 1. period.wording is never a format string -----------------------------------------------

@pytest.mark.parametrize("wording", [
    "{start.__init__.__globals__[sys].modules[os].environ}",
    "{0}", "自 {start} 起 {", "}", "{length:x>50000000}", "{start!r}", "{起}",
])
def test_wording_with_other_braces_is_refused_with_its_position(write_plan, wording):
    result = run("validate", write_plan(plan_with_wording(wording)))
    assert result.exit_code == 1
    assert "plan.yaml:7:12: period.wording:" in result.output
    assert "Traceback" not in result.output


def test_wording_placeholders_are_substituted_literally(write_plan, tmp_path):
    from pipeline.tree import fill_wording

    assert fill_wording("{start}~{end}", {"start": "{end}", "end": "x", "length": ""}) == "{end}~x"
    path = write_plan(plan_with_wording("由 {start} 到 {end}，共 {length}（全形｛括號｝照印）"))
    result = run("build", path, "--format", "html", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "plan.html").read_text(encoding="utf-8")
    assert "由 103 年 1 月 1 日 到 103 年 12 月 31 日，共 1 年（全形｛括號｝照印）" in page


def test_import_keeps_braces_of_a_period_sentence_as_text(tmp_path):
    source = tmp_path / "plan.txt"
    source.write_text("測試機關 103 年服務計畫\n壹、計畫期程：自 103 年 1 月 1 日起至 103 年 12 月 31 日止 {0}{x.y}\n"
                      "貳、計畫目標：提升服務品質。\n", encoding="utf-8")
    result = run("import", source, "-o", tmp_path / "103.yaml")
    assert result.exit_code == 0, result.output
    check = run("validate", tmp_path / "103.yaml")
    assert check.exit_code == 0, check.output
    built = run("build", tmp_path / "103.yaml", "--format", "html", "-o", tmp_path / "out")
    assert built.exit_code == 0, built.output
    assert "｛0｝｛x.y｝" in (tmp_path / "out" / "plan.html").read_text(encoding="utf-8")


# ---- 2. agency template overrides: applied, sandboxed; the bytecode cache trusted only when private --

@pytest.fixture
def agency_templates():
    """An agency's own template folder under templates/agencies/, removed afterwards."""
    folder = ROOT / "templates" / "agencies" / "hardening-test"
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    shutil.rmtree(folder)


def agency_plan(tmp_path) -> Path:
    plan = tmp_path / "plans" / "hardening-test" / "103.yaml"
    plan.parent.mkdir(parents=True)
    plan.write_text(HEAD + "goals: 提升服務品質。\n", encoding="utf-8")
    return plan


def test_agency_html_template_is_applied(tmp_path, agency_templates):
    (agency_templates / "plan.html.j2").write_text(
        "<!doctype html><title>{{ doc.title }}</title><p class=own>本機關自訂版面 {{ doc.agency }}</p>", encoding="utf-8")
    agency_plan(tmp_path)
    result = run("build", tmp_path / "plans", "--format", "html", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "hardening-test" / "103" / "plan.html").read_text(encoding="utf-8")
    assert "<p class=own>本機關自訂版面 測試機關</p>" in page


@pytest.mark.parametrize("payload", [
    "{{ doc.__class__.__init__.__globals__['os'].environ }}",
    "{{ cycler.__init__.__globals__.os.popen('echo PWNED').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ self._TemplateReference__context }}",
])
def test_agency_template_cannot_reach_modules(tmp_path, agency_templates, payload, monkeypatch):
    monkeypatch.setenv("HARDENING_SECRET", "s3cr3t-value")
    agency_plan(tmp_path)
    (agency_templates / "plan.html.j2").write_text(f"<p>{payload}</p>", encoding="utf-8")
    result = run("build", tmp_path / "plans", "--format", "html", "-o", tmp_path / "out")
    page = tmp_path / "out" / "hardening-test" / "103" / "plan.html"
    written = page.read_text(encoding="utf-8") if page.exists() else ""
    assert "s3cr3t-value" not in written and "PWNED" not in written and "subclass" not in written
    if result.exit_code:
        assert "網頁範本" in result.output and "Traceback" not in result.output


def test_bytecode_cache_is_not_trusted_from_a_folder_others_can_write(tmp_path, monkeypatch):
    from pipeline.writers.html import bytecode_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = bytecode_cache()
    folder = tmp_path / "plan-pipeline" / "jinja"
    assert cache is not None and stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0
    folder.chmod(0o777)
    assert bytecode_cache() is None
    folder.chmod(0o700)
    shutil.rmtree(folder)
    folder.parent.mkdir(exist_ok=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder.symlink_to(elsewhere)
    assert bytecode_cache() is None


# ---- 3. symbolic links stay inside the plans tree; a message quotes at most one line ------------

@pytest.fixture
def plans_with_a_link_out(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("\n".join(f"secret line {i}: password{i}" for i in range(200)), encoding="utf-8")
    plans = tmp_path / "plans"
    (plans / "good").mkdir(parents=True)
    (plans / "good" / "103.yaml").write_text(HEAD + "goals: 提升服務品質。\n", encoding="utf-8")
    (plans / "evil").mkdir()
    (plans / "evil" / "103.yaml").symlink_to(secret)
    (plans / "linked").mkdir()
    (plans / "linked" / "103.yaml").symlink_to(plans / "good" / "103.yaml")  # inside: followed
    return plans


def test_build_refuses_a_plan_linked_from_outside(tmp_path, plans_with_a_link_out):
    result = run("build", plans_with_a_link_out, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "evil/103.yaml" in result.output and "符號連結" in result.output
    assert "password" not in result.output
    assert not (tmp_path / "out").exists()


def test_site_reports_a_plan_linked_from_outside_and_builds_the_rest(tmp_path, plans_with_a_link_out):
    result = run("site", "--plans", plans_with_a_link_out, "-o", tmp_path / "site", "-j", "1")
    assert result.exit_code == 1
    assert "password" not in result.output and "符號連結" in result.output
    assert (tmp_path / "site" / "linked" / "103" / "index.html").exists()
    assert (tmp_path / "site" / "good" / "103" / "index.html").exists()
    assert not (tmp_path / "site" / "evil").exists()


def test_a_message_quotes_at_most_one_line_of_the_source(write_plan):
    path = write_plan("\n".join(f"secret line {i} password{i}" for i in range(200)) + "\n")
    result = run("validate", path)
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert "password2" not in result.output and len(result.output) < 300


# ---- 4. -o never replaces what is not a regular file; - reads standard input, -o - writes standard output

def test_output_never_replaces_a_link_or_a_device(tmp_path):
    kept = tmp_path / "kept.json"
    kept.write_text("kept", encoding="utf-8")
    link = tmp_path / "stdout-like"
    link.symlink_to(kept)
    result = run("schema", "-o", link)
    assert result.exit_code == 1 and "不是一般檔案" in result.output
    assert link.is_symlink() and kept.read_text(encoding="utf-8") == "kept"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert run("schema", "-o", fifo).exit_code == 1
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_dash_reads_stdin_and_writes_stdout(tmp_path):
    source = (ROOT / "plans" / "kaohsiung-cec" / "103.yaml").read_text(encoding="utf-8")
    assert run("validate", "-", input=source).exit_code == 0
    bad = run("validate", "-", input=HEAD + "year2: 1\n")
    assert bad.exit_code == 1 and "<stdin>:4:1: year2:" in bad.output
    built = subprocess.run([PLAN, "build", "-", "--format", "html", "-o", "-"], input=source.encode(),
                           capture_output=True, cwd=tmp_path, timeout=120)
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith(b"<!doctype html>") and "高雄市選舉委員會".encode() in built.stdout
    assert list(tmp_path.iterdir()) == []  # nothing written to disk, not even a folder named -
    docx = subprocess.run([PLAN, "diff", ROOT / "plans/kaohsiung-cec/103.yaml", "-", "--format", "docx", "-o", "-"],
                          input=(ROOT / "plans/kaohsiung-cec/104.yaml").read_bytes(), capture_output=True,
                          cwd=tmp_path, timeout=120)
    assert docx.returncode == 0 and docx.stdout.startswith(b"PK\x03\x04")
    schema = run("schema", "-o", "-")
    assert schema.exit_code == 0 and schema.output.startswith("{")


# ---- 5. characters XML cannot carry are refused at load, with line and column --------------------

@pytest.mark.parametrize("escape, column", [
    ("\\x01", 12), ("\\0", 12), ("\\x0b", 12), ("\\x1f", 12), ("\\uFFFE", 12), ("\\uFFFF", 12),
    ("\\ud800", 12), ("\\uDE00", 12), ("\\e[31m", 12), ("\\x9b", 12),
])
def test_escapes_documents_cannot_carry_are_refused_where_written(write_plan, escape, column):
    path = write_plan(HEAD + f'goals:\n  text: "提升{escape}品質"\n')
    result = run("validate", path)
    assert result.exit_code == 1, result.output
    assert f"plan.yaml:5:{column}: goals.text:" in result.output
    assert "Traceback" not in result.output and "\x1b" not in result.output


@pytest.mark.parametrize("field", ["agency", "title", "period.wording", "basis.references[0].issuer",
                                  "strategies.table.columns[0]", "appendices[0].forms[0].fields[0]"])
def test_every_string_field_is_checked(write_plan, field):
    bad = '"甲\\x07乙"'
    text = (f"agency: {bad if field == 'agency' else '測試機關'}\nyear: 103\n"
            f"title: {bad if field == 'title' else '測試計畫'}\n"
            f"basis:\n  references:\n    - issuer: {bad if field.startswith('basis') else '行政院'}\n"
            f"period:\n  start: 103-01-01\n  end: 103-12-31\n"
            + (f"  wording: {bad}\n" if field == "period.wording" else "")
            + f"strategies:\n  table:\n    columns: [{bad if field.startswith('strategies') else '欄'}]\n"
            f"appendices:\n  - title: 附表\n    forms:\n      - title: 表\n"
            f"        fields: [{bad if field.startswith('appendices') else '日期'}]\n")
    result = run("validate", write_plan(text))
    assert result.exit_code == 1 and "U+0007" in result.output, result.output
    assert f": {field}:" in result.output


def test_escaped_surrogate_pair_is_joined_and_builds(write_plan, tmp_path):
    from lxml import etree
    import zipfile

    path = write_plan(HEAD + 'goals: "笑臉 \\uD83D\\uDE00 與 \\U0001F600"\n')
    result = run("build", path, "--format", "docx,odt,html", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    for name, part in (("plan.docx", "word/document.xml"), ("plan.odt", "content.xml")):
        with zipfile.ZipFile(tmp_path / "out" / name) as archive:
            text = "".join(etree.fromstring(archive.read(part)).itertext())
        assert "笑臉 😀 與 😀" in text
    assert "笑臉 😀 與 😀" in (tmp_path / "out" / "plan.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("raw", ["\ufffe", "\uffff", "\x85", "\x1b"])
def test_raw_characters_yaml_refuses_are_a_message_not_a_traceback(write_plan, raw):
    result = run("validate", write_plan((HEAD + f"goals: 提升{raw}品質\n").encode("utf-8")))
    assert result.exit_code == 1
    assert "plan.yaml:4:10:" in result.output and "Traceback" not in result.output


def test_import_never_writes_what_documents_cannot_carry(tmp_path):
    source = tmp_path / "plan.txt"
    source.write_bytes("測試機關 103 年服務計畫\n壹、計畫目標：提升\x01服務\x1b[31m品質\ufffe。\f貳、實施對象：全體同仁。\n"
                       .encode("utf-8"))
    result = run("import", source, "-o", tmp_path / "103.yaml")
    assert result.exit_code == 0, result.output
    written = (tmp_path / "103.yaml").read_text(encoding="utf-8")
    assert "\\x" not in written and "\\u" not in written and "\\e" not in written
    assert not any(ch in written for ch in "\x01\x1b\ufffe\f")
    assert run("validate", tmp_path / "103.yaml").exit_code == 0


# ---- 6. invisible and terminal-controlling characters: a warning, never printed raw -------------

def test_bidi_and_zero_width_characters_warn_and_strict_refuses(write_plan):
    path = write_plan(HEAD + 'goals: "核定\\u202e金額\\u200b"\ntargets:\n  title: "對象\\u2066"\n')
    relaxed = run("validate", path)
    assert relaxed.exit_code == 0
    assert "plan.yaml:4:8: goals.text: 警告 warning:" in relaxed.output
    assert "U+202E" in relaxed.output and "U+200B" in relaxed.output and "targets.title" in relaxed.output
    assert run("validate", "--strict", path).exit_code == 1


def test_messages_never_carry_raw_bidi_or_escapes(write_plan):
    path = write_plan(HEAD + 'period:\n  start: "103-01-01\\u202e\\u2067"\n  end: 103-12-31\n')
    result = run("validate", path)
    assert result.exit_code == 1
    assert "\u202e" not in result.output and "\u2067" not in result.output and "<U+202E>" in result.output


def test_review_on_a_terminal_shows_invisible_characters(write_plan):
    from pipeline.diff import compare
    from pipeline.loader import load_plan
    from pipeline.review.text import render
    from pipeline.tree import build_document

    old = build_document(load_plan(write_plan(HEAD + "goals: 提升服務品質。\n", "a.yaml")))
    new = build_document(load_plan(write_plan(HEAD + 'goals: "提升\\u202e服務品質。"\n', "b.yaml")))
    shown = render(compare(old, new, "a", "b"), colour=True)
    assert "\u202e" not in shown and "<U+202E>" in shown
    assert "\u202e" in render(compare(old, new, "a", "b"), colour=False)  # a file keeps the text as it is


def test_line_and_paragraph_separators_do_not_shift_line_numbers(write_plan):
    path = write_plan(HEAD + "goals: 第一段\u2028第二段\u2029第三段\ntargets: [\nyear2: 1\n")
    result = run("validate", path)
    assert result.exit_code == 1 and "plan.yaml:7:1:" in result.output and "第 5 行第 10 欄" in result.output
    good = write_plan(HEAD + "goals: 第一段\u2028第二段\nyear2: 1\n", "good.yaml")
    result = run("validate", good)
    assert "good.yaml:5:1: year2:" in result.output, result.output
