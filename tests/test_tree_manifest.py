"""MANIFEST.json's bytes are json.dumps(indent=2, sort_keys=True), however they are made."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gencfg.tree.manifest import dumps

_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(), st.floats(allow_nan=False)),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(st.text(), max_size=4),
        st.dictionaries(st.text(), children, max_size=4),
    ),
    max_leaves=25,
)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.text(), _values))
def test_dumps_is_json_with_two_space_indent_and_sorted_keys(manifest: dict[str, Any]) -> None:
    assert dumps(manifest) == (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
