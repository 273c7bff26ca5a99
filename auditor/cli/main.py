"""The ``auditor`` command: parse, dispatch through `COMMANDS`, map errors to exit codes.

This is the only place that decides the process's exit status for errors; every module below
raises `AuditorError` subclasses, which carry their exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from auditor import __version__
from auditor.cli import process, session
from auditor.cli.commands import COMMANDS
from auditor.cli.options import EXIT_CODES_HELP
from auditor.core.errors import AuditorError, ExitCode, one_line
from auditor.core.readlog import recording_config


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose usage error is one line, as every other error is: the usage it
    printed first ran to 21 lines for `scan`, with the error itself last, after them."""

    def error(self, message: str) -> NoReturn:
        self.exit(
            int(ExitCode.USAGE), f"{self.prog}: error: {one_line(message)} (see `{self.prog} --help`)\n"
        )


class _CommandParser(_Parser):
    """A command's parser, whose options may come between its inputs (`scan REPO --waivers W
    OTHER`), as dnf's, rpmlint's and pip's may: argparse's own parser took OTHER for an
    unrecognized argument once an option had ended the inputs.

    argparse's `parse_known_intermixed_args` drops a ``--`` that comes before the first input,
    and then reads an input named ``-x.rpm`` after it as an option: the options are read here
    from the words before ``--`` alone, the inputs from the rest, with everything after ``--``."""

    _reading = False

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._reading:  # the two passes below
            return super().parse_known_args(args, namespace)
        words = list(sys.argv[1:] if args is None else args)
        cut = words.index("--") if "--" in words else len(words)
        self._reading = True
        try:
            namespace, inputs = self._options(words[:cut], namespace)
            namespace, extra = self._inputs([*inputs, *words[cut:]], namespace)
        finally:
            self._reading = False
        if extra:  # said here, by its command (`auditor diff: error: ...`), not by `auditor`
            self.error(f"unrecognized arguments: {' '.join(extra)}")
        return namespace, extra

    def _options(
        self, words: list[str], namespace: argparse.Namespace | None
    ) -> tuple[argparse.Namespace, list[str]]:
        """The options, the positional arguments left for `_inputs` (argparse's first pass)."""
        positionals = self._get_positional_actions()
        kept = [(action, action.nargs, action.default) for action in positionals]
        usage = self.usage
        if usage is None:
            self.usage = self.format_usage()[len("usage: ") :]  # --help names the inputs still
        for action in positionals:
            action.nargs = action.default = argparse.SUPPRESS
        try:
            return self.parse_known_args(words, namespace)
        finally:
            for action, nargs, default in kept:
                action.nargs, action.default = nargs, default
            self.usage = usage

    def _inputs(
        self, words: list[str], namespace: argparse.Namespace
    ) -> tuple[argparse.Namespace, list[str]]:
        """The inputs and the unrecognized words (argparse's second pass), no option required:
        `_options` read the options."""
        optionals = [action for action in self._get_optional_actions() if action.required]
        for action in optionals:
            action.required = False
        try:
            return self.parse_known_args(words, namespace)
        finally:
            for action in optionals:
                action.required = True


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with ``only``, the arguments of that command alone are added
    (a run uses one command's: adding every command's took 5 ms of a replayed scan's 0.27 s)."""
    parser = _Parser(
        prog="auditor",
        description="Prove that an RPM distribution is independent of one vendor's repositories.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"auditor {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_CommandParser)
    subparsers.required = True
    for name, command in COMMANDS.items():
        subparser = subparsers.add_parser(
            name,
            help=command.SUMMARY,
            description=command.DESCRIPTION,
            epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if only is None or name == only:
            command.configure(subparser)
    return parser


def _command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs: its first word, the main parser's options taking no value."""
    first = next((word for word in argv if not word.startswith("-")), None)
    return first if first in COMMANDS else None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(_command_named(sys.argv[1:] if argv is None else argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else int(ExitCode.USAGE)
    debug = getattr(args, "debug", False)
    try:
        with process.collector_paused(), recording_config() as config:
            return int(COMMANDS[args.command].run(args, session.start(args, config)))
    except AuditorError as exc:
        print(f"auditor: error: {one_line(str(exc))}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("auditor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Standard output and error survive their reader (`output`, `process`): a pipe broken
        # elsewhere left the run unfinished, and an unfinished run never passes.
        return int(ExitCode.INTERNAL)
    except FileNotFoundError as exc:
        if _working_directory_exists():
            return _internal_error(exc, debug)
        # The directory the run started in was removed (a CI step's checkout cleaned up under
        # it): every relative path fails to resolve, wherever it is read. A run of absolute
        # paths still works, so this is said only when one failed.
        print(
            "auditor: error: the working directory no longer exists, so a relative path names nothing "
            "(run from a directory that exists, or give absolute paths)",
            file=sys.stderr,
        )
        return int(ExitCode.INPUT)
    except Exception as exc:  # the last line of defence, mapped to exit code 4
        return _internal_error(exc, debug)


def _internal_error(exc: Exception, debug: bool) -> int:
    """Exit code 4, with the exception on one line (and its traceback under ``--debug``)."""
    if debug:
        import traceback  # here: 2 ms at every start, for --debug alone

        traceback.print_exc()
    message = one_line(f"{type(exc).__name__}: {exc}")
    print(f"auditor: internal error: {message} (--debug shows the traceback)", file=sys.stderr)
    return int(ExitCode.INTERNAL)


def _working_directory_exists() -> bool:
    try:
        os.getcwd()
    except FileNotFoundError:
        return False
    return True


def console_main() -> NoReturn:
    """The ``auditor`` command: `main`, then an exit that skips tearing the run down (`process`)."""
    process.keep_until_exit()
    process.streams_outlive_their_readers()
    process.signals_unwind_the_run()
    try:
        code = main()
        if process.received_signal() is None:
            process.exit_now(code)
    except BaseException:  # Terminated wherever it landed, the parsing of the arguments included
        if process.received_signal() is None:
            raise
    # The run was unwound for a signal, and ends by it, whatever took its place on the way out.
    signum = process.received_signal()
    assert signum is not None
    with contextlib.suppress(OSError):  # a hung-up terminal may refuse the line
        print(f"auditor: terminated by {signal.Signals(signum).name}", file=sys.stderr)
    process.end_by_signal(signum)
