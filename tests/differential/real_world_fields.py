"""Every header field the policy reads, the auditor against ``rpm -qp`` (not a pytest module).

usage: python tests/differential/real_world_fields.py DIR [--out FILE.jsonl]

real_world.py compares the NEVRA alone; this compares, for every ``*.rpm`` below DIR, what the
policy judges: the origin fields (vendor, packager, url, bugurl, license, distribution,
buildhost, sourcerpm, buildtime, vcs, disturl, translationurl, upstreamreleases) of the JSON
report and the model, the eight dependency kinds with their comparison, EVR and qualifier
words (``%{REQUIREFLAGS:deptype}``), the signing key ids (every one of the RSA, DSA, PGP and
GPG signature tags), and for a source RPM the Source and Patch values the auditor lists
against the header's SOURCE and PATCH tags (what rpmbuild expanded). A file rpm refuses
(``rpm -qp`` without ``--nosignature --nodigest``) the auditor must refuse too (exit 3), and
the other way round; exit 4 or a traceback is a crash whatever the file. Every ``*.spec``: the
origin fields of its source package and of each binary against ``rpmspec -q --srpm`` and
``rpmspec -q --builtrpms`` (the auditor's value or one of its alternatives).

Files are scanned in batches (one bad file never hides the others', which this also checks:
each file of a batch must be a package or a named error); a file a batch could not read is
scanned alone to see its exit code. Each file's differences are printed, one line per field,
and counted at the end; ``--out`` writes one JSON line per file.

On 2026-12-01 (rpm 4.18): 1,384 RPM files (522 distinct) from the test data of rpm, rpm-rs,
createrepo_c, libdnf, dnf, rpmlint, Katello, pulp-fixtures, spacewalk, libzypp, go-rpm,
go-rpmutils, rekor, syft, osc, obs-build and others (Debian source packages, PyPI sdists,
GitHub copies), 1,106 source RPMs and 1,608 binaries rpmbuild made from their 1,205 distinct
specs: nothing crashed, every field and dependency agreed. The only differences were
signatures rpm 4.18 cannot read (rpm 6's OPENPGP tag, ECDSA, Ed25519, ML-DSA), whose keys
the auditor reports on purpose. The 1,491 specs (not symlinks): 1,373 source and 3,306 binary
packages agreed with rpmspec; the 25 specs read as no package, rpmspec refuses too. Making this
script found an origin tag's other strings (an I18NSTRING's translations, a STRING_ARRAY's
others) not judged (``test_header_strings.py``) and a spec's SourceLicense not taken as the
source package's License (``test_spec_source_license.py``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.differential.real_world import expanded_sources

ORIGIN_FIELDS = (
    "vendor", "packager", "url", "bugurl", "license", "distribution", "buildhost",
    "sourcerpm", "buildtime", "vcs", "disturl", "translationurl", "upstreamreleases",
)  # fmt: skip
DEP_KINDS = {
    "requires": "REQUIRE", "provides": "PROVIDE", "conflicts": "CONFLICT", "obsoletes": "OBSOLETE",
    "recommends": "RECOMMEND", "suggests": "SUGGEST", "supplements": "SUPPLEMENT", "enhances": "ENHANCE",
}  # fmt: skip
SIGNATURE_TAGS = ("RSAHEADER", "DSAHEADER", "SIGPGP", "SIGGPG")
FIELD_SEP = "\x1e"
ITEM_SEP = "\x1f"
VALUE_SEP = "\x1d"
# deptype words that are not qualifiers: "auto" (a generator wrote it), "manual" (no word).
NOT_QUALIFIERS = {"auto", "manual"}
BATCH = 64
SEEN: Counter[str] = Counter()
"""What the files held (not differences): source RPMs, signed packages."""


def query_format() -> str:
    # Each string of the tag (a STRING_ARRAY has several): the first is the field, the others
    # must be among the model's alternatives, which the policy judges too.
    parts = [f"[%{{{field.upper()}}}{VALUE_SEP}]" for field in ORIGIN_FIELDS]
    for tag in DEP_KINDS.values():
        parts.append(
            f"[%{{{tag}NAME}}{ITEM_SEP}%{{{tag}FLAGS:depflags}}{ITEM_SEP}"
            f"%{{{tag}VERSION}}{ITEM_SEP}%{{{tag}FLAGS:deptype}}{ITEM_SEP}]"
        )
    parts += [f"%{{{tag}:pgpsig}}" for tag in SIGNATURE_TAGS]
    parts += [f"[%{{SOURCE}}{ITEM_SEP}]", f"[%{{PATCH}}{ITEM_SEP}]", "%{SOURCEPACKAGE}", "%{SPEC}"]
    return FIELD_SEP.join(parts)


def as_text(value: str) -> str:
    """rpm's bytes as the auditor reads header text: UTF-8, else Latin-1 (as createrepo_c)."""
    raw = value.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def rpm_reads(path: Path) -> bool:
    # On standard input: rpm expands macros in a path argument (a file named "a-%{rel}.rpm").
    with path.open("rb") as stdin:
        return subprocess.run(["rpm", "-qp", "-"], stdin=stdin, capture_output=True).returncode == 0


