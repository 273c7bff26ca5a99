"""rpmvercmp and EVR comparison, against rpm's own test vectors and against rpm and libsolv themselves."""

from __future__ import annotations

import pytest
import rpm  # python3-rpm (Debian), through the `rpm` shim of the test extra
import solv
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.rpm.evr import compare_evr, ranges_overlap, rpmvercmp
from auditor.rpm.model import EVR, Op
from tests.paths import TESTS

VECTORS = TESTS / "vercmp.txt"


def _vectors() -> list[tuple[str, str, int]]:
    rows = []
    for line in VECTORS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            a, b, expected = line.split()
            rows.append((a, b, int(expected)))
    return rows


@pytest.mark.parametrize(("a", "b", "expected"), _vectors())
def test_rpm_vectors(a: str, b: str, expected: int) -> None:
    assert rpmvercmp(a, b) == expected


@pytest.mark.parametrize(("a", "b", "expected"), _vectors())
def test_vectors_are_what_rpm_says(a: str, b: str, expected: int) -> None:
    assert rpm.labelCompare(("0", a, "1"), ("0", b, "1")) == expected


def test_epoch_and_release() -> None:
    assert compare_evr(EVR(1, "1.0", "1"), EVR(None, "9.0", "1")) == 1
    assert compare_evr(EVR(None, "1.0", "1"), EVR(0, "1.0", "1")) == 0
    assert compare_evr(EVR(None, "1.0", None), EVR(None, "1.0", "7")) == 0
    assert compare_evr(EVR(None, "1.0", "2"), EVR(None, "1.0", "10")) == -1


@pytest.mark.parametrize(
    ("provide", "require", "expected"),
    [
        ((Op.EQ, "1.0-1"), (Op.GE, "1.0"), True),
        ((Op.EQ, "1.0-1"), (Op.GT, "1.0"), False),  # no release on one side: equal versions
        ((Op.EQ, "1.0-1"), (Op.EQ, "1.0"), True),  # a requirement without release matches any
        ((Op.EQ, "1.0"), (Op.EQ, "1.0-5"), True),
        ((Op.EQ, "1:1.0-1"), (Op.GE, "2.0"), True),  # epoch wins
        ((Op.EQ, "1.0-1"), (Op.GE, "1:0.1"), False),
        ((Op.EQ, "1.0~rc1-1"), (Op.GE, "1.0"), False),
        ((Op.EQ, "1.0^git1-1"), (Op.GT, "1.0"), True),
        ((Op.LT, "2.0"), (Op.GE, "1.0"), True),  # two ranges overlap
        ((Op.LT, "1.0"), (Op.GT, "1.0"), False),
        ((Op.GE, "1.0"), (Op.LE, "1.0"), True),
    ],
)
def test_ranges_overlap(provide: tuple[Op, str], require: tuple[Op, str], expected: bool) -> None:
    assert ranges_overlap(provide[0], EVR.parse(provide[1]), require[0], EVR.parse(require[1])) is expected


# An empty version under an operator: ``x = -1`` is what rpmbuild makes of
# ``x = %{?undefined}-1``. It is no unversioned capability: libsolv (dnf's resolver) compares
# "" as a version below any other but a tilde one. The table is checked against libsolv below.
EMPTY_VERSIONS = [
    ((Op.EQ, "-1"), (Op.GE, "2"), False),
    ((Op.EQ, "-1"), (Op.LT, "1"), True),
    ((Op.EQ, "-1"), (Op.GE, "0"), False),
    ((Op.EQ, "-1"), (Op.EQ, "-1"), True),
    ((Op.EQ, "-1"), (Op.GE, "-1"), True),
    ((Op.EQ, "-1"), (Op.GT, "~1"), True),  # a tilde version sorts below even ""
    ((Op.EQ, "0:-1"), (Op.GE, "2"), False),
    ((Op.EQ, "1:-1"), (Op.GE, "2"), True),  # the epoch still decides first
    ((Op.EQ, "2"), (Op.GE, "-1"), True),
    ((Op.EQ, "2"), (Op.LE, "-1"), False),
    ((Op.EQ, "2"), (Op.EQ, "-2"), False),
    ((Op.EQ, "2"), (Op.LT, ":1"), False),  # ":1" is 0:1 for rpm, "1" for libsolv: the same
    ((Op.LT, "-1"), (Op.GT, "1.0"), False),
    ((Op.EQ, "-"), (Op.GE, "0"), False),
    ((Op.EQ, "1.0"), (Op.GE, ""), True),
    ((Op.EQ, "1.0"), (Op.LT, ""), False),
]


