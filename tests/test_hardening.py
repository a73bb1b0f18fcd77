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


# ---- 7. plan site keeps going past a plan that fails -------------------------------------------

def small_plans(root: Path, agencies=("alpha", "beta", "gamma")) -> Path:
    for agency in agencies:
        (root / agency).mkdir(parents=True, exist_ok=True)
        (root / agency / "103.yaml").write_text(HEAD + "goals: 提升服務品質。\n", encoding="utf-8")
    return root


def break_writer_for(agency: str, writer, monkeypatch) -> None:
    """The writer module's write() raises an unexpected error for one agency's plans only."""
    real = writer.write

    def failing(doc, path, options=None):
        if options and options.get("agency") == agency:
            raise RuntimeError("writer broke")
        return real(doc, path, options)

    monkeypatch.setattr(writer, "write", failing)


def test_site_reports_an_unexpected_failure_and_publishes_the_rest(tmp_path, monkeypatch):
    from pipeline import site
    from pipeline.writers import odt

    plans = small_plans(tmp_path / "plans")
    break_writer_for("beta", odt, monkeypatch)
    results = list(site.build_site(str(plans), str(tmp_path / "site"), "https://example.gov.tw/", False, 1))
    errors = {r.agency: r.error for r in results if r.error}
    assert list(errors) == ["beta"] and "RuntimeError" in errors["beta"] and "writer broke" in errors["beta"]
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "alpha/103/index.html" in index and "gamma/103/index.html" in index and "beta/103" not in index
    assert (tmp_path / "site" / "sitemap.html").exists() and (tmp_path / "site" / "sitemap.xml").exists()


def test_site_survives_a_plan_deleted_while_it_runs(tmp_path):
    from pipeline.site import build_site

    plans = small_plans(tmp_path / "plans")
    run = build_site(str(plans), str(tmp_path / "site"), None, False, 1)
    first = next(run)
    assert first.agency == "alpha" and first.error is None
    (plans / "beta" / "103.yaml").unlink()
    rest = list(run)
    assert [r.agency for r in rest if r.error] == ["beta"] and "beta/103.yaml" in rest[0].error
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "alpha/103/index.html" in index and "gamma/103/index.html" in index


# ---- 8. two plans mapping to one output folder are refused before anything is written ------------

@pytest.mark.parametrize("jobs", ["1", "2"])
def test_output_folder_collisions_are_refused_before_writing(tmp_path, jobs):
    for agency in ("a", "b"):
        small_plans(tmp_path / "plans" / agency, agencies=("sub",))
    result = run("build", tmp_path / "plans", "-o", tmp_path / "out", "-j", jobs)
    assert result.exit_code == 2
    assert "a/sub/103.yaml" in result.output and "b/sub/103.yaml" in result.output and "同一個輸出資料夾" in result.output
    assert not (tmp_path / "out").exists()


# ---- 10. file-system faults: one line with the path, no partial file ----------------------------

def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob(".tmp-*")]


def test_output_naming_a_file_where_a_folder_is_needed(tmp_path):
    plan = small_plans(tmp_path / "plans", ("alpha",)) / "alpha" / "103.yaml"
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("keep", encoding="utf-8")
    result = run("build", plan, "-o", blocker / "sub", "--format", "html")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and str(blocker) in lines[0] and "Traceback" not in result.output
    assert blocker.read_text(encoding="utf-8") == "keep"


def test_disk_full_is_a_message_and_keeps_the_last_good_output(tmp_path, monkeypatch):
    from pipeline import files

    plan = small_plans(tmp_path / "plans", ("alpha",)) / "alpha" / "103.yaml"
    out = tmp_path / "out"
    assert run("build", plan, "-o", out, "--format", "html").exit_code == 0
    good = (out / "plan.html").read_bytes()
    real_temporary = files._new_temporary

    def on_a_full_disk(folder, name):  # the temporary file lives on a device that is full
        handle, temporary = real_temporary(folder, name)
        os.close(handle)
        return os.open("/dev/full", os.O_WRONLY), temporary

    monkeypatch.setattr(files, "_new_temporary", on_a_full_disk)
    result = run("build", plan, "-o", out, "--format", "html", "--force")
    assert result.exit_code == 1 and "磁碟已滿" in result.output and str(out / "plan.html") in result.output
    assert "Traceback" not in result.output
    assert (out / "plan.html").read_bytes() == good and leftovers(out) == []


