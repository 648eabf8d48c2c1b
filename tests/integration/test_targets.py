"""Runs every integration target with real ansible-playbook against the emulated RD Session Host.

A target is a directory under ``targets/``: either a role (``tasks/main.yml``, run by ``target.yml``
against the ``windows`` group of ``inventory.emulated.yml``) or a ``runme.sh``. Each target starts from
a fresh emulator state: ``files/emulator_state.json`` in the target when it has one, else the sample farm.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import rds_emulator

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TARGETS = sorted(p for p in (HERE / "targets").iterdir() if p.is_dir())


def _environment(tmp_path: Path, target: Path) -> dict[str, str]:
    state_file = tmp_path / "emulator-state.json"
    custom = target / "files" / "emulator_state.json"
    state = json.loads(custom.read_text()) if custom.exists() else rds_emulator.sample_state()
    state_file.write_text(json.dumps(state))
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"),
        ANSIBLE_ROLES_PATH=str(HERE / "targets"),
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "local-tmp"),
        ANSIBLE_REMOTE_TEMP=str(tmp_path / "remote-tmp"),
        RDS_EMULATOR_STATE=str(state_file),
        RDS_EMULATOR_LOG=str(tmp_path / "interpreter-starts.log"),
        RDS_TEST_PYTHON=sys.executable,
        RDS_TEST_TMP=str(tmp_path),
    )
    env.setdefault("RDS_EMULATOR_PYTHON", str(ROOT / ".build" / "emulated-host" / "bin" / "python"))
    return env


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_integration_target(target: Path, tmp_path: Path) -> None:
    env = _environment(tmp_path, target)
    if (target / "runme.sh").exists():
        command = ["bash", str(target / "runme.sh")]
    else:
        command = [
            str(Path(sys.executable).with_name("ansible-playbook")),
            "-i", str(HERE / "inventory.emulated.yml"),
            str(HERE / "target.yml"),
            "-e", f"rds_target={target.name}",
        ]
    run = subprocess.run(command, cwd=target, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert run.returncode == 0, f"{target.name} failed (rc={run.returncode}):\n{run.stdout[-6000:]}\n{run.stderr[-3000:]}"
    # No remote temp directory is ever made: the payload travels on stdin.
    remote_tmp = tmp_path / "remote-tmp"
    assert not remote_tmp.exists() or not any(remote_tmp.iterdir())
