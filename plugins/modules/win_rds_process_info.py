# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_rds_process_info
short_description: List the processes of RD Session Hosts, with their sessions, owners, memory and CPU time
version_added: 0.1.0
description:
  - Lists the processes of the host, or of the RD Session Hosts named in O(server), like the C(Details) tab
    of Task Manager or C(query process *), with the program, process ID, session, owner, threads, handles,
    memory and CPU time of each.
  - One C(WTSEnumerateProcessesExW) call (level 1) lists every process of a server. Where that function does
    not exist, C(WTSEnumerateProcessesW) is used; it tells only the pid, name, session and owner, and the
    counters are null.
  - The owner of each process is looked up once per distinct account (C(LookupAccountSidW)), however many
    processes it runs.
  - Without a selection option every process is listed.
  - This module never changes anything.
extends_documentation_fragment:
  - wtsadmin.rds.attributes
  - wtsadmin.rds.attributes.read_only
  - wtsadmin.rds.server
  - wtsadmin.rds.process_selection
options:
  fields:
    description:
      - Return only these keys of each process, in this order (RV(processes[].server) always comes too), for
        example C(fields=pid,name,session_id,user) for a short ad-hoc list.
      - Default, every key.
    type: list
    elements: str
    choices: [pid, name, session_id, user, sid, threads, handles, working_set, peak_working_set, pagefile_usage,
              peak_pagefile_usage, user_cpu_seconds, kernel_cpu_seconds]
notes:
  - Listing the processes of other users' sessions needs local Administrators on the server; other accounts
    see only their own processes.
seealso:
  - module: wtsadmin.rds.win_rds_process
  - module: wtsadmin.rds.win_rds_session_info
  - name: WTSEnumerateProcessesExW function (wtsapi32.h)
    description: Microsoft's reference of the Windows API this module calls.
    link: https://learn.microsoft.com/en-us/windows/win32/api/wtsapi32/nf-wtsapi32-wtsenumerateprocessesexw
"""

EXAMPLES = r"""
- name: List every process of the host
  wtsadmin.rds.win_rds_process_info:
  register: all_processes

- name: Find the Word and Excel instances of the whole farm
  wtsadmin.rds.win_rds_process_info:
    server: [RDSH01, RDSH02]
    name: [winword, excel]
  register: office

- name: Show who runs them, and where
  ansible.builtin.debug:
    msg: "{{ item.server }}: {{ item.user }} in session {{ item.session_id }} (pid {{ item.pid }})"
  loop: "{{ office.processes }}"
  loop_control:
    label: "{{ item.server }} {{ item.pid }}"

- name: List what bob runs in session 3
  wtsadmin.rds.win_rds_process_info:
    session_id: 3
    username: CONTOSO\bob
  register: bob

# The memory counters are 32-bit and wrap at 4 GiB, so they cannot find the largest processes reliably;
# handle counts can find a handle leak.
- name: Find the processes holding more than 10000 handles
  ansible.builtin.set_fact:
    handle_leaks: "{{ all_processes.processes | selectattr('handles', 'gt', 10000) | list }}"
