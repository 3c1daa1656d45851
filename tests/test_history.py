"""The history stage (site_builder/history.py): each brief's last commit time, read from git only as far as the
last build did not, and a rebuild's times the same as a clean build's, whatever happened to the history."""

from __future__ import annotations

import functools
import inspect
import os
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

from site_builder import contentfiles, history, text
from site_builder.build import build as build_with_search
from site_builder.cache import HISTORY_CODE, BuildCache
from site_builder.fingerprint import sources_fingerprint
from tests.site_files import copy_example_board

TODAY = date(2026, 11, 25)
build = functools.partial(build_with_search, search=False)


def git(root: Path, *args: str, when: str = "2026-11-21T09:00:00+00:00") -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    done = subprocess.run(["git", "-C", str(root), "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def edit(board: Path, slug: str, words: str) -> None:
    brief = board / "content/projects" / f"{slug}.md"
    brief.write_text(brief.read_text() + f"\n{words}\n")


def history_read(board: Path, output: Path) -> tuple[list[str], dict[str, datetime]]:
    """Build; what the build says it read of git (`--explain`'s history lines), and each project's updated time."""
    result = build(board, output, TODAY)
    return [work.reason for work in result.report.work if work.kind == "history"], \
        {project.brief.slug: project.updated for project in result.site.projects}


def same_as_clean_build(board: Path, output: Path) -> bool:
    clean = board.parent / "clean"
    build(board, clean, TODAY, use_cache=False)
    return all((output / path.relative_to(clean)).read_bytes() == path.read_bytes() for path in clean.rglob("*") if path.is_file())


def a_board_in_git(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    board, output = copy_example_board(tmp_path / "board"), tmp_path / "public"
    git(board, "init", "--quiet", "--initial-branch=main")
    git(board, "add", "-A")
    git(board, "commit", "--quiet", "-m", "the board", when="2026-11-25T08:00:00+00:00")
    read, _ = history_read(board, output)
    assert read == ["1 commit, the whole history: no earlier build kept what it read"]
    return board, output, [project.brief.slug for project in build(board, output, TODAY).site.open]


def test_a_rebuild_reads_only_the_commits_since_the_last_one_and_a_merged_change_dates_from_its_merge(tmp_path):
    board, output, (direct, merged, *_) = a_board_in_git(tmp_path)
    head = git(board, "rev-parse", "HEAD")
    edit(board, direct, "Edited on main.")
    git(board, "commit", "--quiet", "-am", "an edit on main", when="2026-11-25T10:00:00+00:00")
    git(board, "checkout", "--quiet", "-b", "pull-request")
    edit(board, merged, "Edited in a pull request.")
    git(board, "commit", "--quiet", "-am", "an edit in a pull request", when="2026-11-25T11:00:00+00:00")
    git(board, "checkout", "--quiet", "main")
    git(board, "merge", "--quiet", "--no-ff", "-m", "Merge the pull request", "pull-request", when="2026-11-25T12:00:00+00:00")

    read, updated = history_read(board, output)
    assert read == [f"2 commits since {head[:12]}, which the last build read up to"]  # the edit and the merge, not the history
    assert updated[direct] == datetime(2026, 11, 25, 10, tzinfo=timezone.utc)
    assert updated[merged] == datetime(2026, 11, 25, 12, tzinfo=timezone.utc)  # when it reached the board
    assert same_as_clean_build(board, output)
    assert history_read(board, output)[0] == []  # no new commit: nothing read


def test_a_new_version_of_the_generator_keeps_what_the_last_build_read_unless_the_history_stage_changed(tmp_path):
    board, output, (slug, *_) = a_board_in_git(tmp_path)
    head = git(board, "rev-parse", "HEAD")
    edit(board, slug, "Edited after an upgrade.")
    git(board, "commit", "--quiet", "-am", "an edit", when="2026-11-25T10:00:00+00:00")
    upgraded = BuildCache.for_board(board)
    upgraded.code = "another version of microboard"  # every other part of the cache is made again
    result = build(board, output, TODAY, cache=upgraded)
    assert [work.reason for work in result.report.work if work.kind == "history"] == [f"1 commit since {head[:12]}, which the last build read up to"]
    assert same_as_clean_build(board, output)
    # The kept times' key covers the history stage's code and every module of the generator it takes from.
    taken = {inspect.getmodule(value) for value in vars(history).values()} - {history, None}
    assert {module for module in taken if module.__name__.startswith("site_builder.")} <= {contentfiles, text}
    assert HISTORY_CODE == sources_fingerprint(history, contentfiles, text)


def test_a_history_rewritten_under_the_last_build_is_read_again_whole(tmp_path):
    board, output, (slug, *_) = a_board_in_git(tmp_path)
    edit(board, slug, "Edited, then the commit amended.")
    git(board, "commit", "--quiet", "-am", "an edit", when="2026-11-25T10:00:00+00:00")
    first = git(board, "rev-parse", "HEAD")
    history_read(board, output)
    git(board, "commit", "--quiet", "--amend", "-m", "an edit, amended", when="2026-11-25T14:00:00+00:00")
    read, updated = history_read(board, output)
    assert read == [f"2 commits, the whole history: {first[:12]}, which the last build read up to, is not one of HEAD's first parents"]
    assert updated[slug] == datetime(2026, 11, 25, 14, tzinfo=timezone.utc)
    assert same_as_clean_build(board, output)


def test_a_build_of_a_branch_then_merged_reads_the_history_again_since_its_commit_is_no_first_parent(tmp_path):
    board, output, (slug, *_) = a_board_in_git(tmp_path)
    git(board, "checkout", "--quiet", "-b", "pull-request")
    edit(board, slug, "Edited in a pull request.")
    git(board, "commit", "--quiet", "-am", "an edit in a pull request", when="2026-11-25T11:00:00+00:00")
    history_read(board, output)  # built on the branch: its commit is the one read up to
    git(board, "checkout", "--quiet", "main")
    git(board, "merge", "--quiet", "--no-ff", "-m", "Merge the pull request", "pull-request", when="2026-11-25T12:00:00+00:00")
    read, updated = history_read(board, output)
    assert len(read) == 1 and read[0].startswith("2 commits, the whole history: ") and "is not one of HEAD's first parents" in read[0]
    assert updated[slug] == datetime(2026, 11, 25, 12, tzinfo=timezone.utc)
    assert same_as_clean_build(board, output)


def test_a_shallow_clone_is_read_on_every_build_and_nothing_of_it_is_kept(tmp_path):
    board, _, _ = a_board_in_git(tmp_path)
    for hour in (10, 11):
        edit(board, "acme-crm-cleanup", f"Edited at {hour}.")
        git(board, "commit", "--quiet", "-am", "an edit", when=f"2026-11-25T{hour}:00:00+00:00")
    clone, output = tmp_path / "clone", tmp_path / "clone-public"
    git(tmp_path, "clone", "--quiet", "--depth=1", f"file://{board}", str(clone))
    for _ in range(2):
        read, updated = history_read(clone, output)
        assert read == ["1 commit of a shallow clone, every build"]
        assert updated["acme-crm-cleanup"] == datetime(2026, 11, 25, 11, tzinfo=timezone.utc)
        assert not (clone / ".cache" / "history.pickle").exists()


def test_a_history_git_cannot_read_is_a_warning_and_is_not_kept(tmp_path):
    board, output = copy_example_board(tmp_path / "board"), tmp_path / "public"
    git(board, "init", "--quiet", "--initial-branch=main")
    git(board, "add", "-A")
    git(board, "commit", "--quiet", "-m", "the board")
    tree = git(board, "rev-parse", "HEAD:content/projects")
    (board / ".git/objects" / tree[:2] / tree[2:]).unlink()  # a damaged clone: the commit is there, a tree of it is not
    for _ in range(2):
        result = build(board, output, TODAY)
        assert result.warnings == ("git history: `git log` failed, so every brief counts as changed when it was posted",)
        assert all(project.updated == project.published for project in result.site.projects)
        assert not (board / ".cache" / "history.pickle").exists()


def a_long_history(root: Path) -> None:
    """SPLIT_FROM + 121 first parents, 21 of them merges of a pull request's branch: a history read in two parts."""
    git(root.parent, "init", "--quiet", "--initial-branch=main", str(root))
    stream, when, mark = [], 1_700_000_000, 0
    for n in range(history.SPLIT_FROM + 100):
        when += 60
        mark += 1
        brief = f"brief-{n % 1500}"  # some briefs edited again, later
        stream.append(f"commit refs/heads/main\nmark :{mark}\ncommitter T <t@example.org> {when} +0000\ndata 0\n"
                      f"M 100644 inline content/projects/{brief}.md\ndata {len(str(n))}\n{n}\n")
        if n % 100 == 50:  # a pull request's branch, merged: its commit is dated a day before the merge
            mark += 1
            stream.append(f"commit refs/heads/side\nmark :{mark}\ncommitter T <t@example.org> {when - 86_400} +0000\ndata 0\n"
                          f"from :{mark - 1}\nM 100644 inline content/projects/side-{n}.md\ndata 1\nx\n")
            mark += 1
            when += 60
            stream.append(f"commit refs/heads/main\nmark :{mark}\ncommitter T <t@example.org> {when} +0000\ndata 0\n"
                          f"from :{mark - 2}\nmerge :{mark - 1}\nM 100644 inline content/projects/side-{n}.md\ndata 1\nx\n")
    subprocess.run(["git", "-C", str(root), "fast-import", "--quiet"], input="".join(stream).encode(), check=True)
    git(root, "checkout", "--quiet", "main")


def test_a_long_history_read_in_two_parts_at_once_reads_as_one_log_does(tmp_path):
    """Past SPLIT_FROM first parents the whole history is read by two git processes; the times are those one
    `git log` gives, merges (dated before the commits they follow) and edits included."""
    root = tmp_path / "board"
    a_long_history(root)
    times, read = history.last_commit_times(root)
    whole = history.parse_log(git(root, *history.LOG, "HEAD"))
    assert times.times == whole.times and len(times.times) == 1500 + 21
    assert read == f"{whole.commits} commits, the whole history: no earlier build kept what it read"
    merged = datetime.fromtimestamp(1_700_000_000 + 60 * 52, timezone.utc)  # side-50, merged after main's 51st commit
    assert times.times["side-50"] == merged


def test_a_long_history_git_cannot_read_in_one_part_is_a_warning_and_is_not_kept(tmp_path):
    root = tmp_path / "board"
    a_long_history(root)
    pack = next((root / ".git/objects/pack").glob("*.pack"))
    moved = tmp_path / pack.name
    pack.rename(moved)
    pack.with_suffix(".idx").unlink()
    subprocess.run(["git", "-C", str(root), "unpack-objects", "-q"], stdin=moved.open("rb"), check=True)  # each object a file
    tree = git(root, "rev-parse", "main~2000:content/projects")  # in the older part
    (root / ".git/objects" / tree[:2] / tree[2:]).unlink()
    times, _ = history.last_commit_times(root)
    assert times == history.CommitTimes(None, {}, ("git history: `git log` failed, so every brief counts as changed when it was posted",))