@pytest.mark.parametrize(("provide", "require", "expected"), EMPTY_VERSIONS)
def test_an_empty_version_is_compared(
    provide: tuple[Op, str], require: tuple[Op, str], expected: bool
) -> None:
    assert ranges_overlap(provide[0], EVR.parse(provide[1]), require[0], EVR.parse(require[1])) is expected


@pytest.mark.parametrize(("provide", "require", "expected"), EMPTY_VERSIONS)
def test_empty_versions_are_what_libsolv_says(
    provide: tuple[Op, str], require: tuple[Op, str], expected: bool
) -> None:
    flags = {Op.LT: solv.REL_LT, Op.LE: solv.REL_LT | solv.REL_EQ, Op.EQ: solv.REL_EQ,
             Op.GE: solv.REL_GT | solv.REL_EQ, Op.GT: solv.REL_GT}  # fmt: skip
    pool = solv.Pool()
    pool.setdisttype(solv.Pool.DISTTYPE_RPM)
    solvable = pool.add_repo("p").add_solvable()
    solvable.name, solvable.evr, solvable.arch = "p", "1-1", "noarch"
    solvable.add_deparray(solv.SOLVABLE_PROVIDES, pool.Dep("x").Rel(flags[provide[0]], pool.Dep(provide[1])))
    solvable.repo.internalize()
    pool.createwhatprovides()
    wanted = pool.Dep("x").Rel(flags[require[0]], pool.Dep(require[1]))
    assert bool(pool.whatprovides(wanted)) is expected


def test_unversioned_overlaps_everything() -> None:
    assert ranges_overlap(None, None, Op.LT, EVR.parse("0.1"))
    assert ranges_overlap(Op.EQ, EVR.parse("5"), None, None)


def test_evr_parse() -> None:
    assert EVR.parse("2:1.0-3") == EVR(2, "1.0", "3")
    assert EVR.parse("1.0") == EVR(None, "1.0", None)
    assert EVR.parse(":1.0-1") == EVR(0, "1.0", "1")
    assert EVR.parse("1.0-2.fc40-x") == EVR(None, "1.0-2.fc40", "x")  # release after the last '-'
    assert EVR.parse("a:1.0") == EVR(None, "a:1.0", None)  # not digits: no epoch
    assert str(EVR(3, "1.0~rc1", "1")) == "3:1.0~rc1-1"


# Version strings from the alphabet rpmvercmp cares about: digits, letters, separators, ~ and ^.
versions = st.text(alphabet="0123456789abcz.~^_+-", min_size=0, max_size=12).filter(lambda v: "-" not in v)


@settings(max_examples=3000, deadline=None)
@given(versions.filter(bool), versions.filter(bool))
def test_property_matches_rpm(a: str, b: str) -> None:
    assert rpmvercmp(a, b) == rpm.labelCompare(("0", a, "1"), ("0", b, "1"))


@settings(max_examples=1500, deadline=None)
@given(versions.filter(bool), versions.filter(bool), versions.filter(bool), versions.filter(bool))
def test_property_matches_libsolv(v1: str, r1: str, v2: str, r2: str) -> None:
    pool = solv.Pool()
    pool.setdisttype(solv.Pool.DISTTYPE_RPM)
    repo = pool.add_repo("p")
    left, right = repo.add_solvable(), repo.add_solvable()
    left.name = right.name = "x"
    left.evr, right.evr = f"{v1}-{r1}", f"{v2}-{r2}"
    expected = left.evrcmp(right)
    expected = (expected > 0) - (expected < 0)
    assert compare_evr(EVR(None, v1, r1), EVR(None, v2, r2)) == expected


@given(versions, versions, versions)
def test_property_order_laws(a: str, b: str, c: str) -> None:
    assert rpmvercmp(a, b) == -rpmvercmp(b, a)
    assert rpmvercmp(a, a) == 0
    if rpmvercmp(a, b) <= 0 and rpmvercmp(b, c) <= 0:
        assert rpmvercmp(a, c) <= 0
