"""The binary packages a spec builds (`auditor.rpm.spec.builds`), and None wherever the reading
may have missed one: ``auditor check`` drops a BASE binary a source RPM's spec does not build,
and a name wrongly missing is a false ``unresolved``. rpmbuild agrees on the shapes below
(tests/cli/test_check_dropped_subpackage.py builds them)."""

from __future__ import annotations

import pytest

from auditor.rpm.model import Package, PackageKind
from auditor.rpm.serialize import check_package_json, package_from_json, package_to_json
from auditor.rpm.spec.builds import built_by_parsed_spec, built_by_spec
from auditor.rpm.spec.parser import parse_spec

PREAMBLE = "Name: foo\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n%description\nd\n"


def test_the_stored_spec_names_each_package_with_a_files_section() -> None:
    text = (
        PREAMBLE + "%package nofiles\nSummary: n\n%description nofiles\nn\n"
        "%files\n/usr/bin/foo\n%files extra\n%files -f list.lst -n libbar\n"
        "%changelog\n* Mon Jan 01 2024 x - 1-1\n- moved %files extra\n"
    )
    assert built_by_parsed_spec(text, "foo") == ("foo", "foo-extra", "libbar")


def test_a_stored_spec_without_a_main_files_section_builds_no_main_package() -> None:
    assert built_by_parsed_spec(PREAMBLE + "%package core\nSummary: c\n%files core\n", "foo") == ("foo-core",)


@pytest.mark.parametrize(
    "text",
    [
        PREAMBLE + "%files\nx %files citrix\n",  # a %define ate the newline: glued to the line before
        PREAMBLE + "%files -n\n",  # no name after -n
    ],
    ids=["glued", "no-name"],
)
def test_a_stored_spec_read_uncertainly_builds_unknown_packages(text: str) -> None:
    assert built_by_parsed_spec(text, "foo") is None


def test_no_name_is_unknown() -> None:
    assert built_by_parsed_spec(PREAMBLE + "%files\n", None) is None


def test_both_branches_of_an_undecided_conditional_are_built() -> None:
    """A conditional the reader cannot decide is read both ways: what either builds is in."""
    text = (
        PREAMBLE
        + "%if 0%{?xenserver}\n%package citrix\nSummary: c\n%description citrix\nc\n%files citrix\n%endif\n%files\n"
    )
    spec = parse_spec(text, "foo.spec")
    assert spec.undecided
    assert built_by_spec(spec, text) == ("foo-citrix", "foo")


def test_code_in_a_tag_value_decides_no_package() -> None:
    text = PREAMBLE.replace("Release: 1", "Release: %(date +%%s)") + "%files\n"
    assert built_by_spec(parse_spec(text, "foo.spec"), text) == ("foo",)


@pytest.mark.parametrize(
    "lines",
    [
        "%{?_gnu:%package citrix}\n%files\n",  # a line whose macros decide it opens a section
        "%package -n %{undefined_name}\nSummary: c\n%description -n %{undefined_name}\nc\n%files -n %{undefined_name}\n%files\n",
        "%include /etc/xenserver/packages.inc\n%files\n",  # code whose lines are unseen
        "%(echo '%package citrix')\n%files\n",
        "%if 1\n%files\n",  # never closed: rpm refuses the spec
    ],
    ids=["shaped-by-macros", "inexact-name", "include", "shell", "unclosed"],
)
def test_a_spec_read_uncertainly_builds_unknown_packages(lines: str) -> None:
    assert built_by_spec(parse_spec(PREAMBLE + lines, "foo.spec"), PREAMBLE + lines) is None


# As rpm's tests/data/SPECS/dynamic.spec writes its docs subpackage in %install, here by a
# script of the Sources: no line of the spec names the package.
DYNAMIC = (
    PREAMBLE.replace("License: MIT\n", "License: MIT\nSource1: subpackages.py\n")
    + "%install\npython3 %{SOURCE1} %{specpartsdir}\n%files\n"
)


