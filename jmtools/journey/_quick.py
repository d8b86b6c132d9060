"""A journey file read through libyaml when nothing in it needs the full reader.

:func:`~jmtools.journey.yamlio._parse_yaml` reads a journey with ruamel.yaml's round-trip
reader, which remembers every key's line (so a problem is located) and every comment (so a
saved file keeps them). Both are only needed when the file has a problem or is written back;
a report only reads the journey, and the pure-Python reader took about a third of a second
on the sample's 16 kB journey, on every report. :func:`plain_journey_data` reads the same
text with libyaml (through PyYAML) into plain data that is equal to what the round-trip
reader gives (YAML 1.2 scalars, dates as text), or returns None whenever the two could
differ or the file needs the full reader's checks: tags, anchors and aliases, directives,
merge keys, duplicate keys, number forms other than plain decimals, unusual line breaks,
deep nesting, a large file, or a syntax error. The caller then reads the file the full way,
which locates every problem as before.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["QUICK_MAX_CHARS", "QUICK_MAX_DEPTH", "plain_journey_data", "quick_journey"]

#: Largest text read this way (journey files are a few kilobytes).
QUICK_MAX_CHARS = 262_144
#: Deepest bracket nesting, or longest indentation, read this way.
QUICK_MAX_DEPTH = 64

# Anything the full reader treats specially: a tag (!), an anchor (&) or alias (*) at the
# start of a token, a directive line (%), and line breaks YAML 1.1 and 1.2 read differently.
_NEEDS_FULL = re.compile(r"(?:^|[\s\[\]{},:?-])(?:!|[&*]\S)|^%|[\x85\u2028\u2029]", re.M)
_DEEP_INDENT = re.compile(r"^[ \t-]{%d,}" % (2 * QUICK_MAX_DEPTH), re.M)
_BRACKETS = re.compile(r"[\[\]{}]")

# Plain scalars as YAML 1.2 reads them (the round-trip reader's own patterns): the simple
# forms are read here; every other number form, merge key or value key sends the file on.
_BOOL = r"^(?:true|True|TRUE|false|False|FALSE)$"
_NULL = r"^(?:~|null|Null|NULL|)$"
_INT = r"^[-+]?(?:0|[1-9][0-9]*)$"
_FLOAT = r"^[-+]?(?:0|[1-9][0-9]*)\.[0-9]*(?:[eE][-+]?[0-9]+)?$"
_OTHER = (r"^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+"
          r"|[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
          r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|<<|=)$")
_OTHER_TAG = "tag:jmtools,2026:full-reader"

_LOADER = None


class _NeedsFull(Exception):
    """Raised inside the quick reader when only the full reader can tell."""


def _loader():
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class Loader(base):
            yaml_implicit_resolvers: dict = {}

            def construct_mapping(self, node, deep=False):
                keys = [self.construct_object(k, deep=True) for k, _ in node.value]
                try:
                    if len(set(keys)) != len(keys):
                        raise _NeedsFull("duplicate key")
                except TypeError:  # an unhashable key
                    raise _NeedsFull("unhashable key") from None
                return super().construct_mapping(node, deep=deep)

        def refuse(loader, node):
            raise _NeedsFull(node.value)

        for tag, pattern, first in (("bool", _BOOL, "tTfF"), ("null", _NULL, ["~", "n", "N", ""]),
                                    ("int", _INT, "-+0123456789"), ("float", _FLOAT, "-+0123456789"),
                                    (None, _OTHER, "-+0123456789.<=")):
            Loader.add_implicit_resolver(_OTHER_TAG if tag is None else f"tag:yaml.org,2002:{tag}",
                                         re.compile(pattern), list(first))
        Loader.add_constructor(_OTHER_TAG, refuse)
        _LOADER = Loader
    return _LOADER


def _too_deep(text: str) -> bool:
    if _DEEP_INDENT.search(text):
        return True
    depth = 0
    for bracket in _BRACKETS.findall(text):
        depth = depth + 1 if bracket in "[{" else max(depth - 1, 0)
        if depth > QUICK_MAX_DEPTH:
            return True
    return False


def plain_journey_data(text: str) -> Any:
    """The document in ``text`` as plain Python data, or None when the full reader must read it.

    The data equals :func:`jmtools.journey.yamlio._plain` of the round-trip reader's document
    for every file it returns data for (``tests/test_journey_quick.py`` compares the two).

    Examples
    --------
    >>> plain_journey_data("name: Shop\\nstages: [{name: Visit}]\\nupdated: 2024-03-01\\n")
    {'name': 'Shop', 'stages': [{'name': 'Visit'}], 'updated': '2024-03-01'}
    >>> plain_journey_data("a: &x 1\\nb: *x\\n") is None   # aliases: the full reader bounds them
    True
    """
    if len(text) > QUICK_MAX_CHARS or _NEEDS_FULL.search(text) or _too_deep(text):
        return None
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is a dependency
        return None
    try:
        data = yaml.load(text, Loader=_loader())  # noqa: S506 - a safe loader with plain resolvers
    except (_NeedsFull, yaml.YAMLError, RecursionError, ValueError, TypeError):
        return None
    return _keys_as_text(data)


def _keys_as_text(node: Any) -> Any:
    if isinstance(node, dict):
        return {k if isinstance(k, str) else str(k): _keys_as_text(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_keys_as_text(v) for v in node]
    return node


def quick_journey(cls, text: str, source: str, path) -> Any:
    """A journey of class ``cls`` read from ``text`` through :func:`plain_journey_data`, or None
    when the full reader must read it: the text needs it, or the journey has any problem (the
    full reader then locates every one). The YAML document is read later, on first need.

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> quick_journey(Journey, "name: Shop\\nstages: [{name: Visit}]\\n", "<text>", None).name
    'Shop'
    >>> quick_journey(Journey, "name: Shop\\nstages: []\\n", "<text>", None) is None   # a problem
    True
    """
    from pydantic import ValidationError

    data = plain_journey_data(text)
    if not isinstance(data, dict):
        return None
    try:
        journey = cls.model_validate(data)
    except ValidationError:
        return None
    journey._path, journey._text = path, text
    if journey._cross_check(doc=None, source=source):
        return None
    return journey
