"""A spec's origin tags read through a macro the reader could not expand are a gap (red team 32).

The policy judges a package's URL, BugURL, Vendor, Packager, Distribution and License. rpm's
own macro files define ``%_target`` on every build host, so ``URL: https://%{?_target:HOST}``
is on HOST for rpm; a Source read so was an ``unexpanded-source`` gap, but such a tag was
judged as the reader left it (no host, or none of Citrix's), clean and complete. ``rpmspec
-q --qf`` is the authority on the tags of each package rpm would build.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.differential.test_spec_reading import HEADER, rpmspec

HIDDEN = {
    "url": ("URL: https://%{?_target:code.citrite.net}%{!?_target:example.org}/x\n", "%{URL}"),
    "bugurl": ("BugURL: https://%{?_gnu:bugs.xenserver.com}/\n", "%{BUGURL}"),
    "vendor": ("Vendor: %{?_target:Citrix Systems, Inc.}\n", "%{VENDOR}"),
    "packager": ("Packager: Build <build@%{?_gnu:citrix.com}%{!?_gnu:example.org}>\n", "%{PACKAGER}"),
    "vendor-macro": ("%global vendor %{?_target:Citrix Systems, Inc.}\n", "%{VENDOR}"),
    "url-undefined": ("URL: https://%{upstream_host}/x\n", "%{URL}"),
    "subpackage": (
        "%description\nd\n%package sub\nSummary: s\nURL: https://%{?_gnu:code.citrite.net}/x\n"
        "%description sub\nd\n%files sub\n",
        "%{URL}",
    ),
}
CITRIX_WORDS = ("citrite.net", "xenserver.com", "Citrix", "citrix.com")


@pytest.mark.parametrize("case", HIDDEN, ids=list(HIDDEN))
def test_an_origin_tag_read_inexactly_is_a_gap(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body, query = HIDDEN[case]
    text = HEADER + body + ("" if "%description" in body else "%description\nd\n") + "%files\n"
    printed = rpmspec(tmp_path, text, "-q", "--builtrpms", "--qf", f"{query}\n")
    if case != "url-undefined":  # the control: the tag rpm writes is Citrix's
        assert any(word in printed for word in CITRIX_WORDS), printed
    path = tmp_path / "case.spec"
    code = main(["scan", str(path), "--strict", "--no-cache", "-q", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    for package in report["packages"]:
        assert "unexpanded-tag" in {gap["kind"] for gap in package["gaps"]}, package["name"]
    assert code == 3


def test_origin_tags_read_exactly_are_no_gap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The control: tags made of macros the spec defines, and a %vendor it never defines
    (the build host's, as its Buildhost is), are exact."""
    text = HEADER + "%global h example.org\nURL: https://%{h}/x\nVendor: %{h}\n%description\nd\n%files\n"
    (tmp_path / "case.spec").write_text(text)
    assert (
        main(["scan", str(tmp_path / "case.spec"), "--strict", "--no-cache", "-q", "--format", "json"]) == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert [package["gaps"] for package in report["packages"]] == [[], []]


HOST_DEPENDENCIES = {
    "requires": ("Requires: %{?_gnu:citrix-thing}%{!?_gnu:bash}\n", ("--requires",), "citrix-thing"),
    "buildrequires": ("BuildRequires: %{?_target:xs-sdk}%{!?_target:gcc}\n", ("--buildrequires",), "xs-sdk"),
    "negated-first": (
        "Requires: %{!?_target:bash}%{?_target:citrix-thing}\n",
        ("--requires",),
        "citrix-thing",
    ),
}


@pytest.mark.parametrize("case", HOST_DEPENDENCIES, ids=list(HOST_DEPENDENCIES))
def test_a_dependency_a_build_host_test_decides_is_read_for_each_answer(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``Requires: %{?_gnu:citrix-thing}%{!?_gnu:bash}``: every host rpm builds on defines
    ``%_gnu``, so the package requires ``citrix-thing``; the reader guessed ``bash`` and said
    nothing, and a Citrix ``citrix-thing`` in the run was no dependency (red team 32, left
    then). Each answer the build host may give is read: the package requires both."""
    body, query, expected = HOST_DEPENDENCIES[case]
    text = HEADER + "BuildArch: noarch\n" + body + "%description\nd\n%files\n"
    printed = rpmspec(tmp_path, text, "-q", *query)
    assert expected in printed.split(), printed  # the authority: rpm takes the host's answer
    code = main(["scan", str(tmp_path / "case.spec"), "--no-cache", "-q", "--format", "model"])
    model = json.loads(capsys.readouterr().out)
    names = {dep["name"] for package in model["packages"] for dep in package.get("requires") or []}
    assert expected in names and code in (0, 1)


HIDDEN_NAMES = {
    "name": ("Name: %{?_target:xenserver-transfer-vm}%{!?_target:case}\n", ""),
    "name-undefined": ("Name: xenserver-%{component}\n", ""),
    "subpackage": ("Name: case\n", "%package -n %{?_gnu:xenserver-transfer-vm}%{!?_gnu:y}\nSummary: s\n"),
    "subpackage-suffix": ("Name: xenserver\n", "%package %{?_gnu:transfer-vm}%{!?_gnu:y}\nSummary: s\n"),
}


@pytest.mark.parametrize("case", HIDDEN_NAMES, ids=list(HIDDEN_NAMES))
def test_a_name_read_inexactly_is_a_gap(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The policy judges names (``xenserver-transfer-vm`` is a known proprietary component): a
    name that rpm reads through a build host's macro was judged as the reader left it, clean
    and complete (XCP-ng's own xapi.spec has ``%package -n python%{python3_pkgversion}-...``)."""
    name, subpackage = HIDDEN_NAMES[case]
    description = "%description -n " if "-n" in subpackage else "%description "
    sub_name = subpackage.split("\n")[0].split()[-1] if subpackage else ""
    tail = f"{subpackage}{description}{sub_name}\nd\n" if subpackage else ""
    text = name + HEADER.split("\n", 1)[1] + "%description\nd\n%files\n" + tail
    if subpackage:
        text += f"%files {'-n ' if '-n' in subpackage else ''}{sub_name}\n"
    printed = rpmspec(tmp_path, text, "-q", "--qf", "%{NAME}\n")
    if case != "name-undefined":  # the control: the name rpm builds is the proprietary one
        assert "xenserver-transfer-vm" in printed.split(), printed
    code = main(["scan", str(tmp_path / "case.spec"), "--strict", "--no-cache", "-q", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert report["packages"]
    for package in report["packages"]:
        assert "unexpanded-tag" in {gap["kind"] for gap in package["gaps"]}, package["name"]
    assert code == 3
