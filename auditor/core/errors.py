"""Exit codes and the error hierarchy.

Only ``cli.main`` turns these into exit codes and messages; every other module raises.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from typing import ClassVar

from auditor.core.pathtext import path_text


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

    def __reduce__(self) -> tuple[type[InputError], tuple[str, ...]]:
        # Raised in a worker process, it is pickled back to the parent whole.
        return (type(self), (self.source, self.reason))


class ServedElsewhere(InputError):
    """An input's file that dnf (librepo) fetches from ``target``, not from where it was read:
    configuration the policy judges, under the `ConfigUrl` key ``key``, beside the error."""

    key: ClassVar[str] = ""
    metadata: ClassVar[bool] = False
    """A repository's metadata file: the repository's configuration (`metadata_elsewhere`)."""

    def __init__(self, source: str, reason: str, target: str) -> None:
        super().__init__(source, reason)
        self.target = target

    def __reduce__(self) -> tuple[type[InputError], tuple[str, ...]]:
        return (type(self), (self.source, self.reason, self.target))


class MetadataElsewhere(ServedElsewhere):
    """A metadata file ``repomd.xml`` places under an ``xml:base``: librepo downloads it from
    there (``target``), so the mirror's copy is not what dnf reads."""

    key = "xml:base"
    metadata = True


class UnreadInput(InputError):
    """The system did not give an input's bytes: it could not be opened or read (gone, too many
    open files, an I/O error). Not a word on what the file holds: a run that met one is not
    stored for a later run to replay (`auditor.core.files.unread`)."""


class TooLarge(InputError):
    """An input decompresses to more than the limit in force: refused as a bomb, nothing past the
    limit made. A caller that set the limit to what another file holds knows it differs. An RPM's
    payload past one (a member past `MAX_MEMBER`, a walk past `MAX_SCANNED`) is the file's error
    beside its package, read from the header (rpmbuild writes a 50 MB spec, a 9 GB Source)."""


class DependencySyntaxError(ValueError):
    """A dependency string (plain or rich) does not parse."""

    def __init__(self, message: str, *, text: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.text = text
        self.position = position

    def __str__(self) -> str:
        return f"{self.message}\n    {self.text}\n    {' ' * self.position}^"


BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
"""The characters that reorder what a reader sees (Unicode's bidirectional marks, embeddings,
overrides and isolates: "Trojan Source"), as a character class body."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029" + BIDI_CONTROLS + "]")

_CI_COMMAND = re.compile(r"(?<=#)#(?=vso\[|\[)|(?:^|(?<=\s)):(?=:)", re.IGNORECASE)
"""The character that makes a CI runner read a log line as a command: the second ``#`` of
Azure Pipelines' ``##vso[`` (its agent looks for it anywhere in a line, Command.cs IndexOf) and
``##[``; the first ``:`` of GitHub Actions' ``::name::``, which the runner reads at the start of
a line once blanks are trimmed (after any blank: a wrapped table cell starts a line there)."""


def ci_inert(text: str, mark: Callable[[str], str]) -> str:
    """``text`` with the character that would make a command of it in a CI log (`_CI_COMMAND`)
    replaced by ``mark(character)``: a package name, summary or file name printed by the
    auditor cannot set a pipeline variable, forge an annotation or mask the log's words."""
    if "#" not in text and "::" not in text:
        return text
    return _CI_COMMAND.sub(lambda match: mark(match.group()), text)


def escaped(character: str) -> str:
    """``character`` as Python writes it in a string literal (``\\x1b``, ``\\u202e``, ``\\x23``)."""
    shown = repr(character)[1:-1]
    return shown if shown != character else f"\\x{ord(character):02x}"


def one_line(text: str) -> str:
    """Text for the terminal as one line: control characters from file names or metadata escaped.

    A newline in a hostile file name would forge a second error line, an escape sequence
    would drive the terminal, a bidirectional override would reorder the line, and a CI
    command (`ci_inert`) would be run by the runner whose log this is. A file name's byte that
    is not UTF-8 is written ``\\xff``, as every report writes it (`path_text`).
    """
    return ci_inert(_CONTROL.sub(lambda match: escaped(match.group()), path_text(text)), escaped)
