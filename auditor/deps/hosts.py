"""The hosts that may install a configuration's packages, and what each of them lacks.

dnf's and yum 3's readings of a configuration may hide different packages, or read different
sections (`auditor.sources.interface.PartlyHidden`), and yum names an x86_64 host after its CPU
(ia32e, amd64), installing packages of that architecture there, which dnf never does
(`auditor.deps.provides.ONLY_YUM_INSTALLS`). A package some hosts lack is a provider on the
others and no way around a tainted one on any; a requirement one host cannot meet is
unresolved there (`on_its_hosts`). The verdict is the worst over the hosts.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Mapping, Sequence

from auditor.deps.hops import LOCK_STEP, Group, HopKind
from auditor.deps.provides import HOST_ARCHES, ONLY_YUM_INSTALLS
from auditor.rpm.model import Dependency, Package
from auditor.sources.interface import ConfigReader


class Host(enum.Enum):
    """A host that may install a configuration's packages: dnf's, and yum 3's, which names an
    x86_64 host after its CPU (`auditor.deps.provides.ONLY_YUM_INSTALLS`)."""

    DNF = "dnf"
    YUM_INTEL = "yum on ia32e"
    YUM_AMD = "yum on amd64"


EVERY_HOST: frozenset[Host] = frozenset(Host)
_HOSTS_OF = {
    ConfigReader.DNF: frozenset({Host.DNF}),
    ConfigReader.YUM: frozenset({Host.YUM_INTEL, Host.YUM_AMD}),
}
_ARCH_HOSTS = {"ia32e": frozenset({Host.YUM_INTEL}), "amd64": frozenset({Host.YUM_AMD})}


def present_on(
    packages: Sequence[Package], hidden_on: Mapping[int, ConfigReader]
) -> dict[int, frozenset[Host]]:
    """The hosts that have each package ``hidden_on`` names: those of the reader that does not
    hide it, and of its architecture for ia32e and amd64 (one yum host each)."""
    found = {}
    for index, reader in hidden_on.items():
        hosts = EVERY_HOST - _HOSTS_OF[reader]
        found[index] = hosts & _ARCH_HOSTS.get(packages[index].arch, EVERY_HOST)
    return found


def lacking_on_dnf_hosts(
    packages: Sequence[Package], hidden: frozenset[int], hidden_on: Mapping[int, ConfigReader]
) -> tuple[frozenset[int], Mapping[int, ConfigReader]]:
    """``hidden`` and ``hidden_on`` with the packages of an architecture only yum installs
    (`ONLY_YUM_INSTALLS`): dnf's hosts lack them, as if dnf's reading hid them; one yum's
    reading hides too no host installs."""
    only_yum = [
        index
        for index, package in enumerate(packages)
        if package.arch in ONLY_YUM_INSTALLS and index not in hidden
    ]
    if not only_yum:
        return hidden, hidden_on
    found = dict(hidden_on)
    nowhere = set()
    for index in only_yum:
        if found.setdefault(index, ConfigReader.DNF) is not ConfigReader.DNF:
            nowhere.add(index)
            del found[index]
    return hidden | nowhere, found


def on_its_hosts(
    groups: Sequence[Sequence[int]],
    hosts: frozenset[Host],
    beside: str | None,
    present: Mapping[int, frozenset[Host]],
    together: Callable[[str, str], bool],
    packages: Sequence[Package],
) -> tuple[ConfigReader, str] | None:
    """Whether a requirement met by ``groups`` is unmet on one of ``hosts`` (those that have the
    requiring package, `present_on`): the reader whose hosts lack every provider of a group, and
    those providers' names; None when every host has one of each. ``beside``: the requiring
    package's architecture, unless noarch or a source package: a provider no host of it installs
    beside the package is none (the resolver says so when a group has no other)."""
    for group in groups:
        kept = [m for m in group if beside is None or together(beside, packages[m].arch)]
        if not kept:
            continue
        covered = frozenset().union(*(present.get(member, EVERY_HOST) for member in kept))
        missing = hosts - covered
        if missing:
            reader = ConfigReader.DNF if Host.DNF in missing else ConfigReader.YUM
            return reader, ", ".join(sorted({packages[member].name for member in kept}))
    return None


def lock_step_twins(
    packages: Sequence[Package], hosts: Sequence[str], installable: Collection[int]
) -> dict[int, tuple[Dependency, tuple[int, ...]]]:
    """The packages dnf installs only in lock-step with a twin on a host of ``hosts`` (none:
    x86_64, the default host), and each one's twins, with the requirement that names them.

    libsolv, set up as dnf sets it (colours: multilib), installs a package of an architecture
    its host ranks below its own (``i686`` on x86_64, ``s390`` on s390x) as a dependency only
    with the package of the same name and EVR of the host's own architecture (or noarch), when
    there is one (its infarch rules): ``lib.i686`` comes with ``lib.x86_64``, and needs what
    that needs (tests/deps/test_arch_random_finds.py). When the name's x86_64 packages are of
    other versions only, libsolv bans the i686 one where the installation asked for reaches
    them, and installs it alone where not (`auditor.deps.infarch`). The twin is required here
    wherever the i686 package is taken, within reach of an x86_64 package of its name or not:
    the stricter reading (libsolv's lock-step binds only within reach). A package named
    on the command line is spared this: the clean-way search asks it without its twins
    (`auditor.deps.hops.without_lock_step`), though the taints its twins carry are its own too
    (the i686 package itself may be reported as needing what only its twin needs). yum has no
    such rule, and the verdict is the worst over the hosts."""
    found: dict[int, tuple[Dependency, tuple[int, ...]]] = {}
    for host in dict.fromkeys(hosts or ("x86_64",)):
        below = frozenset(HOST_ARCHES.get(host, ())) - {host, "noarch"}
        if not below or host in ONLY_YUM_INSTALLS:
            continue
        lower = [index for index in installable if packages[index].arch in below]
        if not lower:
            continue  # a run with no multilib package (most): one pass, and nothing made
        names = {packages[index].name for index in lower}
        own: dict[str, list[int]] = {}
        for index in installable:
            package = packages[index]
            if package.name in names and (package.arch == host or package.arch == "noarch"):
                own.setdefault(package.name, []).append(index)
        for index in lower:
            package = packages[index]
            if package.is_source:
                continue
            named = [m for m in own.get(package.name, ()) if not packages[m].is_source]
            members = [m for m in named if packages[m].evr == package.evr]
            if any(packages[m].arch == host for m in members):
                step = Dependency(f"{LOCK_STEP}{package.name}.{host}")
                found[index] = (step, tuple(sorted(members)))
    return found


def lock_step_groups(
    packages: Sequence[Package], hosts: Sequence[str], installable: Collection[int]
) -> dict[int, Group]:
    """Each package's group of the twins dnf installs it in lock-step with (`lock_step_twins`)."""
    found = lock_step_twins(packages, hosts, installable)
    return {
        owner: Group(HopKind.REQUIRES, dependency, twins, lock_step=True)
        for owner, (dependency, twins) in found.items()
    }
