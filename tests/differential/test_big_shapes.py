"""RPMs at the limits of the format, made by rpmbuild, held to rpm (bigshapes65).

A spec past the 16 MiB the auditor reads of one payload member (`payload.MAX_MEMBER`) is one
rpmbuild writes and rpm reads: its source RPM must still be audited from its header (the SPEC
tag, the builder's parse), its Sources judged, the bound an input error beside it. Before, the
whole package vanished from the report in every form (a Citrix Source in it unreported), where
a spec of 4 to 16 MiB was a gap on an audited package; so did a lone source RPM whose spec lies
past the 8 GiB its payload is walked (`payload.MAX_SCANNED`). A delta RPM is read as the package
its header names, its error naming the delta; a repository's deltas are not its packages.

Measured on 2026-12-07 (rpm 4.18, two shared cores), too large for a test, every field, dependency
and file name agreeing with ``rpm -qp`` as a file, a directory and a createrepo_c repository:
files past 4 GiB (sparse, 2^32 - 1 to 5000 MiB: LONGSIZE, LONGFILESIZES, a stripped cpio; in a
source RPM too), 1 s; an RPM file of 4.6 GB (``w0.ufdio``, random bytes): 10.8 s, 38 MB of
memory, a byte flipped 100 bytes from its end "Payload SHA256 digest: BAD" as ``rpm -K``, cut
short "truncated RPM"; 70,000, 140,000, 300,000 and 1,048,575 files (rpm's array limit, which
rpmbuild cannot pass: it fails without a word): 0.8, 1.0, 1.1 and 1.2 s, 65 to 324 MB; 10,000
and 20,000 dependencies of each kind: 3.7 and 5.8 s; a rich Requires of 20,000 operands beside
20,000 Sources: 2.1 s; a 50 MB changelog; a 265 MB Description (rpm's header data limit is
268,435,455 bytes): 2.4 s, 813 MB; a header claiming one byte more is refused in one line.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.formats import payload
from tests.differential.real_world_fields import DEP_KINDS, ORIGIN_FIELDS, as_text, auditor_dep, rpm_fields
from tests.httpserver import LocalServer
from tests.rpmbuild import build_all

BIG_SPEC_HEAD = """Name: bigspec
Version: 1
Release: 1
Summary: a spec past the bound of one payload member
License: MIT
URL: https://example.org/bigspec
Source0: https://code.citrite.net/projects/bigspec/bigspec-1.tar.gz
BuildArch: noarch
%description
d
%files
"""
COMMENT = "# " + "x" * 77 + "\n"


def scan(capsys: pytest.CaptureFixture[str], *targets: Path | str) -> tuple[int, dict[str, Any], str]:
    code = main(["scan", *map(str, targets), "--no-cache", "--format", "json", "-q"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


@pytest.fixture(scope="module")
def big_spec_srpm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    top = tmp_path_factory.mktemp("bigspec")
    spec = top / "bigspec.spec"
    comments = COMMENT * (payload.MAX_MEMBER // len(COMMENT) + 1)
    spec.write_text(BIG_SPEC_HEAD.replace("%description", comments + "%description"))
    assert spec.stat().st_size > payload.MAX_MEMBER
    srpm, _ = build_all(spec, top / "tree", {"bigspec-1.tar.gz": "x\n"})
    assert subprocess.run(["rpm", "-K", "--nosignature", str(srpm)], capture_output=True).returncode == 0
    return srpm, spec.stat().st_size


@pytest.mark.parametrize("form", ["file", "directory", "repository", "served"])
def test_a_source_rpm_whose_spec_is_past_the_member_bound_is_audited_from_its_header(
    form: str, big_spec_srpm: tuple[Path, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Served, its payload is streamed for the spec a rebuild reads: the bound met there left the
    package to its metadata alone (no Sources, a metadata-only gap), its SPEC tag's Citrix Source
    unjudged, where every local form judged it."""
    srpm, spec_size = big_spec_srpm
    target = srpm
    if form != "file":
        target = tmp_path / "www" / form
        target.mkdir(parents=True)
        shutil.copy(srpm, target / srpm.name)
        if form in ("repository", "served"):
            subprocess.run(["createrepo_c", "-q", str(target)], check=True)
    if form == "served":
        with LocalServer(tmp_path / "www") as server:
            url = server.url(f"/{form}/")
            code, report, err = scan(capsys, url)
        where = url + srpm.name
    else:
        code, report, err = scan(capsys, target)
        where = str(target if form == "file" else target / srpm.name)
    assert code == 3, err
    (error,) = report["errors"]
    assert error["input"] == where
    assert error["message"] == (
        f"payload member bigspec.spec is {spec_size} bytes, too large; its package is read from the header alone"
    )
    assert "Traceback" not in err
    statuses = {package["nevra"]: package["status"] for package in report["packages"]}
    assert statuses.get("bigspec-1-1.src") == "origin", statuses  # its Source0 is on a Citrix host
    # What its rebuild reads is unseen, and said on the package in every form.
    [source] = [package for package in report["packages"] if package["nevra"] == "bigspec-1-1.src"]
    assert "spec-unreadable" in {gap["kind"] for gap in source["gaps"]}, source["gaps"]