def test_a_spec_that_writes_spec_parts_builds_unknown_packages() -> None:
    """rpm >= 4.19 reads what a build writes to %{specpartsdir} as more of the spec: the docs
    package is built though no line of the spec opens its section."""
    assert built_by_spec(parse_spec(DYNAMIC, "dynamic.spec"), DYNAMIC) is None
    # As rpmbuild stores it in the SPEC tag: the macro expanded to the build's directory.
    stored = DYNAMIC.replace("%{specpartsdir}", "/builddir/build/BUILD/foo-1-build/SPECPARTS")
    assert built_by_parsed_spec(stored, "foo") is None
    assert built_by_parsed_spec(PREAMBLE + "%files\n", "foo") == ("foo",)


@pytest.mark.parametrize("builds", [None, (), ("foo", "foo-extra")])
def test_builds_round_trip_through_the_stored_model(builds: tuple[str, ...] | None) -> None:
    """Absent is unknown: a model stored before the field must not read as "builds nothing"."""
    package = Package("foo", None, "1", "1", "src", PackageKind.SOURCE, "foo.src.rpm", "in", builds=builds)
    data = package_to_json(package)
    check_package_json(data)
    assert package_from_json(data).builds == builds


def test_a_stored_model_with_builds_of_the_wrong_shape_is_refused() -> None:
    package = Package("foo", None, "1", "1", "src", PackageKind.SOURCE, "foo.src.rpm", "in", builds=("foo",))
    data = package_to_json(package)
    data["builds"] = [1]
    with pytest.raises(ValueError, match="builds"):
        check_package_json(data)


def test_a_main_name_a_build_host_macro_decides_builds_unknown_packages() -> None:
    """rpmspec --builtrpms of this spec gives xenserver-transfer-vm (rpm defines %_target): the
    reader, which does not, reads the name as case and says so in a gap; found by holding
    `built_by_spec` to rpmspec over the test suite's 2,700 specs."""
    text = PREAMBLE.replace("Name: foo", "Name: %{?_target:xenserver-transfer-vm}%{!?_target:case}")
    spec = parse_spec(text + "%files\n", "case.spec")
    assert spec.built == ("case",)
    assert built_by_spec(spec, text + "%files\n") is None


def test_a_stored_spec_with_a_prep_section_builds_what_its_package_headers_name() -> None:
    """rpm 4.18 stores no line for the section header that ends %prep: the %files below it is
    not in the SPEC tag (rpmbuild -bs of ``%prep``, ``echo hi``, ``%files``, ``/a`` stores
    ``%prep``, ``echo hi``, ``/a``), and that package would read as no longer built. One line
    is lost: the main package, and each ``%package``, may be built; nothing else is."""
    assert built_by_parsed_spec(PREAMBLE + "%prep\necho hi\n/a\n", "foo") == ("foo",)
    sub = "%package -n other\nSummary: o\n%description -n other\no\n%package tools\nSummary: t\n"
    text = PREAMBLE + sub + "%description tools\nt\n%prep\necho hi\n/a\n%files -n other\n"
    assert built_by_parsed_spec(text, "foo") == ("foo", "other", "foo-tools")
    # a %package the headers do not show whole (glued to a %define's line): unknown
    glued = PREAMBLE + "%define x 1 %package tools\nSummary: t\n%prep\necho hi\n/a\n"
    assert built_by_parsed_spec(glued, "foo") is None


def test_a_section_after_the_changelog_is_read() -> None:
    """rpm reads a section that starts after the changelog: foo-data is built."""
    changelog = "%changelog\n* Mon Jan 01 2024 A <a@example.org> - 1-1\n- first\n"
    text = (
        PREAMBLE + "%files\n" + changelog + "%package data\nSummary: d\n%description data\nd\n%files data\n"
    )
    assert built_by_parsed_spec(text, "foo") == ("foo", "foo-data")
    # A changelog line quoting %files, with a section after it: which is which is not sure.
    quoting = text.replace("- first", "- moved %files data")
    assert built_by_parsed_spec(quoting, "foo") is None
