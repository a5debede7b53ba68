"""Sphinx configuration: the ssm-config documentation.

Built in CI with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``. Every
code block carries a ``:class:`` that tells the test suite how to run or check it
(``tests/docs/_blocks.py``); the API reference is generated from the docstrings.
"""

from __future__ import annotations

import importlib.metadata

project = "ssm-config"
author = "ssm_config maintainers"
copyright = "ssm_config maintainers"
release = importlib.metadata.version("ssm-config")
version = ".".join(release.split(".")[:2])

extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon"]
exclude_patterns = ["_build", "requirements.txt"]
root_doc = "index"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

html_theme = "alabaster"
html_title = f"ssm-config {release}"
html_static_path = ["_static"]
html_theme_options = {
    "description": "Typed, live configuration from SSM Parameter Store",
    "fixed_sidebar": True,
}
