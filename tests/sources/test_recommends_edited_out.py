"""A Recommends the header has and primary.xml lacks is judged, in a repository's default scan.

The policy reads a Recommends (a URL in it names a host: XenServer's ``gitsha(...)``
capabilities name its git server). Edited out of primary.xml, a repository's reading judged
the package by the metadata's Recommends alone and passed it, where the file alone was
blocking (rt24). The header evidence now holds the Recommends too, and a package whose header
Recommends what its entry lacks takes the header's, with one warning for the repository. It is
no input error: yum's createrepo copies no weak dependency at all, and a repository it made of
packages that have some must not fail to be read. Packages built by rpmbuild, repositories by
createrepo_c (the edit made in primary.xml, repomd.xml's checksums fixed), the remote one
served over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.conftest import RPMS, rewrite_primary
from tests.httpserver import LocalServer
from tests.rpmbuild import build_noarch
from tests.sources.test_repository_file_named_too import WEAK_URL_SPEC

SPEC = WEAK_URL_SPEC.replace("\n\n%description", "\nRecommends: epochless-dep\n\n%description")
"""A Recommends naming a Citrix URL, and one naming nothing the policy judges."""
EDITED = "Recommend what their metadata entries lack"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    top = tmp_path_factory.mktemp("weak-url")
    spec = top / "weak-url.spec"
    spec.write_text(SPEC)
    return build_noarch(spec, top / "top", [])


def repository(directory: Path, built: tuple[Path, Path], edit: str | None) -> Path:
    """The package, its source package and an unrelated one, as a repository whose primary.xml
    lists ``edit`` Recommends: "citrix" without the URL one, "all" without any, None as written."""
    directory.mkdir(parents=True)
    for path in (*built, RPMS / "epochs-1.2-4.noarch.rpm"):
        shutil.copy(path, directory / path.name)
    subprocess.run(
        ["createrepo_c", "--quiet", "--no-database", str(directory)], check=True, capture_output=True
    )
    if edit == "citrix":
        rewrite_primary(directory, lambda text: re.sub(r'\s*<rpm:entry name="gitsha\([^"]*"/>', "", text))
    elif edit == "all":
        rewrite_primary(
            directory, lambda text: re.sub(r"\s*<rpm:recommends>.*?</rpm:recommends>", "", text, flags=re.S)
        )
    return directory


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = main(["scan", *args, "--no-cache", "--format", "json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, json.loads(captured.out), captured.err


def judged(document: dict[str, Any]) -> dict[str, list[str]]:
    """The Recommends of the package, and the fields the Citrix host rule found."""
    [package] = [p for p in document["packages"] if p["name"] == "weak-url" and p["arch"] == "noarch"]
    fields = sorted(f["field"] for f in package["findings"] if f["rule"] == "citrix-internal-host")
    return {"recommends": sorted(package.get("recommends", [])), "host rule": fields}


def primary_xml(repo: Path) -> str:
    """The text of the primary.xml createrepo_c wrote for ``repo``."""
    return gzip.decompress(next((repo / "repodata").glob("*-primary.xml.gz")).read_bytes()).decode()


def blocks_on_recommends(repo: Path, capsys: pytest.CaptureFixture[str], *, edited: bool) -> None:
    """The repository's scan finds the Citrix URL in the package's Recommends (exit 1, no input
    error), and warns of Recommends its metadata lacks exactly when they were ``edited`` out."""
    code, document, err = scan([str(repo)], capsys)
    assert judged(document)["host rule"] == ["recommends"]
    assert code == 1 and not document["errors"]
    assert (EDITED in err) is edited


@pytest.mark.parametrize("edit", ["citrix", "all"])
def test_a_local_repository_judges_the_header_s_recommends(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], built: tuple[Path, Path], edit: str
) -> None:
    repo = repository(tmp_path / "repo", built, edit)
    code, document, err = scan([str(repo)], capsys)
    _, alone, _ = scan([str(built[1])], capsys)
    assert judged(document)["host rule"] == judged(alone)["host rule"] == ["recommends"]
    assert code == 1 and not document["errors"]  # the finding blocks; no input error (exit 3)
    [warning] = [line for line in err.splitlines() if EDITED in line]
    assert warning.startswith(
        f"auditor: warning: {repo}: the headers of 1 package(s) {EDITED}: weak-url-1.0-1.noarch"
    )
    assert "gitsha(https://code.citrite.net/XS/weak-url.git)" in warning


def test_a_repository_as_createrepo_c_wrote_it_says_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], built: tuple[Path, Path]
) -> None:
    code, document, err = scan([str(repository(tmp_path / "repo", built, None))], capsys)
    assert judged(document)["host rule"] == ["recommends"] and code == 1
    assert EDITED not in err


def test_a_remote_repository_judges_the_header_s_recommends(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], built: tuple[Path, Path]
) -> None:
    repository(tmp_path / "www" / "repo", built, "citrix")
    with LocalServer(tmp_path / "www") as server:
        code, document, err = scan([server.url("/repo/"), "--cache-dir", str(tmp_path / "cache")], capsys)
        # again, from the cache: the stored evidence holds the Recommends too
        again_code, again, again_err = scan(
            [server.url("/repo/"), "--cache-dir", str(tmp_path / "cache")], capsys
        )
    assert judged(document)["host rule"] == ["recommends"] and code == 1 and not document["errors"]
    assert (again_code, judged(again)) == (code, judged(document))
    assert EDITED in err and EDITED in again_err


def test_a_recommends_swapped_into_primary_is_judged_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The header Recommends a clean capability; primary.xml names a Citrix URL in its place.
    dnf installs what primary.xml Recommends (rpm reads no weak dependency): the entry's
    Recommends the header lacks stays, beside the header's. Taking the header's alone, the
    package passed clean (exit 0) where it blocked before the header was read for them."""
    spec = tmp_path / "weak-url.spec"
    spec.write_text(SPEC.replace("Recommends: gitsha(https://code.citrite.net/XS/weak-url.git)\n", ""))
    repo = repository(tmp_path / "repo", build_noarch(spec, tmp_path / "top", []), None)
    citrix = "gitsha(https://code.citrite.net/XS/weak-url.git)"
    rewrite_primary(
        repo,
        lambda text: re.sub(r'(<rpm:recommends>\s*<rpm:entry name=")epochless-dep"', rf'\1{citrix}"', text),
    )
    code, document, err = scan([str(repo)], capsys)
    assert judged(document)["host rule"] == ["recommends"]
    assert code == 1 and not document["errors"]
    [warning] = [line for line in err.splitlines() if EDITED in line]
    assert "('epochless-dep')" in warning