"""

RETURN = r"""
processes:
  description:
    - The selected processes of every server that answered, server by server in the order of O(server), by
      process ID within a server. The same shape for one server or many.
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
      description: The session the process runs in.
      type: int
      sample: 4
    user:
      description:
        - The owner as C(DOMAIN\user) (C(NT AUTHORITY\SYSTEM) for system services).
        - The SID string when Windows cannot name the account (a deleted user); null when the process has
          no owner Windows tells (the Idle process, protected processes).
      type: str
      sample: CONTOSO\carol
    sid:
      description: The owner's security identifier, or null without owner.
      type: str
      sample: S-1-5-21-1004336348-1177238915-682003330-1106
    threads:
      description: The number of threads; null where only C(WTSEnumerateProcessesW) exists.
      type: int
      sample: 2
    handles:
      description: The number of open handles; null where only C(WTSEnumerateProcessesW) exists.
      type: int
      sample: 90
    working_set:
      description:
        - The memory in use (working set), in bytes; null where only C(WTSEnumerateProcessesW) exists.
        - Windows returns the memory counters as 32-bit values (DWORD), so they wrap at 4 GiB. A process using
          5 GiB shows 1 GiB; compare them only for processes known to stay below 4 GiB.
      type: int
      sample: 9000000
    peak_working_set:
      description:
        - The largest working set so far, in bytes; null where only C(WTSEnumerateProcessesW) exists.
        - Wraps at 4 GiB, like RV(processes[].working_set).
      type: int
      sample: 12000000
    pagefile_usage:
      description:
        - The memory committed to the process (its private bytes, backed by the page file), in bytes; null
          where only C(WTSEnumerateProcessesW) exists.
        - Wraps at 4 GiB, like RV(processes[].working_set).
      type: int
      sample: 4096000
    peak_pagefile_usage:
      description:
        - The largest page file usage so far, in bytes; null where only C(WTSEnumerateProcessesW) exists.
        - Wraps at 4 GiB, like RV(processes[].working_set).
      type: int
      sample: 5000000
    user_cpu_seconds:
      description:
        - The CPU time spent in user mode, in seconds; null where only C(WTSEnumerateProcessesW) exists.
        - Microsoft documents the underlying value in milliseconds, while hosts are reported to give 100-ns
          units; the module tells which from the task's own process (RV(servers[].cpu_time_unit)).
      type: float
      sample: 1.5
    kernel_cpu_seconds:
      description: The CPU time spent in kernel mode, in seconds; null where only C(WTSEnumerateProcessesW) exists.
      type: float
      sample: 0.7
servers:
  description:
    - One summary per server asked, in the order of O(server) (one entry, null, for the host itself). Its
      processes are in RV(processes), each with its RV(processes[].server).
  returned: always
  type: list
  elements: dict
  contains:
    server:
      description: The server, as given in O(server); null for the host itself.
      type: str
      sample: RDSH02
    failed:
      description: True when the server could not be asked; RV(servers[].msg) says why.
      type: bool
      sample: false
    msg:
      description: Why the server could not be asked, and the most likely fix.
      type: str
      returned: when RV(servers[].failed) is true
      sample: "WTSEnumerateProcessesExW failed on RDSH03: [1722] The RPC server is unavailable."
    cpu_time_unit:
      description:
        - The unit in which Windows gave the CPU times, V(100ns) or V(ms), as used to compute the seconds.
        - Told once per task by comparing the task's own process entry with C(GetProcessTimes) (100-ns units)
          on the host the task runs on; a server reached over RPC is taken to use the same unit (the
          documentation is silent on both).
      type: str
      returned: when RV(servers[].failed) is false
      sample: 100ns
    cpu_time_unit_checked:
      description: False when the unit could not be told and the documented V(ms) was used.
      type: bool
      returned: when RV(servers[].failed) is false
      sample: true
msg:
  description: Every failure of the task, one per line, when a server could not be asked.
  returned: failure
  type: str
  sample: "WTSEnumerateProcessesExW failed on RDSH03: [1722] The RPC server is unavailable."
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import fields_spec, finish, keep_fields, server_spec
from ansible_collections.wtsadmin.rds.plugins.module_utils._processes import (
    PROCESS_FIELDS,
    ProcessSelection,
    process_selection_spec,
    report_processes,
)


def module_args():
    return {
        "argument_spec": dict(server_spec(), **process_selection_spec(), **fields_spec(PROCESS_FIELDS)),
        "supports_check_mode": True,
    }


def main():
    module = AnsibleModule(**module_args())
    results = report_processes(module.params["server"], ProcessSelection.from_params(module.params))
    finish(module, keep_fields(results, "processes", module.params["fields"]), "processes")


if __name__ == "__main__":
    main()
