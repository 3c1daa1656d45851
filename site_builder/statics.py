"""Static stage: the theme's static files and the board's own `static/` -> the files the board publishes,
the board's each judged by what it is, never by its name.

The packaged theme's files and the board's own outside static/logos/ (style.css overrides and the like)
belong to the board's maintainers and are published as they are. `static/logos/` is where pull requests from strangers add files, so nothing there
is published as given: a logo is a regular file directly in the folder, under a size cap, either a PNG,
JPEG, WebP or GIF image that Pillow reads (published re-encoded at the size the pages show it, its
metadata dropped) or an SVG passed through svg-hush (no script, no event handler, no outside reference).
Anything else there is a problem, whatever its name: it would otherwise be served from the board's origin.
A symbolic link anywhere under `static/` (or `content/`) is refused and never followed: it could point at
/proc/self/environ or at .git/config, which the build would then publish.
"""

from __future__ import annotations

import functools
import io
import os
from dataclasses import dataclass
from pathlib import Path

from .contentfiles import LOGO_NAME, LOGOS_DIR, is_editor_noise, link_problems
from .errors import Problem
from .outputs import OutputFile
from .theme import STATIC_DIR, Theme

MAX_LOGO_BYTES = 1024 * 1024
# Pillow reads the size from the header, before decoding: a 1 MB file can claim 50,000 x 50,000 pixels.
MAX_LOGO_PIXELS = 4096 * 4096
# Twice the largest size the layouts show a logo at (64 CSS pixels), for high-density screens.
LOGO_PIXELS = 128
# Raster formats by what Pillow finds in the bytes; only these decoders are ever tried (Pillow's EPS
# plugin, for one, would run Ghostscript). Each is published in its own format, so its extension stays true.
RASTER_FORMATS = {"PNG": (".png",), "JPEG": (".jpg", ".jpeg"), "WEBP": (".webp",), "GIF": (".gif",)}
SAVE_OPTIONS = {"PNG": {"optimize": True}, "JPEG": {"quality": 85, "optimize": True},
                "WEBP": {"quality": 85, "method": 6}, "GIF": {"optimize": True}}
KINDS = "a PNG, JPEG, WebP, GIF or SVG image"


@dataclass(frozen=True)
class Statics:
    """What the board publishes under static/: path under the output folder -> bytes, and every problem found."""

    files: dict[str, bytes]
    problems: list[Problem]


def static_outputs(files: dict[str, bytes]) -> list[OutputFile]:
    return [OutputFile(path, data) for path, data in sorted(files.items())]


def load_statics(root: Path, theme: Theme) -> Statics:
    """Every static file as it is published: the packaged theme's, then the board's own over them, logos
    re-encoded; a problem for each of the board's files that may not be published."""
    own = root / STATIC_DIR
    files = {f"{STATIC_DIR.as_posix()}/{name}": path.read_bytes() for name, path in theme.static.items()
             if not path.is_relative_to(own)}  # the packaged theme's: the board's own are read below, by the rules
    problems = link_problems(root, STATIC_DIR)
    logos = root / LOGOS_DIR
    for parent, dirs, names in os.walk(own) if not own.is_symlink() else ():  # os.walk never enters a linked folder
        here = Path(parent)
        dirs[:] = sorted(name for name in dirs if not is_editor_noise(name))
        for name in sorted(names):
            path = here / name
            if is_editor_noise(name) or path.is_symlink():  # a link is one of link_problems
                continue
            source = path.relative_to(root).as_posix()
            if here == logos:
                logo, problem = publish_logo(path)
                if problem:
                    problems.append(Problem(source, 1, problem))
                else:
                    files[source] = logo
            elif here.is_relative_to(logos):
                problems.append(Problem(source, 1, f"{LOGOS_DIR}/ holds logos only, each a file directly in it: "
                                                   "move the logo up into that folder"))
            else:
                files[source] = path.read_bytes()
    return Statics(files, sorted(problems))


