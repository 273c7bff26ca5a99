"""The hosts a run that names none (no ``--arch``) is audited for.

Without ``--arch`` every package read may be installed beside every other of an architecture
that goes with its own (`auditor.deps.provides.Architectures`): one reading for all hosts at
once. That is one host's reading where every package is of that host's architectures (x86_64
with i686 and noarch: XCP-ng, CentOS), and it is lenient elsewhere: with x86_64 and aarch64
packages, a ``noarch`` package whose only clean provider is an ``aarch64`` one was
``may-depend``, a way around the Citrix package no x86_64 host has, where ``--arch x86_64`` says
``depends``, as libsolv finds. So, as ``--arch`` would, a run is read

- for each host of the audited packages (of the context's when those are all noarch) when they
  are of several, the worst over them;
- for the one host of the audited packages when the context holds another host's packages (a
  mirror's tree): the one of the context's hosts that installs them (x86_64 for i686 ones);

and a warning says so. Only architectures rpm knows are hosts. Where some audited packages are of
one it does not know, a reading for the hosts would drop them (no host installs them), a Citrix
one with its evidence, so the run keeps the reading of every host at once, and says it is lenient.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from auditor.audit.options import AuditOptions
from auditor.deps.provides import KNOWN_ARCHES, ONLY_YUM_INSTALLS, host_arches
from auditor.rpm.model import Package
from auditor.sources.interface import LoadResult
from auditor.sources.srpmhosts import on_build_hosts


def hosts_of_the_packages(packages: Iterable[Package]) -> tuple[str, ...]:
    """The architectures of ``packages`` that are hosts of their own: each one no host of
    another of them installs (i686 beside x86_64 is multilib, one x86_64 host). A yum-only
    x86_64 architecture (ia32e, amd64) is an x86_64 host's; source packages, noarch, and an
    architecture rpm does not know (a repository's typo, or a hostile one's ``a b``, of which
    ``--arch`` would be a usage error) name none."""
    return _hosts_of(package.arch for package in packages if not package.is_source)


def _hosts_of(arches: Iterable[str]) -> tuple[str, ...]:
    read = {"x86_64" if arch in ONLY_YUM_INSTALLS else arch for arch in arches if arch in KNOWN_ARCHES}
    read.discard("noarch")
    installs = {arch: host_arches([arch]) for arch in read}
    return tuple(
        sorted(arch for arch in read if not any(arch in installs[other] for other in read if other != arch))
    )


def with_the_hosts_read(
    options: AuditOptions, targets: LoadResult, context: LoadResult
) -> tuple[AuditOptions, list[str]]:
    """``options`` with ``--arch`` naming the hosts of the audited packages (of the context's
    when those are all noarch) when it names none and they are of several
    (`hosts_of_the_packages`), or of one and the context of others too, and the warning that
    says so; the source packages then have the BuildRequires of each of those hosts, as with
    ``--arch``."""
    if options.arches:
        return options, []
    # The audited packages say where the release goes; a context repository holding other
    # architectures too (a mirror's tree) does not. Context alone decides for noarch targets.
    hosts = hosts_of_the_packages(targets.packages) or hosts_of_the_packages(context.packages)
    if len(hosts) == 1:
        hosts = _host_among(hosts[0], context.packages)
    if not hosts:
        return options, []
    installed = host_arches(hosts)
    unknown = [p.arch for p in targets.packages if not p.is_source and p.arch not in installed]
    if unknown:
        # Read for those hosts, the audit would drop these packages (no host installs them), a
        # Citrix one among them with its origin evidence: a run that reported it would pass. So
        # the run is read for every host at once, as without this module, and says it is lenient.
        kinds = sorted(set(unknown))
        shown = ", ".join(repr(arch[:40]) for arch in kinds[:5])  # a hostile one is any length
        shown += f" and {len(kinds) - 5} more" if len(kinds) > 5 else ""
        return options, [
            f"no --arch was given, and {len(unknown)} package(s) audited are of architectures rpm does"
            f" not know ({shown}), which no host installs: the run is read for every host at once, where"
            " a package may take a provider no one host has (name the hosts the release ships to with --arch)"
        ]
    defines = dict(options.defines)
    for loaded in (targets, context):
        loaded.packages = on_build_hosts(loaded.packages, hosts, defines, loaded.errors)
    named = " ".join(f"--arch {arch}" for arch in hosts)
    if len(hosts) > 1:
        read = (
            f"of several hosts' architectures ({', '.join(hosts)}):"
            " audited for each of those hosts, the worst over them"
        )
    else:
        read = f"of one host's architectures ({hosts[0]}), the context's of others too: audited for that host"
    warning = (
        f"no --arch was given and the packages audited are {read}, as with {named}"
        " (spec files were read for x86_64 only; name the hosts the release ships to with --arch)"
    )
    return dataclasses.replace(options, arches=hosts), [warning]


def _host_among(host: str, packages: list[Package]) -> tuple[str, ...]:
    """The host the audited packages, all of ``host``'s architectures, are read for beside the
    context's ``packages``: none (every host at once) when one host installs them all, else the
    one of the context's hosts that installs ``host``'s packages (x86_64 for i686 compat
    libraries: their hosts have the x86_64 providers too). Read for every host at once, a clean
    aarch64 provider in a mirror's tree was a way around a Citrix x86_64 one for the x86_64
    packages audited, which no x86_64 host has (libsolv says ``depends``; the run, ``may-depend``)."""
    hosts = _hosts_of([host, *(package.arch for package in packages if not package.is_source)])
    if len(hosts) < 2:
        return ()
    return tuple(other for other in hosts if host in host_arches([other]))[:1]
