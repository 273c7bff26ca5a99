"""The auditor against rpm and rpmspec on RPM and spec files from elsewhere (not a pytest module).

usage: python tests/differential/real_world.py DIR [--define 'NAME VALUE']... [--undefine NAME]...

Every ``*.rpm`` below DIR is scanned alone and compared with ``rpm -qp``: the same name,
epoch, version, release and arch, or, when the auditor refuses it (exit 3), rpm refusing it
too without ``--nosignature --nodigest``, or ``rpm -K --nosignature`` refusing it (the MD5
over header and payload, an old header's only digest, which ``rpm -qp`` does not compute). Every ``*.spec`` is scanned alone and its Source and
Patch values compared with what ``rpmspec -P`` expands, where rpmspec can: a difference is
listed with the auditor's gaps for the file (an undecided conditional is read both ways, an
undefined macro stays unexpanded: both are gaps, and the audit says it is incomplete).
Whatever the file, the auditor must never crash (exit 4, or a traceback).

``--define`` and ``--undefine`` are given to the auditor and to rpmspec alike: a build host's
macros (XCP-ng 8.3's, README "Using it"). Each spec's source package and every package it
builds are then also held to ``rpmspec -q --srpm`` and ``--builtrpms``: every BuildRequires,
Requires, Provides, Conflicts, Obsoletes and weak dependency, and the URL, Vendor, License,
Packager, BugURL, Distribution and VCS rpmspec gives must be among what the auditor read (its
values and alternatives), or the package must have a gap; a difference is listed with its gaps
and counted ``differ`` (``differ, no gap`` when the package has none). A source package's
``NAME = EVR`` of each package its spec builds (rpm >= 4.16 writes them) is no capability the
auditor lists: no rule reads it.

The test suites of other projects are a good DIR: ``pip download --no-binary :all: --no-deps
rpmlint createrepo_c rpmdeplint specfile rebasehelper`` and unpack them (79 RPMs and 118 specs;
on 2026-11-30 every RPM agreed, 78 of the 83 specs rpmspec reads agreed and the other 5 were
reported gaps, and nothing crashed). A larger run the same day, over 5,702 RPMs and 6,054
specs from the test data of rpm, dnf, libdnf, ci-dnf-stack, rpmlint, createrepo_c, pulp,
spacewalk, Azure Linux, rpm-rs and others (Debian source packages, PyPI sdists, npm and
GitHub copies): nothing crashed; it found Sources in subpackage preambles dropped,
%PACKAGE_VERSION defined where rpm leaves it, ML-DSA signatures refused, a macro defined in
both branches of an undecided conditional read with one value, and BuildArch specs read
once where rpm reads them twice (82 specs), all fixed; the other spec differences are
reported gaps (``%(...)``, undecided conditionals read both ways). On 2026-12-07, 1,337 RPMs and
1,701 specs of that kind (Katello, scancode-toolkit, pulp-fixtures, koji, go-rpmutils, ci-dnf-stack,
RPMs deleted in rpm's, dnf's, libdnf's and createrepo_c's history...): 3,017 agree, 21 differ (each
a spec with its gaps), nothing crashed. The same day, with XCP-ng 8.3's macros (README "Using
it"), 136 specs of 79 xcp-ng-rpms repositories (newest trees, older commits and the XS-8.2
branches): 127 agree, 9 differ, each with its gaps (``%{lua:}`` and ``%(...)`` dependencies, a
name through ``%{python3_pkgversion}`` or a macro set in an undecided branch), nothing crashed;
it found a package name read through such a macro judged with one of its values (zfs's
``python%{__python_pkg_version}-pyzfs``), fixed. Later that day, 368 RPMs and 964 specs of
projects not read before (pulp_rpm, conary's rpm 3 era packages, rpm-rs's v6 and signature
fixtures, go-rpmutils' payload kinds, libzypp's broken ones, drpm, chef, cavaliergopher/rpm,
rpm-head-signing, dnf5's and tdnf's specs...): every RPM agreed, 12 specs differed, each with
its gaps, nothing crashed; 718 one-byte header mutations of those RPMs found the MD5 of an old
header, its only digest, not computed: a header changed under it was read (fixed).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

QUERY = "%{NAME} %{EPOCHNUM} %{VERSION} %{RELEASE} %{ARCH} %{SOURCERPM}"
SOURCE_LINE = re.compile(r"^(?:Source|Patch)\d*\s*:\s*(\S.*?)\s*$", re.IGNORECASE)


MACROS: list[str] = []
"""--define/--undefine options, as given: the auditor's and rpmspec's alike."""


def scan(path: Path, output: str = "json") -> tuple[int, dict[str, Any] | None, str]:
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", str(path), *MACROS, "--format", output, "-q", "--no-cache"],
        capture_output=True,
        text=True,
        errors="replace",
    )
    document = json.loads(done.stdout) if done.stdout.strip() else None
    return done.returncode, document, done.stderr


def crashed(code: int, err: str) -> str | None:
    return f"crash: exit {code}: {err.strip()[-300:]}" if code == 4 or "Traceback" in err else None


def rpm_refuses(path: Path, *options: str) -> bool:
    with path.open("rb") as stdin:
        return subprocess.run(["rpm", *options, "-"], stdin=stdin, capture_output=True).returncode != 0


def check_rpm(path: Path) -> str | None:
    code, document, err = scan(path)
    if crash := crashed(code, err):
        return crash
    read = document is not None and bool(document["packages"])
    if code == 3 and not read:
        # rpm -qp checks the header's digests, not the MD5 over header and payload, which is all
        # an old header has: rpm -K (and rpm -i) refuse such a header changed under it.
        refused = any(rpm_refuses(path, *options) for options in (["-qp"], ["-K", "--nosignature"]))
        return None if refused else f"refused, rpm reads it: {err.strip()[-200:]}"
    # An input error with the package read (a payload cut short: rpm -qp reads the header
    # alone, and so does the auditor) is compared as any package is.
    if document is None or not document["packages"]:
        return f"exit {code}, no package: {err.strip()[-200:]}"
    # On standard input: rpm expands macros in a path argument (a file named "a-%{rel}.rpm").
    with path.open("rb") as stdin:
        fields = subprocess.run(
            ["rpm", "-qp", "--nosignature", "--nodigest", "--qf", QUERY, "-"],
            stdin=stdin,
            capture_output=True,
            text=True,
            errors="replace",
        ).stdout.split()
    name, epoch, version, release, arch, sourcerpm = fields
    expected = (name, int(epoch), version, release, "src" if sourcerpm == "(none)" else arch)
    # A source RPM scanned alone is audited with the binaries its spec builds: its own row is the
    # source package's.
    kind = "source" if sourcerpm == "(none)" else "binary"
    package = next((row for row in document["packages"] if row["kind"] == kind), document["packages"][0])
    found = (package["name"], package["epoch"] or 0, package["version"], package["release"], package["arch"])
    return None if found == expected else f"rpm says {expected}, the auditor {found}"


def expanded_sources(text: str) -> set[str]:
    """The Source and Patch values of ``rpmspec -P``'s output, ``%sourcelist`` and
    ``%patchlist`` sections included (one value a line, until the next section)."""
    found: set[str] = set()
    in_list = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("%"):
            in_list = stripped.split()[0] in ("%sourcelist", "%patchlist")
        elif in_list:
            if stripped and not stripped.startswith("#"):
                found.add(stripped)
        elif match := SOURCE_LINE.match(line):
            found.add(match.group(1))
    return found


def check_spec(path: Path) -> str | None:
    expanded = subprocess.run(
        ["rpmspec", "-P", *MACROS, str(path)], capture_output=True, text=True, errors="replace"
    )
    code, document, err = scan(path)
    if crash := crashed(code, err):
        return crash
    if expanded.returncode != 0 or document is None:
        return None if document is not None else f"exit {code}: {err.strip()[-200:]}"
    expected = expanded_sources(expanded.stdout)
    sources = [p for p in document["packages"] if p["arch"] == "src"]
    found = {source["value"] for p in sources for source in p.get("sources", [])}
    problems = []
    if found != expected:
        gaps = sorted({gap["kind"] for p in sources for gap in p["gaps"]})
        problems.append(
            f"rpmspec only {sorted(expected - found)}, auditor only {sorted(found - expected)}; gaps {gaps}"
        )
    if MACROS:
        problems += check_spec_fields(path)
    return "; ".join(problems) or None


SPEC_SEP = "|~|"  # rpmspec's --qf prints control characters escaped
ITEM_SEP = "|^|"
SPEC_FIELDS = ("url", "vendor", "license", "packager", "bugurl", "distribution", "vcs")
SPEC_DEPS = {
    "requires": "REQUIRE", "provides": "PROVIDE", "conflicts": "CONFLICT", "obsoletes": "OBSOLETE",
    "recommends": "RECOMMEND", "suggests": "SUGGEST", "supplements": "SUPPLEMENT", "enhances": "ENHANCE",
}  # fmt: skip


def rpmspec_packages(path: Path, option: str) -> list[dict[str, Any]] | None:
    """Each package ``rpmspec -q OPTION`` names: its fields and dependencies (a source
    package's requires are its BuildRequires)."""
    parts = ["%{NAME}", *(f"%{{{field.upper()}}}" for field in SPEC_FIELDS)]
    parts += [
        f"[%{{{tag}NAME}} %{{{tag}FLAGS:depflags}} %{{{tag}VERSION}}{ITEM_SEP}]" for tag in SPEC_DEPS.values()
    ]
    done = subprocess.run(
        ["rpmspec", "-q", option, *MACROS, "--qf", SPEC_SEP.join(parts) + "\n", str(path)],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=300,
    )
    if done.returncode != 0:
        return None
    packages = []
    for line in done.stdout.splitlines():
        name, *values = line.split(SPEC_SEP)
        if len(values) != len(SPEC_FIELDS) + len(SPEC_DEPS):
            continue
        package: dict[str, Any] = {"name": name}
        for field in SPEC_FIELDS:
            value = values.pop(0)
            package[field] = None if value == "(none)" else value
        for kind in SPEC_DEPS:
            package[kind] = {" ".join(item.split()) for item in values.pop(0).split(ITEM_SEP) if item.strip()}
        packages.append(package)
    return packages


def as_rpmspec_dep(dep: dict[str, Any]) -> str:
    return " ".join(part for part in (dep["name"], dep.get("op"), dep.get("evr")) if part)


def check_spec_fields(path: Path) -> list[str]:
    """What ``rpmspec -q`` gives for each package of the spec and the auditor's model does not
    hold, where the package has no gap to say it could not see it."""
    code, model, err = scan(path, "model")
    if crash := crashed(code, err):
        return [crash]
    read = (model or {}).get("packages", [])
    problems = []
    for option, kind in (("--srpm", "source"), ("--builtrpms", "binary")):
        for expected in rpmspec_packages(path, option) or []:
            found = [p for p in read if p["name"] == expected["name"] and p["kind"] == kind]
            if not found:
                gaps = sorted({gap["kind"] for p in read for gap in p.get("gaps", [])})
                problems.append(
                    f"{kind} {expected['name']}: rpmspec names it, the auditor read no such package; "
                    f"gaps {gaps}{'' if gaps else ' NO GAP'}"
                )
                continue
            package = found[0]
            others = {tuple(pair) for pair in package.get("alternatives", ())}
            missing = [
                f"{field} {expected[field]!r} (auditor {package.get(field)!r})"
                for field in SPEC_FIELDS
                if expected[field] is not None
                and package.get(field) != expected[field]
                and (field, expected[field]) not in others
            ]
            for dep_kind in SPEC_DEPS:
                got = {as_rpmspec_dep(dep) for dep in package.get(dep_kind, [])}
                if kind == "source" and dep_kind == "provides":
                    # rpm (>= 4.16) gives a source package NAME = EVR of each package its spec
                    # builds (each its own EVR), its own name's too; no rule reads them (a source
                    # package is never installed, and the names are judged as the spec's
                    # packages'): not listed.
                    names = {p["name"] for p in read}
                    got |= {dep for dep in expected[dep_kind] if dep.split(" = ")[0] in names}
                if lost := sorted(expected[dep_kind] - got):
                    missing.append(f"{dep_kind} {lost[:6]}")
            if missing:
                gaps = sorted({gap["kind"] for gap in package.get("gaps", [])})
                no_gap = "" if gaps else " NO GAP"
                problems.append(
                    f"{kind} {expected['name']}: rpmspec only {', '.join(missing)}; gaps {gaps}{no_gap}"
                )
    return problems


def main(argv: list[str]) -> int:
    words = list(argv)
    inputs = []
    while words:
        word = words.pop(0)
        if word in ("--define", "--undefine") and words:
            MACROS.extend((word, words.pop(0)))
        else:
            inputs.append(word)
    if len(inputs) != 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    root = Path(inputs[0])
    counts = {"agree": 0, "differ": 0, "crash": 0, "differ, no gap": 0}
    for path in sorted([*root.rglob("*.rpm"), *root.rglob("*.spec")]):
        try:
            problem = check_rpm(path) if path.suffix == ".rpm" else check_spec(path)
        except (ValueError, KeyError, json.JSONDecodeError) as exc:
            problem = f"crash: {exc!r}"
        if problem is None:
            counts["agree"] += 1
            continue
        counts["crash" if problem.startswith("crash") else "differ"] += 1
        counts["differ, no gap"] += "NO GAP" in problem
        print(f"{path}: {problem}")
    print(", ".join(f"{value} {key}" for key, value in counts.items()))
    return 1 if counts["crash"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