def rpm_fields(path: Path) -> dict[str, Any]:
    with path.open("rb") as stdin:
        done = subprocess.run(
            ["rpm", "-qp", "--nosignature", "--nodigest", "--qf", query_format(), "-"],
            stdin=stdin,
            capture_output=True,
            text=True,
            errors="surrogateescape",
        )
    values = [as_text(value) for value in done.stdout.split(FIELD_SEP)]
    if len(values) != len(ORIGIN_FIELDS) + len(DEP_KINDS) + len(SIGNATURE_TAGS) + 4:
        raise ValueError(f"rpm -qp --qf: {len(values)} fields: {done.stderr.strip()[-200:]}")
    result: dict[str, Any] = {}
    for field in ORIGIN_FIELDS:
        strings = values.pop(0).split(VALUE_SEP)[:-1]
        result[field] = None if strings in ([], ["(none)"]) else strings[0]
        result[f"{field} others"] = strings[1:]
    if result["buildtime"] is not None:
        result["buildtime"] = int(result["buildtime"])
    for kind in DEP_KINDS:
        items = values.pop(0).split(ITEM_SEP)[:-1]
        deps = set()
        for i in range(0, len(items), 4):
            name, op, evr, words = items[i : i + 4]
            qualifiers = frozenset(words.split(",")) - NOT_QUALIFIERS
            deps.add((name, op.strip() or None, evr or None, tuple(sorted(qualifiers))))
        result[kind] = deps
    keys = []
    for _ in SIGNATURE_TAGS:
        value = values.pop(0)
        if "Key ID " in value:
            keys.append(value.rsplit("Key ID ", 1)[1].strip().lower())
    result["signing_keys"] = keys
    sources = [v for v in values.pop(0).split(ITEM_SEP) if v]
    patches = [v for v in values.pop(0).split(ITEM_SEP) if v]
    result["sources"] = (sorted(sources), sorted(patches))
    # SOURCEPACKAGE is rpm >= 4.? alone; an older source RPM is one without SOURCERPM.
    result["source_package"] = values.pop(0) != "(none)" or result["sourcerpm"] is None
    spec = values.pop(0)
    result["spec"] = None if spec == "(none)" else spec
    return result


def auditor_dep(dep: dict[str, Any]) -> tuple[str, str | None, str | None, tuple[str, ...]]:
    # rpm has no word for the keyring bit in deptype (it prints nothing for it).
    qualifiers = tuple(sorted(set(dep.get("qualifiers", ())) - {"keyring"}))
    return (dep["name"], dep.get("op"), dep.get("evr"), qualifiers)


