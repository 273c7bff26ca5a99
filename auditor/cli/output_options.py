"""The command line's report options: the format a report is written in (``--format``, or the
one the extension of ``-o FILE`` names) and the vendor in an SBOM's purls (``--purl-namespace``).

They say how a report is written, never what is audited or what blocks, and only the commands
that write a report take them; they are apart from `auditor.cli.options` for that, and because
options.py had passed the project's 400 lines. Values are checked here, where argparse can
name the option (exit code 2).
"""

from __future__ import annotations

import argparse
import os
import re
import stat
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from auditor.cli.given_once import FormatGivenOnce
from auditor.core.errors import UsageError

if TYPE_CHECKING:
    from auditor.cli.project import ProjectConfig

OUTPUT_SUFFIXES: dict[str, str] = {
    ".sarif": "sarif",
    ".sarif.json": "sarif",
    ".cdx.json": "cyclonedx",  # CycloneDX's own name for a JSON BOM (bom.cdx.json)
    ".spdx.json": "spdx",  # SPDX's, as the README's examples write them
    ".json": "json",
    ".xml": "junit",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".dot": "dot",
    ".gv": "dot",
    ".graphml": "graphml",
    ".txt": "table",
}
"""The format ``-o FILE`` gives without ``--format``: the longest suffix of FILE's name that matches."""


def add_output_options(
    command: argparse.ArgumentParser, formats: Sequence[str], *, several: bool = False
) -> None:
    """``--format`` and ``-o FILE``; with ``several``, ``-o`` may be given again, for the same
    audit written to each FILE in the format its extension names (`resolve_format`)."""
    command.add_argument(
        "--format",
        choices=list(formats),
        action=FormatGivenOnce,
        help="output format (default: from -o FILE's extension, else table)",
    )
    again = (
        " Give -o again to write the same audit to several files, each in its extension's format."
        if several
        else ""
    )
    command.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        action="append",
        dest="outputs",
        help="write the report to FILE (atomically); its extension picks the format: "
        + ", ".join(f"{suffix} {fmt}" for suffix, fmt in OUTPUT_SUFFIXES.items() if fmt in formats)
        + "."
        + again,
    )
    command.set_defaults(output_formats=tuple(formats), several_outputs=several)


def resolve_format(args: argparse.Namespace) -> None:
    """For a command with a report: ``args.output``, the first ``-o FILE`` (None: standard
    output); ``args.format``, ``--format`` or the format that file's extension names; and
    ``args.more_outputs``, each further ``-o FILE`` with its extension's format.

    ``-o`` given twice used to keep the last file silently, and a CI job then read a report
    the run never wrote: a second one is written, or refused where the command writes one."""
    formats = getattr(args, "output_formats", None)
    if formats is None:
        return
    outputs: list[str] = args.outputs or []
    args.output = outputs[0] if outputs else None
    args.more_outputs = ()
    if len(outputs) > 1:
        if not args.several_outputs:
            raise UsageError(f"-o is given {len(outputs)} times: this command writes one report")
        if args.format is not None:
            raise UsageError(
                f"--format {args.format} with {len(outputs)} -o files: each file's extension names its format"
            )
        _distinct(outputs)
        args.more_outputs = tuple((path, format_of(path, formats)) for path in outputs[1:])
    if args.format is None:
        args.format = format_of(args.output, formats)
    from auditor.cli.reportfile import check_writable  # a run to standard output needs none of it

    for path in outputs:
        if path != "-":
            _not_read(path, args)
            check_writable(path)


INPUT_ARGUMENTS = ("targets", "context", "sources", "new", "against", "old")
"""The arguments that name what a command audits (``scan``'s paths and ``--with``, ``check``'s
NEW and BASE...): files no report may be written over."""


def _not_read(path: str, args: argparse.Namespace) -> None:
    """Refuse a report written over what the run reads: an input named on the command line,
    or a file of a repository's metadata (``-o repo/repodata/repomd.xml`` is a JUnit report
    by its extension, and replaced the repository's index)."""
    real = os.path.realpath(path)
    directory = os.path.dirname(real)
    if os.path.basename(directory) == "repodata" and os.path.exists(os.path.join(directory, "repomd.xml")):
        raise UsageError(f"-o {path}: a repository's metadata (repodata/) is read, never written")
    named = [item for name in INPUT_ARGUMENTS for item in _strings(getattr(args, name, None))]
    if any(os.path.realpath(item) == real for item in named):
        raise UsageError(f"-o {path}: it is an input of this run, and the report would replace it")
    # A file the walk of a directory given reads: `scan dir -o dir/x.rpm --format json` replaced
    # an RPM the run had just audited, and the next run read the report as a broken RPM.
    places = {os.path.realpath(os.path.dirname(os.path.abspath(path))), directory}
    for item in named:
        root = os.path.realpath(item)
        inside = os.path.isdir(root) and any(os.path.commonpath([root, place]) == root for place in places)
        if inside and _walk_reads(path, real):
            raise UsageError(
                f"-o {path}: the input {item} holds it and the run reads such a file; the report "
                "would replace it (or be read by the next run as what it is named)"
            )


