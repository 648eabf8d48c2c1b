# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The documented way to run ad hoc against the emulated host: `source scripts/env.sh`, then `ansible`."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import rds_emulator

ROOT = Path(__file__).resolve().parents[2]


def test_an_ad_hoc_run_after_sourcing_env_sh_lists_the_sessions(tmp_path):
    state = tmp_path / "state.json"
    state.write_text(json.dumps(rds_emulator.sample_state()))
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("ANSIBLE_", "RDS_EMULATOR_PYTHON"))}
    env.update(RDS_EMULATOR_STATE=str(state), HOME=str(tmp_path), ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"))

    run = subprocess.run(["bash", "-c", "source scripts/env.sh && cd / && ansible rdsh01 -m "
                          "wtsadmin.rds.win_rds_session_info -a 'session_state=disconnected fields=session_id,user'"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)

    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("rdsh01 | SUCCESS")
    assert "user: CONTOSO\\bob" in run.stdout and "client_name" not in run.stdout
