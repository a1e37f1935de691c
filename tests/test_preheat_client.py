"""The manager job API client (gencfg.preheat.client) against a stand-in manager.

The stand-in (tests/support/manager.py) is a small http.server on 127.0.0.1 that
answers like the v2.1.28 job API, because no Dragonfly manager can run here. Sleeps
are recorded instead of slept, so retry timing is checked exactly and costs nothing.
"""

from __future__ import annotations

import email.utils
import socket
import time

import pytest

from gencfg.preheat.client import (
    ManagerClient,
    ManagerError,
    ManagerUnreachableError,
    RetryPolicy,
    retry_after,
)
from tests.support.manager import Answer, ManagerStandIn

BODY = {
    "type": "preheat",
    "scheduler_cluster_ids": [1],
    "args": {"type": "image", "url": "https://ghcr.io/v2/org/app/manifests/1.0"},
}
POLICY = RetryPolicy(attempts=3, rate_limited_attempts=4, base=1.0, cap=4.0, timeout=2.0)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def client(url: str, token: str | None = None, sleeps: list[float] | None = None) -> ManagerClient:
    record = sleeps if sleeps is not None else []
    return ManagerClient(url, token, policy=POLICY, sleep=record.append, jitter=lambda: 0.5)


def test_job_is_created_and_polled_to_success() -> None:
    with ManagerStandIn(states=["PENDING", "RUNNING", "SUCCESS"]) as m:
        c = client(m.url)
        job = c.create_job(BODY)
        assert (job.id, job.state) == (1, "PENDING")
        states = [c.get_job(job.id).state for _ in range(3)]
    assert states == ["PENDING", "PENDING", "SUCCESS"]
    post = m.posts()[0]
    assert post.path == "/api/v1/jobs"
    assert post.body == BODY
    assert "Authorization" not in post.headers
    assert [r.path for r in m.requests[1:]] == ["/api/v1/jobs/1"] * 3


def test_task_states_and_errors_are_reported() -> None:
    with ManagerStandIn(states=["RUNNING", "FAILURE"]) as m:
        c = client(m.url)
        job_id = c.create_job(BODY).id
        running, failed = c.get_job(job_id), c.get_job(job_id)
    assert (running.state, running.tasks) == ("PENDING", {"STARTED": 1})
    assert (failed.state, failed.error) == ("FAILURE", "preheat failed: manifest unknown")


def test_token_goes_as_bearer_to_the_oapi() -> None:
    with ManagerStandIn(token="s3cr3t-pat") as m:
        c = client(m.url, token="s3cr3t-pat")
        job = c.create_job(BODY)
        c.get_job(job.id)
    assert [r.path for r in m.requests] == ["/oapi/v1/jobs", "/oapi/v1/jobs/1"]
    assert {r.headers["Authorization"] for r in m.requests} == {"Bearer s3cr3t-pat"}


def test_wrong_token_is_refused_with_the_managers_message() -> None:
    with ManagerStandIn(token="right") as m, pytest.raises(ManagerError) as err:
        client(m.url, token="wrong").create_job(BODY)
    assert err.value.status == 401
    assert str(err.value) == "HTTP 401: Unauthorized"
    assert "wrong" not in str(err.value)


def test_429_waits_what_retry_after_says() -> None:
    sleeps: list[float] = []
    script = [Answer(429, {"message": "rate limit exceeded"}, {"Retry-After": "3"})]
    with ManagerStandIn(script=script) as m:
        job = client(m.url, sleeps=sleeps).create_job(BODY)
    assert job.id == 1
    assert sleeps == [3.0]
    assert len(m.posts()) == 2


def test_429_without_retry_after_backs_off_exponentially_up_to_the_cap() -> None:
    sleeps: list[float] = []
    script = [Answer(429, "rate limit exceeded")] * 3
    with ManagerStandIn(script=script) as m:
        client(m.url, sleeps=sleeps).create_job(BODY)
    # base 1s doubling, cap 4s; equal jitter of 0.5 takes 3/4 of each step
    assert sleeps == [0.75, 1.5, 3.0]


