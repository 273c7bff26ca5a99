"""Reading RPM files: the model must say what `rpm -qp` (and rpmfile) say about the same file."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import rpmfile

from auditor.core.errors import InputError
from auditor.rpm.gaps import GapKind
from auditor.rpm.model import Dependency, Op, PackageKind, SourceFile, SourceKind
from auditor.rpm.package_fields import DEPENDENCY_KINDS
from auditor.sources.rpmpackage import read_rpm_file
from tests.conftest import DATA, RPMS

SEP = "@@S@@"
ITEM = "@@I@@"
FIELD = "@@F@@"
SCALARS = ["NAME", "EPOCH", "VERSION", "RELEASE", "ARCH", "SOURCERPM", "VENDOR", "PACKAGER", "BUILDHOST",
           "URL", "BUGURL", "LICENSE", "DISTRIBUTION", "SUMMARY", "DESCRIPTION", "BUILDTIME",
           "SOURCEPACKAGE"]  # fmt: skip
DEPENDENCY_TAGS = {
    "requires": "REQUIRE",
    "provides": "PROVIDE",
    "conflicts": "CONFLICT",
    "obsoletes": "OBSOLETE",
    "recommends": "RECOMMEND",
    "suggests": "SUGGEST",
    "supplements": "SUPPLEMENT",
    "enhances": "ENHANCE",
}


def rpm_query(path: Path) -> dict[str, object]:
    parts = [f"%{{{tag}}}" for tag in SCALARS]
    for tag in DEPENDENCY_TAGS.values():
        parts.append(
            f"[%{{{tag}NAME}}{FIELD}%{{{tag}FLAGS}}{FIELD}%{{{tag}VERSION}}{FIELD}%{{{tag}FLAGS:deptype}}{ITEM}]"
        )
    parts.append(f"[%{{FILENAMES}}{ITEM}]")
    parts.append("%{RSAHEADER:pgpsig}")
    out = subprocess.run(
        ["rpm", "-qp", "--nosignature", "--nodigest", "--qf", SEP.join(parts), str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    values = out.split(SEP)
    result: dict[str, object] = dict(zip(SCALARS, values[: len(SCALARS)], strict=True))
    position = len(SCALARS)
    for kind in DEPENDENCY_TAGS:
        items = [item.split(FIELD) for item in values[position].split(ITEM) if item]
        result[kind] = items
        position += 1
    result["files"] = [item for item in values[position].split(ITEM) if item]
    result["signature"] = values[position + 1]
    return result


def none(value: object) -> object:
    return None if value == "(none)" else value


def expected_dependency(
    name: str, flags: str, version: str, deptype: str
) -> tuple[str, Op | None, str, frozenset[str]]:
    words = frozenset(deptype.split(",")) - {"manual", "auto"}
    op = Op.from_sense(int(flags)) if version else None
    return name, op, version, words


def ours(dep: Dependency) -> tuple[str, Op | None, str, frozenset[str]]:
    return dep.name, dep.op, str(dep.evr) if dep.evr else "", dep.qualifiers


ALL_RPMS = sorted(RPMS.glob("*.rpm"))


@pytest.mark.parametrize("path", ALL_RPMS, ids=[path.name for path in ALL_RPMS])
def test_model_equals_rpm_qp(path: Path) -> None:
    package = read_rpm_file(str(path))
    expected = rpm_query(path)
    is_source = expected["SOURCEPACKAGE"] == "1"
    assert package.kind is (PackageKind.SOURCE if is_source else PackageKind.BINARY)
    assert package.name == expected["NAME"]
    assert package.epoch == (None if expected["EPOCH"] == "(none)" else int(str(expected["EPOCH"])))
    assert package.version == expected["VERSION"]
    assert package.release == expected["RELEASE"]
    assert package.arch == ("src" if is_source else expected["ARCH"])
    assert package.sourcerpm == none(expected["SOURCERPM"])
    for field in (
        "vendor",
        "packager",
        "buildhost",
        "url",
        "bugurl",
        "license",
        "distribution",
        "summary",
        "description",
    ):
        assert getattr(package, field) == none(expected[field.upper()]), field
    assert package.buildtime == int(str(expected["BUILDTIME"]))
    for kind in DEPENDENCY_KINDS:
        rows = expected[kind]
        assert isinstance(rows, list)
        assert [ours(dep) for dep in getattr(package, kind)] == [expected_dependency(*row) for row in rows], (
            kind
        )
    assert list(package.files) == expected["files"]
    signature = str(expected["signature"])
    if "Key ID" in signature:
        assert package.signing_key == signature.rsplit("Key ID ", 1)[1].strip()
    else:
        assert package.signing_key is None


# rpmfile's names for the (name, flags, version) tags of each kind of dependency
RPMFILE_DEPENDENCIES = {
    "requires": ("requirename", "requireflags", "requireversion"),
    "provides": ("provides", "provideflags", "provideversion"),
    "conflicts": ("conflictname", "conflictflags", "conflictversion"),
    "obsoletes": ("obsoletes", "obsoleteflags", "obsoleteversion"),
    "recommends": ("recommendname", "recommendflags", "recommendversion"),
    "suggests": ("suggestname", "suggestflags", "suggestversion"),
    "supplements": ("supplementname", "supplementflags", "supplementversion"),
    "enhances": ("enhancename", "enhanceflags", "enhanceversion"),
}
RPMFILE_TEXT = {"vendor": "vendor", "packager": "packager", "buildhost": "buildhost", "url": "url",
                "license": "copyright", "summary": "summary", "description": "description",
                "distribution": "distribution", "sourcerpm": "sourcerpm"}  # fmt: skip


def rpmfile_list(value: object) -> list[Any]:
    """rpmfile gives a bare value where an array tag holds one entry, a list or tuple otherwise."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def rpmfile_text(value: object) -> str | None:
    values = rpmfile_list(value)
    return values[0].decode("utf-8") if values else None


