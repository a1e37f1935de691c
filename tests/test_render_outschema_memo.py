"""The output-schema memo proves exactly the documents jsonschema accepts, no more."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gencfg.inventory.validate import validate
from gencfg.render import engine, outschema
from gencfg.render.plan import plan
from tests.conftest import REPO


def _documents() -> list[tuple[str, Any]]:
    docs = []
    for name in ("example", "example-current"):
        inv, _ = validate(REPO / "inventories" / name)
        assert inv is not None
        for p in plan(inv.model):
            if p.schema and not p.embeds:
                docs.append((p.schema, engine._parse(p, engine._template(p, None))))
    return docs


DOCUMENTS = _documents()
REPLACEMENTS = [1, -1, 1.5, "x", "", None, True, [], {}, ["x"], {"unknownKey": 1}, 2**40]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*path, i))
    return found


def _replace(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    out = copy.deepcopy(doc)
    target = out
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return out


@pytest.mark.parametrize("index", range(len(DOCUMENTS)))
def test_rendered_documents_are_proved_valid(index: int) -> None:
    schema_id, doc = DOCUMENTS[index]
    memo = outschema._Memo(outschema.validator(schema_id))
    assert memo.valid(outschema.validator(schema_id).schema, doc)


@settings(max_examples=600, deadline=None)
@given(st.data())
def test_a_changed_document_is_valid_only_if_jsonschema_says_so(data: st.DataObject) -> None:
    schema_id, doc = data.draw(st.sampled_from(DOCUMENTS))
    whole = outschema.validator(schema_id)
    memo = outschema._Memo(whole)
    assert memo.valid(whole.schema, doc)  # every section of the original is now known
    path = data.draw(st.sampled_from(_paths(doc)))
    changed = _replace(doc, path, data.draw(st.sampled_from(REPLACEMENTS)))
    if isinstance(changed, dict) and data.draw(st.booleans()):
        changed = {**changed, data.draw(st.sampled_from(["sever", "host", "x"])): 1}
    assert memo.valid(whole.schema, changed) == whole.is_valid(changed)
