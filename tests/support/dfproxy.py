"""A dfdaemon proxy stand-in: records every request and forwards it to the
origin named by the `X-Dragonfly-Registry` header (or a default origin).

    with RecordingProxy(default_origin="http://127.0.0.1:5000") as px:
        ...  # point hosts.toml at px.url
        assert any(r.headers.get("x-dragonfly-registry") for r in px.requests)

Stdlib only.  Plain-HTTP origins; https origins are forwarded without
certificate verification (test use only).
"""

from __future__ import annotations

import http.client
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # includes the query string, e.g. "/v2/x/manifests/1?ns=127.0.0.1:5000"
    headers: dict[str, str]  # lower-cased names
    origin: str  # where it was forwarded
    status: int  # status returned to the client (502 if the origin failed)
    at: float = field(default_factory=time.time)

    @property
    def query(self) -> dict[str, list[str]]:
        return urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: RecordingProxy

    def log_message(self, fmt: str, *args: object) -> None:
        pass

    def _forward(self) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        origin = (headers.get("x-dragonfly-registry") or self.owner.default_origin or "").rstrip(
            "/"
        )
        n = int(headers.get("content-length") or 0)
        body = self.rfile.read(n) if n else None
        status = 502
        try:
            if not origin:
                raise RuntimeError("no X-Dragonfly-Registry header and no default origin")
            status = self._relay(origin, body)
        except Exception as exc:
            msg = f"dfproxy: {exc}".encode()
            self.send_response(502)
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(msg)
        finally:
            self.owner._record(RecordedRequest(self.command, self.path, headers, origin, status))

    def _relay(self, origin: str, body: bytes | None) -> int:
        u = urllib.parse.urlsplit(origin)
        conn: http.client.HTTPConnection
        if u.scheme == "https":
            conn = http.client.HTTPSConnection(
                u.netloc, timeout=30, context=ssl._create_unverified_context()
            )
        else:
            conn = http.client.HTTPConnection(u.netloc, timeout=30)
        fwd = {
            k: v
            for k, v in self.headers.items()
            if k.lower() not in HOP_BY_HOP and k.lower() != "x-dragonfly-registry"
        }
        fwd["Host"] = u.netloc
        # containerd adds ?ns=<registry host> when talking to a mirror; pass it on.
        conn.request(self.command, self.path, body=body, headers=fwd)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in HOP_BY_HOP:
                self.send_header(k, v)
        self.send_header("X-Gencfg-Proxied", "1")
        self.send_header(
            "Content-Length",
            str(len(data)) if self.command != "HEAD" else resp.getheader("Content-Length", "0"),
        )
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        return resp.status

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _forward


class RecordingProxy:
    def __init__(
        self, default_origin: str | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.default_origin = default_origin
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        handler = type("H", (_ProxyHandler,), {"owner": self})
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _record(self, r: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(r)

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def start(self) -> RecordingProxy:
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket (connections then get
        ECONNREFUSED, which is what a dead dfdaemon looks like)."""
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> RecordingProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
