"""Every configuration file is checked against its declared shape: a hostile one is one line.

The project file, policy files, waiver files, the baseline and the provenance table each get
a table of hostile files (wrong types per key, unknown keys, huge numbers, deep nesting, bad
encodings, NUL, empty, a directory, a byte-order mark, too large). Each is handed to the real
command, which must exit 2 with exactly one line on standard error naming the file and the
key, and no traceback. A property test then hands any TOML document, shaped like the real
files or not, as a policy, project or waiver file: exit 0, 1 or 2, never 4.
"""

from __future__ import annotations

import codecs
import datetime
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from auditor.cli.main import main
from auditor.cli.project import load_project
from auditor.core.schema import MAX_NESTING
from auditor.core.tomlfile import MAX_CONFIG_BYTES, MAX_TOML_BYTES
from auditor.gate.waivers import read_waiver_file
from auditor.origin import policyschema
from auditor.origin.rules import RULE_KINDS
from tests.conftest import RPMS
from tests.paths import ROOT

GOOD = RPMS / "single-deps-1.0-1.noarch.rpm"

RULE = 'id = "x"\nkind = "host"\nseverity = "high"\nmessage = "m"\n'
HOST_RULE = f"[[rule]]\n{RULE}domains = ['example.org']\n"
WAIVER = 'package = "x"\nreason = "r"\nowner = "o"\nexpires = 2027-01-01\n'
ENTRY = '{"fingerprint": "f", "kind": "k", "package": "p", "capability": "c"}'
HEADER = "SRPM_name;added_by;import_reason;latest_release_URL;latest_release_regexp\n"
DEEP_TOML = "a = " + "[" * 100_000 + "]" * 100_000 + "\n"
DEEP_JSON = "[" * 100_000 + "]" * 100_000
BIG = "9" * 5000

ENCODINGS: list[tuple[str, bytes, str]] = [
    ("empty", b"", "empty; not a"),
    ("blank", b"\n  \n", "empty; not a"),
    ("BOM", codecs.BOM_UTF8 + b"# x\n", "byte-order mark"),
    ("Latin-1", b"# caf\xe9\n", "not UTF-8 text (line 1, byte 5)"),
    ("NUL", b"# a\n# \x00\n", "holds a NUL character (line 2)"),
]
"""What every loader refuses before reading any syntax."""

