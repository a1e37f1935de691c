"""``gencfg rollout`` takes a host removed from the inventory out of the fleet, if named.

The record and the refusal are tested here without Ansible (the runner is replaced by
a fake that reports every host it was given as ok); tests/test_decommission_ssh.py runs
the decommission step over SSH.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from gencfg.cli.commands import rollout as rollout_command
from gencfg.errors import ExternalError, UserError
from gencfg.rollout import hostguard, runner
from gencfg.rollout.runner import Outcome
from tests.conftest import Result
from tests.support import inventories
from tests.support.ansible import load_plugin


def _peer(name: str, ip: str, *runtimes: str) -> dict[str, Any]:
    return {"name": name, "ip": ip, "engine": "nerdctl", "runtimes": list(runtimes)}


def _inventory(*peers: dict[str, Any], nodes: int = 1) -> dict[str, Any]:
    return inventories.inventory(
        vpc={
            "peer_vms": list(peers),
            "node_groups": [
                {
                    "name": "gpu",
                    "nodes": [{"name": f"gpu-{i}", "ip": f"127.0.1.{i}"} for i in range(nodes)],
                    "runtimes": ["containerd"],
                },
                {"name": "cpu", "nodes": [{"name": "cpu-0", "ip": "127.0.2.1"}], "runtimes": []},
            ],
            "runtimes": {"nydus": {"version": "v2.2.5"}},
        }
    )


TWO_PEERS = (_peer("vm-1", "127.0.0.4", "containerd"), _peer("vm-2", "127.0.0.5", "nydus"))


def test_hosts_of_a_rendered_inventory(cli: Callable[..., Result], tmp_path: Path) -> None:
    tree = inventories.render(cli, tmp_path, _inventory(*TWO_PEERS))
    hosts = hostguard.current(tree)
    assert hosts is not None
    # every host the playbooks put files on; a node whose runtimes pull directly gets none
    assert sorted(hosts) == ["cp-1", "gpu-0", "vm-1", "vm-2"]
    vm2 = hosts["vm-2"]
    assert vm2.groups == ("gencfg_nydus", "gencfg_peer_vms")
    assert vm2.vpc == "vpc-a"
    assert vm2.variables["ansible_host"] == "127.0.0.5"
    assert vm2.variables["gencfg_compose_dir"] == "/opt/dragonfly"
    assert vm2.variables["gencfg_engine"] == "nerdctl"
    assert {f["runtime"] for f in vm2.variables["gencfg_runtime_files"]} == {"nydus"}
    assert "gencfg_files" not in vm2.variables  # the host knows its files (its records)
    node = hosts["gpu-0"]
    assert node.vpc == "vpc-a" and node.groups == ("gencfg_containerd", "gencfg_k8s_nodes")
    assert {f["runtime"] for f in node.variables["gencfg_runtime_files"]} == {"containerd"}
    assert hosts["cp-1"].variables["gencfg_runtime_files"] == []
    assert hostguard.current(tmp_path / "nowhere") is None


def test_an_unreadable_inventory_or_record_is_named(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "ansible").mkdir(parents=True)
    (tree / "ansible" / "hosts.yaml").write_text("all: [\n")
    with pytest.raises(UserError, match=r"hosts\.yaml: cannot read the rendered Ansible inventory"):
        hostguard.current(tree)
    (tree / "ansible" / "hosts.yaml").write_text("all: {}\n")
    hostguard.record_file(tree).parent.mkdir(parents=True, exist_ok=True)
    hostguard.record_file(tree).write_text('{"hosts": {"vm-1": {}}}')
    with pytest.raises(ExternalError, match="unreadable record of the hosts of the last rollout"):
        hostguard.check(tree, "rollout", [], [])


def test_a_record_that_cannot_be_written_is_named(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = inventories.render(cli, tmp_path, _inventory(*TWO_PEERS))
    plan = hostguard.check(tree, "rollout", [], [])
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "gencfg").write_text("a file where the directory goes\n")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    with pytest.raises(ExternalError, match="its record of hosts could not be written to"):
        hostguard.record(tree, plan, [])


def test_record_and_compare(cli: Callable[..., Result], tmp_path: Path) -> None:
    tree = inventories.render(cli, tmp_path, _inventory(*TWO_PEERS))
    first = hostguard.check(tree, "rollout", [], [])  # never rolled out: nothing to compare
    assert first.removed == {} and first.decommission == {}
    hostguard.record(tree, first, ["cp-1", "vm-1", "vm-2", "gpu-0"])
    saved = json.loads(hostguard.record_file(tree).read_text())
    assert sorted(saved["hosts"]) == ["cp-1", "gpu-0", "vm-1", "vm-2"]
    assert saved["hosts"]["vm-2"]["variables"]["ansible_host"] == "127.0.0.5"

    inventories.render(cli, tmp_path, _inventory(TWO_PEERS[0], nodes=0))
    with pytest.raises(UserError) as refused:
        hostguard.check(tree, "rollout", [], [])
    message = str(refused.value)
    assert "host(s) gpu-0 (vpc-a), vm-2 (vpc-a) were in the last rollout" in message
    assert "--allow-host-removal gpu-0 --allow-host-removal vm-2" in message
    with pytest.raises(UserError, match=r"host\(s\) gpu-0 \(vpc-a\) were"):
        hostguard.check(tree, "decommission", ["vm-2"], [])

    # Another layer leaves removed hosts alone, and the record keeps them
    partial = hostguard.check(tree, "peers", [], [])
    assert sorted(partial.removed) == ["gpu-0", "vm-2"] and partial.decommission == {}
    hostguard.record(tree, partial, ["cp-1", "vm-1"])
    assert sorted(json.loads(hostguard.record_file(tree).read_text())["hosts"]) == [
        "cp-1",
        "gpu-0",
        "vm-1",
        "vm-2",
    ]

    # The VPC's removal flag confirms its hosts too; only hosts the step reached are dropped
    plan = hostguard.check(tree, "rollout", [], ["vpc-a"])
    assert sorted(plan.decommission) == ["gpu-0", "vm-2"]
    inventory = hostguard.inventory(plan.decommission)
    members = inventory["all"]["children"]["gencfg_decommission"]["hosts"]
    assert sorted(members) == ["gpu-0", "vm-2"]
    assert members["vm-2"]["gencfg_compose_dir"] == "/opt/dragonfly"
    hostguard.record(tree, plan, ["cp-1", "vm-1", "vm-2"])  # gpu-0: --limit left it out
    assert sorted(json.loads(hostguard.record_file(tree).read_text())["hosts"]) == [
        "cp-1",
        "gpu-0",
        "vm-1",
    ]
    plan = hostguard.check(tree, "rollout", ["gpu-0"], [])
    hostguard.record(tree, plan, ["cp-1", "vm-1", "gpu-0"])
    assert hostguard.check(tree, "rollout", [], []).removed == {}  # the removal is done


def _fake_runner(calls: list[dict[str, Any]], rc: int = 0) -> Callable[..., Outcome]:
    """Ansible reporting every host of the tree and of the extra inventory as ok."""

    def run(tree: Path, **options: Any) -> Outcome:
        calls.append({"tree": tree, **options})
        hosts = set(hostguard.current(tree) or {})
        extra = options.get("extra_inventory") or {}
        hosts |= set(
            extra.get("all", {}).get("children", {}).get("gencfg_decommission", {}).get("hosts", {})
        )
        failures = {h: 1 for h in hosts} if rc else {}
        return Outcome(
            rc,
            "failed" if rc else "successful",
            {"ok": dict.fromkeys(hosts, 1), "failures": failures},
        )

    return run


def test_cli_refuses_a_removed_host_unless_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Result]
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(rollout_command, "run_playbook", _fake_runner(calls))
    tree = inventories.render(cli, tmp_path, _inventory(*TWO_PEERS))
    assert cli("rollout", str(tree)).rc == 0
    assert calls[-1]["extra_inventory"] is None

    inventories.render(cli, tmp_path, _inventory(TWO_PEERS[0]))
    refused = cli("rollout", str(tree))
    assert refused.rc == 2
    assert refused.err.startswith("gencfg: error: ")
    assert "host(s) vm-2 (vpc-a) were in the last rollout" in refused.err
    assert "run again with --allow-host-removal vm-2" in refused.err
    assert len(calls) == 1, "ansible ran although the rollout was refused"
    assert cli("rollout", str(tree), "--check").rc == 2  # a dry run is refused the same way
    assert cli("rollout", str(tree), "--layer", "decommission").rc == 2
    assert cli("rollout", str(tree), "--layer", "peers").rc == 0  # does not reach vm-2
    assert calls[-1]["extra_inventory"] is None

    dry = cli("rollout", str(tree), "--check", "--allow-host-removal", "vm-2")
    assert dry.rc == 0, dry.err
    assert "taking out of the fleet (removed from the inventory): vm-2" in dry.out
    members = calls[-1]["extra_inventory"]["all"]["children"]["gencfg_decommission"]["hosts"]
    assert list(members) == ["vm-2"]
    assert members["vm-2"]["ansible_host"] == "127.0.0.5"
    assert "vm-2" in json.loads(hostguard.record_file(tree).read_text())["hosts"]  # dry run

    monkeypatch.setattr(rollout_command, "run_playbook", _fake_runner(calls, rc=2))
    assert cli("rollout", str(tree), "--allow-host-removal", "vm-2").rc == 4
    assert "vm-2" in json.loads(hostguard.record_file(tree).read_text())["hosts"]  # failed

    monkeypatch.setattr(rollout_command, "run_playbook", _fake_runner(calls))
    assert cli("rollout", str(tree), "--allow-host-removal", "vm-2").rc == 0
    assert "vm-2" not in json.loads(hostguard.record_file(tree).read_text())["hosts"]
    again = cli("rollout", str(tree))
    assert again.rc == 0, again.err
    assert calls[-1]["extra_inventory"] is None


def test_the_runner_gives_ansible_the_extra_inventory_after_the_trees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = tmp_path / "rendered"
    (tree / "ansible").mkdir(parents=True)
    (tree / "ansible" / "hosts.yaml").write_text("all: {}\n")
    seen: dict[str, Any] = {}

    def run(**kwargs: Any) -> Any:
        seen["inventory"] = kwargs["inventory"]
        seen["extra"] = json.loads(Path(kwargs["inventory"][1]).read_text())
        seen["private"] = kwargs["private_data_dir"]
        return SimpleNamespace(rc=0, status="successful", stats={})

    monkeypatch.setattr(runner.ansible_runner, "run", run)
    monkeypatch.setattr(runner.shutil, "which", lambda name: f"/bin/{name}")
    extra = {"all": {"children": {"gencfg_decommission": {"hosts": {"vm-2": {}}}}}}
    runner.run(
        tree,
        layer="decommission",
        limit=None,
        check=False,
        diff=False,
        extra_vars=[],
        out=io.StringIO(),
        extra_inventory=extra,
    )
    assert seen["inventory"][0] == str((tree / "ansible").resolve())
    assert Path(seen["inventory"][1]).parent == Path(seen["private"])  # never in the tree
    assert seen["extra"] == extra
    assert not Path(seen["private"]).exists()


def _slurped(state: dict[str, Any] | None) -> dict[str, Any]:
    if state is None:
        return {"failed": False, "msg": "file not found"}
    return {"content": base64.b64encode(json.dumps(state).encode()).decode()}


def test_decommission_plan_puts_runtime_files_first() -> None:
    filters = load_plugin("filter_plugins", "gencfg")
    records = [
        _slurped({"files": ["/etc/containerd/certs.d/docker.io/hosts.toml"], "started": {}}),
        _slurped(
            {
                "files": [
                    "/opt/dragonfly/config/dfget.yaml",
                    "/opt/dragonfly/docker-compose.yaml",
                    "/etc/containerd/certs.d/docker.io/hosts.toml",
                    "/srv/nydus/nydusd.json",
                ],
                "started": {"dfdaemon": "a", "compose": "b", "nydus-snapshotter": "c"},
            }
        ),
        _slurped(None),
    ]
    runtime_files = [{"dest": "/srv/nydus/nydusd.json", "restart": "nydus-snapshotter"}]
    plan = filters.decommission_plan(records, "/opt/dragonfly/", runtime_files)
    assert plan["runtime_files"] == [
        "/etc/containerd/certs.d/docker.io/hosts.toml",
        "/srv/nydus/nydusd.json",
    ]
    assert plan["other_files"] == [
        "/opt/dragonfly/config/dfget.yaml",
        "/opt/dragonfly/docker-compose.yaml",
    ]
    assert plan["started"] == ["nydus-snapshotter"]
    assert plan["dirs"] == [
        "/srv/nydus",
        "/opt/dragonfly/config",
        "/opt/dragonfly",
        "/etc/containerd/certs.d/docker.io",
    ]
    # a host set up before the records: the runtime whose file went now restarts too
    bare = filters.decommission_plan(
        [_slurped({"files": ["/etc/docker.d/proxy.conf"], "started": {}})],
        "",
        [{"dest": "/etc/docker.d/proxy.conf", "restart": "dockerd"}],
    )
    removed = [{"item": "/etc/docker.d/proxy.conf", "changed": True}]
    assert filters.decommission_restarts(bare, removed) == ["dockerd"]
    assert filters.decommission_restarts(bare, [{**removed[0], "changed": False}]) == []
    assert filters.decommission_restarts(plan, []) == ["nydus-snapshotter"]
    empty = filters.decommission_plan([_slurped(None)] * 3, "/opt/dragonfly", [])
    assert empty["runtime_files"] == empty["other_files"] == empty["dirs"] == []
