"""rpms-2k: real RPM files, built by rpmbuild from generated spec files.

``n`` spec files (2,000 for rpms-2k) give ``n`` binary RPMs and their ``n`` source RPMs, with
createrepo_c repodata for each side::

    OUT/specs/*.spec  OUT/SOURCES/*.tar.gz  OUT/RPMS/{x86_64,noarch}/*.rpm  OUT/RPMS/repodata/
    OUT/SRPMS/*.src.rpm  OUT/SRPMS/repodata/

The dependency graph (the same for a seed):

- package i requires 0 to 12 of the 400 packages before it, and about 3 % one after it
  (cycles); about 40 % of those requirements are versioned (``>=``, ``=``, ``<``) and some name
  a soname-style or ``perf(abi-...)`` provide of the target instead of its name;
- 0 to 6 extra provides per package: ``libNAME.so.N()(64bit)``, ``perf(abi-NAME) = V``,
  ``config(NAME) = V-R``;
- about 6 % of the packages have a rich requirement: ``(a or b)``, ``(a if b)``,
  ``(a >= 1 with a < 99)``, ``(a if b else c)``;
- about 10 % require a file (``/bin/sh`` as Requires(post), ``/usr/bin/perl``,
  ``/usr/bin/python3``), provided by perf-bash, perf-perl and perf-python3;
- 1 % require something nothing provides (a missing soname, a Citrix runtime), only packages
  no other package requires, so that the breakage does not cascade through the graph;
- about 2 % look like Citrix packages: vendor ``Citrix Systems, Inc.``, citrix.com URL and
  Source0, a citrix.com packager (some have only the URL);
- every Release is written ``N%{?dist}``, as real spec files write it, and built with ``dist``
  defined: a source RPM's spec then holds a conditional, and the reader parses it a second time,
  as it does for nearly every real one (without it the repository case measured 0.8 ms less an
  SRPM than a real repository costs).

rpmbuild runs in batches of spec files on every core. The build time, file times, build host
and payload compression are fixed, as are the RPM files' modification times (createrepo_c
records them), so the corpus depends on the generator, the seed and rpm's version.
"""

from __future__ import annotations

import concurrent.futures
import gzip
import io
import os
import random
import shutil
import subprocess
import tarfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass

SOURCE_DATE_EPOCH = 1_704_067_200
"""2024-01-01: the build time of every package and the clamp of every file time."""
DIST = ".el9"
"""The dist tag every release ends with, written ``%{?dist}`` in the spec files."""

RPMBUILD_DEFINES = {
    "dist": DIST,
    "_binary_payload": "w0.gzdio",
    "_source_payload": "w0.gzdio",
    "__spec_install_post": "%{nil}",
    "__os_install_post": "%{nil}",
    "__arch_install_post": "%{nil}",
    "debug_package": "%{nil}",
    "_build_id_links": "none",
    "_unpackaged_files_terminate_build": "0",
    "_buildhost": "perfbuild.example.org",
    "source_date_epoch_from_changelog": "0",
    "use_source_date_epoch_as_buildtime": "1",
    "clamp_mtime_to_source_date_epoch": "1",
}
"""Uncompressed payloads and no post-install processing: the corpus is about headers, and
builds four times faster."""
WORDS = ["core", "util", "net", "xml", "json", "crypto", "ssl", "db", "gui", "audio",
         "video", "font", "print", "usb", "ica", "auth", "log", "cache", "http", "rpc",
         "zip", "img", "term", "shell", "kernel", "boot", "mail", "dns", "smb", "ldap"]  # fmt: skip
FILE_PROVIDERS = ("perf-bash", "perf-perl", "perf-python3")
"""Packages 0, 1 and 2: they own /bin/sh, /usr/bin/perl and /usr/bin/python3."""

Provide = tuple[str, str | None]


@dataclass(frozen=True, slots=True)
class Graph:
    """The packages and their requirements on each other, before the rest of each spec."""

    names: list[str]
    versions: list[str]
    releases: list[str]
    provides: list[list[Provide]]
    citrix: set[int]
    requires: list[list[str]]
    broken: set[int]
    """Packages given a requirement nothing provides."""


def _names(n: int, rng: random.Random) -> list[str]:
    names = []
    for i in range(n):
        word = WORDS[rng.randrange(len(WORDS))]
        kind = rng.random()
        if kind < 0.45:
            names.append(f"perf-lib{word}{i:04d}")
        elif kind < 0.75:
            names.append(f"perf-{word}-tools{i:04d}")
        elif kind < 0.9:
            names.append(f"python3-perf{word}{i:04d}")
        else:
            names.append(f"perf-{word}{i:04d}-devel")
    names[: len(FILE_PROVIDERS)] = FILE_PROVIDERS
    return names


