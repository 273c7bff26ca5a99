"""The text of a repository configuration (``.repo`` file, ``yum.conf``, ``dnf.conf``), read as dnf
reads it: its repository sections, each with the URLs dnf would use, those it would not (a key
in another case), its ``enabled``, ``exclude`` and ``includepkgs``, and a main configuration's
``[main]``. Nothing here reads a repository (`auditor.sources.repoconfig` does).
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from auditor.core.errors import InputError
from auditor.formats.xmlstream import HTML_CONFIGURATION, is_html_page
from auditor.sources.configvars import VARIABLE as _VARIABLE
from auditor.sources.dnfini import (
    DnfRefusal,
    dnf_enabled,
    dnf_list_items,
    dnf_substituted,
    dnf_trimmed,
    read_as_dnf,
    valid_repo_id,
)
from auditor.sources.interface import ConfigReader
from auditor.sources.repofilter import EXCLUDE_KEYS, INCLUDE_KEYS, YUM_EXCLUDE_KEYS, PackageFilter, patterns
from auditor.sources.sectionoptions import DEFAULT_PRIORITY, credentials_in, priority_of
from auditor.sources.yumoptions import YUM_DEFAULTS, read_as_yum, yum_enabled, yum_refusal, yum_section

REPOSITORY_KEYS = ("baseurl", "mirrorlist", "metalink")
DNF_ORDER = ("metalink", "mirrorlist", "baseurl")
"""The keys dnf reads a section's repository by, the first set alone."""
YUM_ORDER = ("baseurl", "metalink", "mirrorlist")
"""yum 3's: its base URLs, then the mirrors of its metalink, else of its mirrorlist, one list."""
URL_KEYS = (*REPOSITORY_KEYS, "gpgkey")
MAX_SECTIONS = 20_000
"""Sections of one repository configuration (both readers' together, with what it includes): a
subscription manager's list of every repository it entitles holds thousands; each costs both
readings, and 143,513 short ones in 4 MiB took 29 s of CPU and 500 MB."""
_HTML_HEAD = 4096
"""Characters of a file that fails to parse looked at for a web page's start (comments may precede it)."""


@dataclass(frozen=True)
class RepoSection:
    id: str
    baseurls: tuple[str, ...]
    mirrorlist: str | None
    metalink: str | None
    gpgkeys: tuple[str, ...]
    enabled: bool
    """Whether dnf's or yum's reading enables it (`_section`): its URLs may block, and an
    audited repository is read."""
    hides: Mapping[ConfigReader, PackageFilter]
    """Its ``exclude`` and ``includepkgs``, and ``[main]``'s of the same file, as each reader
    reads them (`hides_by_reader`): they may differ (a quoted pattern is a name to dnf, a
    quoted word to configparser), and a package only one hides is on some hosts only. A
    reader that does not read or enable a section another enables hides all of it (`_lacked`)."""
    unread: tuple[tuple[str, str], ...] = ()
    """``(key, URL)`` written under a key dnf does not read (``BaseURL``): judged by the policy,
    never read (the repository dnf uses is the one ``baseurl`` names)."""
    priorities: frozenset[int] = frozenset({DEFAULT_PRIORITY})
    """Its ``priority`` as each reader reads it (dnf's default when it sets none or no number)."""
    baseurl_first: bool = False
    """Read as yum 3 alone reads it: its base URLs, then its mirrors, one list (`_first_url`)."""
    credentials: tuple[str, ...] = ()
    """The options either reader authenticates with (`credentials_in`): the repository it reads
    is not the anonymous one the auditor reads."""
    unexpanded: tuple[tuple[str, str], ...] = ()
    """``(key, variable)`` left in its id or in an option dnf substitutes (`_SUBSTITUTED`): the
    host's value may disable the section or hide its packages, which the auditor cannot tell."""


_SOURCE_SECTION = re.compile(r"[-_.](source|sources|src|srpms?)$", re.IGNORECASE)


