"""parliament's findings for a policy document.

parliament reads its data files at import without closing them; the ResourceWarning
that raises is parliament's, not ours, so the import alone runs with it silenced.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from typing import Any

with warnings.catch_warnings():
    warnings.simplefilter("ignore", ResourceWarning)
    from parliament import analyze_policy_string


def findings(policy: Mapping[str, Any]) -> list[Any]:
    """Every finding parliament reports for ``policy`` (an empty list when it is clean)."""
    return list(analyze_policy_string(json.dumps(policy)).findings)
