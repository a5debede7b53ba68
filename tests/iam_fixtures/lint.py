"""parliament's findings for a policy document.

parliament reads its data files at import without closing them; the ResourceWarning
that raises is parliament's, not ours, so the import alone runs with it silenced.

One finding is dropped, and only that one: UNKNOWN_CONDITION_FOR_ACTION for
``kms:ResourceAliases``. parliament checks condition keys against the action's own list,
but AWS attaches ``kms:ResourceAliases`` to the ``key`` resource type that ``kms:Decrypt``
acts on (parliament's own IAM database says so; :func:`resource_aliases_is_a_key_condition`
checks that, and a test keeps checking it).
"""

from __future__ import annotations

import glob
import json
import os
import warnings
from collections.abc import Mapping
from typing import Any

with warnings.catch_warnings():
    warnings.simplefilter("ignore", ResourceWarning)
    import parliament
    from parliament import analyze_policy_string


def findings(policy: Mapping[str, Any]) -> list[Any]:
    """Every finding parliament reports for ``policy`` (an empty list when it is clean)."""
    return [
        f
        for f in analyze_policy_string(json.dumps(policy)).findings
        if not (
            f.issue == "UNKNOWN_CONDITION_FOR_ACTION"
            and "kms:ResourceAliases" in str(f.detail)
            and resource_aliases_is_a_key_condition()
        )
    ]


def resource_aliases_is_a_key_condition() -> bool:
    """Whether parliament's IAM database lists kms:ResourceAliases on the KMS key resource."""
    (path,) = glob.glob(os.path.join(os.path.dirname(parliament.__file__), "iam_definition.json"))
    with open(path, encoding="utf-8") as handle:
        services = json.load(handle)
    (kms,) = [s for s in services if s["prefix"] == "kms"]
    (key,) = [r for r in kms["resources"] if r["resource"] == "key"]
    return "kms:ResourceAliases" in key["condition_keys"]
