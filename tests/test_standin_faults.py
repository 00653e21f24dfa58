"""The stand-in's fault scenarios of tests/standin_faults.py, at test scale.

What must hold at any scale is checked here; the figures compared with targets (memory
per MiB of file) are judged by `make reliability` at full scale, not by a test.
"""

from __future__ import annotations

import pytest

from tests.standin_faults import SCENARIOS, Scenario, envelope_problem


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_scenario(scenario: Scenario) -> None:
    outcome = scenario.run("test")
    assert outcome.problems == []
    assert outcome.figures


def test_the_envelope_check_can_fail() -> None:
    html = b"HTTP/1.0 501 Unsupported method\r\nContent-Type: text/html\r\n\r\n<html></html>"
    assert envelope_problem(html, (405,)) == (0, f"no status line: {html[:60]!r}")
    page = html.replace(b"HTTP/1.0 501", b"HTTP/1.1 405")
    assert envelope_problem(page, (405,))[1] is not None
    bare = b"<html><body>Error</body></html>"
    assert envelope_problem(bare, (400,))[1] is not None
    good = (
        b"HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\n\r\n"
        b'{"success":false,"errors":[{"code":10405,"message":"x"}],"messages":[],"result":null}'
    )
    assert envelope_problem(good, (405,)) == (405, None)
    assert envelope_problem(good, (404,)) == (405, "status 405")