CONFIG = [
    ("default-policy as a string", '[audit]\ndefault-policy = "false"\n',
     'audit.default-policy: expected a boolean (true or false), got the string "false"'),
    ("default-policy as an integer", "[audit]\ndefault-policy = 0\n", "audit.default-policy: expected a boolean"),
    ("arch as an integer", "[audit]\narch = 3\n", "audit.arch: expected a string or an array, got the integer 3"),
    ("roots holding a table", "[audit]\nroots = [{ a = 1 }]\n", "audit.roots[0]: expected a string, got a table"),
    ("fail-on holding a number", "[audit]\nfail-on = [1.5]\n", "audit.fail-on[0]: expected a string, got the number 1.5"),
    # Nothing blocked: every Citrix package passed, where `--fail-on ""` is refused and "none" says it.
    ("fail-on an empty array", "[audit]\nfail-on = []\n", "audit.fail-on: [] names no status"),
    ("stale-waivers not a choice", '[audit]\nstale-waivers = "sometimes"\n',
     'audit.stale-waivers: "sometimes" is not one of warn, block'),
    ("policy-files with a NUL", '[audit]\npolicy-files = ["a\\u0000b"]\n', "audit.policy-files[0]: expected a file name"),
    ("unknown [audit] key", "[audit]\nbogus = 1\n", "audit: unknown key 'bogus' (known: arch, "),
    ("unknown top-level key", 'baseline = "b.json"\n', "unknown top-level key 'baseline'"),
    ("audit not a table", "audit = 3\n", "audit: expected a table, got the integer 3"),
    ("waiver not an array", "[waiver]\npackage = 'x'\n", "waiver: expected an array, got a table"),
    ("waiver without reason", '[[waiver]]\npackage = "x"\nowner = "o"\nexpires = 2027-01-01\n',
     "waiver[0]: missing 'reason' (required: package, reason, owner, expires)"),
    ("waiver expiring at a time", f"[[waiver]]\n{WAIVER.replace('2027-01-01', '10:00:00')}",
     "waiver[0].expires: expected a date (YYYY-MM-DD) or a date-time, got the time 10:00:00"),
    ("policy rule with a huge port", f"[[policy.rule]]\n{RULE}domains = ['a']\nports = [{10**30}]\n",
     "policy.rule[0].ports[0]: expected an integer <= 65535, got an integer of 100 bits"),
    ("policy severity as a boolean", "[policy.settings]\ntaint-severity = true\n",
     "policy.settings.taint-severity: expected one of high, medium, low, info, got the boolean true"),
    ("policy schema 2", "[policy]\nschema = 2\n", "policy.schema: unsupported policy schema 2"),
    ("policy component rule with component = []",
     "[[policy.rule]]\nid='x'\nkind='component'\nseverity='high'\nmessage='m'\ncomponent=[]\n",
     "policy.rule[0].component: expected a non-empty array, got an empty array"),
    ("nested deeper than allowed", "a = " + "[" * 40 + "]" * 40 + "\n", f"nested deeper than {MAX_NESTING}"),
    ("nested 100,000 deep", DEEP_TOML, f"nested deeper than {MAX_NESTING}"),
    ("integer of 5000 digits", f"[audit]\narch = {BIG}\n", "an integer with more than 4300 digits"),
    ("not TOML", "[audit\n", "not valid TOML: "),
    ("a key twice", "[audit]\narch = 'a'\narch = 'b'\n", "not valid TOML: Cannot overwrite a value (at line 3"),
]  # fmt: skip

