"""One metadata file of a createrepo_c repository replaced, with repomd.xml's entry for it
rewritten so that the file passes every check of its checksums and sizes: what the file then
says is all a test looks at."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path


def install_metadata(
    repo: Path, data_type: str, data: bytes, content: bytes, suffix: str, extra: str = ""
) -> None:
    """Make ``data`` (``content`` once decompressed) the file of ``data_type`` in ``repo``,
    named ``<sha256>-{suffix}`` as createrepo_c names it; ``extra`` ends repomd.xml's entry
    (``<database_version>``). The files the entry named before are removed."""
    for old in (repo / "repodata").glob(f"*-{suffix}"):
        old.unlink()
    digest = hashlib.sha256(data).hexdigest()
    href = f"repodata/{digest}-{suffix}"
    (repo / href).write_bytes(data)
    block = (
        f'<data type="{data_type}"><checksum type="sha256">{digest}</checksum>'
        f'<open-checksum type="sha256">{hashlib.sha256(content).hexdigest()}</open-checksum>'
        f'<location href="{href}"/><timestamp>1</timestamp><size>{len(data)}</size>'
        f"<open-size>{len(content)}</open-size>{extra}</data>"
    )
    repomd = repo / "repodata" / "repomd.xml"
    pattern = rf'<data type="{re.escape(data_type)}">.*?</data>'
    repomd.write_text(re.sub(pattern, lambda _: block, repomd.read_text(), flags=re.S))
