"""What the gate reads of an audit: a protocol, so that the decision and the baseline's
progress take an `AuditResult` or a test's stand-in alike, and neither imports the other."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from auditor.audit.facts import Fact
from auditor.audit.result import PackageResult
from auditor.core.errors import InputError
from auditor.origin.findings import Finding
from auditor.rpm.model import Package


class Audited(Protocol):
    """What the gate reads of an audit (an `AuditResult` is one): its facts and what it audited."""

    @property
    def facts(self) -> list[Fact]: ...

    @property
    def packages(self) -> Sequence[Package]: ...

    @property
    def results(self) -> Sequence[PackageResult]: ...

    @property
    def errors(self) -> Sequence[InputError]: ...

    @property
    def findings(self) -> Mapping[int, Sequence[Finding]]:
        """The policy's findings by package index, of the context's packages too."""
        ...
