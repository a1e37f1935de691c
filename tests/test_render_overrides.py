"""Overrides merge into rendered documents and remember which inventory line set what."""

from __future__ import annotations

from gencfg.inventory.model import Layer
from gencfg.render.overrides import apply, origin_of


def test_maps_merge_lists_and_scalars_replace() -> None:
    doc = {
        "download": {"totalRateLimit": "1Gi", "perPeerRateLimit": "512Mi"},
        "proxies": [{"regx": "a"}],
    }
    layer = Layer(
        {"download": {"totalRateLimit": "2Gi"}, "proxies": [{"regx": "b"}]},
        ("deployment", "overrides", "peer"),
    )
    merged, origins = apply(doc, [layer])
    assert merged == {
        "download": {"totalRateLimit": "2Gi", "perPeerRateLimit": "512Mi"},
        "proxies": [{"regx": "b"}],
    }
    assert origins[("download", "totalRateLimit")] == (
        "deployment",
        "overrides",
        "peer",
        "download",
        "totalRateLimit",
    )
    assert doc["download"]["totalRateLimit"] == "1Gi"  # the input is not modified


def test_later_layers_win_and_own_the_origin() -> None:
    first = Layer({"a": {"b": 1}}, ("deployment", "overrides", "peer"))
    second = Layer({"a": {"b": 2}}, ("vpcs", 0, "overrides", "peer"))
    merged, origins = apply({}, [first, second])
    assert merged == {"a": {"b": 2}}
    assert origins[("a", "b")] == ("vpcs", 0, "overrides", "peer", "a", "b")


def test_origin_of_a_key_below_an_overridden_value() -> None:
    doc = {"proxy": {"tcpListen": {"port": 65001}, "registryMirror": {"url": "u"}}}
    _, origins = apply(doc, [Layer({"proxy": {"tcpListen": {"port": 1}}}, ("x",))])
    assert origin_of(("proxy", "tcpListen", "port", "bad"), origins) == (
        "x",
        "proxy",
        "tcpListen",
        "port",
        "bad",
    )
    assert origin_of(("proxy", "registryMirror"), origins) is None


def test_a_block_the_template_lacks_belongs_wholly_to_the_override() -> None:
    _, origins = apply({}, [Layer({"proxy": {"tcpListen": {"port": 1}}}, ("x",))])
    assert origin_of(("proxy", "anything"), origins) == ("x", "proxy", "anything")


def test_secret_references_become_placeholders() -> None:
    merged, _ = apply({}, [Layer({"objectStorage": {"secretKey": {"secret": "s3_key"}}}, ("x",))])
    assert merged == {"objectStorage": {"secretKey": "@@GENCFG_SECRET:s3_key@@"}}


def test_render_reports_override_mistakes_as_validate_does(tmp_path, cli) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import EXAMPLES

    case = EXAMPLES / "invalid" / "override-misspelt-key"
    out = tmp_path / "out"
    result = cli("render", ".", "--output", str(out), cwd=case)
    assert result.rc == 2
    expected = (case / "expected.txt").read_text()
    assert result.err.startswith(expected)
    assert not out.exists()
