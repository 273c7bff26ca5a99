"""`PrimaryHandler.add_package` makes `Package` positionally (a keyword call cost a distribution's
read a second of CPU): each value must land in the field of its name, whatever order the class
declares its fields in. Every value here is distinct, so a shifted position shows."""

from __future__ import annotations

from auditor.core.errors import InputError
from auditor.rpm.model import Checksum, PackageKind
from auditor.rpm.package_fields import DEPENDENCY_KINDS
from auditor.sources.primary import PrimaryHandler, size_key
from auditor.sources.rpmmd_entry import dependency_from_fields


def test_each_value_lands_in_the_field_of_its_name() -> None:
    errors: list[InputError] = []
    handler = PrimaryHandler("repo", errors, "repo", header_ranges=True)
    kinds = [kind.value for kind in DEPENDENCY_KINDS]
    dependencies = {
        kind: (dependency_from_fields(f"{kind}-cap", None, None, None, None, None),) for kind in kinds
    }
    handler.add_package(
        "name-v", "3", "version-v", "release-v", "x86_64", "sha512", "checksum-v", "summary-v",
        "description-v", "packager-v", "https://url.example/v", "1700000001", "https://base.example/b",
        "Packages/href-v.rpm", "license-v", "vendor-v", "buildhost-v", "sourcerpm-v.src.rpm", "10", "20",
        "30", dependencies, ["/files/v"], None,
    )  # fmt: skip
    assert errors == []
    [package] = handler.pending
    assert (package.name, package.epoch, package.version, package.release, package.arch) == (
        "name-v",
        3,
        "version-v",
        "release-v",
        "x86_64",
    )
    assert package.kind is PackageKind.BINARY
    assert package.location == "https://base.example/b/Packages/href-v.rpm"
    assert package.input == "repo"
    assert package.sourcerpm == "sourcerpm-v.src.rpm"
    assert package.checksum == Checksum("sha512", "checksum-v")
    assert (package.summary, package.description) == ("summary-v", "description-v")
    for kind in kinds:
        assert [dep.name for dep in getattr(package, kind)] == [f"{kind}-cap"], kind
    assert list(package.files) == ["/files/v"]
    assert (package.vendor, package.packager, package.buildhost) == ("vendor-v", "packager-v", "buildhost-v")
    assert (package.url, package.license, package.buildtime) == (
        "https://url.example/v",
        "license-v",
        1700000001,
    )
    assert (package.bugurl, package.distribution) == (None, None)
    assert package.header_range == (10, 20)
    assert handler.file_sizes == {size_key("checksum-v", package.location): 30}
