"""A small, deterministic YAML emitter for rendered files.

Why not a general-purpose dumper: rendered files are reviewed in pull requests and
read by three YAML implementations (Go yaml.v3 / viper, Kubernetes, Ansible); one
quoting rule for all of them, keys in template order, block style and literal
blocks for embedded files make diffs small and unambiguous. Strings are plain only
when every YAML 1.1 and 1.2 reader sees the same string; otherwise they are
double-quoted with JSON escapes (a subset of YAML's).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# Plain only if it starts with a letter, digit, '/', '.' or '_', contains no
# character that is an indicator somewhere in YAML, and has no ': ' or final ':'.
_PLAIN = re.compile(
    r"^(?!.*: )[A-Za-z0-9_./][A-Za-z0-9_./+@%=:-]*(?: [A-Za-z0-9_./+@%=()-]+)*(?<!:)$"
)
_LOOKS_TYPED = re.compile(
    r"""^(?:
        [-+]?[0-9_]+(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?   # numbers, YAML 1.1 and 1.2
      | [-+]?\.[0-9]+(?:[eE][-+]?[0-9]+)?
      | 0[xob][0-9a-fA-F_]+
      | [-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
      | [0-9]+(?::[0-5]?[0-9])+(?:\.[0-9_]*)?          # base 60
      | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*                # timestamps
      | y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE
      | on|On|ON|off|Off|OFF|null|Null|NULL|~
    )$""",
    re.VERBOSE,
)


# Characters YAML forbids raw, or that YAML 1.1 readers take as line breaks
# (NEL, LS, PS): always written as escapes.
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _quoted(value: str) -> str:
    """A double-quoted scalar: JSON escapes, plus YAML's unsafe characters escaped."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))


def scalar(value: Any) -> str:
    """One scalar in flow form."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError("NaN and infinity are not valid configuration values")
        # YAML 1.1 readers need a '.' in the mantissa: 1e-06 would be a string.
        mantissa, _, exponent = repr(value).partition("e")
        if "." not in mantissa:
            mantissa += ".0"
        return f"{mantissa}e{exponent}" if exponent else mantissa
    if isinstance(value, str):
        # fullmatch: with match, "$" would let a value ending in a newline pass as plain.
        if _PLAIN.fullmatch(value) and not _LOOKS_TYPED.fullmatch(value):
            return value
        return _quoted(value)
    raise TypeError(f"cannot write {type(value).__name__} to YAML")


def _literal_ok(value: str) -> bool:
    """Multi-line text that a literal block (|) reproduces exactly."""
    if "\n" not in value.rstrip("\n") or value.endswith("\n\n") or not value.endswith("\n"):
        return False
    if _UNSAFE.search(value) or any(ord(c) < 0x20 and c != "\n" for c in value):
        return False
    lines = value.split("\n")[:-1]
    return (
        bool(lines[0])
        and not lines[0][0].isspace()
        and all("\t" not in line and line == line.rstrip() and "\r" not in line for line in lines)
    )


def _emit(value: Any, indent: int, out: list[str], sections: bool = False) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{pad}{scalar(str(key))}:"
            _emit_entry(head, item, indent, out, sections=sections)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                first = True
                for key, sub in item.items():
                    lead = f"{pad}- " if first else f"{pad}  "
                    _emit_entry(f"{lead}{scalar(str(key))}:", sub, indent + 2, out)
                    first = False
            elif isinstance(item, list) and item:
                out.append(f"{pad}-")
                _emit(item, indent + 2, out)
            else:
                _emit_entry(f"{pad}-", item, indent, out, in_list=True)
    else:
        out.append(f"{pad}{scalar(value)}")


_SECTIONS: dict[tuple[int, str], list[str]] = {}
"""Lines of the sections already written, by indentation and JSON text."""
_SECTION_DEPTH = 2
"""Sections are remembered down to this indentation: top-level keys and their children."""
_SECTION_MAX = 1 << 14
"""Larger sections (the Ansible inventory's groups) are unique: not remembered."""
_SECTIONS_MAX = 1 << 13


def _section(item: dict[str, Any] | list[Any], indent: int, out: list[str]) -> None:
    """Write a section nested at ``indent``, as it was written the last time it was seen.

    Rendered files of one kind share most of their sections (a dfget.yaml's storage,
    proxy, upload settings): the lines of a section depend only on its value and its
    indentation, and its JSON text tells its value exactly (keys in order, types by
    spelling; a YAML document's keys are strings).
    """
    try:
        key = (indent, json.dumps(item, ensure_ascii=False))
    except (TypeError, ValueError):
        key = None
    if key is None or len(key[1]) > _SECTION_MAX:
        _emit(item, indent + 2, out, sections=True)
        return
    lines = _SECTIONS.get(key)
    if lines is None:
        lines = []
        _emit(item, indent + 2, lines, sections=True)
        if len(_SECTIONS) < _SECTIONS_MAX:
            _SECTIONS[key] = lines
    out.extend(lines)


def _emit_entry(
    head: str,
    item: Any,
    indent: int,
    out: list[str],
    *,
    in_list: bool = False,
    sections: bool = False,
) -> None:
    if (isinstance(item, dict) and item) or (isinstance(item, list) and item):
        out.append(head)
        if sections and indent <= _SECTION_DEPTH:
            _section(item, indent, out)
        else:
            _emit(item, indent + 2, out)
    elif isinstance(item, dict):
        out.append(f"{head} {{}}")
    elif isinstance(item, list):
        out.append(f"{head} []")
    elif isinstance(item, str) and _literal_ok(item):
        out.append(f"{head} |")
        body = " " * (indent + (4 if in_list else 2))
        out.extend(f"{body}{line}" if line else "" for line in item.split("\n")[:-1])
    else:
        out.append(f"{head} {scalar(item)}")


def dump(value: Any, *, sections: bool = False) -> str:
    """``value`` (mappings, lists, scalars) as a YAML document ending in a newline.

    ``sections``: remember the top-level sections and their children, and reuse their
    lines when they come again (for many small documents of one kind; a large unique
    one only pays for the JSON texts).
    """
    if isinstance(value, (dict, list)) and not value:
        return ("{}" if isinstance(value, dict) else "[]") + "\n"
    out: list[str] = []
    _emit(value, 0, out, sections)
    return "\n".join(out) + "\n"
