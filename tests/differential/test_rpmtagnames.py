"""The tag names a query format reads (``%post -q``: `auditor.sources.scriptformat`) are rpm's own:
each name ``rpm --querytags`` lists, asked of the installed librpm's ``rpmTagGetValue``."""

from __future__ import annotations

import ctypes
import ctypes.util
import shutil
import subprocess

from auditor.formats.rpmtagnames import TAG_NUMBERS


def test_the_tag_names_are_librpms() -> None:
    assert shutil.which("rpm"), "rpm is the authority here: install rpm (Debian package rpm)"
    name = ctypes.util.find_library("rpm")
    assert name is not None, "librpm is not installed (Debian package librpm9, which rpm depends on)"
    library = ctypes.CDLL(name)
    library.rpmTagGetValue.argtypes = [ctypes.c_char_p]
    library.rpmTagGetValue.restype = ctypes.c_int32
    names = subprocess.run(["rpm", "--querytags"], capture_output=True, text=True, check=True).stdout.split()
    assert len(names) > 200
    assert {tag: library.rpmTagGetValue(tag.encode()) for tag in names} == TAG_NUMBERS