POLICY = [
    ("severity not a choice", f"[[rule]]\n{RULE.replace('high', 'severe')}domains = ['a']\n",
     'rule[0].severity: "severe" is not one of high, medium, low, info'),
    ("kind not a choice", f"[[rule]]\n{RULE.replace('host', 'nope')}",
     'rule[0].kind: "nope" is not one of component, field, host, license, provenance, signing-key'),
    ("rule without kind", "[[rule]]\nid = 'x'\n", "rule[0]: missing 'kind'"),
    ("port as a string", f"{HOST_RULE}ports = ['443']\n", 'rule[0].ports[0]: expected an integer, got the string "443"'),
    ("port 0", f"{HOST_RULE}ports = [0]\n", "rule[0].ports[0]: expected an integer >= 1, got the integer 0"),
    ("port past 65535", f"{HOST_RULE}ports = [65536]\n", "rule[0].ports[0]: expected an integer <= 65535"),
    ("port of 64 bits", f"{HOST_RULE}ports = [9223372036854775807]\n", "rule[0].ports[0]: expected an integer <= 65535"),
    ("tier as an integer", f"{HOST_RULE}tier = 3\n", "rule[0].tier: expected a string, got the integer 3"),
    ("unknown rule key", f"{HOST_RULE}colour = 'red'\n", "rule[0]: unknown key 'colour' (known: category, domains,"),
    ("key of another kind", f"{HOST_RULE}fields = ['vendor']\n", "rule[0]: unknown key 'fields'"),
    ("domains as a string", f"[[rule]]\n{RULE}domains = 'example.org'\n",
     'rule[0].domains: expected an array, got the string "example.org"'),
    ("id with capitals", "[[rule]]\n" + RULE.replace('"x"', '"Bad Id"') + "domains = ['a']\n",
     'rule[0].id: expected an id of lower-case letters'),
    ("host rule with no host", f"[[rule]]\n{RULE}", "rule[0]: a host rule needs 'domains' or 'urls'"),
    ("field rule with no fields", "[[rule]]\nid='x'\nkind='field'\nseverity='high'\nmessage='m'\nfields=[]\ndomains=['a']\n",
     "rule[0].fields: expected a non-empty array, got an empty array"),
    ("field that is not a header", "[[rule]]\nid='x'\nkind='field'\nseverity='high'\nmessage='m'\nfields=['colour']\n",
     'rule[0].fields[0]: "colour" is not one of vendor, packager'),
    ("signing key that is not hex", "[[rule]]\nid='x'\nkind='signing-key'\nseverity='high'\nmessage='m'\nkeys=['zz']\n",
     "rule[0].keys[0]: 'zz' is not a 16-digit key id"),
    ("component when-license as an array",
     "[[rule]]\nid='x'\nkind='component'\nseverity='high'\nmessage='m'\n[[rule.component]]\nname='c'\nwhen-license=['a']\n",
     "rule[0].component[0].when-license: expected a string, got an array"),
    ("category not a choice", f"{HOST_RULE}category = 'evil'\n", 'rule[0].category: "evil" is not one of citrix, proprietary'),
    ("tier-severity not a severity", "[settings]\ntier-severity = { public-org = 1 }\n",
     "settings.tier-severity.public-org: expected one of high, medium, low, info, got the integer 1"),
    ("tier-severity with a quoted key", '[settings]\ntier-severity = { "a b" = "lowish" }\n',
     'settings.tier-severity."a b": "lowish" is not one of high'),
    ("unknown setting", "[settings]\ncolour = 'red'\n", "settings: unknown key 'colour' (known: taint-severity, tier-severity)"),
    ("rpm feature not a string", "[rpm.features]\nFileCaps = 4.6\n", "rpm.features.FileCaps: expected a string, got the number 4.6"),
    ("unknown [rpm] key", "[rpm]\nmacros = {}\n", "rpm: unknown key 'macros'"),
    ("allow packages as a string", "[[allow]]\nid='a'\npackages='x'\nreason='r'\n", "allow[0].packages: expected an array"),
    ("allow without reason", "[[allow]]\nid='a'\npackages=['x']\n", "allow[0]: missing 'reason'"),
    # Left out, values means every value; written empty (a list whose items were never filled in),
    # it allowed every value too, Citrix's vendor among them.
    ("allow values an empty array", "[[allow]]\nid='a'\npackages=['x']\nvalues=[]\nreason='r'\n",
     "allow[0].values: expected a non-empty array, got an empty array"),
    ("allow with a blank reason", "[[allow]]\nid='a'\npackages=['x']\nreason=\" \\u200b\"\n",
     "allow[0].reason: expected a non-empty string"),
    # An empty list of what a rule or an allow matches matched nothing, loaded without a word, as
    # allow values = [] was read as every value: written, each names one at least.
    ("component rule with component = []", "[[rule]]\nid='x'\nkind='component'\nseverity='high'\nmessage='m'\ncomponent=[]\n",
     "rule[0].component: expected a non-empty array, got an empty array"),
    ("component rule with no component", "[[rule]]\nid='x'\nkind='component'\nseverity='high'\nmessage='m'\n",
     "rule[0]: a component rule needs 'component' (a [[rule.component]] table per package)"),
    ("provenance rule with origins = []",
     "[[rule]]\nid='x'\nkind='provenance'\nseverity='high'\nmessage='m'\nfile='t.csv'\norigins=[]\n",
     "rule[0].origins: expected a non-empty array, got an empty array"),
    ("provenance rule with a blank origin",
     "[[rule]]\nid='x'\nkind='provenance'\nseverity='high'\nmessage='m'\nfile='t.csv'\norigins=[' ']\n",
     "rule[0].origins[0]: expected a non-empty string"),
    ("allow packages an empty array", "[[allow]]\nid='a'\npackages=[]\nreason='r'\n",
     "allow[0].packages: expected a non-empty array, got an empty array"),
    ("allow rules an empty array", "[[allow]]\nid='a'\npackages=['x']\nrules=[]\nreason='r'\n",
     "allow[0].rules: expected a non-empty array, got an empty array"),
    ("schema as a string", 'schema = "1"\n', 'unsupported policy schema "1" (this auditor reads 1)'),
    ("schema as a boolean", "schema = true\n", "unsupported policy schema true"),
    ("schema of 5000 digits", f"schema = 0x{'f' * 5000}\n", "unsupported policy schema an integer of 20000 bits"),
    ("name as an integer", "name = 1\n", "name: expected a string, got the integer 1"),
    ("rule as a table", "[rule]\nid = 'x'\n", "rule: expected an array, got a table"),
    ("infinity for a string", "[[rule]]\n" + RULE.replace('"m"', "inf") + "domains = ['a']\n",
     "rule[0].message: expected a string, got the number inf"),
    ("nested 100,000 deep", DEEP_TOML, f"nested deeper than {MAX_NESTING}"),
    ("a dotted key of 100,000 parts", "a" + ".a" * 100_000 + " = 1\n", f"line 1: a dotted key of more than {MAX_NESTING} parts"),
    ("a quoted dotted key too long", "# 'a.b'\n[x]\n" + '"a".' * MAX_NESTING + "b = 1\n",
     f"line 3: a dotted key of more than {MAX_NESTING} parts"),
    ("a dotted key just past the limit", ".".join(["a"] * (MAX_NESTING + 1)) + " = 1\n", f"more than {MAX_NESTING} parts"),
    ("a dotted key at the limit is read", ".".join(["a"] * MAX_NESTING) + " = 1\n", "unknown top-level key 'a'"),
    ("inline tables 100,000 deep", "a = " + "{b=" * 100_000 + "1" + "}" * 100_000 + "\n", f"nested deeper than {MAX_NESTING}"),
]  # fmt: skip

