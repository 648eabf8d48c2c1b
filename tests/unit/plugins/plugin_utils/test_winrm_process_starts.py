# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What one wtsadmin.rds task sends over ansible-core's own winrm connection plugin, on the ansible-core
version installed here (the version matrix of the test command runs it on each).

A real ansible-playbook talks to the loopback WS-Man endpoint (tests/wsman) on 127.0.0.1, which records
each request. The endpoint runs commands with /bin/sh, where PowerShell does not exist, so the task itself
fails; what is asserted is what Windows would be asked to run: the WS-Man operations per task, the Command
and Arguments, and from those the processes a Windows host would start (docs/performance.md, "Process
starts per task"). With RDS_WINRM_RECORD_DIR set, the record is also written there as JSON
(winrm-<ansible-core version>.json) for scripts/benchmark.sh.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import ansible
import pytest

ROOT = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(ROOT / "tests" / "wsman"))

from wsman_loopback import LoopbackWsman  # noqa: E402

BIN = Path(sys.executable).parent
USER, PASSWORD = "rdsadmin", "Passw0rd!"
ENCODED = re.compile(r"(?i)\b(powershell(?:\.exe)?|pwsh(?:\.exe)?)\b[^\n]*?-EncodedCommand\s+([A-Za-z0-9+/=]+)")
PYTHON_START = re.compile(r"& \$p @a '-E' '-s' '-'")  # how the PowerShell form starts Python (_payload.py)


def powershell_and_python_starts(command_line: str) -> tuple[int, int, list[str]]:
    """PowerShell and Python starts that ``command_line`` makes on Windows, following nested
    -EncodedCommand scripts; and the decoded scripts."""
    powershell, python, scripts = 0, 0, []
    pending = [command_line]
    while pending:
        text = pending.pop()
        for match in ENCODED.finditer(text):
            powershell += 1
            script = base64.b64decode(match.group(2)).decode("utf-16-le")
            scripts.append(script)
            pending.append(script)
        if text is not command_line:
            python += len(PYTHON_START.findall(text))
    return powershell, python, scripts


@pytest.fixture
def loopback():
    with LoopbackWsman(USER, PASSWORD) as wsman:
        yield wsman


def run_task(tmp_path: Path, wsman: LoopbackWsman, interpreter: str | None) -> subprocess.CompletedProcess:
    host = {"ansible_host": "127.0.0.1", "ansible_port": wsman.port, "ansible_connection": "winrm",
            "ansible_winrm_transport": "basic", "ansible_winrm_scheme": "http", "ansible_user": USER,
            "ansible_password": PASSWORD, "ansible_winrm_server_cert_validation": "ignore"}
    if interpreter:
        host["ansible_python_interpreter"] = interpreter
    (tmp_path / "inventory.json").write_text(json.dumps({"all": {"hosts": {"win": host}}}))
    play = [{"hosts": "all", "gather_facts": False,
             "tasks": [{"wtsadmin.rds.win_rds_session_info": {}, "ignore_errors": True}]}]
    (tmp_path / "play.json").write_text(json.dumps(play))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "local-tmp"), ANSIBLE_HOST_KEY_CHECKING="0")
    return subprocess.run([str(BIN / "ansible-playbook"), "-i", str(tmp_path / "inventory.json"),
                           str(tmp_path / "play.json")], env=env, capture_output=True, text=True, timeout=300,
                          check=False)


@pytest.mark.parametrize("interpreter", [r"C:\Program Files\Python311\python.exe", None],
                         ids=["interpreter-set", "interpreter-discovered"])
def test_one_task_is_one_winrm_command_starting_one_powershell_and_one_python(tmp_path, loopback, interpreter):
    done = run_task(tmp_path, loopback, interpreter)
    assert "win_rds_session_info" in done.stdout, done.stdout + done.stderr

    operations = [name for name, _size in loopback.requests]
    assert len(loopback.command_parts) == 1, loopback.command_parts  # no temporary directory, no file copy
    command, arguments = loopback.command_parts[0]
    powershell, python, scripts = powershell_and_python_starts(" ".join([command] + arguments))
    record = {
        "ansible_core": ansible.__version__,
        "python": "%d.%d.%d" % sys.version_info[:3],
        "interpreter": interpreter,
        "command": command,
        "arguments": arguments,
        "decoded_scripts": scripts,
        "powershell_starts": powershell,
        "python_starts": python,
        "wsman_requests": {name: operations.count(name) for name in sorted(set(operations))},
        "wsman_round_trips": len(operations),
        "request_bytes": sum(size for _name, size in loopback.requests),
    }
    record_dir = os.environ.get("RDS_WINRM_RECORD_DIR")
    if record_dir:
        Path(record_dir).mkdir(parents=True, exist_ok=True)
        name = "winrm-%s-%s.json" % (ansible.__version__, "set" if interpreter else "discovered")
        Path(record_dir, name).write_text(json.dumps(record, indent=1))

    # WinRM starts PowerShell (the connection encodes the collection's script once: it is given the script,
    # not the encoded form, which ansible-core before 2.19 would wrap in a second PowerShell), and PowerShell
    # starts Python.
    assert command.lower() in ("powershell", "powershell.exe"), record
    assert (powershell, python) == (1, 1), record
    assert operations.count("Create") == 1 and operations.count("Command") == 1, record
    assert operations.count("Delete") == 1, record
    if interpreter:
        assert any(interpreter.replace("'", "''") in script for script in scripts), record
