"""Which file paths the run's dependencies name (`auditor.deps.filereqs.required_files`): every
kind a package must find in another's files, plainly or inside a rich dependency, and no other.
The kinds are read as attributes written out (for speed): a kind left out would leave its paths
unread from filelists.xml, and requirements on them unresolved."""

from __future__ import annotations

from auditor.deps.filereqs import required_files
from auditor.rpm.model import with_fields
from auditor.rpm.package_fields import DEPENDENCY_KINDS, DependencyKind
from tests.universe import deps, package


def test_every_kind_that_names_files_is_read_and_no_other() -> None:
    base = package({"name": "app"})
    packages = [
        with_fields(
            base, **{kind.value: deps([f"/opt/{kind.value}/plain", f"(/opt/{kind.value}/rich or x)"])}
        )
        for kind in DEPENDENCY_KINDS
    ]
    wanted = required_files(packages)
    for kind in DEPENDENCY_KINDS:
        named = {f"/opt/{kind.value}/plain", f"/opt/{kind.value}/rich"}
        if kind in (DependencyKind.PROVIDES, DependencyKind.OBSOLETES):
            assert not named & wanted, kind  # a package's own, not another's
        else:
            assert named <= wanted, kind
