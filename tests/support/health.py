"""Fake dfdaemon health endpoints: one tiny HTTP server per loopback address,
each answering a fixed status (e.g. 500 on the host that should fail).

    with HealthServers({"127.0.0.2": 200, "127.0.0.3": 500}, port=48080) as hs:
        ...  # playbook runs uri: url=http://{{ ansible_host }}:48080/healthy
        hs.hits  # [(address, path), ...]
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class HealthServers:
    def __init__(self, statuses: dict[str, int], port: int) -> None:
        self.port = port
        self.statuses = dict(statuses)
        self.hits: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []

    def _make_handler(self, address: str) -> type[BaseHTTPRequestHandler]:
        owner = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, fmt: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with owner._lock:
                    owner.hits.append((address, self.path))
                code = owner.statuses[address]  # read at request time: tests may flip it
                body = b'{"status": "ok"}' if code == 200 else b'{"status": "unhealthy"}'
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return H

    def start(self) -> HealthServers:
        for addr in self.statuses:
            srv = ThreadingHTTPServer((addr, self.port), self._make_handler(addr))
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
