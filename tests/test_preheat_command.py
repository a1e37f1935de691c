"""``gencfg preheat`` end to end, against a stand-in manager.

The stand-in (tests/support/manager.py) is a small http.server on 127.0.0.1, port 0,
answering like the Dragonfly v2.1.28 job API, because no Dragonfly manager can run
here. Trees are written by the tests with sub-second intervals and timeouts, and the
retry policy is shrunk, so the whole module runs in a few seconds.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from gencfg.preheat import client
from tests.conftest import REPO
from tests.support.manager import Answer, ManagerStandIn

TOKEN = "pat-6f1d0c-do-not-print"
SECRET = "vpc_a_manager_token"
JOB = {
    "type": "preheat",
    "bio": "gencfg: preheat ghcr.io/org/app:1.0 into vpc-a (deployment test)",
    "scheduler_cluster_ids": [1],
    "args": {
        "type": "image",
        "url": "https://ghcr.io/v2/org/app/manifests/1.0",
        "platform": "linux/amd64",
        "filter": "Expires&Signature&ns",
    },
}


@pytest.fixture(autouse=True)
def _fast_and_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short retries; no proxy between the client and the stand-in."""
    monkeypatch.setattr(
        client,
        "DEFAULT_RETRY",
        client.RetryPolicy(
            attempts=3, rate_limited_attempts=5, base=0.02, cap=0.05, max_retry_after=0.1
        ),
    )
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def write_tree(
    root: Path,
    manager: str,
    *,
    token_secret: str | None = SECRET,
    jobs: int = 1,
    timeout: float = 5.0,
    interval: float = 0.02,
    body: dict[str, Any] | None = None,
) -> Path:
    paths = []
    for n in range(1, jobs + 1):
        rel = f"vpc-a/preheat/{n:02d}-ghcr-io-org-app-{n}.json"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(json.dumps(body or JOB, indent=2) + "\n")
        paths.append(rel)
    entry = {
        "manager": manager,
        "token_secret": token_secret,
        "timeout": timeout,
        "interval": interval,
        "jobs": paths,
    }
    (root / "ansible" / "group_vars").mkdir(parents=True, exist_ok=True)
    (root / "ansible" / "group_vars" / "all.yaml").write_text(
        yaml.safe_dump({"gencfg_deployment": "test", "gencfg_preheat": {"vpc-a": entry}})
    )
    return root


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(f"GENCFG_SECRET_{SECRET.upper()}", TOKEN)
    return TOKEN


def test_job_is_submitted_and_polled_to_success(tmp_path: Path, cli, token: str) -> None:
    with ManagerStandIn(token=token, states=["PENDING", "RUNNING", "SUCCESS"]) as m:
        result = cli("preheat", str(write_tree(tmp_path, m.url)))
    assert result.rc == 0, result.err
    assert "vpc-a 01-ghcr-io-org-app-1: submitted as job 1 (PENDING)" in result.err
    assert "job 1 PENDING [tasks: 1 STARTED] after" in result.err
    assert "job 1 SUCCESS [tasks: 1 SUCCESS] after" in result.err
    header, row = result.out.splitlines()
    assert header.split() == ["VPC", "JOB", "ID", "STATE", "TIME", "DETAIL"]
    assert row.split()[:4] == ["vpc-a", "01-ghcr-io-org-app-1", "1", "SUCCESS"]
    assert m.posts()[0].body == JOB


def test_one_progress_line_per_state_change(tmp_path: Path, cli, token: str) -> None:
    states = ["PENDING"] * 5 + ["SUCCESS"]
    with ManagerStandIn(token=token, states=states) as m:
        result = cli("preheat", str(write_tree(tmp_path, m.url)))
    assert result.rc == 0
    assert len([r for r in m.requests if r.method == "GET"]) == 6
    assert len(result.err.splitlines()) == 2  # submitted; SUCCESS