WALKED_PAST = """Name: zz-walk
Version: 1
Release: 1
Summary: a Source before the spec past the payload's walk
License: MIT
URL: https://example.org/zz
Source0: a-big.bin
Source1: https://code.citrite.net/projects/zz/zz-1.tar.gz
BuildArch: noarch
%description
d
%files
"""


@pytest.mark.parametrize("form", ["file", "directory"])
def test_a_source_rpm_whose_spec_lies_past_the_payload_walk_is_audited_from_its_header(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The lone source RPM's rebuild reads the spec in its payload, after a Source that sorts
    before it (``a-big.bin``): past `payload.MAX_SCANNED` decompressed, the walk stops. Measured
    at full size (a 9,000 MiB sparse Source, zstd, a 295 KB SRPM rpm -K calls OK): the whole
    package vanished as "refused as a bomb", its Citrix Source1 unreported. The bound is made
    small here, the package as rpmbuild makes it."""
    spec = tmp_path / "zz-walk.spec"
    spec.write_text(WALKED_PAST)
    srpm, _ = build_all(spec, tmp_path / "tree", {"a-big.bin": "x" * (1 << 20), "zz-1.tar.gz": "x\n"})
    target = srpm
    if form == "directory":
        target = tmp_path / "only"
        target.mkdir()
        shutil.copy(srpm, target / srpm.name)
    monkeypatch.setattr(payload, "MAX_SCANNED", 256 * 1024)
    code, report, err = scan(capsys, target)
    assert code == 3 and "Traceback" not in err, err
    (error,) = report["errors"]
    assert error["message"] == (
        "RPM payload decompresses to more than 262144 bytes; refused as a bomb; "
        "its package is read from the header alone"
    )
    statuses = {package["nevra"]: package["status"] for package in report["packages"]}
    assert statuses.get("zz-walk-1-1.src") == "origin", statuses  # its Source1 is on a Citrix host


# Every payload compressor rpmbuild offers here at a level not its default (none twice: ufdio
# with a level and without), each with a file digest algorithm of rpm's (MD5, SHA-1, SHA-256,
# SHA-384, SHA-512, SHA-224), for the binary and the source package alike.
PAYLOADS = {
    "gzip": ("w1.gzdio", 1), "bzip2": ("w2.bzdio", 2), "xz": ("w1T2.xzdio", 8), "lzma": ("w7.lzdio", 9),
    "zstd": ("w19.zstdio", 10), "none": ("w0.ufdio", 11), "plain": ("w.ufdio", 8),
}  # fmt: skip
OPS = ("", " < 1.0", " <= 1:2.0-3", " = 2.0~rc1-1", " >= 0:3.0^git1", " > 4.0-1.el9")
QUALIFIERS = ("", "(pre)", "(post)", "(preun)", "(postun)", "(pretrans)", "(posttrans)", "(verify)",
              "(interp)", "(meta)", "(pre,postun)")  # fmt: skip
RICH = ("(a{i} and b{i})", "(a{i} or b{i} >= 2)", "(a{i} if b{i} else c{i})", "(a{i} with b{i})",
        "(a{i} without b{i})", "((a{i} or b{i}) and (c{i} if d{i}))")  # fmt: skip
REVERSE = ("(a{i} unless b{i})", "(a{i} unless b{i} else c{i})", "(a{i} and (b{i} or c{i}))")
NAMES = r"""
cd %{buildroot}/usr/share/shapes
printf x > 'per%%cent'; printf x > 'per%%%%{name}cent'; printf x > "$(printf 'latin\351\377')"
printf x > Case; printf x > CASE; printf x > case; printf x > 'spa ce'; printf x > 'q"uo'"'"'te'
printf x > 'back\slash'; printf hard > h1; ln h1 h2; ln h1 h3; mkdir empty; ln -s h1 link
d=deep; for i in $(seq 1 60); do d="$d/$(printf 'd%%.0s' $(seq 1 60))"; done; mkdir -p "$d"; printf x > "$d/f"
"""


def shapes_spec(name: str, payload: str, algorithm: int, count: int) -> str:
    lines = [
        f"Name: {name}", "Version: 1", "Release: 1", "Summary: s", "License: MIT", "BuildArch: noarch",
        "URL: https://example.org/shapes", "Source0: https://code.citrite.net/projects/shapes/shapes.tar.gz",
        f"%define _binary_payload {payload}", f"%define _source_payload {payload}",
        f"%define _binary_filedigest_algorithm {algorithm}", f"%define _source_filedigest_algorithm {algorithm}",
        "%define _invalid_encoding_terminates_build 0",
    ]  # fmt: skip
    for i in range(count):
        op = OPS[i % len(OPS)]
        if i % 13 == 0:
            lines.append(f"Requires: {RICH[i // 13 % len(RICH)].format(i=i)}")
        elif i % 29 == 0:
            lines.append(f"Requires{QUALIFIERS[i % len(QUALIFIERS)]}: /usr/bin/tool{i}")
        else:
            lines.append(f"Requires{QUALIFIERS[i % len(QUALIFIERS)]}: req-{i}{op}")
        lines += [f"Provides: prov-{i}{op}", f"Conflicts: conf-{i}{op}", f"Obsoletes: obs-{i}{op}"]
        if i % 4 == 0:
            lines += [f"Recommends: rec-{i}{op}", f"Suggests: {RICH[i % len(RICH)].format(i=i)}"]
            lines += [f"Supplements: {REVERSE[i // 4 % len(REVERSE)].format(i=i)}", f"Enhances: enh-{i}{op}"]
    lines += ["%description", "d", "%install", "mkdir -p %{buildroot}/usr/share/shapes", NAMES, "%files"]
    lines += ["/usr/share/shapes", "%ghost /var/lib/shapes/ghost.db", "%ghost %dir /var/lib/shapes/ghostdir"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    top = tmp_path_factory.mktemp("shapes")
    built = []
    for kind, (compressor, algorithm) in PAYLOADS.items():
        spec = top / f"shapes-{kind}.spec"
        spec.write_text(shapes_spec(f"shapes-{kind}", compressor, algorithm, 240))
        srpm, binaries = build_all(spec, top / kind, {"shapes.tar.gz": "x\n"}, nodeps=True)
        built += [srpm, *binaries]
    return built


def rpm_query(path: Path, query: str) -> list[str]:
    with path.open("rb") as stdin:  # on standard input: rpm expands macros in a path argument
        done = subprocess.run(
            ["rpm", "-qp", "--qf", query, "-"], stdin=stdin, capture_output=True, check=True
        )
    return [as_text(item.decode("utf-8", "surrogateescape")) for item in done.stdout.split(b"\x1f")[:-1]]


def without_epoch_zero(evr: str | None) -> str | None:
    return evr[2:] if evr is not None and evr.startswith("0:") else evr


@pytest.mark.parametrize("form", ["file", "directory", "repository"])
def test_every_compressor_digest_name_and_dependency_flag_reads_as_rpm_reads_it(
    form: str, shapes: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each package's NEVRA, origin fields, dependencies of the eight kinds (flags, EVR,
    qualifiers) and file list, against ``rpm -qp``; a local repository's against what
    createrepo_c keeps of them (no rpmlib() requirement, an explicit ``0:`` epoch written as
    none, ``pre`` the only qualifier primary.xml holds)."""
    targets = shapes
    if form != "file":
        where = tmp_path / form
        where.mkdir()
        for path in shapes:
            shutil.copy(path, where / path.name)
        if form == "repository":
            subprocess.run(["createrepo_c", "-q", str(where)], check=True)
        targets = [where]
    code = main(["scan", *map(str, targets), "--no-cache", "--format", "model", "-q"])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err  # the Citrix Source blocks
    document = json.loads(out)
    assert document["errors"] == []
    models = {Path(package["location"]).name: package for package in document["packages"]}
    assert sorted(models) == sorted(path.name for path in shapes)
    for path in shapes:
        model = models[path.name]
        name, epoch, version, release, arch = rpm_query(
            path, "%{NAME}\x1f%{EPOCH}\x1f%{VERSION}\x1f%{RELEASE}\x1f%{ARCH}\x1f"
        )
        if path.name.endswith(".src.rpm"):
            arch = "src"
        assert (model["name"], model["version"], model["release"], model["arch"]) == (
            name,
            version,
            release,
            arch,
        )
        assert model["epoch"] in ((None, 0) if form == "repository" else (None,)) and epoch == "(none)"
        assert sorted(model["files"]) == sorted(rpm_query(path, "[%{FILENAMES}\x1f]")), path.name
        expected = rpm_fields(path)
        for field in ORIGIN_FIELDS:
            want = None if field == "sourcerpm" and expected["source_package"] else expected[field]
            assert model[field] == want, (path.name, field)
        for kind in DEP_KINDS:
            got = {auditor_dep(dep) for dep in model[kind]}
            want_deps = expected[kind]
            if form == "repository":
                got = {(n, op, without_epoch_zero(evr), ()) for n, op, evr, _ in got}
                want_deps = {
                    (n, op, without_epoch_zero(evr), ())
                    for n, op, evr, _ in want_deps
                    if not n.startswith("rpmlib(")
                }
            assert got == want_deps, (path.name, kind, sorted(got ^ want_deps)[:4])


DELTA = """Name: deltapkg
Version: {version}
Release: 1
Summary: s
License: MIT
URL: https://code.citrite.net/projects/deltapkg
BuildArch: noarch
%description
d
%install
mkdir -p %{{buildroot}}/usr/share/delta
seq 1 {count} > %{{buildroot}}/usr/share/delta/data
%files
/usr/share/delta
"""


@pytest.fixture(scope="module")
def delta(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """Two versions of a package and makedeltarpm's delta from the first to the second: a lead,
    signature and header of the second (PAYLOADFORMAT ``drpm``, re-digested by MD5 alone), and
    the delta as its payload, which rpm -K finds BAD."""
    assert shutil.which("makedeltarpm"), "makedeltarpm makes the delta: install deltarpm"
    top = tmp_path_factory.mktemp("delta")
    built = []
    for version in (1, 2):
        spec = top / f"d{version}.spec"
        spec.write_text(DELTA.format(version=version, count=20000 + version))
        built.append(build_all(spec, top / str(version), {})[1][0])
    drpm = top / "deltapkg-1-1_2-1.noarch.drpm"
    subprocess.run(["makedeltarpm", str(built[0]), str(built[1]), str(drpm)], check=True)
    assert subprocess.run(["rpm", "-K", "--nosignature", str(drpm)], capture_output=True).returncode != 0
    return built[0], built[1], drpm


@pytest.mark.parametrize("form", ["file", "directory"])
def test_a_delta_rpm_is_read_as_the_package_its_header_names_and_said_to_be_one(
    form: str, delta: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ``.drpm`` in a tree is not dropped: its header is the new package's, audited (its URL on a
    Citrix host), and its payload, which is no package's, the file's input error, worded as rpm -K
    words it and naming the delta (BAD alone read as a payload altered after signing)."""
    old, _, drpm = delta
    target = drpm
    if form == "directory":
        target = tmp_path / "tree"
        target.mkdir()
        shutil.copy(old, target / old.name)
        shutil.copy(drpm, target / drpm.name)
    code, report, err = scan(capsys, target)
    assert code == 3 and "Traceback" not in err
    (error,) = report["errors"]
    assert error["input"] == str(target if form == "file" else target / drpm.name)
    assert error["message"].startswith("Payload SHA256 digest: BAD (Expected ")
    assert "; a delta RPM (PAYLOADFORMAT drpm): " in error["message"]
    assert error["message"].endswith("; its package is read from the header alone")
    statuses = {package["nevra"]: package["status"] for package in report["packages"]}
    assert statuses["deltapkg-2-1.noarch"] == "origin"


def test_a_repository_s_deltas_are_not_its_packages(
    delta: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """createrepo_c ``--deltas`` puts the deltas in drpms/ and lists them in prestodelta.xml: each
    rebuilds a package primary.xml lists (dnf checks the rebuilt file against its checksum
    there), so the repository's packages are primary.xml's, read as always, and no delta is
    one."""
    old, new, _ = delta
    repository, older = tmp_path / "repo", tmp_path / "old"
    repository.mkdir()
    older.mkdir()
    shutil.copy(new, repository / new.name)
    shutil.copy(old, older / old.name)
    subprocess.run(
        ["createrepo_c", "-q", "--deltas", "--oldpackagedirs", str(older), str(repository)], check=True
    )
    assert list((repository / "drpms").glob("*.drpm"))
    code, report, err = scan(capsys, repository)
    assert code == 1 and report["errors"] == [], err  # the package's Citrix URL blocks
    assert [package["nevra"] for package in report["packages"]] == ["deltapkg-2-1.noarch"]
