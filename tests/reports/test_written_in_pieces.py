"""The SBOMs are the bytes the format's library writes for the same audit.

`auditor.reports.cyclonedx` and `auditor.reports.spdx` write their documents from plain data,
a package at a time; `tests.reports.cyclonedx_library` and `tests.reports.spdx_library` build
them with cyclonedx-python-lib's and spdx-tools' models and serializers, as the auditor did
before. On real RPMs, repositories, source packages and the shipped example, and on synthetic
audits for what they lack (hostile text, twins, licence expressions, no package), the two give
the same bytes, so the libraries stay the authorities on their formats. The model, written a
package at a time too, is held to the document the json module wrote whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from typing import Any

import pytest

from auditor.audit.options import AuditOptions
from auditor.engine import run_audit
from auditor.gate.decision import decide
from auditor.gate.options import GateOptions
from auditor.origin.policy import load_policy
from auditor.reports import cyclonedx, jsonlines, sarif, spdx
from auditor.reports.render import render_pieces
from auditor.reports.text import clean_text, json_utf8_text
from auditor.reports.view import ReportView, build_view
from auditor.rpm.serialize import package_to_json
from tests.conftest import RPMS
from tests.paths import ROOT
from tests.report_cases import TODAY, audit_of, gate_view, view_of
from tests.reports import cyclonedx_library, spdx_library

EXAMPLE = ROOT / "examples" / "xcp-ng-mini"
DATA = ROOT / "tests" / "data"


def scanned(*targets: str, context: tuple[str, ...] = ()) -> ReportView:
    options = AuditOptions(targets=targets, context=context)
    audit = run_audit(options, load_policy())
    return build_view(audit, decide(audit, GateOptions(today=TODAY)))


VIEWS: dict[str, Callable[[], ReportView]] = {
    "example": lambda: scanned(str(EXAMPLE / "repo"), str(EXAMPLE / "srpms")),
    "example-context": lambda: scanned(str(EXAMPLE / "srpms"), context=(str(EXAMPLE / "repo"),)),
    "rpm-fixtures": lambda: scanned(str(RPMS)),
    "repositories": lambda: scanned(str(DATA / "repo"), str(DATA / "srpm-repo"), str(DATA / "repo-zst")),
    "gate": gate_view,
    "hostile": lambda: gate_view(hostile=True),
    "twins-and-hostile-urls": lambda: view_of(
        audit_of(
            [
                {"name": "twin", "url": "https://twin.example/%{name} h\udcffere#a#b"},
                {"name": "twin", "url": "not a url at all \x01", "vendor": "Ünïcödé \U0001f600 \x7f"},
                {"name": "user", "requires": ["twin"], "license": "MIT\udcff"},
                {
                    "name": "quoted",
                    "url": "https://q.example/'a'[b]{c}<d>\"e\"",
                    "bugurl": "https://q.example/",
                },
                {"name": "evil/glibc", "vendor": "Fedora", "sourcerpm": "evil/glibc-1.0-1.src.rpm"},
                {"name": "evil/glibc", "arch": "src"},
            ]
        )
    ),
    "licences": lambda: view_of(
        audit_of(
            [
                {"name": "modern", "license": "GPL-2.0-or-later AND MIT"},
                {"name": "single", "license": "MIT"},
                {"name": "callaway", "license": "GPLv2+"},
                {"name": "broken", "license": "MIT AND (GPL"},
                {"name": "lower", "license": "mit or apache-2.0"},
                {"name": "slug-a", "license": "Foo / Bar"},
                {"name": "slug-b", "license": "Foo - Bar"},
                {"name": "mailer", "vendor": "Someone <someone@example.org>", "license": "Foo / Bar"},
                {"name": "none"},
            ]
        )
    ),
    "context": lambda: view_of(
        audit_of([{"name": "needs", "requires": ["context-lib"]}], [{"name": "context-lib"}])
    ),
    "nothing": lambda: view_of(audit_of([])),
}


SBOMS = {"cyclonedx": (cyclonedx, cyclonedx_library), "spdx": (spdx, spdx_library)}
"""Each SBOM format: its writer, and the reference built with its library."""


@pytest.mark.parametrize("fmt", sorted(SBOMS))
@pytest.mark.parametrize("case", sorted(VIEWS))
def test_the_sbom_is_the_bytes_its_library_writes(case: str, fmt: str) -> None:
    writer, reference = SBOMS[fmt]
    view = VIEWS[case]()
    expected = reference.library_render(view)
    assert writer.render(view) == expected
    assert "".join(str(piece) for piece in render_pieces(fmt, view)) == expected
    with_namespace = reference.library_render(view, purl_namespace="xcp-ng")
    assert writer.render(view, purl_namespace="xcp-ng") == with_namespace


@pytest.mark.parametrize("module", [cyclonedx, spdx], ids=["cyclonedx", "spdx"])
def test_documents_are_written_in_pieces_not_as_one_text(
    module: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A distribution's document is never held whole: one piece per `SPOOL_PIECE` characters."""
    monkeypatch.setattr(jsonlines, "SPOOL_PIECE", 1)
    view = VIEWS["example"]()
    pieces = list(module.render_chunks(view))
    assert len(pieces) > len(view.rows) and "".join(pieces) == module.render(view)


