"""The licences of an SPDX document (`auditor.reports.spdx`): each package's License tag as
its ``licenseDeclared``, and the text of each tag that is no SPDX expression of known licences
under the ``LicenseRef-`` id that names it (``hasExtractedLicensingInfos``).

They are apart from the document's writing because they are a question of their own, asked of
spdx-tools' licensing (license-expression) once per distinct tag, and spdx.py had passed the
project's 400 lines with them.
"""

from __future__ import annotations

import functools
import hashlib
import re

from spdx_tools.common.spdx_licensing import spdx_licensing

from auditor.reports import sbom

_ID_NOISE = re.compile(r"[^A-Za-z0-9.-]+")


class DeclaredLicences:
    """The License tags of one document's packages, declared in the packages' order."""

    def __init__(self) -> None:
        self.declared: dict[str, str] = {}
        """License tag -> licenseDeclared, in the packages' order (a LicenseRef's id depends on it)."""
        self.licences: dict[str, dict[str, str]] = {}
        self.taken: dict[str, str] = {}
        """A LicenseRef id case-folded -> the id: SPDX matches ids without regard to case (SPDX
        2.3, annex D.2), so ``Proprietary`` and ``proprietary`` cannot be two ids of one spelling."""

    def extracted_licences(self) -> list[dict[str, str]]:
        return [self.licences[key] for key in sorted(self.licences)]

    def declare(self, value: str) -> None:
        """The License tag as an SPDX expression of known licences, else a LicenseRef to its
        text: the first tag to take a LicenseRef's id (in any case) keeps it, a later one with
        another text gets the id with a digest of its text."""
        if not value or value in self.declared:
            return
        expression = _spdx_expression(value)
        if expression is not None:
            self.declared[value] = _parsed(expression)
            return
        key = "LicenseRef-" + (slug(value) or "license")
        holder = self.taken.get(key.casefold())
        if holder is not None and self.licences[holder]["extractedText"] != value:
            key += "-" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        self.taken.setdefault(key.casefold(), key)
        self.licences.setdefault(
            key,
            {
                "comment": "an RPM License tag that is not an SPDX expression",
                "extractedText": value,
                "licenseId": key,
                "name": value,
            },
        )
        # The id as it is: parsed, license-expression reads some LicenseRef- ids as aliases
        # of its own keys (LicenseRef-GPL as GPL-1.0-or-later, LicenseRef-Commercial as
        # LicenseRef-scancode-commercial-license), a licence the tag never said or one the
        # document does not define.
        self.declared[value] = key


def slug(value: str) -> str:
    """``value`` with what an SPDX id cannot hold made ``-``: a ``LicenseRef-`` id here, a
    package's ``SPDXRef-`` one in `auditor.reports.spdx`."""
    return _ID_NOISE.sub("-", value).strip("-")


@functools.lru_cache(maxsize=4096)
def _parsed(expression: str) -> str:
    """The expression as spdx-tools writes it once parsed (a distribution has a few hundred)."""
    return str(spdx_licensing.parse(expression))


def _spdx_expression(value: str) -> str | None:
    """The normalized expression when ``value`` is an SPDX expression of known licences, each
    named by its SPDX id (`sbom.names_spdx_ids_only`)."""
    if not sbom.names_spdx_ids_only(value):
        return None
    try:
        checked = spdx_licensing.validate(value)
    except MemoryError:  # the run's to end (exit 4), not a licence read as a name
        raise
    except Exception:  # license-expression's validate itself fails on some odd input: not an expression
        return None
    return None if checked.errors else checked.normalized_expression or None
