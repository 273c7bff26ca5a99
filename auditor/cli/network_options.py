"""The command line's network options: the "remote repositories and URLs" group of every
audit command, its size and timeout values, and the `RemoteOptions` they make.

Each value is checked here, where argparse can name the option (exit code 2).
"""

from __future__ import annotations

import argparse
import re

from auditor.net.budget import DEFAULT_PER_PACKAGE, DEFAULT_PER_RUN
from auditor.net.options import (
    DEFAULT_MAX_DOWNLOAD,
    MAX_PARALLEL_REQUESTS,
    PARALLEL_REQUESTS,
    HttpSettings,
    RemoteOptions,
)
from auditor.sources.configvars import parse_assignment, read_vars_dirs


def add_network_options(command: argparse.ArgumentParser) -> None:
    """The "remote repositories and URLs" group, in the order ``--help`` shows it."""
    network = command.add_argument_group(
        "remote repositories and URLs",
        "URLs (http/https) and .repo/yum.conf files are read over the network; a host the policy "
        "names is never contacted, no credentials are ever sent, only http(s) redirects are followed",
    )
    network.add_argument(
        "--resolve-urls",
        action="store_true",
        help="follow the redirects of each Source and Patch and of each URL tag (URL, BugURL, VCS, "
        "DistURL...); a chain reaching a policy host is a finding (off by default: no request the "
        "user did not ask for)",
    )
    network.add_argument(
        "--remote-headers",
        action="store_true",
        help="also read the headers of remote binary RPMs with range requests (signing key, "
        "Distribution), even when no policy rule needs them",
    )
    _add_limits(network)
    network.add_argument(
        "--cache-dir",
        metavar="DIR",
        type=_directory,
        help="download cache (default: $XDG_CACHE_HOME/auditor)",
    )
    network.add_argument(
        "--offline",
        action="store_true",
        help="use the download cache only: missing metadata is an input error, a missing package "
        "header or payload spec a gap (the audit is incomplete)",
    )
    network.add_argument(
        "--max-download",
        metavar="SIZE",
        type=_size,
        default=DEFAULT_MAX_DOWNLOAD,
        help="ceiling for a metadata file whose size repomd.xml does not give (default: 2G)",
    )
    network.add_argument(
        "--releasever", metavar="VERSION", type=_value, help="$releasever in .repo files and yum.conf"
    )
    network.add_argument(
        "--var",
        metavar="NAME=VALUE",
        action="append",
        type=_assignment,
        default=[],
        help="$NAME in .repo files and yum.conf (repeatable; over --vars-dir's)",
    )
    network.add_argument(
        "--vars-dir",
        metavar="DIR",
        action="append",
        default=[],
        help="variables as dnf's varsdir holds them, one file each, its first line the value "
        "(repeatable, later ones winning; e.g. /etc/dnf/vars: none of this host's are read unless given)",
    )
    network.add_argument(
        "--basearch",
        metavar="ARCH",
        type=_value,
        help="$basearch in .repo files (default: the base architecture of --arch, else x86_64)",
    )


def _add_limits(network: argparse._ArgumentGroup) -> None:
    """How much a run may download to find specs, and how long and how slowly a request may run."""
    network.add_argument(
        "--spec-download-budget",
        metavar="SIZE",
        type=_size,
        default=DEFAULT_PER_PACKAGE,
        help="most of one remote package's payload read: a source package's for its spec (the "
        "only one when its header has none, rpm < 4.15; else the one a rebuild parses again), a "
        "binary's for the repositories and keys it installs; what lies past it is a gap (default: 256M)",
    )
    network.add_argument(
        "--spec-download-total",
        metavar="SIZE",
        type=_size,
        default=DEFAULT_PER_RUN,
        help="most payload bytes the whole run downloads for specs, repositories and keys (default: 2G)",
    )
    network.add_argument(
        "--timeout",
        metavar="SECONDS[,READ]",
        type=_timeouts,
        default=(10.0, 30.0),
        help="connect and read timeouts (default: 10,30)",
    )
    network.add_argument(
        "--min-rate",
        metavar="RATE",
        type=_rate,
        default=HttpSettings.min_rate,
        help="bytes a second a download must keep up over each read-timeout window, or it is "
        "aborted, as dnf's minrate (default: 1000; sizes as for --max-download; 0: no minimum)",
    )
    network.add_argument(
        "--retries",
        metavar="N",
        type=_retries,
        default=HttpSettings.attempts - 1,
        help="retries of a request after a connection error, timeout, slow or cut body or 5xx "
        f"answer, with back-off (0 to {MAX_RETRIES}, default: {HttpSettings.attempts - 1}; at most "
        f"{HttpSettings.retry_budget} in the whole run)",
    )
    network.add_argument(
        "--parallel-requests",
        metavar="N",
        type=_parallel_requests,
        default=PARALLEL_REQUESTS,
        help="requests made at once to one server for package headers (default: "
        f"{PARALLEL_REQUESTS}; at most {MAX_PARALLEL_REQUESTS}): more make a scan of a distant "
        "repository faster",
    )


