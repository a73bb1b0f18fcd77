"""`plan serve`: the live preview in a real browser — a save shows up by itself, an error shows its line."""
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, needs_tool

SCREENSHOTS = ROOT / "docs" / "screenshots"
TIMEOUT_MS = 30_000


@pytest.fixture
def server(tmp_path):
    """`plan serve kaohsiung-cec 104` on a copy of the plans, on a free port; stopped with Ctrl+C at the end."""
    shutil.copytree(ROOT / "plans" / "kaohsiung-cec", tmp_path / "plans" / "kaohsiung-cec")
    process = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "kaohsiung-cec", "104",
                                "--plans", "plans", "--port", "0"],
                               cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    first = process.stderr.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/", first)
    assert match, first + process.stderr.read() if process.poll() is not None else first
    yield match.group(0), tmp_path / "plans" / "kaohsiung-cec" / "104.yaml"
    process.send_signal(signal.SIGINT)
    code = process.wait(timeout=120)
    rest = process.stderr.read()
    assert code == 0 and "Traceback" not in rest, rest


def test_a_save_shows_in_the_page_and_an_error_shows_its_line(server, browser, tmp_path):
    from playwright.sync_api import expect

    url, plan = server
    page = browser.new_page(viewport={"width": 1000, "height": 1300})
    page.goto(url)
    expect(page.locator("h1")).to_contain_text("104 年提升服務品質執行計畫")
    expect(page.locator(".plan-serve .problems")).to_have_count(0)

    text = plan.read_text(encoding="utf-8")
    title = "title: 高雄市選舉委員會 104 年提升服務品質執行計畫\n"
    assert title in text
    plan.write_text(text.replace(title, title.replace("執行計畫", "暨便民執行計畫")), encoding="utf-8")
    expect(page.locator("h1")).to_contain_text("提升服務品質暨便民執行計畫", timeout=TIMEOUT_MS)

    lines = plan.read_text(encoding="utf-8").split("\n")
    year_line = next(n for n, line in enumerate(lines) if line.startswith("year:"))
    lines.insert(year_line + 1, "gaols: 一段目標")
    plan.write_text("\n".join(lines), encoding="utf-8")
    problems = page.locator(".plan-serve .problems")
    expect(problems).to_contain_text(f"104.yaml:{year_line + 2}:1: gaols:", timeout=TIMEOUT_MS)
    expect(problems).to_contain_text("是不是要寫「goals」")
    # the last good render stays below the problems
    expect(page.locator("h1")).to_contain_text("提升服務品質暨便民執行計畫")
    shot = (SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path) / "serve-preview.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000

    del lines[year_line + 1]
    plan.write_text("\n".join(lines), encoding="utf-8")
    expect(problems).to_have_count(0, timeout=TIMEOUT_MS)


def test_the_review_and_the_docx_pages(server, browser):
    from playwright.sync_api import expect

    needs_tool("soffice")
    needs_tool("pdftoppm")
    url, plan = server
    page = browser.new_page()
    page.goto(url + "review")
    expect(page.locator("main h1")).to_contain_text("年度比較")
    assert page.locator("main ins").count() > 0

    page.goto(url + "layout")
    images = page.locator(".layout-pages img")
    expect(images.first).to_be_visible(timeout=120_000)
    expect(page.locator(".layout-pages + p, main .status")).to_contain_text("LibreOffice")
    first = images.first.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert first[0] > 400 and 1.3 < first[1] / first[0] < 1.5, first  # an A4 page, drawn

    count = images.count()
    extra = "".join(f"  - title: 附加段落 {n}\n    text: 這一段是為了檢查版面預覽會隨存檔更新而加入的文字，內容足以佔去幾行。\n"
                    for n in range(40))
    plan.write_text(plan.read_text(encoding="utf-8").rstrip("\n") + "\n" + extra, encoding="utf-8")
    expect(images).not_to_have_count(count, timeout=120_000)

    response = page.request.get(url + "plan.docx")
    assert response.ok and response.body()[:2] == b"PK"