WAIVERS = [
    ("waiver as an integer", "waiver = 1\n", "waiver: expected an array, got the integer 1"),
    ("unknown top-level key", f"[[waiver]]\n{WAIVER}[other]\n", "unknown top-level key 'other' (known: waiver)"),
    ("blank package", "[[waiver]]\n" + WAIVER.replace('"x"', '"  "'),
     'waiver[0].package: expected a non-empty string, got the string "  "'),
    # Characters no report shows (zero-width, a word joiner, a soft hyphen, a byte-order mark, a
    # Hangul filler): a reason or an owner of them alone is as empty as a blank one to a reviewer.
    ("reason of invisible characters", "[[waiver]]\n" + WAIVER.replace('"r"', '"\\u200b\\u2060\\u00ad"'),
     "waiver[0].reason: expected a non-empty string"),
    ("owner of invisible characters", "[[waiver]]\n" + WAIVER.replace('"o"', '"\\ufeff\\u3164\\u034f"'),
     "waiver[0].owner: expected a non-empty string"),
    ("expires not a date", "[[waiver]]\n" + WAIVER.replace("2027-01-01", '"soon"'),
     'waiver[0].expires: "soon" is not a date (YYYY-MM-DD) or a date-time'),
    # Python reads these ISO 8601 forms; a reviewer would not read 2099-W01 as 2098-12-29.
    ("expires as a week date", "[[waiver]]\n" + WAIVER.replace("2027-01-01", '"2099-W01"'),
     'waiver[0].expires: "2099-W01" is not a date (YYYY-MM-DD) or a date-time'),
    ("expires as a basic date", "[[waiver]]\n" + WAIVER.replace("2027-01-01", '"20990101"'),
     'waiver[0].expires: "20990101" is not a date (YYYY-MM-DD) or a date-time'),
    ("expires as a basic date-time", "[[waiver]]\n" + WAIVER.replace("2027-01-01", '"20990101T000000"'),
     'waiver[0].expires: "20990101T000000" is not a date (YYYY-MM-DD) or a date-time'),
    ("expires as an integer", f"[[waiver]]\n{WAIVER.replace('2027-01-01', '20270101')}",
     "waiver[0].expires: expected a date (YYYY-MM-DD) or a date-time, got the integer 20270101"),
    ("status not a choice", f"[[waiver]]\n{WAIVER}status = 'bad'\n", 'waiver[0].status: "bad" is not one of origin, depends'),
    ("category not a choice", f"[[waiver]]\n{WAIVER}category = 'x'\n", 'waiver[0].category: "x" is not one of citrix, proprietary'),
    ("id as an integer", f"[[waiver]]\n{WAIVER}id = 3\n", "waiver[0].id: expected a string, got the integer 3"),
    ("versions as an array", f"[[waiver]]\n{WAIVER}versions = ['>= 1']\n", "waiver[0].versions: expected a string, got an array"),
    ("versions without an operator", f"[[waiver]]\n{WAIVER}versions = '~ 1'\n", "waiver[0].versions: '~ 1' does not start with"),
    ("unknown waiver key", f"[[waiver]]\n{WAIVER}colour = 'red'\n", "waiver[0]: unknown key 'colour'"),
    ("second waiver bad", f"[[waiver]]\n{WAIVER}[[waiver]]\n{WAIVER}arch = 64\n", "waiver[1].arch: expected a string, got the integer 64"),
    ("nested 100,000 deep", DEEP_TOML, f"nested deeper than {MAX_NESTING}"),
]  # fmt: skip