def publish_logo(path: Path) -> tuple[bytes, str | None]:
    """A logo's published bytes, or the reason it cannot be a logo. Memoized on the file's bytes."""
    try:
        if path.stat().st_size > MAX_LOGO_BYTES:
            return b"", f"the logo is {path.stat().st_size / 1024 / 1024:.1f} MB; a logo must be under " \
                        f"{MAX_LOGO_BYTES // 1024 // 1024} MB (it is shown at most {LOGO_PIXELS // 2} pixels wide)"
        with open(path, "rb", opener=lambda file, flags: os.open(file, flags | os.O_NOFOLLOW)) as file:
            data = file.read(MAX_LOGO_BYTES + 1)
    except OSError as error:
        return b"", f"the logo cannot be read ({error.strerror or error})"
    if path.suffix.lower() not in (".svg", *(s for suffixes in RASTER_FORMATS.values() for s in suffixes)):
        return b"", (f"only logos belong in {LOGOS_DIR}/, each {KINDS}: this file would be served from the "
                     "board's own address, so remove it from the pull request")
    if not LOGO_NAME.fullmatch(path.name):
        return b"", (f"a logo's file name is letters, digits, hyphens and underscores, then .png, .jpg, .webp, .gif or .svg, "
                     f"like acme-analytics.png: rename {path.name}")
    return _published(data, path.suffix.lower())


@functools.lru_cache(maxsize=1024)
def _published(data: bytes, suffix: str) -> tuple[bytes, str | None]:
    if suffix == ".svg":
        return _sanitized_svg(data)
    return _reencoded(data, suffix)


def _sanitized_svg(data: bytes) -> tuple[bytes, str | None]:
    """The SVG without scripts, event handlers, outside references or foreign content (svg-hush's allowlist)."""
    import py_svg_hush  # here and Pillow below: only a board with logos loads them

    try:
        return py_svg_hush.filter_svg(data), None
    except ValueError as error:
        return b"", (f"this is not {KINDS} the board can read ({error}): an SVG logo is an XML file whose root "
                     "is <svg xmlns=\"http://www.w3.org/2000/svg\">; export it again, or use a PNG")


def _reencoded(data: bytes, suffix: str) -> tuple[bytes, str | None]:
    """The image decoded and saved again, at most LOGO_PIXELS square, without its metadata: the same
    bytes in give the same bytes out."""
    from PIL import Image, ImageOps

    try:
        image = Image.open(io.BytesIO(data), formats=list(RASTER_FORMATS))
        kind = image.format
        if image.width * image.height > MAX_LOGO_PIXELS:
            return b"", (f"the logo is {image.width} x {image.height} pixels; a logo must have at most "
                         f"{MAX_LOGO_PIXELS:,} pixels (it is shown at most {LOGO_PIXELS // 2} pixels wide)")
        image.verify()  # checksums and structure; the image must be opened again after it
        image = ImageOps.exif_transpose(Image.open(io.BytesIO(data), formats=[kind]))
        image = image.convert("RGB" if kind == "JPEG" else "RGBA")
        image.thumbnail((LOGO_PIXELS, LOGO_PIXELS), Image.Resampling.LANCZOS)
        published = io.BytesIO()
        image.save(published, kind, **SAVE_OPTIONS[kind])
    # Pillow reports a damaged or hostile file with any of many exception types (OSError, SyntaxError,
    # ValueError, struct.error, EOFError, DecompressionBombError...); each means only "not a logo".
    except Exception:  # noqa: BLE001
        return b"", f"this is not {KINDS} the board can read: open it in an image editor and save it again as a PNG"
    if suffix not in RASTER_FORMATS[kind]:
        return b"", f"this file is a {kind} image but its name ends in {suffix}: name it with {RASTER_FORMATS[kind][0]}"
    return published.getvalue(), None
