"""Submit the preheat jobs of a rendered tree and wait for each to end.

VPCs run side by side (each has its own manager and seed peers). Within a VPC at most
``max_active`` jobs run at once: they share the seed peers' bandwidth, and the manager
forces FAILURE on a job still running after 480 polls (40 to 80 minutes), so a pile
of concurrent large images makes all of them fail. Each job's timeout starts when it
is submitted. Progress (one line per change of a job's state or of its tasks' states)
goes to ``log``; the token goes nowhere but the Authorization header.
"""

from __future__ import annotations

import collections
import dataclasses
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TextIO

from gencfg.exitcodes import ExitCode
from gencfg.preheat.client import (
    TERMINAL,
    Job,
    ManagerClient,
    ManagerError,
    ManagerUnreachableError,
)
from gencfg.preheat.tree import JobFile, VpcJobs

MAX_ACTIVE = 2

Connect = Callable[[str, str | None], ManagerClient]
_Signature = tuple[str, tuple[tuple[str, int], ...]]


@dataclasses.dataclass(slots=True)
class Outcome:
    """How a job ended (or would start, with ``--dry-run``)."""

    vpc: str
    job: str
    job_id: int | None
    state: str
    """SUCCESS, FAILURE, TIMEOUT, REFUSED (4xx), ERROR, UNREACHABLE or DRY-RUN."""
    seconds: float | None
    """From submission to the end; None if never submitted."""
    detail: str = ""


@dataclasses.dataclass(slots=True, eq=False)  # identity: each is one submitted job
class _Running:
    plan: VpcJobs
    job: JobFile
    client: ManagerClient
    job_id: int
    started: float
    next_poll: float
    seen: _Signature


def duration(seconds: float) -> str:
    """``4.2s``, ``42s``, ``5m12s``, ``1h02m``."""
    s = round(seconds)
    if seconds < 10:
        return f"{seconds:.1f}s"
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


def _signature(job: Job) -> _Signature:
    """What makes a progress line: the job's state and how many tasks are in each state."""
    return job.state, tuple(job.tasks.items())


def _describe(job: Job) -> str:
    tasks = ", ".join(f"{n} {state}" for state, n in job.tasks.items())
    return f"{job.state} [tasks: {tasks}]" if tasks else job.state


