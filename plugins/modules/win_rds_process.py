# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_rds_process
short_description: End processes on RD Session Hosts, sparing the critical system processes
version_added: 0.1.0
description:
  - Ends the selected processes of the host, or of the RD Session Hosts named in O(server), with
    C(WTSTerminateProcess), like C(taskkill /F) or C(tskill).
  - The task must select processes with at least one of O(name), O(pid), O(session_id) or O(username); there
    is no way to end every process. A selection made only of patterns that match everything (O(name=*),
    O(username=*)) fails the task before any call, even with O(force=true).
  - The critical system processes (C(System), C(smss.exe), C(csrss.exe), C(wininit.exe), C(winlogon.exe),
    C(services.exe), C(lsass.exe)) in any session, whose end stops the server or every session with it (on
    the host the task runs on, a program of such a name outside the system directory is none of them), the
    processes running the task itself (see the notes), and every process of session 0 (the services, such
    as C(svchost.exe) or an antivirus engine) are never ended unless O(force=true). When the selection
    includes one, it is left running, listed in RV(protected) with the reason, and a warning names it; the
    other selected processes are ended.
  - Idempotent; a process that is already gone is not selected, and one that ends between the listing and
    the call is reported as RV(processes[].result=vanished), not as a failure.
extends_documentation_fragment:
  - wtsadmin.rds.attributes
  - wtsadmin.rds.server
  - wtsadmin.rds.process_selection
options:
  state:
    description:
      - V(absent) ends the selected processes.
      - Required, so that a task never ends processes without saying so (C(-a name=chrome) alone is refused).
    type: str
    choices: [absent]
    required: true
  exit_code:
    description:
      - The exit code the ended processes get, as their parents and the event log see it.
      - C(taskkill /F) uses V(1).
    type: int
    default: 1
  force:
    description:
      - Also end the critical system processes, the processes running the task and the service processes of
        session 0, when selected.
      - Ending a critical system process stops the server (a bug check) or every session; ending the task's
        own process tree fails the task.
    type: bool
    default: false
attributes:
  check_mode:
    details:
      - Nothing is ended. RV(processes[].result) is V(would_terminate) for each process a real run would end;
        the diff is the one a real run would give.
  diff_mode:
    support: full
    details: Each process to end, C(running) before and C(absent) after.
notes:
  - Ending processes needs local Administrators on the server, or the account that owns them.
  - The process tree running the task is the Python process of the task and its ancestors (on WinRM,
    C(powershell.exe), C(wsmprovhost.exe) or C(winrshost.exe), the WinRM C(svchost.exe), and so on up),
    read from a Toolhelp snapshot of the host the task runs on. It protects processes of that host only
    (both pid and program name must match); on a server reached over RPC, whose pids are its own, a
    process with the same pid and program is another one, and only the critical system processes and
    session 0 are protected.
  - C(WTSTerminateProcess) ends a process at once, like C(taskkill /F); the program cannot save its work.
    To let users close their programs, message them first (M(wtsadmin.rds.win_rds_message)) or log their
    sessions off (M(wtsadmin.rds.win_rds_session)).
  - A process named by O(pid), a session named by O(session_id) in which no process runs, or a user named
    by O(username) without wildcards who owns no process, is left alone (C(changed) stays false for it)
    and the task warns once, naming what was not found and where, in check mode too. A pid or session ID
    belongs to one server, so each server without it is named; a username is named only when none of the
    servers has a process of that user.
seealso:
  - module: wtsadmin.rds.win_rds_process_info
  - module: wtsadmin.rds.win_rds_session
  - name: WTSTerminateProcess function (wtsapi32.h)
    description: Microsoft's reference of the Windows API this module calls.
    link: https://learn.microsoft.com/en-us/windows/win32/api/wtsapi32/nf-wtsapi32-wtsterminateprocess
"""

EXAMPLES = r"""
- name: End every hung Word of the farm
  wtsadmin.rds.win_rds_process:
    server: [RDSH01, RDSH02]
    name: winword
    state: absent

- name: End what bob left running in his disconnected session
  wtsadmin.rds.win_rds_process:
    session_id: 3
    username: CONTOSO\bob
    state: absent

- name: See what would be ended, without ending anything
  wtsadmin.rds.win_rds_process:
    name: chrome*
    state: absent
  check_mode: true
  diff: true
  register: would_end

- name: End one process by pid, with the exit code a monitoring script expects
  wtsadmin.rds.win_rds_process:
    pid: 3630
    exit_code: 143
    state: absent

