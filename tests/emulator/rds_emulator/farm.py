"""A farm of emulated RD Session Hosts for playbooks: one state file and one interpreter per host.

Each host is its own machine (its own ``local_server``), reached with the local connection through a small
``sh`` wrapper that starts the preloaded interpreter (make_interpreter.py) with ``RDS_EMULATOR_STATE`` set to
the host's state file. ``write_farm`` returns the inventory (a dict, to dump as YAML or JSON).
"""

from __future__ import annotations

import json
import os
import shlex

from . import logons
from .sample import empty_state, make_event, make_session

NOW = "2026-03-14T09:00:00Z"


def host_state(name: str, logon_mode: str = "enabled", reboot_seconds: float = 1) -> dict:
    """Host ``name`` with two users: carol (active, logs off by herself half a second after a waiter first
    looks) and dave (disconnected, stays until logged off)."""
    carol = make_session(2, station="RDP-Tcp#2", state="active", user="carol", domain="CONTOSO",
                         client_name="PC-CAROL", logon_time=NOW, connect_time=NOW, last_input_time=NOW,
                         locked=False, message_response="ok")
    dave = make_session(3, state="disconnected", user="dave", domain="CONTOSO", logon_time=NOW,
                        disconnect_time=NOW)
    state = empty_state(local_server=name, sessions=[carol, dave], reboot_seconds=reboot_seconds)
    state["now"] = NOW
    state["servers"][name]["events"] = [make_event(0.5, ["logoff"], session_id=2, remove=True)]
    logons.set_mode(state["servers"][name], logon_mode)
    return state


def write_farm(directory: str, python: str, modes: dict, group: str = "session_hosts") -> dict:
    """Write a state file and an interpreter wrapper per host into ``directory``; ``modes`` maps each host
    name (``RDSH11``) to its logon mode. Returns the inventory: group ``group`` with one host per name
    (lower case)."""
    hosts = {}
    for name, mode in modes.items():
        state_path = os.path.join(directory, "%s.json" % name)
        with open(state_path, "w", encoding="utf-8") as handle:
            json.dump(host_state(name, mode), handle)
        wrapper = os.path.join(directory, "%s-python" % name)
        with open(wrapper, "w", encoding="utf-8") as handle:
            script = "#!/bin/sh\nRDS_EMULATOR_STATE=%s exec %s \"$@\"\n" % (shlex.quote(state_path), shlex.quote(python))
            handle.write(script)
        os.chmod(wrapper, 0o755)
        hosts[name.lower()] = {"ansible_connection": "local", "ansible_python_interpreter": wrapper,
                               "rds_emulated": True}
    return {"all": {"children": {group: {"hosts": hosts}}}}


def read_host(directory: str, name: str) -> dict:
    """The state of host ``name`` after a run."""
    with open(os.path.join(directory, "%s.json" % name), encoding="utf-8") as handle:
        return json.load(handle)