def test_read_only_folder_is_a_message(tmp_path, monkeypatch):
    import errno

    from pipeline import files

    plan = small_plans(tmp_path / "plans", ("alpha",)) / "alpha" / "103.yaml"

    def read_only(folder, name):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), folder)

    monkeypatch.setattr(files, "_new_temporary", read_only)
    result = run("schema", "-o", tmp_path / "ro" / "schema.json")
    assert result.exit_code == 1 and "唯讀" in result.output and str(tmp_path / "ro") in result.output
    result = run("build", plan, "-o", tmp_path / "ro", "--format", "docx")
    assert result.exit_code == 1 and "唯讀" in result.output and len(result.output.strip().splitlines()) == 1


# ---- 11. import: every part of a .docx is under the decompression guard; no overwrite without --force

def docx_with_bombed_part(tmp_path: Path, part: str) -> Path:
    import zipfile

    plan = small_plans(tmp_path / "plans", ("alpha",)) / "alpha" / "103.yaml"
    assert run("build", plan, "-o", tmp_path / "built", "--format", "docx").exit_code == 0
    source, bombed = tmp_path / "built" / "plan.docx", tmp_path / "bombed.docx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(bombed, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == part:
                data = data[:-1] + b" " * (60 * 1024 * 1024) + data[-1:]
            new.writestr(info.filename, data)
    assert bombed.stat().st_size < 2 * 1024 * 1024
    return bombed


@pytest.mark.parametrize("part", ["word/styles.xml", "word/numbering.xml", "word/footer1.xml"])
def test_import_refuses_a_bomb_in_any_part(tmp_path, part):
    import zipfile

    if part not in zipfile.ZipFile(docx_with_bombed_part(tmp_path, "none")).namelist():
        pytest.fail(f"the built DOCX has no {part}")
    result = run("import", docx_with_bombed_part(tmp_path, part))
    assert result.exit_code != 0 and "解壓後過大" in result.output


def test_import_does_not_overwrite_without_force(tmp_path):
    source = ROOT / "tests" / "fixtures" / "import" / "web-page.md"
    target = tmp_path / "plan.yaml"
    target.write_text("officer's own work\n", encoding="utf-8")
    refused = run("import", source, "-o", target)
    assert refused.exit_code == 2 and "--force" in refused.output
    assert target.read_text(encoding="utf-8") == "officer's own work\n"
    assert run("import", source, "-o", target, "--force").exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# 由 plan import")


# ---- 12. names and addresses -------------------------------------------------------------------

def test_file_name_year_must_agree_with_year(tmp_path):
    plan = tmp_path / "plans" / "alpha" / "104.yaml"
    plan.parent.mkdir(parents=True)
    plan.write_text(HEAD + "goals: 提升服務品質。\n", encoding="utf-8")
    result = run("validate", plan)
    assert result.exit_code == 1 and "104.yaml:2:7: year:" in result.output
    assert "104" in result.output.split("year:", 1)[1] and "103" in result.output.split("year:", 1)[1]


@pytest.mark.parametrize("year", ["²", "١٠٣", "１０３", "10³"])
def test_non_ascii_digits_are_not_a_year(tmp_path, year):
    for command in (["new", "alpha", year], ["make", "alpha", year]):
        result = subprocess.run([PLAN, *command], capture_output=True, text=True, cwd=tmp_path, timeout=60)
        assert result.returncode == 2 and "YEAR" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("url", ["javascript:alert(1)//", "ftp://example.gov.tw/", "file:///etc/", "//example.gov.tw/",
                                 "https://example.gov.tw/a b/", 'https://x.tw/"><script>'])
