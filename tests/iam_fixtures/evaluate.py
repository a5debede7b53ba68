"""A small IAM evaluator: is one request allowed by a policy's Allow statements?

moto's IAM enforcement only honours ``Resource: "*"``, so it cannot judge resource-level
grants; this matches actions, resources and the two condition operators our policies use
(``StringEquals``, ``StringLike``) the way IAM does: ``*`` is any run of characters
(``/`` included), ``?`` exactly one; actions and condition keys ignore case, ARNs and
condition values do not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any


def matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """Whether ``value`` matches an IAM wildcard ``pattern``."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.fullmatch(regex, value, flags) is not None


def allows(
    policy: Mapping[str, Any],
    action: str,
    resource: str,
    context: Mapping[str, str] | None = None,
) -> bool:
    """Whether some Allow statement of ``policy`` grants ``action`` on ``resource``."""
    for statement in policy["Statement"]:
        if statement["Effect"] != "Allow":
            continue
        if not any(matches(a, action, ignore_case=True) for a in _listed(statement["Action"])):
            continue
        if not any(matches(r, resource) for r in _listed(statement["Resource"])):
            continue
        if _conditions_hold(statement.get("Condition", {}), context or {}):
            return True
    return False


def _conditions_hold(condition: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    present = {k.lower(): v for k, v in context.items()}
    for operator, keys in condition.items():
        for key, values in keys.items():
            actual = present.get(key.lower())
            if actual is None:
                return False
            if operator == "StringEquals":
                held = actual in _listed(values)
            elif operator == "StringLike":
                held = any(matches(v, actual) for v in _listed(values))
            else:
                raise ValueError(f"operator {operator} is not modelled here")
            if not held:
                return False
    return True


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)
