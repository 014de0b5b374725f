"""The happy path of reading a plan: libyaml (PyYAML's C parser) with YAML 1.2 rules.

In: the plan's text. Out: plain data (``dict``, ``list``, ``str``, ``int``, ``float``,
``bool``, ``None``, ``date``) equal to what the line-tracking loader in
:mod:`planwatch.plan.load` (ruamel.yaml, pure Python, about 14x slower) gives for the same
text — or ``None`` when this loader cannot promise that, and the caller reads the file the
slow way, which also locates every problem by line.

It gives up (returns ``None``) rather than guess on anything a plan does not need and where
the two loaders could differ: anchors and aliases (so no alias can expand here: the slow
path counts them), explicit tags, directives (``%YAML 1.1`` changes the rules), merge keys, duplicate keys,
non-scalar keys, integers other than plain decimals (``0o17``, ``0x1f``, ``1_000``, ``007``),
floats other than plain decimals, timestamps with a time of day, impossible dates, tags
the safe constructor does not know, libyaml missing, and any YAML error.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import yaml
from yaml import events as yaml_events
from yaml.nodes import MappingNode, Node, ScalarNode

_CParser: Any
try:
    import yaml.cyaml

    _CParser = getattr(yaml.cyaml, "CParser", None)
except ImportError:  # PyYAML built without libyaml: every plan is read the slow way
    _CParser = None

_TAG = "tag:yaml.org,2002:"


class _Fallback(Exception):
    """This text needs the line-tracking loader."""


class _Resolver12(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema resolution: the patterns ruamel.yaml uses for YAML 1.2 (its
    default), so that ``no`` stays text and ``1e3`` is a number, as in the slow path."""


for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (
        "float",
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
        r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    (
        "int",
        r"^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$",
        "-+0123456789",
    ),
    ("merge", r"^(?:<<)$", "<"),
    ("null", r"^(?:~|null|Null|NULL|)$", "~nN"),
    (
        "timestamp",
        r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
        r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
        r"(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?"
        r"(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$",
        "0123456789",
    ),
    ("value", r"^(?:=)$", "="),
    ("yaml", r"^(?:!|&|\*)$", "!&*"),
):
    _Resolver12.add_implicit_resolver(_TAG + _tag, re.compile(_pattern), list(_first))
# The empty plain scalar is null too (its first character is none).
_Resolver12.add_implicit_resolver(_TAG + "null", re.compile(r"^$"), [""])

_DECIMAL_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DECIMAL_FLOAT = re.compile(r"[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def mapping_key(key: object) -> str:
    """A mapping's key as the plan's fields name it: text, with YAML's booleans written
    lower case (``true: [R]`` in a flag column is its ``true`` field, not ``True``)."""
    return str(key).lower() if isinstance(key, bool) else str(key)


class _Constructor(yaml.constructor.SafeConstructor):
    """Plain Python values, or :class:`_Fallback` for anything outside the common forms."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _TAG + "merge":
                raise _Fallback
            key = mapping_key(self.construct_object(key_node, deep=deep))
            if key in mapping:
                raise _Fallback
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def _int(self, node: ScalarNode) -> int:
        value = str(self.construct_scalar(node))
        if not _DECIMAL_INT.fullmatch(value):
            raise _Fallback
        return int(value)

    def _float(self, node: ScalarNode) -> float:
        value = str(self.construct_scalar(node))
        if not _DECIMAL_FLOAT.fullmatch(value):
            raise _Fallback
        return float(value)

    def _date(self, node: ScalarNode) -> date:
        match = _DATE.fullmatch(str(self.construct_scalar(node)))
        if match is None:
            raise _Fallback
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            raise _Fallback from None

    def _refuse(self, node: Node) -> Any:
        raise _Fallback


_Constructor.yaml_constructors = {
    **yaml.constructor.SafeConstructor.yaml_constructors,
    _TAG + "int": _Constructor._int,
    _TAG + "float": _Constructor._float,
    _TAG + "timestamp": _Constructor._date,
    **{_TAG + tag: _Constructor._refuse for tag in ("merge", "value", "yaml")},
}


if _CParser is not None:

    class _Loader(_CParser, _Constructor, _Resolver12):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _Constructor.__init__(self)
            _Resolver12.__init__(self)


_DIRECTIVE = re.compile(r"^%", re.M)


def _has_anchors_or_tags(text: str) -> bool:
    """Whether the text has an anchor, an alias or an explicit tag (ruamel keeps a tagged
    scalar as a ``TaggedScalar``, not as text). ``&``, ``*`` and ``!`` in text are common,
    so the events are looked at only when one of them is there."""
    if not any(mark in text for mark in "&*!"):
        return False
    parser: Any = _Loader(text)
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml_events.AliasEvent):
                return True
            if getattr(event, "anchor", None) or getattr(event, "tag", None):
                return True
    finally:
        parser.dispose()
    return False


def load_fast(text: str) -> Any | None:
    """The plan's data as plain Python values, or ``None``: read it with the slow path."""
    if _CParser is None or _DIRECTIVE.search(text):
        return None
    try:
        if _has_anchors_or_tags(text):
            return None
        loader = _Loader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except (_Fallback, yaml.YAMLError):
        return None
