"""The command line's grammar: every command, every option, and the options they make.

Values are checked here, where argparse can name the option and the valid choices (exit
code 2); nothing below the command line parses a flag. The network options, one group of the
audit options, are in `auditor.cli.network_options`; the options that say how a report is
written (``--format``, ``-o``, ``--purl-namespace``) in `auditor.cli.output_options`.
"""

from __future__ import annotations

import argparse

from auditor.audit.options import AuditOptions
from auditor.cli.given_once import GivenOnce
from auditor.cli.network_options import add_network_options, remote_options
from auditor.cli.project import ProjectConfig, parse_statuses
from auditor.cli.spec_options import add_spec_options, spec_macros
from auditor.core.errors import UsageError
from auditor.deps.provides import KNOWN_ARCHES
from auditor.gate.baseline import BASELINE_FILE, Baseline, load_baseline
from auditor.gate.options import GateOptions, clock
from auditor.gate.waiver_rules import check_ids, check_rules
from auditor.gate.waivers import Waiver, load_waivers, read_waiver_file
from auditor.origin.findings import DEFAULT_FAIL_ON
from auditor.origin.policy import Policy, load_policy, require_origin_rules

EXIT_CODES_HELP = """\
exit codes (never renumbered):
  0  passed: no blocking findings
  1  blocking findings (statuses chosen by --fail-on)
  2  usage, policy, waiver or baseline file error
  3  the audit is incomplete (wins over 1): an input could not be read, nothing was
     audited, or --strict is set and some evidence was not seen
  4  internal error (the traceback is shown with --debug)
"""

STATUS_HELP = "origin, depends, may-depend, build-depends, unresolved"


def add_audit_options(command: argparse.ArgumentParser) -> None:
    """The options of every command that runs an audit, in the order ``--help`` lists them."""
    _add_context_and_policy_options(command)
    _add_scope_options(command)
    add_spec_options(command)
    _add_reading_options(command)
    command.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    command.add_argument("-q", "--quiet", action="store_true", help="no progress on standard error")


def _add_context_and_policy_options(command: argparse.ArgumentParser) -> None:
    """The context inputs, what the packages are judged against, and what blocks."""
    command.add_argument(
        "--with",
        dest="context",
        action="append",
        default=[],
        metavar="PATH|URL",
        help="context input: used to resolve requirements, not audited (repeatable)",
    )
    command.add_argument(
        "--policy",
        action="append",
        default=[],
        metavar="FILE",
        help="extra policy file: adds its rules, or replaces (by id, with a warning) those already "
        "loaded (repeatable)",
    )
    command.add_argument(
        "--no-default-policy", action="store_true", help="do not load the shipped default policy"
    )
    command.add_argument(
        "--provenance",
        action="append",
        default=[],
        metavar="CSV",
        help="XCP-ng packages_provenance.csv: rows added_by XS (or XenServer, any case) become evidence",
    )
    command.add_argument(
        "--config",
        metavar="FILE",
        action=GivenOnce,
        help="project file (default: ./auditor.toml when it exists)",
    )
    command.add_argument(
        "--fail-on",
        metavar="STATUSES",
        action="append",
        help=f"comma-separated statuses that block ({STATUS_HELP}, or none; "
        "default: origin,depends,build-depends,unresolved; repeated, the statuses of each block)",
    )
    command.add_argument(
        "--strict",
        action="store_true",
        help="fail (exit 3) when the audit is incomplete: evidence it could not see (a binary whose "
        "source package is not among the inputs, a spec it could not read or decide...), as "
        "pip-audit --strict fails on dependencies it could not collect",
    )


def _add_scope_options(command: argparse.ArgumentParser) -> None:
    """What part of the inputs is audited: a host architecture, the closure of some packages."""
    command.add_argument(
        "--arch",
        action="append",
        default=[],
        metavar="ARCH",
        help="host architecture: only what such a host installs is audited and provides "
        "(repeatable: the worst over the hosts; default: the hosts of the audited packages' "
        "architectures, each, when no one host installs them all)",
    )
    command.add_argument(
        "--roots",
        nargs="+",
        action="extend",  # given again, it adds: argparse's default kept the last list alone
        default=[],
        metavar="NAME",
        help="audit only what installing these packages pulls in (e.g. xcp-ng-deps): their Requires, "
        "and the Recommends and Supplements dnf installs by default",
    )
    command.add_argument(
        "--no-install-weak-deps",
        action="store_true",
        help="with --roots, follow Requires only, as yum does and dnf with install_weak_deps=False",
    )