STRONG = 1 << 27
"""RPMSENSE_STRONG: with it an rpm < 4.12 OLDSUGGESTS entry is a Recommends (SUSE wrote them so)."""


def old_style(rpm: Path, target: Path, name_tag: int = 5046) -> Path:
    """``rpm`` as rpm < 4.12 wrote its Recommends: the RECOMMEND* tags (``name_tag`` 5049:
    the SUGGEST* ones) renamed OLDSUGGESTS* with RPMSENSE_STRONG in each flag, the header
    digests and MD5 made again (rpm -K checks them). Index entries stay in store order, as rpm
    requires."""
    data = bytearray(rpm.read_bytes())

    def header(start: int) -> tuple[int, int, int]:
        count, size = struct.unpack(">II", data[start + 8 : start + 16])
        return count, start + 16, start + 16 + 16 * count + size

    signature_count, signature_index, signature_end = header(96)
    main = (signature_end + 7) // 8 * 8
    count, index, end = header(main)
    store = index + 16 * count
    renamed = {name_tag: 1156, name_tag + 1: 1157, name_tag + 2: 1158}
    for entry in range(index, store, 16):
        tag, _type, offset, items = struct.unpack(">IIII", data[entry : entry + 16])
        if tag == name_tag + 2:
            for at in range(store + offset, store + offset + 4 * items, 4):
                (flags,) = struct.unpack(">I", data[at : at + 4])
                data[at : at + 4] = struct.pack(">I", flags | STRONG)
        if tag in renamed:
            data[entry : entry + 4] = struct.pack(">I", renamed[tag])
    digests = {
        269: hashlib.sha1(data[main:end]).hexdigest().encode(),
        273: hashlib.sha256(data[main:end]).hexdigest().encode(),
        1004: hashlib.md5(data[main:]).digest(),
    }
    signature_store = signature_index + 16 * signature_count
    for entry in range(signature_index, signature_store, 16):
        tag, _type, offset, _items = struct.unpack(">IIII", data[entry : entry + 16])
        if tag in digests:
            at = signature_store + offset
            data[at : at + len(digests[tag])] = digests[tag]
    target.write_bytes(data)
    checked = subprocess.run(["rpm", "-K", str(target)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    query = ["rpm", "-qp", "--qf", "[%{OLDSUGGESTS}\\n]|[%{RECOMMENDS}]", str(target)]
    read = subprocess.run(query, capture_output=True, text=True, check=True).stdout
    old, _, recommends = read.partition("|")  # rpm's own reading: OLDSUGGESTS, no Recommends
    if name_tag == 5046:
        assert (sorted(old.split()), recommends) == (
            ["epochless-dep", "gitsha(https://code.citrite.net/XS/weak-url.git)"],
            "",
        )
    return target


@pytest.mark.parametrize("edit", [None, "all"], ids=["as written", "edited out"])
def test_an_old_style_strong_suggests_is_a_recommends(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], built: tuple[Path, Path], edit: str | None
) -> None:
    """An rpm < 4.12 Recommends (OLDSUGGESTS with RPMSENSE_STRONG) naming a Citrix URL.
    createrepo_c writes it as a Recommends, so the repository as written blocked; but the file
    was read as a Suggests (the policy judges none: clean, exit 0), and the header evidence
    copied no such entry, so with it edited out of primary.xml the repository passed too."""
    (tmp_path / "src").mkdir()
    old = old_style(built[1], tmp_path / "src" / built[1].name)
    _, alone, _ = scan([str(old)], capsys)
    assert judged(alone)["host rule"] == ["recommends"]
    repo = repository(tmp_path / "repo", (built[0], old), edit)
    primary = primary_xml(repo)
    assert ("code.citrite.net" in primary) is (edit is None)  # createrepo_c wrote it as a Recommends
    blocks_on_recommends(repo, capsys, edited=edit is not None)


def test_a_requirement_primary_xml_adds_stays_beside_the_header_s(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The header Requires a clean capability; primary.xml names a Citrix URL in its place. The
    file is an input error (its requirement is hidden) and the package is resolved by its
    header's Requires, but dnf resolves by primary.xml: the one the metadata adds stays beside
    them. Taking the header's alone, the package's own finding was gone, its row clean beside
    the run's error."""
    spec = tmp_path / "weak-url.spec"
    spec.write_text(
        SPEC.replace(
            "Recommends: gitsha(https://code.citrite.net/XS/weak-url.git)\n", "Requires: epochless-dep\n"
        )
    )
    repo = repository(tmp_path / "repo", build_noarch(spec, tmp_path / "top", []), None)
    citrix = "gitsha(https://code.citrite.net/XS/weak-url.git)"
    rewrite_primary(
        repo,
        lambda text: re.sub(r'(<rpm:requires>\s*<rpm:entry name=")epochless-dep"', rf'\1{citrix}"', text),
    )
    code, document, err = scan([str(repo)], capsys)
    [package] = [p for p in document["packages"] if p["name"] == "weak-url" and p["arch"] == "noarch"]
    assert sorted(f["field"] for f in package["findings"] if f["rule"] == "citrix-internal-host") == [
        "requires"
    ]
    assert code == 3 and "requires 'epochless-dep' in the header, not in the metadata" in err


@pytest.mark.parametrize("edit", [None, "citrix"], ids=["as written", "edited out"])
def test_an_old_style_strong_suggests_beside_a_recommends_is_one_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: str | None
) -> None:
    """A header with a Recommends (RECOMMENDNAME) and an rpm < 4.12 one (OLDSUGGESTS with
    RPMSENSE_STRONG) naming a Citrix URL: createrepo_c lists both as Recommends, so the
    repository blocked. The old entry was read only where the header had no new one: the file
    alone passed clean (exit 0), and with it edited out of primary.xml the header evidence
    (RECOMMENDNAME alone) agreed with the metadata, so the repository passed too."""
    spec = tmp_path / "weak-url.spec"
    spec.write_text(
        WEAK_URL_SPEC.replace("Recommends:", "Recommends: epochless-dep\nSuggests:").replace(
            "Release: 1", "Release: 2"
        )
    )
    srpm, rpm = build_noarch(spec, tmp_path / "top", [])
    (tmp_path / "src").mkdir()
    both = old_style(rpm, tmp_path / "src" / rpm.name, name_tag=5049)
    query = ["rpm", "-qp", "--qf", "[%{OLDSUGGESTS}\\n]|[%{RECOMMENDS}]", str(both)]
    read = subprocess.run(query, capture_output=True, text=True, check=True).stdout
    assert read == "gitsha(https://code.citrite.net/XS/weak-url.git)\n|epochless-dep"  # rpm's reading
    code, alone, _ = scan([str(both)], capsys)
    assert judged(alone)["host rule"] == ["recommends"] and code == 1
    repo = repository(tmp_path / "repo", (srpm, both), None)
    primary = primary_xml(repo)
    assert "code.citrite.net" in primary and "epochless-dep" in primary  # createrepo_c: both Recommends
    if edit == "citrix":
        rewrite_primary(repo, lambda text: re.sub(r'\s*<rpm:entry name="gitsha\([^"]*"/>', "", text))
    blocks_on_recommends(repo, capsys, edited=edit is not None)


def test_a_requirement_primary_xml_asks_more_of_stays_beside_the_header_s(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The header Requires ``hidden-dep`` (edited out of primary.xml: the package takes the
    header's dependencies, the file an input error) and ``helper >= 1.0``, which primary.xml
    spells ``helper >= 99``. dnf resolves by primary.xml: only a helper 99 will do (none
    here: nothing provides it; a Citrix one in another run). The metadata's entry was dropped
    for its name alone, and the package read clean, resolved by the helper 1.0 beside it."""
    top = tmp_path / "top"
    top.mkdir()
    app, helper = top / "app.spec", top / "helper.spec"
    body = "Name: {0}\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n{1}\n%description\nx\n\n%files\n"
    app.write_text(body.format("app", "Requires: hidden-dep\nRequires: helper >= 1.0\n"))
    helper.write_text(body.format("helper", "Provides: hidden-dep\n"))
    repo = tmp_path / "repo"
    repo.mkdir()
    for path in (*build_noarch(app, top / "app", []), *build_noarch(helper, top / "helper", [])):
        shutil.copy(path, repo)
    subprocess.run(["createrepo_c", "--quiet", "--no-database", str(repo)], check=True)

    def edit(text: str) -> str:
        text = re.sub(r'\s*<rpm:entry name="hidden-dep"/>', "", text)
        return text.replace(
            'name="helper" flags="GE" epoch="0" ver="1.0"', 'name="helper" flags="GE" epoch="0" ver="99"'
        )

    rewrite_primary(repo, edit)
    code, document, err = scan([str(repo)], capsys)
    [package] = [p for p in document["packages"] if p["name"] == "app" and p["arch"] == "noarch"]
    assert package["status"] == "unresolved" and package["blocking"]
    assert code == 3 and "requires 'hidden-dep' in the header, not in the metadata" in err


@pytest.mark.parametrize("weak", ["Suggests", "Supplements", "Enhances"])
def test_the_other_weak_dependencies_edited_out_are_judged_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], weak: str
) -> None:
    """The policy reads a URL in every kind of capability (rt37): a Suggests, Supplements or
    Enhances naming a Citrix URL that primary.xml lacks (yum's createrepo copies none) left the
    package clean, judged by its entry alone; the header evidence holds them too now, read
    again from the store."""
    spec = tmp_path / "weak-url.spec"
    spec.write_text(WEAK_URL_SPEC.replace("Recommends:", f"{weak}:"))
    built = build_noarch(spec, tmp_path / "top", [])
    repo = repository(tmp_path / "www" / "repo", built, None)
    tag = f"rpm:{weak.lower()}"
    rewrite_primary(repo, lambda text: re.sub(rf"\s*<{tag}>.*?</{tag}>", "", text, flags=re.S))
    with LocalServer(tmp_path / "www") as server:
        for target in (str(repo), server.url("/repo/"), server.url("/repo/")):  # the last: stored
            code = main(["scan", target, "--cache-dir", str(tmp_path / "cache"), "--format", "json"])
            captured = capsys.readouterr()
            [package] = [
                p
                for p in json.loads(captured.out)["packages"]
                if p["name"] == "weak-url" and p["arch"] == "noarch"
            ]
            assert [(f["field"], f["rule"]) for f in package["findings"]] == [
                (weak.lower(), "citrix-internal-host")
            ]
            assert code == 1 and EDITED in captured.err