@pytest.mark.parametrize("path", ALL_RPMS, ids=[path.name for path in ALL_RPMS])
def test_model_equals_rpmfile(path: Path) -> None:
    """The second oracle: the design card's header library reads the same values (the auditor
    has its own reader: bounded against hostile headers, and without rpmfile's quirks)."""
    package = read_rpm_file(str(path))
    with rpmfile.open(str(path)) as rpm:
        headers = rpm.headers
    assert package.name == rpmfile_text(headers["name"])
    assert package.version == rpmfile_text(headers["version"])
    assert package.release == rpmfile_text(headers["release"])
    epoch = rpmfile_list(headers.get("serial"))
    assert package.epoch == (epoch[0] if epoch else None)
    assert package.is_source == (headers.get("sourcerpm") is None)
    if not package.is_source:
        assert package.arch == rpmfile_text(headers["arch"])
    for field, tag in RPMFILE_TEXT.items():
        assert getattr(package, field) == rpmfile_text(headers.get(tag)), field
    assert package.buildtime == headers["buildtime"]
    for kind, (names, flags, versions) in RPMFILE_DEPENDENCIES.items():
        rows = zip(
            rpmfile_list(headers.get(names)),
            rpmfile_list(headers.get(flags)),
            rpmfile_list(headers.get(versions)),
            strict=True,
        )
        expected = [
            (name.decode(), Op.from_sense(flag) if version else None, version.decode())
            for name, flag, version in rows
        ]
        assert [ours(dep)[:3] for dep in getattr(package, kind)] == expected, kind
    directories = rpmfile_list(headers.get("dirnames"))
    paths = zip(rpmfile_list(headers.get("basenames")), rpmfile_list(headers.get("dirindexes")), strict=True)
    assert list(package.files) == [(directories[index] + base).decode() for base, index in paths]


def test_single_and_several_entries_read_alike() -> None:
    single = read_rpm_file(str(RPMS / "single-deps-1.0-1.noarch.rpm"))
    three = read_rpm_file(str(RPMS / "three-requires-1.0-1.noarch.rpm"))
    for kind in ("provides", "conflicts", "obsoletes", "recommends", "suggests", "supplements", "enhances"):
        values = getattr(single, kind)
        assert isinstance(values, tuple) and len(values) == 1, kind
        assert isinstance(values[0], Dependency)
    plain = [dep for dep in three.requires if not dep.name.startswith("rpmlib(")]
    assert len(plain) == 3 and all(isinstance(dep, Dependency) for dep in plain)


def test_signed_package_key_id() -> None:
    package = read_rpm_file(str(RPMS / "signed-1.0-1.noarch.rpm"))
    assert package.signing_key == (RPMS / "SIGNING_KEY_ID").read_text().strip()
    assert read_rpm_file(str(RPMS / "epochs-1.2-4.noarch.rpm")).signing_key is None