def test_at_most_two_jobs_of_a_vpc_run_at_once(tmp_path: Path, cli, token: str) -> None:
    with ManagerStandIn(token=token, states=["PENDING", "SUCCESS"]) as m:
        result = cli("preheat", str(write_tree(tmp_path, m.url, jobs=3)))
    assert result.rc == 0, result.err
    calls = [
        r.method + (" " + r.path.rsplit("/", 1)[1] if r.method == "GET" else "") for r in m.requests
    ]
    assert calls[:2] == ["POST", "POST"]
    # the third job is submitted once one of the first two has ended
    assert calls.index("POST", 2) > calls.index("GET 1", calls.index("GET 1") + 1)
    assert result.out.count("SUCCESS") == 3


def test_token_is_sent_as_bearer_and_never_printed(tmp_path: Path, cli, token: str) -> None:
    script = [Answer(429, "slow down"), Answer(503, {"message": "busy"})]
    with ManagerStandIn(token=token, script=script) as m:
        result = cli("preheat", str(write_tree(tmp_path, m.url)))
    assert result.rc == 0, result.err
    assert {r.path.rsplit("/", 1)[0] for r in m.requests} >= {"/oapi/v1", "/oapi/v1/jobs"}
    assert all(r.headers["Authorization"] == f"Bearer {token}" for r in m.requests)
    assert token not in result.out + result.err


