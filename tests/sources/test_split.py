"""primary.xml parsed in two halves must mean exactly what it means parsed in one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import auditor.sources.repodata as repodata
from auditor.sources import split
from tests.conftest import DATA, rewrite_primary


def read(repo: Path, *, halves: bool, monkeypatch: pytest.MonkeyPatch) -> repodata.RepositoryRead:
    monkeypatch.setattr(repodata, "SPLIT_PRIMARY_FROM", 1 if halves else 1 << 60)
    return repodata.read_repository(str(repo))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(DATA / "repo", target)
    return target


def test_halves_read_what_one_piece_reads(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = read(repo, halves=False, monkeypatch=monkeypatch)
    halves = read(repo, halves=True, monkeypatch=monkeypatch)
    assert halves.packages == whole.packages and halves.errors == whole.errors == []
    assert len(whole.packages) > 10


@pytest.mark.parametrize(
    "disguise",
    [
        "<!-- <package type='rpm'><name>ghost</name></package> -->",
        "<![CDATA[ <package type='rpm'> ]]>",
        "<?comment <package ?>",
    ],
)
def test_a_package_tag_that_is_not_one_is_never_a_cut(
    repo: Path, monkeypatch: pytest.MonkeyPatch, disguise: str
) -> None:
    where: list[int] = []

    def hide(text: str) -> str:  # inside a package, past the middle: the cut's search starts on it
        inside = text.index("<summary>", (len(text) + len(disguise)) // 2 + 1) + len("<summary>")
        where.append(inside)
        return text[:inside] + disguise + text[inside:]

    rewrite_primary(repo, hide, open_size=lambda size: max(size, 2 * where[0]))
    whole = read(repo, halves=False, monkeypatch=monkeypatch)
    halves = read(repo, halves=True, monkeypatch=monkeypatch)
    assert [p.name for p in halves.packages] == [p.name for p in whole.packages]
    assert "ghost" not in {p.name for p in halves.packages}


def test_a_broken_document_is_reported_as_whole_would(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rewrite_primary(repo, lambda text: text.replace("</metadata>", ""))
    with pytest.raises(Exception) as whole:
        read(repo, halves=False, monkeypatch=monkeypatch)
    with pytest.raises(type(whole.value)) as halves:
        read(repo, halves=True, monkeypatch=monkeypatch)
    assert str(halves.value) == str(whole.value)


def test_the_cut_is_the_first_package_tag_after_the_middle() -> None:
    text = (
        b"<metadata>" + b"".join(b"<package type='rpm'>%d</package>" % n for n in range(50)) + b"</metadata>"
    )
    for chunk in (1, 7, 64, 10_000):
        pieces = [text[i : i + chunk] for i in range(0, len(text), chunk)]
        cut_head, cut_tail = split.Cut(), split.Cut()
        head = b"".join(split.head(iter(pieces), len(text) // 2, cut_head))
        tail = b"".join(split.tail(iter(pieces), len(text) // 2, cut_tail))
        assert cut_head.found and cut_tail.found
        assert head.endswith(b"</package></metadata>") and tail.startswith(b"<metadata><package ")
        assert head[: -len(b"</metadata>")] + tail[len(b"<metadata>") :] == text
