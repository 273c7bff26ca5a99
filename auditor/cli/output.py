"""Where results and messages go: reports to standard output or a file, messages to standard error.

This is the only module that prints warnings and errors.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterable, Sequence

from auditor.core.errors import InputError, UsageError, one_line
from auditor.gate.decision import Completeness


def messages(
    warnings: Sequence[str], errors: Sequence[InputError], completeness: Completeness | None = None
) -> list[str]:
    """What a run says on standard error about its inputs, one line each, in a fixed order."""
    lines = [f"auditor: warning: {one_line(warning)}" for warning in warnings]
    lines += [f"auditor: error: {one_line(str(error))}" for error in errors]
    # Unreadable inputs have their own error lines, which also say why nothing was audited;
    # say what else was not seen.
    said = {"input-error", "nothing-audited"} if errors else {"input-error"}
    reasons = completeness.reasons if completeness is not None else ()
    unseen = [(reason, count) for reason, count in reasons if reason not in said]
    if unseen:
        what = ", ".join(f"{count} {reason}" for reason, count in unseen)
        lines.append(
            f"auditor: warning: the audit is incomplete: {what}: a clean verdict covers only what was "
            "seen (--strict makes this fail)"
        )
    return lines


def report_warnings(warnings: Sequence[str]) -> None:
    print_messages(messages(warnings, ()))


def report_errors(errors: Sequence[InputError]) -> None:
    print_messages(messages((), errors))


def print_messages(lines: Sequence[str]) -> None:
    """Messages recorded by an earlier run (a replayed report), exactly as they were printed."""
    for line in lines:
        print(line, file=sys.stderr)


def write_output(text: str | bytes | Iterable[str | bytes], path: str | None) -> None:
    """Print to stdout, or replace ``path`` atomically: a reader never sees half a report.

    ``text`` may come in pieces (a large JSON report does), written as they come; a piece
    may be UTF-8 bytes already (a report replayed from the store).
    """
    pieces: Iterable[str | bytes] = [text] if isinstance(text, (str, bytes)) else text
    if path is None or path == "-":
        for piece in pieces:
            if isinstance(piece, bytes):
                sys.stdout.flush()
                sys.stdout.buffer.write(piece)
                sys.stdout.buffer.flush()
            else:
                sys.stdout.write(piece)
        sys.stdout.flush()
        return
    directory = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".auditor-", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            for piece in pieces:
                stream.write(piece if isinstance(piece, bytes) else piece.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):  # a full disk is not an internal error
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
