"""A mistake in a layout stops `board build` with `layouts/FILE:LINE: message`, never a traceback, whatever
the mistake and whichever process renders the page, and leaves the last good board as it was."""

from __future__ import annotations

import os
import pickle
import time
import pytest

from site_builder.errors import BoardError, Problem
from site_builder.parallel import map_in_processes

def test_first_failing_item_in_order_is_the_error_raised_although_a_later_one_fails_sooner() -> None:
    """Real worker processes: item 100 fails slowly, item 250 at once; the error is item 100's, with its
    problem intact after crossing back from the worker that raised it."""
    def work(index: int) -> int:
        if index == 100:
            time.sleep(0.3)
        if index in (100, 250):
            raise BoardError([Problem(f"item-{index}", index, f"raised in process {os.getpid()}")])
        return os.getpid()

    with pytest.raises(BoardError) as caught:
        map_in_processes(work, range(300), jobs=2)
    [problem] = caught.value.problems
    assert (problem.path, problem.line) == ("item-100", 100)
    assert problem.message != f"raised in process {os.getpid()}", "the work did not run in a worker process"


def test_board_error_pickles_with_its_problems() -> None:
    error = BoardError([Problem("layouts/project.html", 17, "template error: division by zero"), Problem("a.md", 1, "x")])
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is BoardError and copy.problems == error.problems and str(copy) == str(error)