@pytest.mark.parametrize("case", sorted(VIEWS))
def test_spdx_arrays_kept_in_a_file_are_the_same_bytes(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The packages and relationships made once for the namespace's digest wait in a temporary
    file past `spdx.SPOOL_IN_MEMORY`, and are read back in pieces: the same document."""
    monkeypatch.setattr(spdx, "SPOOL_IN_MEMORY", 1)
    monkeypatch.setattr(jsonlines, "SPOOL_PIECE", 7)
    view = VIEWS[case]()
    assert "".join(spdx.render_chunks(view)) == spdx_library.library_render(view)


def test_spdx_arrays_stay_in_memory_where_no_temporary_file_can_be_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A read-only or full temporary directory costs memory, not the document (nor exit 4)."""

    def refused(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(tempfile, "TemporaryFile", refused)
    monkeypatch.setattr(spdx, "SPOOL_IN_MEMORY", 1)
    view = VIEWS["example"]()
    assert "".join(spdx.render_chunks(view)) == spdx_library.library_render(view)


SPOOL_IN_A_SMALL_FILE = """
import hashlib, resource, sys
from auditor.reports import spdx
from tests.report_cases import gate_view
view = gate_view()
spdx.SPOOL_IN_MEMORY = 1000
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
text = "".join(spdx.render_chunks(view)).encode("utf-8", "surrogatepass")
sys.stdout.write(hashlib.sha256(text).hexdigest())
"""


def test_spdx_arrays_stay_in_memory_past_what_the_temporary_file_can_hold() -> None:
    """A temporary file that fills up mid-way (a full disk, a file size limit: here the
    kernel's, RLIMIT_FSIZE, Python ignoring SIGXFSZ) keeps the rest in memory: the same
    document, not ``File too large`` and exit 4."""
    view = gate_view()
    expected = hashlib.sha256("".join(spdx.render_chunks(view)).encode("utf-8", "surrogatepass")).hexdigest()
    child = subprocess.run(
        [sys.executable, "-c", SPOOL_IN_A_SMALL_FILE],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout == expected


def model_reference(view: ReportView) -> str:
    """The model as the auditor wrote it whole, before it was written a package at a time."""
    document: dict[str, Any] = {
        "tool": {"name": "auditor", "version": view.version},
        "inputs": [
            {"path": item.path, "kind": item.kind, "packages": item.packages, "revision": item.revision}
            for item in view.inputs
        ],
        "errors": [{"input": error.source, "message": error.reason} for error in view.errors],
        "packages": [package_to_json(row.package) for row in view.rows],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("case", sorted(VIEWS))
def test_the_model_is_the_document_the_json_module_writes(case: str) -> None:
    view = VIEWS[case]()
    expected = json_utf8_text(model_reference(view))
    assert "".join(str(piece) for piece in render_pieces("model", view)) == expected


@pytest.mark.parametrize("case", sorted(VIEWS))
def test_sarif_is_the_document_the_json_module_writes(case: str) -> None:
    view = VIEWS[case]()
    expected = clean_text(json.dumps(sarif.document(view), indent=2, ensure_ascii=False)) + "\n"
    assert "".join(str(piece) for piece in render_pieces("sarif", view)) == expected
    assert sarif.render(view) == expected
