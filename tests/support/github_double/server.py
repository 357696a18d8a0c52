"""The double's HTTP server: every API request is matched against GitHub's route table, authenticated,
validated, possibly faulted, handled, its answer validated, and logged. `/_double/...` is the control API.

`GitHubDouble` runs it on 127.0.0.1 in a background thread (tests); `__main__` runs it as a process.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.support.github_double import control, routes_app, routes_manifest, routes_repo  # noqa: F401 (registration)
from tests.support.github_double.api import ROUTES, ApiError, Call, Reply
from tests.support.github_double.auth import AuthError, Caller, authenticate
from tests.support.github_double.faults import Fault, Faults
from tests.support.github_double.log import RequestRecord, Violation
from tests.support.github_double.spec import ApiSpec, load_spec
from tests.support.github_double.state import RATE_LIMIT, World
from tests.support.github_double.validation import Validator

GHES_PREFIX = "/api/v3"
MAX_BODY = 1 << 20  # bytes; nothing the bot sends is larger
POLL_INTERVAL = 0.02  # seconds; how fast stop() is noticed


def default_spec() -> ApiSpec:
    return load_spec(ROUTES)


class DoubleCore:
    """Everything but the socket: state, faults, validation, logs."""

    def __init__(self, spec: ApiSpec | None = None, validate_responses: bool = True) -> None:
        self.spec = spec or default_spec()
        self.validator = Validator(self.spec)
        self.validate_responses = validate_responses
        self.world = World()
        self.faults = Faults()
        self.stopping = threading.Event()
        self._log_lock = threading.Lock()
        self.violations: list[Violation] = []
        self.requests: list[RequestRecord] = []

    def reset(self) -> None:
        self.world = World()
        self.faults.clear()
        with self._log_lock:
            self.violations.clear()
            self.requests.clear()

    def take_violations(self) -> list[Violation]:
        with self._log_lock:
            taken, self.violations = self.violations, []
        return taken

    def _violation(self, kind: str, method: str, path: str, message: str) -> None:
        with self._log_lock:
            self.violations.append(Violation(kind, method, path, message))

    def handle(self, method: str, target: str, headers: Any, body: bytes, host: str
               ) -> tuple[int, dict[str, str], Any]:
        """(status, headers, JSON body or None) for one HTTP request."""
        split = urlsplit(target)
        path, query = split.path, dict(parse_qsl(split.query, keep_blank_values=True))
        if path.startswith("/_double/"):
            status, payload = control.handle(self, method, path, query, body)
            return status, {}, payload
        started = time.time()
        prefix = GHES_PREFIX if path == GHES_PREFIX or path.startswith(GHES_PREFIX + "/") else ""
        api_path = path[len(prefix):] or "/"
        if self.faults.latency:
            self.stopping.wait(self.faults.latency)
        call_info: dict[str, Any] = {"template": None, "installation_id": None, "fault": None}
        status, out_headers, payload = self._api(method, api_path, query, headers, body,
                                                 f"http://{host}{prefix}", call_info)
        out_headers["X-GitHub-Request-Id"] = secrets.token_hex(8).upper()
        with self._log_lock:
            self.requests.append(RequestRecord(
                len(self.requests) + 1, method, path, call_info["template"], status, started,
                round((time.time() - started) * 1000, 3), call_info["installation_id"], call_info["fault"],
                split.query))
        return status, out_headers, payload

    def _api(self, method: str, path: str, query: dict[str, str], headers: Any, body: bytes, api: str,
             info: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        matched = self.spec.match(path)
        if matched is None:
            self._violation("unknown_route", method, path, f"GitHub has no route {path}")
            return 404, {}, ApiError(404, "Not Found").body()
        template, methods, params = matched
        info["template"] = template
        key = f"{method} {template}"
        if method not in methods:
            self._violation("method", method, path, f"{template} has no {method}")
            return 404, {}, ApiError(404, "Not Found").body()
        route, op = ROUTES.get(key), self.spec.operation(method, template)
        if route is None or op is None:
            self._violation("unimplemented", method, path, f"the double does not implement {key}")
            return 404, {}, ApiError(404, "Not Found").body()
        try:
            caller = Caller("anonymous") if route.auth == "none" \
                else authenticate(self.world, headers.get("Authorization"))
            if route.auth not in ("any", "none") and caller.kind != route.auth:
                raise AuthError("A JSON web token could not be decoded" if route.auth == "app"
                                else "Resource not accessible by integration")
        except AuthError as exc:
            self._violation("auth", method, path, str(exc))
            return 401, {}, ApiError(401, str(exc)).body()
        info["installation_id"] = caller.installation_id
        parsed, rejection = self.validator.check_request(op, params, query, body)
        if rejection is not None:
            self._violation("request", method, path, f"{key}: {rejection.message}")
            return rejection.status, {}, ApiError(rejection.status, rejection.message).body()
        limited = self._rate_headers(caller, charge=False)
        if caller.installation_id is not None and limited["X-RateLimit-Remaining"] == "0" \
                and template != "/rate_limit":
            return 403, limited, ApiError(403, "API rate limit exceeded for installation.").body()
        fault = self.faults.pick(method, template)
        if fault is not None:
            info["fault"] = fault.kind
            if not fault.after_apply:
                if fault.kind == "timeout":
                    self.stopping.wait(fault.hold)
                    return 504, {}, ApiError(504, "Gateway Timeout").body()
                return self._fault_answer(fault)
        call = Call(self.world, api, api + path, params, query, parsed, headers, caller)
        reply = self._run(route.handler, call, method, path)
        if self.validate_responses:
            for problem in self.validator.check_response(op, reply.status, reply.body)[:3]:
                self._violation("response", method, path, f"{key} -> {reply.status}: {problem}")
        if fault is not None:
            if fault.kind != "timeout":
                return self._fault_answer(fault)
            self.stopping.wait(fault.hold)
        return self._finish(method, template, caller, reply, headers)

    def _run(self, handler: Any, call: Call, method: str, path: str) -> Reply:
        with self.world.lock:
            try:
                reply: Reply = handler(call)
                return reply
            except ApiError as exc:
                return Reply(exc.status, exc.body())
            except Exception as exc:  # a bug in the double must fail the test, not hang it
                self._violation("double", method, path, f"{type(exc).__name__}: {exc}")
                return Reply(500, ApiError(500, "Server Error").body())

    def _fault_answer(self, fault: Fault) -> tuple[int, dict[str, str], Any]:
        status, payload, headers = fault.answer(time.time())
        return status, headers, payload

    def _finish(self, method: str, template: str, caller: Caller, reply: Reply, headers: Any
                ) -> tuple[int, dict[str, str], Any]:
        out = dict(reply.headers)
        if method == "GET" and reply.status == 200:
            etag = out.setdefault("ETag", _weak_etag(reply.body))
            wanted = headers.get("If-None-Match")
            if wanted and _strip(etag) in {_strip(t) for t in wanted.split(",")}:
                # A conditional request answered 304 does not count against the rate limit.
                return 304, out | self._rate_headers(caller, charge=False), None
        charge = template != "/rate_limit"
        return reply.status, out | self._rate_headers(caller, charge=charge), reply.body

    def _rate_headers(self, caller: Caller, charge: bool) -> dict[str, str]:
        world = self.world
        with world.lock:
            inst = caller.installation_id
            remaining = world.rate_remaining.get(inst, RATE_LIMIT) if inst is not None else RATE_LIMIT
            if charge and inst is not None:
                remaining = max(0, remaining - 1)
                world.rate_remaining[inst] = remaining
        return {"X-RateLimit-Limit": str(RATE_LIMIT), "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": str(world.rate_reset), "X-RateLimit-Used": str(RATE_LIMIT - remaining),
                "X-RateLimit-Resource": "core"}

    def most_writes_in_window(self, window: float = 60.0) -> dict[int, int]:
        """Per installation, the most content-creating requests (not GET) received within any `window`
        seconds: what GitHub's secondary limit counts (80 a minute)."""
        with self._log_lock:
            times: dict[int, list[float]] = {}
            for record in self.requests:
                if record.method != "GET" and record.installation_id is not None:
                    times.setdefault(record.installation_id, []).append(record.started)
        most: dict[int, int] = {}
        for installation, started in times.items():
            started.sort()
            first = 0
            for last, at in enumerate(started):
                while first < last and started[first] <= at - window:  # the request itself always counts
                    first += 1
                most[installation] = max(most.get(installation, 0), last - first + 1)
        return most

    def requests_as_json(self, since: int = 0) -> list[dict[str, Any]]:
        with self._log_lock:
            return [asdict(r) for r in self.requests[since:]]

    def violations_as_json(self) -> list[dict[str, Any]]:
        with self._log_lock:
            return [asdict(v) for v in self.violations]