def test_python_dash_m_pipeline_runs_the_command():
    run = subprocess.run([sys.executable, "-m", "pipeline", "serve", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0 and "即時預覽" in run.stdout


def test_which_plan_is_previewed(tmp_path):
    import time

    from pipeline.errors import UsageError
    from pipeline.serve import choose_plan

    plans = tmp_path / "plans"
    shutil.copytree(ROOT / "plans", plans)
    agency, path, previous = choose_plan(str(plans), "kaohsiung-cec", None)
    assert (agency, Path(path).name, Path(previous).name) == ("kaohsiung-cec", "104.yaml", "103.yaml")
    assert choose_plan(str(plans), "keelung-cec", "105")[2] is None
    later = time.time() + 10
    os.utime(plans / "fengshan-hr1" / "97.yaml", (later, later))
    assert choose_plan(str(plans), None, None)[:1] == ("fengshan-hr1",)
    with pytest.raises(UsageError, match="現有的機關"):
        choose_plan(str(plans), "nosuch", None)
    with pytest.raises(UsageError, match="沒有任何計畫檔"):
        choose_plan(str(tmp_path / "empty"), None, None)


def test_the_skip_link_stays_first_and_the_bar_follows():
    from pipeline.serve import Preview, with_bar

    preview = Preview("plans/kaohsiung-cec/104.yaml", None, "kaohsiung-cec")
    page = with_bar('<!doctype html><html><body>\n<a class="skip-link" href="#main">跳到主要內容</a><main id="main">甲</main></body></html>',
                    preview, "/")
    assert page.index("skip-link") < page.index('class="plan-serve"') < page.index("<main")
    assert page.index("EventSource") > page.index("</main>")


def test_make_serve_passes_agency_and_year():
    make = shutil.which("make")
    assert make, "make is needed for this test"
    dry = subprocess.run([make, "-n", "serve", "AGENCY=kaohsiung-cec", "YEAR=104"], cwd=ROOT, capture_output=True, text=True)
    assert 'plan serve ${AGENCY:+"$AGENCY"} ${YEAR:+"$YEAR"} --open' in dry.stdout, dry.stdout


def test_a_request_for_another_host_name_is_refused(server):
    """DNS rebinding: a page of another site whose name resolves to 127.0.0.1 cannot read the preview."""
    import http.client
    from urllib.parse import urlsplit

    url, _ = server
    address = urlsplit(url)
    for host, status in ((f"evil.example:{address.port}", 421), (f"localhost:{address.port}", 200)):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        connection.request("GET", "/", headers={"Host": host})
        response = connection.getresponse()
        response.read()
        connection.close()
        assert response.status == status, host


def test_last_years_plan_missing_for_a_moment_is_a_problem_not_the_end(server):
    """Editors save by writing a new file and renaming it: last year's plan can be missing for a moment.
    The preview says so and goes on rebuilding (the fixture checks that no traceback was printed)."""
    import time
    import urllib.request

    url, plan = server
    previous = plan.with_name("103.yaml")
    kept, text = previous.read_bytes(), plan.read_text(encoding="utf-8")

    def page_after_saving(condition) -> str:
        """The page once `condition` holds, saving the plan again every 2 s (as an officer would)."""
        deadline = time.monotonic() + 60
        saves = 0
        while time.monotonic() < deadline:
            saves += 1
            plan.write_text(text + "\n" * saves, encoding="utf-8")
            time.sleep(2)
            page = urllib.request.urlopen(url, timeout=30).read().decode("utf-8")
            if condition(page):
                return page
        return page

    previous.unlink()
    page = page_after_saving(lambda page: 'class="problems"' in page)
    assert "103.yaml" in page and "無法讀取" in page
    previous.write_bytes(kept)
    assert 'class="problems"' not in page_after_saving(lambda page: 'class="problems"' not in page)
