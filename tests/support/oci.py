"""Build a tiny OCI image by hand and push it to a registry over the
distribution HTTP API (stdlib only).

    img = build_tiny_image({"hello.txt": b"hi\n"})
    push_image("http://127.0.0.1:5000", "test/tiny", "1", img)
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Blob:
    media_type: str
    data: bytes

    @property
    def digest(self) -> str:
        return sha256_digest(self.data)

    def descriptor(self) -> dict[str, object]:
        return {"mediaType": self.media_type, "digest": self.digest, "size": len(self.data)}


@dataclass(frozen=True)
class TinyImage:
    config: Blob
    layers: list[Blob]
    manifest: bytes = field(repr=False)

    @property
    def manifest_digest(self) -> str:
        return sha256_digest(self.manifest)

    def blobs(self) -> list[Blob]:
        return [*self.layers, self.config]


def _layer_tar(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mode = 0o755 if name.endswith(".sh") else 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(content))
    return buf.getvalue()


def build_tiny_image(
    files: dict[str, bytes] | None = None,
    arch: str = "amd64",
    os_name: str = "linux",
) -> TinyImage:
    """A single-layer image; deterministic (same input -> same digests).

    `arch`/`os_name` must match the puller's platform or `ctr images pull`
    (which unpacks for the host platform) fails with "no match for platform".
    """
    tar_bytes = _layer_tar(files or {"hello.txt": b"hello from gencfg tests\n"})
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0) as fh:
        fh.write(tar_bytes)
    layer = Blob(OCI_LAYER_GZIP, gz.getvalue())
    config_doc = {
        "architecture": arch,
        "os": os_name,
        "created": "1970-01-01T00:00:00Z",
        "config": {"Cmd": ["/bin/true"]},
        "rootfs": {"type": "layers", "diff_ids": [sha256_digest(tar_bytes)]},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "gencfg-tests"}],
    }
    config = Blob(OCI_CONFIG, json.dumps(config_doc, sort_keys=True).encode())
    manifest_doc = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": config.descriptor(),
        "layers": [layer.descriptor()],
    }
    manifest = json.dumps(manifest_doc, sort_keys=True).encode()
    return TinyImage(config=config, layers=[layer], manifest=manifest)


def _request(
    method: str, url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    # Never go through an environment proxy for loopback registries.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=30) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers.items()), err.read()


def push_blob(base_url: str, repo: str, blob: Blob) -> None:
    status, _, _ = _request("HEAD", f"{base_url}/v2/{repo}/blobs/{blob.digest}")
    if status == 200:
        return
    # Two-step monolithic upload: POST to open a session, PUT the whole body.
    status, headers, body = _request("POST", f"{base_url}/v2/{repo}/blobs/uploads/")
    if status != 202:
        raise RuntimeError(f"POST upload failed: {status} {body!r}")
    location = headers.get("Location") or headers.get("location") or ""
    location = urllib.parse.urljoin(base_url + "/", location)  # may be relative
    sep = "&" if "?" in location else "?"
    put_url = f"{location}{sep}digest={urllib.parse.quote(blob.digest)}"
    status, _, body = _request(
        "PUT",
        put_url,
        data=blob.data,
        headers={"Content-Type": "application/octet-stream", "Content-Length": str(len(blob.data))},
    )
    if status != 201:
        raise RuntimeError(f"PUT upload failed: {status} {body!r}")


def push_image(base_url: str, repo: str, tag: str, image: TinyImage) -> str:
    """Upload blobs then the manifest; returns the manifest digest."""
    base_url = base_url.rstrip("/")
    for blob in image.blobs():
        push_blob(base_url, repo, blob)
    status, headers, body = _request(
        "PUT",
        f"{base_url}/v2/{repo}/manifests/{tag}",
        data=image.manifest,
        headers={"Content-Type": OCI_MANIFEST},
    )
    if status != 201:
        raise RuntimeError(f"PUT manifest failed: {status} {body!r}")
    return headers.get("Docker-Content-Digest", image.manifest_digest)
