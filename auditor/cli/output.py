"""Where results and messages go: reports to standard output or a file, messages to standard error.

This is the only module that prints warnings and errors.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from auditor.cli.process import to_null_device
from auditor.cli.reportfile import staged_reports, write_in_place
from auditor.core.errors import InputError, UsageError, one_line
from auditor.core.pathtext import path_text

if TYPE_CHECKING:
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
    if unseen and completeness is not None:
        what = ", ".join(f"{count} {reason}" for reason, count in unseen)
        lines.append(
            f"auditor: warning: the audit is incomplete: {what}: {_consequence(completeness, unseen)}"
        )
    return lines


def _consequence(completeness: Completeness, unseen: Sequence[tuple[str, int]]) -> str:
    """What the incompleteness does to this run, as the decision ruled: the line must stay true
    under --strict and when waivers accepted the gaps."""
    if any(reason == "nothing-audited" for reason, _ in unseen):
        return "nothing was audited, which fails the run"
    waived = f"{completeness.waived} accepted by waivers" if completeness.waived else ""
    if completeness.blocking:
        # the reports count the gaps waivers accepted beside those that fail: so does this line
        return "--strict is set, so this fails the run" + (f" ({waived})" if waived else "")
    gaps = sum(count for reason, count in unseen)
    if gaps > completeness.waived:
        rest = "; --strict makes the rest fail" if waived else "--strict makes this fail"
        return f"a clean verdict covers only what was seen ({waived}{rest})"
    return f"a clean verdict covers only what was seen ({waived})"


def report_warnings(warnings: Sequence[str]) -> None:
    print_messages(messages(warnings, ()))


def report_errors(errors: Sequence[InputError]) -> None:
    print_messages(messages((), errors))


def print_messages(lines: Sequence[str]) -> None:
    """Messages recorded by an earlier run (a replayed report), exactly as they were printed."""
    for line in lines:
        print(line, file=sys.stderr)


def terminal_width(path: str | None) -> int | None:
    """The width of the terminal the report goes to (``COLUMNS`` first, as `shutil` reads
    it), or None when it goes to a file or a pipe: those get whole lines."""
    if path not in (None, "-") or not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def write_output(text: str | bytes | Iterable[str | bytes], path: str | None) -> None:
    """Print to stdout, or write ``path``: the one report of a run (`write_outputs`)."""
    write_outputs([(text, path)])


def write_outputs(reports: Sequence[tuple[str | bytes | Iterable[str | bytes], str | None]]) -> None:
    """Write each report (its text, and where: None or ``-`` is standard output) as one
    outcome: a reader never sees half a report, a device, FIFO or symlink stays what it is
    (`auditor.cli.reportfile`), and a report that cannot be written puts none of the regular
    files in place, so that no file says a verdict the run does not give (it exits 2).

    The regular files are written first, each to a temporary file, then the reports written
    in place (standard output, a device, a FIFO), which cannot be taken back, and the regular
    files are renamed into place last. A text may come in pieces (a large JSON report does),
    written as they come; a piece may be UTF-8 bytes already (a report replayed from the store).
    """
    in_place: list[tuple[Iterable[str | bytes], str | None]] = []
    with staged_reports() as staged:
        for text, path in reports:
            pieces: Iterable[str | bytes] = [text] if isinstance(text, (str, bytes)) else text
            if path is None or path == "-" or not staged.stage(_encoded(pieces), path):
                in_place.append((pieces, path))
        for pieces, path in in_place:
            if path is None or path == "-":
                _write_stdout(pieces)
            else:
                write_in_place(_encoded(pieces), path)


def _encoded(pieces: Iterable[str | bytes]) -> Iterator[bytes]:
    return (piece if isinstance(piece, bytes) else encode(piece) for piece in pieces)


def encode(text: str) -> bytes:
    """UTF-8, with what UTF-8 cannot carry (a lone surrogate from a file name that is not
    UTF-8) written ``\\xff`` (`auditor.core.pathtext`) rather than a crash that loses the
    report. The formats write their own text so (in a JSON string, escaped): this is the last
    guard of a text format's."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return path_text(text).encode("utf-8")


def _write_stdout(pieces: Iterable[str | bytes]) -> None:
    # A report is UTF-8 on standard output as in a file, whatever the locale's encoding: under
    # one that is not UTF-8 (ISO-8859-1), text written through ``sys.stdout`` lost the report
    # to a character that encoding lacks (an internal error), or gave other bytes than ``-o
    # FILE`` and a replayed report. JSON, SARIF and the SBOMs must be UTF-8 anyway.
    remaining = iter(pieces)
    try:
        sys.stdout.flush()
        for piece in remaining:
            sys.stdout.buffer.write(piece if isinstance(piece, bytes) else encode(piece))
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): not an error of the run, and no reason to change its
        # verdict (a gate reading the exit code under `set -o pipefail` took 0 for a pass). The
        # rest is rendered into nothing, so that a report recorded for the replay is whole.
        to_null_device(sys.stdout)
        for _ in remaining:
            pass
    except OSError as exc:  # `> /dev/full`, a full disk: the user's to fix, as any write target
        to_null_device(sys.stdout)
        raise UsageError(f"cannot write the report to standard output: {exc.strerror or exc}") from None
