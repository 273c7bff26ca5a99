"""What a package surely needs, and what that rules out (the `auditor.deps.coinstall` rules
applied through a package's sure needs).

A package surely needs the one provider of a plain Requires of it, and each single provider
of a part of a rich Requires no condition governs (`surely_needed`). Installing the package
installs those, so a clean provider apart from one of them is no way around a Citrix one
(`needing`), and a package apart from what it surely needs, however deep, can never be
installed at all (`uninstallable`).
"""

from __future__ import annotations

from collections.abc import Collection, Container, Mapping, Sequence

from auditor.deps.coinstall import Apart, Joint, multilib_of_versions
from auditor.deps.hops import Group
from auditor.deps.resolution import ROUGH, Resolution, Status
from auditor.rpm.deps import Node, RichOp, Simple, parse
from auditor.rpm.model import Package
from auditor.rpm.package_fields import DependencyKind


def needing(
    owner: int,
    resolutions: Sequence[Resolution],
    apart_from: Mapping[int, Apart],
    absent: Container[int] = (),
) -> Container[int] | None:
    """What ``owner`` can never be installed with: its own `Apart`, and that of each package it
    surely needs, the one provider of a plain Requires of it. ``app`` requiring ``a`` (whose one
    provider conflicts with ``clean-b``) and ``b`` cannot take ``clean-b`` for ``b``: dnf
    installs a Citrix ``b`` if there is one (None: nothing is apart from it). A source package's
    Requires are its BuildRequires, all installed in one buildroot by ``dnf builddep``: a clean
    provider apart from the one provider of another of them is no way around either. ``absent``
    are packages that do not exist when the owner is installed or built (a spec's own binaries)."""
    found = [apart_from[owner]] if owner in apart_from else []
    for resolution in resolutions:
        for needed in surely_needed(resolution):
            if needed in apart_from and needed != owner and needed not in absent:
                found.append(apart_from[needed])
    if len(found) < 2:
        return found[0] if found else None
    return Joint(tuple(found))


def uninstallable(
    packages: Sequence[Package],
    requirements: Mapping[int, Sequence[Resolution]],
    apart_from: Mapping[int, Apart],
    everyone: Mapping[int, Sequence[Resolution]] | None = None,
) -> frozenset[int]:
    """The binary packages of ``requirements`` dnf can never install, whatever else it installs:
    two of the package and the packages it surely needs (`surely_needed`, and what those surely
    need, through ``everyone``'s requirements: all of ``requirements`` when None) are apart.
    ``clean`` requiring ``x``, whose one provider conflicts with ``clean`` (or ``a`` and ``b``,
    which conflict; or ``mid``, which requires such an ``x``) is no way around a Citrix provider
    of what it provides: libsolv cannot install it. Only what is there says so (a Conflicts, an
    Obsoletes, one name): a requirement the run cannot meet never makes a package
    uninstallable here (see the module's notes)."""
    everyone = requirements if everyone is None else everyone
    direct: dict[int, tuple[int, ...]] = {}
    """package -> the packages it surely needs itself, asked once per package."""

    sure: dict[int, tuple[int, ...]] = {}
    """id of a resolution -> what it surely needs: one resolution serves every package that
    writes the same requirement (distro-60k: 64,000 for 150,000 asked)."""

    def needs(index: int) -> tuple[int, ...]:
        found = direct.get(index)
        if found is None:
            needed: set[int] = set()
            for one in everyone.get(index, ()):
                key = id(one)
                theirs = sure.get(key)
                if theirs is None:
                    theirs = sure[key] = surely_needed(one)
                needed.update(theirs)
            found = direct[index] = tuple(needed)
        return found

    candidates = [owner for owner in requirements if not packages[owner].is_source]
    # What the candidates surely need, however deep, each package walked once, in postorder
    # (what a package surely needs before it), so that one pass carries most of what follows.
    order: list[int] = []
    walked: set[int] = set()
    for owner in candidates:
        if owner in walked:
            continue
        walked.add(owner)
        stack = [(owner, iter(needs(owner)))]
        while stack:
            index, rest = stack[-1]
            for needed in rest:
                if needed not in walked:
                    walked.add(needed)
                    stack.append((needed, iter(needs(needed))))
                    break
            else:
                stack.pop()
                order.append(index)
    # The packages apart from some among each one and all it surely needs, to a fixed point
    # (a dependency cycle takes another pass): walking each candidate's whole closure took
    # seconds on 200k packages.
    reach: dict[int, set[int]] = {index: {index} for index in order if index in apart_from}
    changed = True
    while changed:
        changed = False
        for index in order:
            for needed in needs(index):
                theirs = reach.get(needed)
                if not theirs or needed == index:
                    continue
                mine = reach.get(index)
                if mine is None:
                    reach[index] = set(theirs)
                    changed = True
                elif not theirs <= mine:
                    mine |= theirs
                    changed = True
    found: set[int] = set()
    for owner in candidates:
        together = reach.get(owner)
        if not together:
            continue
        together = together | {owner}
        if any(
            one in apart_from and any(other != one and other in apart_from[one] for other in together)
            for one in together
        ):
            found.add(owner)
    return frozenset(found)


