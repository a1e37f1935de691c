"""The YAML emitter: every document reads back identically in YAML 1.1 and 1.2 readers."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gencfg.inventory.source import SourceMap
from gencfg.inventory.yamlload import load_yaml
from gencfg.render.yamlout import dump, scalar

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(
        [
            "yes",
            "no",
            "on",
            "off",
            "y",
            "~",
            "null",
            "0700",
            "1:20",
            "0x1F",
            "1e3",
            ":8000",
            "a: b",
            "- x",
            "#c",
            "x #c",
            "10.0.0.1:65003",
            "2024-01-01",
            ".inf",
            "'q'",
            "1_000",
        ]
    ),
)
keys = st.one_of(
    st.text(min_size=1, max_size=12), st.sampled_from(["y", "n", "on", "1", "-", "a b"])
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)
    ),
    max_leaves=25,
)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b and type(a) is type(b)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(keys, documents, min_size=1, max_size=5))
def test_roundtrip_yaml11(doc: dict[str, object]) -> None:
    assert _same(yaml.safe_load(dump(doc)), doc)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(keys, documents, min_size=1, max_size=5))
def test_roundtrip_strict_yaml12(doc: dict[str, object]) -> None:
    value, problems = load_yaml(dump(doc), "doc.yaml", SourceMap())
    assert problems == []
    assert _same(value, doc)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(keys, documents, min_size=1, max_size=5), st.data())
def test_remembered_sections_are_written_the_same(
    doc: dict[str, object], data: st.DataObject
) -> None:
    # A sibling document that shares some sections, then the document itself again.
    other = {k: v for k, v in doc.items() if data.draw(st.booleans())}
    assert dump(other, sections=True) == dump(other)
    assert dump(doc, sections=True) == dump(doc)
    assert dump(doc, sections=True) == dump(doc)


def test_keys_keep_template_order() -> None:
    assert dump({"z": 1, "a": 2}) == "z: 1\na: 2\n"


def test_multiline_text_is_a_literal_block() -> None:
    assert dump({"data": {"f.yaml": "a: 1\nb: 2\n"}}) == "data:\n  f.yaml: |\n    a: 1\n    b: 2\n"


def test_ambiguous_strings_are_quoted() -> None:
    assert [scalar(s) for s in ("yes", "0700", ":8000", "1.0", "ok")] == [
        '"yes"',
        '"0700"',
        '":8000"',
        '"1.0"',
        "ok",
    ]
