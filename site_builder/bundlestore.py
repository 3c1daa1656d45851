"""The search bundles kept in `.cache/bundles/`, one file each, by the fingerprint of what Pagefind read of
the pages each was made from (`buildstate` decides which are current), so that `board serve` takes those
`board build` made. A month's bundle outlives any output folder, so a
deploy that starts from an empty folder indexes again only the bundles whose pages changed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .outputs import OutputFile
from .tables import read_pickle, write_pickle


class BundleStore:
    """The kept bundles of one board's cache (`folder` None: the disabled cache, which keeps nothing)."""

    def __init__(self, folder: Path | None, read_only: bool = False):
        self.folder = folder
        self.read_only = read_only
        self._used: set[str] = set()  # the keys of the bundles this build took or made

    def bundle(self, key: str) -> list[OutputFile] | None:
        """The files of a search bundle an earlier build made from the same pages (`key`), if kept."""
        if not self.folder:
            return None
        self._used.add(key)
        stored = read_pickle(self._path(key))
        return stored if isinstance(stored, list) and all(isinstance(file, OutputFile) for file in stored) else None

    def bundle_kept(self, key: str, files: Callable[[], list[OutputFile]]) -> None:
        """Note a search bundle an output folder holds as it was made (`key`): it stays in the cache, where
        `files` (read from that folder) put it back should the cache have lost it. A bundle only an output
        folder held was let go of at the next save, and a build into an empty folder indexed it again."""
        if self.folder and not self.read_only:
            self._used.add(key)
            if not self._path(key).is_file():
                write_pickle(self._path(key), files())

    def keep_bundle(self, key: str, files: list[OutputFile]) -> None:
        """Keep a search bundle's files, one file per bundle: a month's bundle outlives any output folder."""
        if self.folder:
            self._used.add(key)
            write_pickle(self._path(key), files)

    def forget(self, key: str) -> None:
        """Let go of a bundle kept by this build (made from pages of an output folder found touched)."""
        if self.folder:
            self._used.discard(key)
            self._path(key).unlink(missing_ok=True)

    def let_go_of_unused(self) -> None:
        """After a build with search, drop the bundles it did not use: their pages are gone from the board."""
        if self.folder and self._used:
            for path in (self.folder / "bundles").glob("*.pickle"):
                if path.stem not in self._used:
                    path.unlink(missing_ok=True)
        self._used = set()

    def _path(self, key: str) -> Path:
        assert self.folder
        return self.folder / "bundles" / f"{key}.pickle"
