"""What a remote package's header gave, kept in the store (`StoredHeaderModels`): a row under
another package's key (its repository, URL or checksum) is damaged, dropped and read again.

Two repositories publish ``foo-1.0-1.noarch``, built alike but for the header's Distribution,
which primary.xml does not carry: XenServer's and a rebuild's. The rebuild's model, copied
under the key of XenServer's (a cache restored or merged by hand), was taken as XenServer's:
the audit of XenServer's repository passed (exit 0), where a cold run blocks on
``distribution: XenServer``. A model of another NEVRA blamed the server's file for it instead,
at every run: "the file's header is X, the repository metadata says Y" (exit 3).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.runtime.store import DATABASE
from tests.httpserver import LocalServer
from tests.rpmbuild import build_noarch
from tests.sources.test_remote import lookups  # noqa: F401 - autouse: only 127.0.0.1 resolves

SPEC = """Name: foo
Version: 1.0
Release: 1
Summary: s
License: MIT
Distribution: {distribution}
BuildArch: noarch
%description
d
%files
"""


def repository(www: Path, name: str, distribution: str) -> None:
    """``www/name/``: a repository of ``foo``, its header's Distribution ``distribution``."""
    top = www.parent / f"build-{name}"
    top.mkdir()
    spec = top / "foo.spec"
    spec.write_text(SPEC.format(distribution=distribution))
    _srpm, rpm = build_noarch(
        spec,
        top,
        [],
        defines={"use_source_date_epoch_as_buildtime": "1", "_buildhost": "fixtures.example.org"},
        environment={"SOURCE_DATE_EPOCH": "1700000000"},
    )
    (www / name).mkdir(parents=True)
    shutil.copy(rpm, www / name / rpm.name)
    subprocess.run(["createrepo_c", "--quiet", str(www / name)], check=True)


def scan(url: str, cache: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any, str]:
    code = main(["scan", url, "--cache-dir", str(cache), "--format", "json", "-q"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out)["packages"], captured.err


def keys(cache: Path) -> set[str]:
    with sqlite3.connect(cache / DATABASE) as db:
        return {key for (key,) in db.execute("SELECT key FROM packages")}


def test_a_stored_header_model_of_another_repositorys_build_is_not_taken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    www, cache = tmp_path / "www", tmp_path / "cache"
    repository(www, "xenserver", "XenServer")
    repository(www, "rebuild", "XCP-ng 83")  # as long as XenServer: the same header size
    with LocalServer(www) as server:
        rebuild = scan(server.url("/rebuild/"), cache, capsys)
        assert rebuild[0] == 0
        (rebuild_key,) = keys(cache)
        cold = scan(server.url("/xenserver/"), cache, capsys)
        assert cold[0] == 1 and cold[1][0]["status"] == "origin"
        (xenserver_key,) = keys(cache) - {rebuild_key}
        with sqlite3.connect(cache / DATABASE) as db:
            db.execute(
                "UPDATE packages SET data = (SELECT data FROM packages WHERE key = ?) WHERE key = ?",
                (rebuild_key, xenserver_key),
            )
        code, packages, err = scan(server.url("/xenserver/"), cache, capsys)
        assert (code, packages) == cold[:2]
        assert "cache: a damaged package entry was dropped and read again" in err
        assert scan(server.url("/xenserver/"), cache, capsys) == cold  # stored again, whole
