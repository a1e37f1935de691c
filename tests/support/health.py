"""Stand-ins for the Dragonfly health endpoints (no Dragonfly binary runs here).

One small HTTP server per (address, port): the manager's /healthy, the seed peer's
and peers' /server/ping (v2.1) or the Rust client's /healthy, and a plain listener for
the scheduler's gRPC port. Each answers its current status; ``late`` makes one answer
503 to its first N probes (a service that comes up slowly). With ``paths``, an
endpoint answers 404 on any other path, as the real services do: a probe of the wrong
line's path then fails, as it would on a real host. A path may be a function: the
endpoint then serves whatever the host's current config says (v2.1's /server/ping
until the client's dfdaemon.yaml is there, /healthy after), as the real daemon would.

    with HealthServers({("127.0.0.2", 8080): 200}) as hs:
        hs.status[("127.0.0.2", 8080)] = 500     # from now on unhealthy
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Endpoint = tuple[str, int]


class HealthServers:
    def __init__(
        self,
        status: dict[Endpoint, int],
        late: dict[Endpoint, int] | None = None,
        paths: dict[Endpoint, str | Callable[[], str]] | None = None,
    ) -> None:
        self.status = dict(status)
        self.late = dict(late or {})
        self.paths = dict(paths or {})
        self.hits: list[tuple[Endpoint, str]] = []
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []

    def _handler(self, endpoint: Endpoint) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, fmt: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with owner._lock:
                    owner.hits.append((endpoint, self.path))
                    expected = owner.paths.get(endpoint)
                    if callable(expected):
                        expected = expected()
                    if expected is not None and self.path.split("?")[0] != expected:
                        code = 404
                    elif owner.late.get(endpoint, 0) > 0:
                        owner.late[endpoint] -= 1
                        code = 503
                    else:
                        code = owner.status[endpoint]
                body = b"OK" if code == 200 else b"unhealthy"
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def probes(self, endpoint: Endpoint) -> int:
        with self._lock:
            return sum(1 for hit, _ in self.hits if hit == endpoint)

    def start(self) -> HealthServers:
        for endpoint in self.status:
            srv = ThreadingHTTPServer(endpoint, self._handler(endpoint))
            srv.daemon_threads = True
            threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
            self._servers.append(srv)
        return self

    def stop(self) -> None:
        for srv in self._servers:
            srv.shutdown()
            srv.server_close()
        self._servers.clear()

    def __enter__(self) -> HealthServers:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
