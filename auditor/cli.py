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
from auditor.audit import AuditOptions, AuditResult, run_audit
from auditor.config import ProjectConfig, load_project, parse_statuses
from auditor.errors import AuditorError, ExitCode, InputError, UsageError, one_line
from auditor.findings import DEFAULT_FAIL_ON
from auditor.policy import Policy, load_policy
from auditor.progress import Progress
from auditor.reports import FORMATS
from auditor.reports.why import render_why
from auditor.sources.xmlstream import max_decompressed

EXIT_CODES_HELP = """\
exit codes (never renumbered):
  0  passed: no blocking findings
  1  blocking findings (statuses chosen by --fail-on)
  2  usage, policy, waiver or baseline file error
  3  input error: an input could not be read, so the audit is incomplete (wins over 1)
  4  internal error (the traceback is shown with --debug)
"""

STATUS_HELP = "origin, depends, may-depend, build-depends, unresolved, clean"


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

    scan = _command(
        commands,
        "scan",
        "audit RPMs, source RPMs, directories and repositories",
        "Read RPM files, source RPMs, directories (walked recursively) and local yum/dnf "
        "repositories (a directory holding repodata/repomd.xml, or that file), resolve every "
        "requirement, classify origins with the policy and report what is tainted and why.",
    )
    scan.add_argument("targets", nargs="+", metavar="PATH", help="inputs to audit")
    scan.add_argument(
        "--format", choices=sorted(FORMATS), default="table", help="output format (default: table)"
    )
    scan.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE (atomically)")
    _audit_options(scan)

    why = _command(
        commands,
        "why",
        "explain one package's status: its evidence and the chain to an origin package",
        "Explain why a package has its status, like `npm explain` or "
        "`dnf repoquery --whatrequires --recursive`: its own evidence, the shortest chain of "
        "requirements to an origin package, and which audited packages need it.",
    )
    why.add_argument("name", metavar="NAME", help="package name")
    why.add_argument("targets", nargs="+", metavar="PATH", help="inputs to audit")
    _audit_options(why)
    return parser


def _command(commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, summary: str,
             description: str) -> argparse.ArgumentParser:  # fmt: skip
    return commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _audit_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--with",
        dest="context",
        action="append",
        default=[],
        metavar="PATH",
        help="context input: used to resolve requirements, not audited (repeatable)",
    )
    command.add_argument(
        "--policy",
        action="append",
        default=[],
        metavar="FILE",
        help="extra policy file, on top of the default one (repeatable)",
    )
    command.add_argument(
        "--no-default-policy", action="store_true", help="do not load the shipped default policy"
    )
    command.add_argument(
        "--provenance",
        action="append",
        default=[],
        metavar="CSV",
        help="XCP-ng packages_provenance.csv: rows added_by XS become evidence",
    )
    command.add_argument(
        "--config", metavar="FILE", help="project file (default: ./auditor.toml when it exists)"
    )
    command.add_argument(
        "--fail-on",
        metavar="STATUSES",
        help=f"comma-separated statuses that block ({STATUS_HELP}, or none; "
        "default: origin,depends,unresolved)",
    )
    command.add_argument(
        "--arch",
        action="append",
        default=[],
        metavar="ARCH",
        help="host architecture: only what such a host installs is audited and provides",
    )
    command.add_argument(
        "--roots",
        nargs="+",
        default=[],
        metavar="NAME",
        help="audit only what installing these packages pulls in (e.g. xcp-ng-deps)",
    )
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
        print(f"auditor: error: {one_line(str(exc))}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("auditor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return int(ExitCode.PASSED)
    except Exception as exc:  # the last line of defence, mapped to exit code 4
        if debug:
            traceback.print_exc()
        message = one_line(f"{type(exc).__name__}: {exc}")
        print(f"auditor: internal error: {message} (--debug shows the traceback)", file=sys.stderr)
        return int(ExitCode.INTERNAL)


def _run(args: argparse.Namespace) -> ExitCode:
    if args.command == "scan":
        audit = _audit(args)
        write_output(FORMATS[args.format](audit), args.output)
        report_errors(audit.errors)
        return audit.exit_code()
    if args.command == "why":
        audit = _audit(args)
        text, found = render_why(audit, args.name)
        if not found:
            report_errors(audit.errors)
            raise UsageError(f"no audited package named {args.name!r}")
        write_output(text, None)
        report_errors(audit.errors)
        return audit.exit_code()
    raise UsageError(f"unknown command {args.command}")


def _audit(args: argparse.Namespace) -> AuditResult:
    project = load_project(args.config)
    policy = _policy(args, project)
    fail_on = DEFAULT_FAIL_ON
    if project.fail_on is not None:
        fail_on = project.fail_on
    if args.fail_on is not None:
        fail_on = parse_statuses(args.fail_on, "--fail-on")
    options = AuditOptions(
        targets=tuple(args.targets),
        context=tuple(args.context),
        arches=tuple(args.arch) or project.arch,
        roots=tuple(args.roots) or project.roots,
        fail_on=fail_on,
    )
    max_decompressed()  # a bad AUDITOR_MAX_METADATA_BYTES is a usage error before any input is read
    progress = Progress(enabled=not args.quiet)
    try:
        return run_audit(options, policy, progress.update)
    finally:
        progress.done()


def _policy(args: argparse.Namespace, project: ProjectConfig) -> Policy:
    return load_policy(
        [*project.policy_files, *args.policy],
        default=project.default_policy and not args.no_default_policy,
        project=project.policy,
        project_path=project.path,
        provenance=[*project.provenance, *args.provenance],
    )


def report_errors(errors: Sequence[InputError]) -> None:
    for error in errors:
        print(f"auditor: error: {one_line(str(error))}", file=sys.stderr)


def write_output(text: str, path: str | None) -> None:
    """Print to stdout, or replace ``path`` atomically: a reader never sees half a report."""
    if path is None or path == "-":
        sys.stdout.write(text)
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
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):  # a full disk is not an internal error
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
