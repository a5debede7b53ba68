"""Function code for the harness: a config declared at module level, as users write it."""

from __future__ import annotations

PREFIX = "/fn"
COLOUR = f"{PREFIX}/colour"


def config_function(
    ttl: float, *, decorated: bool, timeout: float = 0.5, extra_params: int = 0
) -> str:
    """A handler returning ``config.colour``; ``decorated`` adds ``refresh_before``.

    ``extra_params`` more String fields (``/fn/p01``...) make the rounds batches of
    several names, as a real config's are. Nothing else: no hook, no refresh call.
    """
    fields = "".join(f"    p{i:02d}: str\n" for i in range(1, extra_params + 1))
    decorator = f"@ssm_config.refresh_before(config, timeout={timeout})\n" if decorated else ""
    return (
        "import ssm_config\n"
        "from ssm_config import SSMSettings, SSMSettingsConfigDict\n\n\n"
        "class Config(SSMSettings):\n"
        f"    model_config = SSMSettingsConfigDict(ssm_prefix={PREFIX!r}, ssm_ttl={ttl})\n"
        "    colour: str\n"
        f"{fields}\n\n"
        "config = Config()\n\n\n"
        f"{decorator}"
        "def handler(event, context):\n"
        '    return {"colour": config.colour}\n'
    )


def extra_names(count: int) -> list[str]:
    return [f"{PREFIX}/p{i:02d}" for i in range(1, count + 1)]
