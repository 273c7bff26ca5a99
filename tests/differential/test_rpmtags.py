"""The tag table hdrchkTagType checks types against is rpm's own: asked of the installed librpm."""

from __future__ import annotations

import ctypes
import ctypes.util

import pytest

from auditor.formats.rpmtags import TAG_TYPES

# Tags rpm 6 added after the rpm whose librpm may be installed (4.18 here): the auditor's table
# is generated from rpm 6's rpmtag.h, so it checks their types where an older rpm does not.
NEWER_THAN_4_18 = {63, 278, 279, *range(5103, 5110), *range(5112, 5125)}


@pytest.fixture(scope="module")
def librpm() -> ctypes.CDLL:
    name = ctypes.util.find_library("rpm")
    if name is None:
        pytest.fail("librpm is not installed (Debian package librpm9, which rpm depends on)")
    library = ctypes.CDLL(name)
    library.rpmTagGetTagType.argtypes = [ctypes.c_int32]
    library.rpmTagGetTagType.restype = ctypes.c_uint32
    return library


def test_the_tag_types_are_librpms(librpm: ctypes.CDLL) -> None:
    installed = {tag: librpm.rpmTagGetTagType(tag) for tag in range(70000)}
    installed = {tag: type_ for tag, type_ in installed.items() if type_}
    assert len(installed) > 200, "librpm knows fewer tags than rpm 4.18 did"
    assert {tag: TAG_TYPES.get(tag) for tag in installed} == installed
    assert set(TAG_TYPES) - set(installed) <= NEWER_THAN_4_18
