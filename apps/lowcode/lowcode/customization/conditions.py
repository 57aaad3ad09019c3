"""`depends_on` in the browser: the sandboxed expression (e.g. `doc.applicant_type == 'company'`) is compiled,
when it uses only field reads, constants, comparisons, `in`, `and`, `or` and `not`, into a small tree that the
desk (as an Alpine expression for unfold's conditional fields) and the portal (steps.js) evaluate as the person
types. Anything else is decided on the server alone, from the stored record."""

from __future__ import annotations

from typing import Any

from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

OPS = {"eq": "==", "ne": "!=", "gt": ">", "lt": "<", "gteq": ">=", "lteq": "<="}


class Unsupported(Exception):
    pass


def tree(source: str) -> Any | None:
    """The expression as a JSON-able tree, or None when the browser cannot evaluate it."""
    if not source.strip():
        return None
    try:
        parsed = ImmutableSandboxedEnvironment().parse("{{ " + source + " }}")
        output = parsed.body[0]
        if not isinstance(output, nodes.Output) or len(output.nodes) != 1:
            return None
        return _node(output.nodes[0])
    except Exception:
        return None


def _node(node: nodes.Node) -> Any:
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name) and node.node.name == "doc":
        return {"field": node.attr}
    if isinstance(node, nodes.Const) and isinstance(node.value, str | int | float | bool | type(None)):
        return {"const": node.value}
    if isinstance(node, nodes.List | nodes.Tuple):
        return {"list": [_node(item) for item in node.items]}
    if isinstance(node, nodes.And | nodes.Or):
        return {"op": "and" if isinstance(node, nodes.And) else "or", "args": [_node(node.left), _node(node.right)]}
    if isinstance(node, nodes.Not):
        return {"op": "not", "args": [_node(node.node)]}
    if isinstance(node, nodes.Compare) and len(node.ops) == 1:
        operand = node.ops[0]
        if operand.op in OPS or operand.op in ("in", "notin"):
            return {"op": operand.op, "args": [_node(node.expr), _node(operand.expr)]}
    raise Unsupported(type(node).__name__)


def fields_of(t: Any) -> set[str]:
    if isinstance(t, dict):
        found = {t["field"]} if "field" in t else set()
        for value in t.values():
            if isinstance(value, list):
                for item in value:
                    found |= fields_of(item)
        return found
    return set()