def test_base_url_must_be_http(tmp_path, url):
    small_plans(tmp_path / "plans", ("alpha",))
    result = run("site", "--plans", tmp_path / "plans", "-o", tmp_path / "site", "--base-url", url)
    assert result.exit_code == 2 and "--base-url" in result.output
    assert not (tmp_path / "site").exists()


def test_sitemap_urls_are_percent_encoded(tmp_path):
    from lxml import etree

    small_plans(tmp_path / "plans", ("alpha",))
    result = run("site", "--plans", tmp_path / "plans", "-o", tmp_path / "site", "-j", "1",
                 "--base-url", "https://www.example.gov.tw/年度計畫/")
    assert result.exit_code == 0, result.output
    locs = etree.parse(str(tmp_path / "site" / "sitemap.xml")).findall(".//{*}loc")
    assert locs and all(loc.text.isascii() and " " not in loc.text for loc in locs)
    assert "https://www.example.gov.tw/%E5%B9%B4%E5%BA%A6%E8%A8%88%E7%95%AB/alpha/103/index.html" in [l.text for l in locs]


def test_fragment_ids_are_prefixed(tmp_path):
    import html5lib

    result = run("site", "-o", tmp_path / "site", "--fragment", "-j", "2")
    assert result.exit_code == 0, result.output
    fragment = (tmp_path / "site" / "keelung-cec" / "105" / "fragment.html").read_text(encoding="utf-8")
    tree = html5lib.parse(fragment, namespaceHTMLElements=False)
    ids = [e.get("id") for e in tree.iter() if e.get("id")]
    assert ids and all(i.startswith("plan-fragment-") for i in ids)
    targets = [e.get("href")[1:] for e in tree.iter("a") if (e.get("href") or "").startswith("#")]
    assert targets and set(targets) <= set(ids)
    labelled = [r for e in tree.iter() for r in (e.get("aria-labelledby") or "").split()]
    assert labelled and set(labelled) <= set(ids)


# ---- 13. two officers' traps that lose text silently -------------------------------------------

def test_comment_after_text_warns(write_plan):
    path = write_plan(HEAD + "goals: 聯絡電話 04-7772011 #3\ntargets: 全體同仁  # 這是註解\n")
    result = run("validate", path)
    assert result.exit_code == 0
    assert "plan.yaml:4:24: goals: 警告 warning:" in result.output and "「#3」" in result.output
    assert "targets" not in result.output  # a comment written the usual way, `# note`, is meant
    assert run("validate", "--strict", path).exit_code == 1


def test_label_typed_into_text_warns_and_fmt_strips_it(write_plan, tmp_path):
    source = (HEAD + "goals:\n  items:\n    - （二）縮短時間\n    - 1. 簡化流程\n    - text: '一、 加強宣導'\n"
              "    - 1.5 億元預算執行\n    - label: 甲、\n      text: 甲、自訂編號\n")
    path = write_plan(source)
    result = run("validate", path)
    assert result.exit_code == 0
    warned = [line for line in result.output.splitlines() if "自動編號" in line]
    assert [w.split(": ")[1] for w in warned] == ["goals.items[0].text", "goals.items[1].text", "goals.items[2].text"]
    assert run("fmt", path).exit_code == 0
    fixed = Path(path).read_text(encoding="utf-8")
    assert "- 縮短時間" in fixed and "- 簡化流程" in fixed and "text: '加強宣導'" in fixed
    assert "1.5 億元預算執行" in fixed and "text: 甲、自訂編號" in fixed
    assert run("build", path, "--format", "html", "-o", tmp_path / "out").exit_code == 0
    page = (tmp_path / "out" / "plan.html").read_text(encoding="utf-8")
    assert "（二）縮短時間" not in page and "縮短時間" in page


# ---- 12. Content-Security-Policy: every page carries one, and works under it in Chromium ---------