BASELINE = [
    ("an array", "[]", "not an auditor baseline"),
    ("another tool's", '{"tool": "other", "version": 1, "entries": []}', "not an auditor baseline"),
    ("version 2", '{"tool": "auditor", "version": 2, "entries": []}', "baseline version 2 is not supported"),
    ("version as a string", '{"tool": "auditor", "version": "1", "entries": []}', 'baseline version "1" is not supported'),
    ("version as a boolean", '{"tool": "auditor", "version": true, "entries": []}', "baseline version true is not supported"),
    ("version as a float", '{"tool": "auditor", "version": 1.0, "entries": []}', "version: expected an integer, got the number 1.0"),
    ("entry not an object", '{"tool": "auditor", "version": 1, "entries": [3]}', "entries[0]: expected an object, got the integer 3"),
    ("fingerprint as an integer", '{"tool": "auditor", "version": 1, "entries": [' + ENTRY.replace('"f"', "1") + "]}",
     "entries[0].fingerprint: expected a string, got the integer 1"),
    ("entry without package", '{"tool": "auditor", "version": 1, "entries": [' + ENTRY.replace('"package": "p", ', "") + "]}",
     "entries[0]: missing 'package' (required: fingerprint, kind, package, capability)"),
    ("unknown entry key", '{"tool": "auditor", "version": 1, "entries": [' + ENTRY[:-1] + ', "x": 1}]}', "entries[0]: unknown key 'x'"),
    ("unknown top-level key", '{"tool": "auditor", "version": 1, "entries": [], "extra": 1}', "unknown top-level key 'extra'"),
    ("ends_at as null is fine, as an integer not",
     '{"tool": "auditor", "version": 1, "entries": [' + ENTRY[:-1] + ', "ends_at": 7}]}', "entries[0].ends_at: expected a string or null"),
    ("NaN", '{"tool": "auditor", "version": NaN, "entries": []}', "invalid JSON: NaN is not a JSON number"),
    ("integer of 5000 digits", '{"tool": "auditor", "version": ' + BIG + ', "entries": []}', "an integer with more than 4300 digits"),
    ("not JSON", "{not json", "not a baseline (invalid JSON at line 1, column 2)"),
    # JSON escapes a lone surrogate, which is no character and no byte of a file name: the
    # fingerprint of such a label cannot be taken (an internal error, exit 4).
    ("a lone surrogate in a label", '{"tool": "auditor", "version": 1, "entries": [' + ENTRY.replace('"p"', '"\\ud800"') + "]}",
     "entries[0].package: "),
    ("nested 100,000 deep", DEEP_JSON, f"nested deeper than {MAX_NESTING}"),
    ("nested 40 deep", '{"tool": "auditor", "version": 1, "entries": [], "x": ' + "[" * 40 + "]" * 40 + "}",
     f"nested deeper than {MAX_NESTING}"),
]  # fmt: skip

