# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A failing discovery, at the default verbosity, with the configuration docs/inventory.md gives: the plugin's
own message reaches the user, the other plugins' complaints (the ini plugin's "Invalid host pattern '---'")
do not, and the run fails."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from wrapped_output import printed

ROOT = Path(__file__).resolve().parents[4]


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_plugins_own_message_is_shown_and_the_run_fails(tmp_path):
    source = tmp_path / "farm.rds_servers.yml"
    source.write_text("---\nplugin: wtsadmin.rds.rds_servers\ndiscovery_host: 127.0.0.1\nport: %d\n"
                      "username: CONTOSO\\svc\npassword: secret\n" % _closed_port())
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_INVENTORY_ENABLED="wtsadmin.rds.rds_servers", ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED="true",
               HOME=str(tmp_path))

    run = subprocess.run([str(Path(sys.executable).with_name("ansible-inventory")), "-i", str(source), "--list"],
                         env=env, capture_output=True, text=True, timeout=300, check=False)

    output = run.stdout + run.stderr
    assert run.returncode != 0
    assert printed("Cannot reach the discovery host's WinRM at https://127.0.0.1:", output), output
    assert not printed("Invalid host pattern", output) and not printed("secret", output), output
