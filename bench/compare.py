"""Is a change slower? Build the same board with two installs of microboard, turn by turn, and compare.

`make bench` measures one version against the floor of any build; its figures move when the generated
boards change. This builds one given board with an older install (a venv of an earlier commit, e.g. a
`git worktree` of it with `pip install -e .`) and a newer one, alternating which goes first, and prints
the medians of each and their ratio: cold without search, a rebuild with nothing changed, a rebuild
after one brief changed, and a cold build with search.

    python bench/compare.py OLD/.venv/bin/board .venv/bin/board /dev/shm/board-10000 --runs 3

The board must build with both versions (a board from an older bench/generate.py may need the newer
version's settings added). Wall time is the machine's, CPU time adds every process of the build.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KINDS = ("cold", "no-op", "one brief", "cold with search")


def timed(board: str, root: Path, *options: str) -> tuple[float, float]:
    """Wall and CPU seconds of one `board build` of `root`."""
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run([board, "--root", str(root), "build", "--now", "2026-11-25", "--output", str(root / "public"), *options],
                          capture_output=True, text=True, cwd=tempfile.gettempdir())
    wall, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"{board} failed on {root}:\n{done.stdout}{done.stderr}")
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def measure(board: str, source: Path, work: Path, turn: int) -> dict[str, tuple[float, float]]:
    """One of each kind of build, on a fresh copy of the board."""
    root = work / "board"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(source, root)
    found = {"cold": timed(board, root, "--no-search"), "no-op": timed(board, root, "--no-search")}
    brief = sorted((root / "content" / "projects").glob("*.md"))[turn]
    brief.write_text(brief.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8")
    found["one brief"] = timed(board, root, "--no-search")
    shutil.rmtree(root / "public")
    shutil.rmtree(root / ".cache", ignore_errors=True)
    found["cold with search"] = timed(board, root)
    shutil.rmtree(root)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old", help="the older install's `board` command")
    parser.add_argument("new", help="the newer install's `board` command")
    parser.add_argument("board", type=Path, help="a board both build (bench/generate.py makes one)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    samples: dict[str, dict[str, list[tuple[float, float]]]] = {"old": {k: [] for k in KINDS}, "new": {k: [] for k in KINDS}}
    with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as work:
        for turn in range(args.runs):
            order = [("old", args.old), ("new", args.new)]
            for name, board in order if turn % 2 == 0 else order[::-1]:
                for kind, sample in measure(board, args.board, Path(work), turn).items():
                    samples[name][kind].append(sample)
    size = len(list((args.board / "content" / "projects").glob("*.md")))
    print(f"{size:,} briefs, {args.runs} runs each, medians\n")
    print("| build | old wall | new wall | new/old | old CPU | new CPU | new/old |\n|---|---|---|---|---|---|---|")
    for kind in KINDS:
        (old_wall, old_cpu), (new_wall, new_cpu) = (
            tuple(statistics.median(sample[part] for sample in samples[name][kind]) for part in (0, 1)) for name in ("old", "new"))
        print(f"| {kind} | {old_wall:.2f} s | {new_wall:.2f} s | {new_wall / old_wall:.2f}x "
              f"| {old_cpu:.2f} s | {new_cpu:.2f} s | {new_cpu / old_cpu:.2f}x |")


if __name__ == "__main__":
    main()
