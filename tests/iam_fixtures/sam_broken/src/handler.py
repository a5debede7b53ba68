"""A handler whose import fails."""

import not_installed_anywhere  # noqa: F401


def main(event: object, context: object) -> None:
    """Never reached."""
