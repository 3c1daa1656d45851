"""`board check --base REF --author HANDLE`: who may change, rename, delete or add which brief, in real git repositories."""

from __future__ import annotations

import pickle
import subprocess
from datetime import date
from pathlib import Path

import pytest

from tests.gitboard import commit_all, git, make_board, write_brief
from site_builder.build import check_board
from site_builder.cache import CACHE_DIR, SHARDS
from site_builder.cli import main

ACME = "content/projects/acme-crm-cleanup.md"


def check(capsys: pytest.CaptureFixture, root, *args: str) -> tuple[int, str, str]:
    status = main(["--root", str(root), "check", "--now", "2026-11-25", *args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def board(tmp_path):
    """Alice and Bob maintain Acme's brief, Carol maintains Fjord's; board-admin maintains the board."""
    root = tmp_path / "board"
    make_board(root, {"acme-crm-cleanup": ["Alice", "bob"], "fjord-press-kit": ["carol"]})
    return root


def test_maintainer_may_change_their_brief(board, capsys):
    write_brief(board, "acme-crm-cleanup", ["Alice", "bob"], title="Clean up our customer records, now with SQL")
    commit_all(board, "Mention SQL", user="bob")
    status, out, _ = check(capsys, board, "--base", "main", "--author", "bob")
    assert (status, out) == (0, "ok: 2 briefs, 2 open on 2026-11-25; @bob may make every change since main\n")


def test_handles_are_compared_case_insensitively(board, capsys):
    write_brief(board, "acme-crm-cleanup", ["Alice", "bob"], title="A new title")
    commit_all(board, "Retitle", user="alice")
    assert check(capsys, board, "--base", "main", "--author", "ALICE")[0] == 0
    assert check(capsys, board, "--base", "main", "--author", "@alice")[0] == 0


def test_refuses_a_change_by_someone_who_does_not_maintain_the_brief_and_says_who_may(board, capsys):
    write_brief(board, "acme-crm-cleanup", ["Alice", "bob"], title="Hijacked title")
    commit_all(board, "Change Acme's brief", user="mallory")
    status, out, err = check(capsys, board, "--base", "main", "--author", "mallory")
    assert status == 1
    assert out == (f"{ACME}:1: only the brief's maintainers (Alice, bob) or the board's maintainers (board-admin) may change it; "
                   "@mallory is neither: ask one of them to make this change, or to add you to the brief's maintainers\n")
    assert err == "1 problem in 1 file\n"


def test_a_maintainer_of_one_brief_may_not_change_another(board, capsys):
    write_brief(board, "acme-crm-cleanup", ["Alice", "bob"], title="Carol was here")
    commit_all(board, "Change Acme's brief", user="carol")
    status, out, _ = check(capsys, board, "--base", "main", "--author", "carol")
    assert status == 1 and "may change it; @carol is neither" in out


def test_refuses_deleting_another_employers_brief(board, capsys):
    (board / ACME).unlink()
    commit_all(board, "Delete Acme's brief", user="carol")
    status, out, _ = check(capsys, board, "--base", "main", "--author", "carol")
    assert status == 1
    assert out.startswith(f"{ACME}:1: only the brief's maintainers (Alice, bob) or the board's maintainers (board-admin) "
                          "may delete it; @carol is neither")


def test_a_maintainer_may_delete_their_own_brief(board, capsys):
    (board / ACME).unlink()
    commit_all(board, "Withdraw our brief", user="alice")
    assert check(capsys, board, "--base", "main", "--author", "alice")[0] == 0


def test_refuses_renaming_another_employers_brief_and_names_the_old_file(board, capsys):
    git(board, "mv", ACME, "content/projects/mallory-crm-cleanup.md")
    commit_all(board, "Take over Acme's brief", user="mallory")
    status, out, _ = check(capsys, board, "--base", "main", "--author", "mallory")
    assert status == 1
    assert out.startswith(f"content/projects/mallory-crm-cleanup.md:1: it was {ACME} on main; only the brief's maintainers "
                          "(Alice, bob) or the board's maintainers (board-admin) may rename it; @mallory is neither")


def test_a_maintainer_may_rename_their_brief(board, capsys):
    git(board, "mv", ACME, "content/projects/acme-customer-records.md")
    commit_all(board, "A clearer slug", user="bob")
    assert check(capsys, board, "--base", "main", "--author", "bob")[0] == 0


def test_a_new_brief_listing_its_author_is_accepted(board, capsys):
    write_brief(board, "dana-survey-analysis", ["dana"])
    commit_all(board, "Post our first project", user="dana")
    status, out, _ = check(capsys, board, "--base", "main", "--author", "Dana")
    assert (status, out) == (0, "ok: 3 briefs, 3 open on 2026-11-25; @Dana may make every change since main\n")


def test_a_new_brief_must_list_its_author_on_the_maintainers_line(board, capsys):
    path = write_brief(board, "dana-survey-analysis", ["dana-colleague"])
    commit_all(board, "Post a project for a colleague", user="dana")
    status, out, _ = check(capsys, board, "--base", "main", "--author", "dana")
    line = path.read_text().splitlines().index("maintainers: [dana-colleague]") + 1
    assert (status, out) == (1, f"content/projects/dana-survey-analysis.md:{line}: a new brief must list its author among its "
                                "maintainers, so that you may edit it later: add dana, like maintainers: [dana-colleague, dana]\n")


def test_an_uncommitted_new_brief_is_checked_too(board, capsys):
    write_brief(board, "dana-survey-analysis", ["someone-else"])
    status, out, _ = check(capsys, board, "--base", "main", "--author", "dana")
    assert status == 1 and out.startswith("content/projects/dana-survey-analysis.md:")


def test_board_maintainers_may_change_delete_and_add_anything(board, capsys):
    write_brief(board, "acme-crm-cleanup", ["Alice", "bob"], title="Fixed a typo for Acme")
    (board / "content/projects/fjord-press-kit.md").unlink()
    write_brief(board, "posted-from-an-issue-form", ["erin"])
    (board / "site.toml").write_text((board / "site.toml").read_text().replace("Test board", "Our board"))
    commit_all(board, "Tidy up", user="board-admin")
    status, out, _ = check(capsys, board, "--base", "main", "--author", "Board-Admin")
    assert (status, out) == (0, "ok: 2 briefs, 2 open on 2026-11-25; @Board-Admin may make every change since main\n")


def test_rights_come_from_the_base_so_a_pull_request_cannot_grant_itself_any(board, capsys):
    write_brief(board, "acme-crm-cleanup", ["Alice", "bob", "mallory"], title="Now mine too")
    (board / "site.toml").write_text((board / "site.toml").read_text().replace('["board-admin"]', '["board-admin", "mallory"]'))
    commit_all(board, "Make myself a maintainer", user="mallory")
    status, out, _ = check(capsys, board, "--base", "main", "--author", "mallory")
    assert status == 1
    assert out.splitlines() == [
        f"{ACME}:1: only the brief's maintainers (Alice, bob) or the board's maintainers (board-admin) may change it; "
        "@mallory is neither: ask one of them to make this change, or to add you to the brief's maintainers",
        "site.toml:1: only the board's maintainers (board-admin) may change files outside content/projects/ and "
        "static/logos/; @mallory is not one of them: leave this file out of your pull request",
    ]


def test_employers_may_add_a_new_logo_but_not_replace_one_other_listings_show(board, capsys):
    (board / "static/logos/dana.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    commit_all(board, "Our logo", user="dana")
    assert check(capsys, board, "--base", "main", "--author", "dana")[0] == 0
    (board / "static/logos/acme.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'><text>gotcha</text></svg>")
    commit_all(board, "Replace Acme's logo", user="dana")
    status, out, _ = check(capsys, board, "--base", "main", "--author", "dana")
    assert (status, out) == (1, "static/logos/acme.svg:1: only the board's maintainers (board-admin) may change an existing "
                                "logo, which other listings may show; @dana is not one of them: add your logo under a new "
                                "file name instead\n")


def test_layouts_and_workflows_belong_to_the_board(board, capsys):
    (board / "layouts").mkdir()
    (board / "layouts/project.html").write_text("{{ project.title }}")
    commit_all(board, "Restyle every listing", user="alice")
    status, out, _ = check(capsys, board, "--base", "main", "--author", "alice")
    assert (status, out) == (1, "layouts/project.html:1: only the board's maintainers (board-admin) may add files outside "
                                "content/projects/ and static/logos/; @alice is not one of them: leave this file out of "
                                "your pull request\n")


def test_a_brief_whose_maintainers_cannot_be_read_on_the_base_is_left_to_the_board(tmp_path, capsys):
    root = tmp_path / "board"
    make_board(root, {})
    (root / "content/projects/broken-brief.md").write_text("---\ntitle: [unclosed\n---\nbody\n")
    commit_all(root, "A broken brief slipped in", user="board-admin")
    git(root, "checkout", "--quiet", "-B", "main")
    git(root, "checkout", "--quiet", "-b", "fix")
    write_brief(root, "broken-brief", ["alice"])
    status, out, _ = check(capsys, root, "--base", "main", "--author", "alice")
    assert (status, out) == (1, "content/projects/broken-brief.md:1: its maintainers on main cannot be read, so only the "
                                "board's maintainers (board-admin) may change it; @alice is not one of them\n")


def test_a_board_without_maintainers_says_so(tmp_path, capsys):
    root = tmp_path / "board"
    make_board(root, {"acme-crm-cleanup": ["alice"]}, board_maintainers=())
    write_brief(root, "acme-crm-cleanup", ["alice"], title="Changed")
    status, out, _ = check(capsys, root, "--base", "main", "--author", "mallory")
    assert status == 1
    assert "or the board's maintainers (none are listed in site.toml on main) may change it" in out


def test_ownership_problems_are_github_annotations_on_the_changed_file(board, capsys):
    write_brief(board, "acme-crm-cleanup", ["Alice", "bob"], title="Hijacked, 100% sure")
    commit_all(board, "Change Acme's brief", user="mallory")
    status, out, _ = check(capsys, board, "--format", "github", "--base", "main", "--author", "mallory")
    assert status == 1
    assert out == (f"::error file={ACME},line=1::only the brief's maintainers (Alice, bob) or the board's maintainers "
                   "(board-admin) may change it; @mallory is neither: ask one of them to make this change, or to add you "
                   "to the brief's maintainers\n")


def test_brief_problems_and_ownership_problems_are_reported_together(board, capsys):
    path = board / ACME
    path.write_text(path.read_text().replace("hours: 20", "hours: 100"))
    commit_all(board, "Bigger project", user="mallory")
    status, out, _ = check(capsys, board, "--base", "main", "--author", "mallory")
    assert status == 1
    assert [line.split(": ", 1)[0] for line in out.splitlines()] == [f"{ACME}:1", f"{ACME}:7"]
    assert "hours must be a whole number from 5 to 40, got 100" in out


def test_an_unknown_base_is_a_clear_problem(board, capsys):
    status, out, _ = check(capsys, board, "--base", "origin/mian", "--author", "alice")
    assert (status, out) == (1, "git:1: there is no commit origin/mian in this repository: give a branch, tag or commit id, "
                                "like origin/main\n")


def test_a_folder_outside_git_is_a_clear_problem(tmp_path, capsys):
    root = tmp_path / "board"
    make_board(root, {"acme-crm-cleanup": ["alice"]})
    subprocess.run(["rm", "-rf", str(root / ".git")], check=True)
    status, out, _ = check(capsys, root, "--base", "main", "--author", "alice")
    assert (status, out) == (1, f"git:1: {root} is not inside a git repository, so there is nothing to compare with main: "
                                "run the check in a clone of the board\n")


def test_a_shallow_clone_without_the_base_says_how_to_fetch_it_then_passes(tmp_path, capsys):
    """As actions/checkout clones a pull request: one commit deep, the base missing until fetched."""
    origin = tmp_path / "origin"
    base = make_board(origin, {"acme-crm-cleanup": ["alice"]})
    write_brief(origin, "acme-crm-cleanup", ["alice"], title="Updated by Alice")
    commit_all(origin, "Update", user="alice")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--depth=1", "--branch=pull-request", f"file://{origin}", str(clone))
    status, out, _ = check(capsys, clone, "--base", base, "--author", "alice")
    assert (status, out) == (1, f"git:1: the base {base} is not in this clone, which is shallow (as actions/checkout makes it): "
                                f"fetch it first with `git fetch --no-tags --depth=1 origin {base}`, or check out with "
                                "fetch-depth: 0\n")
    git(clone, "fetch", "--no-tags", "--depth=1", "origin", base)
    assert check(capsys, clone, "--base", base, "--author", "alice")[0] == 0
    assert check(capsys, clone, "--base", base, "--author", "mallory")[0] == 1


@pytest.mark.parametrize("args", [["--base", "main"], ["--author", "alice"]])
def test_base_and_author_go_together(board, capsys, args):
    status, out, err = check(capsys, board, *args)
    assert (status, out) == (2, "")
    assert err == "board check: error: --base and --author go together: --base REF --author HANDLE\n"


def test_an_author_that_is_not_a_github_handle_is_a_usage_error(board, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--root", str(board), "check", "--base", "main", "--author", "not a handle"])
    assert exit_.value.code == 2
    assert "expected a GitHub handle like octocat, got 'not a handle'" in capsys.readouterr().err


@pytest.mark.parametrize("path", ["content/projects/more/acme-crm-cleanup.md", "static/logos/more/dana.svg", "static/dana.js",
                                  "pyproject.toml", ".cache/entries/00.pickle"])
def test_only_files_directly_in_the_briefs_and_logos_folders_are_an_employers(board, capsys, path):
    (board / path).parent.mkdir(parents=True, exist_ok=True)
    (board / path).write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    commit_all(board, "Something of ours", user="dana")
    status, out, _ = check(capsys, board, "--base", "main", "--author", "dana")
    assert status == 1
    assert f"{path}:1: only the board's maintainers (board-admin) may add files outside content/projects/ and static/logos/; " \
           "@dana is not one of them: leave this file out of your pull request\n" in out


def test_a_new_brief_may_not_post_for_a_company_others_maintain(board, capsys):
    write_brief(board, "mallory-crm-cleanup", ["mallory"], company="Acme Analytics")
    commit_all(board, "Post as Acme", user="mallory")
    status, out, _ = check(capsys, board, "--base", "main", "--author", "mallory")
    assert (status, out) == (1, (
        "content/projects/mallory-crm-cleanup.md:4: the company Acme Analytics is already on the board "
        "(content/projects/acme-crm-cleanup.md on main): only the maintainers of its briefs (Alice, bob) or the board's "
        "maintainers (board-admin) may post for it; @mallory is neither: ask one of them to add you to a brief's "
        "maintainers, or write your own company's name\n"))
    assert check(capsys, board, "--base", "main", "--author", "board-admin")[0] == 0  # a board maintainer approves


def test_a_company_s_maintainer_may_post_for_it_and_a_brief_may_not_move_to_another_company(board, capsys):
    write_brief(board, "acme-survey", ["bob"])
    commit_all(board, "Another Acme project", user="bob")
    assert check(capsys, board, "--base", "main", "--author", "bob")[0] == 0
    write_brief(board, "fjord-press-kit", ["carol"], company="Acme Analytics")
    commit_all(board, "Fjord's brief becomes Acme's", user="carol")
    status, out, _ = check(capsys, board, "--base", "main", "--author", "carol")
    assert status == 1 and "content/projects/fjord-press-kit.md:4: the company Acme Analytics is already on the board" in out


class _Touches:
    """A pickle that creates `marker` when loaded: what a pull request's own .cache/ could hold."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return Path.touch, (self.marker,)


def test_with_base_the_check_reads_the_cache_it_is_given_and_never_the_pull_requests_own(board, tmp_path, capsys):
    """The Check workflow restores the base branch's cache beside the pull request's tree and names it with
    --cache: the check parses only what the pull request changed, and never loads a .cache/ in the tree, even
    one a board maintainer's pull request adds (which the ownership check lets through)."""
    trusted = tmp_path / "base-cache"
    assert main(["--root", str(board), "build", "--now", "2026-11-25", "--no-search", "--output", str(tmp_path / "public"),
                 "--cache", str(trusted)]) == 0
    capsys.readouterr()
    assert (trusted / "entries").is_dir() and not (board / CACHE_DIR).exists()
    marker = tmp_path / "the pull request's pickle ran"
    (board / CACHE_DIR / "entries").mkdir(parents=True)
    for shard in range(SHARDS):
        (board / CACHE_DIR / "entries" / f"{shard:02x}.pickle").write_bytes(pickle.dumps(_Touches(marker)))
    write_brief(board, "acme-crm-cleanup", ["Alice", "bob"], title="Clean up our customer records, now with SQL")
    commit_all(board, "Mention SQL, and a cache", user="board-admin")
    given = check_board(board, date(2026, 11, 25), base="main", author="board-admin", cache_folder=trusted)
    assert given.report.names("parse") == [ACME] and not marker.exists()
    alone = check_board(board, date(2026, 11, 25), base="main", author="board-admin")
    assert sorted(alone.report.names("parse")) == [ACME, "content/projects/fjord-press-kit.md"] and not marker.exists()
    assert check(capsys, board, "--base", "main", "--author", "board-admin", "--cache", str(trusted))[0] == 0
    status, out, err = check(capsys, board, "--base", "main", "--author", "board-admin", "--cache", ".cache")
    assert (status, out) == (2, "") and "--cache must name a folder outside the board's (.cache is inside it)" in err
    assert not marker.exists()
    check_board(board, date(2026, 11, 25))  # without --base, the board's .cache/ is its own, and read: the payload is real
    assert marker.exists()
