"""What an audit could not see: the kinds of gap, and one gap with where it is.

A gap makes the audit incomplete: a clean verdict then covers only what was seen, every
report says so, and ``--strict`` fails the run. Gaps belong to a package (`Package.gaps`,
in `auditor.rpm.model`) or to an input.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class GapKind(enum.Enum):
    """Evidence about one package that the auditor could not see. Each gap makes the audit
    incomplete: a clean verdict then only covers what was seen, and every report says so."""

    SOURCE_NOT_AUDITED = "source-not-audited"
    """A binary whose source package is not among the inputs: its Source and Patch URLs are unseen."""
    METADATA_ONLY = "metadata-only"
    """Read from repodata only: the header fields repodata lacks (signing key, Distribution, BugURL,
    a source package's Source and Patch URLs) are unseen."""
    SPEC_UNREADABLE = "spec-unreadable"
    """A source package whose spec could not be read (no SPEC tag, and no usable spec in the payload),
    or a spec whose reading a bound cut (an expansion too large, the spec's budget of expansion
    spent, lines not joined as rpm joins them): what the lines cut define or make is unseen. Also
    a remote source RPM read from its SPEC tag alone: the spec in its payload, which a rebuild
    parses again, was not read (--offline and not cached, a server without range requests;
    `auditor.sources.srpmspec.with_rebuild_spec`)."""
    BUDGET_EXHAUSTED = "budget-exhausted"
    """The download budget stopped the reading of this package's header or payload spec."""
    UNDECIDED_CONDITIONAL = "undecided-conditional"
    """A spec conditional the auditor could not decide (both branches were read)."""
    UNEXPANDED_SOURCE = "unexpanded-source"
    """A Source or Patch value with a macro the auditor could not expand safely, or, in a
    source RPM's header, one rpmbuild left as written (`auditor.origin.urlgaps.macro_left`)."""
    UNEXPANDED_TAG = "unexpanded-tag"
    """A spec's Name (of a package or subpackage), URL, BugURL, Vendor, Packager, Distribution
    or License whose value kept a macro
    the auditor could not expand safely, or read one whose value a build host decides (``URL:
    https://%{?_gnu:code.citrite.net}``): the value the policy judged may not be rpm's. (A
    source RPM's are its header's, as rpmbuild wrote them; a header's URL tag holding a macro
    rpmbuild left as written is one too, `auditor.origin.urlgaps.macro_left`.)"""
    SPEC_CODE = "spec-code"
    """Code in a spec that rpm runs when it parses it and the auditor never runs (``%include``,
    ``%{lua:}``, ``%(shell)``, ``%{load:}``) outside a Source or Patch value (that one is an
    `UNEXPANDED_SOURCE`): the lines it makes and the macros it defines (a Source, a Vendor, a
    ``%package``) are unseen."""
    DYNAMIC_BUILDREQUIRES = "dynamic-buildrequires"
    """A source package whose spec has ``%generate_buildrequires`` (an SRPM says so by requiring
    ``rpmlib(DynamicBuildRequires)``): the BuildRequires it prints at build time are unseen."""
    AUTOMATIC_REQUIRES = "automatic-requires"
    """A binary package read from a spec, not built: the requirements rpmbuild's dependency
    generators add from its files (ELF sonames, ``#!`` interpreters, pkgconfig, perl, python...)
    are unseen; the RPMs built from the spec carry them. None when its ``AutoReq`` says no."""
    AUTOMATIC_PROVIDES = "automatic-provides"
    """A binary package read from a spec that replaces a built one (`auditor check`): the
    provides rpmbuild's generators add from its files (sonames, ``pkgconfig()``, ``perl()``...),
    or the files its ``%files`` globs, directories and lists package, are unseen, so those of
    the build it replaces stand in for them. A soname bump, or a file no longer packaged, would
    not show; the RPMs built carry the real ones."""
    URL_WITHOUT_HOST = "url-without-host"
    """A URL, BugURL, Source or Patch written as a URL with no host to read: where it leads is unjudged."""
    SIGNER_UNNAMED = "signer-unnamed"
    """A signature that names no key (no issuer key id nor fingerprint; rpm shows its signer as
    key 0000000000000000), or an item of rpm 6's OPENPGP array that cannot be read and a good
    one excuses: whose key made it is unseen, so a rule that denies signing keys cannot tell it
    is not a vendor's."""
    PAYLOAD_UNREAD = "payload-unread"
    """A file a binary package installs that says where its host gets packages or whom it trusts
    (a ``.repo`` file, ``yum.conf``, ``dnf.conf``, a dnf or yum variable, an OpenPGP key under
    ``/etc/pki/rpm-gpg``: `auditor.sources.payloadconfig`) that could not be read or judged: its
    payload cut, corrupt, compressed in a way the reader does not know, or not fetched (a remote
    package); the file over the reader's bound, a symbolic link to a file the package does not
    hold, not a configuration or a key it can read; or a URL of it holding a variable the
    package does not give. The repositories it points its host at, or the key it trusts, are unseen."""
    SCRIPTLET_UNREAD = "scriptlet-unread"
    """A line of a spec's scriptlet (``%post``, a trigger...) whose expansion kept a macro the reader
    could not expand (one the spec does not define, ``%{getenv:}``), a scriptlet whose ``-f FILE``
    takes its script from a file the build writes, or whose package such a macro names: the URLs
    and hosts the text rpm builds into the package names are unseen
    (`auditor.rpm.spec.scriptlets.ScriptletReader`)."""
    # Gaps of an input rather than of one package:
    NOTHING_AUDITED = "nothing-audited"
    """The inputs held no package to audit: an audit of nothing proves nothing."""
    EMPTY_INPUT = "empty-input"
    """An input directory holding nothing the auditor reads (no RPM, spec file or repository),
    or a repository configuration naming no enabled repository, or a part of one not read (a
    ``reposdir`` not listed, an ``include=`` not followed): most likely a wrong path, and what
    it was meant to hold is unseen. (A repository whose metadata lists no package is no
    gap: an ``updates`` repository right after a release.)"""
    FILE_OUTSIDE_METADATA = "file-outside-metadata"
    """An RPM file in a repository that its metadata does not list (createrepo_c was not re-run)."""
    FILE_MISSING = "file-missing"
    """A package the repository's metadata lists whose file is not there."""
    URL_NOT_FOLLOWED = "url-not-followed"
    """With ``--resolve-urls``: a package URL whose redirects could not be followed to the end
    (an error answer, a time limit, --offline without it in the cache), so where it leads is unseen."""
    REPOSITORY_NOT_READ = "repository-not-read"
    """A repository URL named on the command line, or an enabled repository of a configuration
    file every URL of which is, on a policy host: never contacted, so the packages it would
    install are not audited (the URL is a finding). Also a section whose metalink (else
    mirrorlist), the one dnf reads, could not be read, and whose mirrorlist or baseurl was
    read instead: dnf does not install from those while the section sets a metalink. And a
    section read from a later URL than one the auditor refuses (an ``ftp://`` baseurl, one
    not valid as a URL) that dnf tries first; and a section dnf reads with credentials the
    auditor never sends (``username``, ``sslclientcert``, ``user:password@``)."""
    CLEAN_WAY_UNCHECKED = "clean-way-unchecked"
    """Packages whose clean providers, one per requirement, were not checked to install
    together (`auditor.deps.cleanway`): the run's shape would have taken more than its bounds
    (of requirements walked, of rounds). Each such package says ``may-depend`` or ``clean``
    where libsolv may find it cannot be installed without an origin package."""
    MODULES_NOT_FILTERED = "modules-not-filtered"
    """A repository with modular metadata (``modules`` in its repomd.xml): dnf hides the packages
    of module streams that are not enabled (and the non-modular packages an enabled stream
    replaces), which the auditor does not work out. Every package it lists was read, and each
    can meet a requirement dnf would meet with another package (a Citrix one) or with none."""
    PRIORITY_NOT_MODELLED = "priority-not-modelled"
    """Repositories the run's configurations enable with different ``priority`` values: of a
    requirement's providers, dnf (libsolv) considers only those of the repositories of the best
    (lowest) priority, even an older version of the same name, which the auditor does not work
    out. A requirement it calls ``may-depend`` (a clean provider and a Citrix one) may be one dnf
    always meets with the Citrix one."""


INPUT_GAP_KINDS = frozenset(
    {
        GapKind.NOTHING_AUDITED,
        GapKind.EMPTY_INPUT,
        GapKind.FILE_OUTSIDE_METADATA,
        GapKind.URL_NOT_FOLLOWED,
        GapKind.REPOSITORY_NOT_READ,
        GapKind.CLEAN_WAY_UNCHECKED,
        GapKind.MODULES_NOT_FILTERED,
        GapKind.PRIORITY_NOT_MODELLED,
    }
)
"""The gaps only an input or the run has, never a package (`file-missing` and `metadata-only`
are a package's too): a waiver accepts facts about a package, so none accepts these."""


@dataclass(frozen=True, slots=True)
class Gap:
    """One piece of evidence not seen, and where (a spec line, a Source number, a URL...)."""

    kind: GapKind
    detail: str
    count: int = 1
    """How many things the gap stands for: one Source, or, for an input, every package it
    could not see (a repository read from its metadata alone is one gap of N packages)."""

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.detail}" if self.detail else self.kind.value


