"""A redirect goes where curl goes (red team rt37).

curl, which dnf's librepo, rpmbuild and spectool fetch with, reads a ``Location`` with a scheme
and one to three slashes (``http:/host/x``) as an absolute URL on that host; ``urljoin`` and
browsers keep the current host (``http://current/host/x``). Resolved the second way, a Source on a
neutral host that redirects to ``https:/code.citrite.net/...`` led nowhere under
``--resolve-urls``, while rpmbuild downloads the file from Citrix.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.audit.options import AuditOptions
from auditor.audit.pipeline import audit_packages
from auditor.net.http import HttpClient
from auditor.net.options import HttpSettings, RemoteOptions
from auditor.net.remote import Remote
from auditor.origin.policy import load_policy
from auditor.origin.redirects import UrlResolver, policy_guard
from auditor.sources.interface import LoadResult
from auditor.sources.rpmpackage import read_rpm_file
from tests.conftest import RPMS
from tests.httpserver import LocalServer, redirect


@pytest.mark.parametrize("slashes", ["/", "///"])
def test_a_location_with_one_or_three_slashes_is_on_the_host_that_follows(
    slashes: str, tmp_path: Path
) -> None:
    (tmp_path / "landed").write_text("other\n")
    with LocalServer(tmp_path) as first, LocalServer(tmp_path) as other:
        first.routes["/go"] = redirect(f"http:{slashes}127.0.0.1:{other.port}/landed")
        curl = shutil.which("curl")
        assert curl, "curl is the authority here"
        done = subprocess.run(
            [curl, "-sSL", "--max-time", "20", first.url("/go")], capture_output=True, text=True, check=False
        )
        assert done.stdout == "other\n" and other.paths() == ["/landed"], done.stderr
        _status, target = HttpClient(HttpSettings(backoff=0.01)).probe(first.url("/go"))
    assert target == f"http://127.0.0.1:{other.port}/landed"


def test_a_url_redirected_to_citrix_with_one_slash_is_a_finding(tmp_path: Path) -> None:
    policy = load_policy()
    remote = Remote(
        RemoteOptions(http=HttpSettings(backoff=0.01), cache_dir=str(tmp_path)), policy_guard(policy)
    )
    package = read_rpm_file(str(RPMS / "conflicts-obsoletes-2.0-1.noarch.rpm"))
    with LocalServer(tmp_path) as server:
        server.routes["/home"] = redirect("https:/code.citrite.net/rest/archive/x.tar.gz")
        loaded = LoadResult(packages=[replace(package, url=server.url("/home"), bugurl=None)])
        audit = audit_packages(
            AuditOptions(("x",)),
            policy,
            loaded,
            LoadResult(),
            extra_findings=UrlResolver(policy, remote).findings,
        )
    [finding] = [f for f in audit.results[0].findings if f.field == "url"]
    assert finding.rule == "citrix-internal-host"
    assert finding.value == f"{server.url('/home')} -> https://code.citrite.net/rest/archive/x.tar.gz"
