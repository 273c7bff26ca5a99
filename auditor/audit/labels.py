"""How a package is named where another audited package has its NEVRA: a vendor's build and a
rebuild of one N-V-R (two repositories, or two files of one), or two spec files of one NEVRA.
The bare NEVRA would read as the verdict on both copies, so every output that lists packages
names such a copy as its row in ``scan`` does (`package_label`): the reports, and the sides
`diff` compares (`auditor.gate.audit_side`; a JSON report writes the label it gives).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from itertools import pairwise

from auditor.audit.locations import package_path, repositories_of
from auditor.audit.result import AuditResult, PackageResult
from auditor.rpm.model import Package


def read_from_spec(package: Package) -> bool:
    """What a spec declares, not a package that was built: a spec file's packages, and the
    binaries a rebuild of a source RPM given alone makes (`auditor.audit.rebuilds`: their spec is
    the one that source RPM carries, their location its file)."""
    return package.from_spec or (package.spec is not None and not package.is_source)


def package_label(
    package: Package, repositories: Collection[str], shared: Collection[str], within: Collection[str]
) -> str:
    """The package as a row names it: its NEVRA, marked when it is what a spec file would build
    (the spec and the RPM built from it can share a NEVRA and differ in status), or with its
    input when another audited package has the NEVRA (``shared``; with its file when one input
    holds both, ``within``): a clean row must not read as the verdict on the other copy."""
    if read_from_spec(package):
        # two specs of one NEVRA are named by their file; a spec and the RPM built from it
        # by the mark alone
        if package.nevra in within:
            return f"{package.nevra} (spec {package_path(package, repositories)})"
        return f"{package.nevra} (spec)"
    if package.nevra in within:
        return f"{package.nevra} ({package_path(package, repositories)})"
    if package.nevra in shared:
        return f"{package.nevra} ({package.input})"
    return package.nevra


def shared_labels(audit: AuditResult) -> dict[int, str]:
    """The label of each package of ``audit`` (by its index) another of its packages shares a
    NEVRA with: the others are named by their NEVRA."""
    shared, within = shared_nevras(audit.results)
    if not shared:
        return {}
    repositories = frozenset(repositories_of(audit.inputs))
    return {
        result.index: package_label(result.package, repositories, shared, within)
        for result in audit.results
        if result.package.nevra in shared
    }


def shared_nevras(results: Sequence[PackageResult]) -> tuple[frozenset[str], frozenset[str]]:
    """The NEVRAs more than one audited package has, and those of them whose rows a file must
    name: one input holds two copies (two files of one repository), or two spec files have it (a
    vendor's packaging tree and a rebuild's: each spec is its own input, and both rows read
    ``(spec)``). The results come sorted by name, arch and NEVRA (`auditor.audit.pipeline`), so
    copies are neighbours: no set of a distribution's 60,000 names or NEVRAs is held (one cost
    megabytes at its peak)."""
    shared: set[str] = set()
    within: set[str] = set()
    inputs: set[tuple[str, str]] = set()
    specs: set[str] = set()
    for before, after in pairwise(results):
        one, other = before.package, after.package
        if one.name == other.name and one.arch == other.arch and one.nevra == other.nevra:
            shared.add(one.nevra)
            inputs.add((one.nevra, one.input))
            if read_from_spec(one):
                specs.add(one.nevra)
            if (other.nevra, other.input) in inputs or (read_from_spec(other) and other.nevra in specs):
                within.add(other.nevra)
            inputs.add((other.nevra, other.input))
    return frozenset(shared), frozenset(within)