def test_token_from_stdin(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({SECRET: TOKEN, "other": "x"})))
    with ManagerStandIn(token=TOKEN) as m:
        result = cli("preheat", str(write_tree(tmp_path, m.url)), "--secrets-stdin")
    assert result.rc == 0, result.err
    assert m.posts()[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in result.out + result.err


def test_no_token_goes_to_the_unauthenticated_api(tmp_path: Path, cli) -> None:
    with ManagerStandIn() as m:
        result = cli("preheat", str(write_tree(tmp_path, m.url, token_secret=None)))
    assert result.rc == 0, result.err
    assert [r.path for r in m.requests][:2] == ["/api/v1/jobs", "/api/v1/jobs/1"]
    assert all("Authorization" not in r.headers for r in m.requests)


def test_missing_token_is_a_usage_error(tmp_path: Path, cli) -> None:
    with ManagerStandIn() as m:
        result = cli("preheat", str(write_tree(tmp_path, m.url)))
    assert result.rc == 2
    assert "export GENCFG_SECRET_VPC_A_MANAGER_TOKEN" in result.err
    assert m.requests == []


def test_429_with_retry_after_then_success(tmp_path: Path, cli, token: str) -> None:
    script = [Answer(429, {"message": "rate limit exceeded"}, {"Retry-After": "1"})]
    with ManagerStandIn(token=token, script=script) as m:
        result = cli("preheat", str(write_tree(tmp_path, m.url)))
    assert result.rc == 0, result.err
    assert "429 rate limited, retrying in 0.1s (Retry-After)" in result.err  # capped for tests
    assert len(m.posts()) == 2


def test_429_without_retry_after_backs_off(tmp_path: Path, cli, token: str) -> None:
    script = [Answer(429, "")] * 2
    with ManagerStandIn(token=token, script=script) as m:
        result = cli("preheat", str(write_tree(tmp_path, m.url)))
    assert result.rc == 0, result.err
    assert result.err.count("(backoff)") == 2
    assert len(m.posts()) == 3


def test_failed_job_exits_4(tmp_path: Path, cli, token: str) -> None:
    with ManagerStandIn(token=token, states=["PENDING", "FAILURE"]) as m:
        result = cli("preheat", str(write_tree(tmp_path, m.url, jobs=2)))
    assert result.rc == 4
    rows = result.out.splitlines()[1:]
    assert [r.split()[3] for r in rows] == ["FAILURE", "FAILURE"]
    assert "preheat failed: manifest unknown" in rows[0]
    assert "2 of 2 preheat job(s) did not succeed" in result.err


def test_job_that_never_finishes_times_out_with_4(tmp_path: Path, cli, token: str) -> None:
    tree = write_tree(tmp_path, "", timeout=0.3, interval=0.05)
    with ManagerStandIn(token=token, states=["PENDING"]) as m:
        result = cli("preheat", str(tree), "--manager", f"vpc-a={m.url}")
    assert result.rc == 4
    assert "TIMEOUT" in result.out
    assert "timed out (it keeps running on the manager)" in result.err
    gets = [r for r in m.requests if r.method == "GET"]
    assert 3 <= len(gets) <= 8


def test_422_shows_the_managers_message_and_exits_4(tmp_path: Path, cli, token: str) -> None:
    body = {**JOB, "args": {"type": "image", "url": "https://ghcr.io/v2/org/app/manifests/1"}}
    script = [Answer(422, {"errors": "Key: 'PreheatArgs.Type' Error:Field validation"})]
    with ManagerStandIn(token=token, script=script) as m:
        result = cli("preheat", str(write_tree(tmp_path, m.url, body=body)))
    assert result.rc == 4
    assert "refused by the manager: HTTP 422: Key: 'PreheatArgs.Type' Error:Field" in result.err
    assert "REFUSED" in result.out
    assert len(m.posts()) == 1


def test_unreachable_manager_exits_3(tmp_path: Path, cli, token: str) -> None:
    with ManagerStandIn() as m:
        url = m.url  # closed when the block ends
    result = cli("preheat", str(write_tree(tmp_path, url, jobs=2)))
    assert result.rc == 3
    assert "unreachable" in result.err
    assert [r.split()[3] for r in result.out.splitlines()[1:]] == ["UNREACHABLE"] * 2


def test_dry_run_submits_nothing(tmp_path: Path, cli, token: str) -> None:
    with ManagerStandIn(token=token) as m:
        result = cli("preheat", str(write_tree(tmp_path, m.url)), "--dry-run")
    assert result.rc == 0, result.err
    assert m.requests == []
    assert f"would POST vpc-a/preheat/01-ghcr-io-org-app-1.json to {m.url}/oapi/v1/jobs" in (
        result.err
    )
    assert "DRY-RUN" in result.out
    assert token not in result.out + result.err


def test_dry_run_of_the_example_tree(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENCFG_SECRET_VPC_A_MANAGER_TOKEN", TOKEN)
    result = cli("preheat", str(REPO / "rendered" / "example"), "--dry-run", "--vpc", "vpc-a")
    assert result.rc == 0, result.err
    assert "http://10.10.0.10:8080/oapi/v1/jobs" in result.err
    assert "https://ghcr.io/v2/example/trainer/manifests/2024.06" in result.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--vpc", "vpc-z"], "VPC 'vpc-z' has no preheat jobs"),
        (["--manager", "vpc-a"], "expected VPC=URL"),
        (["--manager", "vpc-a=ftp://x"], "is not an http(s) URL"),
        (["--manager", "vpc-a=http://u:p@h:1"], "must not carry credentials"),
    ],
)
def test_bad_arguments_exit_2(
    tmp_path: Path, cli, token: str, args: list[str], message: str
) -> None:
    result = cli("preheat", str(write_tree(tmp_path, "http://127.0.0.1:9")), *args)
    assert result.rc == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_not_a_rendered_tree_exits_2(tmp_path: Path, cli) -> None:
    result = cli("preheat", str(tmp_path))
    assert result.rc == 2
    assert "not a rendered tree" in result.err


def test_hand_edited_job_is_not_sent(tmp_path: Path, cli, token: str) -> None:
    body = {**JOB, "args": {**JOB["args"], "urls": ["x"]}}  # a key v2.1.28 lacks
    with ManagerStandIn(token=token) as m:
        result = cli("preheat", str(write_tree(tmp_path, m.url, body=body)))
    assert result.rc == 2
    assert "not a v2.1 preheat job" in result.err
    assert m.requests == []