def compare(path: Path, report: dict[str, Any], model: dict[str, Any]) -> dict[str, str]:
    """Field name -> what differs, for one package read from PATH."""
    expected = rpm_fields(path)
    differ: dict[str, str] = {}
    SEEN.update(f"with {field}" for field in (*ORIGIN_FIELDS, *DEP_KINDS) if expected[field])
    # rpm's headerIsSource(): a header without SOURCERPM is a source package, whatever the lead says.
    kind = "source" if expected["sourcerpm"] is None else "binary"
    if report.get("kind") != kind or model.get("kind") != kind:
        differ["kind"] = f"rpm {kind}, report {report.get('kind')}, model {model.get('kind')}"
    for field in ORIGIN_FIELDS:
        want = expected[field]
        got_model = model.get(field)
        got_report = report.get(field, got_model) if field != "buildtime" else got_model
        if field == "sourcerpm" and expected["source_package"]:
            want = None
        if got_model != want or got_report != want:
            differ[field] = f"rpm {want!r}, report {got_report!r}, model {got_model!r}"
        others = set(expected[f"{field} others"]) - {
            value for name, value in model.get("alternatives", ()) if name == field
        }
        if others:
            differ[f"{field} others"] = f"rpm's other strings {sorted(others)} not among the alternatives"
    for kind in DEP_KINDS:
        got_deps = {auditor_dep(dep) for dep in model.get(kind, [])}
        want_deps = expected[kind]
        if got_deps != want_deps:
            differ[kind] = (
                f"rpm only {sorted(want_deps - got_deps)[:4]}, auditor only {sorted(got_deps - want_deps)[:4]}"
            )
    if expected["signing_keys"] or report.get("signing_keys"):
        SEEN["signed (rpm or the auditor)"] += 1
    if sorted(report.get("signing_keys", [])) != sorted(set(expected["signing_keys"])) or report.get(
        "signing_key"
    ) != (expected["signing_keys"][0] if expected["signing_keys"] else None):
        differ["signing_keys"] = (
            f"rpm {expected['signing_keys']}, auditor {report.get('signing_key')} {report.get('signing_keys')}"
        )
    if expected["source_package"]:
        # rpmbuild's addSource keeps a value's file name alone in the header (after its last /).
        listed = report.get("sources", [])
        got = (
            sorted(s["value"].rsplit("/", 1)[-1] for s in listed if s["kind"] == "source"),
            sorted(s["value"].rsplit("/", 1)[-1] for s in listed if s["kind"] == "patch"),
        )
        SEEN["source rpms, sources in header" if any(expected["sources"]) else "source rpms, none"] += 1
        gaps = sorted({gap["kind"] for gap in report.get("gaps", [])})
        if got != expected["sources"]:
            differ["sources"] = f"rpm {expected['sources']}, auditor {got}, gaps {gaps}"
        if expected["spec"] is not None:
            # rpm >= 4.15 keeps the spec it parsed (expanded) in SPEC: the whole values, URLs
            # and all, that the header's SOURCE and PATCH tags cut to file names.
            SEEN["source rpms with a SPEC tag"] += 1
            whole = expanded_sources(expected["spec"])
            found = {s["value"] for s in listed}
            if whole != found:
                differ["spec-tag sources"] = (
                    f"SPEC only {sorted(whole - found)}, auditor only {sorted(found - whole)}, gaps {gaps}"
                )
    return differ


def scan(paths: list[Path], output: str) -> tuple[int, dict[str, Any] | None, str]:
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", *map(str, paths), "--format", output, "-q", "--no-cache"],
        capture_output=True,
        text=True,
        errors="replace",
    )
    try:
        document = json.loads(done.stdout) if done.stdout.strip() else None
    except json.JSONDecodeError:
        document = None
    return done.returncode, document, done.stderr


def crashed(code: int, err: str) -> str | None:
    return f"crash: exit {code}: {err.strip()[-300:]}" if code == 4 or "Traceback" in err else None


def by_input(document: dict[str, Any] | None) -> dict[str, list[dict[str, Any]]]:
    """Each input's packages, the one read from its file first: a source RPM given alone is audited
    with the binaries its spec builds, which share its input."""
    packages: dict[str, list[dict[str, Any]]] = {}
    for package in (document or {}).get("packages", []):
        packages.setdefault(package.get("input", ""), []).append(package)
    for rows in packages.values():
        rows.sort(key=lambda row: row.get("kind") != "source")
    return packages


def check_alone(path: Path) -> dict[str, str]:
    """A file its batch did not read as a package: its own exit code, against rpm."""
    code, document, err = scan([path], "json")
    if crash := crashed(code, err):
        return {"crash": crash}
    read = document is not None and bool(document["packages"])
    refused = not read
    if refused and code != 3:
        return {"refusal": f"exit {code} with no package: {err.strip()[-200:]}"}
    if refused and rpm_reads(path):
        return {"refusal": f"the auditor refuses, rpm reads it: {err.strip()[-200:]}"}
    if refused and len(err.strip().splitlines()) != 1:
        return {"refusal": f"not one line: {err.strip()[-300:]}"}
    return {}


def check_batch(paths: list[Path]) -> dict[Path, dict[str, str]]:
    results: dict[Path, dict[str, str]] = {}
    code_r, report, err_r = scan(paths, "json")
    code_m, model, err_m = scan(paths, "model")
    batch_crash = crashed(code_r, err_r) or crashed(code_m, err_m)
    reports, models = by_input(report), by_input(model)

    def one(path: Path) -> tuple[Path, dict[str, str]]:
        found_r, found_m = reports.get(str(path), []), models.get(str(path), [])
        if not found_r or not found_m:
            return path, check_alone(path)
        try:
            differ = compare(path, found_r[0], found_m[0])
        except ValueError as exc:
            return path, {"rpm-query": str(exc)}
        if not rpm_reads(path):
            differ["refusal"] = "rpm refuses it, the auditor reads it"
        return path, differ

    with ThreadPoolExecutor(4) as pool:
        results.update(pool.map(one, paths))
    if batch_crash and not any("crash" in r for r in results.values()):
        results[paths[0]].setdefault("crash", f"in a batch: {batch_crash}")
    return results


