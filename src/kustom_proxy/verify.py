"""``scripts/verify-traffic FILE`` and ``kustom-verify-traffic FILE``: the proxy's checks over a
HAR file, offline (one the proxy recorded, or a browser's, or another tool's): a line per
violation, a summary, and exit 1 on a violation, 0 when clean, 2 for a file it cannot read as
HAR. Entries are checked in the file's order, with their recorded times as the replay
window's clock."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from kustom_conformance import Conformance
from kustom_proxy.cli import _Parser
from kustom_proxy.har import HarError, read_har
from kustom_proxy.monitor import Monitor
from kustom_spec import DEFAULT_SPEC_PATH, SpecNamesError, load_spec

LABEL = "verify-traffic"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _Parser(
        prog="scripts/verify-traffic",
        description="Hold the exchanges of a HAR file to openapi.yaml, both ways, as "
        "scripts/proxy does: exit 1 on a violation, 0 when clean, 2 for a file that is not HAR.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="the HAR file")
    parser.add_argument("--report", type=Path, metavar="FILE", help="JSON report")
    parser.add_argument(
        "--contract-limits",
        action="store_true",
        help="hold requests to this contract's own limits (x-contract-limits) too, as "
        "scripts/proxy --contract-limits does: for traffic to the project's mock",
    )
    parser.add_argument(
        "--spec",
        type=Path,
        default=DEFAULT_SPEC_PATH,
        help="OpenAPI document to check against (default: the one bundled with it)",
    )
    args = parser.parse_args(argv)
    try:
        conformance = Conformance(load_spec(args.spec), contract_limits=args.contract_limits)
    except (OSError, ValueError, SpecNamesError) as exc:
        print(f"{LABEL}: cannot read the spec {args.spec}: {exc}", file=sys.stderr)
        return 2
    try:
        exchanges = read_har(args.file)
    except HarError as exc:
        print(f"{LABEL}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{LABEL}: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    monitor = Monitor(
        conformance,
        about={"file": args.file.name, "contract_limits": args.contract_limits},
        label=LABEL,
        report_path=args.report,
    )
    for observed in exchanges:
        monitor.observe(observed)
    try:
        print(monitor.close(), flush=True)
    except OSError as exc:
        print(f"{LABEL}: cannot write {args.report}: {exc.strerror}", file=sys.stderr)
        return 2
    return 1 if monitor.report.violation_count else 0


if __name__ == "__main__":
    sys.exit(main())
