"""What rpm makes of a ``%post -q`` script's text: the package's tags in place of its query
format's references (`auditor.sources.scriptformat`), within a bound on hostile headers."""

from __future__ import annotations

from typing import ClassVar, cast

import pytest

from auditor.core.errors import InputError
from auditor.formats.header import Header, Tag
from auditor.sources.scriptformat import formatted

GROUP, SUMMARY, EPOCH = 1016, Tag.SUMMARY, Tag.EPOCH


class _Header:
    """The few reads `formatted` makes of a header, of fixed values."""

    source = "x.rpm"
    _strings: ClassVar[dict[int, list[str]]] = {Tag.NAME: ["xs"], Tag.VERSION: ["1"], Tag.RELEASE: ["2"], Tag.ARCH: ["noarch"],
                GROUP: ["citrix.com"], SUMMARY: ["updates.xensource.com"]}  # fmt: skip
    present: ClassVar[set[int]] = {*_strings, EPOCH}

    def __init__(self, files: int = 0) -> None:
        self.files = files

    def index_entry(self, tag: int) -> tuple[int, int, int, int]:
        return (4 if tag == EPOCH else 6, 0, 1, 0)

    def raw_strings(self, tag: int) -> list[bytes]:
        return [text.encode() for text in self._strings.get(tag, [])]

    def string(self, tag: int) -> str | None:
        return self._strings.get(tag, [None])[0]

    def ints(self, tag: int) -> tuple[int, ...]:
        return (3,) if tag == EPOCH else ()

    def file_paths(self) -> tuple[str, ...]:
        return tuple(f"/usr/share/{'x' * 100}/{number}" for number in range(self.files))


def test_each_reference_is_the_tags_value() -> None:
    header = cast(Header, _Header())
    text = (
        "https://%{GROUP}/ %-30{summary} %{RPMTAG_GROUP:shescape} %{NEVRA} %{=EPOCH} %{NOSUCHTAG} %%%{GROUP}"
    )
    assert formatted(header, text) == (
        "https://citrix.com/ updates.xensource.com citrix.com xs-3:1-2.noarch 3 %{NOSUCHTAG} %citrix.com"
    )


def test_a_format_growing_past_the_bound_is_an_input_error() -> None:
    header = cast(Header, _Header(files=1000))
    with pytest.raises(InputError, match="query format"):
        formatted(header, "%{FILENAMES}" * 100_000)
