"""`read_as_dnf` reads a configuration as libdnf itself reads it.

The authority is libdnf's ``ConfigParser`` (its Python binding, which dnf 4 uses to read every
``.repo`` file): each text here, hand-written edge cases and seeded random mutations of them,
is read by both, and the sections, options and values must be the same, or both refuse it.
"""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

from auditor.sources.dnfini import DnfRefusal, dnf_enabled, dnf_list_items, dnf_substituted, read_as_dnf

SYSTEM_PYTHON = "/usr/bin/python3"
_READ_WITH_LIBDNF = """
import json, sys, libdnf.conf
out = []
for path in json.load(sys.stdin):
    parser = libdnf.conf.ConfigParser()
    try:
        parser.read(path)
    except RuntimeError as exc:
        out.append(None)
        continue
    out.append({s: {k: parser.getValue(s, k) for k in parser.options(s)} for s in parser.getData()})
print(json.dumps(out))
"""

HAND = [
    "[r]\nbaseurl=http://a/\n",
    "[r]\nbaseurl: http://a/\n",
    "[r]\n  baseurl=http://a/\n",
    "[r]\nname=x\n  baseurl=http://a/\n",
    "[r]\nbaseurl=http://a/\nbaseurl=http://b/\n[r]\nenabled=0\n",
    "[r]\nbaseurl=http://a/\n  http://b/\n\t# c\n   \n  ; d\n",
    "[r]\nbaseurl=http://a/\n# c\n  http://b/\n",
    "[r]\nbaseurl=http://a/\n\n  http://b/\n",
    "[r]\r\nbaseurl = http://a/ \r\nenabled=0\r\n",
    "[r]\rbaseurl=http://a/\r",
    "\ufeff[r]\nbaseurl=http://a/\n",
    '[r]\nbaseurl="http://a/"\nenabled=\'0\'\nname="x\n',
    "[r]\nenabled=0\f\nname=\u00a0y\u2028\n",
    "[r]\nenabled=\n  0\n",
    "[r]\nenabled=\n   \n[s]\nk=v\n",
    "[r] ; c [x]\nk=v\n",
    "[r]x\nk=v\n",
    "[r] x\nk=v\n",
    "[r] xy\nk=v\n",
    "[r]\ufeff\nk=v\n",
    "[r\nk=v\n",
    "[]\nk=v\n",
    "k=v\n[r]\n",
    "[r]\n=v\n",
    "[r]\nnovalue\n",
    "  [r]\nk=v\n\t[s]\nk=w\n",
    "[r]\nk=v\n  [s]\nk=w\n",
    "[my repo]\nk==v\nk2 =\t\nk3= \r\n",
    "[r]\nk=a%(b)s ;not a comment\n",
]
_INSERTS = [" ", "\t", "\r", "\n", "#", ";", "[", "]", "=", '"', "'", "\n  ", "\f", "\ufeff", "\u00a0"]


def _mutations(count: int) -> list[str]:
    rng = random.Random(22)
    texts = []
    for _ in range(count):
        text = rng.choice(HAND)
        for _edit in range(rng.randint(1, 4)):
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(_INSERTS) + text[at:]
        texts.append(text)
    return texts


def test_the_sections_are_libdnfs(tmp_path: Path) -> None:
    texts = HAND + _mutations(400)
    paths = []
    for number, text in enumerate(texts):
        path = tmp_path / f"{number}.repo"
        path.write_bytes(text.encode())
        paths.append(str(path))
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", _READ_WITH_LIBDNF],
        input=json.dumps(paths),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"libdnf (python3-libdnf) is the authority here: {done.stderr}"
    for text, theirs in zip(texts, json.loads(done.stdout), strict=True):
        ours = read_as_dnf(text)
        assert (None if isinstance(ours, DnfRefusal) else ours) == theirs, repr(text)


def test_enabled_is_read_as_optionbool_reads_it() -> None:
    """dnf refuses a value it cannot read as a boolean, and the repository stays enabled (with
    no ``[main]`` to say otherwise)."""
    disabled = ["0", "no", "FALSE", "Off"]
    enabled = [
        "1",
        "yes",
        "true",
        "on",
        "",
        "0\f",
        "0\u00a0",
        "\n0",
        "0\n# why",
        "00",
        "n",
        '"0',
        "\uff4f\uff46\uff46",
        "OF\u0130",
    ]
    assert [dnf_enabled({"enabled": value}, {}) for value in disabled] == [False] * len(disabled)
    assert [dnf_enabled({"enabled": value}, {}) for value in enabled] == [True] * len(enabled)
    assert dnf_enabled({}, {})


def test_enabled_falls_back_to_main_s_as_an_option_child() -> None:
    """Under ``[main] enabled=0``, a section with no ``enabled=``, or one whose value dnf refuses
    (the option stays unset), is disabled; one that says so is enabled (checked with dnf in
    `tests/scenarios/test_main_enabled.py`)."""
    main = {"enabled": "0"}
    assert not dnf_enabled({}, main)
    assert [dnf_enabled({"enabled": value}, main) for value in ("maybe", "", "0\f")] == [False] * 3
    assert [dnf_enabled({"enabled": value}, main) for value in ("1", "On", "yes")] == [True] * 3
    assert dnf_enabled({"enabled": "maybe"}, {"enabled": "maybe"})


_LISTS_AND_SUBSTITUTIONS_WITH_LIBDNF = """
import json, sys, libdnf.conf
lists, texts, variables = json.load(sys.stdin)
split = []
for value in lists:
    option = libdnf.conf.OptionStringList(libdnf.conf.VectorString())
    option.set(libdnf.conf.Option.Priority_RUNTIME, value)
    split.append(list(option.getValue()))
print(json.dumps([split, [libdnf.conf.ConfigParser.substitute(text, variables) for text in texts]]))
"""


def _random_texts(alphabet: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(count)]


def test_lists_and_substitutions_are_libdnfs() -> None:
    """`dnf_list_items` splits a list option (``exclude``, ``baseurl``) and `dnf_substituted`
    puts a configuration's variables in as libdnf 0.69 (dnf 4.14's) does, each read in one pass."""
    lists = [
        "a , b",
        "a ,,b",
        "f ,",
        " a, b  c,,d\te\n f ,",
        *_random_texts(["a", " ", ",", "\n", "\t"], 600, 1),
    ]
    texts = [
        "$a${a}$A-$ab-${a:-w}-${a-$$a-$",
        *_random_texts(["$", "{", "}", "a", "A", "_", "1", "-"], 600, 2),
    ]
    variables = {"a": "1", "_": "u", "1a": "2", "A": "3", "a1": "$a"}
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", _LISTS_AND_SUBSTITUTIONS_WITH_LIBDNF],
        input=json.dumps([lists, texts, variables]),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"libdnf (python3-libdnf) is the authority here: {done.stderr}"
    split, substituted = json.loads(done.stdout)
    assert [dnf_list_items(value) for value in lists] == split
    assert [dnf_substituted(text, variables) for text in texts] == substituted
