"""Which installed package a new one of the same name replaces, across architectures.

dnf (libsolv) upgrades a package to one of the same architecture, and lets a package become
noarch or stop being noarch (``policy_is_illegal`` allows an arch change when either side is
noarch); the arches of a multilib pair (foo.i686 beside foo.x86_64) stay side by side.
"""

from __future__ import annotations

from auditor.rpm.model import SOURCE_ARCHES


def replaces_across(new_arch: str, old_arch: str) -> bool:
    """Whether a binary package of ``new_arch`` replaces one of ``old_arch`` and the same name
    when it is installed as an update: the same arch, or noarch on either side. A source
    package replaces only a source package."""
    if new_arch in SOURCE_ARCHES or old_arch in SOURCE_ARCHES:
        return new_arch == old_arch
    return new_arch == old_arch or "noarch" in (new_arch, old_arch)
