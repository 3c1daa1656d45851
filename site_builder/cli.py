"""`board` on the command line: argparse in, exit status out (0 ok, 1 content or config problems, 2 usage)."""

from __future__ import annotations

import argparse
import io
import os
import shlex
import signal
import sys
import threading
from datetime import date
from pathlib import Path

from . import __version__
from .build import build, check_board
from .cache import BuildCache
from .config import GITHUB_HANDLE, load_config
from .errors import FORMATTERS, BoardError, Problem, format_json, format_warnings
from .lifecycle import today_in

# Each command's own modules (the dev server, intake, init, new) are imported when that command runs:
# `board build` and `board check` should not pay for what they never call.

EXAMPLES = {
    "build": "board build --output public --base-url https://example.org/board/",
    "check": "board check                      # every brief\n"
             "  board check content/projects/acme-crm-cleanup.md --format github\n"
             "  board check --base origin/main --author octocat   # and may octocat make these changes?",
    "init": "board init myboard && cd myboard && board serve",
    "intake": "board intake issue.md --author octocat --issue 12 --reply reply.md",
    "new": "board new acme-crm-cleanup",
    "upgrade": "board upgrade                    # after pip install --upgrade microboard; then git diff",
    "serve": "board serve                      # then open the address it prints\n"
             "  board serve --port 8080 --drafts",
}


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _handle(text: str) -> str:
    handle = text.removeprefix("@")
    if not GITHUB_HANDLE.fullmatch(handle.removesuffix("[bot]")):
        raise argparse.ArgumentTypeError(f"expected a GitHub handle like octocat, got {text!r}")
    return handle


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="board", description="Build and check a micro-internship board.",
        epilog="Run `board COMMAND --help` for a command's options and an example.")
    parser.add_argument("--version", action="version", version=f"microboard {__version__}")
    parser.add_argument("--root", type=Path, default=Path("."), help="the board's folder (default: the current one)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help_text, description=help_text, epilog=f"example:\n  {EXAMPLES[name]}",
                                   formatter_class=argparse.RawDescriptionHelpFormatter)

    build_command = command("build", "Build the whole board into a folder (public/ by default).")
    build_command.add_argument("--output", type=Path, default=Path("public"), metavar="DIR", help="where to write the site (default: public)")
    build_command.add_argument("--base-url", metavar="URL", help="override site.toml's base_url, e.g. for a preview deploy")
    build_command.add_argument("--now", type=_date, metavar="DATE", help="build as of this date, YYYY-MM-DD (default: today in the board's timezone)")
    build_command.add_argument("--drafts", action="store_true", help="include briefs marked draft: true")
    build_command.add_argument("--no-search", dest="search", action="store_false",
                               help="skip the search index, for a quicker local build (the search page then says it is unavailable)")
    caching = build_command.add_mutually_exclusive_group()
    caching.add_argument("--no-cache", action="store_true", help="ignore .cache/ and write the whole site afresh "
                                                                 "(the result is the same, only slower)")
    caching.add_argument("--cache", type=Path, metavar="DIR", help="keep the build cache in DIR instead of .cache/ "
                                                                   "(relative to the board's folder, like --output)")
    build_command.add_argument("--explain", action="store_true",
                               help="list each brief parsed, page rendered and file written, and the git history read, and why the cache could not spare it")
    build_command.add_argument("--jobs", type=_positive, metavar="N", help="processes to build with (default: one per core)")

    check = command("check", "Validate site.toml and the briefs; list every problem with file:line.")
    check.add_argument("files", nargs="*", type=Path, metavar="FILES", help="briefs to check (default: all of content/projects/)")
    check.add_argument("--format", choices=sorted(FORMATTERS), default="text", help="text (default), github annotations, or json")
    check.add_argument("--now", type=_date, metavar="DATE", help="the date to check as of (default: today in the board's timezone)")
    check.add_argument("--base", metavar="REF", help="with --author: also check that AUTHOR may make every change "
                       "since this git commit, branch or tag (a pull request's base)")
    check.add_argument("--author", type=_handle, metavar="HANDLE", help="with --base: the GitHub handle making the changes "
                       "(a pull request's author); compared case-insensitively")
    check.add_argument("--cache", type=Path, metavar="DIR", help="read the build cache from DIR instead of .cache/ (relative "
                       "to the board's folder); with --base, .cache/ is never read, and DIR must be outside the board's folder")

    take = command("intake", "Turn an issue made with the board's forms (Post a project, Update or close my project) into "
                             "a checked change to a brief, or into a reply that says which answers to fix.")
    take.add_argument("body", type=Path, metavar="ISSUE_BODY_FILE", help="a file holding the issue's body, as GitHub wrote it")
    take.add_argument("--author", type=_handle, required=True, metavar="HANDLE",
                      help="the issue's author: the new listing's maintainer, or who must be allowed to change it")
    take.add_argument("--base", default="HEAD", metavar="REF", help="the commit to check the change against, as "
                      "board check --base does (default: HEAD)")
    take.add_argument("--issue", type=_positive, metavar="N", help="the issue's number, for the pull request to link and close")
    take.add_argument("--reply", type=Path, metavar="FILE", help="also write the Markdown reply here: the problems to fix "
                      "(exit 1; printed too), or the pull request's description (exit 0; its title is printed)")
    take.add_argument("--now", type=_date, metavar="DATE", help="the date to post and check as of (default: today in the board's timezone)")

    init = command("init", "Write a new board that builds at once: site.toml, an example brief, the employers' guide "
                           "and the GitHub workflows; the look comes with microboard.")
    init.add_argument("folder", nargs="?", type=Path, default=Path("."), metavar="DIR",
                      help="where to write it: a new or empty folder (default: the current one)")
    init.add_argument("--force", action="store_true", help="write into a folder that is not empty: only the files "
                      "that are missing, never over an existing one")

    new = command("new", "Write content/projects/SLUG.md: a brief template with every field explained.")
    new.add_argument("slug", metavar="SLUG", help="the new brief's name in its URL, like acme-crm-cleanup")

    command("upgrade", "Bring the files microboard gave the board (workflows, issue forms, employers' guide) to this "
                       "version of microboard; a file the board changed is left, with this version's beside it as FILE.new.")

    serve = command("serve", "Build the board, serve it on this computer, and rebuild and reload the browser on every save.")
    serve.add_argument("--port", type=_port, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this computer only; 0.0.0.0 shares it with your network)")
    serve.add_argument("--now", type=_date, metavar="DATE", help="build as of this date, YYYY-MM-DD (default: today in the board's timezone)")
    serve.add_argument("--drafts", action="store_true", help="include briefs marked draft: true")
    return parser


