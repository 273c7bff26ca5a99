"""The model's direct constructors (`make_package`, `make_dependency`, `make_evr`, `make_checksum`)
make the objects the dataclasses make, and are what a pickle of them names."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from auditor.rpm.model import (
    EVR,
    Checksum,
    Dependency,
    Op,
    Package,
    PackageKind,
    make_checksum,
    make_dependency,
    make_evr,
    make_package,
)


def test_made_directly_the_dataclasses_own() -> None:
    evr, made_evr = EVR(1, "2", "3"), make_evr(1, "2", "3")
    dependency = Dependency("a", Op.GE, evr, frozenset({"prereq"}))
    made_dependency = make_dependency("a", Op.GE, made_evr, frozenset({"prereq"}))
    assert made_evr == evr and hash(made_evr) == hash(evr) and repr(made_evr) == repr(evr)
    assert made_dependency == dependency and hash(made_dependency) == hash(dependency)
    assert make_dependency("b") == Dependency("b")  # the defaults as the dataclass has them
    assert make_checksum("sha256", "ab") == Checksum("sha256", "ab")
    values = ("a", None, "1", "2", "noarch", PackageKind.BINARY, "a.rpm", "repo")
    package = Package(*values, requires=(dependency,), url="https://x")
    made_package = make_package(*values, requires=(dependency,), url="https://x")
    assert type(made_package) is Package and repr(made_package) == repr(package)
    for field in dataclasses.fields(Package):
        assert getattr(made_package, field.name) == getattr(package, field.name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made_package.name = "b"  # type: ignore[misc]


def test_pickled_and_remade_directly() -> None:
    dependency = Dependency("a", Op.EQ, EVR(None, "1", None))
    package = Package("a", 1, "1", "2", "x86_64", PackageKind.BINARY, "a.rpm", "repo", provides=(dependency,))
    data = pickle.dumps([package, dependency], pickle.HIGHEST_PROTOCOL)
    assert b"make_package" in data and b"make_dependency" in data
    again = pickle.loads(data)
    assert again == [package, dependency] and again[0].provides[0] is again[1]
