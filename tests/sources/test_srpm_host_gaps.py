"""A source RPM read again for the other hosts of ``--arch`` (`auditor.sources.srpmhosts`) adds
what those readings see, not the gaps the builder's reading already has under another label."""

from __future__ import annotations

from pathlib import Path

from auditor.core.errors import InputError
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import with_fields
from auditor.sources.rpmpackage import read_rpm_file
from auditor.sources.srpmhosts import on_build_hosts
from tests.differential.test_spec_reading import build_srpm

SPEC = """Name: case
Version: 1
Release: 1
Summary: s
License: MIT
Source0: case.tar.gz
BuildRequires: %(echo foo)-devel
%description
d
%prep
%files
"""


def test_a_gap_of_the_builders_reading_is_not_counted_again_for_another_host(tmp_path: Path) -> None:
    """An SRPM without a SPEC tag (rpm < 4.15) is read from its payload's spec, `payload:NAME`;
    read again on s390x, the same line's gap came back as `FILE:NAME`, and the audit counted
    `2 spec-code` of one line (rpm's own CheckInclude-1-1.src.rpm)."""
    srpm = build_srpm(tmp_path, SPEC)
    read = read_rpm_file(str(srpm))
    line = "case.spec:7: BuildRequires: %(echo foo)-devel"
    builder_gap = Gap(GapKind.SPEC_CODE, f"payload:{line}")
    source = with_fields(read, gaps=(*read.gaps, builder_gap))
    errors: list[InputError] = []
    (again,) = on_build_hosts([source], ["x86_64", "s390x"], {}, errors)
    assert errors == []
    assert [gap for gap in again.gaps if gap.kind is GapKind.SPEC_CODE] == [builder_gap]
    # without it, the reading for s390x says it, once, naming the file
    (alone,) = on_build_hosts([read], ["x86_64", "s390x"], {}, errors)
    assert [gap.detail for gap in alone.gaps if gap.kind is GapKind.SPEC_CODE] == [f"{srpm}:{line}"]
