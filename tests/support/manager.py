"""A stand-in of the Dragonfly manager's job API (v2.1.28 or v2.5.1), for the preheat tests.

No Dragonfly manager can run here (it needs MySQL, Redis and a scheduler), so this
small HTTP server answers the routes ``gencfg preheat`` uses the way the release does:

- ``POST /api/v1/jobs`` (v2.1.28: no auth; v2.5.1: a console login's JWT, which
  gencfg never has, so 401) and ``POST /oapi/v1/jobs`` (``Authorization: Bearer
  <token>``, else 401 ``{"message": "Unauthorized"}``) create a job: ``{id, state:
  "PENDING", ...}``; a body that does not bind gives 422 ``{"errors": "..."}``. v2.5.1
  also refuses a scope outside single_seed_peer/all_seed_peers/all_peers, as its
  service does.
- ``GET /api/v1/jobs/<id>`` and ``/oapi/v1/jobs/<id>`` return the job, whose state
  advances one step of ``states`` per GET (the last one stays).

``script`` holds answers to give first, whatever the request (429s, 5xx). ``requests``
records every request for the tests to inspect.

    with ManagerStandIn(token="t0k", states=["PENDING", "SUCCESS"]) as m:
        m.url  # http://127.0.0.1:<port>
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_MANIFEST = re.compile(r"^(.*)://(.*)/v2/(.*)/manifests/(.*)")


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class ManagerStandIn:
    def __init__(
        self,
        *,
        token: str | None = None,
        states: list[str] | None = None,
        script: list[Answer] | None = None,
        release: str = "v2.1.28",
        address: tuple[str, int] = ("127.0.0.1", 0),
        root_password: str = "dragonfly",
    ) -> None:
        self.address = address
        self.root_password = root_password  # upstream seeds root / dragonfly
        self.token = token
        self.release = release
        self.states = states or ["PENDING", "SUCCESS"]
        self.script = list(script or [])
        self.requests: list[Recorded] = []
        self.jobs: dict[int, int] = {}  # id -> GETs answered
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def posts(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST"]

    def _job(self, job_id: int, state: str) -> dict[str, Any]:
        tasks = {"PENDING": [], "SUCCESS": ["SUCCESS"], "FAILURE": ["FAILURE"]}.get(
            state, ["STARTED"]
        )
        return {
            "id": job_id,
            "type": "preheat",
            "state": "PENDING" if state not in ("SUCCESS", "FAILURE") else state,
            "result": {
                "GroupUUID": "group",
                "State": state,
                "JobStates": [
                    {
                        "TaskUUID": f"task-{i}",
                        "State": s,
                        "Error": "preheat failed: manifest unknown" if s == "FAILURE" else "",
                    }
                    for i, s in enumerate(tasks)
                ],
            }
            if tasks
            else None,
        }

    def _defaults_answer(self, method: str, path: str, body: Any) -> Answer | None:
        """Upstream's seeded login and v2.1's job list without credentials."""
        if method == "POST" and path == "/api/v1/users/signin":
            ok = isinstance(body, dict) and body == {"name": "root", "password": self.root_password}
            return Answer(200, {"token": "jwt"}) if ok else Answer(401, {"message": "Unauthorized"})
        if method == "GET" and path == "/api/v1/jobs" and self.release == "v2.1.28":
            return Answer(200, [])  # v2.1.28 router.go: the job group has no auth middleware
        return None

    def _answer(self, method: str, path: str, headers: dict[str, str], body: Any) -> Answer:
        if self.script:
            return self.script.pop(0)
        defaults = self._defaults_answer(method, path, body)
        if defaults is not None:
            return defaults
        match = re.fullmatch(r"/(api|oapi)/v1/jobs(?:/([0-9]+))?", path)
        if not match:
            return Answer(404, {"message": "404 page not found"})
        open_api = match.group(1) == "oapi"
        if (open_api or self.release != "v2.1.28") and headers.get(
            "Authorization"
        ) != f"Bearer {self.token}":
            return Answer(401, {"message": "Unauthorized"})
        if not open_api and self.release != "v2.1.28":
            return Answer(401, {"message": "token is malformed"})  # a PAT is not a JWT
        if method == "POST" and match.group(2) is None:
            args = body.get("args") if isinstance(body, dict) else None
            if not isinstance(body, dict) or body.get("type") != "preheat":
                return Answer(422, {"errors": "Unknow type"})
            if not isinstance(args, dict) or not _MANIFEST.match(str(args.get("url", ""))):
                return Answer(
                    422,
                    {
                        "errors": "Key: 'CreatePreheatJobRequest.Args.URL' Error:Field "
                        "validation for 'URL' failed on the 'required' tag"
                    },
                )
            scope = args.get("scope", "")
            if self.release != "v2.1.28" and scope not in (
                "",
                "single_seed_peer",
                "all_seed_peers",
                "all_peers",
            ):
                return Answer(422, {"errors": f"invalid scope {scope}"})
            job_id = len(self.jobs) + 1
            self.jobs[job_id] = 0
            return Answer(200, self._job(job_id, "PENDING"))
        if method == "GET" and match.group(2) is not None:
            job_id = int(match.group(2))
            if job_id not in self.jobs:
                return Answer(404, {"message": "record not found"})
            step = min(self.jobs[job_id], len(self.states) - 1)
            self.jobs[job_id] += 1
            return Answer(200, self._job(job_id, self.states[step]))
        return Answer(404, {"message": "404 page not found"})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, fmt: str, *args: object) -> None:
                pass

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                headers = dict(self.headers.items())
                with owner._lock:
                    owner.requests.append(Recorded(method, self.path, headers, body))
                    answer = owner._answer(method, self.path, headers, body)
                data = (
                    answer.body.encode()
                    if isinstance(answer.body, str)
                    else json.dumps(answer.body).encode()
                )
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

        return Handler

    def __enter__(self) -> ManagerStandIn:
        self._server = ThreadingHTTPServer(self.address, self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