def run_check(args: argparse.Namespace) -> int:
    root = args.root
    if (args.base is None) != (args.author is None):
        print("board check: error: --base and --author go together: --base REF --author HANDLE", file=sys.stderr)
        return 2
    cache = _cache_folder(root, args.cache)
    if args.base is not None and cache is not None and cache.is_relative_to(root.resolve()):
        print(f"board check: error: with --base, --cache must name a folder outside the board's ({args.cache} is inside it): the "
              "board's files are the pull request's, and the cache holds pickles and compiled layouts the checker loads", file=sys.stderr)
        return 2
    files: list[Path] = []
    missing: list[Problem] = []
    for path in args.files:
        if not (root / path).is_file():
            missing.append(Problem(path.as_posix(), 1, "there is no such file: give the path of a brief, like content/projects/acme-crm-cleanup.md"))
        elif os.path.abspath(root / path) not in map(os.path.abspath, files):  # named twice: checked once, not "slug already used"
            files.append(root / path)
    problems = missing
    try:
        today = args.now or today_in(load_config(root).timezone)
        result = check_board(root, today, files if args.files else None, args.base, args.author, cache)
    except BoardError as error:
        problems = problems + error.problems
    if problems:
        sys.stdout.write(FORMATTERS[args.format](problems))
        if args.format == "text":
            files_with_problems = len({p.path for p in problems})
            print(f"{len(problems)} problem{'s' * (len(problems) != 1)} in "
                  f"{files_with_problems} file{'s' * (files_with_problems != 1)}", file=sys.stderr)
        return 1
    if args.format == "json":
        sys.stdout.write(format_json([], result.warnings))
    else:
        sys.stdout.write(format_warnings(result.warnings, args.format))
    if args.format == "text":
        owner = f"; @{args.author} may make every change since {args.base}" if args.base else ""
        print(f"ok: {len(result.briefs)} brief{'s' * (len(result.briefs) != 1)}, {result.open_count} open on {today}{owner}")
    return 0


