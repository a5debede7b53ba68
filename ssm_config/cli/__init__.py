"""The ``ssm-config`` command line (placeholder until the CLI issue lands)."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv``; return the exit code."""
    print("ssm-config: no commands yet", file=sys.stderr)
    return 2


def console_main() -> None:
    sys.exit(main())