PROVENANCE = [
    ("no header", "sm;XS;;;\n", "not a provenance table (expected a 'SRPM_name;added_by;…' header)"),
    ("a row of one field", f"{HEADER}sm;XS;;;\nlvm2\n", "line 3: expected 'SRPM_name;added_by;…' with both filled in"),
    ("a row without added_by", f"{HEADER}sm;;;;\n", "line 2: expected 'SRPM_name;added_by;…' with both filled in"),
    ("a package twice", f"{HEADER}sm;XS;;;\n\nsm;XCP-ng;;;\n", 'line 4: "sm" is listed again (first on line 2)'),
    ("a field past csv's limit", f"{HEADER}sm;{'x' * 200_000};;;\n", "line 2: not a provenance table: field larger than field limit"),
]  # fmt: skip


def cases(option: str, table: list[tuple[str, str, str]], suffix: str) -> list[Any]:
    found = [
        pytest.param(option, text.encode(), message, suffix, id=f"{option} {name}")
        for name, text, message in table
    ]
    found += [
        pytest.param(option, data, message, suffix, id=f"{option} {name}")
        for name, data, message in ENCODINGS
    ]
    return found


ALL = [
    *cases("--config", CONFIG, ".toml"),
    *cases("--policy", POLICY, ".toml"),
    *cases("--waivers", WAIVERS, ".toml"),
    *cases("--baseline", BASELINE, ".json"),
    *cases("--provenance", PROVENANCE, ".csv"),
]


def scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["scan", str(GOOD), "-q", "--no-cache", *args])
    out, err = capsys.readouterr()
    return code, out, err


def refused(capsys: pytest.CaptureFixture[str], option: str, path: Path, message: str) -> None:
    """The run exits 2 with one line, naming the file, saying ``message``."""
    code, out, err = scan(capsys, option, str(path))
    assert (code, out) == (2, ""), err
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"auditor: error: {path}: "), err
    assert message in err, err


