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
import unicodedata
from collections.abc import Sequence

from auditor.core.errors import UsageError

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


def add_output_options(command: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    command.add_argument(
        "--format",
        choices=list(formats),
        help="output format (default: from -o FILE's extension, else table)",
    )
    command.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the report to FILE (atomically); its extension picks the format: "
        + ", ".join(f"{suffix} {fmt}" for suffix, fmt in OUTPUT_SUFFIXES.items() if fmt in formats),
    )
    command.set_defaults(output_formats=tuple(formats))


def resolve_format(args: argparse.Namespace) -> None:
    """Set ``args.format`` from ``-o FILE`` when ``--format`` is absent (commands with a report)."""
    formats = getattr(args, "output_formats", None)
    if formats is not None and args.format is None:
        args.format = format_of(args.output, formats)


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
