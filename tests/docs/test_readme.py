"""README.rst is a front page: code first, short, with working links into the docs.

Its code blocks are run like every page's, by ``test_docs.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.rst"
DOCS_URL = "https://ssm-config.github.io/ssm-config/"


def test_readme_has_a_first_screen_example() -> None:
    """The README shows runnable code before its first section heading."""
    text = README.read_text(encoding="utf-8")
    first_heading = re.search(r"\n[^\n]+\n-{3,}\n", text)
    assert first_heading is not None
    assert text.index(".. code-block:: python") < first_heading.start()


def test_readme_is_a_front_page() -> None:
    """The README stays a front page: at most 150 lines, the reference lives in docs/."""
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 150


def test_readme_links_point_at_pages_that_exist() -> None:
    """Each link into the documentation names a page of docs/."""
    links = re.findall(re.escape(DOCS_URL) + r"([\w-]+)\.html", README.read_text("utf-8"))
    assert links
    for page in links:
        assert (ROOT / "docs" / f"{page}.rst").is_file(), page


def test_the_documentation_url_is_the_one_in_the_metadata() -> None:
    """README and pyproject.toml name the same documentation home."""
    assert f'Documentation = "{DOCS_URL}"' in (ROOT / "pyproject.toml").read_text("utf-8")
