# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every robustness test shares: the modules of the collection, one representative task per module,
running a module's main() in this process as the host runs it, and the suite's tally (printed by conftest.py).

A module runs exactly as on the host, minus the process boundary: the controller's validation of its
module_args(), then main() with the runner's AnsibleModule stand-in, against the emulated RD Session Host.
An exception that escapes main() is what the host would print as a traceback: it fails the test."""

from __future__ import annotations

import base64
import collections
import copy
import importlib
import json
import re
import traceback
import zlib
from pathlib import Path
from types import SimpleNamespace

from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader
from ansible.template import Templar

import rds_emulator
from ansible_collections.wtsadmin.rds.plugins.module_utils import _runner
from ansible_collections.wtsadmin.rds.plugins.plugin_utils._action import validate_args
from ansible_collections.wtsadmin.rds.plugins.plugin_utils._payload import task_message

COLLECTION = "ansible_collections.wtsadmin.rds"
MODULES_DIR = Path(__file__).resolve().parents[3] / "plugins" / "modules"
MODULES = sorted(path.stem for path in MODULES_DIR.glob("win_rds_*.py"))

# The suite's figures, printed at the end of the run.
TALLY = collections.Counter()


def module(name):
    return importlib.import_module("%s.plugins.modules.%s" % (COLLECTION, name))


def validate(name, args):
    """The controller's validation of ``args`` against the module's own module_args(): (params, error texts)."""
    checked = validate_args(module(name).module_args(), args)
    return checked.validated_parameters, [error.msg for error in checked.errors.errors]


class Traceback(AssertionError):
    """main() raised: on the host the task would end with a traceback instead of a message."""


def run_module(name, args, check_mode=False, diff=False, no_log=False):
    """The result of module ``name`` for a task with ``args``, as the runner would print it."""
    params, errors = validate(name, args)
    assert not errors, errors
    return run_validated(name, params, check_mode=check_mode, diff=diff, no_log=no_log)


def run_validated(name, params, check_mode=False, diff=False, no_log=False):
    """main() of module ``name`` with parameters the controller has validated already."""
    task = task_message(params, check_mode=check_mode, diff=diff, no_log=no_log)
    target = module(name)
    original = target.AnsibleModule
    target.AnsibleModule = type("AnsibleModule", (_runner.AnsibleModule,), {"_task": task})
    TALLY["runs"] += 1
    try:
        target.main()
    except _runner.ModuleExit as done:
        return done.result
    except Exception:
        raise Traceback("%s raised instead of failing with a message:\n%s" % (name, traceback.format_exc()))
    finally:
        target.AnsibleModule = original
    raise AssertionError("%s's main() returned without exit_json() or fail_json()" % name)


def problems(emu):
    """Leaks and misuse of the Windows API so far, counted in the tally, then forgotten."""
    found = emu.clear_problems()
    TALLY["leaks"] += len(found)
    return found


# --- representative tasks ------------------------------------------------------------------------------

def _quick_logoff(state):
    state["servers"]["RDSH01"]["logoff_delay_seconds"] = 0


def _quick_answers(state):
    for session in state["servers"]["RDSH01"]["sessions"]:
        session["message_delay_seconds"] = 0


def _soon_a_logoff(state):
    state["servers"]["RDSH01"]["events"] = [rds_emulator.make_event(0.01, ["logoff"], session_id=3, remove=True)]


# module -> [(task arguments, change to the sample farm before the run)]. Each task reaches a server by name
# (so WTSOpenServerW/WTSCloseServer are in play) and makes every Windows call of the module's main path.
# A module without an entry fails test_every_module_has_a_representative_task.
# RDSH01 by another DNS name (an alias sample_farm gives it, a CNAME on a real network): a name that is not
# certainly this machine goes over RPC (wts.is_local_server); its own IP address would not.
LOCAL_BY_RPC = "rdsh-farm.contoso.com"
REPRESENTATIVE_TASKS = {
    "win_rds_message": [({"server": [LOCAL_BY_RPC], "username": ["alice", "bob"], "msg": "Hallo", "wait": True,
                          "timeout": 1}, _quick_answers)],
    "win_rds_process": [({"server": [LOCAL_BY_RPC], "name": ["notepad", "chrome"], "state": "absent"}, None)],
    "win_rds_process_info": [({"server": [LOCAL_BY_RPC], "name": ["notepad", "MsMpEng"]}, None)],
    "win_rds_server": [({"server": [LOCAL_BY_RPC], "state": "rebooted"}, None)],
    "win_rds_server_info": [({"server_types": ["terminal_server"]}, None)],
    "win_rds_session": [({"server": [LOCAL_BY_RPC], "username": ["alice"], "state": "disconnected"}, None),
                        ({"server": [LOCAL_BY_RPC], "username": ["bob"], "state": "logged_off", "timeout": 5},
                         _quick_logoff)],
    "win_rds_session_info": [({"server": [LOCAL_BY_RPC], "username": ["alice", "bob"]}, None)],
    "win_rds_virtual_channel": [({"session_id": 2, "name": "ECHO", "data": "ping", "purge_input": True,
                                  "read": True, "timeout": 1}, None),
                                ({"session_id": 2, "name": "CTXCMD", "query_client_data": True}, None)],
    "win_rds_wait": [({"server": [LOCAL_BY_RPC], "event": ["logoff"], "timeout": 5}, _soon_a_logoff)],
}


def sample_farm(change=None):
    state = copy.deepcopy(rds_emulator.sample_state())
    state["servers"]["RDSH01"]["aliases"].append(LOCAL_BY_RPC)
    if change:
        change(state)
    return state


# --- a task through the controller: the module's action plugin, its payload, and the runner --------------

def run_task(name, args, check_mode=False, no_log=False):
    """``(result, programs)`` of a task with ``args`` run by module ``name``'s real action plugin over a local
    connection; the host is this process: the program sent on stdin is decoded and its task run with
    run_validated(). ``programs``: the stdin bytes of every remote command (empty when the controller
    refused the task)."""
    play_context = PlayContext()
    loader = DataLoader()
    connection = connection_loader.get("local", play_context, None)
    task = SimpleNamespace(args=args, check_mode=check_mode, diff=False, no_log=no_log, async_val=0,
                           action="wtsadmin.rds." + name)
    plugin = importlib.import_module("%s.plugins.action.%s" % (COLLECTION, name))
    action = plugin.ActionModule(task, connection, play_context, loader, Templar(loader=loader), None)
    programs = []

    def host(command, sudoable=True, in_data=None, **kwargs):
        programs.append(in_data)
        sent = json.loads(zlib.decompress(base64.b64decode(_TASK_BLOB.search(in_data.decode("ascii")).group(1))))
        result = run_validated(name, sent["params"], check_mode=sent["check_mode"], diff=sent["diff"],
                               no_log=sent["no_log"])
        return {"rc": 1 if result.get("failed") else 0, "stdout": _runner.jsonify(result) + "\n", "stderr": ""}

    action._low_level_execute_command = host
    return action.run(task_vars={}), programs


_TASK_BLOB = re.compile(r'task = unpack\("""\s*(.*?)"""\)', re.S)
