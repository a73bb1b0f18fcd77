"""`make bench`: whole-process timings of `plan build` beside pandoc on the same plans.

Not a test: it prints medians and ratios. Every build is forced (--force), so nothing is skipped as
unchanged. pandoc gets each plan as Markdown (bench/plan_markdown.py) and runs twice per plan, once
for DOCX and once for standalone HTML, which is what one `plan build --format docx,html` produces.

Targets:
  one plan, docx+html in one `plan build`        <= 1.00 x pandoc's two runs
  200 plans, `plan build -j 2` on two processes   <= 0.33 x pandoc's 400 runs on two processes
  diff of two plans 20 x kaohsiung-cec 103        <= 1 s and <= 0.10 x difflib over the whole texts,
                                                  growing close to linearly (1x, 5x, 20x shown)
  diff of two unrelated plans, 1,000 and 3,000 items   growing close to linearly with the items
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from plan_markdown import to_markdown  # noqa: E402
from pipeline.loader import load_plan  # noqa: E402
from pipeline.tree import build_document  # noqa: E402

PLAN = str(ROOT / ".venv" / "bin" / "plan")
SEEDS = [("kaohsiung-cec", 103), ("keelung-cec", 105), ("fengshan-hr1", 97)]
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
FOLDER_PLANS = int(os.environ.get("BENCH_PLANS", "200"))


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def median_of(action, runs: int = RUNS) -> float:
    action()  # warm the file cache and the template cache once
    return statistics.median(action() for _ in range(runs))


def pandoc_pair(markdown: str, out: str) -> list[list[str]]:
    return [["pandoc", markdown, "-o", f"{out}.docx"],
            ["pandoc", markdown, "-s", "--metadata", "title=plan", "-o", f"{out}.html"]]


def single(work: Path, agency: str, year: int, pandoc: bool) -> tuple[float, float | None]:
    plan = str(ROOT / "plans" / agency / f"{year}.yaml")
    ours = median_of(lambda: timed([PLAN, "build", plan, "--format", "docx,html", "--force", "-o", str(work / "ours")]))
    if not pandoc:
        return ours, None
    markdown = work / f"{agency}.md"
    markdown.write_text(to_markdown(build_document(load_plan(plan))), encoding="utf-8")
    pair = pandoc_pair(str(markdown), str(work / agency))
    return ours, median_of(lambda: sum(timed(c) for c in pair))


def folder(work: Path, count: int, pandoc: bool) -> tuple[float, float | None]:
    plans = work / "plans"
    markdown = work / "md"
    markdown.mkdir()
    for i in range(count):
        agency, year = SEEDS[i % len(SEEDS)]
        target = plans / f"{agency}-{i:03d}"
        target.mkdir(parents=True)
        shutil.copy(ROOT / "plans" / agency / f"{year}.yaml", target / f"{year}.yaml")
        if pandoc:
            doc = build_document(load_plan(str(target / f"{year}.yaml")))
            (markdown / f"{i:03d}.md").write_text(to_markdown(doc), encoding="utf-8")
    runs = max(3, RUNS // 2)
    ours = median_of(lambda: timed([PLAN, "build", str(plans), "-j", "2", "--force", "-o", str(work / "out")]), runs)
    if not pandoc:
        return ours, None
    commands = [c for md in sorted(markdown.glob("*.md")) for c in pandoc_pair(str(md), str(md.with_suffix("")))]

    def all_pandoc() -> float:
        start = time.perf_counter()
        with ThreadPoolExecutor(2) as pool:  # two processes at a time, like -j 2
            list(pool.map(lambda c: subprocess.run(c, check=True, stdout=subprocess.DEVNULL), commands))
        return time.perf_counter() - start

    return ours, median_of(all_pandoc, runs)


def main() -> int:
    if not os.path.exists(PLAN):
        print("run `make install` first", file=sys.stderr)
        return 2
    pandoc = shutil.which("pandoc") is not None
    if not pandoc:
        print("pandoc is not installed (apt-get install pandoc): only this project's times are shown\n")
    print(f"{'case':44s} {'plan build':>11s} {'pandoc':>9s} {'ratio':>7s} {'target':>7s}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows = []
        for agency, year in SEEDS:
            ours, theirs = single(work, agency, year, pandoc)
            rows.append((f"one plan {agency}/{year}: docx+html", ours, theirs, 1.0))
        ours, theirs = folder(work, FOLDER_PLANS, pandoc)
        rows.append((f"{FOLDER_PLANS} plans, 2 processes: docx+html", ours, theirs, 0.33))
    for name, ours, theirs, target in rows:
        ratio = f"{ours / theirs:7.2f}" if theirs else "      -"
        theirs_text = f"{theirs:8.3f}s" if theirs else "        -"
        print(f"{name:44s} {ours:10.3f}s {theirs_text} {ratio} {target:7.2f}")
    print(f"\nmedians of {RUNS} runs (folder: {max(3, RUNS // 2)}); {os.cpu_count()} cores; "
          f"python {sys.version.split()[0]}")
    print_diff_bench()
    print_unrelated_diff_bench()
    return 0


def print_diff_bench() -> None:
    """Issue targets: at 20x kaohsiung-cec 103, the diff <= 1 s and <= 0.10 x difflib on the whole texts."""
    from diff_bench import run

    print(f"\n{'diff, k x kaohsiung-cec/103':30s} {'units':>6s} {'chars':>7s} {'plan diff':>10s} {'difflib':>9s} "
          f"{'ratio':>7s}  changes found")
    for times, units, chars, ours, theirs, summary in run():
        found = ", ".join(f"{k} {n}" for k, n in summary.items() if n)
        print(f"{f'{times}x (4 edits)':30s} {units:6d} {chars:7d} {ours * 1000:8.1f}ms {theirs:8.3f}s "
              f"{ours / theirs:7.4f}  {found}")


def print_unrelated_diff_bench() -> None:
    """Two unrelated plans: nothing aligns, so every unit searches for a similar one; the cost should
    grow close to linearly with the number of items (it grew with their product before candidates
    were filtered by shared character pairs)."""
    from diff_bench import run_unrelated

    print(f"\n{'diff of unrelated plans':30s} {'old':>6s} {'new':>6s} {'plan diff':>10s}  changes found")
    for old_units, new_units, seconds, summary in run_unrelated():
        found = ", ".join(f"{k} {n}" for k, n in summary.items() if n)
        print(f"{'':30s} {old_units:6d} {new_units:6d} {seconds:9.2f}s  {found}")


if __name__ == "__main__":
    sys.exit(main())
