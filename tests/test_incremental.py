"""Nothing is done twice: `plan build` decides what is current before any worker starts, and
`plan site` leaves pages whose inputs did not change, rewriting the index only when its list changes."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from pipeline import build, site
from pipeline.rocdate import plan_year

SITE = [sys.executable, "-m", "pipeline.cli", "site"]


@pytest.fixture
def plans(tmp_path):
    shutil.copytree(ROOT / "plans", tmp_path / "plans")
    return tmp_path / "plans"


def jobs(plans, out, formats=("html",)):
    return build.jobs_for([str(plans)], str(out), formats, False)


def test_current_plans_start_no_worker_and_only_changed_ones_are_handed_to_workers(plans, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert all(not o.error for o in build.run_jobs(jobs(plans, out), 1))
    handed = []

    def record(function, items, workers):
        handed.append([checked[0].plan for checked in items])
        return (function(item) for item in items)

    monkeypatch.setattr(build, "in_parallel", record)
    outcomes = list(build.run_jobs(jobs(plans, out), 2))
    assert handed == [[]] and all(o.skipped and not o.written for o in outcomes)

    changed = plans / "keelung-cec/105.yaml"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n# 改過\n", encoding="utf-8")
    outcomes = list(build.run_jobs(jobs(plans, out), 2))
    assert handed[-1] == [str(changed)]
    assert [o.job.plan for o in outcomes if o.written] == [str(changed)]
    assert len([o for o in outcomes if o.skipped]) == len(outcomes) - 1


def test_a_no_op_build_creates_no_process_pool(plans, tmp_path, monkeypatch):
    import multiprocessing

    out = tmp_path / "out"
    list(build.run_jobs(jobs(plans, out), 1))
    monkeypatch.setattr(multiprocessing, "Pool", lambda *a, **k: pytest.fail("a pool was started for nothing"))
    assert all(o.skipped for o in build.run_jobs(jobs(plans, out), 2))


def test_an_unreadable_plan_is_reported_by_the_check_and_the_rest_built(plans, tmp_path):
    broken = plans / "keelung-cec/105.yaml"
    found = build.jobs_for([str(plans / "kaohsiung-cec/103.yaml"), str(broken)], str(tmp_path / "out"), ("html",), False)
    broken.unlink()
    broken.mkdir()  # a folder where the plan file was: reading it fails
    outcomes = list(build.run_jobs(found, 2))
    assert [bool(o.error) for o in outcomes].count(True) == 1
    assert any(o.written for o in outcomes)


def test_plan_files_are_found_as_rglob_finds_them(plans):
    (plans / "notes").mkdir()
    (plans / "notes" / "readme.yaml").write_text("x: 1\n", encoding="utf-8")
    (plans / "a-b").mkdir()
    (plans / "a-b" / "101.yaml").write_text("x: 1\n", encoding="utf-8")
    (plans / "a").mkdir()
    (plans / "a" / "101.yaml").write_text("x: 1\n", encoding="utf-8")
    expected = sorted(str(p) for p in plans.rglob("*.yaml") if plan_year(p.stem) is not None)
    expected_order = [str(p) for p in sorted(p for p in plans.rglob("*.yaml") if plan_year(p.stem) is not None)]
    found = [path for path, _ in build.plan_files(str(plans))]
    assert sorted(found) == expected and found == expected_order


def run_site(plans, out, *extra):
    done = subprocess.run([*SITE, "--plans", str(plans), "-o", str(out), *extra], capture_output=True, text=True,
                          env={**os.environ, "PATH": os.path.dirname(sys.executable)})  # no LibreOffice: no PDFs
    assert done.returncode == 0, done.stderr
    return done.stderr


def snapshot(out):
    return {str(p.relative_to(out)): (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()}


def test_site_leaves_unchanged_pages_and_index_alone(plans, tmp_path):
    out = tmp_path / "site"
    run_site(plans, out)
    before = snapshot(out)
    said = run_site(plans, out)
    assert snapshot(out) == before  # not one file written again
    assert said.count("未變更 unchanged") == len(list(plans.glob("*/*.yaml")))


def test_site_rebuilds_a_changed_plan_and_the_review_that_compares_with_it(plans, tmp_path):
    out = tmp_path / "site"
    run_site(plans, out)
    before = snapshot(out)
    old = plans / "kaohsiung-cec/103.yaml"
    old.write_text(old.read_text(encoding="utf-8").replace("高雄市選舉委員會", "高雄市選舉委員會（改）", 1),
                   encoding="utf-8")
    run_site(plans, out)
    after = snapshot(out)
    changed = {name for name in after if after[name] != before.get(name)}
    assert "kaohsiung-cec/103/index.html" in changed
    assert "kaohsiung-cec/104/diff.html" in changed  # 104's review compares with 103
    assert not any(name.startswith(("keelung-cec/", "fengshan-hr1/")) for name in changed)
    assert "index.html" in changed  # a plan changed: the index is written again


def test_site_index_follows_plans_added_and_removed(plans, tmp_path):
    out = tmp_path / "site"
    run_site(plans, out)
    from pipeline.newyear import new_plan

    added = new_plan("keelung-cec", 106, str(plans))[1]
    said = run_site(plans, out)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "keelung-cec/106/index.html" in index and "已寫入 wrote" in said
    assert (out / "keelung-cec/106/diff.html").exists()
    added.unlink()
    run_site(plans, out)
    assert "keelung-cec/106/index.html" not in (out / "index.html").read_text(encoding="utf-8")
    assert "keelung-cec/106/index.html" not in (out / "sitemap.html").read_text(encoding="utf-8")


def test_site_rebuilds_a_page_whose_file_went_missing_or_whose_options_changed(plans, tmp_path):
    out = tmp_path / "site"
    run_site(plans, out)
    (out / "fengshan-hr1/97/plan.odt").unlink()
    run_site(plans, out)
    assert (out / "fengshan-hr1/97/plan.odt").exists()
    run_site(plans, out, "--fragment")
    assert (out / "fengshan-hr1/97/fragment.html").exists()
    run_site(plans, out, "--base-url", "https://www.example.gov.tw/plans/")
    assert "fengshan-hr1/97/index.html" in (out / "sitemap.xml").read_text(encoding="utf-8")


def test_incremental_site_is_the_same_as_a_fresh_one(plans, tmp_path):
    fresh, incremental = tmp_path / "fresh", tmp_path / "incremental"
    run_site(plans, incremental)
    plan = plans / "keelung-cec/105.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + "\n# 改過\n", encoding="utf-8")
    run_site(plans, incremental)
    run_site(plans, fresh)
    ours, theirs = snapshot(incremental), snapshot(fresh)
    assert sorted(ours) == sorted(theirs)
    for name in ours:
        if name.endswith((".html", ".json", ".xml")) and not name.endswith(site.PAGE_STAMP):
            assert ours[name][1] == theirs[name][1], name
    kept = json.loads((incremental / "keelung-cec/105" / site.PAGE_STAMP).read_text(encoding="utf-8"))
    assert kept["title"] and kept["outputs"]


def test_a_plan_taken_out_of_plans_is_taken_out_of_the_bundle(plans, tmp_path):
    out = tmp_path / "site"
    run_site(plans, out)
    folder = out / "keelung-cec/105"
    (folder / "notes-of-the-web-team.txt").write_text("kept", encoding="utf-8")  # not the site's to remove
    (plans / "keelung-cec/105.yaml").unlink()
    said = run_site(plans, out)
    assert "已移除 removed" in said and "keelung-cec/105/" in said
    assert sorted(p.name for p in folder.iterdir()) == ["notes-of-the-web-team.txt"]
    assert "keelung-cec" not in (out / "index.html").read_text(encoding="utf-8")
    (folder / "notes-of-the-web-team.txt").unlink()
    run_site(plans, out)
    assert (out / "keelung-cec").is_dir()  # nothing of the site's was left to remove: the folder is the team's
    (plans / "fengshan-hr1/97.yaml").unlink()
    run_site(plans, out)
    assert not (out / "fengshan-hr1").exists()  # emptied by the removal: folder and agency folder go
    assert (out / "kaohsiung-cec/103/index.html").exists() and (out / "kaohsiung-cec/104/diff.html").exists()


def test_a_folder_the_site_did_not_make_is_left_alone(plans, tmp_path):
    out = tmp_path / "site"
    (out / "archive/99").mkdir(parents=True)
    (out / "archive/99/index.html").write_text("an old page put here by hand", encoding="utf-8")
    run_site(plans, out)
    assert (out / "archive/99/index.html").read_text(encoding="utf-8") == "an old page put here by hand"


def test_files_a_page_no_longer_has_are_removed(plans, tmp_path):
    out = tmp_path / "site"
    run_site(plans, out, "--fragment")
    assert (out / "kaohsiung-cec/104/diff.html").exists() and (out / "kaohsiung-cec/104/fragment.html").exists()
    (plans / "kaohsiung-cec/103.yaml").unlink()  # 104 has no earlier plan left to compare with
    run_site(plans, out)
    names = {p.name for p in (out / "kaohsiung-cec/104").iterdir()}
    assert "diff.html" not in names and "diff.docx" not in names and "fragment.html" not in names
    assert {"index.html", "plan.docx", "plan.odt"} <= names
    assert 'href="diff.html"' not in (out / "kaohsiung-cec/104/index.html").read_text(encoding="utf-8")
