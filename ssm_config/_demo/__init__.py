"""The demo's embedded local SSM + KMS and its scripted walkthrough (``ssm-config demo``).

Importing this package needs no moto; :meth:`LocalSSM.start` imports it.
"""

from ._server import DemoDependencyError, LocalSSM
from ._story import run_demo

__all__ = ["DemoDependencyError", "LocalSSM", "run_demo"]
