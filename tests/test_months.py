"""Archive months taken whole (months.py): a rebuild takes each month over from `.cache/months/` while its
files keep their stats, and whatever changed, the board it builds is the one a clean build makes."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from site_builder.build import BuildResult, check_board
from site_builder.errors import BoardError
from tests.test_cache import TODAY, age, build, files, generate

ARCHIVE_MONTHS = ["2026-09", "2026-10"]  # the generated board's months over on TODAY


@pytest.fixture
def board(tmp_path: Path) -> Path:
    """A board of 60 generated briefs over four months, two of them over, its files as old as a checkout's, built twice:
    once to keep its archive months, once taking them whole."""
    board = generate.generate(60, tmp_path / "board", seed=11)
    age(board / "content" / "projects")
    build(board, tmp_path / "public", TODAY)
    assert sorted(path.stem for path in (board / ".cache" / "months").glob("????-??.pickle")) == ARCHIVE_MONTHS
    assert [month.name for month in build(board, tmp_path / "public", TODAY).site.months] == ARCHIVE_MONTHS
    return board


def rebuilt(board: Path, today: date = TODAY, **options: bool) -> BuildResult:
    """A rebuild into the board's output folder, which must then hold what a clean build makes."""
    result = build(board, board.parent / "public", today, **options)
    clean = board.parent / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build(board, clean, today, use_cache=False, **options)
    assert files(board.parent / "public") == files(clean)
    return result


def briefs(board: Path, closed_in: str | None = None) -> list[Path]:
    """The board's briefs, or those whose applications ended in the month `closed_in` ("open": still open)."""
    found = check_board(board, TODAY).briefs
    if closed_in == "open":
        found = [brief for brief in found if brief.posted <= TODAY <= brief.deadline]
    elif closed_in:
        found = [brief for brief in found if f"{brief.deadline:%Y-%m}" == closed_in]
    return [board / brief.source for brief in found]


def written_long_ago(brief: Path, text: str) -> None:
    """Write a brief as a checkout does, long enough before the build that its stat tells the next change."""
    brief.write_text(text)
    os.utime(brief, ns=(time.time_ns() - 3600 * 10**9,) * 2)


def test_an_open_brief_edited_leaves_every_archive_month_whole(board: Path) -> None:
    brief = briefs(board, "open")[3]
    brief.write_text(brief.read_text() + "\nOne more sentence.\n")
    result = rebuilt(board)
    assert [month.name for month in result.site.months] == ARCHIVE_MONTHS
    assert result.report.names("parse") == [brief.relative_to(board).as_posix()]
    assert all(f"{project.brief.deadline:%Y-%m}" not in ARCHIVE_MONTHS for project in result.site.placed if not project.is_open)
    bodies = {path.stem for path in (board / ".cache" / "bodies").rglob("*.pickle")}
    assert all(set(month.part.body_keys) <= bodies for month in result.site.months)  # in no table now, their HTML stays


def _edit_old_brief(board: Path) -> str:
    brief = briefs(board, "2026-09")[2]
    written_long_ago(brief, brief.read_text() + "\nOne more sentence.\n")
    return "2026-09"


def _delete_old_brief(board: Path) -> str:
    briefs(board, "2026-09")[0].unlink()
    return "2026-09"


def _add_brief_closed_in_an_old_month(board: Path) -> str:
    old = briefs(board, "2026-10")[0]
    text = old.read_text().replace("title: ", "title: Another ", 1)
    written_long_ago(old.parent / f"another-{old.name}", text)
    return "2026-10"


def _lose_a_months_rest(board: Path) -> str:
    """A month's rest gone from the cache (a cache pruned by hand, or kept by an older version): no error."""
    [rest] = (board / ".cache" / "months").glob("2026-10.*.rest.pickle")
    rest.unlink()
    return "2026-10"


def _take_a_skill_slug_from_the_archive(board: Path) -> str | None:
    """A new open brief names a skill whose slug an archive skill had: that one takes another slug."""
    brief = briefs(board, "open")[0]
    text = brief.read_text()
    skills = text[text.index("skills:"):].split("\n", 1)[0]
    written_long_ago(brief.parent / f"new-{brief.name}", text.replace(skills, "skills: [\"(Python)\", \"(SQL)\", \"(Excel)\"]"))
    return None


