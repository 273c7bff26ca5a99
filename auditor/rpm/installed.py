"""What a binary package installs that decides where its host gets packages and whom it trusts:
the repositories of the ``.repo`` files (and ``yum.conf``, ``dnf.conf``) it ships, and the keys of
the OpenPGP key files it puts in ``/etc/pki/rpm-gpg``, read from its payload
(`auditor.sources.payloadconfig`). Every host that installs such a package fetches from those
repositories, or accepts packages those keys signed: the package is the dependence."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class InstalledKind(enum.Enum):
    REPOSITORY_URL = "repository-url"
    """A ``baseurl``, ``mirrorlist``, ``metalink`` or ``gpgkey`` URL of a repository section
    dnf or yum enables."""
    DISABLED_REPOSITORY_URL = "disabled-repository-url"
    """The same, of a section every reader leaves disabled (``enabled=0``): evidence that a
    user's ``--enablerepo`` away, which does not block."""
    SIGNING_KEY = "signing-key"
    """The id of a key, or of a subkey, of an OpenPGP key file under ``/etc/pki/rpm-gpg``."""
    REPOSDIR = "reposdir"
    """A directory the ``reposdir=`` of a main configuration the package installs names: dnf
    reads the ``.repo`` files any package puts there (`auditor.sources.reposdirs`)."""
    UNNAMED_REPOSITORY_URL = "unnamed-repository-url"
    """A `REPOSITORY_URL` of a ``.repo`` file outside the default reposdirs that no reposdir of
    the package's names: configuration of its hosts once another package's `REPOSDIR` names
    the directory, nothing before. Its ``where`` is the file's path, a NUL, then the rest."""
    UNNAMED_DISABLED_REPOSITORY_URL = "unnamed-disabled-repository-url"
    """The same, of a `DISABLED_REPOSITORY_URL`."""
    UNNAMED_GAP = "unnamed-gap"
    """What could not be read or judged of such a file: its value, the gap's detail."""
    VARIABLE = "variable"
    """A variable's file the package puts in a varsdir (``/etc/dnf/vars/org``): its ``where`` the
    path, its value the first line. dnf reads every package's on a host, not only this one's
    (`auditor.audit.sharedvars`)."""
    URL_TEMPLATE = "url-template"
    """A repository URL as written, holding a variable: the one just before it is what the
    package's own variables make of it (`auditor.sources.installedurl.record_url`)."""

    @property
    def is_url(self) -> bool:
        """A URL dnf reads on the package's hosts: judged by the policy's host rules."""
        return self in (InstalledKind.REPOSITORY_URL, InstalledKind.DISABLED_REPOSITORY_URL)


@dataclass(frozen=True, slots=True)
class Installed:
    """One piece of what a package installs (`InstalledKind`), and where in it."""

    kind: InstalledKind
    where: str
    """The file, and for a URL its section and key: ``/etc/yum.repos.d/xs.repo [xs-updates] baseurl``."""
    value: str
    """The URL as dnf reads it (the package's own variables substituted), or the key id."""
