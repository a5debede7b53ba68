"""A handler that declares no settings."""


def main(event: object, context: object) -> str:
    """Return a constant."""
    return "ok"