_BASEARCH = {
    **dict.fromkeys(("i386", "i486", "i586", "i686", "athlon", "geode", "pentium3", "pentium4"), "i386"),
    **dict.fromkeys(("amd64", "ia32e", "x86_64", "x86_64_v2", "x86_64_v3", "x86_64_v4"), "x86_64"),
    **dict.fromkeys(("armv6hl", "armv7hl", "armv7hnl", "armv8hl"), "armhfp"),
    **dict.fromkeys(("armv5tel", "armv5tejl", "armv6l", "armv7l", "armv8l"), "arm"),
}
"""dnf's ``$basearch`` of an rpm architecture (libdnf's arch map) where it is not the
architecture itself (``aarch64``, ``ppc64le``, ``s390x``...)."""
_MULTILIB = {"x86_64": "i386", "ppc64": "ppc", "s390x": "s390", "sparc64": "sparc"}
"""A base architecture and the 32-bit one whose packages its hosts install beside their own."""


def basearch(args: argparse.Namespace, arches: tuple[str, ...]) -> str | None:
    """``$basearch``: ``--basearch``, else that of the host architectures the run audits for, as
    dnf on such a host expands it (reading ``.../x86_64/`` for an aarch64 host would audit what
    it never installs, and miss what it does), else ``x86_64``. None for hosts of several base
    architectures: a ``.repo`` URL with ``$basearch`` then asks for ``--basearch``."""
    if args.basearch:
        return str(args.basearch)
    bases = {_BASEARCH.get(arch, arch) for arch in arches if arch != "noarch"}
    # A 64-bit host installs its 32-bit multilib packages from its own repository (dnf on x86_64
    # reads .../x86_64/ for i686 packages): --arch x86_64 --arch i686 is an x86_64 host.
    bases -= {compat for base, compat in _MULTILIB.items() if base in bases}
    found = sorted(bases)
    if len(found) > 1:
        return None
    return found[0] if found else "x86_64"


def remote_options(args: argparse.Namespace, arches: tuple[str, ...] = ()) -> RemoteOptions:
    """What the network options of ``args`` ask of the run's remote reads, for a run that
    audits for hosts of ``arches``. Raise `InputError` for a ``--vars-dir`` that cannot be read."""
    variables = read_vars_dirs(args.vars_dir) if args.vars_dir else {}
    variables.update(args.var)
    # The options of their own win over a variable of the same name, which gives them otherwise.
    releasever = args.releasever if args.releasever is not None else variables.get("releasever")
    if args.basearch or "basearch" not in variables:
        chosen_basearch = basearch(args, arches)
    else:
        chosen_basearch = variables["basearch"]
    for name in ("releasever", "basearch"):
        variables.pop(name, None)
    return RemoteOptions(
        http=HttpSettings(
            connect_timeout=args.timeout[0],
            read_timeout=args.timeout[1],
            min_rate=args.min_rate,
            attempts=args.retries + 1,
        ),
        cache_dir=args.cache_dir,
        offline=args.offline,
        max_download=args.max_download,
        releasever=releasever,
        basearch=chosen_basearch,
        variables=tuple(variables.items()),
        remote_headers=args.remote_headers,
        parallel_requests=args.parallel_requests,
        spec_budget=args.spec_download_budget,
        spec_total=args.spec_download_total,
    )


def _assignment(text: str) -> tuple[str, str]:
    try:
        return parse_assignment(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


MAX_TIMEOUT = 86400
"""A day: a longer wait for one answer is no timeout at all."""


def _timeouts(text: str) -> tuple[float, float]:
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not SECONDS or CONNECT,READ") from None
    # float() reads "nan", "inf" and "1e400" too: no socket or clock takes them (exit 4 at the
    # first request, not a usage error).
    if len(values) not in (1, 2) or not all(0 < value <= MAX_TIMEOUT for value in values):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not SECONDS or CONNECT,READ (positive numbers, at most {MAX_TIMEOUT})"
        )
    return values[0], values[-1]


MAX_RETRIES = 10
"""More retries than this only make a dead server take longer to report."""


def _retries(text: str) -> int:
    if not text.strip().isdigit() or int(text) > MAX_RETRIES:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of retries from 0 to {MAX_RETRIES}")
    return int(text)


def _parallel_requests(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_PARALLEL_REQUESTS:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of requests from 1 to {MAX_PARALLEL_REQUESTS}"
        )
    return int(text)


def _rate(text: str) -> int:
    """A size a second, or 0 for no minimum rate."""
    if text.strip() == "0":
        return 0
    return _size(text)


def _size(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*", text, re.IGNORECASE)
    size = (
        0
        if match is None
        else int(float(match.group(1)) * 1024 ** "_KMGT".index(match.group(2).upper() or "_"))
    )
    # A size under one byte (0.5) is no size: it was 0, which `--min-rate` reads as no minimum at
    # all and a ceiling as "refuse everything".
    if size < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (bytes, or with K, M, G, T)")
    return size


def _value(text: str) -> str:
    """A variable's value given on its own option: an empty one (`--basearch "$ARCH"` with the
    variable unset) was read as no option, and the run took the default without a word."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is empty")
    return text


def _directory(text: str) -> str:
    """A directory's name: an empty one (``--cache-dir "$CACHE"`` with the variable unset) would
    otherwise be read as no option, and the run would share the default cache it was kept from."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"{text!r} names no directory")
    return text
