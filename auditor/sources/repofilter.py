"""What a repository configuration hides from dnf: ``exclude``/``excludepkgs`` and ``includepkgs``.

dnf never sees a package these hide: it does not resolve a requirement with it nor install it.
A requirement whose only clean provider is excluded is met by a Citrix package, or by none,
so a context repository (``--with``) must be read as dnf sees it, or the auditor would count
as a clean alternative a package dnf cannot install. An audited repository's hidden packages
are audited and installable by nothing (`read_as_hosts_see`). Each reader of the configuration
(yum 3's configparser, dnf's libdnf) reads its own patterns: a package only one hides is on the
other's hosts (`auditor.sources.interface.PartlyHidden`). Patterns are matched as dnf matches them
(``dnf.subject.Subject.get_best_query`` with NEVRA forms, no provides nor file names): each
pattern by the first form, in libdnf's order, under which it matches a package, globs allowed.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field

from auditor.rpm.model import Package, PackageKind
from auditor.sources.dnfini import dnf_list_items
from auditor.sources.interface import ConfigReader
from auditor.sources.repodata import RepositoryRead

EXCLUDE_KEYS = ("exclude", "excludepkgs")
"""Synonyms in dnf (``exclude`` is yum's name, which dnf still reads)."""
YUM_EXCLUDE_KEYS = ("exclude",)
"""yum 3's only one: its RepoConf and YumConf define no ``excludepkgs``, which it ignores."""
INCLUDE_KEYS = ("includepkgs",)

MAX_GLOB_WORK = 4_000_000
"""Glob patterns (``*``, ``?``, ``[``) in one repository's exclude and includepkgs together,
times its packages. Each glob is matched against every package's NEVRA forms (up to 0.2 s on a
60,000-package repository, which this allows 66 of): 1,000 short globs took 70 s there, 100,000
(a 1 MB file) would have taken hours. Real configurations hold a few; names written out
(``exclude=foo bar``) are looked up, any number of them."""
MAX_RUN_WORK = 4 * MAX_GLOB_WORK
"""`PackageFilter.work` of every section of a run's configurations together, past which a
section's exclude and includepkgs are refused: `MAX_GLOB_WORK` bounds one section, and a
configuration may hold thousands of sections naming one large repository (2,000 sections
over 6,001 packages took 32 s, each matching its patterns against every package again)."""
MAX_GLOB_LENGTH = 1024
"""Characters of one glob pattern: ``fnmatch.translate`` is quadratic in a run of ``[`` (one of
20,000 took 10 s). Package names are far shorter."""
_GLOB = re.compile(r"[*?\[]")

_Form = Callable[[Package], tuple[str, ...]]
_FormIndex = tuple[list[tuple[int, str]], dict[str, list[int]]]
PackageForms = list[_FormIndex]
"""A repository's packages by each NEVRA form dnf matches patterns under (`package_forms`)."""
"""One form's texts of every package (with its index), and the indexes of each text."""


def _epochs(package: Package, name_part: str, rest: str) -> tuple[str, ...]:
    """``name-version...`` with and without the epoch, as a pattern may write it either way."""
    return (f"{name_part}-{rest}", f"{name_part}-{package.epoch or 0}:{rest}")


_FORMS: tuple[_Form, ...] = (
    # libdnf's PREFERRED_FORMS: NEVRA, NA, NAME, NEVR, NEV.
    lambda p: _epochs(p, p.name, f"{p.version}-{p.release}.{p.arch}"),
    lambda p: (f"{p.name}.{p.arch}",),
    lambda p: (p.name,),
    lambda p: _epochs(p, p.name, f"{p.version}-{p.release}"),
    lambda p: _epochs(p, p.name, p.version),
)


def _split(value: str) -> tuple[str, ...]:
    """dnf's list options: separated by commas or white space."""
    return tuple(item for item in value.replace(",", " ").split() if item)


def patterns(values: dict[str, str], keys: Sequence[str], *, dnf: bool = False) -> tuple[str, ...]:
    """The patterns the options ``keys`` of one section give: as yum 3 reads a list (items
    separated by commas and white space, every key's), or with ``dnf`` as libdnf sets its list
    options (``optionTListAppend``), key by key in the order written: each appends its items
    (`dnf_list_items`), and one that is empty or whose first item is (``exclude=``, ``exclude=,foo``)
    replaces those before it, so ``excludepkgs=foo-clean`` then ``exclude=`` hides nothing."""
    if not dnf:
        return tuple(item for key in keys for item in _split(values.get(key, "")))
    found: list[str] = []
    for key, value in values.items():
        if key in keys:
            items = dnf_list_items(value)
            found = [] if not items or not items[0] else found
            found += [item for item in items if item]
    return tuple(found)


def _matching(pattern: str, forms: Sequence[_FormIndex]) -> set[int]:
    """The packages (by index) ``pattern`` names: under the first form that names any.
    ``forms`` holds each form's texts of every package (`_form_texts`)."""
    if not _GLOB.search(pattern):  # a name written out: as fnmatchcase matches it, looked up
        return next((set(index[pattern]) for _texts, index in forms if pattern in index), set())
    match = re.compile(fnmatch.translate(pattern)).match  # as fnmatchcase matches, compiled once
    for texts, _index in forms:
        found = {index for index, text in texts if match(text)}
        if found:
            return found
    return set()


def _indexed(texts: list[tuple[int, str]]) -> _FormIndex:
    index: dict[str, list[int]] = {}
    for number, text in texts:
        index.setdefault(text, []).append(number)
    return texts, index


def _form_texts(packages: Sequence[Package]) -> list[_FormIndex]:
    """Each form's texts of every package, with its index: made once for all the patterns (a
    60,000-package repository took 0.5 s a pattern when each pattern made them again)."""
    return [
        _indexed([(index, text) for index, package in enumerate(packages) for text in form(package)])
        for form in _FORMS
    ]


def _first(patterns: Sequence[str], shown: int = 5) -> str:
    more = f" (and {len(patterns) - shown} more)" if len(patterns) > shown else ""
    return ",".join(patterns[:shown]) + more


@dataclass(frozen=True)
class PackageFilter:
    """The ``exclude``/``includepkgs`` in force for one repository: its section's and ``[main]``'s."""

    excludes: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()
    everything: bool = False
    """The reader does not read or enable the section (an included one, dnf's refused file,
    ``enabled=0`` one reader reads as true): its hosts lack the repository, as if its
    patterns hid every package (`auditor.sources.repofile._lacked`)."""
    why: str = ""
    """Why, when the reader skips a section that it would otherwise read (a value yum 3 cannot parse)."""

    def __bool__(self) -> bool:
        return bool(self.excludes or self.includes or self.everything)

    def refused(self, packages: int, spent: int = 0) -> str | None:
        """Why the auditor will not match these patterns against ``packages`` packages (past
        `MAX_GLOB_LENGTH` or `MAX_GLOB_WORK`, or past `MAX_RUN_WORK` with the ``spent`` work
        of the run's other sections)."""
        globs = self._globs()
        if len(max(globs, key=len, default="")) > MAX_GLOB_LENGTH:
            return f"a glob pattern of exclude or includepkgs is longer than {MAX_GLOB_LENGTH} characters"
        if len(globs) * packages > MAX_GLOB_WORK:
            return (
                f"{len(globs)} glob patterns in exclude and includepkgs against {packages} packages: "
                f"more than the {MAX_GLOB_WORK} matches the auditor makes; refused"
            )
        if spent + self.work(packages) > MAX_RUN_WORK:
            return (
                f"exclude and includepkgs of the run's sections together against their repositories' "
                f"packages: more than the {MAX_RUN_WORK} matches the auditor makes; refused"
            )
        return None

    def work(self, packages: int) -> int:
        """What applying these patterns to ``packages`` packages costs, in package matches: the
        packages' forms are made once (1), and each glob is matched against all of them. Hiding
        every package (`everything`) makes no forms and matches nothing: not charged."""
        return (len(self._globs()) + 1) * packages if self and not self.everything else 0

    def _globs(self) -> list[str]:
        return [pattern for pattern in (*self.excludes, *self.includes) if _GLOB.search(pattern)]

    def describe(self) -> str:
        """The options for a warning: five patterns of each at most (a configuration may list
        thousands), and how many more."""
        if self.everything:
            return "the section not read or not enabled"
        said = [f"exclude={_first(self.excludes)}"] if self.excludes else []
        said += [f"includepkgs={_first(self.includes)}"] if self.includes else []
        return " ".join(said)

    def apply(
        self, packages: Sequence[Package], forms: PackageForms | None = None
    ) -> tuple[list[Package], list[Package]]:
        """The packages dnf sees, and those it does not. With any ``includepkgs``, only the
        packages they name (the union of ``[main]``'s and the section's, as libdnf makes it).
        Source packages are never hidden: dnf installs none, and each is the evidence of where
        its binaries come from (``exclude=*.src`` must not clean a binary built from Citrix
        sources). ``forms``: `package_forms` of ``packages``, when the caller has it already."""
        binaries = _binaries(packages)
        if self.everything:
            return [package for package in packages if package.kind is PackageKind.SOURCE], binaries
        forms = _form_texts(binaries) if forms is None else forms
        hidden: set[int] = set()
        for pattern in self.excludes:
            hidden |= _matching(pattern, forms)
        if self.includes:
            named: set[int] = set()
            for pattern in self.includes:
                named |= _matching(pattern, forms)
            hidden |= set(range(len(binaries))) - named
        gone = [package for index, package in enumerate(binaries) if index in hidden]
        dropped = {id(package) for package in gone}
        return [package for package in packages if id(package) not in dropped], gone


def package_forms(packages: Sequence[Package]) -> PackageForms:
    """What `PackageFilter.apply` matches patterns against, made once for every section that
    names one repository (2,000 sections naming 6,001 packages made it 2,000 times: 27 s)."""
    return _form_texts(_binaries(packages))


def _binaries(packages: Sequence[Package]) -> list[Package]:
    return [package for package in packages if package.kind is not PackageKind.SOURCE]


@dataclass(frozen=True)
class HostsSee:
    """What the readers of a section's configuration hide of its repository (`read_as_hosts_see`)."""

    said: list[str] = field(default_factory=list)
    """The warnings to give."""
    hidden: dict[int, tuple[Package, frozenset[ConfigReader]]] = field(default_factory=dict)
    """The packages (by id) the repository keeps though some reader hides them, with the readers
    that do: an audited repository's hidden everywhere, and any repository's hidden on some
    hosts only (`auditor.sources.interface.PartlyHidden`)."""


def hidden_by_readers(
    packages: Sequence[Package], rules: Mapping[ConfigReader, PackageFilter], forms: PackageForms | None
) -> dict[int, tuple[Package, frozenset[ConfigReader]]]:
    """The packages (by id) some reader's ``rules`` hide, with the readers that hide each."""
    by_rules: dict[PackageFilter, frozenset[ConfigReader]] = {}
    for reader, one in rules.items():  # matched once when both readers read them alike
        by_rules[one] = by_rules.get(one, frozenset()) | {reader}
    hidden: dict[int, tuple[Package, frozenset[ConfigReader]]] = {}
    for one, readers in by_rules.items():
        if not one:
            continue
        for package in one.apply(packages, forms)[1]:
            _known, before = hidden.get(id(package), (package, frozenset()))
            hidden[id(package)] = (package, before | readers)
    return hidden


def read_as_hosts_see(
    read: RepositoryRead,
    rules: Mapping[ConfigReader, PackageFilter],
    where: str,
    *,
    context: bool,
    forms: PackageForms | None = None,
    shown: Container[int] = frozenset(),
) -> HostsSee:
    """Hide from a context repository the packages no reader of its configuration shows (dnf
    hides them on every host); the warnings to give, and the packages the repository keeps
    though some reader hides them.

    An audited repository keeps them all: they are in the release, so they are audited, and an
    audit that dropped them on the configuration's word would pass a Citrix package the
    repository ships. Those every reader hides are audited and never installed: the caller
    marks them (`LoadResult.hidden_from_dnf`), and they meet no requirement, as dnf meets none
    with them. Those one reader hides are on the other's hosts (`LoadResult.hidden_on_some_hosts`):
    a context repository keeps them too, as a provider where they are tainted. ``shown``: the
    packages (by id) an earlier section naming the repository shows every host: not said hidden."""
    hidden = hidden_by_readers(read.packages, rules, forms)
    if not hidden:
        return HostsSee()
    everywhere = [package for package, readers in hidden.values() if len(readers) == len(ConfigReader)]
    partly = {key: found for key, found in hidden.items() if len(found[1]) < len(ConfigReader)}
    said = _partly_said(where, rules, {key: found for key, found in partly.items() if key not in shown})
    if context:
        gone = {id(package) for package in everywhere}
        read.packages = [package for package in read.packages if id(package) not in gone]
        read.hidden += len(everywhere)
        if everywhere:
            hidden_by = f"hidden by {_rules(rules)} as dnf and yum hide them"
            said.insert(
                0, f"{where}: {len(everywhere)} package(s) not read, {hidden_by}: {names(everywhere)}"
            )
        return HostsSee(said, partly)
    if everywhere:
        said.insert(
            0,
            f"{where}: {_rules(rules)} hides {len(everywhere)} package(s) from dnf; this repository is "
            f"audited, so they are audited all the same, and meet no requirement, as dnf installs none "
            f"of them: {names(everywhere)}",
        )
    return HostsSee(said, hidden)


def names(packages: Sequence[Package]) -> str:
    """Five of ``packages``' names at most, and how many more (a warning's list)."""
    unique = sorted({package.name for package in packages})
    more = f" and {len(unique) - 5} more" if len(unique) > 5 else ""
    return ", ".join(unique[:5]) + more


def _rules(rules: Mapping[ConfigReader, PackageFilter]) -> str:
    """The options, once when both readers read them alike, else each reader's."""
    described = {reader: one.describe() for reader, one in rules.items() if one}
    if len(set(described.values())) == 1 and len(described) == len(ConfigReader):
        return next(iter(described.values()))
    return "; ".join(f"{text} ({reader.reading()})" for reader, text in described.items())


def _partly_said(
    where: str,
    rules: Mapping[ConfigReader, PackageFilter],
    partly: Mapping[int, tuple[Package, frozenset[ConfigReader]]],
) -> list[str]:
    """A warning for each reader that hides packages the other shows: they are on some hosts only."""
    said = []
    for reader in ConfigReader:
        packages = [package for package, readers in partly.values() if readers == {reader}]
        if packages and rules[reader].everything:
            said.append(
                f"{where}: not read or not enabled in {reader.reading()} of the configuration"
                f"{f' ({rules[reader].why})' if rules[reader].why else ''}, only in the other's: "
                f"{reader.value} hosts lack the repository, so its {len(packages)} package(s) are "
                f"hidden on some hosts; a Citrix one is still a provider "
                f"and a clean one no way around it: {names(packages)}"
            )
        elif packages:
            said.append(
                f"{where}: {rules[reader].describe()} hides {len(packages)} package(s) as {reader.reading()} "
                f"reads it, not as the other reads it: hidden on some hosts, so a Citrix one is still a "
                f"provider and a clean one no way around it: {names(packages)}"
            )
    return said
