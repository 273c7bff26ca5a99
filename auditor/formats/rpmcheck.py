"""The error a port of one of rpm's own checks raises: rpm refuses such a file too."""

from __future__ import annotations

import enum

from auditor.core.errors import InputError


class CheckKind(enum.Enum):
    """Which part of rpm refuses the file, and so which rpm command shows it."""

    LEAD = "lead"
    """rpmLeadRead: every rpm command."""
    STRUCTURE = "structure"
    """The header structures (lib/header.c, lib/package.c): ``rpm -qp --nodigest --nosignature``."""
    DIGEST = "digest"
    """The digests of the signature header (lib/rpmvs.c): ``rpm -K --nosignature``."""
    SIGNATURE = "signature"
    """The OpenPGP signature packets: ``rpm -K``, and ``rpm -qp`` for the header-only ones."""
    PAYLOAD = "payload"
    """The cpio archive (lib/cpio.c): rpm2archive, rpm -i."""


class RpmCheckError(InputError):
    """A file that one of rpm's checks, ported here, refuses. ``check`` names rpm's function."""

    def __init__(self, source: str, detail: str, check: str, kind: CheckKind) -> None:
        super().__init__(source, f"{detail} (rpm: {check})")
        self.detail = detail
        self.check = check
        self.kind = kind

    def __reduce__(self) -> tuple[type[RpmCheckError], tuple[str, str, str, CheckKind]]:  # type: ignore[override]
        return (type(self), (self.source, self.detail, self.check, self.kind))
