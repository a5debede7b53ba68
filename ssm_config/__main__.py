"""``python -m ssm_config``: the same program as ``ssm-config``."""

from .cli import console_main

console_main()
