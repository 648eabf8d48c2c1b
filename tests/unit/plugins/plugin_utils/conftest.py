# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Hosts for the execution-path tests: the test-only collection ``rdsfixture.runner`` (fixtures/) whose modules
run through wtsadmin.rds's action base, payload and runner. The local Pythons are in ../conftest.py."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader, shell_loader
from ansible.template import Templar

FIXTURES = Path(__file__).parent / "fixtures"

if str(FIXTURES) not in sys.path:  # makes ansible_collections.rdsfixture.runner importable in this process
    sys.path.insert(0, str(FIXTURES))


@pytest.fixture
def action_for():
    """action_for(module="probe", args=..., shell=..., **task): see make_action()."""
    return make_action


def make_action(module: str = "probe", args: dict | None = None, shell: str | None = None, reply: dict | None = None,
                **task) -> SimpleNamespace:
    """An rdsfixture.runner action plugin for one task over a real local connection.

    ``shell`` replaces the connection's shell plugin (e.g. "powershell"); ``reply`` (rc, stdout, stderr)
    is then what the host answers instead of running the command. ``commands`` records every remote
    command the action ran: (command, stdin bytes).
    """
    play_context = PlayContext()
    loader = DataLoader()
    connection = connection_loader.get("local", play_context, None)
    if shell:
        connection._shell = shell_loader.get(shell)
    fields = dict(args=args or {}, check_mode=False, diff=False, no_log=False, async_val=0,
                  action="rdsfixture.runner." + module)
    fields.update(task)
    plugin = importlib.import_module("ansible_collections.rdsfixture.runner.plugins.action." + module)
    action = plugin.ActionModule(SimpleNamespace(**fields), connection, play_context, loader, Templar(loader=loader), None)
    commands = []
    execute = action._low_level_execute_command

    def recording(cmd, sudoable=True, in_data=None, **kwargs):
        commands.append((cmd, in_data))
        return reply or execute(cmd, sudoable=sudoable, in_data=in_data, **kwargs)

    action._low_level_execute_command = recording

    def run(**task_vars):
        return action.run(task_vars=task_vars)

    return SimpleNamespace(action=action, commands=commands, run=run)