- name: Clean up after a crashed agent on all servers, reporting servers that cannot be reached
  wtsadmin.rds.win_rds_process:
    server: "{{ groups['session_hosts'] }}"
    name: contoso-agent
    on_error: warn
    state: absent
"""

RETURN = r"""
processes:
  description:
    - The selected processes that were ended (or would be, in check mode) on every server that answered,
      server by server in the order of O(server), by process ID within a server. The same shape for one
      server or many.
  returned: always
  type: list
  elements: dict
  contains:
    server:
      description: The server holding the process, as given in O(server); null for the host itself.
      type: str
      sample: RDSH01
    pid:
      description: The process ID.
      type: int
      sample: 3630
    name:
      description: The name of the program's file.
      type: str
      sample: notepad.exe
    session_id:
      description: The session the process ran in.
      type: int
      sample: 4
    user:
      description: The owner as C(DOMAIN\user); the SID string when Windows cannot name it; null without owner.
      type: str
      sample: CONTOSO\carol
    previous_state:
      description: V(running).
      type: str
      sample: running
    state:
      description: V(absent), or V(running) when ending it failed.
      type: str
      sample: absent
    result:
      description:
        - V(terminated); V(vanished) when it ended by itself between the listing and the call; V(failed) when
          Windows refused (RV(processes[].error) says why).
        - V(would_terminate) in check mode, which ends nothing.
      type: str
      sample: terminated
    error:
      description: What Windows said, and the most likely fix.
      type: str
      returned: when RV(processes[].result) is V(failed)
      sample: "WTSTerminateProcess failed on RDSH01 for process 3630 (notepad.exe): [5] Access is denied."
protected:
  description: The selected processes left running because ending them needs O(force=true), of every server.
  returned: always
  type: list
  elements: dict
  contains:
    server:
      description: The server holding the process, as given in O(server); null for the host itself.
      type: str
      sample: RDSH01
    pid:
      description: The process ID.
      type: int
      sample: 2308
    name:
      description: The name of the program's file.
      type: str
      sample: winlogon.exe
    session_id:
      description: The session the process runs in.
      type: int
      sample: 3
    user:
      description: The owner as C(DOMAIN\user), or its SID string.
      type: str
      sample: NT AUTHORITY\SYSTEM
    reason:
      description: V(critical system process), V(runs this task), or V(service process in session 0).
      type: str
      sample: critical system process
servers:
  description:
    - One summary per server worked, in the order of O(server) (one entry, null, for the host itself). Its
      processes are in RV(processes) and RV(protected), each with its server.
  returned: always
  type: list
  elements: dict
  contains:
    server:
      description: The server, as given in O(server); null for the host itself.
      type: str
      sample: RDSH02
    failed:
      description: True when the server could not be worked; RV(servers[].msg) says why.
      type: bool
      sample: false
    msg:
      description: Why the server could not be worked, and the most likely fix.
      type: str
      returned: when RV(servers[].failed) is true
      sample: "WTSEnumerateProcessesExW failed on RDSH03: [1722] The RPC server is unavailable."
    changed:
      description: Whether a process of this server was ended (or would be).
      type: bool
      returned: when RV(servers[].failed) is false
      sample: true
msg:
  description: Every failure of the task, one per line.
  returned: failure
  type: str
  sample: "WTSTerminateProcess failed on RDSH01 for process 3630 (notepad.exe): [5] Access is denied."
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wtsadmin.rds.plugins.module_utils._errors import explain
from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import finish, server_spec
from ansible_collections.wtsadmin.rds.plugins.module_utils._processes import (
    SELECTION_OPTIONS,
    ProcessSelection,
    end_processes,
    process_selection_problem,
    process_selection_spec,
)
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import WinApiError


def module_args():
    spec = dict(server_spec(), **process_selection_spec())
    spec.update(
        state={"type": "str", "choices": ["absent"], "required": True},
        exit_code={"type": "int", "default": 1},
        force={"type": "bool", "default": False},
    )
    return {
        "argument_spec": spec,
        "required_one_of": [list(SELECTION_OPTIONS)],
        "supports_check_mode": True,
    }


def main():
    module = AnsibleModule(**module_args())
    p = module.params
    problem = process_selection_problem(p)
    if problem:
        module.fail_json(msg=problem)
    try:
        results, diff = end_processes(p["server"], ProcessSelection.from_params(p), p["force"], p["exit_code"],
                                      module.check_mode)
    except WinApiError as error:  # the task's own process tree could not be read: end nothing
        module.fail_json(msg=explain(error))
    finish(module, results, "processes", "protected", diff=diff)


if __name__ == "__main__":
    main()
