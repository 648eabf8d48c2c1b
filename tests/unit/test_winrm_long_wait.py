# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A task that waits long over WinRM needs no raised WinRM timeouts (docs/awx.md, "WinRM timeouts").

A real ansible-playbook runs a command that takes 15 s through ansible-core's own winrm connection plugin
against the loopback WS-Man endpoint (tests/wsman), with an operation timeout of 1 s: the endpoint answers
each Receive that sees no output within it with the WS-Man OperationTimeout fault, as WinRM does, and the
plugin asks again. That is the clock of a 5-minute win_rds_wait scaled by 20 - with pywinrm's default
operation timeout of 20 s it too meets 15 such faults - and the faults are real. The endpoint runs commands
with /bin/sh; a stand-in PowerShell on its PATH decodes -EncodedCommand and runs the script with sh."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "wsman"))

from wsman_loopback import LoopbackWsman  # noqa: E402

USER, PASSWORD = "rdsadmin", "Passw0rd!"
FAKE_POWERSHELL = """#!%s
import base64, os, sys
script = base64.b64decode(sys.argv[sys.argv.index("-EncodedCommand") + 1]).decode("utf-16-le")
os.execvp("sh", ["sh", "-c", script])
""" % sys.executable


def test_a_command_longer_than_many_operation_timeouts_completes(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("PowerShell", "powershell"):  # as ansible-core versions spell it
        (bin_dir / name).write_text(FAKE_POWERSHELL)
        (bin_dir / name).chmod(0o755)
    monkeypatch.setenv("PATH", "%s%s%s" % (bin_dir, os.pathsep, os.environ["PATH"]))
    with LoopbackWsman(USER, PASSWORD) as wsman:
        host = {"ansible_host": "127.0.0.1", "ansible_port": wsman.port, "ansible_connection": "winrm",
                "ansible_winrm_transport": "basic", "ansible_winrm_scheme": "http", "ansible_user": USER,
                "ansible_password": PASSWORD, "ansible_winrm_operation_timeout_sec": 1,
                "ansible_winrm_read_timeout_sec": 3}
        (tmp_path / "inventory.json").write_text(json.dumps({"all": {"hosts": {"win": host}}}))
        play = [{"hosts": "all", "gather_facts": False,
                 "tasks": [{"ansible.builtin.raw": "sleep 15; echo waited", "register": "waited"},
                           {"ansible.builtin.assert": {"that": "waited.stdout_lines == ['waited']"}}]}]
        (tmp_path / "play.json").write_text(json.dumps(play))
        env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=str(tmp_path / "local-tmp"))
        run = subprocess.run([str(Path(sys.executable).with_name("ansible-playbook")), "-i",
                              str(tmp_path / "inventory.json"), str(tmp_path / "play.json")],
                             env=env, capture_output=True, text=True, timeout=300, check=False)
        receives = [body for operation, body in wsman.requests if operation == "Receive"]

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert len(receives) >= 10  # each a Receive after an OperationTimeout fault, silently asked again
