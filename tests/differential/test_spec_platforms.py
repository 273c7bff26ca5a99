"""A spec read for another host sees that host's platform macros, as ``rpmspec --target`` does
(red team 38).

The reader set ``%{_arch}`` to the architecture's own name and kept x86_64's ``%{_lib}``: read
for i686 (``--arch i686``, or a spec whose ExclusiveArch names i686 alone), ``%if "%{_arch}" ==
"i386"`` and ``%if "%{_lib}" == "lib"`` were false, exactly, where rpm takes them, and the Citrix
BuildRequires under them went unseen.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.rpm.spec.parser import parse_spec
from auditor.rpm.spec.platforms import PLATFORMS
from tests.differential.make_platforms import rpm_platforms
from tests.differential.test_spec_reading import HEADER, rpmspec

TESTS = (
    '%if "%{_arch}" == "i386"\nBuildRequires: citrix-arch\n%endif\n'
    '%if "%{_lib}" == "lib"\nBuildRequires: citrix-lib\n%endif\n'
    '%if "%{_libdir}" == "/usr/lib"\nBuildRequires: citrix-libdir\n%endif\n'
    '%if "%{_arch}" == "arm"\nBuildRequires: citrix-arm\n%endif\n'
    "BuildRequires: isa%{?_isa}\n"
)


def test_the_platforms_are_those_of_this_rpm() -> None:
    assert rpm_platforms() == PLATFORMS


@pytest.mark.parametrize("arch", ["i686", "athlon", "s390", "armv7hl", "aarch64", "amd64", "ppc64pseries"])
def test_a_spec_read_for_a_host_sees_its_platform(arch: str, tmp_path: Path) -> None:
    text = f"{HEADER}{TESTS}%description\nd\n%files\n"
    expected = sorted(rpmspec(tmp_path, text, "--target", arch, "-q", "--buildrequires").split())
    if arch == "i686":
        assert {"citrix-arch", "citrix-lib", "citrix-libdir"} <= set(expected)  # the control
    spec = parse_spec(text, "case.spec", arch=arch)
    assert sorted(dependency.name for dependency in spec.build_requires) == expected
    assert not spec.gaps
