"""What earlier runs read of remote packages, asked for before a repository's headers are read:
the models their headers gave, kept in the store (`StoredHeaderModels`), and which headers and
payload specs the download cache holds (`look_up_parts`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from auditor.net.headercache import spec_key
from auditor.net.remote import Remote
from auditor.rpm.gaps import GapKind
from auditor.rpm.model import Package
from auditor.runtime.store import Store
from auditor.sources.evidence import EVIDENCE_KIND, HeaderEvidence, evidence_from_json, evidence_to_json


class StoredHeaderModels:
    """What the headers of remote packages gave earlier runs, kept in the store: a second audit
    of a repository reads only the headers of the packages it has not seen.

    A header is part of a file, which the checksum the metadata gives cannot check, so an
    entry is keyed by the package's repository and URL as well as that checksum (as the
    download cache keys the header, `auditor.net.cache.Cache.part_key`), and by the
    auditor's version and the model's shape (`Store.package_key`). Looked up here, in one
    query, before the headers are fetched; what the fetches gave is stored in one
    transaction after them, in this thread. A model whose reading the run itself cut short
    (`RUN_BOUND_GAPS`) is not stored: the next run may read it whole."""

    RUN_BOUND_GAPS = frozenset({GapKind.SPEC_UNREADABLE, GapKind.BUDGET_EXHAUSTED, GapKind.PAYLOAD_UNREAD})
    """What the run's own limits or mode may leave unread (--offline, the payload budget, a
    server without range requests): the next run's reading may differ."""

    def __init__(self, store: Store | None, packages: Sequence[Package]) -> None:
        self.store = store if store is not None and store.enabled else None
        self.found: dict[str, HeaderEvidence] = {}
        self.new: dict[str, HeaderEvidence] = {}
        if self.store is None:
            return
        keys = [key for key in map(self.key, packages) if key is not None]
        damaged: list[str] = []
        for key, data in self.store.get_packages(keys).items():
            try:
                model = evidence_from_json(data)
            except (KeyError, TypeError, ValueError, AttributeError):
                damaged.append(key)  # another shape: set aside, and the header fetched again
                continue
            if self.key(model.package) != key:
                # Another package's model (its URL, repository or checksum), a row moved
                # under this key: it was taken, the entry blamed for a header of another
                # package (exit 3 at every run), or another repository's build of the same
                # NEVRA (its vendor, its signer) audited as this one.
                damaged.append(key)
                continue
            self.found[key] = model
        self.store.drop_packages(damaged)

    @staticmethod
    def key(package: Package) -> str | None:
        if package.checksum is None:
            return None
        checksum = f"{package.checksum.algorithm.lower()}:{package.checksum.value.strip().lower()}"
        return Store.package_key(f"remote\0{package.input}\0{package.location}\0{checksum}{EVIDENCE_KIND}")

    def get(self, package: Package) -> HeaderEvidence | None:
        """The model an earlier run stored for ``package``; None when there is none."""
        if not self.found:
            return None
        key = self.key(package)
        return None if key is None else self.found.get(key)

    def keep(self, package: Package, model: HeaderEvidence) -> None:
        """Remember ``model``, just read, to store it (called from the fetching threads: each
        key is set by one thread, and a dict item is set atomically)."""
        if self.store is None or any(gap.kind in self.RUN_BOUND_GAPS for gap in model.package.gaps):
            return
        key = self.key(package)
        if key is not None:
            self.new[key] = model

    def store_new(self) -> None:
        if self.store is not None and self.new:
            self.store.put_packages((key, evidence_to_json(model)) for key, model in self.new.items())


def look_up_parts(
    packages: Sequence[Package], wanted: Callable[[Package], bool], models: StoredHeaderModels, remote: Remote
) -> None:
    """Ask the cache at once which headers and specs of the packages to read it holds (one query
    a thousand, `auditor.net.headercache.HeaderCache.look_up`), not once a package in each thread."""
    reading = [package for package in packages if wanted(package)]
    if len(models.found) >= len(reading):
        return  # every model stored (a warm run): no header read, nothing to ask
    keys = []
    for package in reading:
        if package.checksum is None or models.get(package) is not None:
            continue
        key = remote.cache.part_key(package.location, package.checksum.algorithm, package.checksum.value)
        if key is not None:
            keys.append(key)
            if package.is_source:
                keys.append(spec_key(key))
    remote.cache.headers.look_up(keys)
