"""The CLI documents itself, and the README keeps up with it."""

from __future__ import annotations

import argparse

from site_builder.cli import build_parser
from tests.site_files import REPO


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_has_help_with_an_example():
    for name, command in _commands().items():
        text = command.format_help()
        assert command.description, name
        assert f"example:\n  board {name}" in text, name


def test_every_command_and_option_appears_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, command in _commands().items():
        assert f"`board {name}" in readme, f"board {name} is missing from the README"
        for action in command._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in readme, f"board {name} {option} is missing from the README"


def test_readme_quick_start_is_the_two_make_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make build" in readme and "make test" in readme