def _weak_etag(body: Any) -> str:
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def _strip(tag: str) -> str:
    return tag.strip().removeprefix("W/")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as GitHub; clients pool connections
    disable_nagle_algorithm = True  # headers and body go out in two writes: avoid 40 ms delayed-ACK stalls
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.send_error(413)
            return
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        status, headers, payload = self.server.core.handle(self.command, self.path, self.headers, body, host)
        data = b"" if payload is None or status in (204, 304) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
            headers["X-GitHub-Media-Type"] = "github.v3; format=json"
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if data and self.command != "HEAD":
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. an injected timeout); nothing to answer

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: requests are in the double's own log."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    core: DoubleCore


class GitHubDouble:
    """The double on 127.0.0.1 in a background thread. `url` is the API root, `ghes_url` the GHES one."""

    def __init__(self, core: DoubleCore | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.core = core or DoubleCore()
        self._server = _Server((host, port), _Handler)
        self._server.core = self.core
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ghes_url(self) -> str:
        return self.url + GHES_PREFIX

    def start(self) -> GitHubDouble:
        self.core.stopping.clear()
        self._thread = threading.Thread(target=self._server.serve_forever, args=(POLL_INTERVAL,),
                                        name="github-double", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.core.stopping.set()  # wakes requests held by latency or timeout faults
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
