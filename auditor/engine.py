"""The composition root: one run's input and output, wired once for every command.

`open_run` builds what a command needs to read and audit: the network session guarded by
the policy (no host the policy names is ever contacted), with the user's timeouts and
``--offline``; the local store; and the progress reporter. Every command reads its inputs
through the `Run` it gets, so none can read a URL without the guard, the timeouts or the
offline rule (``check --against URL`` once did).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from auditor.audit.check import ChangeAudit, audit_change
from auditor.audit.options import AuditOptions
from auditor.audit.pipeline import audit_packages
from auditor.audit.rebuilds import given_sources, with_rebuilds
from auditor.audit.result import AuditResult
from auditor.core.readlog import watching_opens
from auditor.net.cache import default_cache_dir
from auditor.net.remote import Remote
from auditor.origin.policy import Policy
from auditor.origin.redirects import UrlResolver, policy_guard
from auditor.rpm.model import Package
from auditor.runtime.progress import SILENT, Reporter
from auditor.runtime.snapshot import FileSnapshot
from auditor.runtime.store import Store
from auditor.sources.interface import LoadResult, ReadOptions
from auditor.sources.load import load_inputs
from auditor.sources.srpmhosts import on_build_hosts

if TYPE_CHECKING:
    from auditor.sources.rebuildspec import Rebuild


@dataclass
class Run:
    """What one command reads and audits with: built by `open_run`, never by a command."""

    options: AuditOptions
    policy: Policy
    remote: Remote
    store: Store | None
    progress: Reporter
    snapshot: FileSnapshot
    store_warnings: list[str] = field(default_factory=list)
    """What the store said while inputs were read (also in their `LoadResult`'s warnings): of the
    cache, not of the inputs, and so in no report that must be the one made without it."""

    def load(self, paths: Sequence[str], *, context: bool = False) -> LoadResult:
        """Read ``paths`` (files, directories, repositories, URLs, configurations); ``context``
        when they are read to resolve requirements, not audited (``--with``)."""
        if not paths:
            return LoadResult()
        options = self.options
        read = ReadOptions(
            defines=options.defines,
            spec_arches=options.arches,
            read_rpms=options.read_rpms,
            metadata_only=options.metadata_only,
            verify_checksums=options.verify_checksums,
            binary_headers=self.policy.reads_header_fields(),
            discover_sources=options.discover_sources,
            context=context,
            progress=self.progress,
            snapshot=self.snapshot,
        )
        result = load_inputs(paths, read, remote=self.remote, store=self.store)
        if options.arches:  # a source RPM's BuildRequires on the hosts other than its builder
            result.packages = on_build_hosts(
                result.packages, options.arches, dict(options.defines), result.errors
            )
        if self.store is not None:
            result.warnings.extend(self.store.warnings)
            self.store_warnings.extend(self.store.warnings)
            self.store.warnings.clear()
        return result

    def rebuilt(self, loaded: LoadResult, paths: Sequence[str]) -> LoadResult:
        """``loaded`` (what ``paths`` hold) with what the spec of each source RPM they give builds
        and the binaries given leave out (`auditor.audit.rebuilds.given_sources`): every audit of
        ``paths``, a scan's or a check's BASE, reads them so, or ``scan BASE`` and a check against
        it disagreed."""
        alone = given_sources(loaded, set(paths))
        return with_rebuilds(loaded, alone, self.rebuild, unread_is_error=False, hosts=self.options.arches)

    def rebuild(self, source: Package, built_for: tuple[str, ...]) -> Rebuild:
        """What a rebuild of the source RPM ``source`` makes, read from the spec it carries with the
        run's macros, on the run's hosts (``--arch``), else on those of ``built_for``."""
        from auditor.sources.rebuildspec import rebuild_of  # the spec reader: for a source RPM alone

        options = self.options
        return rebuild_of(source, built_for, defines=dict(options.defines), arches=options.arches)

    def audit(self, targets: LoadResult, context: LoadResult) -> AuditResult:
        """Resolve, classify and propagate what was loaded (following package URLs when asked)."""
        resolver = UrlResolver(self.policy, self.remote) if self.options.resolve_urls else None
        if resolver is not None:
            self.progress.phase("following the redirects of package URLs")
        return audit_packages(
            self.options,
            self.policy,
            targets,
            context,
            self.progress,
            extra_findings=resolver.findings if resolver is not None else None,
            # The resolver warns while the audit classifies: read its warnings once that is done.
            warnings=resolver.warnings if resolver is not None else (),
            extra_gaps=resolver.gaps if resolver is not None else (),
        )

    def audit_paths(self, targets: Sequence[str] | None = None, sources: Sequence[str] = ()) -> AuditResult:
        """Load the options' targets (or ``targets``, with the source packages of ``sources``
        their binaries were built from: `auditor.audit.check.with_wanted_sources`) and
        context, then audit them."""
        wanted = self.options.audited if targets is None else tuple(targets)
        loaded = self.load(wanted)
        # A source RPM given as a file is audited with what its spec builds that its binaries given
        # leave out (`auditor.audit.rebuilds`): as the spec is, or its SRPM passed where it fails.
        loaded = self.rebuilt(loaded, self.options.targets if targets is None else targets)
        if sources:
            from auditor.audit.check import with_wanted_sources  # only a comparison's sides need it

            loaded = with_wanted_sources(loaded, self.load(sources))
        context = self.load(self.options.context, context=True)
        self.snapshot.release()  # everything is read: the listings need not live to the peak
        if self.store is not None:
            # The models are read; writing the store is done. Closing it now frees the database.
            self.store.close()
            self.store = None
        return self.audit(loaded, context)


@contextmanager
def open_run(
    options: AuditOptions,
    policy: Policy,
    progress: Reporter | None = None,
    snapshot: FileSnapshot | None = None,
) -> Iterator[Run]:
    """``snapshot``: what the command has already looked at of the files (`auditor.cli.replay`
    takes their identities before the run); a new one when not given."""
    remote = Remote(options.remote, guard=policy_guard(policy), progress=progress or SILENT)
    store = Store(options.remote.cache_dir or default_cache_dir()) if options.cache else None
    run = Run(options, policy, remote, store, progress or SILENT, snapshot or FileSnapshot())
    try:
        with watching_opens(run.snapshot.opened):  # each file read is the one first looked at
            yield run
    finally:
        remote.close()
        if run.store is not None:
            run.store.close()


def run_audit(options: AuditOptions, policy: Policy, progress: Reporter | None = None) -> AuditResult:
    """Audit the options' targets against their context: one run, opened and closed."""
    with open_run(options, policy, progress) as run:
        return run.audit_paths()


def with_targets(options: AuditOptions, targets: Sequence[str]) -> AuditOptions:
    return replace(options, targets=tuple(targets))


def run_check(
    new: Sequence[str],
    base: Sequence[str],
    options: AuditOptions,
    policy: Policy,
    progress: Reporter | None = None,
) -> ChangeAudit[AuditResult]:
    """The two audits of ``auditor check``: ``base`` alone and with ``new`` in it, in one run."""
    with open_run(options, policy, progress) as run:
        change, repository = run.load(new), run.rebuilt(run.load(base), base)
        context = run.load(options.context, context=True)
        keep = lambda audit: audit  # noqa: E731
        return audit_change(run.audit, change, repository, context, keep, rebuild=run.rebuild)
