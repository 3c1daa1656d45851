"""Index stage: each bundle of the search index (search_parts.py) kept while its pages are, else made again.

The open bundle is the one a rebuild makes again (an employer's edit is to an open project), and making
it is the longest step of a rebuild: 3 to 5 s for its 1,500 pages, most of it in the Pagefind binary on
one core, while the rest of the build is this process's alone, on the other. So the build renders the
open bundle's pages first and `start_open_bundle` has a thread drive Pagefind over them while this
process plans and renders the rest of the board, the part whose cost grows with the board's history
(3 s at 100,000 briefs). `index` then makes the archive months whose pages changed, and takes the open
bundle when it is done.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from . import search, search_parts
from .buildstate import BuildState
from .fingerprint import entry_key, sources_fingerprint
from .model import Project, Site
from .outputs import OutputFile
from .parallel import in_thread
from .search import PAGEFIND_VERSION, index_search
from .search_parts import OPEN_BUNDLE, bundle_folder, bundle_pages, parts_file
from .writer import Staged

Bundles = Mapping[str, Sequence[Project]]  # every bundle's projects, by name (`search_bundles`)
# What makes a bundle of the pages it reads: Pagefind, and the code that feeds it and keeps its files.
INDEXER = entry_key(sources_fingerprint(search, search_parts), PAGEFIND_VERSION)


@dataclass(frozen=True)
class SearchIndex:
    files: list[Staged]  # the Pagefind bundles made now or taken from the cache, and the list of parts
    keys: dict[str, str | None]  # each bundle's fingerprint, by name: `board serve` indexes again those that change (None: unknown)
    parts: int  # how many bundles the index has
    indexed: tuple[str, ...]  # the bundles made now; the others are kept


@dataclass(frozen=True)
class OpenBundle:
    """The open bundle as `start_open_bundle` left it: taken as it was, or being made."""

    key: str | None
    kept: list[Staged]  # its files, when taken as they were
    made: Callable[[], list[OutputFile]] | None  # waits for its files, when it is being made
    stop: Callable[[], None] = lambda: None  # stops making it: for a build that fails meanwhile, so as not to wait for it

    def finished(self) -> OpenBundle:
        """This bundle once it is made: waited for now."""
        if self.made is None:
            return self
        files = self.made()
        return OpenBundle(self.key, self.kept, lambda: files, self.stop)


def start_open_bundle(site: Site, bundles: Bundles, state: BuildState, progress: Callable[[str], None]) -> OpenBundle:
    """Take the open bundle as it was if its pages are (every one rendered or kept by now), else start
    making it in a thread, while this process goes on (the thread holds off forks: `parallel.in_thread`)."""
    key = _key(state, site, OPEN_BUNDLE, bundles[OPEN_BUNDLE])
    taken = state.keep_bundle(bundle_folder(OPEN_BUNDLE), key)
    staging = state.staging
    assert staging is not None
    if taken is not None:
        return OpenBundle(key, [staging.put(file) for file in taken], None)
    progress(f"indexing {len(bundles[OPEN_BUNDLE])} open and recently closed projects for search")
    stop = threading.Event()
    making = in_thread(functools.partial(index_search, stop=stop), site, {OPEN_BUNDLE: bundles[OPEN_BUNDLE]}, staging.read, 1)
    return OpenBundle(key, [], making, stop.set)


def index(site: Site, bundles: Bundles, state: BuildState, search: bool, started: OpenBundle | None,
          progress: Callable[[str], None], jobs: int | None) -> SearchIndex:
    """The bundles of the search index, unless skipped: those made from pages that changed (a bundle made
    from the same pages as the one in the output folder is kept; each is staged as soon as it is made or
    taken from the cache, so the build holds one at a time), the open one taken from `started` if given."""
    keys = {name: started.key if started and name == OPEN_BUNDLE else _key(state, site, name, projects) for name, projects in bundles.items()}
    if not search:
        return SearchIndex([], keys, len(bundles), ())
    staging = state.staging
    assert staging is not None
    files, todo = list(started.kept) if started else [], []
    for name in bundles:
        taken = [] if started and name == OPEN_BUNDLE else state.keep_bundle(bundle_folder(name), keys[name])
        if taken is None:
            todo.append(name)
        else:
            files += [staging.put(file) for file in taken]
    if todo:
        progress(f"indexing {sum(len(bundles[name]) for name in todo)} projects for search, in {len(todo)} parts")

    def made(name: str, bundle: list[OutputFile]) -> list[Staged]:
        state.made_bundle(bundle, keys[name])
        return [staging.put(file) for file in bundle]

    files += index_search(site, {name: bundles[name] for name in todo}, staging.read, jobs, made)
    making = started.made if started else None
    if making is not None:
        files += made(OPEN_BUNDLE, making())
    indexed = (OPEN_BUNDLE,) * (making is not None) + tuple(todo)
    return SearchIndex(files + [staging.put(parts_file(bundles))], keys, len(bundles), indexed)


def _key(state: BuildState, site: Site, name: str, projects: Sequence[Project]) -> str | None:
    """The bundle's fingerprint; the base path and the language are those Pagefind is given with the pages."""
    indexer = entry_key(INDEXER, site.config.base_path, site.config.language)
    return state.bundle_key(bundle_folder(name), indexer, bundle_pages(projects))
