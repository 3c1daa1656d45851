"""Build cache: the store of what earlier builds computed; `buildstate` decides what of it is still current.

Nine things are kept in `.cache/` under the board's root (ignored by git, kept between CI runs):
- the hash of each brief file's bytes, with the file's size, time and inode: a file whose stat is unchanged
  is not read again (as git's index does; a file changed in the last seconds before it was hashed is
  always read, since a same-second edit could keep its stat);
- parsed briefs without their Markdown (with a hash of it instead, which finds the rendered body), keyed by
  a hash of the brief's name and bytes plus the board's settings and the code (one that names a logo is
  taken only while the logo is there);
- rendered Markdown, keyed by a hash of the body and summary plus the markup stage's fingerprint (its code,
  libraries and settings: kept across versions of the generator that leave them alone): each
  summary with the parsed briefs, each HTML in a file of its own, read only when a page or feed shows it
  (a board's history of bodies is more than a build can hold);
- for each output folder, a record of every file written there: the fingerprint of what it was made from,
  the hash of its bytes and its size, time and inode. A page whose inputs fingerprint is unchanged and whose
  file is still the one we wrote is not rendered again; a file whose bytes are unchanged is not rewritten
  (outputrecords.py: the files a rebuild needs first, its open bundle's, in a table of their own);
- each project's digest, by what the project is made of (pagekeys.project_identity), so that a rebuild
  hashes only the projects that changed (this, the records and the brief files' hashes grow with the
  history: they are kept in shards that are written only when one of their rows changed, tables.py);
- the layouts as Jinja compiled them, and what each names, checked against their sources (layouts.py);
- each search bundle (see search_parts.py), keyed by its pages' fingerprints, so that a deploy which
  starts from an empty output folder indexes again only the bundles whose pages changed (bundlestore.py);
- each brief's last commit time, as of the commit the last build read up to (history.py), kept across
  versions of the generator that leave the history stage's code alone;
- each archive month (months.py, monthstore.py): its briefs, bodies' summaries and files' hashes leave the
  tables above for one part of their own, which a rebuild takes whole while its files hold the same bytes.

A cached build is byte-identical to a clean one: every key covers all that goes into its value. The files
are pickles, trusted like the board's own sources (never restore a `.cache/` from somewhere you would not
take code from). A damaged or foreign cache is ignored, never an error.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, NamedTuple

from jinja2 import __version__ as JINJA_VERSION

from . import contentfiles, history, markup, text, timelimit
from .brief import Brief
from .bundlestore import BundleStore
from .fingerprint import FORMAT, code_fingerprint, digest_of, entry_key, sources_fingerprint
from .history import CommitTimes
from .markup import MARKUP_FINGERPRINT, RenderedBody
from .monthstore import MonthStore
from .outputrecords import OutputRecords
from .tables import Table, read_pickle, whole_path, write_pickle

CACHE_DIR = Path(".cache")
SHARDS = 64  # entries are kept in this many files, by key, so a small change rewrites little
TRUSTED_AGE_NS = 2_000_000_000  # a file changed less than this before it was read is read again next time
# What the kept commit times are made by: the history stage and what it takes from, not the whole generator,
# so that a new version of microboard that leaves them alone does not read a long history again (its square:
# 2 s at 10,000 briefs, minutes at 100,000).
HISTORY_CODE = sources_fingerprint(history, contentfiles, text)
# What a body's HTML is made by: the markup stage's code and what it takes from, its libraries and settings.
# Not the whole generator: a new version that leaves them alone renders no Markdown again, most of a cold
# build's work (13 s of 20 s at 10,000 briefs).
BODY_CODE = digest_of(sources_fingerprint(markup, timelimit).encode(), MARKUP_FINGERPRINT.encode())


class FileDigest(NamedTuple):
    """A brief file's stat (size, modification time, inode) when its bytes hashed to `digest`."""

    stat: tuple[int, int, int]
    digest: str


class ProjectDigest(NamedTuple):
    """A project's digest, as a hash containing it writes it (see fingerprint.Digester), kept by what the
    project is made of (`pagekeys.project_identity`): a rebuild hashes only the projects that changed."""

    digest: bytes


