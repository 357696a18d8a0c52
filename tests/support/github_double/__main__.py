"""Run the double as its own process (end-to-end runs, benchmarks):

    python -m tests.support.github_double --port 0 --state-file /tmp/gh-state.json

Prints `listening on http://127.0.0.1:PORT` once it accepts requests. The state file, when it exists, seeds
the double (snapshot.dump() shape); on SIGTERM/SIGINT the final state is written back to it, and the request
log and violations to --log-file if given. Exit status 1 when any violation occurred.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from tests.support.github_double import snapshot
from tests.support.github_double.server import DoubleCore, GitHubDouble


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.github_double")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--state-file", type=Path, help="seed from it if present; final state written to it")
    parser.add_argument("--log-file", type=Path, help="request log and violations written here on exit")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every API answer")
    parser.add_argument("--no-response-validation", action="store_true",
                        help="skip validating the double's own answers (saves CPU in benchmarks)")
    args = parser.parse_args(argv)

    core = DoubleCore(validate_responses=not args.no_response_validation)
    core.faults.latency = args.latency
    if args.state_file and args.state_file.is_file():
        snapshot.load(core.world, json.loads(args.state_file.read_text()))
    double = GitHubDouble(core, args.host, args.port)
    done = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    double.start()
    print(f"listening on http://{args.host}:{double.port}", flush=True)
    done.wait()
    double.stop()
    if args.state_file:
        args.state_file.write_text(json.dumps(snapshot.dump(core.world), indent=1))
    if args.log_file:
        args.log_file.write_text(json.dumps({"requests": core.requests_as_json(),
                                             "violations": core.violations_as_json()}, indent=1))
    for violation in core.violations:
        print(f"violation: {violation.kind} {violation.method} {violation.path}: {violation.message}",
              file=sys.stderr)
    return 1 if core.violations else 0


if __name__ == "__main__":
    sys.exit(main())