def _walk_reads(path: str, real: str) -> bool:
    """Whether a directory's walk reads a file at ``path`` (``real`` once its links are followed):
    an RPM file or a spec by its name, a repository configuration (said to be not read), or a
    file of another name whose first bytes are an RPM's (`auditor.sources.walkedfile.look_at`)."""
    from auditor.formats.rpmheader import LEAD_MAGIC
    from auditor.sources.inputpaths import is_repo_config_name, is_rpm_name, is_spec_file

    for name in (os.path.basename(path), os.path.basename(real)):
        if is_rpm_name(name) or is_spec_file(name) or is_repo_config_name(name):
            return True
    try:
        if not os.path.isfile(real):
            return False
        with open(real, "rb") as stream:
            return stream.read(len(LEAD_MAGIC)) == LEAD_MAGIC
    except OSError:
        return False  # a file that cannot be read is no input the walk reads either


def _strings(value: object) -> list[str]:
    """The paths an input argument holds: one, a list of them, or none."""
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list | tuple) else []


def refuse_reports_over_configuration(args: argparse.Namespace, project: ProjectConfig) -> None:
    """Refuse a report written over a configuration file the run reads: the project file (named
    or ``./auditor.toml``), the policy and provenance files it or the command line names, the
    waiver files, and the baseline (named or ``./.auditor-baseline.json``).

    ``scan --baseline kept.json -o kept.json`` replaced the baseline with a scan report: the
    findings it accepted were lost, and the next run failed on "not an auditor baseline"; a
    waiver or policy file given with ``--format`` was replaced the same way. ``--compare
    REPORT`` is not among them: a report replacing the earlier one it was compared with is how
    a job keeps its last report, and that file is read before the new one is renamed over it."""
    outputs = [path for path in getattr(args, "outputs", None) or [] if path != "-"]
    if not outputs:
        return
    from auditor.gate.baseline import BASELINE_FILE  # the session reads the baseline module anyway

    read = [project.path, *project.policy_files, *project.provenance]
    read += [*getattr(args, "policy", ()), *getattr(args, "provenance", ()), *getattr(args, "waivers", ())]
    if hasattr(args, "no_baseline") and not args.no_baseline:  # the commands that read a baseline
        read.append(args.baseline if args.baseline is not None else BASELINE_FILE)
    files = {os.path.realpath(path) for path in read if path}
    for path in outputs:
        if os.path.realpath(path) in files:
            raise UsageError(f"-o {path}: the run reads it, and the report would replace it")


def _distinct(outputs: Sequence[str]) -> None:
    """Two ``-o`` naming one file (or standard output) would write one report over the other:
    so would ``-o -`` with a file standard output already is (``-o /dev/stdout``, or the file
    the shell redirected it to), whose replacement would leave standard output's report in a
    file no name reaches any more."""
    seen: dict[str, str] = {}
    standard = _identity(None) if "-" in outputs else None
    for path in outputs:
        where = "-" if path == "-" else os.path.realpath(path)
        if where in seen:
            if path == "-":
                raise UsageError("-o - is given twice: standard output takes one report")
            raise UsageError(f"-o {seen[where]} and -o {path} are one file: each report needs its own")
        if path != "-" and standard is not None and _identity(path) == standard:
            raise UsageError(f"-o - and -o {path} are one file: each report needs its own")
        seen[where] = path


def _identity(path: str | None) -> tuple[int, int] | None:
    """The device and inode of the regular file ``path`` is (None: standard output), or None:
    a device, FIFO or terminal is written in place, and two reports to one are both there."""
    try:
        info = os.fstat(1) if path is None else os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino) if stat.S_ISREG(info.st_mode) else None


def format_of(path: str | None, formats: Sequence[str]) -> str:
    """The format a report file's name asks for: ``report.sarif`` is SARIF, never a table by
    mistake. No extension (or ``.txt``) is the table; an extension that names no format of the
    command is a usage error naming the ones that do."""
    if path is None or path == "-":
        return "table"
    name = os.path.basename(path).lower()
    for suffix in sorted(OUTPUT_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix) and len(name) > len(suffix):
            if OUTPUT_SUFFIXES[suffix] in formats:
                return OUTPUT_SUFFIXES[suffix]
            break
    else:
        if "." not in name.lstrip("."):
            return "table"
    valid = ", ".join(f"{suffix} ({fmt})" for suffix, fmt in OUTPUT_SUFFIXES.items() if fmt in formats)
    raise UsageError(
        f"-o {path}: the extension names no format this command writes; use one of {valid}, "
        f"no extension for the table, or --format {{{','.join(formats)}}}"
    )


def add_sbom_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--purl-namespace",
        metavar="NAME",
        type=_purl_namespace,
        help="the vendor in the packages' purls (--format cyclonedx, spdx; default: each package's "
        "Distribution, else its Vendor, lower-cased)",
    )


def _purl_namespace(text: str) -> str:
    """A namespace as a vendor's becomes one (`auditor.reports.sbom.namespace_of`): letters and
    digits of any script (composed, NFC), ``.``, ``_``, ``+``, ``-``, lower-cased."""
    text = unicodedata.normalize("NFC", text)
    if not re.fullmatch(r"[^\W_][\w.+-]*", text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a purl namespace (letters, digits, '.', '_', '+', '-')"
        )
    return text.lower()
