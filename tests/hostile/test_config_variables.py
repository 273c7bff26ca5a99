"""A repository configuration's variables as a bomb: ``$name`` repeated where ``name`` holds a long
value (a ``--vars-dir`` file's first line may hold 64 KiB) multiplies the configuration's size;
and the substitution itself must stay linear in the text. The configuration is refused with one
line naming it (exit 3), in bounded memory, and the good input beside it is still audited.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.core.errors import ExitCode
from auditor.sources import configvars, dnfini
from tests.hostile.test_hostile import GOOD, GOOD_NEVRA, MIB, baseline_rss, peak_rss

__all__ = ["baseline_rss"]  # the fixture, shared

VALUE = "x" * 60_000
"""A variable's value under the 64 KiB `configvars.MAX_VALUE_BYTES`."""


@pytest.fixture
def variables(tmp_path: Path) -> Path:
    directory = tmp_path / "vars"
    directory.mkdir()
    (directory / "a").write_text(VALUE + "\n")
    return directory


def bomb(tmp_path: Path, key: str, references: int) -> Path:
    """A 40 KiB ``.repo`` file whose ``key`` repeats ``$a``: 1.2 GB once substituted."""
    config = tmp_path / "bomb.repo"
    value = "http://127.0.0.1:9/" + "$a" * references if key == "baseurl" else "$a" * references
    config.write_text(f"[bomb]\nname=bomb\nbaseurl=http://127.0.0.1:9/\n{key}={value}\nenabled=1\n")
    return config


def audited(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, set[str], list[str]]:
    capsys.readouterr()
    code = main(["scan", *args, "--format", "json", "-q", "--no-cache"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    nevras = {package["nevra"] for package in json.loads(captured.out)["packages"]}
    return code, nevras, [line for line in captured.err.splitlines() if "error:" in line]


def test_a_baseurl_of_repeated_variables_is_refused_in_bounded_memory(
    tmp_path: Path, variables: Path, baseline_rss: int
) -> None:
    config = bomb(tmp_path, "baseurl", 20_000)
    code, err, rss = peak_rss(["scan", str(config), str(GOOD), "--vars-dir", str(variables), "--no-cache"])
    assert code == ExitCode.INPUT, err
    assert "internal error" not in err and f"auditor: error: {config}: its variables" in err
    assert rss < baseline_rss + 64 * MIB, f"{rss >> 20} MiB peak, {baseline_rss >> 20} MiB for one RPM"


@pytest.mark.parametrize("key", ["baseurl", "exclude", "include"])
def test_repeated_variables_refuse_the_configuration_and_the_good_input_is_audited(
    key: str, tmp_path: Path, variables: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``include=`` is substituted by yum's reading before the lines it names are read."""
    config = bomb(tmp_path, key, 200)  # 12 MB: under what the memory bound would notice
    code, nevras, errors = audited([str(config), str(GOOD), "--vars-dir", str(variables)], capsys)
    assert code == ExitCode.INPUT
    assert nevras == {GOOD_NEVRA}
    assert len(errors) == 1 and errors[0].startswith(f"auditor: error: {config}: its variables"), errors


def test_a_mirrorlist_of_repeated_variables_is_refused_naming_it(
    tmp_path: Path, variables: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """librepo substitutes the variables of every URL a mirrorlist lists."""
    listing = tmp_path / "mirrors.txt"
    listing.write_text("".join(f"http://127.0.0.1:9/{'$a' * 100}/\n" for _ in range(2)))
    config = tmp_path / "listed.repo"
    config.write_text(f"[listed]\nname=listed\nmirrorlist=file://{listing}\nenabled=1\n")
    code, nevras, errors = audited([str(config), str(GOOD), "--vars-dir", str(variables)], capsys)
    assert code == ExitCode.INPUT
    assert nevras == {GOOD_NEVRA}
    assert any(f"file://{listing}: its variables" in error for error in errors), errors


def test_variables_that_add_little_are_substituted(
    tmp_path: Path, variables: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = bomb(tmp_path, "exclude", 30)  # 1.8 MB in each reader's reading: under the bound
    code, nevras, errors = audited([str(config), str(GOOD), "--vars-dir", str(variables)], capsys)
    assert (code, nevras) == (ExitCode.INPUT, {GOOD_NEVRA})  # the baseurl answers nothing
    assert not any("its variables" in error for error in errors), errors
    assert configvars.MAX_SUBSTITUTED_GROWTH == 4 * MIB


class CountingPattern:
    """`dnfini._DNF_VARIABLE`, counting the characters it scans."""

    def __init__(self) -> None:
        self.scanned = 0
        self.pattern = dnfini._DNF_VARIABLE

    def sub(self, substitute: Callable[[re.Match[str]], str], text: str) -> str:
        self.scanned += len(text)
        return self.pattern.sub(substitute, text)


def test_dnf_substitution_scans_the_text_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """It copied the whole text at each variable: 94 s for a 3.6 MB ``exclude=$basearch...``."""
    counter = CountingPattern()
    monkeypatch.setattr(dnfini, "_DNF_VARIABLE", counter)
    text = "$basearch" * 100_000
    assert dnfini.dnf_substituted(text, {"basearch": "x86_64"}) == "x86_64" * 100_000
    assert counter.scanned == len(text)


class CountingSeparator:
    """`dnfini._LIST_SEPARATOR`, counting the characters its searches pass."""

    def __init__(self) -> None:
        self.scanned = 0
        self.pattern = dnfini._LIST_SEPARATOR

    def search(self, text: str, start: int) -> re.Match[str] | None:
        found = self.pattern.search(text, start)
        self.scanned += (len(text) if found is None else found.end()) - start
        return found


def test_a_dnf_list_is_split_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """It looked for each separator from each item and copied the rest of the value at each:
    7 minutes for a 3.6 MB ``exclude=a,a,...``."""
    counter = CountingSeparator()
    monkeypatch.setattr(dnfini, "_LIST_SEPARATOR", counter)
    value = "a," * 100_000 + "b  , c"
    assert dnfini.dnf_list_items(value) == ["a"] * 100_000 + ["b", "c"]
    assert counter.scanned <= len(value)