@pytest.mark.slow
def test_playbook_passes_the_vault_token_on_stdin_only(tmp_path: Path) -> None:
    """playbooks/preheat.yml runs gencfg preheat; even -vvv output never shows the token."""
    tree = tmp_path / "example"
    shutil.copytree(REPO / "rendered" / "example", tree)
    group_vars = tree / "ansible" / "group_vars" / "all.yaml"
    variables = yaml.safe_load(group_vars.read_text())
    variables["gencfg_preheat"]["vpc-a"]["interval"] = 0.05  # not the example's 10s
    group_vars.write_text(yaml.safe_dump(variables))
    # After preheat, the pre-pull jobs go to a cluster (the kubectl stand-in) that has
    # Kruise's CRD and the Namespace the Kubernetes layer applied.
    kubectl_log = tmp_path / "kubectl.log"
    kubectl_log.with_suffix(".cluster.json").write_text(
        json.dumps(
            {
                "crds": ["imagelistpulljobs.apps.kruise.io"],
                "objects": {"Namespace//dragonfly-system": "x"},
            }
        )
    )
    with ManagerStandIn(token=TOKEN) as m:
        extra = {
            "gencfg_kubectl": f"{REPO / 'tests' / 'support' / 'standin.py'} {kubectl_log} kubectl",
            "gencfg_health_interval": 1,
            "gencfg_secrets": {SECRET: TOKEN},
            "gencfg_preheat_command": f"{sys.executable} -m gencfg",
            "gencfg_preheat_args": ["--manager", f"vpc-a={m.url}"],
        }
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env.update({"PYTHONPATH": str(REPO), "ANSIBLE_NOCOLOR": "1"})
        run = subprocess.run(
            [
                "ansible-playbook",
                "-vvv",
                "-i",
                str(tree / "ansible"),
                str(REPO / "playbooks" / "preheat.yml"),
                "-e",
                json.dumps(extra),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert m.posts()[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert "01-ghcr-io-example-trainer-2024-06" in output
    assert "SUCCESS" in output
    assert TOKEN not in output
    assert "imagelistpulljob" in kubectl_log.read_text()


# --- the current line: v2.5 open API, token required ------------------------------------

JOB_V25 = {
    "type": "preheat",
    "bio": "gencfg: preheat ghcr.io/org/app:1.0 into vpc-a (deployment test)",
    "scheduler_cluster_ids": [1],
    "args": {
        "type": "image",
        "url": "https://ghcr.io/v2/org/app/manifests/1.0",
        "platform": "linux/amd64",
        "scope": "single_seed_peer",
        "timeout": 3600000000000,
    },
}


def _current_tree(root: Path, manager: str, **kwargs: Any) -> Path:
    tree = write_tree(root, manager, body=JOB_V25, **kwargs)
    (tree / "MANIFEST.json").write_text(json.dumps({"dragonfly": "v2.5.1", "files": {}}))
    return tree


def test_current_line_job_goes_to_the_open_api_with_the_token(
    tmp_path: Path, cli, token: str
) -> None:
    with ManagerStandIn(token=token, release="v2.5.1") as m:
        result = cli("preheat", str(_current_tree(tmp_path, m.url)))
    assert result.rc == 0, result.err
    assert m.posts()[0].path == "/oapi/v1/jobs"
    assert m.posts()[0].body == JOB_V25
    assert token not in result.out + result.err


def test_current_line_manager_refuses_jobs_without_a_token(tmp_path: Path, cli) -> None:
    """v2.5 has no unauthenticated job API (GC513 stops such an inventory first)."""
    with ManagerStandIn(release="v2.5.1") as m:
        result = cli("preheat", str(_current_tree(tmp_path, m.url, token_secret=None)))
    assert result.rc == 4
    assert "401" in result.err


def test_a_v21_job_in_a_current_line_tree_is_not_sent(tmp_path: Path, cli, token: str) -> None:
    with ManagerStandIn(token=token, release="v2.5.1") as m:
        tree = write_tree(tmp_path, m.url)  # v2.1's body, with its filter key
        (tree / "MANIFEST.json").write_text(json.dumps({"dragonfly": "v2.5.1", "files": {}}))
        result = cli("preheat", str(tree))
    assert result.rc == 2
    assert "not a v2.5 preheat job" in result.err
    assert m.requests == []


def test_dry_run_of_the_current_example_tree(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"GENCFG_SECRET_{SECRET.upper()}", TOKEN)
    result = cli("preheat", str(REPO / "rendered" / "example-current"), "--dry-run")
    assert result.rc == 0, result.err
    assert "01-ghcr-io-example-trainer-2024-06" in result.out + result.err


# --- private registries: credentials as secret references (issue 14, item 7) ------------

REGISTRY_PASSWORD = "robot-pw-9c2e-never-rendered"


@pytest.mark.parametrize("version", ["v2.1.28", "v2.5.1"])
def test_registry_password_is_a_placeholder_in_the_tree_and_reaches_the_manager(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    """The rendered tree and its diff carry a placeholder; the manager gets the password."""
    from tests.support import inventories

    changes: dict[str, Any] = {
        "deployment": {"dragonfly": {"version": version}},
        "secrets": {"harbor_password": {}, "preheat_token": {}},
        "vpc": {
            "registries": [
                {"host": "docker.io"},
                {
                    "host": "harbor.example:8443",
                    "credentials": {
                        "username": "robot$ci",
                        "password": {"secret": "harbor_password"},
                    },
                },
            ],
            "preheat": {
                "images": [{"image": "harbor.example:8443/team/app:1"}, {"image": "nginx:1.25"}],
                "interval": "1s",
                "token": {"secret": "preheat_token"},
            },
        },
    }
    inv = inventories.write(tmp_path / "inv", inventories.inventory(**changes))
    tree = tmp_path / "rendered"
    monkeypatch.setenv("GENCFG_SECRET_HARBOR_PASSWORD", REGISTRY_PASSWORD)
    monkeypatch.setenv(f"GENCFG_SECRET_{SECRET.upper()}", TOKEN)
    monkeypatch.setenv("GENCFG_SECRET_PREHEAT_TOKEN", TOKEN)
    assert cli("render", str(inv), "--output", str(tree)).rc == 0
    (tmp_path / "empty").mkdir()
    diff = cli("diff", str(inv), "--rendered", str(tmp_path / "empty"))
    for path in tree.rglob("*"):
        if path.is_file():
            assert REGISTRY_PASSWORD not in path.read_text(errors="replace"), path
    assert diff.rc == 1 and "@@GENCFG_SECRET:harbor_password@@" in diff.out
    assert REGISTRY_PASSWORD not in diff.out + diff.err
    private = next(tree.glob("vpc-a/preheat/*harbor*.json"))
    body = json.loads(private.read_text())
    assert body["args"]["username"] == "robot$ci"
    assert body["args"]["password"] == "@@GENCFG_SECRET:harbor_password@@"
    public = next(tree.glob("vpc-a/preheat/*nginx*.json"))
    assert "password" not in json.loads(public.read_text())["args"]
    variables = yaml.safe_load((tree / "ansible/group_vars/all.yaml").read_text())
    assert variables["gencfg_preheat"]["vpc-a"]["secrets"] == ["harbor_password"]
    with ManagerStandIn(token=TOKEN, release=version) as m:
        result = cli("preheat", str(tree), "--manager", f"vpc-a={m.url}")
    assert result.rc == 0, result.err
    sent = {p.body["args"]["url"]: p.body["args"] for p in m.posts()}
    harbor = next(a for u, a in sent.items() if "harbor.example" in u)
    assert (harbor["username"], harbor["password"]) == ("robot$ci", REGISTRY_PASSWORD)
    assert all("password" not in a for u, a in sent.items() if "harbor" not in u)
    assert REGISTRY_PASSWORD not in result.out + result.err


def test_a_missing_registry_password_names_the_secret(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = json.loads(json.dumps(JOB))
    body["args"].update(username="robot", password="@@GENCFG_SECRET:harbor_password@@")
    monkeypatch.setenv(f"GENCFG_SECRET_{SECRET.upper()}", TOKEN)
    monkeypatch.delenv("GENCFG_SECRET_HARBOR_PASSWORD", raising=False)
    with ManagerStandIn(token=TOKEN) as m:
        result = cli("preheat", str(write_tree(tmp_path, m.url, body=body)))
    assert result.rc == 2
    assert "secret 'harbor_password' (a registry password) has no value" in result.err
    assert m.posts() == []