class Runner:
    """Submits the jobs, polls them to the end, and reports progress to ``log``."""

    def __init__(
        self,
        plans: Sequence[VpcJobs],
        tokens: Mapping[str, str | None],
        log: TextIO,
        *,
        connect: Connect | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        max_active: int = MAX_ACTIVE,
    ) -> None:
        self._plans = plans
        self._tokens = tokens
        self._log = log
        self._connect = connect or self._default_connect
        self._clock = clock
        self._sleep = sleep
        self._max_active = max(1, max_active)
        self._outcomes: dict[tuple[str, str], Outcome] = {}
        self._running: list[_Running] = []
        self._queues: dict[str, collections.deque[JobFile]] = {}

    def _default_connect(self, url: str, token: str | None) -> ManagerClient:
        return ManagerClient(url, token, log=self._say, sleep=self._sleep)

    def _say(self, line: str) -> None:
        self._log.write(line + "\n")
        self._log.flush()

    def dry_run(self) -> list[Outcome]:
        """Say what would be sent where; send nothing."""
        outcomes = []
        for plan in self._plans:
            client = self._connect(plan.manager, self._tokens.get(plan.vpc))
            auth = (
                f"Bearer token of secret {plan.token_secret}"
                if plan.token_secret
                else "no token: unauthenticated API"
            )
            for job in plan.jobs:
                self._say(
                    f"{plan.vpc} {job.name}: would POST {job.path} to {client.jobs_url} ({auth})"
                )
                outcomes.append(Outcome(plan.vpc, job.name, None, "DRY-RUN", None, job.url))
        return outcomes

    def run(self) -> list[Outcome]:
        """Submit every job and wait until each has ended; one Outcome per job, in order."""
        clients = {p.vpc: self._connect(p.manager, self._tokens.get(p.vpc)) for p in self._plans}
        self._queues = {p.vpc: collections.deque(p.jobs) for p in self._plans}
        while any(self._queues.values()) or self._running:
            for plan in self._plans:
                self._submit_some(plan, clients[plan.vpc])
            if not self._running:
                continue
            self._sleep(max(0.0, min(r.next_poll for r in self._running) - self._clock()))
            now = self._clock()
            for running in [r for r in self._running if r.next_poll <= now]:
                if running in self._running:  # an unreachable manager may have ended it
                    self._poll(running)
        return [self._outcomes[(p.vpc, j.path)] for p in self._plans for j in p.jobs]

    def _end(self, running: _Running | None, plan: VpcJobs, job: JobFile, outcome: Outcome) -> None:
        self._outcomes[(plan.vpc, job.path)] = outcome
        if running is not None:
            self._running.remove(running)

    def _unreachable(self, plan: VpcJobs, exc: ManagerUnreachableError) -> None:
        """The manager is gone: every job of the VPC not yet ended ends with it."""
        self._say(f"{plan.vpc}: manager {plan.manager} unreachable: {exc}")
        for r in [r for r in self._running if r.plan is plan]:
            elapsed = self._clock() - r.started
            lost = "lost track of the job; it may still run on the manager"
            self._end(
                r,
                plan,
                r.job,
                Outcome(plan.vpc, r.job.name, r.job_id, "UNREACHABLE", elapsed, lost),
            )
        for job in self._queues[plan.vpc]:
            self._end(
                None,
                plan,
                job,
                Outcome(plan.vpc, job.name, None, "UNREACHABLE", None, "not submitted"),
            )
        self._queues[plan.vpc].clear()

    def _submit_some(self, plan: VpcJobs, client: ManagerClient) -> None:
        queue = self._queues[plan.vpc]
        while queue and sum(r.plan is plan for r in self._running) < self._max_active:
            job = queue.popleft()
            try:
                answer = client.create_job(job.body)
            except ManagerError as exc:
                self._say(f"{plan.vpc} {job.name}: refused by the manager: {exc}")
                self._end(
                    None, plan, job, Outcome(plan.vpc, job.name, None, "REFUSED", None, str(exc))
                )
                continue
            except ManagerUnreachableError as exc:
                queue.appendleft(job)
                self._unreachable(plan, exc)
                return
            now = self._clock()
            self._say(f"{plan.vpc} {job.name}: submitted as job {answer.id} ({_describe(answer)})")
            running = _Running(plan, job, client, answer.id, now, now, _signature(answer))
            self._running.append(running)
            if answer.state in TERMINAL:
                self._finish(running, answer, now)
            else:
                running.next_poll = self._next_poll(running, now)

    def _next_poll(self, running: _Running, now: float) -> float:
        """After the interval, but never after the job's deadline."""
        deadline = running.started + running.plan.timeout
        return min(now + running.plan.interval, max(deadline, now))

    def _poll(self, running: _Running) -> None:
        plan, job = running.plan, running.job
        try:
            answer = running.client.get_job(running.job_id)
        except ManagerError as exc:
            self._say(f"{plan.vpc} {job.name}: job {running.job_id}: {exc}")
            elapsed = self._clock() - running.started
            outcome = Outcome(plan.vpc, job.name, running.job_id, "ERROR", elapsed, str(exc))
            self._end(running, plan, job, outcome)
            return
        except ManagerUnreachableError as exc:
            self._unreachable(plan, exc)
            return
        now = self._clock()
        elapsed = now - running.started
        if _signature(answer) != running.seen:
            running.seen = _signature(answer)
            state = _describe(answer)
            self._say(f"{plan.vpc} {job.name}: job {answer.id} {state} after {duration(elapsed)}")
        if answer.state in TERMINAL:
            self._finish(running, answer, now)
        elif elapsed >= plan.timeout:
            self._say(
                f"{plan.vpc} {job.name}: job {answer.id} still {answer.state} after "
                f"{duration(elapsed)}: timed out (it keeps running on the manager)"
            )
            detail = f"still {answer.state} after the {duration(plan.timeout)} timeout"
            self._end(
                running,
                plan,
                job,
                Outcome(plan.vpc, job.name, answer.id, "TIMEOUT", elapsed, detail),
            )
        else:
            running.next_poll = self._next_poll(running, now)

    def _finish(self, running: _Running, answer: Job, now: float) -> None:
        detail = (answer.error or "a task failed") if answer.state == "FAILURE" else ""
        elapsed = now - running.started
        outcome = Outcome(
            running.plan.vpc, running.job.name, answer.id, answer.state, elapsed, detail
        )
        self._end(running, running.plan, running.job, outcome)


def table(outcomes: Sequence[Outcome]) -> str:
    """The summary: one row per job."""
    rows = [("VPC", "JOB", "ID", "STATE", "TIME", "DETAIL")]
    for o in outcomes:
        job_id = "-" if o.job_id is None else str(o.job_id)
        took = "-" if o.seconds is None else duration(o.seconds)
        rows.append((o.vpc, o.job, job_id, o.state, took, o.detail))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows)
    return "".join(line.rstrip() + "\n" for line in lines)


def exit_code(outcomes: Iterable[Outcome]) -> ExitCode:
    """0: every job succeeded (or nothing to do); 3: a manager was unreachable; else 4."""
    states = {o.state for o in outcomes}
    if "UNREACHABLE" in states:
        return ExitCode.ERROR
    if states - {"SUCCESS", "DRY-RUN"}:
        return ExitCode.ROLLOUT_FAILED
    return ExitCode.OK