def _extra_provides(name: str, version: str, release: str, rng: random.Random) -> list[Provide]:
    provides: list[Provide] = []
    for j in range(rng.choice([0, 0, 1, 1, 2, 3, 4, 6])):
        kind = rng.random()
        if kind < 0.5:
            provides.append((f"lib{name.replace('perf-', '')}.so.{j}()(64bit)", None))
        elif kind < 0.8:
            provides.append((f"perf(abi-{name})", f"= {version}"))
        else:
            provides.append((f"config({name})", f"= {version}-{release}"))
    return provides


def _requirement(target: int, graph: Graph, rng: random.Random) -> str:
    """A requirement on package ``target``: its name, versioned or not, or one of its provides."""
    name, version = graph.names[target], graph.versions[target]
    kind = rng.random()
    if kind < 0.15 and graph.provides[target]:
        provide, provided_version = rng.choice(graph.provides[target])
        return (
            provide
            if provided_version is None
            else f"{provide} >= {provided_version.split()[1].split('-')[0]}"
        )
    if kind < 0.45 or kind >= 0.8:
        return name
    if kind < 0.65:
        return f"{name} >= {version}"
    if kind < 0.75:
        return f"{name} = {version}-{graph.releases[target]}"
    return f"{name} < 99"


def plan(n: int, rng: random.Random) -> Graph:
    """The names, versions, provides and requirements on other packages of ``n`` packages."""
    names = _names(n, rng)
    versions = [f"{rng.randrange(0, 5)}.{rng.randrange(0, 20)}.{rng.randrange(0, 10)}" for _ in range(n)]
    releases = [f"{rng.randrange(1, 5)}{DIST}" for _ in range(n)]
    provides = [_extra_provides(names[i], versions[i], releases[i], rng) for i in range(n)]
    citrix = set(rng.sample(range(3, n), max(1, n // 50)))
    graph = Graph(names, versions, releases, provides, citrix, [], set())
    required_by = [0] * n
    for i in range(n):
        count = min(i, rng.choice([0, 1, 2, 2, 3, 3, 4, 5, 6, 8, 12]))
        window = range(max(0, i - 400), i)
        targets = rng.sample(window, min(count, len(window))) if i else []
        if i > 10 and rng.random() < 0.03:
            targets.append(rng.randrange(i + 1, n) if i + 1 < n else 0)
        for target in targets:
            required_by[target] += 1
        graph.requires.append([_requirement(target, graph, rng) for target in targets])
    leaves = [i for i in range(3, n) if required_by[i] == 0]
    graph.broken.update(rng.sample(leaves, min(len(leaves), max(1, n // 100))))
    return graph


def _rich(i: int, graph: Graph, rng: random.Random) -> list[str]:
    if not (i > 20 and rng.random() < 0.06):
        return []
    names = graph.names
    a, b = rng.sample(range(3, i), 2)
    form = rng.randrange(4)
    if form == 0:
        return [f"({names[a]} or {names[b]})"]
    if form == 1:
        return [f"({names[a]} if {names[b]})"]
    if form == 2:
        return [f"({names[a]} >= {graph.versions[a]} with {names[a]} < 99)"]
    return [f"({names[a]} if {names[b]} else {names[rng.randrange(3, i)]})"]


def _file_requires(i: int, rng: random.Random) -> tuple[list[str], list[str]]:
    """(Requires, Requires(post)) naming files."""
    if i <= 2:
        return [], []
    kind = rng.random()
    if kind < 0.06:
        return [], ["/bin/sh"]
    if kind < 0.08:
        return ["/usr/bin/perl"], []
    if kind < 0.10:
        return ["/usr/bin/python3"], []
    return [], []


def _missing(i: int, graph: Graph, rng: random.Random) -> list[str]:
    if i not in graph.broken:
        return []
    choices = [f"libmissing-{rng.randrange(50)}.so.0()(64bit)", "citrix-ica-runtime >= 23.0",
               f"perf-ghost{rng.randrange(1000):04d}"]  # fmt: skip
    return [rng.choice(choices)]


def _origin_tags(i: int, graph: Graph, rng: random.Random) -> dict[str, str]:
    """Vendor, URL, Source0, Packager and License: Citrix-looking for the chosen few."""
    name, version = graph.names[i], graph.versions[i]
    if i in graph.citrix:
        mode = rng.randrange(3)
        return {
            "Vendor": "Citrix Systems, Inc." if mode != 2 else "Example Corp",
            "URL": f"https://www.citrix.com/downloads/workspace-app/linux/{name}.html",
            "Source0": f"https://downloads.citrix.com/{rng.randrange(10000, 99999)}/{name}-{version}.tar.gz",
            "Packager": "Citrix Build <build@citrix.com>" if mode == 0 else "Perf Builder <perf@example.org>",
            "License": "Proprietary",
        }
    vendor = rng.choice(["Example Corp", "Fedora Project", "Rocky Enterprise Software Foundation", "CentOS"])
    return {
        "Vendor": vendor,
        "URL": f"https://example.org/projects/{name}",
        "Source0": f"https://example.org/releases/{name}-{version}.tar.gz",
        "Packager": "Perf Builder <perf@example.org>",
        "License": rng.choice(["MIT", "GPL-2.0-or-later", "LGPL-2.1-or-later", "BSD-3-Clause", "ASL 2.0"]),
    }


def _install(name: str, rng: random.Random) -> tuple[list[str], list[str]]:
    """The %install lines and the %files of a package."""
    install = ["mkdir -p %{buildroot}/usr/share/perf/%{name}",
               'echo "%{name} %{version}" > %{buildroot}/usr/share/perf/%{name}/data.txt']  # fmt: skip
    files = [f"/usr/share/perf/{name}/data.txt"]
    if name == "perf-bash":
        install += ["mkdir -p %{buildroot}/bin %{buildroot}/usr/bin",
                    'printf "#!/bin/sh\\nexit 0\\n" > %{buildroot}/bin/sh',
                    "cp %{buildroot}/bin/sh %{buildroot}/usr/bin/bash"]  # fmt: skip
        files += ["/bin/sh", "/usr/bin/bash"]
    elif name in ("perf-perl", "perf-python3"):
        program = "/usr/bin/" + name.removeprefix("perf-")
        install += ["mkdir -p %{buildroot}/usr/bin", f'printf "#!/bin/sh\\n" > %{{buildroot}}{program}']
        files.append(program)
    elif rng.random() < 0.4:
        install += ["mkdir -p %{buildroot}/usr/bin",
                    'printf "#!/bin/sh\\necho %{name}\\n" > %{buildroot}/usr/bin/%{name}',
                    "chmod 755 %{buildroot}/usr/bin/%{name}"]  # fmt: skip
        files.append(f"/usr/bin/{name}")
    return install, files


def spec(i: int, graph: Graph, rng: random.Random) -> tuple[str, str]:
    """Package ``i``'s spec file and the URL of its Source0."""
    name, version, release = graph.names[i], graph.versions[i], graph.releases[i]
    noarch = rng.random() < 0.3 and i > 2
    rich = _rich(i, graph, rng)
    file_requires, post_requires = _file_requires(i, rng)
    missing = _missing(i, graph, rng)
    tags = _origin_tags(i, graph, rng)
    install, files = _install(name, rng)
    config = rng.random() < 0.2
    if config:
        install += ["mkdir -p %{buildroot}/etc", 'echo "# %{name}" > %{buildroot}/etc/%{name}.conf']
    # Release as nearly every real spec writes it, the dist tag defined by the build
    # (`RPMBUILD_DEFINES`): the same NEVRs, and an SRPM's spec holding the conditional that makes
    # the reader parse it again for a rebuild (`auditor.sources.srpmspec`), as a real one does.
    written = release.removesuffix(DIST) + "%{?dist}"  # every release ends with DIST (`plan`)
    lines = [f"Name: {name}", f"Version: {version}", f"Release: {written}",
             f"Summary: Synthetic perf corpus package {name}", f"License: {tags['License']}",
             "Group: Development/Libraries", f"URL: {tags['URL']}", f"Vendor: {tags['Vendor']}",
             f"Packager: {tags['Packager']}", f"Source0: {tags['Source0']}", "AutoReqProv: no"]  # fmt: skip
    if noarch:
        lines.append("BuildArch: noarch")
    if rng.random() < 0.3:
        lines.append(f"BuildRequires: gcc, make, {graph.names[rng.randrange(len(graph.names))]}-devel >= 1.0")
    lines += [f"Provides: {p} {v}" if v else f"Provides: {p}" for p, v in graph.provides[i]]
    lines += [f"Requires: {r}" for r in graph.requires[i] + rich + file_requires + missing]
    lines += [f"Requires(post): {r}" for r in post_requires]
    if i in graph.citrix and i == min(graph.citrix):
        lines.append(f"Provides: citrix-ctxusb-common = {version}")
    elif i in graph.citrix and rng.random() < 0.5:
        lines.append("Requires: citrix-ctxusb-common")
    lines += ["", "%description", f"Synthetic package {i} of the perf corpus.", "", "%install", *install,
              "", "%files", *files]  # fmt: skip
    if config:
        lines.append(f"%config(noreplace) /etc/{name}.conf")
    if post_requires:
        lines += ["", "%post", "exit 0"]
    lines += ["", "%changelog", f"* Mon Jan 01 2024 Perf Builder <perf@example.org> - {version}-{release}",
              "- generated", ""]  # fmt: skip
    return "\n".join(lines), tags["Source0"]


def _tarball(name: str, version: str) -> bytes:
    """A tiny Source0 (rpmbuild -ba checks it exists; nothing unpacks it), with fixed times."""
    data = f"{name} {version}\n".encode()
    member = tarfile.TarInfo(f"{name}-{version}/README")
    member.size = len(data)
    member.mtime = SOURCE_DATE_EPOCH
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as archive:
        archive.addfile(member, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def write_specs(out: str, n: int, seed: int) -> list[str]:
    """The spec files and their Source0 tarballs, in ``out/specs`` and ``out/SOURCES``."""
    rng = random.Random(seed)
    graph = plan(n, rng)
    paths = []
    for directory in ("specs", "SOURCES"):
        os.makedirs(os.path.join(out, directory), exist_ok=True)
    for i in range(n):
        text, source = spec(i, graph, rng)
        path = os.path.join(out, "specs", f"{graph.names[i]}.spec")
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(text)
        with open(os.path.join(out, "SOURCES", os.path.basename(source)), "wb") as stream:
            stream.write(_tarball(graph.names[i], graph.versions[i]))
        paths.append(path)
    return paths


def build(out: str, specs: Sequence[str], jobs: int, batch: int, log: Callable[[str], None]) -> None:
    """rpmbuild -ba every spec (``batch`` per process, ``jobs`` at once), then createrepo_c."""
    defines = [arg for name, value in RPMBUILD_DEFINES.items() for arg in ("--define", f"{name} {value}")]
    for directory in ("RPMS", "SRPMS"):
        os.makedirs(os.path.join(out, directory), exist_ok=True)
    batches = [specs[start : start + batch] for start in range(0, len(specs), batch)]
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH), "LC_ALL": "C"}

    def run(index: int) -> None:
        top = os.path.join(out, "work", f"w{index:03d}")
        sources, rpms, srpms = (os.path.join(out, sub) for sub in ("SOURCES", "RPMS", "SRPMS"))
        os.makedirs(top)
        directories = {"_topdir": top, "_sourcedir": sources, "_rpmdir": rpms, "_srcrpmdir": srpms}
        places = [arg for name, path in directories.items() for arg in ("--define", f"{name} {path}")]
        command = ["rpmbuild", "-ba", "--nodeps", "--quiet", *places, *defines, *batches[index]]
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"rpmbuild failed on batch {index}: {done.stderr.strip()[-2000:]}")

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(run, range(len(batches))))
    shutil.rmtree(os.path.join(out, "work"))
    log(f"rpmbuild: {len(specs)} spec files built")
    for directory in ("RPMS", "SRPMS"):
        _fix_times(os.path.join(out, directory))
        revision = str(SOURCE_DATE_EPOCH)
        subprocess.run(["createrepo_c", "-q", "--workers", str(jobs), "--no-database", "--revision", revision,
                        "--set-timestamp-to-revision", os.path.join(out, directory)], check=True)  # fmt: skip


def _fix_times(directory: str) -> None:
    """Give every RPM file the build's time: createrepo_c writes each file's mtime into primary."""
    for parent, _, files in os.walk(directory):
        for file in files:
            if file.endswith(".rpm"):
                os.utime(os.path.join(parent, file), (SOURCE_DATE_EPOCH, SOURCE_DATE_EPOCH))


def generate(out: str, n: int, seed: int, jobs: int, log: Callable[[str], None]) -> None:
    specs = write_specs(out, n, seed)
    log(f"{len(specs)} spec files in {os.path.join(out, 'specs')}")
    build(out, specs, jobs, batch=50, log=log)