@pytest.mark.parametrize("change", [_edit_old_brief, _delete_old_brief, _add_brief_closed_in_an_old_month, _lose_a_months_rest,
                                    _take_a_skill_slug_from_the_archive])
def test_a_month_changed_is_placed_one_by_one_and_made_again_while_the_others_stay_whole(board: Path, change: Callable[[Path], str | None]) -> None:
    changed = change(board)
    months = rebuilt(board).site.months
    taken = [month.name for month in months]
    if changed:
        assert taken == [name for name in ARCHIVE_MONTHS if name != changed]
    else:  # the months that name a skill whose slug moved
        assert taken != ARCHIVE_MONTHS and not any({"Python", "SQL", "Excel"} & month.part.skill_slugs.keys() for month in months)
    assert [month.name for month in build(board, board.parent / "public", TODAY).site.months] == ARCHIVE_MONTHS  # made again


def test_a_month_that_ends_is_kept_whole_from_then_on(board: Path) -> None:
    later = TODAY + timedelta(days=10)
    assert [month.name for month in rebuilt(board, later).site.months] == ARCHIVE_MONTHS
    assert [month.name for month in build(board, board.parent / "public", later).site.months] == [*ARCHIVE_MONTHS, "2026-11"]
    assert [month.name for month in rebuilt(board, TODAY).site.months] == ARCHIVE_MONTHS  # a month not over yet is not taken


def test_new_settings_take_no_month_whole_and_drafts_leave_them_as_they_are(board: Path) -> None:
    kept = {path.name: path.read_bytes() for path in (board / ".cache" / "months").glob("*.pickle")}
    assert rebuilt(board, drafts=True).site.months == ()
    assert {path.name: path.read_bytes() for path in (board / ".cache" / "months").glob("*.pickle")} == kept
    toml = board / "site.toml"
    toml.write_text(toml.read_text().replace("closing_soon_days = ", "closing_soon_days = 1\n# was ", 1))
    assert rebuilt(board).site.months == ()


def test_a_company_written_otherwise_than_in_the_archive_fails_as_in_a_clean_build(board: Path) -> None:
    """The earliest brief of a company sets how it is written: a new brief posted before all the archive's
    briefs of a company, with another website, makes each of them wrong, as a clean build says."""
    old = check_board(board, TODAY).briefs[0]
    first = min((b for b in check_board(board, TODAY).briefs if b.company.name == old.company.name), key=lambda b: (b.posted, b.slug))
    source = (board / first.source).read_text()
    earlier = source.replace(f"posted: {first.posted}", f"posted: {first.posted - timedelta(days=3)}")
    url = first.company.url or "https://example.com"
    earlier = earlier.replace(f"url: {url}", "url: https://elsewhere.example.com") if first.company.url else \
        earlier.replace(f"name: {first.company.name}", f"name: {first.company.name}\n  url: https://elsewhere.example.com", 1)
    (board / first.source).with_name(f"aaa-{first.slug}.md").write_text(earlier)
    with pytest.raises(BoardError) as cached:
        build(board, board.parent / "public", TODAY)
    with pytest.raises(BoardError) as clean:
        build(board, board.parent / "clean", TODAY, use_cache=False)
    assert cached.value.problems == clean.value.problems and len(clean.value.problems) > 1


def test_a_build_that_fails_after_making_a_month_again_leaves_the_month_as_it_was_kept(board: Path) -> None:
    changed = _edit_old_brief(board)
    layout = board / "layouts" / "project.html"
    text = layout.read_text()
    layout.write_text(text.replace("{% block main %}", "{% block main %}{{ page.project.brief.missing.missing }}", 1))  # fails as a page renders
    with pytest.raises(BoardError):
        build(board, board.parent / "public", TODAY)
    layout.write_text(text)
    assert [month.name for month in rebuilt(board).site.months] == [name for name in ARCHIVE_MONTHS if name != changed]
    assert [month.name for month in build(board, board.parent / "public", TODAY).site.months] == ARCHIVE_MONTHS
