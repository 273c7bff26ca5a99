"""Command line: parse arguments, wire sources, analysis and reports, map errors to exit codes.

This is the only module that prints errors or decides the exit status.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import re
import sys
import tempfile
import traceback
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any, NoReturn

from auditor import __version__
from auditor.audit.check import run_check
from auditor.audit.pipeline import AuditOptions, AuditResult, run_audit
from auditor.audit.plan import make_plan
from auditor.cli.project import ProjectConfig, load_project, parse_statuses
from auditor.core.errors import AuditorError, ExitCode, InputError, UsageError, one_line
from auditor.gate.baseline import BASELINE_FILE, Baseline, load_baseline
from auditor.gate.decision import apply_gate
from auditor.gate.diff import Snapshot, diff, snapshot_of_audit, snapshot_of_report
from auditor.gate.waivers import load_waivers, read_waiver_file
from auditor.net.cache import default_cache_dir
from auditor.net.http import HttpSettings
from auditor.net.remote import DEFAULT_MAX_DOWNLOAD, RemoteOptions
from auditor.origin.findings import DEFAULT_FAIL_ON
from auditor.origin.policy import Policy, load_policy
from auditor.reports import FORMATS, check_report, diff_report, plan_report, render_pieces
from auditor.reports.why import render_why
from auditor.runtime.progress import Progress
from auditor.runtime.replay import report_key
from auditor.runtime.store import ReportRecorder, Store
from auditor.sources.formats.xmlstream import max_decompressed

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
        "audit RPMs, source RPMs, spec files, directories and repositories",
        "Read RPM files, source RPMs, spec files, directories (walked recursively) and local "
        "yum/dnf repositories (a directory holding repodata/repomd.xml, or that file), resolve "
        "every requirement, classify origins with the policy and report what is tainted and why.",
    )
    scan.add_argument("targets", nargs="+", metavar="PATH", help="inputs to audit")
    scan.add_argument(
        "--format", choices=sorted(FORMATS), default="table", help="output format (default: table)"
    )
    scan.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE (atomically)")
    _audit_options(scan)
    _gate_options(scan)

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
    _gate_options(why)

    check = _command(
        commands,
        "check",
        "contributor check: what new packages or spec files change in a repository",
        "Audit BASE, then BASE with NEW in it (a NEW package replaces the BASE package of the "
        "same name and architecture) and report only the difference: the new packages' status, "
        "BASE packages that get worse or better, requirements of NEW nothing satisfies. Exits 1 "
        "only when something gets worse. Spec files are read without running any of their code.",
    )
    check.add_argument("new", nargs="+", metavar="NEW", help="the change: RPMs, source RPMs or spec files")
    check.add_argument(
        "--against", nargs="+", required=True, metavar="BASE", help="the repository the change targets"
    )
    check.add_argument(
        "--format", choices=check_report.FORMATS, default="table", help="output format (default: table)"
    )
    check.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE (atomically)")
    _audit_options(check)

    baseline = _command(
        commands,
        "baseline",
        "record today's findings so that only new ones block",
        f"Write the current blocking findings to a baseline ({BASELINE_FILE} in the current "
        "directory, or --baseline FILE), which later runs there pick up by themselves: new "
        "findings block, fixed ones are reported as progress. An existing baseline only shrinks "
        "unless --rewrite is given.",
    )
    baseline.add_argument("targets", nargs="+", metavar="PATH", help="inputs to audit")
    baseline.add_argument("--baseline", metavar="FILE", help=f"baseline file (default: ./{BASELINE_FILE})")
    baseline.add_argument(
        "--rewrite", action="store_true", help="let the baseline grow: record new findings too"
    )
    _audit_options(baseline)

    plan = _command(
        commands,
        "plan",
        "rank origin packages by how many packages they hold back",
        "The to-do list toward independence: origin source packages ranked by how many packages "
        "would no longer depend on Citrix (at run or build time) if each were replaced, with "
        "known replacements; packages avoidable now (a clean provider exists); and packages no "
        "single replacement clears.",
    )
    plan.add_argument("targets", nargs="+", metavar="PATH", help="inputs to audit")
    plan.add_argument(
        "--format", choices=plan_report.FORMATS, default="table", help="output format (default: table)"
    )
    plan.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE (atomically)")
    _audit_options(plan)

    diff = _command(
        commands,
        "diff",
        "independence progress between two releases",
        "Compare two releases: each side is a repository (or any input `scan` takes) or a JSON "
        "report written by `scan --format json`. Prints packages added, removed, upgraded; "
        "findings that appeared or disappeared; statuses that changed.",
    )
    diff.add_argument("old", metavar="OLD", help="earlier release: an input or a JSON report")
    diff.add_argument("new", metavar="NEW", help="later release: an input or a JSON report")
    diff.add_argument(
        "--format", choices=diff_report.FORMATS, default="table", help="output format (default: table)"
    )
    diff.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE (atomically)")
    _audit_options(diff)
    return parser


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, summary: str, description: str
) -> argparse.ArgumentParser:
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
    command.add_argument(
        "--define",
        action="append",
        default=[],
        metavar="'MACRO VALUE'",
        help="define a macro for reading spec files, as rpmbuild --define (repeatable)",
    )
    network = command.add_argument_group(
        "remote repositories and URLs",
        "URLs (http/https) and .repo/yum.conf files are read over the network; a host the policy "
        "names is never contacted, no credentials are ever sent, only http(s) redirects are followed",
    )
    network.add_argument(
        "--resolve-urls",
        action="store_true",
        help="follow each Source, Patch and URL value's redirects; a chain reaching a policy host "
        "is a finding (off by default: no request the user did not ask for)",
    )
    network.add_argument(
        "--remote-headers",
        action="store_true",
        help="read the headers of remote RPMs with range requests (signing key, Distribution, "
        "source URLs), never their payloads",
    )
    network.add_argument(
        "--timeout",
        metavar="SECONDS[,READ]",
        type=_timeouts,
        default=(10.0, 30.0),
        help="connect and read timeouts (default: 10,30)",
    )
    network.add_argument(
        "--cache-dir", metavar="DIR", help="download cache (default: $XDG_CACHE_HOME/auditor)"
    )
    network.add_argument(
        "--offline",
        action="store_true",
        help="use the download cache only; anything missing is an input error",
    )
    network.add_argument(
        "--max-download",
        metavar="SIZE",
        type=_size,
        default=DEFAULT_MAX_DOWNLOAD,
        help="ceiling for a metadata file whose size repomd.xml does not give (default: 2G)",
    )
    network.add_argument("--releasever", metavar="VERSION", help="$releasever in .repo files and yum.conf")
    network.add_argument(
        "--basearch", metavar="ARCH", default="x86_64", help="$basearch in .repo files (default: x86_64)"
    )
    command.add_argument(
        "--read-rpms",
        action="store_true",
        help="read the RPM files of directories even where they hold repodata/ (repodata lacks "
        "signing keys, Distribution and Source URLs)",
    )
    command.add_argument(
        "--no-cache",
        action="store_true",
        help="neither use nor fill the cache of RPM models and reports (in --cache-dir)",
    )
    command.add_argument(
        "--weak",
        action="store_true",
        help="also resolve Recommends, Suggests, Supplements and Enhances and list the unresolved "
        "ones (informational: they never block)",
    )
    command.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    command.add_argument("-q", "--quiet", action="store_true", help="no progress on standard error")


def _gate_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--waivers",
        action="append",
        default=[],
        metavar="FILE",
        help="waiver file ([[waiver]] entries; auditor.toml's are read too)",
    )
    command.add_argument(
        "--baseline", metavar="FILE", help=f"baseline file (default: ./{BASELINE_FILE} when it exists)"
    )
    command.add_argument("--no-baseline", action="store_true", help="ignore any baseline")
    command.add_argument(
        "--stale-waivers",
        choices=("warn", "block"),
        help="make waivers that match nothing block (default: warn)",
    )


def _timeouts(text: str) -> tuple[float, float]:
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not SECONDS or CONNECT,READ") from None
    if len(values) not in (1, 2) or any(value <= 0 for value in values):
        raise argparse.ArgumentTypeError(f"{text!r} is not SECONDS or CONNECT,READ (positive numbers)")
    return values[0], values[-1]


def _size(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*", text, re.IGNORECASE)
    if match is None or float(match.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (bytes, or with K, M, G, T)")
    return int(float(match.group(1)) * 1024 ** "_KMGT".index(match.group(2).upper() or "_"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else int(ExitCode.USAGE)
    debug = getattr(args, "debug", False)
    try:
        with _collector_paused():
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


_retained: list[object] | None = None
"""Set by `console_main`: what a run built, kept so it is not freed object by object."""


def console_main() -> NoReturn:
    """The ``auditor`` command: `main`, then an exit that skips tearing the run down.

    Freeing a distribution's packages, edges and findings one reference at a time took half
    a second after the report was written. Everything the run writes is flushed and closed
    by then (the report file is fsync'd and renamed, the store closed), so the process ends
    with ``os._exit``, as mypy's command does for the same reason.
    """
    global _retained
    _retained = []
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Run without Python's cyclic garbage collector.

    An audit builds millions of objects that live until the end and form no cycles; the
    collector would scan them again and again as they grow (a fifth of a distribution's
    audit time). Reference counting still frees everything else.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run(args: argparse.Namespace) -> ExitCode:
    max_decompressed()  # a bad AUDITOR_MAX_METADATA_BYTES is a usage error before any input is read
    project = load_project(args.config)
    policy = _policy(args, project)
    options = _options(args, project)
    progress = Progress(enabled=not args.quiet)
    replay = _Replay(args, project, policy, options) if args.command == "scan" else None
    if replay is not None:
        found = replay.hit()
        report_warnings(replay.store.warnings if replay.store is not None else [])
        if found:
            return replay.replayed()
    try:
        if args.command == "check":
            checked = run_check(tuple(args.new), tuple(args.against), options, policy, progress.update)
            progress.done()
            write_output(check_report.render(checked, args.format), args.output)
            report_errors([*checked.before.errors, *checked.after.errors])
            return checked.exit_code()
        if args.command == "diff":
            old = _snapshot(args.old, options, policy, progress)
            new = _snapshot(args.new, options, policy, progress)
            progress.done()
            write_output(diff_report.render(diff(old, new), args.format), args.output)
            return ExitCode.PASSED
        audit = run_audit(options, policy, progress.update)
        if _retained is not None:
            _retained.append(audit)
    finally:
        progress.done()
    if args.command == "baseline":
        return _write_baseline(args, audit)
    if args.command == "plan":
        write_output(plan_report.render(make_plan(audit), audit, args.format), args.output)
        report_warnings(audit.warnings)
        report_errors(audit.errors)
        return ExitCode.INPUT if audit.errors else ExitCode.PASSED
    _gate(args, project, audit)
    if args.command == "scan":
        pieces = render_pieces(args.format, audit)
        write_output(replay.recording(pieces) if replay is not None else pieces, args.output)
    else:
        text, found = render_why(audit, args.name)
        if not found:
            report_errors(audit.errors)
            raise UsageError(f"no audited package named {args.name!r}")
        write_output(text, None)
    report_warnings(audit.warnings)
    report_errors(audit.errors)
    code = audit.exit_code()
    if replay is not None:
        replay.store_result(code, audit.warnings, audit.errors)
    return code


class _Replay:
    """A scan's report from the store, when nothing that decides it changed (`auditor.runtime.replay`)."""

    def __init__(
        self, args: argparse.Namespace, project: ProjectConfig, policy: Policy, options: AuditOptions
    ):
        self.store: Store | None = None
        self.key: str | None = None
        self.recorder = ReportRecorder()
        self.entry: tuple[dict[str, Any], Iterator[bytes]] | None = None
        self.args = args
        if not options.cache or options.resolve_urls or options.remote.remote_headers:
            return
        settings = {
            key: value for key, value in sorted(vars(args).items()) if key not in ("output", "quiet", "debug")
        }
        baseline = None if args.no_baseline else (args.baseline or BASELINE_FILE)
        files = [*policy.sources, project.path, *args.waivers, baseline]
        key = report_key(
            [json.dumps(settings, default=str, sort_keys=True)],
            [*options.targets, *options.context],
            files,
            read_rpms=options.read_rpms,
        )
        if key is None:
            return
        self.key = key
        self.store = Store(options.remote.cache_dir or default_cache_dir())

    def hit(self) -> bool:
        if self.store is None or self.key is None:
            return False
        self.entry = self.store.get_report(self.key)
        return self.entry is not None

    def replayed(self) -> ExitCode:
        assert self.entry is not None
        meta, output = self.entry
        write_output(output, self.args.output)
        for line in meta.get("messages", []):
            print(line, file=sys.stderr)
        return ExitCode(meta["exit_code"])

    def recording(self, pieces: Iterable[str]) -> Iterator[str | bytes]:
        return self.recorder.record(pieces)

    def store_result(self, code: ExitCode, warnings: Sequence[str], errors: Sequence[InputError]) -> None:
        if self.store is None or self.key is None:
            return
        messages = [f"auditor: warning: {w}" for w in warnings] + [
            f"auditor: error: {one_line(str(e))}" for e in errors
        ]
        self.store.put_report(
            self.key, {"exit_code": int(code), "messages": messages}, self.recorder.compressed()
        )
        self.store.close()


def _options(args: argparse.Namespace, project: ProjectConfig) -> AuditOptions:
    fail_on = DEFAULT_FAIL_ON
    if project.fail_on is not None:
        fail_on = project.fail_on
    if args.fail_on is not None:
        fail_on = parse_statuses(args.fail_on, "--fail-on")
    targets = tuple(getattr(args, "targets", ()))
    return AuditOptions(
        targets=targets,
        context=tuple(args.context),
        arches=tuple(args.arch) or project.arch,
        roots=tuple(args.roots) or project.roots,
        fail_on=fail_on,
        weak=args.weak,
        read_rpms=args.read_rpms,
        cache=not args.no_cache,
        defines=_defines(args.define),
        remote=RemoteOptions(
            http=HttpSettings(connect_timeout=args.timeout[0], read_timeout=args.timeout[1]),
            cache_dir=args.cache_dir,
            offline=args.offline,
            max_download=args.max_download,
            releasever=args.releasever,
            basearch=args.basearch,
            remote_headers=args.remote_headers,
        ),
        resolve_urls=args.resolve_urls,
    )


def _defines(items: Sequence[str]) -> tuple[tuple[str, str], ...]:
    found = []
    for item in items:
        name, _, value = item.strip().partition(" ")
        if not name:
            raise UsageError(f"--define {item!r}: expected 'NAME VALUE'")
        found.append((name.lstrip("%"), value.strip()))
    return tuple(found)


def _gate(args: argparse.Namespace, project: ProjectConfig, audit: AuditResult) -> None:
    waivers = load_waivers(project.waivers, project.path or "auditor.toml")
    for path in args.waivers:
        waivers.extend(read_waiver_file(path))
    baseline = None if args.no_baseline else load_baseline(args.baseline, required=args.baseline is not None)
    stale = (args.stale_waivers or project.stale_waivers) == "block"
    if waivers or baseline is not None or args.stale_waivers:
        audit.gate = apply_gate(audit, waivers, baseline, stale_blocks=stale)


def _write_baseline(args: argparse.Namespace, audit: AuditResult) -> ExitCode:
    path = args.baseline or BASELINE_FILE
    existing = load_baseline(path) if os.path.exists(path) else None
    gate = apply_gate(audit, (), None)
    current = {
        reason.fingerprint: {
            "fingerprint": reason.fingerprint,
            "kind": reason.kind,
            "package": reason.package,
            "capability": reason.capability,
        }
        for reason in gate.new
    }
    if existing is not None and not args.rewrite:
        kept = [entry for entry in existing.entries if entry["fingerprint"] in current]
        added = len(set(current) - existing.fingerprints)
        dropped = len(existing.entries) - len(kept)
        entries = kept
        message = f"{path}: {len(kept)} entries kept, {dropped} fixed and dropped"
        if added:
            message += f"; {added} new finding(s) NOT recorded (--rewrite records them)"
    else:
        entries = list(current.values())
        message = f"{path}: {len(entries)} entries recorded"
    write_output(Baseline(entries).to_json(), path)
    print(f"auditor: {message}", file=sys.stderr)
    report_errors(audit.errors)
    return ExitCode.INPUT if audit.errors else ExitCode.PASSED


def _snapshot(path: str, options: AuditOptions, policy: Policy, progress: Progress) -> Snapshot:
    if path.endswith(".json") and os.path.isfile(path):
        return snapshot_of_report(path)
    audit = run_audit(replace(options, targets=(path,)), policy, progress.update)
    if audit.errors:
        raise audit.errors[0]
    return snapshot_of_audit(audit)


def _policy(args: argparse.Namespace, project: ProjectConfig) -> Policy:
    return load_policy(
        [*project.policy_files, *args.policy],
        default=project.default_policy and not args.no_default_policy,
        project=project.policy,
        project_path=project.path,
        provenance=[*project.provenance, *args.provenance],
    )


def report_warnings(warnings: Sequence[str]) -> None:
    for warning in warnings:
        print(f"auditor: warning: {warning}", file=sys.stderr)


def report_errors(errors: Sequence[InputError]) -> None:
    for error in errors:
        print(f"auditor: error: {one_line(str(error))}", file=sys.stderr)


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
