"""The auditor's verdicts against libsolv's on random universes written straight as rpm-md (not a
pytest module: a hunting tool, thousands of universes a minute).

usage: python -m tests.deps.rpmmd_hunt SHAPE LO HI
       python -m tests.deps.rpmmd_hunt --reduce SHAPE SEED KIND NEVRA
       python -m tests.deps.rpmmd_hunt --prune SHAPE LO HI

Each seed of ``SHAPE`` (`SHAPES`) is a universe of packages, some Citrix's (a Vendor) or
proprietary (a License), written as primary.xml, filelists.xml and repomd.xml the way
createrepo_c lays them out, with a repository of source packages whose Requires are the
BuildRequires. The auditor reads them in this process (``--metadata-only``); libsolv, set up as
dnf sets it, reads the same files. For each binary libsolv installs, and each category, the line
printed is

- ``MISS``: libsolv cannot install it with that category's packages locked out, and the auditor
  gives it no ``depends`` (nor ``origin``) of the category: a false lenient verdict;
- ``STRICT``: libsolv installs it so, and the auditor says ``depends`` (the README's known
  readings: ``(a if b)`` read for a host that has ``b``, and a requirement whose providers are all
  of one category or the other, which depends on both);
- ``BMISS``: a source package libsolv finds no buildroot for without the category's packages and
  the binaries of the builds so blocked, and the auditor gives no ``build-depends`` of it.

A ``U`` before the kind marks a package whose installation may reach a requirement nothing
meets: the auditor counts a provider with such a requirement as a way around on purpose (see the
README), libsolv does not. ``--reduce`` shrinks a universe while one line still holds, and prints
what is left. Writing the metadata directly (no rpmbuild) is what makes it fast, and lets it write
what rpmbuild refuses and another tool may write (``(a unless b)`` a Requires needs whatever).

On 2026-12-05, seeds 0-299 of ``rich``, ``richv`` and ``mix`` gave 29, 91 and 7 MISS lines at
commit 30b7a63, and 0, 1 and 0 once a Requires' ``(A unless B)`` kept B's providers away
(``tests/deps/test_unless_refuses.py``). On 2026-12-06 seeds 300-599 of ``mix``, ``rich`` and
``richv`` gave 1, 1 and 11 MISS lines, each a package whose every way went through one that
refuses what it provides itself, one requirement or more away; none once the graph read such a
package as never installable too (`auditor.deps.sureneeds.needing_any`, with ``richv`` 127).
``buildmix`` 88's BMISS went with a walk that passed a requirement by no longer witnessing a
clean installation (``tests/deps/test_witness_passed_by.py``). ``archmix`` 143's MISS lines, and
those of the multilib case below (``el7`` 655, ``multilibmix``), went once libsolv's infarch rule
was read over what the asking package may reach (`auditor.deps.infarch`, round 50): seeds 0-299
of ``archmix`` gave 4 MISS and 80 U lines before, none and 69 after, with one STRICT (a banned
package asked for itself, tests/deps/test_infarch.py's xfail); ``el7`` 600-899, 2 MISS and 46
UBMISS before, none and 30 after (5 more USTRICT, the README's reading of a requirement whose
providers are all of one category or the other); ``multilibmix`` 0-199, 3 MISS and 41 UBMISS
before, none and 31 after. ``hosts`` 224 (an i686 package requiring the
x86_64 package of its name in another version, which libsolv installs beside it when the i686 one
is asked for) is fixed (`auditor.deps.coinstall.SameName`). The STRICT lines of ``archmix`` 143
and 736, ``el7`` 2236, ``multilibmix`` 1015 and 1174 and ``hosts`` 1398's USTRICT (a banned
package asked for itself) went once such a package, found ``depends``, is asked again on the
graph with the rule lifted for its name (`auditor.deps.lifting`, round 51), no other line
changing over seeds 0-1999 of ``archmix``, 600-2499 of ``el7``, 0-1499 of ``multilibmix`` and
``hosts``, 0-119 of ``mix`` and 0-199 of ``updatesmix`` (``hosts`` 1303's MISS, an aarch64
package, was there before: a ``U`` line, ``p9`` requiring ``(c5 or c5)``, which an aarch64
package meets whose own requirement nothing meets, the README's way around; the U marker looked
for providers on the first host alone, x86_64, until round 52); ``el7`` 1000's UMISS, which the lifted answer alone had made (a way
around whose own requirement nothing meets, the README's reading), went once a package whose
installation may reach one keeps its ``depends``.

``updates`` and ``updatesmix`` (2026-12-06, round 49) are what XCP-ng has that the others do not:
source packages built into a main package, ``-libs`` and ``-devel`` pinned to one another by
version, one to three versions of each (``updatesmix``: the later ones in a second repository,
some under an Epoch), renames that obsolete the old name, and builds requiring versioned
``-devel`` packages (a package's ``source`` names its source package; a blocked build blocks all
its binaries). Seeds 0-1199 of both gave no MISS or BMISS line but ``U`` ones, nor did seeds
600-1199 of ``mix``, ``richv``, ``buildmix``, ``cat`` and ``big``, nor 600-899 of ``rich``,
``multilibmix``, ``confver``, ``dense``, ``build``, ``pkg``, ``obs`` and ``files``. Of ``el7``'s
600-1199, 655's two lines, 1100's and 1174's two are the multilib case
`auditor.deps.hosts.lock_step_twins` documents (an i686 package whose name's x86_64 package is
of another version). ``hosts`` 772's three were a requirement met only by an x86_64 package,
unmet on the aarch64 host, which the README counts as missing context there: a requirement is
now met only where each host installs a provider. ``--prune`` hunts each universe without the
packages libsolv never installs (`installable`), so a ``U`` line that only they made goes: seeds
0-1199 of ``updates``, ``updatesmix``, and 600-1199 of ``mix``, ``richv``, ``buildmix`` and
``cat`` so pruned gave no MISS or BMISS line but ``U`` ones; ``el7`` 600-899 gave five more of the
multilib case.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import random
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import solv

from auditor.audit.options import AuditOptions
from auditor.engine import run_audit
from auditor.origin.policy import load_policy
from tests.deps.built import CATEGORIES, CITRIX

Universe = list[dict[str, Any]]
_FLAGS = {"=": "EQ", "<": "LT", ">": "GT", "<=": "LE", ">=": "GE"}
_RELATIONS = {
    "=": solv.REL_EQ, "<": solv.REL_LT, ">": solv.REL_GT,
    "<=": solv.REL_EQ | solv.REL_LT, ">=": solv.REL_EQ | solv.REL_GT,
}  # fmt: skip
SHAPES: dict[str, dict[str, Any]] = {
    "plain": {},
    "obs": {"obsoletes": [0, 0, 1, 1, 2]},
    "ver": {"multiver": 0.4, "verprov": True, "verreq": True},
    "pkg": {"multiver": 0.4, "pkgreq": True, "obsoletes": [0, 0, 1]},
    "rich": {"rich": ["or", "and", "if", "unless", "with", "without"]},
    "richv": {"rich": ["or", "if", "unless"], "multiver": 0.3, "verprov": True, "verreq": True},
    "files": {"files": True},
    "mix": {"multiver": 0.3, "verprov": True, "verreq": True, "pkgreq": True, "obsoletes": [0, 0, 1],
            "rich": ["or", "if", "unless", "and"], "files": True},
    "cat": {"citrix": 0.15, "proprietary": 0.15, "multiver": 0.3, "verreq": True, "verprov": True},
    "confver": {"multiver": 0.4, "verprov": True, "verreq": True, "confver": True, "conflicts": [0, 1, 1, 2]},
    "dense": {"size": 25, "caps": 5, "requires": [1, 2, 3, 3], "conflicts": [0, 1, 2], "citrix": 0.3},
    "build": {"buildrequires": [0, 1, 1, 2], "citrix": 0.15},
    "buildmix": {"buildrequires": [0, 1, 2], "citrix": 0.15, "proprietary": 0.1, "multiver": 0.3,
                 "verreq": True, "verprov": True, "obsoletes": [0, 0, 1], "rich": ["or", "if"]},
    "arch": {"arch": True},
    "archmix": {"arch": True, "multiver": 0.3, "verreq": True, "verprov": True, "pkgreq": True,
                "obsoletes": [0, 0, 1]},
    "multilibmix": {"arch": True, "multilib": True, "multiver": 0.3, "verreq": True, "verprov": True,
                    "rich": ["or", "if", "and", "with"], "obsoletes": [0, 0, 1], "buildrequires": [0, 1, 2]},
    "el7": {"size": 24, "caps": 8, "arch": True, "multilib": True, "multiver": 0.5, "verprov": True,
            "verreq": True, "pkgreq": True, "obsoletes": [0, 0, 1], "files": True, "confver": True,
            "buildrequires": [0, 1, 2], "proprietary": 0.05},
    "hosts": {"arch": True, "hosts": ["x86_64", "aarch64"], "multilib": True, "multiver": 0.3, "verreq": True,
              "verprov": True, "pkgreq": True, "obsoletes": [0, 0, 1], "rich": ["or", "if", "and"]},
    "big": {"size": 40, "caps": 12, "multiver": 0.3, "verprov": True, "verreq": True, "pkgreq": True,
            "obsoletes": [0, 0, 1], "rich": ["or", "if", "and"], "conflicts": [0, 1, 1, 2], "confver": True,
            "buildrequires": [0, 1, 2], "proprietary": 0.1},
    "updates": {"families": 7, "caps": 5, "arch": True, "buildrequires": [0, 1, 2], "proprietary": 0.05},
    "updatesmix": {"families": 7, "caps": 6, "arch": True, "split": True, "met": True, "epochs": True, "buildrequires": [0, 1, 2, 3],
                   "proprietary": 0.1, "citrix": 0.15, "rich": ["or", "if"], "conflicts": [0, 0, 0, 1]},
}  # fmt: skip
"""The draws of each shape: ``size`` packages over ``caps`` capabilities; ``multiver`` the share
of names with a second version; ``verprov``/``verreq`` versioned provides and requirements;
``pkgreq`` requirements of package names; ``rich`` the operators of rich requirements;
``files`` file requirements; ``arch``/``multilib`` x86_64 and i686 packages (and pairs);
``confver`` versioned Conflicts; ``hosts`` the run's ``--arch`` (libsolv asked on each); lists are the counts drawn per package. ``el7`` is what rpm
4.11 (CentOS 7, XCP-ng 8's base) writes: no rich or weak dependency, many versions, multilib.
``families`` (``updates``, ``updatesmix``) draws that many source packages the way XCP-ng's base and
updates repositories hold them (`families`); ``split`` writes the later versions to a second
repository, ``updates``, audited and read by libsolv beside the first; ``met`` draws fewer
requirements nothing meets (fewer ``U`` lines, which may hide a real one); ``epochs`` gives some
families an Epoch from a later version on, which their Requires, written without one, still
compare against."""


def universe(shape: str, seed: int) -> Universe:
    """The packages of one seed of ``shape``: a seed names the same universe while SHAPES stays."""
    rng = random.Random(f"{shape}-{seed}")
    draws = SHAPES[shape]
    if draws.get("families"):
        return families(rng, draws)
    size, caps = draws.get("size", 18), draws.get("caps", 7)
    names = [f"p{number}" for number in range(size)]
    packages: Universe = []
    for name in names:
        for version in [1] if rng.random() > draws.get("multiver", 0) else [1, 2]:
            arches = ["noarch", "x86_64", "x86_64", "i686", *(["aarch64"] if draws.get("hosts") else [])]
            arch = rng.choice(arches) if draws.get("arch") else "noarch"
            package: dict[str, Any] = {"name": name, "evr": f"{version}-1", "arch": arch}
            for key in ("provides", "requires", "conflicts", "obsoletes", "buildrequires", "files"):
                package[key] = []
            draw = rng.random()
            if draw < draws.get("citrix", 0.2):
                package.update(CITRIX)
            elif draw < draws.get("citrix", 0.2) + draws.get("proprietary", 0.0):
                package["license"] = "Proprietary"
            packages.append(package)
    if draws.get("multilib"):  # the same build for both: the lists are shared on purpose
        packages += [
            {**one, "arch": "i686"}
            for one in list(packages)
            if one["arch"] == "x86_64" and rng.random() < 0.5
        ]
    for number in range(caps):
        for package in rng.sample(packages, rng.randint(1, 3)):
            versioned = draws.get("verprov") and rng.random() < 0.5
            package["provides"].append(f"c{number} = {rng.randint(1, 3)}" if versioned else f"c{number}")
    if draws.get("files"):  # /usr/bin files primary.xml lists, /opt ones only filelists.xml
        for number in range(3):
            for package in rng.sample(packages, rng.randint(1, 2)):
                package["files"].append(f"/usr/bin/f{number}")
            for package in rng.sample(packages, rng.randint(1, 2)):
                package["files"].append(f"/opt/f{number}")

    def requirement() -> str:
        kind, capability = rng.random(), f"c{rng.randrange(caps)}"
        if draws.get("files") and kind < 0.15:
            return f"/{rng.choice(['usr/bin', 'opt'])}/f{rng.randrange(3)}"
        if draws.get("rich") and kind < 0.45:
            return f"(c{rng.randrange(caps)} {rng.choice(draws['rich'])} c{rng.randrange(caps)})"
        if draws.get("verreq") and kind < 0.7:
            return f"{capability} {rng.choice(['>=', '<', '=', '>'])} {rng.randint(1, 3)}"
        if draws.get("pkgreq") and kind < 0.85:
            name = rng.choice(names)
            return (
                f"{name} {rng.choice(['>=', '<', '='])} {rng.randint(1, 2)}-1" if rng.random() < 0.5 else name
            )
        return capability

    for package in packages:
        for _ in range(rng.choice(draws.get("requires", [0, 1, 1, 2, 2, 3]))):
            drawn = requirement()
            if drawn.split()[0] != package["name"]:
                package["requires"].append(drawn)
        package["buildrequires"] += [
            requirement() for _ in range(rng.choice(draws.get("buildrequires", [0])))
        ]
        for _ in range(rng.choice(draws.get("conflicts", [0, 0, 1]))):
            other, draw = rng.choice(names), rng.random()
            if other == package["name"]:
                continue
            if draws.get("confver") and draw < 0.4:
                package["conflicts"].append(f"{other} {rng.choice(['<', '>=', '='])} {rng.randint(1, 2)}-1")
            elif draws.get("confver") and draw < 0.6:
                package["conflicts"].append(
                    f"c{rng.randrange(caps)} {rng.choice(['<', '>='])} {rng.randint(1, 3)}"
                )
            else:
                package["conflicts"].append(other if draw < 0.8 else f"c{rng.randrange(caps)}")
        for _ in range(rng.choice(draws.get("obsoletes", [0]))):
            other = rng.choice(names)
            if other != package["name"]:
                package["obsoletes"].append(other if rng.random() < 0.5 else f"{other} < 2-1")
    return packages


def families(rng: random.Random, draws: dict[str, Any]) -> Universe:
    """XCP-ng's base repository and its updates in one (libsolv reads both into one pool): each
    family ``fK`` has one to three versions, each built from one source package (its ``source``)
    into ``fK`` and maybe ``fK-libs`` (a soname, ``libfK.so.1``, ``.so.2`` from version 3 on) and
    ``fK-devel``, pinned to one another as spec files pin them (``Requires: fK-libs = V-1``, or
    ``>=``); some families' last version is renamed ``fK-ng`` (``Obsoletes: fK < V-1`` and
    ``Provides: fK = V-1``); capabilities ``cN`` have one or two providers of different names;
    builds require versioned ``-devel`` packages. A family or one of its updates is Citrix's or
    proprietary."""
    packages: Universe = []
    count, caps = draws["families"], draws.get("caps", 5)
    shapes = []
    for _ in range(count):
        subpackages = [kind for kind in ("libs", "devel") if rng.random() < 0.6]
        versions = rng.choice([1, 2, 2, 3, 3])
        renamed = versions > 1 and rng.random() < 0.2
        shapes.append((subpackages, versions, renamed))

    def requirement(own: int) -> str:
        other = rng.choice([number for number in range(count) if number != own] or [own])
        subpackages, versions, _ = shapes[other]
        kind, version = rng.random(), rng.randint(1, versions)
        if draws.get("rich") and kind < 0.15:
            return f"(c{rng.randrange(caps)} {rng.choice(draws['rich'])} c{rng.randrange(caps)})"
        if kind < 0.35 and "libs" in subpackages:
            sonames = [1, 1, 2] if versions >= 3 or not draws.get("met") else [1]
            return f"libf{other}.so.{rng.choice(sonames)}"
        if kind < 0.55:
            return (
                f"f{other} {rng.choice(['>=', '>=', '='])} {version}-1" if rng.random() < 0.7 else f"f{other}"
            )
        if kind < 0.75:
            return f"c{rng.randrange(caps)} >= {rng.randint(1, 2 if draws.get('met') else 3)}"
        return f"c{rng.randrange(caps)}"

    def build_requirement(own: int) -> str:
        other = rng.choice([number for number in range(count) if number != own] or [own])
        subpackages, versions, _ = shapes[other]
        if "devel" in subpackages and rng.random() < 0.7:
            return (
                f"f{other}-devel >= {rng.randint(1, versions)}-1" if rng.random() < 0.6 else f"f{other}-devel"
            )
        return requirement(own)

    def pin(
        name: str, evr: str
    ) -> str:  # a subpackage's Requires of its sibling, most often %{version}-%{release}
        return f"{name} {'=' if rng.random() < 0.7 else '>='} {evr}"

    for family, (subpackages, versions, renamed) in enumerate(shapes):
        family_draw = rng.random()
        # ``epochs``: from a later version on, an Epoch (a version that went backwards upstream)
        bumped = rng.randint(2, 4) if draws.get("epochs") and rng.random() < 0.3 else 9
        for version in range(1, versions + 1):
            evr, main = f"{'1:' if version >= bumped else ''}{version}-1", f"f{family}"
            if renamed and version == versions:
                main = f"f{family}-ng"
            update_draw = rng.random()
            origin: dict[str, str] = {}
            if family_draw < draws.get("citrix", 0.1) or (version > 1 and update_draw < 0.1):
                origin = dict(CITRIX)
            elif family_draw > 1 - draws.get("proprietary", 0.0):
                origin = {"license": "Proprietary"}
            built: Universe = []
            for kind in ["", *subpackages]:
                package: dict[str, Any] = {
                    "name": f"f{family}-{kind}" if kind else main,
                    "evr": evr,
                    "arch": "noarch" if kind == "devel" and rng.random() < 0.2 else "x86_64",
                    "source": main,
                    **origin,
                }
                for key in ("provides", "requires", "conflicts", "obsoletes", "buildrequires", "files"):
                    package[key] = []
                built.append(package)
            top = built[0]
            by_kind = dict(zip(["", *subpackages], built, strict=True))
            if "libs" in by_kind:
                by_kind["libs"]["provides"].append(f"libf{family}.so.{1 if version < 3 else 2}")
                top["requires"].append(pin(by_kind["libs"]["name"], evr))
            if "devel" in by_kind:
                by_kind["devel"]["requires"].append(pin(by_kind.get("libs", top)["name"], evr))
            if main != f"f{family}":
                top["obsoletes"].append(f"f{family} < {evr}")
                top["provides"].append(f"f{family} = {evr}")
            for package in built:
                if package is not by_kind.get("devel"):
                    package["requires"] += [requirement(family) for _ in range(rng.choice([0, 1, 1, 2]))]
            for _ in range(rng.choice(draws.get("conflicts", [0]))):
                top["conflicts"] += [f"f{other} < 2-1" for other in [rng.randrange(count)] if other != family]
            top["buildrequires"] += [
                build_requirement(family) for _ in range(rng.choice(draws["buildrequires"]))
            ]
            packages += built
    for number in range(caps):  # one or two providers, of different names, maybe versioned
        for package in rng.sample(packages, rng.randint(1, 2)):
            package["provides"].append(
                f"c{number} = {rng.randint(1, 3)}" if rng.random() < 0.5 else f"c{number}"
            )
    return packages


def nevra(package: dict[str, Any], arch: str | None = None) -> str:
    return f"{package['name']}-{package['evr']}.{arch or package['arch']}"


def _entry(text: str) -> str:
    if text.startswith("(") or len(text.split()) == 1:
        return f"      <rpm:entry name={quoteattr(text)}/>\n"
    name, operator, evr = text.split()
    epoch, _, rest = evr.rpartition(":")
    version, _, release = rest.partition("-")
    release_attribute = f' rel="{release}"' if release else ""
    return (
        f'      <rpm:entry name="{name}" flags="{_FLAGS[operator]}" epoch="{epoch or 0}" '
        f'ver="{version}"{release_attribute}/>\n'
    )


def _section(tag: str, items: list[str]) -> str:
    return f"    <rpm:{tag}>\n{''.join(map(_entry, items))}    </rpm:{tag}>\n" if items else ""


def _in_primary(path: str) -> bool:
    """Whether createrepo_c lists the file in primary.xml too (``/etc``, ``*bin/``), not only in filelists.xml."""
    return path.startswith("/etc/") or "bin/" in path or path == "/usr/lib/sendmail"


def write_repository(directory: Path, packages: Universe) -> None:
    """``directory``/repodata: primary.xml, filelists.xml and other.xml (gzipped, as createrepo_c
    writes them) and the repomd.xml that names them with their checksums."""
    (directory / "repodata").mkdir(parents=True)
    primary, filelists, other = [], [], []
    for package in packages:
        epoch, _, rest = package["evr"].rpartition(":")
        version, _, release = rest.partition("-")
        full = nevra(package)
        pkgid = hashlib.sha256(full.encode()).hexdigest()
        vendor = f"<rpm:vendor>{package['vendor']}</rpm:vendor>" if package.get("vendor") else "<rpm:vendor/>"
        own = f"{package['name']} = {epoch or 0}:{version}-{release}"
        primary.append(
            f'<package type="rpm">\n  <name>{package["name"]}</name>\n  <arch>{package["arch"]}</arch>\n'
            f'  <version epoch="{epoch or 0}" ver="{version}" rel="{release}"/>\n'
            f'  <checksum type="sha256" pkgid="YES">{pkgid}</checksum>\n'
            "  <summary>s</summary>\n  <description>s</description>\n  <packager></packager>\n  <url></url>\n"
            '  <time file="1" build="1"/>\n  <size package="1" installed="0" archive="1"/>\n'
            f'  <location href="{full}.rpm"/>\n  <format>\n'
            f"    <rpm:license>{package.get('license', 'MIT')}</rpm:license>\n    {vendor}\n"
            "    <rpm:group>Unspecified</rpm:group>\n    <rpm:buildhost>h</rpm:buildhost>\n"
            f"    <rpm:sourcerpm>{package.get('sourcerpm', '')}</rpm:sourcerpm>\n"
            '    <rpm:header-range start="1" end="2"/>\n'
            + _section("provides", [own, *package.get("provides", [])])
            + _section("requires", package.get("requires", []))
            + _section("conflicts", package.get("conflicts", []))
            + _section("obsoletes", package.get("obsoletes", []))
            + "".join(f"    <file>{path}</file>\n" for path in package.get("files", []) if _in_primary(path))
            + "  </format>\n</package>\n"
        )
        head = (
            f'<package pkgid="{pkgid}" name="{package["name"]}" arch="{package["arch"]}">\n'
            f'  <version epoch="{epoch or 0}" ver="{version}" rel="{release}"/>\n'
        )
        filelists.append(
            head + "".join(f"  <file>{path}</file>\n" for path in package.get("files", [])) + "</package>\n"
        )
        other.append(head + "</package>\n")
    count = len(packages)
    namespaces = (
        'xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm"'
    )
    documents = {
        "primary": f'<metadata {namespaces} packages="{count}">\n{"".join(primary)}</metadata>\n',
        "filelists": f'<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="{count}">\n'
        f"{''.join(filelists)}</filelists>\n",
        "other": f'<otherdata xmlns="http://linux.duke.edu/metadata/other" packages="{count}">\n'
        f"{''.join(other)}</otherdata>\n",
    }
    repomd = [
        '<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">\n'
    ]
    for kind, text in documents.items():
        raw = f'<?xml version="1.0" encoding="UTF-8"?>\n{text}'.encode()
        packed = gzip.compress(raw, mtime=0)
        digest = hashlib.sha256(packed).hexdigest()
        location = f"repodata/{digest}-{kind}.xml.gz"
        (directory / location).write_bytes(packed)
        repomd.append(
            f'  <data type="{kind}">\n    <checksum type="sha256">{digest}</checksum>\n'
            f'    <open-checksum type="sha256">{hashlib.sha256(raw).hexdigest()}</open-checksum>\n'
            f'    <location href="{location}"/>\n    <timestamp>1</timestamp>\n'
            f"    <size>{len(packed)}</size>\n    <open-size>{len(raw)}</open-size>\n  </data>\n"
        )
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + "".join(repomd) + "</repomd>\n"
    (directory / "repodata" / "repomd.xml").write_text(text)


class Solver:
    """libsolv over one repository (and ``more``: an updates repository), set up as dnf sets it
    on x86_64."""

    def __init__(self, repository: Path, arch: str = "x86_64", more: tuple[Path, ...] = ()) -> None:
        pool = self.pool = solv.Pool()
        pool.setdisttype(solv.Pool.DISTTYPE_RPM)
        pool.setarch(arch)
        pool.set_flag(solv.Pool.POOL_FLAG_IMPLICITOBSOLETEUSESCOLORS, 1)
        self.by_nevra = {}
        for directory in (repository, *more):
            repo = pool.add_repo(directory.name)
            for kind, flags in (("primary", 0), ("filelists", solv.Repo.REPO_EXTEND_SOLVABLES)):
                handle = solv.xfopen(str(next((directory / "repodata").glob(f"*-{kind}.xml.gz"))))
                repo.add_rpmmd(handle, None, flags)
                handle.close()
            self.by_nevra.update({str(solvable): solvable for solvable in repo.solvables})
        pool.addfileprovides()
        pool.createwhatprovides()

    def dependency(self, text: str) -> Any:
        if text.startswith("("):
            return self.pool.parserpmrichdep(text)
        name, *rest = text.split()
        found = self.pool.Dep(name)
        return found.Rel(_RELATIONS[rest[0]], self.pool.Dep(rest[1])) if rest else found

    def providers(self, text: str) -> list[str]:
        return [str(one) for one in self.pool.whatprovides(self.dependency(text).id)]

    def installs(self, locked: set[str], package: str = "", capabilities: list[str] | None = None) -> bool:
        """Whether libsolv installs ``package`` and a provider of each of ``capabilities`` (an
        install job of each, as ``dnf builddep`` asks), no package of ``locked`` installed."""
        pool, jobs = self.pool, []
        lock, install = (
            solv.Job.SOLVER_SOLVABLE | solv.Job.SOLVER_LOCK,
            solv.Job.SOLVER_SOLVABLE | solv.Job.SOLVER_INSTALL,
        )
        jobs += [pool.Job(lock, self.by_nevra[name].id) for name in sorted(locked) if name in self.by_nevra]
        if package:
            jobs.append(pool.Job(install, self.by_nevra[package].id))
        provides = solv.Job.SOLVER_SOLVABLE_PROVIDES | solv.Job.SOLVER_INSTALL
        jobs += [pool.Job(provides, self.dependency(one).id) for one in capabilities or ()]
        return not pool.Solver().solve(jobs)


def disagreements(shape: str, packages: Universe, work: Path) -> list[str]:
    """The MISS, STRICT and BMISS lines of one universe (the module's notes)."""
    categories = {
        nevra(one): {"citrix"}
        if one.get("vendor")
        else {"proprietary"}
        if one.get("license") == "Proprietary"
        else set()
        for one in packages
    }
    # a package's ``source`` names the source package it is built from (by default its own name)
    sources = {nevra(one, "src"): one for one in packages if one.get("source", one["name"]) == one["name"]}
    binaries: dict[str, set[str]] = {}
    for one in packages:
        binaries.setdefault(nevra({**one, "name": one.get("source", one["name"])}, "src"), set()).add(
            nevra(one)
        )
    binary = [
        {
            **one,
            "sourcerpm": f"{one.get('source', one['name'])}-{one['evr'].partition(':')[2] or one['evr']}.src.rpm",
        }
        for one in packages
    ]
    # ``split``: the first version of each name in a base repository, the later ones in updates
    updates = [one for one in binary if SHAPES[shape].get("split") and not one["evr"].startswith("1-")]
    write_repository(work / "repo", [one for one in binary if one not in updates])
    more = (work / "updates",) if updates else ()
    if updates:
        write_repository(work / "updates", updates)
    builds = bool(SHAPES[shape].get("buildrequires"))
    if builds:
        write_repository(
            work / "SRPMS",
            [
                {**one, "arch": "src", "requires": one["buildrequires"], "conflicts": [], "obsoletes": []}
                for one in sources.values()
            ],
        )
    targets = tuple(map(str, (work / "repo", *more, *([work / "SRPMS"] if builds else []))))
    hosts = SHAPES[shape].get("hosts", ["x86_64"])
    options = AuditOptions(targets=targets, cache=False, discover_sources=False, metadata_only=True,
                           arches=tuple(hosts) if SHAPES[shape].get("arch") else ())  # fmt: skip
    facts = {
        row.package.nevra: {
            (fact.kind.value, fact.category.value if fact.category else None) for fact in row.facts
        }
        for row in run_audit(options, load_policy()).results
    }
    solver = Solver(work / "repo", more=more)
    on_hosts = [solver, *(Solver(work / "repo", host, more) for host in hosts[1:])]
    by_nevra = {nevra(one): one for one in packages}

    def met(need: str) -> bool:  # and libsolv's answer for a rich one, each part of an (a and b)
        # on every host: one that installs no provider reads the requirement as unmet (the README)
        parts = need[1:-1].split(" and ") if need.startswith("(") and " and " in need else [need]
        return all(one.providers(need) and all(map(one.providers, parts)) for one in on_hosts)

    unmet = {nevra(one) for one in packages for need in one["requires"] if not met(need)}
    unmet_build = {nevra(one) for one in packages for need in one["buildrequires"] if not met(need)}

    def reaches_unmet(start: list[str], builds: bool = False) -> str:
        """ "U" where an installation of ``start`` (and, with ``builds``, the builds of what it
        holds) may reach a requirement nothing meets."""
        seen, todo = set(), list(start)
        while todo:
            name = todo.pop()
            if name in seen or name not in by_nevra:
                continue
            seen.add(name)
            package = by_nevra[name]
            built_from = sources.get(
                nevra({**package, "name": package.get("source", package["name"])}, "src"), package
            )
            # on every host: an aarch64 package's providers are none on the first host, x86_64
            for need in package["requires"] + (built_from["buildrequires"] if builds else []):
                words = need.replace("(", " ").replace(")", " ").split() if need.startswith("(") else []
                for host in on_hosts:
                    todo += host.providers(need)
                    todo += [one for word in words if word[0] in "cp/" for one in host.providers(word)]
        return "U" if seen & (unmet | unmet_build if builds else unmet) else ""

    found = []
    for package in packages:
        name = nevra(package)
        installing = [one for one in on_hosts if name in one.by_nevra and one.installs(set(), name)]
        if not installing:
            continue
        for category in CATEGORIES:
            locked = {one for one, of in categories.items() if category in of}
            if not locked or name in locked:
                continue
            needs = any(not one.installs(locked, name) for one in installing)  # on some host
            if needs and not {("depends", category), ("origin", category)} & facts[name]:
                found.append(
                    f"{reaches_unmet([name])}MISS {name}: libsolv needs {category}; auditor {sorted(facts[name], key=str)}"
                )
            elif not needs and ("depends", category) in facts[name]:
                found.append(
                    f"{reaches_unmet([name])}STRICT {name}: libsolv installs it without {category}; auditor depends"
                )
    if builds:
        found += _build_misses(sources, binaries, categories, facts, solver, reaches_unmet)
    return found


def _build_misses(
    sources: dict[str, dict[str, Any]],
    binaries: dict[str, set[str]],
    categories: dict[str, set[str]],
    facts: dict[str, set[tuple[str, str | None]]],
    solver: Solver,
    reaches_unmet: Callable[..., str],
) -> list[str]:
    """The BMISS lines: the builds libsolv finds no buildroot for without a category's packages
    and the binaries (``binaries``, by source) of the builds so blocked, a least fixed point."""
    found = []
    whole = {
        source: solver.installs(set(), capabilities=one["buildrequires"]) for source, one in sources.items()
    }
    for category in CATEGORIES:
        origin = {one for one, of in categories.items() if category in of}
        if not origin:
            continue
        blocked: set[str] = set()
        changed = True
        while changed:
            changed = False
            for source, one in sources.items():
                if source in blocked or not whole[source] or nevra(one) in origin:
                    continue
                locked = origin.union(*(binaries[other] for other in blocked))
                if not solver.installs(locked, capabilities=one["buildrequires"]):
                    blocked.add(source)
                    changed = True
        for source in sorted(blocked):
            if not {("build-depends", category), ("origin", category), ("depends", category)} & facts.get(
                source, set()
            ):
                providers = [
                    name for need in sources[source]["buildrequires"] for name in solver.providers(need)
                ]
                found.append(
                    f"{reaches_unmet(providers, builds=True)}BMISS {source}: libsolv finds no buildroot without {category}; "
                    f"auditor {sorted(facts.get(source, set()), key=str)}"
                )
    return found


def installable(shape: str, packages: Universe) -> Universe:
    """The packages libsolv installs on some host of ``shape``: the others help no installation,
    so dropping them changes no answer of libsolv's, and takes away the ``U`` lines that only
    they made (a ``MISS`` left in a universe so pruned is no reading of the README's policy)."""
    with tempfile.TemporaryDirectory() as work:
        write_repository(Path(work) / "repo", packages)
        solvers = [Solver(Path(work) / "repo", host) for host in SHAPES[shape].get("hosts", ["x86_64"])]
        return [one for one in packages if any(solver.installs(set(), nevra(one)) for solver in solvers)]


def hunt(shape: str, low: int, high: int, prune: bool = False) -> None:
    counts: dict[str, int] = {}
    for seed in range(low, high):
        packages = installable(shape, universe(shape, seed)) if prune else universe(shape, seed)
        with tempfile.TemporaryDirectory() as work:
            for line in disagreements(shape, packages, Path(work)):
                kind = line.split()[0]
                counts[kind] = counts.get(kind, 0) + 1
                if kind in ("MISS", "BMISS"):
                    print(f"{shape} {seed}: {line}", flush=True)
    print(shape, low, high, json.dumps(dict(sorted(counts.items()))))


def reduce(shape: str, seed: int, kind: str, target: str) -> Universe:
    """The universe of ``seed`` shrunk (packages, then entries, then origins) while its line of
    ``kind`` for ``target`` holds."""

    def holds(packages: Universe) -> bool:
        with tempfile.TemporaryDirectory() as work:
            lines = disagreements(shape, copy.deepcopy(packages), Path(work))
        return any(line.split()[:2] == [kind, f"{target}:"] for line in lines)

    packages = universe(shape, seed)
    assert holds(packages), f"no {kind} line for {target}"
    changed = True
    while changed:
        changed = False
        for position in reversed(range(len(packages))):
            trial = packages[:position] + packages[position + 1 :]
            if nevra(packages[position]) != target and holds(trial):
                packages, changed = trial, True
        for position in range(len(packages)):
            for key in (
                "requires",
                "provides",
                "conflicts",
                "obsoletes",
                "buildrequires",
                "files",
                "vendor",
                "license",
            ):
                items = packages[position].get(key)
                for item in (
                    reversed(range(len(items))) if isinstance(items, list) else [None] if items else []
                ):
                    trial = copy.deepcopy(packages)
                    if item is None:
                        del trial[position][key]
                    else:
                        del trial[position][key][item]
                    if holds(trial):
                        packages, changed = trial, True
    return packages


def main(arguments: list[str]) -> None:
    if arguments[:1] == ["--reduce"]:
        shape, seed, kind, target = arguments[1:5]
        for package in reduce(shape, int(seed), kind, target):
            print({key: value for key, value in package.items() if value})
    elif arguments[:1] == ["--prune"]:
        hunt(arguments[1], int(arguments[2]), int(arguments[3]), prune=True)
    else:
        hunt(arguments[0], int(arguments[1]), int(arguments[2]))


if __name__ == "__main__":
    main(sys.argv[1:])
