"""A macro defined from text the reader could not expand exactly carries that doubt (red team 32).

``%global h %{?_gnu:code.citrite.net}`` expands its body when it is read: rpm's own macro
files define ``%_gnu`` on every build host, so ``%h`` is the Citrix host, and a Source that
reads ``%h`` is on it. The reader cannot know what a build host defines; the test of
``%_gnu`` was inexact, and so is every value made from it. Read as an exact empty ``%h``, the
Source was a clean one, with no gap. ``rpmspec -P`` is the authority; the SRPM ``rpmbuild -bs`` makes of the spec is read too:
its SPEC tag holds the spec as rpm expanded it, the Citrix Source written out.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.rpm.gaps import GapKind
from auditor.rpm.spec.parser import parse_spec
from tests.differential.test_spec_reading import CITRIX, HEADER, build_srpm, rpmspec

DERIVED = {
    # %global expands its body at once: the test of a host macro is in it.
    "global": "%global h %{?_gnu:code.citrite.net}%{!?_gnu:example.org}\n",
    # %{expand:} expands the definition's text before %define reads it.
    "expand-define": "%{expand:%%define h %{?_target:code.citrite.net}%{!?_target:example.org}}\n",
    "expand-global": "%{expand:%%global h %{?_gnu:code.citrite.net}%{!?_gnu:example.org}}\n",
    # rpm's %{defined} is such a test too, made through %{expand:}.
    "defined": '%global d %{defined _gnu}\n%global h %[%{d} ? "code.citrite.net" : "example.org"]\n',
    # A builtin this rpm has (4.18's %{exists:}) and the reader does not know.
    "builtin": "%global h %{?exists:code.citrite.net}%{!?exists:example.org}\n",
}


@pytest.mark.parametrize("case", DERIVED, ids=list(DERIVED))
def test_a_source_read_through_a_doubtful_definition_is_a_gap(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = HEADER + DERIVED[case] + "Source1: https://%{h}/x/derived.tar.gz\n%description\nd\n%files\n"
    printed = rpmspec(tmp_path, text, "-P")
    assert f"Source1: {CITRIX}/derived.tar.gz" in printed  # the control: rpm's Source is Citrix's
    spec = parse_spec(text, "case.spec")
    assert GapKind.UNEXPANDED_SOURCE in {gap.kind for gap in spec.gaps}
    path = tmp_path / "case.spec"
    for target in (path, build_srpm(tmp_path, text)):
        code = main(["scan", str(target), "--strict", "--no-cache", "-q", "--format", "json"])
        report = json.loads(capsys.readouterr().out)
        kinds = {gap["kind"] for package in report["packages"] for gap in package["gaps"]}
        rules = {finding["rule"] for package in report["packages"] for finding in package["findings"]}
        # The SRPM's SPEC tag is the spec rpm expanded: the Citrix Source is there to see.
        seen = "unexpanded-source" in kinds or "citrix-internal-host" in rules
        assert code != 0 and seen, (target, kinds, rules)


def test_a_definition_from_exact_text_stays_exact() -> None:
    """The control: a %global made of macros the spec defines is as exact as they are."""
    text = HEADER + "%global base example.org\n%global h %{base}\nSource1: https://%{h}/x.tgz\n"
    spec = parse_spec(text + "%description\nd\n%files\n", "case.spec")
    assert spec.gaps == ()
    assert [source.value for source in spec.sources][-1] == "https://example.org/x.tgz"


def test_a_macro_left_as_written_in_a_definition_is_read_again_where_used(tmp_path: Path) -> None:
    """rpm keeps ``%{version}`` as written in a %global made before the Version line and
    expands it where the macro is read: the Source is exact, as rpm's is (ghc.spec does this)."""
    text = (
        "%global release_dir %{version}\nName: case\nVersion: 9.4\nRelease: 1\nSummary: s\n"
        "License: MIT\nSource0: https://example.org/%{release_dir}/case.tar.gz\n%description\nd\n%files\n"
    )
    assert "Source0: https://example.org/9.4/case.tar.gz" in rpmspec(tmp_path, text, "-P")
    spec = parse_spec(text, "case.spec")
    assert [source.value for source in spec.sources] == ["https://example.org/9.4/case.tar.gz"]
    assert spec.gaps == ()


TAGS = {
    "name": "Name: %{?_gnu:code.citrite.net}%{!?_gnu:case}\nVersion: 1\nSource0: https://%{name}/x/derived.tar.gz\n",
    "version": "Name: case\nVersion: 1%{?_gnu:.citrite.net}\nSource0: https://code%{version}/x/derived.tar.gz\n",
}


@pytest.mark.parametrize("case", TAGS, ids=list(TAGS))
def test_a_tag_macro_made_from_a_host_answer_is_not_exact(case: str, tmp_path: Path) -> None:
    """``Name:`` defines ``%{name}`` from its value: a value a build host decided makes the
    macro the build host's too, and a Source read through it a gap."""
    text = TAGS[case] + "Release: 1\nSummary: s\nLicense: MIT\n%description\nd\n%files\n"
    printed = rpmspec(tmp_path, text, "-P")
    assert "Source0: https://code" in printed and "citrite.net/" in printed  # the control
    spec = parse_spec(text, "case.spec")
    # The name itself is a gap too (the policy judges names: test_spec_tag_doubt), and so is the
    # version (requirements on the package compare with it: test_an_evr_the_build_host_answers_is_a_gap).
    assert [gap.kind for gap in spec.gaps] == [GapKind.UNEXPANDED_TAG, GapKind.UNEXPANDED_SOURCE]
