"""load_yaml_value (no positions, for rendered templates) agrees with load_yaml on everything."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gencfg.inventory import yamlload
from gencfg.inventory.source import SourceMap
from gencfg.inventory.yamlload import load_yaml, load_yaml_value

DOCUMENTS = {
    "mapping": "a: 1\nb: [x, 'y', \"z\"]\nc: {d: null, e: 1.5, f: true}\n",
    "sequence of mappings": "- {name: a, ip: 10.0.0.1}\n- name: b\n  ports: [1, 2]\n",
    "scalars": "a: 0o17\nb: 0x1f\nc: .inf\nd: ~\ne: ''\nf: -3\ng: 1e3\n",
    "block literal": "data:\n  dfget.yaml: |\n    a: 1\n    b: 2\n",
    "empty": "",
    "explicit tags": "a: !!int '3'\nb: !!str 3\nc: !!float 1\n",
    "quoted keys": "'a': 1\n\"b\": 2\n'yes': 3\n",
    "empty collections": "a: {}\nb: []\n",
    "syntax error": "a: [1, 2\n",
    "duplicate key": "a: 1\nb: 2\na: 3\n",
    "alias": "a: &x 1\nb: *x\n",
    "alias of a mapping": "a: &x {c: 1}\nb: *x\n",
    "merge key": "a: {c: 1}\nb:\n  <<: {c: 2}\n",
    "ambiguous boolean": "a: yes\n",
    "ambiguous boolean key": "on: 1\n",
    "ambiguous number": "mode: 0644\n",
    "non-string key": "1: a\n",
    "null key": "~: a\n",
    "custom tag": "a: !secret x\n",
    "bad explicit tag": "a: !!int x\n",
    "two documents": "a: 1\n---\nb: 2\n",
}


@pytest.mark.parametrize("text", DOCUMENTS.values(), ids=list(DOCUMENTS))
def test_same_value_and_problems_as_load_yaml(text: str) -> None:
    assert load_yaml_value(text, "f.yaml") == load_yaml(text, "f.yaml", SourceMap())


# Documents written as JSON (the Ansible inventory's template writes ``{{ inventory | q }}``)
# are decoded as JSON when that gives YAML's value; the others go through the YAML path.
JSON_DOCUMENTS = {
    "canonical": json.dumps({"a": [1, 2.5, -3, 1e-06, 1e16], "b": None, "c": True, "d": "x"}),
    "canonical with a newline": json.dumps({"all": {"hosts": {"n1": {"ip": "10.0.0.1"}}}}) + "\n",
    "list": json.dumps([{"a": "b"}, [], {}]),
    "not canonical spacing": '{"a":1, "b" : [1,2]}',
    "spread over lines": '{\n  "a": 1,\n  "b": 2\n}\n',
    "duplicate key": '{"a": 1, "a": 2}',
    "key too long for libyaml": json.dumps({"k" * 1030: 1}),
    "key just short enough": json.dumps({"k" * 990: 1}),
    "NaN": '{"a": NaN}',
    "Infinity": '{"a": Infinity}',
    "huge number": '{"a": 1e400}',
    "line separator": '{"a": "x\u2028y"}',
    "next line": '{"a": "x\u0085y"}',
    "escaped next line": '{"a": "x\\u0085y"}',
    "byte order mark": '{"a": "\ufeff"}',
    "tab": '{"a":\t1}',
    "unclosed": '{"a": [1, 2}',
    "yes and octal as strings": json.dumps({"yes": "on", "mode": "0644"}),
}


@pytest.mark.parametrize("text", JSON_DOCUMENTS.values(), ids=list(JSON_DOCUMENTS))
def test_json_documents_same_value_and_problems_as_load_yaml(text: str) -> None:
    assert load_yaml_value(text, "f.yaml") == load_yaml(text, "f.yaml", SourceMap())


def test_a_canonical_json_document_is_not_composed_as_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("composed as YAML")

    text = JSON_DOCUMENTS["canonical with a newline"]
    monkeypatch.setattr(yaml, "compose", refuse)
    assert load_yaml_value(text, "f.yaml") == (json.loads(text), [])


_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
_json_values = st.recursive(
    _json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.lists(_json_values, max_size=4), st.dictionaries(st.text(), _json_values)))
def test_any_json_text_loads_as_load_yaml_loads_it(value: Any) -> None:
    for text in (json.dumps(value, ensure_ascii=False), json.dumps(value)):
        assert load_yaml_value(text, "f.yaml") == load_yaml(text, "f.yaml", SourceMap())


@settings(max_examples=1000, deadline=None)
@given(st.text(min_size=1, max_size=12))
def test_plain_scalars_skip_typing_only_when_no_type_can_match(text: str) -> None:
    mark = yaml.Mark("f.yaml", 0, 0, 0, None, None)
    node = yaml.ScalarNode("gencfg:plain", text, mark, mark)
    try:
        typed = yamlload._typed(text, "f.yaml", node)
    except yamlload.YamlError:
        typed = yamlload.YamlError
    if text[0] not in yamlload._SPECIAL_FIRST:
        assert typed == text


# The typing of plain scalars as it was written first, one pattern after the other: the
# single alternation that replaced it must decide every text the same way.
_CASCADE = [
    ("null", r"^(?:~|null|Null|NULL|)$"),
    ("true", r"^(?:true|True|TRUE)$"),
    ("false", r"^(?:false|False|FALSE)$"),
    ("ambiguous_bool", r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$"),
    ("ambiguous_number", r"^[-+]?0[0-9]+$|^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$"),
    ("int", r"^[-+]?(?:0|[1-9][0-9]*)$"),
    ("oct", r"^0o[0-7]+$"),
    ("hex", r"^0x[0-9a-fA-F]+$"),
    ("float", r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
    ("inf", r"^[-+]?(?:\.inf|\.Inf|\.INF)$"),
    ("nan", r"^(?:\.nan|\.NaN|\.NAN)$"),
]


def _cascade(text: str) -> str | None:
    return next((name for name, p in _CASCADE if re.match(p, text)), None)


def _alternation(text: str) -> str | None:
    found = yamlload._TYPED.match(text)
    return found.lastgroup if found else None


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="0123456789+-.:_eExXoOabfinlNTtrusyYF~ \n", max_size=9))
def test_one_alternation_types_scalars_as_the_cascade_did(text: str) -> None:
    assert _alternation(text) == _cascade(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "~",
        "null",
        "NULL",
        "true",
        "False",
        "yes",
        "off",
        "0644",
        "1:20",
        "1_000",
        "0",
        "-3",
        "0o17",
        "0x1F",
        "1.5",
        "1e3",
        ".5",
        "+.inf",
        ".NaN",
        "10.0.0.1",
        "1.2.3",
        "12:70",
        "0x",
        "-0",
        "null\n",
        "0.",
        "1e",
        "e3",
    ],
)
def test_the_alternation_on_known_texts(text: str) -> None:
    assert _alternation(text) == _cascade(text)
