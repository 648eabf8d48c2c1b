"""Shared fixtures: the emulated RD Session Host (tests/emulator, see its README.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

EMULATOR_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "emulator")
if EMULATOR_DIR not in sys.path:
    sys.path.insert(0, EMULATOR_DIR)

import rds_emulator  # noqa: E402

# Every emulated call of the unit tests checks that the emulator declares each state change it makes
# (with a state file, an undeclared change would be lost: tests/emulator/README.md, "State file").
os.environ.setdefault("RDS_EMULATOR_CHECK_WRITES", "1")


@pytest.fixture(scope="session")
def emulated_python(tmp_path_factory):
    """The Python of the emulated RD Session Host: $RDS_EMULATOR_PYTHON, or one made for this test run."""
    python = os.environ.get("RDS_EMULATOR_PYTHON")
    if python and os.path.exists(python):
        return python
    dest = tmp_path_factory.mktemp("emulated-host")
    subprocess.run([sys.executable, os.path.join(EMULATOR_DIR, "make_interpreter.py"), str(dest)],
                   check=True, capture_output=True)
    return str(dest / "bin" / "python")


@pytest.fixture
def emulator():
    """The sample farm in memory; fails the test on leaks or misuse of the Windows API."""
    emu = rds_emulator.install(rds_emulator.sample_state())
    try:
        yield emu
        emu.assert_clean()
    finally:
        rds_emulator.uninstall()


@pytest.fixture
def msvcrt(monkeypatch):
    """The emulated C runtime (``msvcrt.get_osfhandle``) importable for this test only: Python takes an importable
    ``msvcrt`` for Windows, so it is never there otherwise."""
    monkeypatch.setitem(sys.modules, "msvcrt", rds_emulator.security.MSVCRT)
    return rds_emulator.security.MSVCRT


@pytest.fixture
def emulator_file(tmp_path):
    """The sample farm in a JSON file (emu.path) that other processes can share."""
    path = tmp_path / "emulator-state.json"
    path.write_text(json.dumps(rds_emulator.sample_state()), encoding="utf-8")
    emu = rds_emulator.install(str(path))
    try:
        yield emu
        emu.assert_clean()
    finally:
        rds_emulator.uninstall()