SPEC_FIELDS = ("vendor", "packager", "url", "bugurl", "vcs", "license", "distribution")
SPEC_SEP = "|~|"  # rpmspec's --qf prints control characters escaped


def rpmspec_fields(spec: Path, *options: str) -> list[tuple[str, dict[str, str | None]]] | None:
    query = SPEC_SEP.join(["%{NAME}", *(f"%{{{field.upper()}}}" for field in SPEC_FIELDS)]) + "\n"
    done = subprocess.run(
        ["rpmspec", "-q", *options, "--qf", query, str(spec)],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
    )
    if done.returncode != 0:
        return None
    rows = [line.split(SPEC_SEP) for line in done.stdout.splitlines()]
    return [
        (
            name,
            {
                field: None if value == "(none)" else value
                for field, value in zip(SPEC_FIELDS, values, strict=True)
            },
        )
        for name, *values in rows
        if len(values) == len(SPEC_FIELDS)
    ]


def check_spec_batch(paths: list[Path]) -> dict[Path, dict[str, str]]:
    """The origin fields of each package of each spec, against ``rpmspec -q --srpm`` (the source
    package) and ``rpmspec -q --builtrpms``: the auditor's value, or one of its alternatives
    (what it judges too). A package rpmspec names that the auditor did not read is counted."""
    code, model, err = scan(paths, "model")
    batch_crash = crashed(code, err)
    models = by_input(model)
    results: dict[Path, dict[str, str]] = {}
    for path in paths:
        differ: dict[str, str] = {}
        packages = models.get(str(path), [])
        if not packages:
            SEEN["specs not read"] += 1
            if rpmspec_fields(path, "--srpm") is not None:
                differ["refusal"] = "rpmspec reads it, the auditor read no package"
            results[path] = differ
            continue
        for options, kind in ((("--srpm",), "source"), (("--builtrpms",), "binary")):
            expected = rpmspec_fields(path, *options)
            if expected is None:
                SEEN[f"specs rpmspec refuses ({kind})"] += 1
                continue
            for name, fields in expected:
                found = [p for p in packages if p["name"] == name and p["kind"] == kind]
                if not found:
                    SEEN[f"{kind} packages rpmspec names, not read"] += 1
                    continue
                SEEN[f"{kind} packages compared"] += 1
                package = found[0]
                others = {tuple(pair) for pair in package.get("alternatives", ())}
                for field, want in fields.items():
                    if want is None or package.get(field) == want or (field, want) in others:
                        continue
                    gaps = sorted({gap["kind"] for gap in package.get("gaps", [])})
                    differ[f"{kind} {field}"] = (
                        f"{name}: rpmspec {want!r}, auditor {package.get(field)!r}, gaps {gaps}"
                    )
        results[path] = differ
    if batch_crash:
        results[paths[0]].setdefault("crash", f"in a batch: {batch_crash}")
    return results


def main(argv: list[str]) -> int:
    root = Path(argv[0])
    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else None
    # A symlink to a file also named is left out: the auditor reads one file named twice once.
    rpms = sorted({p.resolve(): p for p in sorted(root.rglob("*.rpm"), reverse=True) if p.is_file()}.values())
    specs = sorted(
        {p.resolve(): p for p in sorted(root.rglob("*.spec"), reverse=True) if p.is_file()}.values()
    )
    counts: Counter[str] = Counter()
    sink = out.open("w") if out else None
    batches = [(check_batch, rpms[start : start + BATCH]) for start in range(0, len(rpms), BATCH)]
    batches += [(check_spec_batch, specs[start : start + BATCH]) for start in range(0, len(specs), BATCH)]
    for check, batch in batches:
        for path, differ in check(batch).items():
            counts["files"] += 1
            counts["agree" if not differ else "differ"] += 1
            for field, what in sorted(differ.items()):
                counts[f"differ:{field}"] += 1
                print(f"{path}: {field}: {what}")
            if sink:
                sink.write(json.dumps({"path": str(path), "differ": differ}) + "\n")
        sys.stdout.flush()
    if sink:
        sink.close()
    print(json.dumps(dict(sorted((counts + SEEN).items())), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
