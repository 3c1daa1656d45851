"""`make bench`: how fast `board build` is on big boards, against the floor of what any build must do.

For each size (1,000 and 10,000 generated briefs) it measures, in one run, the median wall time (and
CPU time) of:
- the floor: read every brief, render its body with Python-Markdown (the board's extensions and
  settings, stock), put it in a trivial Jinja page and write it, over as many processes as the build;
- a cold build (no `.cache/`, no earlier output), without and with search, and `pagefind --site` alone
  on the same output;
- a rebuild with nothing changed, and one after one brief changed (cache warm), each way;
- save-to-served under `board serve` (bench/serve_latency.py);
and the peak RSS of the cold builds. Boards and outputs go to tmpfs (/dev/shm). Prints a markdown table.

    python bench/bench.py                  # 1,000 and 10,000 briefs, 3 runs each (about 15 minutes)
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
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from generate import BUILD_DATE, generate  # noqa: E402
from serve_latency import save_to_served  # noqa: E402

NOW = BUILD_DATE.isoformat()
BOARD = [sys.executable, "-m", "site_builder"]


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds of the command and every process it waited for
    peak_mb: int  # the largest resident set of the command or any process it waited for


def run(command: list[str]) -> Sample:
    """Run a command to completion and measure it."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")
    return Sample(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024)


def has_option(command: str, option: str) -> bool:
    help_text = subprocess.run([*BOARD, *command.split(), "--help"], capture_output=True, text=True).stdout
    return option in help_text


def floor_command(board: Path, output: Path, jobs: int) -> list[str]:
    return [sys.executable, str(HERE / "floor.py"), str(board), str(output), str(jobs)]


def touch_brief(board: Path, run_number: int) -> Path:
    """Change one open brief's body, a little differently each time, as an employer's edit would."""
    brief = sorted((board / "content" / "projects").glob("*.md"))[len(list((board / "content" / "projects").glob("*.md"))) // 2]
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

    for number in range(runs):
        sample("floor", floor_command(board, work / "floor-out", jobs))
        shutil.rmtree(work / "floor-out")
        variants = [("", ["--no-search"] if search else [])] + ([("+search", [])] if search else [])
        for suffix, options in variants:
            cold("cold" + suffix, [*build, *options])
            sample("no-op" + suffix, [*build, *options])
            touch_brief(board, 100 * number + len(suffix))
            sample("one brief" + suffix, [*build, *options])
            if suffix == "" and search:
                sample("pagefind", [sys.executable, "-m", "pagefind", "--site", str(output)])
    latencies = save_to_served(board, BUILD_DATE, runs)
    results: dict[str, Any] = {name: Sample(statistics.median(s.wall for s in values), statistics.median(s.cpu for s in values),
                                            max(s.peak_mb for s in values)) for name, values in samples.items()}
    for name, what in (("serve", "page"), ("serve board", "board"), ("serve search", "search")):
        results[name] = Sample(statistics.median(getattr(latency, what) for latency in latencies), 0, 0)
    return results


def table(results: dict[int, dict[str, Any]], sizes: list[int]) -> str:
    def seconds(value: float) -> str:
        return f"{value:.2f} s" if value >= 1 else f"{value * 1000:.0f} ms"

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
        ("rebuild, one brief changed (x cold)", "one brief", "cold", "at most 0.25x"),
        ("`pagefind --site` on the output", "pagefind", None, ""),
        ("cold build with search", "cold+search", None, "at most cold + pagefind"),
        ("rebuild with search, nothing changed (x cold)", "no-op+search", "cold", ""),
        ("rebuild with search, one brief changed (x cold)", "one brief+search", "cold", ""),
    ]
    header = " | ".join(f"{size:,} briefs, wall | {size:,}, CPU" for size in sizes)
    lines = [f"| | {header} | target (10,000, wall) |", "|---|" + "---|---|" * len(sizes) + "---|"]
    for label, name, against, target in rows:
        cells = " | ".join(f"{cell(size, name, against, False)} | {cell(size, name, against, True)}" for size in sizes)
        lines.append(f"| {label} | {cells} | {target} |")
    for label, name, target in (("one brief edited under `board serve`: its page served", "serve", "under 300 ms"),
                                ("... the whole board served (listings, feeds)", "serve board", ""),
                                ("... the search index served", "serve search", "")):
        lines.append(f"| {label} | " + " | ".join(f"{seconds(results[size][name].wall)} | " for size in sizes) + f" {target} |")
    peak = "cold+search" if "cold+search" in results[sizes[-1]] else "cold"
    lines.append(f"| peak RSS, cold build{' with search' if peak != 'cold' else ''} (largest process) | "
                 + " | ".join(f"{results[size][peak].peak_mb} MB | " for size in sizes) + " under 600 MB |")
    lines.append("| peak RSS, floor | " + " | ".join(f"{results[size]['floor'].peak_mb} MB | " for size in sizes) + " |")
    for size in sizes:
        found = results[size]
        if "cold+search" in found and "pagefind" in found:
            budget = found["cold"].wall + found["pagefind"].wall
            lines.append(f"\n{size:,} briefs: cold build with search {found['cold+search'].wall:.2f} s against cold `--no-search` + "
                         f"`pagefind --site` {budget:.2f} s ({found['cold+search'].wall / budget:.2f}x)")
    lines.append("\nWall: median of the runs; CPU: user + system of the build and all its processes (steadier when the "
                 "machine is shared). Save-to-served: bench/serve_latency.py under `board serve`, from the save until the changed page is "
                 "served (serve shows a brief edited in place first), then the rest of the board, then the search index.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/dev/shm") if Path("/dev/shm").is_dir() else None,
                        help="where boards and outputs go (default: /dev/shm, a tmpfs)")
    args = parser.parse_args()
    jobs = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="microboard-bench-", dir=args.work))
    try:
        results = {}
        for size in args.sizes:
            print(f"measuring {size:,} briefs, {args.runs} runs, {jobs} processes…", file=sys.stderr, flush=True)
            results[size] = measure(size, args.runs, work, jobs)
        print(table(results, args.sizes))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