def test_backoff_is_capped_and_jittered() -> None:
    low = ManagerClient("http://x", policy=POLICY, jitter=lambda: 0.0)
    high = ManagerClient("http://x", policy=POLICY, jitter=lambda: 1.0)
    assert [low.backoff(n) for n in (1, 2, 3, 10)] == [0.5, 1.0, 2.0, 2.0]
    assert [high.backoff(n) for n in (1, 2, 3, 10)] == [1.0, 2.0, 4.0, 4.0]


def test_retry_after_forms() -> None:
    now = time.time()
    assert retry_after("120") == 120.0
    assert retry_after(email.utils.formatdate(now + 30, usegmt=True), now=now) == pytest.approx(
        30, abs=1
    )
    assert retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0
    assert retry_after("soon") is None
    assert retry_after(None) is None


def test_huge_retry_after_is_capped() -> None:
    sleeps: list[float] = []
    script = [Answer(429, "", {"Retry-After": "86400"})]
    with ManagerStandIn(script=script) as m:
        client(m.url, sleeps=sleeps).create_job(BODY)
    assert sleeps == [POLICY.max_retry_after]


def test_endless_429_gives_up() -> None:
    script = [Answer(429, "", {"Retry-After": "0"})] * 10
    with ManagerStandIn(script=script) as m, pytest.raises(ManagerUnreachableError) as err:
        client(m.url).create_job(BODY)
    assert "still rate limited" in str(err.value)
    assert len(m.posts()) == POLICY.rate_limited_attempts


def test_5xx_is_retried_then_succeeds() -> None:
    sleeps: list[float] = []
    script = [Answer(502, "<html>bad gateway</html>"), Answer(503, {"message": "busy"})]
    with ManagerStandIn(script=script) as m:
        assert client(m.url, sleeps=sleeps).create_job(BODY).id == 1
    assert sleeps == [0.75, 1.5]


def test_5xx_gives_up_after_the_attempts() -> None:
    script = [Answer(500, {"message": "candidate schedulers not found"})] * 5
    with ManagerStandIn(script=script) as m, pytest.raises(ManagerUnreachableError) as err:
        client(m.url).create_job(BODY)
    assert "HTTP 500: candidate schedulers not found (after 3 tries)" in str(err.value)
    assert len(m.posts()) == POLICY.attempts


def test_connection_refused_gives_up_after_the_attempts() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sleeps: list[float] = []
    with pytest.raises(ManagerUnreachableError):
        client(f"http://127.0.0.1:{port}", sleeps=sleeps).create_job(BODY)
    assert len(sleeps) == POLICY.attempts - 1


def test_422_is_not_retried_and_carries_the_managers_message() -> None:
    sleeps: list[float] = []
    bad = {**BODY, "args": {"type": "image"}}
    with ManagerStandIn() as m, pytest.raises(ManagerError) as err:
        client(m.url, sleeps=sleeps).create_job(bad)
    assert err.value.status == 422
    assert "Field validation for 'URL' failed on the 'required' tag" in err.value.message
    assert sleeps == []
    assert len(m.posts()) == 1


def test_redirects_are_not_followed_with_the_token() -> None:
    with ManagerStandIn() as target:
        script = [Answer(302, "", {"Location": f"{target.url}/oapi/v1/jobs"})]
        with ManagerStandIn(script=script) as m, pytest.raises(ManagerError) as err:
            client(m.url, token="pat").create_job(BODY)
    assert err.value.status == 302
    assert "not followed" in str(err.value)
    assert target.requests == []


def test_an_answer_that_is_not_a_job_is_an_error() -> None:
    script = [Answer(200, {"hello": "world"})]
    with ManagerStandIn(script=script) as m, pytest.raises(ManagerError, match="not a job"):
        client(m.url).create_job(BODY)