def _add_reading_options(command: argparse.ArgumentParser) -> None:
    """What is read of the inputs besides their metadata, and what is kept of it."""
    command.add_argument(
        "--sources",
        action="append",
        default=[],
        metavar="PATH|URL",
        help="a source repository (or SRPMs) to read with the targets: the Source and Patch URLs "
        "of the packages (repeatable; SRPMS/ and Source/ beside a repository are found anyway)",
    )
    command.add_argument(
        "--no-source-discovery",
        action="store_true",
        help="do not read the source repository found beside a binary one (SRPMS/, Source/...)",
    )
    command.add_argument(
        "--metadata-only",
        action="store_true",
        help="read repositories from their metadata alone, not their package files: faster, but the "
        "Source URLs, signing keys and Distribution repodata lacks are not seen (the audit says it "
        "is incomplete, and --strict fails)",
    )
    command.add_argument(
        "--verify-checksums",
        action="store_true",
        help="hash every package file of a local repository and compare it with the checksum its "
        "metadata gives, as dnf does before installing it: catches a file replaced by a rebuild of "
        "the same size, build time and header size (reads every byte of every package file)",
    )
    add_network_options(command)
    command.add_argument(
        "--read-rpms",
        action="store_true",
        help="ignore the repodata/ of directories and read their RPM files as plain files, those "
        "inside repodata/ too (a repository's package headers are read without it)",
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


def add_waivers_option(command: argparse.ArgumentParser) -> None:
    """``--waivers FILE``, for every command that decides on facts: each reads auditor.toml's
    waivers, and a waiver file `scan` is given must be one the others can be given too (a
    baseline refused for a gap says to accept it with a waiver)."""
    command.add_argument(
        "--waivers",
        action="append",
        default=[],
        metavar="FILE",
        help="waiver file ([[waiver]] entries; auditor.toml's are read too; repeatable)",
    )


def add_gate_options(command: argparse.ArgumentParser) -> None:
    add_waivers_option(command)
    command.add_argument(
        "--baseline",
        metavar="FILE",
        action=GivenOnce,
        help=f"baseline file (default: ./{BASELINE_FILE} when it exists)",
    )
    command.add_argument("--no-baseline", action="store_true", help="ignore any baseline")
    command.add_argument(
        "--stale-waivers",
        choices=("warn", "block"),
        help="make stale waivers block: those that match nothing, or only facts that need no waiver "
        "or that an earlier waiver accepts (default: warn)",
    )


def audit_options(args: argparse.Namespace, project: ProjectConfig) -> AuditOptions:
    targets = tuple(getattr(args, "targets", ()))
    arches = _arches(args, project)
    roots = tuple(args.roots) or project.roots
    if args.no_install_weak_deps and not roots:
        # As --focus without a graph format: an option that changes nothing, said.
        raise UsageError("--no-install-weak-deps: only --roots (or audit.roots) installs anything to follow")
    if args.verify_checksums and args.metadata_only:
        raise UsageError("--verify-checksums reads the package files, which --metadata-only does not")
    if args.verify_checksums and args.read_rpms:
        raise UsageError(
            "--verify-checksums compares the files with their repository's metadata, "
            "which --read-rpms ignores"
        )
    return AuditOptions(
        targets=targets,
        context=tuple(args.context),
        arches=arches,
        roots=roots,
        sources=tuple(args.sources),
        weak=args.weak,
        install_weak_deps=not args.no_install_weak_deps,
        read_rpms=args.read_rpms,
        metadata_only=args.metadata_only,
        verify_checksums=args.verify_checksums,
        discover_sources=not args.no_source_discovery,
        cache=not args.no_cache,
        defines=spec_macros(args, project),
        remote=remote_options(args, arches),
        resolve_urls=args.resolve_urls,
    )


def _arches(args: argparse.Namespace, project: ProjectConfig) -> tuple[str, ...]:
    """The host architectures, each one rpm knows: a typo such as ``x86-64`` would audit
    what no host installs (only noarch packages) and pass."""
    if args.arch:
        arches, where = tuple(args.arch), "--arch"
    else:
        arches, where = project.arch, f"{project.path or 'auditor.toml'}: audit.arch"
    unknown = [arch for arch in arches if arch not in KNOWN_ARCHES]
    if unknown:
        raise UsageError(
            f"{where}: {', '.join(map(repr, unknown))} is not an architecture rpm knows "
            f"(known: {', '.join(sorted(KNOWN_ARCHES))})"
        )
    return arches


def gate_options(args: argparse.Namespace, project: ProjectConfig) -> GateOptions:
    fail_on = DEFAULT_FAIL_ON
    if project.fail_on is not None:
        fail_on = project.fail_on
    if args.fail_on is not None:
        # Each --fail-on adds its statuses: the last one alone, `--fail-on origin --fail-on
        # unresolved`, passed a release of origin packages.
        fail_on = parse_statuses(",".join(args.fail_on), "--fail-on")
    stale = (getattr(args, "stale_waivers", None) or project.stale_waivers) == "block"
    today, now = clock()
    return GateOptions(fail_on=fail_on, strict=args.strict, stale_waivers_block=stale, today=today, now=now)


def policy(args: argparse.Namespace, project: ProjectConfig) -> Policy:
    """The run's policy: one under which no package can be `origin` is a policy error."""
    loaded = load_policy(
        [*project.policy_files, *args.policy],
        default=project.default_policy and not args.no_default_policy,
        project=project.policy,
        project_path=project.path,
        provenance=[*project.provenance, *args.provenance],
    )
    if args.no_default_policy:
        asked = "--no-default-policy"
    elif not project.default_policy:
        asked = f"{project.path or 'auditor.toml'}: audit.default-policy = false"
    else:
        asked = ", ".join(loaded.sources)
    require_origin_rules(loaded, asked)
    return loaded


def waivers(args: argparse.Namespace, project: ProjectConfig, policy: Policy) -> list[Waiver]:
    """The project file's waivers and those of every ``--waivers FILE``, checked against the policy."""
    found = load_waivers(project.waivers, project.path or "auditor.toml")
    for path in getattr(args, "waivers", ()):
        found.extend(read_waiver_file(path))
    check_ids(found)
    check_rules(found, policy)
    return found


def baseline(args: argparse.Namespace) -> Baseline | None:
    if getattr(args, "no_baseline", False):
        return None
    path = getattr(args, "baseline", None)
    return load_baseline(path, required=path is not None)
