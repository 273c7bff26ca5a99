"""`auditor.rpm.spec.files.Section`: a ``%files`` section indexed by what a path must start
with, whose `Section.may_package` is `may_package` of the whole section.

`auditor check` asks it for each file of the BASE package a new subpackage replaces: one section
of 4,000 globs against 4,000 files walked every glob for each file (35 s, scale63)."""

from __future__ import annotations

import random
from fnmatch import fnmatchcase
from typing import Any

import pytest

from auditor.rpm.spec import files
from auditor.rpm.spec.files import ANY_FILE, Section, may_package

PARTS = ("usr", "share", "bin", "a", "b", "lib", "x.so", "", "doc")


def _path(chance: random.Random) -> str:
    path = "/" + "/".join(chance.choice(PARTS) for _ in range(chance.randint(0, 4)))
    return path + ("/" if chance.random() < 0.1 else "")


def _pattern(chance: random.Random) -> str:
    base, roll = _path(chance), chance.random()
    if roll < 0.2:
        return "!" + base + chance.choice(["", "*", "/*"])  # %exclude
    if roll < 0.3:
        return "=" + base  # %dir
    if roll < 0.35:
        return ANY_FILE
    if roll < 0.45:
        return base + "/{a,b}*"
    if roll < 0.5:
        return "{" + ",".join("x" * length for length in range(70)) + "}"  # past _MOST_EXPANDED
    if roll < 0.55:
        return "rel*"
    if roll < 0.6:
        return base + "[ab]"
    return base + chance.choice(["*", "/*", "?", "", "/**"])


@pytest.mark.parametrize("seed", range(4))
def test_a_section_answers_as_may_package_of_all_its_entries(seed: int) -> None:
    chance = random.Random(seed)
    for _ in range(3000):
        paths = [_path(chance) for _ in range(chance.randint(0, 4))]
        patterns = [_pattern(chance) for _ in range(chance.randint(0, 5))]
        if paths and chance.random() < 0.3:
            patterns.append("=" + chance.choice(paths))  # a %dir of a listed path
        section = Section(paths, patterns)
        for _ in range(5):
            path = _path(chance) if chance.random() < 0.9 else chance.choice(["", "rel", "relx/y", "x"])
            assert section.may_package(path) == may_package(path, paths, patterns), (path, paths, patterns)


def test_a_section_of_many_globs_hands_each_path_the_few_it_meets(monkeypatch: pytest.MonkeyPatch) -> None:
    count = 500
    patterns = [f"/usr/share/d{index}/*" for index in range(count)] + ["!/usr/share/d7/f", "=/usr/lib"]
    section = Section(["/usr/lib", "/etc/x.conf"], patterns)
    handed = 0
    whole = files.may_package

    def counted(path: str, paths: Any, given: Any) -> bool:
        nonlocal handed
        handed += len(paths) + len(given)
        return whole(path, paths, given)

    monkeypatch.setattr(files, "may_package", counted)
    packaged = [path for index in range(count) if section.may_package(path := f"/usr/share/d{index}/f")]
    assert len(packaged) == count - 1 and "/usr/share/d7/f" not in packaged  # the %exclude
    assert section.may_package("/usr/lib") and not section.may_package("/usr/lib/libx.so")  # %dir alone
    assert section.may_package("/etc/x.conf") and not section.may_package("/etc/y.conf")
    assert handed < 4 * count, handed  # not the 502 entries for each path


def _fnmatch_every_glob(ancestors: list[str], patterns: list[str]) -> bool:
    """`files._matches` as it was before it looked at a glob's head: fnmatch asked of every glob."""
    for pattern in patterns:
        expanded = files._braces(pattern)
        if expanded is None or any(fnmatchcase(item, glob) for glob in expanded for item in ancestors):
            return True
    return False


HEADS = ("/usr/", "/usr/share/", "/etc/yum.repos.d/", "", "rel", "/", "[", "/usr/[")
PIECES = ("*", "?", "[ab]", "[!a]", "[", "]", "{a,b}", "{", "}", ",", "a", "b", "x.repo", "/", "//", "\\", ".")  # fmt: skip


@pytest.mark.parametrize("seed", range(4))
def test_a_glob_is_asked_only_of_paths_starting_with_its_head_and_answers_the_same(seed: int) -> None:
    chance = random.Random(seed)
    for _ in range(4000):
        patterns = [
            chance.choice(HEADS) + "".join(chance.choice(PIECES) for _ in range(chance.randint(0, 5)))
            for _ in range(chance.randint(1, 3))
        ]
        path = chance.choice(HEADS) + "".join(chance.choice(PIECES[6:]) for _ in range(chance.randint(0, 4)))
        ancestors = [path]
        while "/" in ancestors[-1].strip("/"):
            ancestors.append(ancestors[-1].rsplit("/", 1)[0])
        expected = _fnmatch_every_glob(ancestors, patterns)
        assert files._matches(ancestors, patterns) == expected, (path, patterns)


def test_a_glob_whose_head_no_path_starts_with_is_never_compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def counted(name: str, glob: str) -> bool:
        asked.append(glob)
        return fnmatchcase(name, glob)

    monkeypatch.setattr(files, "fnmatchcase", counted)
    globs = [f"/usr/lib/python3/site-packages/m{index}/*.py" for index in range(200)]
    globs.append("/etc/yum.repos.d/*.repo")
    assert may_package("/etc/yum.repos.d/probe.repo", [], globs)
    assert asked == ["/etc/yum.repos.d/*.repo"]
