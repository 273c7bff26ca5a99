"""rpm as the oracle: does rpm itself refuse this file, and in which of its checks?

rpm runs with a private HOME (no ~/.rpmmacros) and a private, empty database (``--dbpath``)
holding only the fixtures' throw-away signing key, so its verdict does not depend on the machine.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import RPMS

LEAD_MAGIC = b"\xed\xab\xee\xdb"
# rpm -Kv names each digest it checked; these two cover the payload, which the auditor does
# not read: their mismatches ("Expected ... != ...") are not the auditor's to see.
PAYLOAD_DIGESTS = ("MD5 digest:", "Payload SHA256 digest:", "Payload SHA256 ALT digest:")


@dataclass(frozen=True)
class Rpm:
    home: Path

    @classmethod
    def create(cls, home: Path) -> Rpm:
        rpm = cls(home)
        rpm.run("--initdb")
        imported = rpm.run("--import", str(RPMS / "RPM-GPG-KEY-fixtures"))
        assert imported.returncode == 0, imported.stderr
        return rpm

    @classmethod
    def keyless(cls, home: Path) -> Rpm:
        """rpm with an empty database: a signature it cannot verify is NOKEY, a warning, while
        one it can tell is bad without a key (its hash prefix) is BAD."""
        rpm = cls(home)
        rpm.run("--initdb")
        return rpm

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        environment = {"HOME": str(self.home), "PATH": os.environ["PATH"], "LC_ALL": "C"}
        return subprocess.run(
            ["rpm", "--dbpath", str(self.home / "db"), *args],
            capture_output=True, text=True, errors="replace", env=environment, timeout=60, check=False,
        )  # fmt: skip

    def structure_refuses(self, path: Path) -> bool:
        """``rpm -qp --nodigest --nosignature``: lead, header structures, signature tags."""
        if not _has_lead(path):
            return True  # not asked: rpm would read the file as a manifest, a list of paths to open
        return self.run("-qp", "--nodigest", "--nosignature", str(path)).returncode != 0

    def query_refuses(self, path: Path) -> bool:
        """``rpm -qp`` with its default checks (digests and signatures), as it reads any package."""
        return self.run("-qp", str(path)).returncode != 0

    def digest_refuses(self, path: Path) -> bool:
        """``rpm -K --nosignature``: every digest, the payload's included."""
        return self.run("-K", "--nosignature", str(path)).returncode != 0

    def signature_refuses(self, path: Path) -> bool:
        """``rpm -K``, the fixtures' key imported: digests and signatures."""
        return self.run("-K", str(path)).returncode != 0

    def header_digest_refuses(self, path: Path) -> bool:
        """``rpm -Kv --nosignature``, less the payload digests' mismatches: what the auditor
        checks of the digests (all of them in form, those of the header by value)."""
        if not _has_lead(path):
            return True
        checked = self.run("-Kv", "--nosignature", str(path))
        if checked.returncode == 0:
            return False
        results = [line.strip() for line in checked.stdout.splitlines()[1:]]
        if not results:  # rpm could not read the file at all
            return True
        for line in results:
            if ": OK" in line:
                continue
            if line.startswith(PAYLOAD_DIGESTS) and "BAD (Expected" in line:
                continue
            return True
        return False

    def payload_refuses(self, path: Path) -> bool:
        """rpm2archive: the cpio archive read by rpm's own reader (lib/cpio.c through rpmfi)."""
        environment = {"HOME": str(self.home), "PATH": os.environ["PATH"], "LC_ALL": "C"}
        with path.open("rb") as stream:
            done = subprocess.run(
                ["rpm2archive", "-n", "-"], stdin=stream, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env=environment, timeout=60, check=False,
            )  # fmt: skip
        return done.returncode != 0


def _has_lead(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(4) == LEAD_MAGIC
