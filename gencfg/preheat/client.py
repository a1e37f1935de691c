"""A client of the Dragonfly manager's job API (v2.1), on the standard library only.

With a personal access token, jobs go to ``/oapi/v1/jobs`` with ``Authorization:
Bearer``; without one to ``/api/v1/jobs``, which v2.1 does not authenticate.

Retries: a 429 waits what ``Retry-After`` says (seconds or an HTTP date, capped), else
an exponential backoff with jitter; v2.1.28 never answers 429, but newer managers
(job rate limit) and load balancers do. 5xx answers and connection errors are retried
a bounded number of times, then the manager is unreachable. Any other 4xx is a
mistake a retry cannot fix: ManagerError carries the manager's own message at once.
Retrying a POST whose answer was lost may create the job twice; a preheat is
idempotent (the second finds its tasks done), so that only costs a job row.
"""

from __future__ import annotations

import collections
import dataclasses
import email.utils
import http.client
import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from gencfg.errors import ExternalError

TERMINAL = ("SUCCESS", "FAILURE")
"""Job states that end a job (the job-level state is PENDING until then)."""

_MESSAGE_MAX = 300


@dataclasses.dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long one request insists before it gives up."""

    attempts: int = 6
    """Tries of a request answered by 5xx or failing to connect."""
    rate_limited_attempts: int = 30
    """Tries of a request answered by 429."""
    base: float = 1.0
    """First backoff, seconds; it doubles at each try."""
    cap: float = 60.0
    """Longest backoff, seconds."""
    max_retry_after: float = 300.0
    """Longest wait a Retry-After may ask for, seconds."""
    timeout: float = 30.0
    """Socket timeout of one request, seconds."""


DEFAULT_RETRY = RetryPolicy()


class ManagerError(Exception):
    """The manager refused a request (4xx): ``status`` and the manager's message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


class ManagerUnreachableError(ExternalError):
    """No usable answer from the manager after every retry."""


@dataclasses.dataclass(frozen=True, slots=True)
class Job:
    """A job as the manager reports it."""

    id: int
    state: str
    tasks: dict[str, int]
    """How many of its tasks are in each state (result.JobStates)."""
    error: str
    """The first task error the manager reports, if any."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: urllib would resend the Authorization header to the new place."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _message(body: bytes) -> str:
    """The manager's own message: ``{"errors": ...}`` (422), ``{"message": ...}``, or text."""
    text = body.decode("utf-8", "replace").strip()
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if isinstance(doc, dict):
        for key in ("errors", "message", "error"):
            if doc.get(key):
                text = str(doc[key])
                break
    text = " ".join(text.split())
    return (text[:_MESSAGE_MAX] + "...") if len(text) > _MESSAGE_MAX else (text or "(no message)")


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = datetime.now(UTC).timestamp() if now is None else now
    return max(0.0, when.timestamp() - current)


def _job(doc: Any) -> Job:
    if not (isinstance(doc, dict) and isinstance(doc.get("id"), int)):
        raise ManagerError(200, "the answer is not a job (no integer id)")
    state = doc.get("state")
    if not isinstance(state, str):
        raise ManagerError(200, f"job {doc['id']} has no state")
    result = doc.get("result")
    states = result.get("JobStates") if isinstance(result, dict) else None
    entries = [s for s in states or [] if isinstance(s, dict)]
    tasks = collections.Counter(str(s.get("State") or "UNKNOWN") for s in entries)
    error = next((str(s["Error"]) for s in entries if s.get("Error")), "")
    return Job(doc["id"], state, dict(sorted(tasks.items())), " ".join(error.split()))


class ManagerClient:
    """The job API of one manager, e.g. ``http://10.10.0.10:8080``."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        log: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._policy = policy or DEFAULT_RETRY
        self._sleep = sleep
        self._jitter = jitter
        self._log = log
        self._opener = urllib.request.build_opener(_NoRedirect)

    @property
    def jobs_url(self) -> str:
        """Where jobs are created: ``/oapi/v1/jobs`` with a token, else ``/api/v1/jobs``."""
        return f"{self.base_url}/{'oapi' if self._token else 'api'}/v1/jobs"

    def create_job(self, body: dict[str, Any]) -> Job:
        """POST a job; its id and first state."""
        return _job(self._request("POST", self.jobs_url, body))

    def get_job(self, job_id: int) -> Job:
        """The job's current state."""
        return _job(self._request("GET", f"{self.jobs_url}/{job_id}"))

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with equal jitter: half fixed, half random, capped."""
        delay = min(self._policy.cap, self._policy.base * 2.0 ** (attempt - 1))
        return delay / 2 + self._jitter() * delay / 2

    def _headers(self, has_body: bool) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": "gencfg-preheat"}
        if has_body:
            headers["Content-Type"] = "application/json"
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    def _request(self, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        policy = self._policy
        failures = limited = 0
        while True:
            request = urllib.request.Request(
                url, data=data, method=method, headers=self._headers(data is not None)
            )
            try:
                with self._opener.open(request, timeout=policy.timeout) as response:
                    raw = response.read()
            except urllib.error.HTTPError as exc:
                status, headers, payload = exc.code, exc.headers, exc.read()
                exc.close()
                if status == 429:
                    limited += 1
                    if limited >= policy.rate_limited_attempts:
                        raise ManagerUnreachableError(
                            f"{method} {url}: still rate limited (429) after {limited} tries"
                        ) from None
                    asked = retry_after(headers.get("Retry-After"))
                    if asked is not None:
                        delay, why = min(asked, policy.max_retry_after), "Retry-After"
                    else:
                        delay, why = self.backoff(limited), "backoff"
                    self._log(f"{method} {url}: 429 rate limited, retrying in {delay:.1f}s ({why})")
                    self._sleep(delay)
                    continue
                if 300 <= status < 400:
                    where = headers.get("Location", "?")
                    raise ManagerError(
                        status, f"redirected to {where}; not followed (use that URL)"
                    ) from None
                if status < 500:
                    raise ManagerError(status, _message(payload)) from None
                failures += 1
                problem = f"HTTP {status}: {_message(payload)}"
            except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
                failures += 1
                problem = str(getattr(exc, "reason", exc)) or type(exc).__name__
            else:
                try:
                    return json.loads(raw)
                except ValueError:
                    raise ManagerError(200, f"{method} {url}: the answer is not JSON") from None
            if failures >= policy.attempts:
                raise ManagerUnreachableError(
                    f"{method} {url}: {problem} (after {failures} tries)"
                ) from None
            delay = self.backoff(failures)
            self._log(f"{method} {url}: {problem}; retrying in {delay:.1f}s")
            self._sleep(delay)
