# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Hosts for the execution-path tests: real local Pythons, a Python that cannot import POSIX-only modules,
and the test-only collection ``rdsfixture.runner`` (fixtures/) whose modules run through wtsadmin.rds's
action base, payload and runner."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader, shell_loader
from ansible.template import Templar

FIXTURES = Path(__file__).parent / "fixtures"
PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
POSIX_ONLY = ("grp", "pwd", "fcntl", "resource", "termios", "syslog")

if str(FIXTURES) not in sys.path:  # makes ansible_collections.rdsfixture.runner importable in this process
    sys.path.insert(0, str(FIXTURES))


@pytest.fixture(scope="session")
def pyenv_python():
    """pyenv_python("3.8"): the machine's CPython of that version, as installed by pyenv."""
    return _pyenv_python


def _pyenv_python(version: str) -> str:
    """The machine's CPython ``version`` (e.g. "3.9"), as installed by pyenv."""
    found = sorted(PYENV_VERSIONS.glob(version + ".*/bin/python"))
    if not found:
        pytest.fail("CPython %s is needed under %s for this test" % (version, PYENV_VERSIONS))
    return str(found[-1])


@pytest.fixture(scope="session")
def python39() -> str:
    """The oldest Python the host may have."""
    return _pyenv_python("3.9")


@pytest.fixture(scope="session")
def posix_blocked_python(tmp_path_factory, python39) -> str:
    """A Python 3.9 venv in which grp, pwd, fcntl, resource, termios and syslog cannot be imported, as on Windows.

    A .pth file in its site-packages installs a meta path blocker at start-up (it works under -E -s too).
    """
    venv = tmp_path_factory.mktemp("posix-blocked") / "venv"
    subprocess.run([python39, "-m", "venv", "--without-pip", str(venv)], check=True)
    site_packages = next(venv.glob("lib/python3*/site-packages"))
    (site_packages / "posix_blocker.py").write_text(textwrap.dedent("""\
        import sys

        BLOCKED = %r


        class PosixBlocker:
            @staticmethod
            def find_spec(name, path=None, target=None):
                if name in BLOCKED:
                    raise ModuleNotFoundError("No module named %%r (blocked: Windows has none)" %% name, name=name)


        for name in BLOCKED:
            sys.modules.pop(name, None)
        sys.meta_path.insert(0, PosixBlocker)
        """ % (POSIX_ONLY,)))
    (site_packages / "posix_blocker.pth").write_text("import posix_blocker\n")
    python = str(venv / "bin" / "python")
    for name in POSIX_ONLY:
        probe = subprocess.run([python, "-E", "-s", "-c", "import " + name], capture_output=True, text=True, check=False)
        assert "blocked" in probe.stderr, "the blocker must hold for %s" % name
    return python


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
