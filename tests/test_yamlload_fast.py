"""load_yaml_value (no positions, for rendered templates) agrees with load_yaml on everything."""

from __future__ import annotations

import pytest

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
