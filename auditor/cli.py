"""Command line: parse arguments, wire sources, analysis and reports, map errors to exit codes.

This is the only module that prints errors or decides the exit status.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence

from auditor import __version__
from auditor.errors import AuditorError, ExitCode, InputError, UsageError
from auditor.progress import Progress
from auditor.reports import inventory
from auditor.sources import load_inputs

EXIT_CODES_HELP = """\
exit codes:
  0  passed: no blocking findings
  1  blocking findings
  2  usage, policy, waiver or baseline file error
  3  input error: an input could not be read, so the audit is incomplete (wins over 1)
  4  internal error (the traceback is shown with --debug)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auditor",
        description="Prove that an RPM distribution is independent of one vendor's repositories.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"auditor {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    scan = commands.add_parser(
        "scan",
        help="read RPMs, source RPMs, directories and repositories and report on them",
        description="Read RPM files, source RPMs, directories (walked recursively) and local "
        "yum/dnf repositories (a directory holding repodata/repomd.xml, or that file).",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    scan.add_argument("targets", nargs="+", metavar="PATH", help="inputs to audit")
    scan.add_argument("--format", choices=inventory.FORMATS, default="table",
                      help="output format (default: table)")  # fmt: skip
    scan.add_argument("-o", "--output", metavar="FILE",
                      help="write the report to FILE (atomically) instead of standard output")  # fmt: skip
    _common(scan)
    return parser


def _common(command: argparse.ArgumentParser) -> None:
    command.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    command.add_argument("-q", "--quiet", action="store_true", help="no progress on standard error")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else int(ExitCode.USAGE)
    debug = getattr(args, "debug", False)
    try:
        return int(_run(args))
    except AuditorError as exc:
        print(f"auditor: error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("auditor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return int(ExitCode.PASSED)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        print(f"auditor: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
              file=sys.stderr)  # fmt: skip
        return int(ExitCode.INTERNAL)


def _run(args: argparse.Namespace) -> ExitCode:
    if args.command == "scan":
        return _scan(args)
    raise UsageError(f"unknown command {args.command}")


def _scan(args: argparse.Namespace) -> ExitCode:
    progress = Progress(enabled=not args.quiet)
    loaded = load_inputs(args.targets, progress=progress.update)
    progress.done()
    text = inventory.render(args.format, loaded)
    write_output(text, args.output)
    report_errors(loaded.errors)
    return ExitCode.INPUT if loaded.errors else ExitCode.PASSED


def report_errors(errors: Sequence[InputError]) -> None:
    for error in errors:
        print(f"auditor: error: {error}", file=sys.stderr)


def write_output(text: str, path: str | None) -> None:
    """Print to stdout, or replace ``path`` atomically: a reader never sees half a report."""
    if path is None or path == "-":
        sys.stdout.write(text)
        if text and not text.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()
        return
    directory = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".auditor-", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            if text and not text.endswith("\n"):
                stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