def needing_any(
    packages: Sequence[Package],
    runtime: Mapping[int, Sequence[Group]],
    broken: frozenset[int],
    refusing_themselves: Collection[int] = (),
) -> frozenset[int]:
    """``broken`` (binary packages dnf can never install) and each binary with a requirement
    that binds whatever else holds (`binds_exactly`; a lock-step twin's does not) whose
    providers in ``runtime`` (narrowed by what the package can never be installed with) are all
    broken, however deep: dnf can never install it either. ``mid`` requiring ``libs``, whose one
    provider requires ``(libc unless libs)`` (it refuses itself), was a clean way around a Citrix
    provider of what ``mid`` provides (tests/deps/test_unless_refuses.py). Nothing is walked when
    nothing is broken (most runs).

    A package broken only as asked alone is no start: one with a namesake of the other colour in
    another version (`auditor.deps.coinstall.SameName`) may be installed as a dependency beside
    that namesake when the namesake is the package asked for (the hunt's ``el7`` 177: an
    x86_64 package needing its i686 namesake, which an i686 package of that name asked for
    takes, made what requires its files never installable, where libsolv installs them). One
    of ``refusing_themselves`` (never installed, whatever is asked) always is."""
    found = (set(broken) - _with_other_colour(packages, broken)) | set(refusing_themselves)
    broken = broken | found
    if not found:
        return broken
    # Each distinct group (shared by its requirement's owners) waits on one member not broken,
    # the next one once that one is: a group is asked again only when a member of it breaks.
    # Passes over every owner's groups to a fixed point took three to four of them on
    # distro-60k (290,000 groups of 57,000 distinct, 2 million subset tests: 330 ms); this
    # takes one, and 110 ms. The packages broken are the same: the least fixed point either way.
    owners_of: dict[int, list[int]] = {}
    distinct: list[Group] = []
    known = owners_of.get
    for owner, groups in runtime.items():
        if owner in found:
            continue
        for group in groups:
            owners = known(id(group))
            if owners is None:
                owners_of[id(group)] = [owner]
                distinct.append(group)
            else:
                owners.append(owner)
    waiting: dict[int, list[Group]] = {}
    complete: list[Group] = []
    for group in distinct:
        if group.members:
            _wait(group, found, waiting, complete)
    while complete:
        group = complete.pop()
        if not binds_exactly(group) or group.lock_step:
            continue
        for owner in owners_of[id(group)]:
            if owner not in found:
                found.add(owner)
                for waiter in waiting.pop(owner, ()):
                    _wait(waiter, found, waiting, complete)
    return broken | found


def _wait(group: Group, found: set[int], waiting: dict[int, list[Group]], complete: list[Group]) -> None:
    """``group`` waiting on its first member not in ``found``, or ``complete`` when it has none."""
    for member in group.members:
        if member not in found:
            waiting.setdefault(member, []).append(group)
            return
    complete.append(group)


def _with_other_colour(packages: Sequence[Package], among: frozenset[int]) -> set[int]:
    """The packages of ``among`` with a binary namesake of another version and a colour apart."""
    names = {packages[index].name for index in among}
    by_name: dict[str, list[Package]] = {}
    for package in packages:
        if package.name in names and not package.is_source:
            by_name.setdefault(package.name, []).append(package)
    return {
        index
        for index in among
        if any(
            multilib_of_versions(packages[index], other) for other in by_name.get(packages[index].name, ())
        )
    }


def binds_exactly(group: Group) -> bool:
    """Whether every installation of the group's owner must meet it: a Requires (or
    BuildRequires) read exactly, under no ``if`` or ``unless`` (the two sides of a condition are
    not both needed), or one it needs whichever way they go (`Group.every_host`)."""
    dependency = group.dependency
    exact = group.every_host or not dependency.is_rich or not conditional(parse(dependency.name))
    return not group.rough and exact


def surely_needed(resolution: Resolution) -> tuple[int, ...]:
    """The packages a requirement's owner surely needs: the one provider of a plain Requires it
    resolves to, or each group of one of a rich Requires no condition (``if``, ``unless``)
    governs, or that one needs whichever way its conditions go (``(a if b else a)``):
    ``(a and b)`` and ``(a with b)`` need each part whatever the choice, as libsolv
    reads them (none: there is no such one). `needing` and the graph's shortcut for packages
    apart from nothing (`auditor.deps.graph`) both ask it, so they cannot disagree."""
    # Cheapest test first: this runs for every distinct requirement of a distribution.
    groups = resolution.groups
    if not groups or (len(groups) == 1 and len(groups[0]) != 1):
        return ()
    if resolution.kind is not DependencyKind.REQUIRES or resolution.status is not Status.SATISFIED:
        return ()
    dependency = resolution.dependency
    if not dependency.is_rich:
        return groups[0] if len(groups) == 1 else ()
    if resolution.detail == ROUGH:
        return ()  # a rough reading needs more than it must
    if conditional(parse(dependency.name)):  # a condition may not hold: only what every host needs
        return tuple(group[0] for group in resolution.every_host if len(group) == 1)
    return tuple(group[0] for group in groups if len(group) == 1)


def conditional(node: Node) -> bool:
    """Whether an ``if`` or ``unless`` is anywhere in a rich dependency."""
    if isinstance(node, Simple):
        return False
    return node.op in (RichOp.IF, RichOp.UNLESS) or any(conditional(each) for each in node.operands)


def without_uninstallable(table: dict[int, list[Group]], broken: frozenset[int]) -> None:
    """Each group of ``table`` without the providers dnf can never install (`uninstallable`):
    a clean one of them spares nobody a Citrix one. A group left empty stays whole (the
    resolver's answer stands); a group shared by many packages is narrowed once."""
    narrowed: dict[int, tuple[Group, Group]] = {}
    """id of a group -> (that group, kept alive so that no other takes its id; it narrowed)."""
    for groups in table.values():
        for place, group in enumerate(groups):
            members = group.members
            if len(members) < 2 or broken.isdisjoint(members):
                continue
            known = narrowed.get(id(group))
            if known is None:
                kept = tuple(member for member in members if member not in broken)
                found = group
                if kept:
                    found = group._replace(members=kept, excluded=group.excluded + len(members) - len(kept))
                known = narrowed[id(group)] = (group, found)
            groups[place] = known[1]
