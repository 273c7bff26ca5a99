"""yum 3's parsers of a repository section's options (yum 3.4.3, ``yum/config.py``), as
`auditor.sources.yumoptions` reads them: the values Python 2 takes and refuses where Python 3
would read them otherwise. The scenario of a refused section is tests/scenarios/test_yum_refused_options.py."""

from __future__ import annotations

import configparser
import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.sources.yumoptions import read_as_yum, shell_words, yum_enabled, yum_refusal, yum_value


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("1 ; a comment", "1"),
        ("1;not a comment", "1;not a comment"),
        ("12\n\n34", "12\n34"),
        ("x\nmore ; kept", "x\nmore ; kept"),
    ],
)
def test_the_value_iniparse_gives(written: str, value: str) -> None:
    assert yum_value(written) == value


@pytest.mark.parametrize(
    "options",
    [
        {"cost": "-12"},
        {"cost": "+7"},
        {"metadata_expire": "1e5"},
        {"metadata_expire": "0.5M"},
        {"metadata_expire": "-1"},
        {"throttle": "nan%"},  # NaN is never out of ThrottleOption's range
        {"bandwidth": "0"},
        {"timeout": "inf"},
        {"timeout": "-Infinity"},
        {"timeout": ".5"},
        {"baseurl": "file:///srv/a glob:/etc/yum/mirrors.d"},
        {"baseurl": ""},
        {"baseurl": "'http://host/with space'"},
        {"metalink": "https://mirrors.example/metalink?repo=$basearch"},
        {"gpgkey": "FILE:///etc/pki/key"},
        {"retries": "0"},
        {"name": "anything at all", "failovermethod": "whatever", "exclude": "a b"},
    ],
)
def test_values_yum_parses(options: dict[str, str]) -> None:
    assert yum_refusal(options) is None


@pytest.mark.parametrize(
    ("options", "why"),
    [
        ({"cost": "١٢"}, "invalid integer value"),  # Python 3's int reads other digits
        ({"cost": "0x10"}, "invalid integer value"),
        ({"timeout": "1_0"}, "invalid float value"),
        ({"metadata_expire": "nanm"}, "not a finite number"),
        ({"metadata_expire": "1e400"}, "not a finite number"),
        ({"metadata_expire": "6H "}, "invalid value"),  # the unit must be the last character
        ({"metadata_expire": "1d6h"}, "invalid value"),
        ({"bandwidth": "-1"}, "may not be negative"),
        ({"throttle": "-4%"}, "percentage is out of range"),
        ({"baseurl": "file:80"}, 'not ""'),  # a port number: no scheme to Python 2
        ({"baseurl": "$mirror/path"}, 'not ""'),  # yum parses before it substitutes variables
        ({"baseurl": "http://ok/ rsync://not/"}, 'not "rsync"'),
        ({"mirrorlist": "_none_"}, '"_none_" is not a valid value'),
        ({"gpgkey": "file:///a\\"}, "No escaped character"),
        ({"http_caching": "None"}, "not an allowed value"),
        ({"priority": "high"}, "invalid integer value"),
    ],
)
def test_values_yum_refuses(options: dict[str, str], why: str) -> None:
    said = yum_refusal(options)
    assert said and why in said and "skips the section" in said


@pytest.mark.parametrize(
    ("section", "main", "enabled"),
    [
        ({}, {}, True),
        ({}, {"enabled": "0"}, False),
        ({"enabled": "YES"}, {"enabled": "0"}, True),
        ({"enabled": "1 ; on"}, {}, True),
        ({"enabled": "on"}, {}, False),
    ],
)
def test_enabled_as_yum_reads_it(section: dict[str, str], main: dict[str, str], enabled: bool) -> None:
    assert yum_enabled(section, main) is enabled


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="ab '\"\\\t\n\r#,:", max_size=24))
def test_words_split_as_shlex_splits_them(text: str) -> None:
    """yum splits a URL list with ``shlex.split``; the auditor's one-pass split must agree with
    it, words and errors alike."""
    try:
        expected: list[str] | str = shlex.split(text)
    except ValueError as exc:
        expected = str(exc)
    try:
        found: list[str] | str = shell_words(text)
    except ValueError as exc:
        found = str(exc)
    assert found == expected


def test_a_huge_quoted_value_is_refused_at_once_and_quoted_short() -> None:
    """shlex took minutes on one unclosed quote of a few megabytes, which a .repo file may hold."""
    said = yum_refusal({"gpgkey": '"' + "a" * 4_000_000})
    assert said is not None and "No closing quotation" in said and len(said) < 300


_LINES = [
    "[a]",
    "[b]",
    "x=1",
    "y = 2",
    "  more",
    "\tmore",
    "# c",
    "; c",
    "  # c",
    "\t; c",
    "    # deeper",
    "",
    "  [c]",
]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_LINES), max_size=12))
def test_the_yum_reading_is_configparser_s_with_indented_comments_kept(lines: list[str]) -> None:
    """Reading a file as yum does adds to configparser's reading only the indented comment lines
    inside a value (iniparse keeps them): drop those, and the two readings are the same, the
    errors too."""
    text = "\n".join(lines) + "\n"

    def read(yum: bool) -> dict[str, dict[str, str]] | str:
        parser = configparser.ConfigParser(
            interpolation=None, strict=False, default_section="\0no-defaults", comment_prefixes=("#", ";")
        )
        try:
            read_as_yum(parser, text, "x.repo") if yum else parser.read_string(text, source="x.repo")
        except configparser.Error as exc:
            return type(exc).__name__
        return {name: dict(parser[name]) for name in parser.sections()}

    plain, as_yum = read(False), read(True)
    if isinstance(plain, str) or isinstance(as_yum, str):
        assert plain == as_yum
        return
    assert plain.keys() == as_yum.keys()
    for name, values in as_yum.items():
        kept = {}
        for key, value in values.items():
            first, *rest = value.split("\n")
            # configparser ends a value at its last line of text, which a comment may follow
            kept[key] = "\n".join(
                [first, *(line for line in rest if not line.startswith(("#", ";")))]
            ).rstrip()
        assert kept == plain[name]


_NAMES = ["enabled", "baseurl", "gpgkey", "mirrorlist", "proxy", "cost", "retries", "timeout", "throttle"]
_NAMES += ["bandwidth", "metadata_expire", "ip_resolve", "http_caching", "priority", "name"]


@settings(max_examples=3000, deadline=None)
@given(st.dictionaries(st.sampled_from(_NAMES), st.text(max_size=30), max_size=4), st.text(max_size=10))
def test_any_value_is_refused_or_taken_never_an_error(values: dict[str, str], main: str) -> None:
    """A hostile .repo file's values reach every parser: each answers, none raises."""
    said = yum_refusal(values)
    assert said is None or ("skips the section" in said and len(said) < 400)
    assert yum_enabled(values, {"enabled": main}) in (True, False)


@pytest.mark.parametrize("name", ["bandwidth", "throttle", "ip_resolve", "timeout", "enabled"])
def test_a_value_of_unprintable_characters_makes_a_warning_of_bounded_length(name: str) -> None:
    """Each character that repr escapes takes up to ten (``\\U000e0001``): 29 of them in an
    ``ip_resolve`` made a warning of 666 characters (the value was cut, its repr was not; a
    ``bandwidth``'s number was quoted whole beside it), and the property test above found a
    ``bandwidth`` one at its bound now and then."""
    said = yum_refusal({name: "\U000e0001" * 60 + "x"})
    assert said is not None and "skips the section" in said and len(said) < 400