def test_non_ascii_text() -> None:
    package = read_rpm_file(str(RPMS / "unicode-text-1.0-1.noarch.rpm"))
    assert package.description and "日本語" in package.description
    assert package.summary and any(ord(char) > 127 for char in package.summary)


def test_source_urls_from_the_spec_tag() -> None:
    package = read_rpm_file(str(RPMS / "xs-sources-1.0-1.src.rpm"))
    assert package.spec == "header"
    values = {(s.kind, s.number): s.value for s in package.sources}
    assert values[(SourceKind.SOURCE, 0)].startswith(
        "https://code.citrite.net/rest/archive/latest/projects/XSU/repos/"
    )
    assert values[(SourceKind.SOURCE, 0)].endswith("#/xs-sources-1.0.tar.gz")
    assert values[(SourceKind.SOURCE, 1)].startswith("https://repo.citrite.net:443/")
    assert "#/fix%2bthing.patch" in values[(SourceKind.PATCH, 0)]
    expected_requires = subprocess.run(
        ["rpm", "-qp", "--requires", str(RPMS / "xs-sources-1.0-1.src.rpm")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert [str(dep) for dep in package.requires] == expected_requires  # BuildRequires as rpm stores them


def test_source_urls_from_the_payload_without_spec_tag() -> None:
    path = RPMS / "nospec-1.0-1.src.rpm"
    spec_tag = subprocess.run(
        ["rpm", "-qp", "--qf", "%|SPEC?{%{SPEC}}|", str(path)], capture_output=True, text=True
    )
    assert spec_tag.stdout == ""
    package = read_rpm_file(str(path))
    assert package.spec == "payload:nospec.spec"
    urls = [s.value for s in package.sources if s.is_url]
    assert urls and all("%{" not in url for url in urls)
    raw = [s.raw for s in package.sources]
    assert any("%{" in text for text in raw)  # as written: macros and all


@pytest.mark.parametrize("name", ["payload-xz-1.0-1.noarch.rpm", "payload-zstd-1.0-1.noarch.rpm"])
def test_compressed_payloads_read(name: str) -> None:
    assert read_rpm_file(str(RPMS / name)).files


def test_checksum_is_the_file_sha256() -> None:
    import hashlib

    path = RPMS / "epochs-1.2-4.noarch.rpm"
    package = read_rpm_file(str(path))
    assert package.checksum is not None
    assert package.checksum.value == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("cut", "message"),
    [(0, "empty file"), (50, "lead"), (200, "signature header"), (-1, "truncated RPM")],
)
def test_truncated_files_are_input_errors(tmp_path: Path, cut: int, message: str) -> None:
    data = (RPMS / "epochs-1.2-4.noarch.rpm").read_bytes()
    broken = tmp_path / "broken.rpm"
    broken.write_bytes(data[:cut] if cut >= 0 else data[:-100])
    with pytest.raises(InputError) as info:
        read_rpm_file(str(broken))
    assert str(broken) in str(info.value) and message in str(info.value)
    assert "\n" not in str(info.value)


def test_truncated_inside_main_header(tmp_path: Path) -> None:
    data = (RPMS / "epochs-1.2-4.noarch.rpm").read_bytes()
    broken = tmp_path / "broken.rpm"
    broken.write_bytes(data[:5000])
    with pytest.raises(InputError, match=r"main header|truncated"):
        read_rpm_file(str(broken))


def test_not_an_rpm(tmp_path: Path) -> None:
    text = tmp_path / "notes.rpm"
    text.write_text("hello\n" * 50)
    with pytest.raises(InputError, match="not an RPM"):
        read_rpm_file(str(text))


def test_fixture_tree_is_complete() -> None:
    assert (DATA / "repo" / "repodata" / "repomd.xml").is_file()


def test_string_counts_must_fit_their_own_data() -> None:
    from auditor.formats.header import Header
    from auditor.formats.headerlayout import TYPE_I18NSTRING, TYPE_STRING, TYPE_STRING_ARRAY, Entry

    store = b"one\0two\0" + b"\0" * 8  # two strings, then another entry's zeros
    entries = {
        1: Entry(TYPE_STRING_ARRAY, 0, 2, 8),
        2: Entry(TYPE_STRING_ARRAY, 0, 5, 8),  # claims strings that are the next entry's data
        3: Entry(TYPE_I18NSTRING, 0, 2, 8),
        4: Entry(TYPE_I18NSTRING, 0, 3, 8),
        5: Entry(TYPE_STRING, 0, 2, 8),
    }
    header = Header(entries, store, len(store), "x.rpm")
    assert header.strings(1) == ["one", "two"]
    assert header.strings(3) == ["one"]
    for tag in (2, 4, 5):
        with pytest.raises(InputError, match=f"x.rpm: corrupt RPM header: tag {tag} "):
            header.strings(tag)


# -- the spec of a source RPM: gaps and the file names rpm recorded -----------------------


def recorded_order(path: Path) -> list[str]:
    """What rpm recorded: the SOURCE tag then the PATCH tag, each as the header lists it."""
    out = subprocess.run(
        ["rpm", "-qp", "--qf", "[%{SOURCE}\\n]--\\n[%{PATCH}\\n]", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.replace("--\n", "").splitlines()


def test_the_header_records_file_names_in_reverse_spec_order() -> None:
    """rpmbuild prepends each Source to a list (build/parsePreamble.c): the tags are reversed."""
    package = read_rpm_file(str(RPMS / "nospec-1.0-1.src.rpm"))
    from auditor.sources.srpmspec import recorded_name

    by_kind = {
        kind: [recorded_name(s.value) for s in package.sources if s.kind is kind] for kind in SourceKind
    }
    assert recorded_order(RPMS / "nospec-1.0-1.src.rpm") == [
        *reversed(by_kind[SourceKind.SOURCE]),
        *reversed(by_kind[SourceKind.PATCH]),
    ]
    assert package.gaps == ()  # every Source expanded: nothing unseen


def nospec_with_members(directory: Path, members: list[tuple[bytes, bytes]]) -> Path:
    from tests.hostile import make_corpus

    rpm = make_corpus.compact(RPMS / make_corpus.NOSPEC)
    rpm.payload = make_corpus._gzip(make_corpus._cpio(members))
    path = directory / "nospec-1.0-1.src.rpm"
    path.write_bytes(rpm.to_bytes())
    return path


def test_a_source_rpm_whose_spec_cannot_be_read_is_a_gap(tmp_path: Path) -> None:
    path = nospec_with_members(tmp_path, [(b"nospec-1.0.tar.gz", b"x")])
    package = read_rpm_file(str(path))
    assert package.spec is None
    assert [gap.kind for gap in package.gaps] == [GapKind.SPEC_UNREADABLE]
    assert "no SPEC tag, and nospec.spec is missing from the payload" in package.gaps[0].detail
    # What the header recorded is still there, in the spec's order: the best there is.
    assert [s.value for s in package.sources if s.kind is SourceKind.SOURCE] == [
        "nospec-1.0.tar.gz",
        "nospec-extra-1.0.tar.gz",
        "nospec.service",
    ]
    assert [s.value for s in package.sources if s.kind is SourceKind.PATCH] == [
        "nospec-fix.patch",
        "nospec-local.patch",
    ]


def test_a_source_rpm_read_from_its_header_alone_is_a_gap() -> None:
    from auditor.formats.rpmheader import read_headers
    from auditor.sources.rpmpackage import package_from_headers

    path = RPMS / "nospec-1.0-1.src.rpm"
    with path.open("rb") as stream:
        headers = read_headers(stream, str(path), path.stat().st_size)
    package = package_from_headers(headers, None, location=str(path), input=str(path), checksum=None)
    assert [gap.kind for gap in package.gaps] == [GapKind.SPEC_UNREADABLE]
    assert "only the header was read" in package.gaps[0].detail


def source(kind: SourceKind, value: str, *unexpanded: str, line: int = 1) -> SourceFile:
    return SourceFile(kind, None, value, value, line, unexpanded)


def test_unexpanded_sources_fall_back_to_the_recorded_names() -> None:
    from auditor.sources.srpmspec import with_recorded_names

    s, p = SourceKind.SOURCE, SourceKind.PATCH
    read = [
        source(s, "https://github.com/x/a-1.tar.gz", line=1),
        source(s, "https://repo.citrite.net/x/%(echo b)-1.tar.gz", "%(echo b)", line=2),
        source(s, "%{lua: print('c.conf')}", "%{lua: print('c.conf')}", line=3),
        source(p, "fix.patch", line=4),
    ]
    recorded = {s: ["c.conf", "b-1.tar.gz", "a-1.tar.gz"][::-1], p: ["fix.patch"]}
    sources, gaps = with_recorded_names(read, recorded, "payload:x.spec")
    assert [item.value for item in sources] == [
        "https://github.com/x/a-1.tar.gz",
        "https://repo.citrite.net/x/%(echo b)-1.tar.gz#/b-1.tar.gz",  # the host stays for the policy
        "c.conf",
        "fix.patch",
    ]
    assert [item.unexpanded for item in sources][1:3] == [("%(echo b)",), ("%{lua: print('c.conf')}",)]
    assert [str(gap) for gap in gaps] == [
        "unexpanded-source: payload:x.spec:2: Source: https://repo.citrite.net/x/%(echo b)-1.tar.gz"
        " (rpm recorded the file name b-1.tar.gz)",
        "unexpanded-source: payload:x.spec:3: Source: %{lua: print('c.conf')} (rpm recorded the file name c.conf)",
    ]


def test_recorded_names_no_line_gives_are_reported_on_their_own() -> None:
    """The spec as read (both branches of an undecided %if, or not the branch the build took)
    and the header disagree: the header's extra names are not silently dropped."""
    from auditor.sources.srpmspec import with_recorded_names

    s = SourceKind.SOURCE
    read = [source(s, "https://github.com/x/clean-1.tar.gz"), source(s, "%{lua: x}", "%{lua: x}")]
    recorded = {s: ["citrix-1.tar.gz", "one.tgz", "two.tgz"], SourceKind.PATCH: []}
    sources, gaps = with_recorded_names(read, recorded, "payload:x.spec")
    assert [item.value for item in sources] == [
        "https://github.com/x/clean-1.tar.gz",
        "%{lua: x}",  # three names for one line: none is guessed
        "citrix-1.tar.gz",
        "one.tgz",
        "two.tgz",
    ]
    assert [gap.kind for gap in gaps] == [GapKind.UNEXPANDED_SOURCE] * 4
    assert gaps[1].detail == (
        "payload:x.spec: the SRPM header records the source file citrix-1.tar.gz, which no line read from the spec gives"
    )


JOINED_SPEC = """\
Name: joined
Version: 1.0
Release: 1
Summary: s
License: MIT
Source0: joined.tar.gz
%description
The joined tool.
%files
%changelog
* Mon Jan 01 2024 A Packager <a@example.org> - 1.0-1
- Define the snapshot with %global snapshot 20240101
%package data
Summary: data
Source1: https://code.citrite.net/x/joined-data.tar.gz
%description data
data
%files data
"""


def test_a_source_line_the_spec_tag_hides_is_a_gap_named_by_the_recorded_file(tmp_path: Path) -> None:
    """rpm stores the spec it parsed in the SPEC tag, but a %global at the end of a line eats its
    newline there: the next line, ``%package data``, is glued to a changelog entry, and its
    Source1 on a Citrix host reads as changelog text. The header's SOURCE tag still records the
    file, and a recorded name no line gives must be a gap, not a clean SRPM."""
    for directory in ("SOURCES", "SPECS"):
        (tmp_path / directory).mkdir()
    for name in ("joined.tar.gz", "joined-data.tar.gz"):
        (tmp_path / "SOURCES" / name).write_bytes(b"")
    spec = tmp_path / "SPECS" / "joined.spec"
    spec.write_text(JOINED_SPEC)
    subprocess.run(
        ["rpmbuild", "-bs", "--define", f"_topdir {tmp_path}", str(spec)], check=True, capture_output=True
    )
    [srpm] = (tmp_path / "SRPMS").glob("*.src.rpm")
    stored = subprocess.run(["rpm", "-qp", "--qf", "%{SPEC}", str(srpm)], capture_output=True, text=True)
    assert "- Define the snapshot with %package data\n" in stored.stdout  # the stored text, glued
    package = read_rpm_file(str(srpm))
    [gap] = [gap for gap in package.gaps if "joined-data.tar.gz" in gap.detail]
    assert gap.kind is GapKind.UNEXPANDED_SOURCE
    assert "joined-data.tar.gz" in [source.value for source in package.sources]