@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("csp") / "site"
    result = subprocess.run([PLAN, "site", "-o", out, "-j", "2"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def chromium(browser):
    """The session's one headless Chromium (tests/conftest.py)."""
    return browser


VIOLATIONS = """window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + e.sample));"""


def visit(browser, path: Path):
    page = browser.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(VIOLATIONS)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, console


@pytest.mark.parametrize("name", ["index.html", "sitemap.html", "keelung-cec/105/index.html",
                                  "fengshan-hr1/97/index.html", "kaohsiung-cec/104/diff.html"])
def test_pages_work_under_their_content_security_policy(built_site, chromium, name):
    page, console = visit(chromium, built_site / name)
    policy = page.evaluate("document.querySelector('meta[http-equiv=Content-Security-Policy]').content")
    assert "default-src 'none'" in policy and "script-src" not in policy and "'unsafe-inline'" not in policy
    assert page.evaluate("window.__violations") == [] and not [c for c in console if "Content Security Policy" in c]
    # the page's own styles applied: the skip link is moved out of sight until focused
    assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") == "absolute"
    if "keelung" in name:  # style attributes on form rows are allowed by their hashes
        declared = page.evaluate(
            "[...document.querySelectorAll('[style]')].flatMap(e => e.getAttribute('style').split(';')"
            ".map(d => d.split(':')[0].trim()).filter(Boolean)"
            ".map(name => [name, getComputedStyle(e).getPropertyValue(name).trim()]))")
        assert {name for name, _ in declared} >= {"--depth", "--hang"}
        assert all(value for _, value in declared), [name for name, value in declared if not value]


def test_the_policy_refuses_what_the_page_did_not_bring(built_site, chromium, tmp_path):
    source = (built_site / "keelung-cec" / "105" / "index.html").read_text(encoding="utf-8")
    injected = source.replace("</main>", '<p id="x" style="color: red">x</p><script>window.ran = 1</script>'
                              '<style>body { color: red }</style></main>', 1)
    assert injected != source
    (tmp_path / "page.html").write_text(injected, encoding="utf-8")
    page, console = visit(chromium, tmp_path / "page.html")
    assert page.evaluate("window.ran") is None
    directives = " ".join(page.evaluate("window.__violations"))
    assert "script-src" in directives and "style-src" in directives
    assert page.evaluate("getComputedStyle(document.getElementById('x')).color") != "rgb(255, 0, 0)"


# ---- 14. plan diff: candidate filtering changes no result -----------------------------------------

def reviews_with_and_without_filtering(old_doc, new_doc, monkeypatch):
    from pipeline import diff

    filtered = [c.as_json() for c in diff.compare(old_doc, new_doc).changes]
    monkeypatch.setattr(diff, "CANDIDATES", 10 ** 9)  # every unit compared with every other, as before
    exhaustive = [c.as_json() for c in diff.compare(old_doc, new_doc).changes]
    return filtered, exhaustive


@pytest.mark.parametrize("case", ["seed 103 → 104", "5 x 103 with edits", "unrelated 300 items"])
def test_candidate_filtering_finds_what_comparing_everything_finds(case, monkeypatch):
    sys.path.insert(0, str(ROOT / "bench"))
    from diff_bench import edited, enlarged, unrelated

    from pipeline.loader import load_plan
    from pipeline.tree import build_document

    if case.startswith("seed"):
        old, new = (load_plan(str(ROOT / f"plans/kaohsiung-cec/{y}.yaml")) for y in (103, 104))
    elif case.startswith("5 x"):
        old = enlarged(5)
        new = edited(old)
    else:
        old, new = unrelated(300, 1), unrelated(300, 2)
    filtered, exhaustive = reviews_with_and_without_filtering(build_document(old), build_document(new), monkeypatch)
    assert filtered == exhaustive and filtered


def test_units_holding_a_pair_are_the_same_searched_or_indexed(monkeypatch):
    sys.path.insert(0, str(ROOT / "bench"))
    from diff_bench import unrelated

    from pipeline import diff
    from pipeline.tree import build_document

    old, new = (diff.units_of(build_document(unrelated(300, seed))) for seed in (1, 2))
    searched, indexed = diff._SharedGrams(old), diff._SharedGrams(old)
    monkeypatch.setattr(searched, "SEARCHES", 10 ** 9)
    monkeypatch.setattr(indexed, "SEARCHES", 0)
    pairs = sorted(set().union(*(diff._pairs(unit.key) for unit in new)) | {"", "甲", "x\0"})
    assert [searched.holding(p) for p in pairs] == [indexed.holding(p) for p in pairs]
    assert any(searched.holding(p) for p in pairs) and searched.searched > 100 and indexed.indexed
    assert [searched.likeliest(u.key, None, set()) for u in new] == [indexed.likeliest(u.key, None, set()) for u in new]


def test_json_review_on_standard_output_escapes_invisible_characters(write_plan):
    import json

    old = write_plan(HEAD + "goals: 提升服務品質。\n", "a.yaml")
    new = write_plan(HEAD + 'goals: "提升\\u202e服務品質。"\n', "b.yaml")
    result = run("diff", old, new, "--format", "json")
    assert result.exit_code == 0 and "\u202e" not in result.output and "\\u202e" in result.output
    assert json.loads(result.output)["changes"][0]["new"].endswith("提升\u202e服務品質。")


def test_build_keeps_going_past_an_unexpected_failure(tmp_path, monkeypatch):
    from pipeline.writers import html as html_writer

    plans = small_plans(tmp_path / "plans")
    break_writer_for("beta", html_writer, monkeypatch)
    result = run("build", plans, "-o", tmp_path / "out", "--format", "html", "-j", "1")
    assert result.exit_code == 1 and "RuntimeError" in result.output and "Traceback" not in result.output
    assert (tmp_path / "out" / "alpha" / "103" / "plan.html").exists()
    assert (tmp_path / "out" / "gamma" / "103" / "plan.html").exists()


def test_plan_new_and_make_do_not_follow_a_link_out_of_the_plans_tree(tmp_path):
    secret = tmp_path / "elsewhere.yaml"
    secret.write_text(HEAD + "goals: 不該被讀到的內容。\n", encoding="utf-8")
    (tmp_path / "plans" / "alpha").mkdir(parents=True)
    (tmp_path / "plans" / "alpha" / "103.yaml").symlink_to(secret)
    for command in (["new", "alpha", "104"], ["make", "alpha", "103"]):
        result = subprocess.run([PLAN, *command], capture_output=True, text=True, cwd=tmp_path, timeout=60)
        assert result.returncode == 2 and "符號連結" in result.stderr, result.stderr
    assert not (tmp_path / "plans" / "alpha" / "104.yaml").exists() and not (tmp_path / "build").exists()


def test_a_file_name_that_is_no_roc_year_is_not_a_plan(tmp_path):
    """plans/<agency>/²³.yaml: 「²³」 passes str.isdigit() but is no year; the site leaves it out."""
    plans = tmp_path / "plans" / "kaohsiung-cec"
    plans.mkdir(parents=True)
    shutil.copy(ROOT / "plans" / "kaohsiung-cec" / "103.yaml", plans / "103.yaml")
    shutil.copy(ROOT / "plans" / "kaohsiung-cec" / "103.yaml", plans / "²³.yaml")
    result = run("site", "-o", tmp_path / "site", "--plans", tmp_path / "plans")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "kaohsiung-cec" / "103" / "index.html").exists()


@pytest.mark.parametrize("head", ['<meta charset="utf-8">', "<meta charset=UTF-8>", "<head lang=zh>", ""])
def test_an_agency_template_always_gets_the_policy(tmp_path, agency_templates, head):
    """The policy is placed whatever the override writes for its head: it is never silently missing."""
    (agency_templates / "plan.html.j2").write_text(
        f"<!doctype html>{head}<title>{{{{ doc.title }}}}</title><style>p{{color:red}}</style><p>自訂</p>",
        encoding="utf-8")
    agency_plan(tmp_path)
    result = run("build", tmp_path / "plans", "--format", "html", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "hardening-test" / "103" / "plan.html").read_text(encoding="utf-8")
    policy_at = page.find('http-equiv="Content-Security-Policy"')
    assert 0 < policy_at < page.find("<style>") and policy_at < 1024
