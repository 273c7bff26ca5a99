"""distro-60k and distro-10k: Debian bookworm's ``main`` as rpm-md repodata.

The mapping (deterministic: the same index gives the same bytes):

- versions ``[E:]U[-R]`` become epoch E (0), version U (``-`` as ``^``, ``:`` as ``_``),
  release R or ``0``, also in relations and versioned Provides (see ``debian.split_version``);
- Depends become requires, Pre-Depends requires with ``pre="1"``, Recommends, Suggests and
  Enhances the weak relations, Conflicts and Breaks conflicts, Provides provides (with the
  self-provides ``name = EVR`` and, for amd64, ``name(x86-64) = EVR`` that rpmbuild adds);
- alternatives ``a | b (>= 1)`` become rich dependencies ``(a or b >= 1)``;
- file requirements are added where RPM packages have them and Debian's do not: ``/bin/sh``
  (pre) on about 8 % of the packages, ``/usr/bin/perl`` on half of perl's users,
  ``/usr/bin/python3`` on half of python3's; dash, bash, perl-base and python3-minimal own
  those files;
- file lists are made up from the name and Installed-Size: the documentation files,
  ``/usr/bin/NAME`` for a quarter of the packages, and one data file per 500 KiB installed
  (at most 200), so that the number of files per package is skewed like a distribution's;
- about 0.1 % of the packages (chosen by a hash of the name) get the vendor
  ``Citrix Systems, Inc.``, a citrix.com URL and the licence ``Proprietary``: the
  proprietary-origin markers the auditor looks for.

distro-10k is a subset of about 10,000 packages closed under Requires (repoclosure finds
nothing unresolved in it), chosen with libsolv (the ``solv`` wheel, RPM semantics).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from benchmarks.generators import rpmmd, solv_closure
from benchmarks.generators.debian import (
    Evr,
    Paragraph,
    Relation,
    evr_text,
    full_evr,
    relation_groups,
)
from benchmarks.generators.rpmmd import TIMESTAMP, Entry, Fragments, version_attributes

SUBSET_SIZE = 10_000
SUBSET_SEED = 42
_RICH = {"GE": ">=", "LE": "<=", "EQ": "=", "LT": "<", "GT": ">"}
_ARCH = {"amd64": "x86_64", "i386": "i686", "all": "noarch"}
FILE_OWNERS = {
    "dash": ("/bin/sh", "/usr/bin/dash", "/bin/dash"),
    "bash": ("/bin/bash", "/usr/bin/bash"),
    "perl-base": ("/usr/bin/perl",),
    "python3-minimal": ("/usr/bin/python3",),
    "coreutils": ("/bin/ls", "/bin/cp", "/usr/bin/env"),
}
"""The packages that own the files the made-up file requirements name."""
_SOURCE = re.compile(r"^(\S+)\s*\(([^)]+)\)")


def _bucket(text: str, buckets: int) -> int:
    """A stable pseudo-random choice from a name (Python's hash() changes with each run)."""
    return int(hashlib.md5(text.encode()).hexdigest()[:8], 16) % buckets


def virtual_names(packages: Iterable[Paragraph]) -> set[str]:
    """Names some package provides unversioned: Debian's virtual packages.

    Debian never lets such a provide satisfy a versioned relation; RPM does. A versioned
    Conflicts or Breaks on such a name would hit every virtual provider in RPM (perl-base's
    ``Breaks: perl-modules (<< 5.36)`` against perl-modules-5.36's ``Provides: perl-modules``),
    so those conflicts are left out.
    """
    return {
        relation.name
        for fields in packages
        for group in relation_groups(fields.get("Provides", ""))
        for relation in group
        if not relation.flags
    }


def _group_entry(group: tuple[Relation, ...], pre: bool = False) -> Entry:
    """One Debian group of alternatives: an entry, a rich ``(a or b)`` one for several."""
    if len(group) == 1:
        return Entry(group[0].name, group[0].flags, group[0].evr, pre)
    parts = [f"{r.name} {_RICH[r.flags]} {evr_text(r.evr)}" if r.flags and r.evr else r.name for r in group]
    return Entry("(" + " or ".join(parts) + ")", pre=pre)


def _entries(tag: str, entries: Sequence[Entry]) -> str:
    if not entries:
        return ""
    inner = "\n      ".join(entry.xml() for entry in entries)
    return f"    <rpm:{tag}>\n      {inner}\n    </rpm:{tag}>\n"


@dataclass(frozen=True, slots=True)
class Relations:
    """One package's rpm-md relations, in the order primary.xml lists them."""

    provides: list[Entry]
    requires: list[Entry]
    conflicts: list[Entry]
    weak: dict[str, list[Entry]]

    def xml(self) -> str:
        parts = [_entries(tag, entries) for tag, entries in self.weak.items()]
        return "".join([_entries("provides", self.provides), _entries("requires", self.requires),
                        _entries("conflicts", self.conflicts), *parts])  # fmt: skip


def relations(fields: Paragraph, name: str, arch: str, evr: Evr, virtual: set[str]) -> Relations:
    provides = [Entry(name, "EQ", evr)]
    if arch == "x86_64":
        provides.append(Entry(f"{name}(x86-64)", "EQ", evr))
    for group in relation_groups(fields.get("Provides", "")):
        provides += [Entry(r.name, "EQ" if r.flags else None, r.evr if r.flags else None) for r in group]
    pre_groups = relation_groups(fields.get("Pre-Depends", ""))
    groups = relation_groups(fields.get("Depends", ""))
    requires = [_group_entry(g, pre=True) for g in pre_groups] + [_group_entry(g) for g in groups]
    required = {r.name for g in pre_groups + groups for r in g}
    if _bucket("sh" + name, 100) < 8:
        requires.append(Entry("/bin/sh", pre=True))
    if required & {"perl", "perl-base"} and _bucket("pl" + name, 2) == 0:
        requires.append(Entry("/usr/bin/perl"))
    if "python3" in required and _bucket("py" + name, 2) == 0:
        requires.append(Entry("/usr/bin/python3"))
    conflicts = [
        Entry(r.name, r.flags, r.evr)
        for field in ("Conflicts", "Breaks")
        for group in relation_groups(fields.get(field, ""))
        for r in group
        if not (r.flags and r.name in virtual)
    ]
    weak = {}
    for field in ("Recommends", "Suggests", "Enhances"):
        entries = [_group_entry(g) for g in relation_groups(fields.get(field, ""))]
        if entries:
            weak[field.lower()] = entries
    return Relations(provides, requires, conflicts, weak)


def file_list(name: str, installed_size: int) -> tuple[list[str], set[str]]:
    """Made-up files of a package (see the module's docstring), and which of them are directories."""
    files = [f"/usr/share/doc/{name}", f"/usr/share/doc/{name}/copyright",
             f"/usr/share/doc/{name}/changelog.Debian.gz"]  # fmt: skip
    if _bucket("bin" + name, 4) == 0:
        files.append(f"/usr/bin/{name}")
    extra = min(200, installed_size // (500 * 1024))
    if extra:
        files.append(f"/usr/share/{name}")
        files += [f"/usr/share/{name}/data{k:03d}.dat" for k in range(extra)]
    files += [path for path in FILE_OWNERS.get(name, ()) if path not in files]
    present = set(files)
    return files, {path.rsplit("/", 1)[0] for path in files if path.rsplit("/", 1)[0] in present}


def _file_elements(files: Iterable[str], dirs: set[str], indent: str) -> str:
    return "".join(
        f'{indent}<file type="dir">{escape(path)}</file>\n'
        if path in dirs
        else f"{indent}<file>{escape(path)}</file>\n"
        for path in files
    )


def _in_primary(path: str) -> bool:
    """The files createrepo_c lists in primary.xml too: configuration and executables."""
    return path.startswith("/etc/") or "bin/" in path or path == "/usr/lib/sendmail"


@dataclass(frozen=True, slots=True)
class Identity:
    """What primary.xml says of a package besides its relations and files."""

    name: str
    arch: str
    evr: Evr
    pkgid: str
    sourcerpm: str
    citrix: bool
    """One of the few packages given proprietary-origin markers."""

    @classmethod
    def of(cls, fields: Paragraph) -> Identity:
        name = fields["Package"]
        evr = full_evr(fields["Version"])
        source = fields.get("Source", name)
        match = _SOURCE.match(source)
        source_name, (_, version, release) = (
            (match.group(1), full_evr(match.group(2))) if match else (source.strip(), evr)
        )
        return cls(
            name=name,
            arch=_ARCH.get(fields.get("Architecture", "all"), "noarch"),
            evr=evr,
            pkgid=fields.get("SHA256") or hashlib.sha256(name.encode()).hexdigest(),
            sourcerpm=f"{source_name}-{version}-{release}.src.rpm",
            citrix=_bucket("citrix" + name, 1000) == 0,
        )

    def head(self) -> str:
        """The opening of the package's element in filelists.xml and other.xml."""
        attributes = f"pkgid={quoteattr(self.pkgid)} name={quoteattr(self.name)} arch={quoteattr(self.arch)}"
        return f"<package {attributes}>\n  <version {version_attributes(self.evr)}/>\n"


def _primary(package: Identity, fields: Paragraph, installed: int, format_tail: str) -> str:
    name, citrix = package.name, package.citrix
    url = (
        f"https://www.citrix.com/downloads/workspace-app/{name}.html"
        if citrix
        else fields.get("Homepage", "")
    )
    summary, newline, body = fields.get("Description", "").partition("\n")
    location = f"Packages/{name[0]}/{name}-{package.evr[1]}-{package.evr[2]}.{package.arch}.rpm"
    size = int(fields.get("Size", "0") or 0)
    return (
        f'<package type="rpm">\n  <name>{escape(name)}</name>\n  <arch>{package.arch}</arch>\n'
        f"  <version {version_attributes(package.evr)}/>\n"
        f'  <checksum type="sha256" pkgid="YES">{package.pkgid}</checksum>\n'
        f"  <summary>{escape(summary)}</summary>\n"
        f"  <description>{escape(body if newline else summary)}</description>\n"
        f"  <packager>{escape(fields.get('Maintainer', ''))}</packager>\n  <url>{escape(url)}</url>\n"
        f'  <time file="{TIMESTAMP}" build="{TIMESTAMP}"/>\n'
        f'  <size package="{size}" installed="{installed}" archive="{installed + 4096}"/>\n'
        f"  <location href={quoteattr(location)}/>\n  <format>\n"
        f"    <rpm:license>{'Proprietary' if citrix else 'DFSG'}</rpm:license>\n"
        f"    <rpm:vendor>{'Citrix Systems, Inc.' if citrix else 'Debian'}</rpm:vendor>\n"
        f"    <rpm:group>{escape(fields.get('Section', 'misc'))}</rpm:group>\n"
        "    <rpm:buildhost>buildd.debian.org</rpm:buildhost>\n"
        f"    <rpm:sourcerpm>{escape(package.sourcerpm)}</rpm:sourcerpm>\n"
        f"{format_tail}  </format>\n</package>\n"
    )


def convert(fields: Paragraph, virtual: set[str]) -> Fragments:
    """One Debian package as the three rpm-md elements."""
    package = Identity.of(fields)
    installed = int(fields.get("Installed-Size", "0") or 0) * 1024
    files, dirs = file_list(package.name, installed)
    format_tail = (
        f'    <rpm:header-range start="4504" end="{4504 + 2000 + 40 * len(files)}"/>\n'
        + relations(fields, package.name, package.arch, package.evr, virtual).xml()
        + _file_elements((path for path in files if _in_primary(path)), dirs, "    ")
    )
    head = package.head()
    packager = fields.get("Maintainer", "") or "nobody"
    other = (
        f'{head}  <changelog author={quoteattr(packager)} date="{TIMESTAMP}">'
        f"- converted from Debian {escape(evr_text(package.evr))}</changelog>\n</package>\n"
    )
    return Fragments(
        _primary(package, fields, installed, format_tail),
        head + _file_elements(files, dirs, "  ") + "</package>\n",
        other,
    )


def write(outdir: str, packages: Sequence[Paragraph], virtual: set[str]) -> None:
    """The repository of ``packages`` in ``outdir`` (``virtual``: see ``virtual_names``)."""
    rpmmd.write_repository(outdir, (convert(fields, virtual) for fields in packages), len(packages))


def closed_subset(repo: str, target: int = SUBSET_SIZE, seed: int = SUBSET_SEED) -> set[str]:
    """Names of about ``target`` packages closed under Requires in the repository ``repo``.

    Packages that cannot be installed (a requirement with no installable provider, however
    deep) are left out; then, in a shuffled order, each picked package brings the provider of
    every requirement not yet satisfied (a package of the required name first).
    """
    pool, repository = solv_closure.load(repo)
    solvables = list(repository.solvables)
    requires = {s.id: solv_closure.requirements(s) for s in solvables}
    broken = _uninstallable(pool, solvables, requires)
    order = [s for s in solvables if s.id not in broken]
    random.Random(seed).shuffle(order)
    chosen: set[int] = set()
    for start in order:
        if len(chosen) >= target:
            break
        if start.id in chosen:
            continue
        new = {start.id}
        stack = [start]
        while stack:
            for dep in requires[stack.pop().id]:
                providers = [p for p in pool.whatprovides(dep) if p.id not in broken]
                if any(p.id in chosen or p.id in new for p in providers):
                    continue
                wanted = str(dep).split(" ")[0]
                provider = min(providers, key=lambda p: (p.name != wanted, p.name))
                new.add(provider.id)
                stack.append(provider)
        chosen |= new
    return {pool.solvables[i].name for i in chosen}


def _uninstallable(pool: Any, solvables: list[Any], requires: dict[int, list[Any]]) -> set[int]:
    """Packages with a requirement only uninstallable packages (or none) provide, to a fixed point."""
    broken: set[int] = set()
    changed = True
    while changed:
        changed = False
        for solvable in solvables:
            if solvable.id not in broken and any(
                all(p.id in broken for p in pool.whatprovides(dep)) for dep in requires[solvable.id]
            ):
                broken.add(solvable.id)
                changed = True
    return broken