def is_source_section(section_id: str) -> bool:
    """A section of source packages, by the ids distributions give them (``base-source``,
    ``updates-src``, ``xcp-ng-srpms``)."""
    return _SOURCE_SECTION.search(section_id) is not None


def sources_of_any(section_id: str, binary_ids: Iterable[str]) -> bool:
    """Whether the source section ``section_id`` holds the sources of one of the binary
    sections ``binary_ids``: its id without the suffix is one of theirs (``base-source`` and
    ``base``), or names the family they share (``xcp-ng-srpms`` and ``xcp-ng-base``)."""
    stem = _SOURCE_SECTION.sub("", section_id)
    return any(
        binary == stem or (binary.startswith(stem) and binary[len(stem) : len(stem) + 1] in ("-", "_", "."))
        for binary in binary_ids
    )


def _parser(text: str, shown: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(
        interpolation=None, strict=False, default_section="\0no-defaults", comment_prefixes=("#", ";")
    )
    # Option names lower-cased (configparser's default), as yum 3's iniparse reads them; dnf's as written.
    try:
        # A byte order mark before the first header: dnf skips it (libdnf's IniParser), and
        # configparser would take the header for text before any section.
        read_as_yum(parser, text.removeprefix("\ufeff"), shown)
    except configparser.Error as exc:
        # A web page never parses as one (its first line is no section header): said as
        # what it is, not as configparser's complaint about it.
        if is_html_page(text[:_HTML_HEAD].encode("utf-8", "replace")):
            raise InputError(shown, HTML_CONFIGURATION) from None
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(shown, f"not a repository configuration: {first}") from None
    return parser


MainReadings = dict[ConfigReader, dict[str, str]]
"""``[main]``'s options as each reader reads them (a reader that has none: absent)."""


def _main_readings(parser: configparser.ConfigParser, by_dnf: _DnfSections, shown: str) -> MainReadings:
    """``[main]``'s options as each reader reads them: only in a main configuration
    (``yum.conf``, ``dnf.conf``); dnf ignores the ``[main]`` of a ``.repo`` file."""
    if shown.lower().endswith(".repo"):
        return {}
    readings = {ConfigReader.DNF: by_dnf["main"]} if "main" in by_dnf else {}
    if parser.has_section("main"):
        readings[ConfigReader.YUM] = yum_section(parser, "main")
    return readings


def _merged(readings: list[dict[str, str]]) -> dict[str, str]:
    """A ``[main]``'s options as dnf and yum read them together: each as dnf reads it (the
    first reading) where it reads it, else as yum reads it; and the ``reposdir`` directories
    of both, as either reader reads its ``.repo`` files (yum's may come from an ``include=``,
    which dnf ignores). What exclude and includepkgs hide is read per reader (`hides_by_reader`)."""
    merged: dict[str, str] = {}
    for values in reversed(readings):
        merged.update(values)
    for key in ("reposdir",):
        if key in merged:
            both = (pattern for values in readings if key in values for pattern in _split(values[key]))
            merged[key] = " ".join(dict.fromkeys(both))
    return merged


_DnfSections = dict[str, dict[str, str]]
_SUBSTITUTED = ("enabled", "exclude", "excludepkgs", "includepkgs", "priority", "disable_excludes")
"""The options, besides the URLs (`auditor.sources.repoconfig` expands those), whose variables
dnf substitutes and that decide what the auditor reads: ``exclude=$hidden`` hides what the
host's ``hidden`` names, ``enabled=$on`` is its value. (yum 3 substitutes every line of a
``.repo`` file; its reading here does not: what dnf's alone hides is hidden on some hosts.)"""


def _read_as_dnf(text: str, variables: dict[str, str]) -> _DnfSections:
    """The sections dnf reads (none when it refuses the file: it skips it whole), with
    ``variables`` substituted in `_SUBSTITUTED` as dnf substitutes them."""
    sections = read_as_dnf(text)
    if isinstance(sections, DnfRefusal):
        return {}
    # dnf reads a main configuration's [main] before its varsdir (dnf/cli/cli.py): only the
    # host's own variables are substituted there, ``exclude=$hidden`` stays as written.
    host = {name: variables[name] for name in HOST_VARIABLES if name in variables}
    return {
        name: {
            key: dnf_substituted(value, host if name == "main" else variables)
            if key in _SUBSTITUTED
            else value
            for key, value in values.items()
        }
        for name, values in sections.items()
    }


HOST_VARIABLES = ("releasever", "basearch", "arch")
"""The variables dnf knows before it reads its varsdir (and ``DNF_VAR_*`` of its environment,
which the auditor does not see)."""


def _left(text: str) -> list[str]:
    """The variables left in ``text`` (`expand` finds them alike)."""
    return [match.group("braced") or match.group("bare") for match in _VARIABLE.finditer(text)]


def reposdirs(main: dict[str, str]) -> list[str]:
    return _split(main.get("reposdir", ""))


@dataclass(frozen=True)
class ParsedConfig:
    """A configuration's own ``[main]`` options (none for a ``.repo`` file: its ``reposdir``
    names directories whose ``.repo`` files dnf reads, and its ``exclude`` and ``includepkgs``
    apply to their repositories too), and its repository sections."""

    main: dict[str, str]
    sections: list[RepoSection]
    main_readings: MainReadings = field(default_factory=dict)
    """``main`` as each reader reads it, for what its ``exclude`` and ``includepkgs`` hide."""


def parse_repo_config(
    text: str,
    shown: str,
    inherited: dict[str, str] | None = None,
    *,
    dnf_text: str | None = None,
    inherited_readings: MainReadings | None = None,
    variables: dict[str, str] | None = None,
) -> ParsedConfig:
    """The ``[main]`` and the repository sections of ``text``, parsed once by each reader.

    dnf reads option names as written: ``Enabled=0`` is an unknown option to it, and the
    section stays enabled; so are ``enabled``, ``exclude`` and ``includepkgs`` read here. A
    URL is recorded whatever the case of its key, as a URL on a policy host is a finding even
    where dnf would not use it, but read only from a key dnf reads (`RepoSection.unread`).
    ``inherited``: the ``[main]`` of the main configuration whose ``reposdir`` holds this
    file, and ``inherited_readings`` it as each reader reads it. ``dnf_text``: the file as
    written, when ``text`` is it as yum reads it (its ``include=`` lines expanded, which dnf
    ignores). ``variables``: substituted in the id and the options dnf substitutes them in
    (`_SUBSTITUTED`); a section whose id a reader finds invalid is one that reader skips."""
    parser = _parser(text, shown)
    variables = variables or {}
    by_dnf = _read_as_dnf(text if dnf_text is None else dnf_text, variables)
    own_readings = _main_readings(parser, by_dnf, shown)
    own_main = _merged([own_readings[reader] for reader in ConfigReader if reader in own_readings])
    main = own_main or (inherited or {})
    main_readings = own_readings if own_main else (inherited_readings or {})
    if main and not main_readings:  # a [main] given as both read it
        main_readings = dict.fromkeys(ConfigReader, main)
    names = [*parser.sections(), *(name for name in by_dnf if not parser.has_section(name))]
    if len(names) > MAX_SECTIONS:
        raise InputError(shown, f"more than {MAX_SECTIONS} sections; not a repository configuration")
    sections = []
    for name in names:
        readings = []
        # dnf and yum 3 substitute the id's variables (one left is an error, `unexpanded`), skip an
        # id of other characters, and [main] (yum [installed] too): its URLs judged, never read.
        dnf_id = dnf_substituted(name, variables)
        if name in by_dnf:
            valid = name != "main" and valid_repo_id(_VARIABLE.sub("_", dnf_id))
            enabled = dnf_enabled(by_dnf[name], main_readings.get(ConfigReader.DNF, {}))
            readings.append(_Reading(by_dnf[name], valid and enabled, ConfigReader.DNF))
        if parser.has_section(name) and name != YUM_DEFAULTS:
            values = yum_section(parser, name)
            refused = yum_refusal(values)  # an option yum cannot parse: it skips the section
            enabled = refused is None and yum_enabled(values, main_readings.get(ConfigReader.YUM, {}))
            valid = name not in ("main", "installed") and valid_repo_id(_VARIABLE.sub("_", name))
            readings.append(_Reading(values, valid and enabled, ConfigReader.YUM, refused or ""))
        if not any(_any_case(reading.values, key) for reading in readings for key in REPOSITORY_KEYS):
            continue  # sections without a repository
        section_id = dnf_id if name in by_dnf else name
        hides = hides_by_reader(readings, main_readings, section_id)
        unexpanded = [("id", left) for left in _left(dnf_id)] if name in by_dnf else []
        unexpanded += [
            (key, left) for key in _SUBSTITUTED for left in _left(by_dnf.get(name, {}).get(key, ""))
        ]
        main_values = main_readings.get(ConfigReader.DNF, {})  # only the host's own are dnf's there
        unexpanded += [
            (key, left)
            for key in _SUBSTITUTED
            for left in _left(main_values.get(key, ""))
            if left in HOST_VARIABLES
        ]
        sections += [
            replace(
                _section(section_id, one, _lacked(hides, one)), unexpanded=tuple(dict.fromkeys(unexpanded))
            )
            for one in _repositories(readings)
        ]
    return ParsedConfig(own_main, sections, own_readings)


def hides_by_reader(
    readings: list[_Reading], main: MainReadings, section: str
) -> dict[ConfigReader, PackageFilter]:
    """The ``exclude``/``includepkgs`` in force for a section as each reader reads it and its
    ``[main]`` (the union of both, as libdnf makes it). That reader's ``disable_excludes`` in
    its ``[main]`` turns off ``[main]``'s (``main``), the section's (its id) or both (``all``):
    read apart too, as ``disable_excludes="all"`` is ``all`` to dnf and a quoted word to yum,
    whose hosts hide what its excludes say. A reader that lacks the ``[main]`` takes the
    other's; one that lacks the section hides all of it (`_lacked`)."""
    hides = {}
    for reader in ConfigReader:
        own = next((r.values for r in readings if r.reader is reader), readings[0].values)
        main_values = main.get(reader, next(iter(main.values()), {}))
        disabled = set(patterns(main_values, ("disable_excludes",)))
        main_keys = {} if disabled & {"all", "main"} else main_values
        own_keys = {} if disabled & {"all", section} else own
        dnf = reader is ConfigReader.DNF  # each reads its lists its own way (`patterns`)
        excludes = EXCLUDE_KEYS if dnf else YUM_EXCLUDE_KEYS  # yum 3 has no excludepkgs
        hides[reader] = PackageFilter(
            patterns(main_keys, excludes, dnf=dnf) + patterns(own_keys, excludes, dnf=dnf),
            patterns(main_keys, INCLUDE_KEYS, dnf=dnf) + patterns(own_keys, INCLUDE_KEYS, dnf=dnf),
        )
    return hides


def _lacked(
    hides: dict[ConfigReader, PackageFilter], readings: list[_Reading]
) -> dict[ConfigReader, PackageFilter]:
    """``hides``, where one reader alone reads and enables the section (as ``readings`` of one
    repository): the other's hosts lack the repository, so to them it hides every package (its
    packages are hidden on some hosts: providers, never a way around). A section no reader
    enables (a source one read all the same) is read as before."""
    enabling = {reading.reader for reading in readings if reading.enabled}
    if len(enabling) != 1:
        return hides
    skipped = {reading.reader: reading.skipped for reading in readings}
    return {
        reader: hides[reader]
        if reader in enabling
        else PackageFilter(everything=True, why=skipped.get(reader, ""))
        for reader in hides
    }


def _repositories(readings: list[_Reading]) -> list[list[_Reading]]:
    """The readings of a section grouped by the repository they name: one group when each reader
    would read the same URL first (the one a reader uses when it works), one each when they
    differ (yum's ``baseurl`` set by an ``include=``, a second header only dnf merges): each
    reader then uses its own repository, and reading one as the other's mirror leaves it unseen."""
    first = [_first_url(reading) for reading in readings]
    if len(readings) == 2 and all(first) and first[0] != first[1]:
        return [[reading] for reading in readings]
    return [readings]


def _first_url(reading: _Reading) -> str | None:
    """The URL a reading's reader tries first (`SectionReader.read` reads them so): dnf's
    metalink, else mirrorlist, else baseurl (libdnf's ``lrHandleInitRemote``); yum 3's baseurl,
    then the mirrors of its metalink, else of its mirrorlist (``YumRepository._baseurlSetup``:
    ``_urls = baseurl + mirrorurls``)."""
    for key in YUM_ORDER if reading.reader is ConfigReader.YUM else DNF_ORDER:
        found = _baseurls(reading) if key == "baseurl" else _split(dnf_trimmed(reading.values.get(key, "")))
        if found:
            return found[0]
    return None


def _baseurls(reading: _Reading) -> list[str]:
    """A reading's ``baseurl`` list: dnf's as libdnf splits a list (at spaces, commas and new
    lines: ``file:///a<TAB>file:///b`` is one URL, which fails, and dnf skips the repository
    with ``skip_if_unavailable``), yum 3's at any white space or comma."""
    value = dnf_trimmed(reading.values.get("baseurl", ""))
    if reading.reader is ConfigReader.DNF:
        return [item for item in dnf_list_items(value) if item]
    return _split(value)


@dataclass(frozen=True)
class _Reading:
    """A section's options as one reader reads them (dnf's `read_as_dnf`, or configparser's
    as yum reads them), and whether that reader enables it."""

    values: dict[str, str]
    enabled: bool
    reader: ConfigReader
    skipped: str = ""
    """Why the reader skips the section whatever it says of ``enabled`` (`yum_refusal`)."""


def _section(name: str, readings: list[_Reading], hides: Mapping[ConfigReader, PackageFilter]) -> RepoSection:
    """A section as dnf and yum read it together: every URL either reads (dnf's first, in its
    order, as it is read first), enabled when either enables it. They differ on comments,
    quotes, blanks and headers (`auditor.sources.dnfini`); a repository either uses is judged."""
    written = (url for reading in readings for url in _baseurls(reading))
    baseurls = list(dict.fromkeys(written))
    single: dict[str, list[str]] = {}
    for key in ("mirrorlist", "metalink"):
        values = (dnf_trimmed(reading.values.get(key, "")).strip() for reading in readings)
        single[key] = list(dict.fromkeys(value for value in values if value))
    # dnf reads a URL key only as written in lower case (``BaseURL`` is no option of its).
    unread = {
        (key.lower(), url)
        for reading in readings
        for key, value in reading.values.items()
        if key.lower() in URL_KEYS and key not in URL_KEYS
        for url in _split(value)
    }
    unread |= {(key, url) for key, urls in single.items() for url in urls[1:]}
    return RepoSection(
        id=name,
        baseurls=tuple(baseurls),
        mirrorlist=next(iter(single["mirrorlist"]), None),
        metalink=next(iter(single["metalink"]), None),
        gpgkeys=tuple(dict.fromkeys(url for r in readings for url in _split(r.values.get("gpgkey", "")))),
        enabled=any(reading.enabled for reading in readings),
        hides=hides,
        unread=tuple(sorted(unread)),
        priorities=frozenset(priority_of(reading.values) for reading in readings),
        credentials=tuple(sorted({key for reading in readings for key in credentials_in(reading.values)})),
        baseurl_first=all(reading.reader is ConfigReader.YUM for reading in readings),
    )


def _any_case(values: dict[str, str], key: str) -> list[str]:
    """The non-empty values of ``key`` written in any case (``baseurl``, ``BaseURL``)."""
    return [value.strip() for name, value in values.items() if name.lower() == key and value.strip()]


def _split(value: str) -> list[str]:
    """Several URLs, separated by white space, new lines or commas, as dnf reads them."""
    return [item for item in re.split(r"[\s,]+", value) if item]
