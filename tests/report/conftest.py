"""Fixtures of the report tests: the generated survey's report (see report_data.py)."""

from __future__ import annotations

import pytest
from report_data import snapshot_report

from openends.report.model import Report


@pytest.fixture(scope="session")
def small_report() -> Report:
    return snapshot_report()
