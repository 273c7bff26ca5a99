"""Exit codes and the error hierarchy.

Only ``cli.main`` turns these into exit codes and messages; every other module raises.
"""

from __future__ import annotations

import enum
import re


class ExitCode(enum.IntEnum):
    """The process exit status. Documented in the README and ``--help``; never renumbered."""

    PASSED = 0
    FINDINGS = 1
    USAGE = 2
    INPUT = 3
    INTERNAL = 4


class AuditorError(Exception):
    """Root of every error the auditor reports to the user as one sentence."""

    exit_code: ExitCode = ExitCode.INTERNAL


class UsageError(AuditorError):
    """The command line is wrong."""

    exit_code = ExitCode.USAGE


class PolicyError(AuditorError):
    """A policy, waiver or baseline file is malformed."""

    exit_code = ExitCode.USAGE


class InputError(AuditorError):
    """One input (a file, a directory, a repository) could not be read.

    ``source`` names the input, ``reason`` says what is wrong with it; ``str()`` gives
    the one-line message the user sees.
    """

    exit_code = ExitCode.INPUT

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str]]:
        # Raised in a worker process, it is pickled back to the parent whole.
        return (type(self), (self.source, self.reason))


class DependencySyntaxError(ValueError):
    """A dependency string (plain or rich) does not parse."""

    def __init__(self, message: str, *, text: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.text = text
        self.position = position

    def __str__(self) -> str:
        return f"{self.message}\n    {self.text}\n    {' ' * self.position}^"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """Text for the terminal as one line: control characters from file names or metadata escaped.

    A newline in a hostile file name would forge a second error line, an escape sequence
    would drive the terminal.
    """
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)
