"""What one audit reads and how it analyses it: `AuditOptions`.

Apart from the result and the pipeline so that the command line can make them (and key a
replayed report on them) without importing the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.net.options import RemoteOptions


@dataclass(frozen=True)
class AuditOptions:
    """What to read and how to analyse it (what blocks is the gate's business: `GateOptions`)."""

    targets: tuple[str, ...]
    context: tuple[str, ...] = ()
    arches: tuple[str, ...] = ()
    """Host architectures: restrict providers and audited packages to what such hosts install."""
    roots: tuple[str, ...] = ()
    """Audit only what installing these packages pulls in."""
    install_weak_deps: bool = True
    """What installing ``roots`` pulls in includes what dnf installs by default besides their
    Requires (``install_weak_deps=True``): the providers of Recommends, and the packages whose
    Supplements the installed ones meet. False: Requires only, as yum installs."""
    sources: tuple[str, ...] = ()
    """Source repositories (or SRPMs) named with ``--sources``: audited with the targets."""
    read_rpms: bool = False
    """Read the RPM files of directories even where they hold repodata/."""
    metadata_only: bool = False
    """Read repositories from their metadata alone (``--metadata-only``): fast, incomplete."""
    verify_checksums: bool = False
    """Hold each package file of a local repository to its metadata's checksum (``--verify-checksums``)."""
    discover_sources: bool = True
    """Read the source repository found beside a binary one (``SRPMS/``, ``Source/``...)."""
    cache: bool = True
    """Keep and reuse the models of RPM files already read (in the cache directory)."""
    weak: bool = False
    """Also resolve weak dependencies (Recommends, Suggests, Supplements, Enhances) and report
    the unresolved ones; they never block and never carry a verdict."""
    defines: tuple[tuple[str, str | None], ...] = ()
    """Macros for reading spec files (``--define``, ``--with``, ``--without``; None: ``--undefine``)."""
    remote: RemoteOptions = field(default_factory=RemoteOptions)
    """Network and cache settings for URLs and the repositories configuration files name."""
    resolve_urls: bool = False
    """Follow every Source, Patch and URL value's redirects (network; off by default)."""

    @property
    def audited(self) -> tuple[str, ...]:
        """What is audited: the targets, then the source repositories ``--sources`` names."""
        return (*self.targets, *self.sources)

    @property
    def every_input(self) -> tuple[str, ...]:
        """Every path or URL the run reads packages from: what decides its report (the
        stored-report key is made of these; one left out would replay a report it no
        longer stands for)."""
        return (*self.audited, *self.context)
