"""Golden files: every format rendered from one multi-rule report (tests/golden/sample.py).

Regenerate after an intended change with ``SCHEMALINT_UPDATE_GOLDEN=1 pytest tests/test_report_golden.py``
and review the diff. The tool version is normalised to ``{VERSION}``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from golden.sample import report, source_text

from schemalint import __version__
from schemalint.report import FORMATS, render

GOLDEN = Path(__file__).parent / "golden"
FILES = {
    "text": "report.txt",
    "json": "report.json",
    "sarif": "report.sarif",
    "junit": "report.junit.xml",
    "github": "report.github.txt",
    "gitlab": "report.gitlab.json",
    "markdown": "report.md",
}


def test_every_format_has_a_golden_file() -> None:
    assert set(FILES) == set(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fmt: str) -> None:
    rendered = render(fmt, report(), source_text=source_text).replace(__version__, "{VERSION}")
    path = GOLDEN / FILES[fmt]
    if os.environ.get("SCHEMALINT_UPDATE_GOLDEN") == "1":
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"{path} missing; run with SCHEMALINT_UPDATE_GOLDEN=1 to create it"
    assert rendered == path.read_text(encoding="utf-8")


def test_text_golden_with_color_differs_only_by_escapes() -> None:
    import re

    plain = render("text", report(), source_text=source_text)
    colored = render("text", report(), source_text=source_text, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[" in colored
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == plain
