"""Write auditor/rpm/spec/platforms.py: what rpm's platform macros set for each architecture.

    python tests/differential/make_platforms.py

For each architecture the auditor knows (`auditor.deps.provides.KNOWN_ARCHES`) that rpm has a
platform for, ``rpm --target ARCH`` gives ``%{_arch}``, ``%{_lib}``, ``%{__isa_name}`` and
``%{__isa_bits}``: what a spec read for that host sees (``%if "%{_lib}" == "lib"``, ``%{_libdir}``,
``%{?_isa}``). rpm runs with an empty HOME, so no ~/.rpmmacros counts.
tests/differential/test_spec_platforms.py checks the file against the installed rpm.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from auditor.deps.provides import KNOWN_ARCHES

OUT = Path(__file__).resolve().parents[2] / "auditor" / "rpm" / "spec" / "platforms.py"
QUERY = "%{_arch}|%{_lib}|%{?__isa_name}|%{?__isa_bits}"


def rpm_platforms() -> dict[str, tuple[str, str, str, str]]:
    """Each architecture rpm has a platform for, and what its macros give (empty: undefined)."""
    found = {}
    with tempfile.TemporaryDirectory() as home:
        environment = {"HOME": home, "PATH": os.environ["PATH"], "LC_ALL": "C"}
        for arch in sorted(KNOWN_ARCHES):
            done = subprocess.run(
                ["rpm", "--target", arch, "--eval", QUERY],
                capture_output=True, text=True, check=True, env=environment,
            )  # fmt: skip
            arch_macro, lib, name, bits = done.stdout.strip().split("|")
            if "%" not in arch_macro:  # "%{_arch}": rpm has no platform for it
                found[arch] = (arch_macro, lib, name, bits)
    return found


def main() -> None:
    lines = [
        '"""What the platform macros of rpm set for each architecture: ``%{_arch}``, ``%{_lib}``,',
        "``%{__isa_name}``, ``%{__isa_bits}`` (empty: undefined). Made by",
        'tests/differential/make_platforms.py from ``rpm --target ARCH``; do not edit."""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import Mapping",
        "",
        "PLATFORMS: Mapping[str, tuple[str, str, str, str]] = {",
        *(f"    {arch!r}: {values!r}," for arch, values in rpm_platforms().items()),
        "}",
        "",
    ]
    OUT.write_text("\n".join(lines).replace("'", '"'))


if __name__ == "__main__":
    main()
