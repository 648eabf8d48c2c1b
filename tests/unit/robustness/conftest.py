# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The robustness suite (issue 8): fixtures, and the one-paragraph summary at the end of the pytest run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = str(Path(__file__).parent)
if HERE not in sys.path:  # makes robustness_harness importable from the test files (importlib mode)
    sys.path.insert(0, HERE)

import rds_emulator  # noqa: E402  (tests/emulator is on sys.path: tests/unit/conftest.py)
from robustness_harness import TALLY, problems, sample_farm  # noqa: E402


@pytest.fixture
def farm():
    """farm(change=None): install a fresh sample farm (``change(state)`` edits it first); the emulator.

    At teardown the test fails if any run left a buffer or handle behind or misused the API."""
    installed = []

    def install(change=None):
        installed.append(rds_emulator.install(sample_farm(change)))
        return installed[-1]

    try:
        yield install
        for emu in installed:
            assert problems(emu) == []
    finally:
        rds_emulator.uninstall()


def pytest_terminal_summary(terminalreporter):
    if not TALLY["runs"]:
        return
    terminalreporter.write_sep("=", "robustness summary")
    terminalreporter.write_line(
        "%d module runs, %d faults injected (%d Windows functions x error codes across %d modules), "
        "%d check-mode comparisons, %d fuzzed argument sets, %d leaks or API misuses found (must be 0)."
        % (TALLY["runs"], TALLY["faults"], TALLY["fault_cases"], TALLY["fault_modules"], TALLY["check_mode"],
           TALLY["fuzzed"], TALLY["leaks"]))