def _terminal_progress():
    """Show each build stage on one rewritten line when a person watches a terminal; say nothing to a pipe or a log."""
    if not sys.stdout.isatty():
        return lambda stage: None

    def show(stage: str) -> None:
        sys.stdout.write(f"\r\033[K{stage}…")
        sys.stdout.flush()
    return show


def _cache_folder(root: Path, folder: Path | None) -> Path | None:
    return (root / folder).resolve() if folder is not None else None  # relative to the board's folder, like --output


def run_build(args: argparse.Namespace) -> int:
    root = args.root
    today = args.now or today_in(load_config(root).timezone)
    output = args.output if args.output.is_absolute() else root / args.output
    folder = _cache_folder(root, args.cache)
    result = build(root, output, today, base_url=args.base_url, drafts=args.drafts, search=args.search,
                   cache=BuildCache(folder) if folder else None, use_cache=not args.no_cache, jobs=args.jobs,
                   progress=_terminal_progress())
    print(("\r\033[K" if sys.stdout.isatty() else "") + (str(result.report) if args.explain else "") + result.summary())
    return 0


def run_intake(args: argparse.Namespace) -> int:
    from .intake import intake
    try:
        body = args.body.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        print(f"board intake: error: cannot read {args.body}: {error.strerror}", file=sys.stderr)
        return 2
    today = args.now or today_in(load_config(args.root).timezone)
    result = intake(args.root, body, args.author, today, args.base, args.issue)
    if args.reply:
        args.reply.write_text(result.reply, encoding="utf-8")
    print(result.title if result.ok else result.reply, end="\n" if result.ok else "")
    return 0 if result.ok else 1


def run_init(args: argparse.Namespace) -> int:
    from .starter import FolderNotEmpty, init_board
    try:
        written, kept = init_board(args.folder, force=args.force)
    except FolderNotEmpty as error:
        print(f"board init: error: {error}", file=sys.stderr)
        return 1
    where = args.folder.as_posix()
    print(f"wrote {len(written)} files into {where}/" + (f"; kept {len(kept)} that were there: {', '.join(kept)}" if kept else ""))
    go = f"cd {shlex.quote(where)} && " if where != "." else ""
    print(f"next: {go}board serve   (then open the address it prints; edit site.toml to name the board)")
    return 0


def run_upgrade(args: argparse.Namespace) -> int:
    from .starter import upgrade_board
    load_config(args.root)  # a board's folder, with a site.toml that reads
    print(upgrade_board(args.root).summary())
    return 0


def run_new(args: argparse.Namespace) -> int:
    from .scaffold import new_brief
    config = load_config(args.root)
    path = new_brief(args.root, config, args.slug, today_in(config.timezone))
    print(f"wrote {path.relative_to(args.root).as_posix()}: fill in the fields, then run `board check`")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from .devserver import DevServer
    try:
        server = DevServer(args.root, args.host, args.port, now=args.now, drafts=args.drafts,
                           log=lambda line: print(line, flush=True))
    except OSError as error:
        print(f"board serve: cannot listen on {args.host} port {args.port}: {error.strerror}; "
              "choose another with --port", file=sys.stderr)
        return 1
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` stops it as cleanly as Ctrl-C
    try:
        with server:
            server.wait()
    except KeyboardInterrupt:
        print("stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a terminal or log in ASCII or Latin-1 still gets every message, escaped
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    args = build_parser().parse_args(argv)
    handlers = {"build": run_build, "check": run_check, "init": run_init, "intake": run_intake, "new": run_new,
                "serve": run_serve, "upgrade": run_upgrade}
    try:
        return handlers[args.command](args)
    except BoardError as error:
        sys.stderr.write(FORMATTERS["text"](error.problems))
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`board check | head`): say nothing more, and let exit not flush into the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def run() -> None:
    """The `board` command: `main`, then, when it succeeded, an exit that does not free the board's objects
    one by one: all it made is written and closed by then, and that freeing took 1.3 s after a rebuild of
    a 100,000-brief board (0.15 s at 10,000). A failure exits as usual, ending any worker it left."""
    status = main()
    if status == 0:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a reader gone, a stream closed: nothing left to say there
                pass
        os._exit(0)
    sys.exit(status)
