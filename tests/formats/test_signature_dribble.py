"""A signature tag written twice in the signature header: once in its region, once after it (a
"dribble"). rpm 4.18 checks the first (``hdrblobGet`` walks the index from the start, so
``rpm -K`` and ``rpm -i`` verify the region's signature) but shows the second (``headerImport``
lets the dribble replace it, so ``rpm -qp`` names the dribble's signer).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.differential import mutations as m
from tests.formats.test_signers import Keys, entry_of, keys, policy, signed, write

__all__ = ["keys"]  # the module-scoped fixture, shared with the signers' tests


def test_a_signature_a_dribble_replaces_is_not_lost(
    keys: Keys, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Signed by the vendor in the region, by the clean key in a dribble: rpm -K verifies the
    vendor's signature, rpm -qp shows the clean key. Reading the clean key alone, the auditor
    passed a package a denied key signed; the file is refused, as a tag twice is elsewhere."""
    rpm = signed(keys, "vendor", tmp_path)
    type_, data, count = entry_of(signed(keys, "clean", tmp_path), m.SIG_RSA)
    slots = rpm.signature.slots()
    rpm.signature.entries.append([m.SIG_RSA, type_, 0, count])
    slots.append(data)
    rpm.signature.layout(slots)
    m.trailer("signature", 2, lambda structure: -16 * (len(structure.entries) - 1))(rpm)
    path = write(rpm, tmp_path / "dribble.rpm")
    vendor, clean = keys.ids["vendor"], keys.ids["clean"]
    checked = keys.rpm("-Kv", str(path))
    assert checked.returncode == 0 and f"key ID {vendor[8:]}: OK" in checked.stdout, checked.stdout
    shown = keys.rpm("-qp", "--qf", "%{RSAHEADER:pgpsig}", str(path))
    assert f"Key ID {clean}" in shown.stdout, shown.stdout
    code = main(
        ["scan", str(path), "-q", "--no-cache", "--policy", policy(tmp_path, "deny", "vendor", keys=keys)]
    )
    [line] = [line for line in capsys.readouterr().err.splitlines() if "error:" in line] or [""]
    assert code == 3 and "tag 268 appears twice" in line, (code, line)