class BuildCache:
    """The cache of one board. `BuildCache(None)` is the disabled cache of `--no-cache`: it finds
    nothing and keeps nothing. One instance may serve many builds (`board serve` keeps one in memory)."""

    def __init__(self, folder: Path | None, read_only: bool = False):
        self.folder = folder
        self.read_only = read_only  # `board check`: takes what earlier builds kept, keeps nothing
        self.code = code_fingerprint()
        self.body_code = BODY_CODE  # what the kept bodies were made by
        self._briefs: dict[str, tuple[Brief, str]] = {}  # key -> the brief without its Markdown, and a hash of that
        self._summaries: dict[str, str] = {}  # the bodies kept, each by its key: its summary (its HTML is in a file)
        self._used: set[str] = set()
        self._loaded = False
        self._dirty: set[int] = set()  # shards to write
        self.records = OutputRecords(folder)  # of each output folder's files
        self.bundles = BundleStore(folder, read_only)  # the search bundles kept
        self.months = MonthStore(folder, read_only)  # the archive months kept whole
        self._held: set[str] = set()  # the bodies of those months: their HTML stays though no build looks them up
        self._file_table = Table(folder / "files", FileDigest, {"format": FORMAT}, whole_path) if folder else None
        self._project_table = Table(folder / "projects", ProjectDigest, {"format": FORMAT, "code": self.code}, whole_path) if folder else None
        self._files: dict[str, FileDigest] | None = None  # brief files' hashes, by path, as an earlier build left them
        self._files_kept: dict[str, FileDigest] = {}  # those taken now
        self._files_used: set[str] = set()
        self._commit_times: CommitTimes | None = None  # as read from the cache (`commit_times`)

    @classmethod
    def for_board(cls, root: Path, enabled: bool = True, read_only: bool = False) -> BuildCache:
        return cls(root / CACHE_DIR if enabled else None, read_only)

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def load_entries(self) -> None:
        """Read the parsed briefs and the bodies' summaries (else read on the first lookup)."""
        if self._loaded or not self.folder:
            return
        self._loaded = True
        for shard in range(SHARDS):
            stored = read_pickle(self._shard_path(shard))
            ours = isinstance(stored, dict) and stored.get("format") == FORMAT
            same_code, same_markup = ours and stored.get("code") == self.code, ours and stored.get("body_code") == self.body_code
            if same_code:
                self._briefs.update(stored["briefs"])
            if same_markup:  # kept by any version of the generator with this markup stage
                self._summaries.update(stored["summaries"])
            if stored is not None and not (same_code and same_markup):
                self._dirty.add(shard)  # another version's entries: replace them at the next save

    def _shard_path(self, shard: int) -> Path:
        assert self.folder
        return self.folder / "entries" / f"{shard:02x}.pickle"

    def file_digest(self, path: str, stat: tuple[int, int, int]) -> str | None:
        """The hash of a brief file's bytes, if an earlier build hashed it as it is now (`stat`: size, time, inode)."""
        if self._files is None:
            self._files = self._file_table.read() if self._file_table else {}
        self._files_used.add(path)
        known = self._files_kept.get(path) or self._files.get(path)
        return known.digest if known is not None and known.stat == stat else None

    def keep_file_digest(self, path: str, stat: tuple[int, int, int], digest: str, read_at_ns: int) -> None:
        """Remember the hash of a file's bytes read at `read_at_ns`, unless it changed too shortly before
        then to trust its stat: a second edit within the clock's step could leave the stat as it is."""
        if self.folder and not self.read_only and stat[1] < read_at_ns - TRUSTED_AGE_NS:
            self._files_kept[path] = FileDigest(stat, digest)

    def keep_file_digests(self) -> None:
        """Write the brief files' hashes this build looked up (the others' files are gone), and let go of them
        until the next build asks: read once per build, they are 40 MB at 100,000 briefs."""
        if self._file_table and not self.read_only and self._files is not None:
            rows = self._files | self._files_kept
            if gone := rows.keys() - self._files_used:
                rows = {path: row for path, row in rows.items() if path not in gone}
            self._file_table.write(rows)
        if self._file_table:
            self._file_table.forget()
        self._files, self._files_used, self._files_kept = None, set(), {}

    def project_digests(self) -> dict[str, ProjectDigest]:
        """The digests of the projects the last build placed, by what each was made of."""
        return self._project_table.read() if self._project_table else {}

    def keep_project_digests(self, digests: dict[str, ProjectDigest]) -> None:
        """Keep the digests of this build's projects (only those), and let go of them: 30 MB at 100,000 briefs."""
        if self._project_table and not self.read_only:
            self._project_table.write(digests)
            self._project_table.forget()

    def brief(self, key: str) -> tuple[Brief, str] | None:
        """The brief parsed from the bytes and settings `key` was made of (without its Markdown) and a hash
        of its Markdown, if an earlier build parsed it."""
        self.load_entries()
        self._used.add(key)
        return self._briefs.get(key)

    def keep_brief(self, key: str, brief: Brief, markdown: str) -> None:
        self._remember(self._briefs, key, (brief, markdown))

    def body_summary(self, key: str) -> str | None:
        """A kept body's summary, without reading its HTML."""
        self.load_entries()
        self._used.add(key)
        return self._summaries.get(key)

    def keep_summary(self, key: str, summary: str) -> None:
        """A body's summary, its HTML kept already (an archive month's, taken back into the tables)."""
        self._remember(self._summaries, key, summary)

    def hold_bodies(self, keys: set[str]) -> None:
        """Keep the HTML of these bodies, whose summaries the archive months taken whole hold (months.py)."""
        self._held = keys

    def body_html(self, key: str) -> str | None:
        """A kept body's HTML, read from its file (in whichever process renders the page that shows it)."""
        stored = read_pickle(self._html_path(key)) if self.folder else None
        return stored if isinstance(stored, str) else None

    def keep_body(self, key: str, body: RenderedBody) -> bool:
        """Keep a body for the builds after; False when this cache keeps nothing (then nobody can read it back)."""
        if not self.folder or self.read_only:
            return False
        write_pickle(self._html_path(key), body.html)
        self._remember(self._summaries, key, body.summary)
        return True

    def _html_path(self, key: str) -> Path:
        assert self.folder
        return self.folder / "bodies" / self.body_code[:16] / key[:2] / f"{key}.pickle"

    def _remember(self, entries: dict[str, Any], key: str, value: Any) -> None:
        if self.folder:
            self._used.add(key)
            entries[key] = value
            self._dirty.add(_shard(key))

    def commit_times(self) -> CommitTimes | None:
        """Each brief's last commit time as the last build read it, if the history stage's code was the same."""
        stored = read_pickle(self.folder / "history.pickle") if self.folder else None
        fresh = isinstance(stored, dict) and stored.get("format") == FORMAT and stored.get("code") == HISTORY_CODE
        self._commit_times = stored["times"] if fresh and isinstance(stored["times"], CommitTimes) else None
        return self._commit_times

    def keep_commit_times(self, times: CommitTimes) -> None:
        """Keep `times` for the next build, unless they are those read (a build with no new commit writes nothing)."""
        if self.folder and not self.read_only and times.head and times is not self._commit_times:
            write_pickle(self.folder / "history.pickle", {"format": FORMAT, "code": HISTORY_CODE, "times": times})

    def compiled_layouts(self) -> Path | None:
        """The folder of the layouts earlier builds compiled with this generator and this Jinja (None: no cache)."""
        return self.folder / "layouts" / entry_key(self.code, JINJA_VERSION)[:16] if self.folder else None

    def keep_entries(self) -> None:
        """Write the briefs and bodies this build looked up (only those: deleted briefs leave the cache), rewriting
        only the shards that changed (a one-brief edit rewrites two small files), and let go of them until a
        build asks again: then a build reads only bodies' HTML, and the tables are 10s of MB at 100,000 briefs."""
        if self.folder and not self.read_only and (self._loaded or self._dirty):
            self._write_entries()
        self._briefs, self._summaries, self._used, self._dirty, self._loaded = {}, {}, set(), set(), False

    def _write_entries(self) -> None:
        assert self.folder
        for key in self._briefs.keys() - self._used:
            del self._briefs[key]
            self._dirty.add(_shard(key))
        for key in self._summaries.keys() - self._used:
            del self._summaries[key]
            if key not in self._held:
                self._html_path(key).unlink(missing_ok=True)
            self._dirty.add(_shard(key))
        shards: dict[int, dict[str, dict[str, Any]]] = {shard: {"briefs": {}, "summaries": {}} for shard in self._dirty}
        for kind, entries in (("briefs", self._briefs), ("summaries", self._summaries)):
            for key, value in entries.items():
                if (shard := _shard(key)) in shards:
                    shards[shard][kind][key] = value
        for shard, stored in sorted(shards.items()):
            write_pickle(self._shard_path(shard), {"format": FORMAT, "code": self.code, "body_code": self.body_code, **stored})

    def save(self) -> None:
        """Write what this build looked up and has not written yet, and let go of what other versions left."""
        if not self.folder:
            return
        self.keep_file_digests()
        self.keep_entries()
        for folder in (self.folder / "bodies").glob("*"):  # another markup stage's bodies: its keys are not this one's
            if folder.name != self.body_code[:16]:
                shutil.rmtree(folder, ignore_errors=True)
        self.bundles.let_go_of_unused()
        self.months.save()
        compiled = self.compiled_layouts()
        for folder in compiled.parent.glob("*") if compiled else ():  # another version's compiled layouts
            if folder != compiled:
                shutil.rmtree(folder, ignore_errors=True)


def _shard(key: str) -> int:
    return int(key[:2], 16) % SHARDS