MAX_LISTED_PER_KIND = 64
"""A spec's gaps of one kind listed one by one; the rest are one gap that counts them. Every
package of a spec carries its gaps, so a spec of 1,000 undecided ``%if`` lines and 300
subpackages made 300,000 gap entries (a 57 KB file, a 119 MB report); a real spec has at most
a few dozen of a kind (XCP-ng's xapi.spec: 28)."""


def bounded(gaps: Iterable[Gap], where: str) -> tuple[Gap, ...]:
    """``gaps`` (distinct), with those of a kind past the first `MAX_LISTED_PER_KIND` made one
    gap of ``where`` that counts them: the totals every report states stay exact."""
    listed: list[Gap] = []
    left: dict[GapKind, int] = {}
    seen: dict[GapKind, int] = {}
    for gap in dict.fromkeys(gaps):
        if seen.get(gap.kind, 0) < MAX_LISTED_PER_KIND:
            seen[gap.kind] = seen.get(gap.kind, 0) + 1
            listed.append(gap)
        else:
            left[gap.kind] = left.get(gap.kind, 0) + gap.count
    for kind, count in left.items():
        detail = f"{where}: {count} more, not listed one by one (the first {MAX_LISTED_PER_KIND} are)"
        listed.append(Gap(kind, detail, count))
    return tuple(listed)
