"""Bounds on a YAML document, checked before it is built: size, aliases, nesting.

YAML aliases (``*name``) repeat an anchored node (``&name``); nine lines of nine aliases each
("billion laughs") make a 600-byte file expand to a billion values. Every YAML file jmtools
reads (journeys, persona libraries, batch configs, ``-f`` parameter files, ``-p`` values)
passes :func:`yaml_bounds_problem` first. It walks the parser's *events*, which never expand
an alias, so the check is linear in the file's size, and it counts how many values the
document would hold once every alias is expanded.
"""

from __future__ import annotations

from jmtools.core.errors import Problem

__all__ = ["MAX_YAML_BYTES", "MAX_YAML_ALIASES", "MAX_YAML_VALUES", "MAX_YAML_DEPTH",
           "yaml_bounds_problem", "short", "key_line"]

#: Largest YAML file read (bytes).
MAX_YAML_BYTES = 5_000_000
#: Most alias uses (``*name``) in one document.
MAX_YAML_ALIASES = 100
#: Most values (scalars, lists, mappings) a document may hold once its aliases are expanded.
MAX_YAML_VALUES = 200_000
#: Deepest nesting of lists and mappings.
MAX_YAML_DEPTH = 100
#: Longest piece of a document quoted in a message.
MAX_ECHO_CHARS = 200


def short(text: object, limit: int = MAX_ECHO_CHARS) -> str:
    """``text`` cut to ``limit`` characters, marked with "…" when cut.

    Examples
    --------
    >>> short("x" * 300)[-3:], len(short("x" * 300))
    ('xx…', 201)
    """
    text = str(text)
    return text if len(text) <= limit else text[:limit] + "…"


def yaml_bounds_problem(text: str, source: str | None = None) -> Problem | None:
    """A located :class:`~jmtools.core.errors.Problem` when ``text`` is too big to build, else None.

    Syntax errors are left to the loader (it reports them with their line).

    Examples
    --------
    >>> yaml_bounds_problem("a: &x [1, 2]\\nb: *x\\n") is None
    True
    >>> bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\\n" + "".join(
    ...     f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\\n" for p, c in zip("abcdef", "bcdefg"))
    >>> print(yaml_bounds_problem(bomb, "bomb.yaml").message)
    the YAML document would expand to more than 200000 values through its aliases (*name)
    """
    if len(text) > MAX_YAML_BYTES or len(text.encode("utf-8", "replace")) > MAX_YAML_BYTES:
        return Problem(f"the YAML file is larger than {MAX_YAML_BYTES:,} bytes", source=source,
                       fix="split it into smaller files")
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return _walk(YAML(typ="safe", pure=True).parse(text), source)
    except YAMLError:
        return None  # the loader reports the syntax error with its line
    except RecursionError:
        return Problem(f"the YAML document nests deeper than {MAX_YAML_DEPTH} levels",
                       source=source, fix="flatten the lists and mappings")


def _walk(events, source):
    from ruamel.yaml.events import (AliasEvent, CollectionEndEvent, CollectionStartEvent,
                                    DocumentStartEvent, ScalarEvent)

    weights: dict[str, int] = {}
    stack: list[list] = []  # [anchor, values inside]
    total = aliases = 0
    for ev in events:
        line = ev.start_mark.line + 1 if ev.start_mark else None
        if isinstance(ev, DocumentStartEvent):
            weights.clear()
        if isinstance(ev, AliasEvent):
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                return _problem(f"the YAML document uses more than {MAX_YAML_ALIASES} aliases "
                                "(*name)", source, line)
            added = weights.get(ev.anchor, 1)
        elif isinstance(ev, ScalarEvent):
            added = 1
            if ev.anchor:
                weights[ev.anchor] = 1
        elif isinstance(ev, CollectionStartEvent):
            stack.append([ev.anchor, 1])
            if len(stack) > MAX_YAML_DEPTH:
                return Problem(f"the YAML document nests deeper than {MAX_YAML_DEPTH} levels",
                               source=source, line=line, fix="flatten the lists and mappings")
            continue
        elif isinstance(ev, CollectionEndEvent) and stack:
            anchor, added = stack.pop()
            if anchor:
                weights[anchor] = added
        else:
            continue
        total += added
        if stack:
            stack[-1][1] += added
        if total > MAX_YAML_VALUES:
            return _problem(f"the YAML document would expand to more than {MAX_YAML_VALUES} "
                            "values through its aliases (*name)", source, line)
    return None


def _problem(message, source, line):
    return Problem(message, source=source, line=line,
                   fix="write the values out instead of repeating anchors (&name) with aliases "
                       "(*name)")


def key_line(node, where: tuple, start: int | None = None) -> int | None:
    """1-based line of the key path ``where`` in a composed YAML ``node`` (``YAML().compose``):
    mapping keys by their text, list items by their index; the line of the deepest part found,
    else ``start``.

    Examples
    --------
    >>> from ruamel.yaml import YAML
    >>> root = YAML(typ="safe", pure=True).compose("jobs:\\n  - name: a\\n  - name: b\\n    persona: x\\n")
    >>> key_line(root, ("jobs", 1, "persona")), key_line(root, ("jobs", 5)), key_line(root, ("nope",), 1)
    (4, 1, 1)
    """
    line = start
    for key in where:
        if node is None:
            break
        tag = node.tag if isinstance(node.tag, str) else str(getattr(node.tag, "value", node.tag))
        if tag.endswith(":map"):
            pairs = [(k, v) for k, v in node.value if getattr(k, "value", None) == str(key)]
        elif tag.endswith(":seq") and isinstance(key, int):
            pairs = [(v, v) for j, v in enumerate(node.value) if j == key]
        else:
            pairs = []
        if not pairs:
            break
        line, node = pairs[0][0].start_mark.line + 1, pairs[0][1]
    return line
