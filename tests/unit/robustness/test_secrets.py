# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets stay secret, end to end: a real ansible-playbook run at -vvvv whose inventory (the rds_servers
plugin, discovering over a loopback WinRM endpoint, with its cache on) holds a WinRM password and a connection
password, and whose tasks carry a no_log value. Neither password appears in the output, the log file, the
inventory cache or any payload a host received; the no_log value appears in no output, log or cache."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import zlib
from pathlib import Path

import rds_emulator
from robustness_harness import run_task

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "wsman"))

from wsman_loopback import LoopbackWsman  # noqa: E402

WINRM_USER = "CONTOSO\\rdsadmin"
WINRM_PASSWORD = "Inv-W1nRM-pa55!x7"  # ASCII: HTTP Basic has no agreed encoding beyond it
CONNECTION_PASSWORD = "Conn-pa55-Ω-𝔘"
NO_LOG_VALUE = "N0-log-value-🛠️"
BLOB = re.compile(r'unpack\("""\s*(.*?)"""\)', re.S)

PLAYBOOK = """\
- hosts: rdsh01
  gather_facts: false
  tasks:
    - name: An ordinary task
      wtsadmin.rds.win_rds_session_info:
        username: alice
    - name: A message whose text is secret
      wtsadmin.rds.win_rds_message:
        username: alice
        msg: "{{ secret }}"
      no_log: true
    - name: A refused task whose bad value is secret
      wtsadmin.rds.win_rds_session:
        state: "{{ secret }}"
        session_id: 2
      no_log: true
      ignore_errors: true
    - name: A host failure while the secret is in the task
      wtsadmin.rds.win_rds_message:
        server: RDSH03
        msg: "{{ secret }}"
      no_log: true
      ignore_errors: true
"""


def _emulated_python(tmp_path):
    python = os.environ.get("RDS_EMULATOR_PYTHON") or str(ROOT / ".build" / "emulated-host" / "bin" / "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, str(ROOT / "tests" / "emulator" / "make_interpreter.py"),
                        str(tmp_path / "host")], check=True, capture_output=True)
        python = str(tmp_path / "host" / "bin" / "python")
    return python


def _forms(secret):
    """The ways a secret could show: as is, JSON-escaped (ASCII), and UTF-8 bytes read as Latin-1."""
    return {secret, json.dumps(secret)[1:-1], secret.encode("utf-8").decode("latin-1")}


def _unpacked(programs):
    """The text of every packed payload and task in the programs the hosts received."""
    return "\n".join(zlib.decompress(base64.b64decode(blob)).decode("utf-8") for blob in BLOB.findall(programs))


def test_passwords_and_no_log_values_never_show(tmp_path):
    state = tmp_path / "state.json"
    state.write_text(json.dumps(rds_emulator.sample_state()))
    received = tmp_path / "programs.txt"
    python = tmp_path / "python"  # the hosts' Python, keeping a copy of every program it is sent
    python.write_text('#!/bin/sh\ntee -a "%s" | "%s" "$@"\n' % (received, _emulated_python(tmp_path)))
    python.chmod(0o755)
    cache = tmp_path / "cache"
    (tmp_path / "site.yml").write_text(PLAYBOOK)
    secrets = tmp_path / "secrets.json"  # as a vault would give it: not on the command line, which -vvvv echoes
    secrets.write_text(json.dumps({"secret": NO_LOG_VALUE}))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOG_PATH=str(tmp_path / "ansible.log"), ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
               RDS_EMULATOR_STATE=str(state), ANSIBLE_INVENTORY_ENABLED="wtsadmin.rds.rds_servers")

    with LoopbackWsman(WINRM_USER, WINRM_PASSWORD) as wsman:
        (tmp_path / "farm.rds_servers.yml").write_text(json.dumps({
            "plugin": "wtsadmin.rds.rds_servers", "discovery_host": "127.0.0.1", "port": wsman.port,
            "scheme": "http", "transport": "basic", "username": WINRM_USER, "password": WINRM_PASSWORD,
            "python_interpreter": str(python), "hostname_format": "short",
            "cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(cache),
            "compose": {"ansible_connection": "'local'", "ansible_python_interpreter": "'%s'" % python,
                        "ansible_password": "'%s'" % CONNECTION_PASSWORD},
        }))
        run = subprocess.run(
            [str(Path(sys.executable).with_name("ansible-playbook")), "-vvvv", "-i",
             str(tmp_path / "farm.rds_servers.yml"), str(tmp_path / "site.yml"), "-e", "@" + str(secrets)],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)

    output = run.stdout + run.stderr
    (tmp_path / "output.txt").write_text(output)
    assert run.returncode == 0, output[-5000:]
    assert "ok: [rdsh01]" in output and output.count("ignoring") == 2
    log = (tmp_path / "ansible.log").read_text()
    cached = "".join(path.read_text() for path in cache.iterdir())
    assert "RDSH01" in cached  # the discovered list was cached
    programs = received.read_text()
    payloads = _unpacked(programs)
    assert "win_rds_server_info" in payloads and "win_rds_message" in payloads  # discovery and the tasks
    for secret in (WINRM_PASSWORD, CONNECTION_PASSWORD):
        for form in _forms(secret):
            assert form not in output and form not in log and form not in cached, secret
            assert form not in programs and form not in payloads, secret
    for form in _forms(NO_LOG_VALUE):
        assert form not in output and form not in log and form not in cached


def test_a_no_log_task_refused_by_the_controller_does_not_echo_its_values(farm):
    """Bug found here: Ansible prints a failed task's msg even under no_log, and the controller's validation
    message quoted the bad value ("got: <value>")."""
    farm()

    result, programs = run_task("win_rds_session", {"state": NO_LOG_VALUE, "session_id": [2]}, no_log=True)

    assert programs == [] and "value of state must be one of" in result["msg"]
    assert NO_LOG_VALUE not in result["msg"]


def test_a_no_log_task_failing_on_the_host_does_not_echo_its_values(farm):
    farm()

    result, _programs = run_task("win_rds_virtual_channel", {"session_id": 2, "name": "ECHO",
                                                             "data_base64": NO_LOG_VALUE}, no_log=True)

    assert result["msg"] == "data_base64 is not valid base64"
    result, _programs = run_task("win_rds_virtual_channel", {"session_id": 2, "name": NO_LOG_VALUE}, no_log=True)
    assert "virtual channel name" in result["msg"] and NO_LOG_VALUE not in result["msg"]