@pytest.mark.parametrize(("option", "data", "message", "suffix"), ALL)
def test_a_hostile_configuration_file_is_one_line_and_exit_2(
    option: str, data: bytes, message: str, suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"hostile{suffix}"
    path.write_bytes(data)
    refused(capsys, option, path, message)


@pytest.mark.parametrize("option", ["--config", "--policy", "--waivers", "--baseline", "--provenance"])
def test_a_directory_or_a_file_too_large_is_refused(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    refused(capsys, option, folder, "is a directory, not a")
    large = tmp_path / "large"
    limit = MAX_CONFIG_BYTES if option in ("--baseline", "--provenance") else MAX_TOML_BYTES
    with large.open("wb") as stream:
        stream.truncate(limit + 1)
    refused(capsys, option, large, f"larger than {limit // 2**20} MiB; not a")


def test_a_provenance_rule_naming_a_hostile_table_names_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "table.csv").write_bytes(b"SRPM_name;added_by\n\xff;XS\n")
    policy = tmp_path / "policy.toml"
    policy.write_text("[[rule]]\nid='p'\nkind='provenance'\nseverity='info'\nmessage='m'\nfile='table.csv'\n")
    code, _out, err = scan(capsys, "--policy", str(policy))
    assert (code, err) == (2, f"auditor: error: {tmp_path / 'table.csv'}: not UTF-8 text (line 2, byte 19)\n")


def test_files_shaped_right_are_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The schemas refuse what is wrong, not what is merely written another way."""
    config = tmp_path / "auditor.toml"
    config.write_text(
        '# the README example, and the forms each key also takes\n[audit]\nfail-on = "origin,depends"\n'
        'arch = "x86_64"\nroots = []\ndefault-policy = false\nstale-waivers = "block"\n'
        f"[policy.settings]\ntier-severity = {{ public-org = 'low' }}\n[[policy.allow]]\nid = 'a'\npackages = ['x']\n"
        f"reason = 'r'\n[[waiver]]\n{WAIVER.replace('2027-01-01', '2027-01-01T10:00:00')}"
    )
    project = load_project(str(config))
    assert (
        project.arch == ("x86_64",) and project.default_policy is False and project.stale_waivers == "block"
    )
    assert project.fail_on is not None and {status.value for status in project.fail_on} == {
        "origin",
        "depends",
    }
    # A local date-time is an instant in UTC: the same file expires at one moment everywhere.
    assert [str(waiver.expires) for waiver in project.waivers] == ["2027-01-01T10:00:00+00:00"]
    waivers = tmp_path / "waivers.toml"
    waivers.write_text("[[waiver]]\n" + WAIVER.replace("2027-01-01", '"2027-01-01"'))
    assert [str(waiver.expires) for waiver in read_waiver_file(str(waivers))] == ["2027-01-01"]
    dots = ".".join(["a"] * 40)
    policy = tmp_path / "policy.toml"  # dots in strings and comments are not a dotted key
    policy.write_text(
        f"# {dots}\n[[rule]]\n"
        + RULE.replace('message = "m"\n', "")
        + f"domains = ['{dots}', \"{dots}\"]\nreference = '''\n{dots}\n'''\n"
        + f'message = """\n"{dots}"\n"""  # {dots}\n'
    )
    code, _out, err = scan(capsys, "--policy", str(policy))
    assert code in (0, 1), err
    for option in ("--config", "--policy", "--waivers"):  # a comment keeps a file empty on purpose
        quiet = tmp_path / f"quiet{option}.toml"
        quiet.write_text("# nothing here yet\n")
        code, _out, err = scan(capsys, option, str(quiet))
        assert code in (0, 1) and "error" not in err, err


def test_every_rule_kind_has_a_shape() -> None:
    """The policy schema and the rule registry name the same kinds."""
    tags = {shape.__struct_config__.tag for shape in policyschema.AnyRuleShape.__args__}
    assert tags == set(RULE_KINDS)


@pytest.mark.parametrize(
    ("option", "text"),
    [
        ("--config", DEEP_TOML),
        ("--config", '[audit]\ndefault-policy = "false"\n'),
        ("--baseline", DEEP_JSON),
    ],
)
def test_the_real_command_prints_no_traceback(option: str, text: str, tmp_path: Path) -> None:
    """As a process: the recursion limit and the output are the real ones."""
    path = tmp_path / "hostile"
    path.write_text(text)
    child = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", str(GOOD), option, str(path), "-q"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard, not a measurement
    )
    assert child.returncode == 2, child.stderr
    assert re.fullmatch(rf"auditor: error: {re.escape(str(path))}: [^\n]+\n", child.stderr), child.stderr


# --- any TOML document -------------------------------------------------------------------

_WORDS = [
    "audit", "policy", "waiver", "rule", "allow", "settings", "rpm", "features", "schema", "name", "component",
    "fail-on", "arch", "roots", "default-policy", "policy-files", "provenance", "stale-waivers",
    "id", "kind", "severity", "message", "reference", "tier", "category", "domains", "urls", "ports", "fields",
    "pattern", "terms", "elements", "action", "keys", "file", "origins", "packages", "rules", "values", "reason",
    "package", "versions", "status", "owner", "expires", "taint-severity", "tier-severity", "replaced-by", "what",
    "when-license", "host", "field", "license", "signing-key", "high", "medium", "low", "info", "citrix",
    "proprietary", "deny", "trust", "vendor", "origin", "depends", "warn", "block", "*", "2027-01-01", ">= 1",
]  # fmt: skip
_keys = st.sampled_from(_WORDS) | st.text(max_size=6)
_scalars = st.one_of(
    st.sampled_from(_WORDS),
    st.text(max_size=12),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=-(2**200), max_value=2**200),
    st.floats(),
    st.dates(),
    st.times(),
    st.datetimes(),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=12,
)
_documents = st.dictionaries(_keys, _values, max_size=5)
_plausible = st.one_of(
    st.sampled_from(_WORDS), st.lists(st.sampled_from(_WORDS), max_size=3), st.integers(0, 70_000), _values
)


def _table(required: dict[str, list[Any]], optional: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """A table with the keys its schema names: the required ones mostly right, the rest anything."""
    return st.fixed_dictionaries(
        {key: st.sampled_from(good) | _scalars for key, good in required.items()},
        optional=dict.fromkeys(optional, _plausible),
    )


_rule = _table(
    {"id": ["r", "s"], "kind": sorted(RULE_KINDS), "severity": ["high", "info"], "message": ["m"]},
    ["reference", "tier", "category", "domains", "urls", "ports", "fields", "pattern", "terms", "elements",
     "action", "keys", "component", "file", "origins"],
)  # fmt: skip
_policy = st.fixed_dictionaries(
    {},
    optional={
        "schema": st.just(1) | _scalars,
        "settings": _table({}, ["taint-severity", "tier-severity"]),
        "rule": st.lists(_rule, max_size=3),
        "allow": st.lists(
            _table({"id": ["a"], "packages": [["x*"]], "reason": ["r"]}, ["rules", "values"]), max_size=2
        ),
        "rpm": st.fixed_dictionaries(
            {}, optional={"features": st.dictionaries(_keys, _plausible, max_size=2)}
        ),
    },
)
_waiver = _table(
    {"package": ["x"], "reason": ["r"], "owner": ["o"], "expires": [datetime.date(2027, 1, 1)]},
    ["id", "versions", "arch", "status", "rule", "category"],
)
_audit = _table(
    {}, ["fail-on", "arch", "roots", "default-policy", "policy-files", "provenance", "stale-waivers"]
)
FILES = st.one_of(
    st.tuples(st.just("--policy"), _policy | _documents),
    st.tuples(
        st.just("--waivers"), st.fixed_dictionaries({"waiver": st.lists(_waiver, max_size=3)}) | _documents
    ),
    st.tuples(
        st.just("--config"),
        st.fixed_dictionaries(
            {}, optional={"audit": _audit, "policy": _policy, "waiver": st.lists(_waiver, max_size=2)}
        )
        | _documents,
    ),
)
"""A file for an option: shaped like the real ones (so that it gets past the first key), or anything."""


def _toml(document: dict[str, Any]) -> str:
    try:
        return tomli_w.dumps(document)
    except (TypeError, ValueError):  # a value TOML cannot hold (an array of tables and values, …)
        assume(False)
        raise


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=FILES)
def test_any_toml_document_is_read_or_refused_never_an_internal_error(
    file: tuple[str, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    option, document = file
    path = tmp_path / "any.toml"
    path.write_text(_toml(document))
    code, _out, err = scan(capsys, option, str(path))
    event(f"{option} exit {code}")
    assert code in (0, 1, 2), err
    if code == 2:
        assert len(err.splitlines()) == 1 and err.startswith("auditor: error: "), err


def test_a_nul_in_a_path_named_by_a_file_is_an_error_on_that_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``open()`` raises ValueError, not OSError, for a NUL: it was an internal error (exit 4)."""
    repo = tmp_path / "nul.repo"
    repo.write_text("[x]\nname=x\nmirrorlist=file:///tmp/a%00b\n")
    code = main(["scan", str(repo), "-q", "--no-cache"])
    err = capsys.readouterr().err
    assert code == 3, err
    assert err.splitlines() == [
        f"auditor: error: {repo} [x]: no repository could be read; last: file:///tmp/a%00b: "
        "the name holds a NUL character"
    ]
