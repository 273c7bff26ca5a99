"""Hostile source RPMs."""

import shutil
import time
from pathlib import Path

import pytest

import auditor.sources.rebuildspec as rebuildspec
from auditor.rpm.model import Package
from tests.cli.srpm_rebuild.harness import XS_PROP, check, repos, rpmbuild, summary

FOO = """\
Name: foo
Version: 1.0
Release: {release}
Summary: foo
License: MIT
BuildArch: noarch
AutoReqProv: no
{requires}
%description
f
%files
"""


def base(tmp_path: Path) -> list[str]:
    b = tmp_path / "base"
    rpmbuild(b, FOO.format(release=1, requires=""), "foo")
    rpmbuild(b, XS_PROP, "xs-prop")
    return repos(b)


def test_srpm_replaced_between_load_and_rebuild_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SRPM loaded (identity, MD5, Sources) declares Requires: xs-prop; before the rebuild
    reading re-opens it by path, the file is replaced by a clean SRPM of the same name. Nothing
    checks that the file re-read is the one loaded: the verdict is about a file never audited."""
    against = base(tmp_path)
    dirty, clean = tmp_path / "dirty", tmp_path / "clean"
    rpmbuild(dirty, FOO.format(release=2, requires="Requires: xs-prop"), "foo", "-bs")
    rpmbuild(clean, FOO.format(release=2, requires=""), "foo", "-bs")
    (srpm,) = (dirty / "SRPMS").glob("*.src.rpm")
    (clean_srpm,) = (clean / "SRPMS").glob("*.src.rpm")
    original = rebuildspec._spec_of

    def swapped(source: Package) -> tuple[list[tuple[str, str]], str]:
        shutil.copy(clean_srpm, srpm)  # another process rewrites the file
        return original(source)

    monkeypatch.setattr(rebuildspec, "_spec_of", swapped)
    code, doc = check(str(srpm), "--against", *against, capsys=capsys)
    print(summary(code, doc))
    print("completeness:", doc.get("completeness", {}).get("summary"))
    assert code != 0 or "spec-unreadable" in (doc.get("completeness", {}).get("summary") or "")


BAD_BRANCH = """\
%if 0%{?xenserver}
Requires: xs-prop
Requires: foo-extra >=
%endif"""


def test_spec_unparsable_by_reader_in_untaken_branch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm skips the false branch; the auditor's reader reads both ways and raises on the bad
    dependency. `check foo.spec` and `check foo.src.rpm` then disagree."""
    against = base(tmp_path)
    n = tmp_path / "new"
    rpmbuild(n, FOO.format(release=2, requires=BAD_BRANCH), "foo", "-bs")
    (srpm,) = (n / "SRPMS").glob("*.src.rpm")
    sc, sd = check(str(n / "foo.spec"), "--against", *against, capsys=capsys)
    rc, rd = check(str(srpm), "--against", *against, capsys=capsys)
    print("SPEC:", summary(sc, sd), sd.get("errors"), sd.get("raw"))
    print("SRPM:", summary(rc, rd), rd.get("completeness", {}).get("summary"))
    assert sc == rc


def test_huge_multibyte_payload_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A payload spec of 12 MB of 3-byte characters is 4M characters: under the len(text) bound."""
    against = base(tmp_path)
    n = tmp_path / "new"
    pad = "# " + "\u20ac" * 1000 + "\n"
    text = FOO.format(release=2, requires="Requires: xs-prop") + pad * 4000
    print("bytes", len(text.encode()), "chars", len(text))
    rpmbuild(n, text, "foo", "-bs")
    (srpm,) = (n / "SRPMS").glob("*.src.rpm")
    t = time.time()
    sc, sd = check(str(n / "foo.spec"), "--against", *against, capsys=capsys)
    t1 = time.time() - t
    t = time.time()
    rc, rd = check(str(srpm), "--against", *against, capsys=capsys)
    t2 = time.time() - t
    print(f"SPEC ({t1:.1f}s):", summary(sc, sd))
    print(repr(sd.get("raw", "")[:600]))
    print(f"SRPM ({t2:.1f}s):", summary(rc, rd), rd.get("completeness", {}).get("summary"))
    assert sc == rc


def test_spec_over_the_bound(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 5 MB spec (padding comments) whose Requires: xs-prop is in the SPEC tag in plain sight:
    `check foo.spec` fails the input (exit 3), `check foo.src.rpm` exits 0 (BASE's clean binaries
    stand in, a non-blocking spec-unreadable gap)."""
    against = base(tmp_path)
    n = tmp_path / "new"
    text = FOO.format(release=2, requires="Requires: xs-prop") + ("#" + "x" * 999 + "\n") * 5000
    rpmbuild(n, text, "foo", "-bs")
    (srpm,) = (n / "SRPMS").glob("*.src.rpm")
    sc, sd = check(str(n / "foo.spec"), "--against", *against, capsys=capsys)
    rc, rd = check(str(srpm), "--against", *against, capsys=capsys)
    print("SPEC:", summary(sc, sd), sd.get("completeness", {}).get("summary"))
    print("SRPM:", summary(rc, rd), rd.get("completeness", {}).get("summary"))
    assert rc != 0


@pytest.mark.parametrize("replacement", ["gone", "garbage", "binary-rpm", "fifo"])
def test_srpm_vanishes_or_replaced_by_junk(
    replacement: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SRPM (Requires: xs-prop, in its SPEC tag as loaded) is removed/replaced before the
    rebuild reading: the verdict is exit 0 although the loaded header showed the Requires."""
    import os

    against = base(tmp_path)
    dirty = tmp_path / "dirty"
    rpmbuild(dirty, FOO.format(release=2, requires="Requires: xs-prop"), "foo", "-ba")
    (srpm,) = (dirty / "SRPMS").glob("*.src.rpm")
    (binary,) = (dirty / "repo").rglob("*.rpm")
    original = rebuildspec._spec_of

    def swapped(source: Package) -> tuple[list[tuple[str, str]], str]:
        srpm.unlink()
        if replacement == "garbage":
            srpm.write_bytes(b"\xed\xab\xee\xdb" + b"\0" * 200)
        if replacement == "binary-rpm":
            shutil.copy(binary, srpm)
        if replacement == "fifo":
            os.mkfifo(srpm)
        return original(source)

    monkeypatch.setattr(rebuildspec, "_spec_of", swapped)
    code, doc = check(str(srpm), "--against", *against, capsys=capsys)
    print(replacement, summary(code, doc), doc.get("completeness", {}).get("summary"))
    assert code != 0
