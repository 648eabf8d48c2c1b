# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_rds_server
short_description: Reboot, shut down or power off RD Session Hosts, log every user off them, or set their logon mode
version_added: 0.1.0
description:
  - Asks the host, or the RD Session Hosts named in O(server), to reboot, shut down, power off, or log every
    user off, with one C(WTSShutdownSystem) call per server (O(state)).
  - Or sets the host's logon mode, as C(change logon) does (O(logons)), which says whether new users may log
    on, and whether users with a disconnected session may reconnect. This is how a host is drained before
    maintenance. O(state) and O(logons) are separate tasks.
  - The module does not wait for the server to go down or to come back; it returns once Windows has
    accepted the request. See the notes on when to use M(ansible.windows.win_reboot) instead.
  - Before asking, it counts the user sessions the request will end (RV(servers[].user_sessions)), which
    also checks that each server answers, in check mode too.
  - O(state) is not idempotent; every run asks again and reports C(changed). O(logons) is idempotent,
    C(changed) only when the mode was different.
extends_documentation_fragment:
  - wtsadmin.rds.attributes
  - wtsadmin.rds.server
options:
  state:
    description:
      - V(rebooted) shuts Windows down and restarts it (C(WTS_WSD_REBOOT)).
      - V(shut_down) shuts Windows down and leaves the machine on (C(WTS_WSD_SHUTDOWN)).
      - V(powered_off) shuts Windows down and turns the power off where the hardware allows it
        (C(WTS_WSD_POWEROFF)).
      - V(logged_off) logs off every user session except the one making the call, and refuses every new
        remote logon until the Remote Desktop Services service (C(TermService)) restarts, usually with the
        next reboot (C(WTS_WSD_LOGOFF)). The module warns about it each time.
      - Users get no warning and lose unsaved work; message them first with M(wtsadmin.rds.win_rds_message).
    type: str
    choices: [rebooted, shut_down, powered_off, logged_off]
  logons:
    description:
      - The logon mode of the host, the four modes of C(change logon). Console logons are never refused.
      - V(enabled) lets new users log on and disconnected users reconnect (C(change logon /enable)).
      - V(drain) refuses new logons; users with a disconnected session may reconnect, to save their work and
        log off. An RD Connection Broker sends new users to other hosts. It stays after a reboot
        (C(change logon /drain)).
      - V(drain_until_restart) is V(drain) until the next restart, which enables logons again
        (C(change logon /drainuntilrestart)). The C(wtsadmin.rds.rds_drain) role sets it before its first warning.
      - V(disabled) refuses new logons B(and reconnections), so users with a disconnected session cannot get back
        to their work (C(change logon /disable)). It needs O(refuse_reconnections=true).
      - Set on the host itself with C(chglogon.exe), which takes effect at once; another server named in
        O(server) is only read, and the task fails for it unless it already has this mode (see the notes).
      - When Group Policy refuses every remote connection, a mode that would let users in fails with a message
        naming the policy, and nothing is changed.
    type: str
    choices: [enabled, drain, drain_until_restart, disabled]
  refuse_reconnections:
    description:
      - Confirms O(logons=disabled), which also keeps users with a disconnected session from their session.
      - Only with O(logons).
    type: bool
attributes:
  check_mode:
    details:
      - O(state) - the user sessions are counted, nothing is shut down; RV(servers[].result) is V(would_request).
      - O(logons) - the mode is read and nothing is changed; the result says what the real run would change.
  diff_mode:
    support: partial
    details: With O(logons), the logon mode of each server before and after; O(state) gives no diff.
notes:
  - "B(win_rds_server or ansible.windows.win_reboot?) M(ansible.windows.win_reboot) reboots the inventory host
    it runs on with C(shutdown.exe), then waits until the host has gone down, come back and answers over
    WinRM again (and runs a test command), so the play can go on working that host. This module makes one
    C(WTSShutdownSystem) call and returns: the server needs no WinRM of its own when it is reached over RPC
    from another host with O(server), several servers are asked at once, it can also shut down and power
    off, and V(logged_off) logs everybody off without a reboot."
  - Use M(ansible.windows.win_reboot) to reboot a host that the play goes on working. Use this module to
    reboot, shut down or power off other RD Session Hosts from a management host (for example after
    draining them with the C(rds_drain) role), or to shut down the host itself as the play's last task; wait
    for rebooted servers with M(wtsadmin.rds.win_rds_session_info) and C(retries)/C(until), or
    M(ansible.builtin.wait_for) on port 3389.
  - When the play's own host is asked to reboot or shut down, the connection may drop before the result
    arrives and the task then fails with a connection error although the request was made.
  - The account needs local Administrators on each server. C(WTSShutdownSystem) also needs the shut-down
    privilege (C(SeShutdownPrivilege), or C(SeRemoteShutdownPrivilege) over RPC), which Administrators hold.
  - Microsoft documents C(WTS_WSD_LOGOFF) as meant for the server's console; other sessions of the caller are
    not exempt.
  - "B(How O(logons) works.) The mode is read from the registry values C(TSServerDrainMode) and
    C(WinStationsDisabled) (never from the localized text of C(change logon /query)) and changed by running
    C(%SystemRoot%\\System32\\chglogon.exe) on the host, the documented command that takes effect at once; its
    exit code is checked and the mode read back. Writing the registry values alone is documented only together
    with a restart. Microsoft's C(change logon) has no remote option, so another server's mode is read over
    the remote registry (which needs its Remote Registry service) and never changed: run the task on that
    server. The evidence is in the collection's docs/drain.md."
  - O(logons) needs local Administrators (C(change logon) says so).
  - To drain and then reboot, use two tasks (O(logons=drain_until_restart), then O(state=rebooted)).
seealso:
  - module: ansible.windows.win_reboot
  - module: wtsadmin.rds.win_rds_wait
  - module: wtsadmin.rds.win_rds_message
  - name: WTSShutdownSystem function (wtsapi32.h)
    description: Microsoft's reference of the Windows API this module calls.
    link: https://learn.microsoft.com/en-us/windows/win32/api/wtsapi32/nf-wtsapi32-wtsshutdownsystem
"""

EXAMPLES = r"""
- name: Reboot two drained session hosts and wait until they are back
  block:
    - name: Reboot them from the management host
      wtsadmin.rds.win_rds_server:
        server: [RDSH01, RDSH02]
        state: rebooted

    - name: Wait until both have gone down (they answer for a while after the request)
      wtsadmin.rds.win_rds_session_info:
        server: [RDSH01, RDSH02]
        on_error: warn
      register: going
      until: going.servers | selectattr('failed') | list | length == 2
      retries: 60
      delay: 5

    - name: Wait until both answer again
      wtsadmin.rds.win_rds_session_info:
        server: [RDSH01, RDSH02]
      register: back
      until: back is succeeded
      retries: 60
      delay: 10

- name: Power off a session host at the end of the day, once nobody is logged on
  block:
    - name: Wait until the last user has logged off
      wtsadmin.rds.win_rds_wait:
        server: RDSH03
        until: no_user_sessions
        timeout: 3600

    - name: Power it off
      wtsadmin.rds.win_rds_server:
        server: RDSH03
        state: powered_off

- name: Log everybody off and keep new users out until the next reboot
  wtsadmin.rds.win_rds_server:
    state: logged_off

- name: Let no new user log on until the next reboot; disconnected users may still reconnect
  wtsadmin.rds.win_rds_server:
    logons: drain_until_restart

- name: Let users log on again
  wtsadmin.rds.win_rds_server:
    logons: enabled

- name: Keep everybody out, disconnected users too
  wtsadmin.rds.win_rds_server:
    logons: disabled
    refuse_reconnections: true

- name: Reboot the host this play works, and go on with it afterwards (use win_reboot, which waits)
  ansible.windows.win_reboot:
    reboot_timeout: 1200
"""

RETURN = r"""
servers:
  description:
    - One entry per server asked, in the order of O(server) (one entry, null, for the host itself). The same
      shape for one server or many.
  returned: always
  type: list
  elements: dict
  contains:
    server:
      description: The server, as given in O(server); null for the host itself.
      type: str
      sample: RDSH02
    failed:
      description: True when the server could not be asked, or refused the change; RV(servers[].msg) says why.
      type: bool
      sample: false
    msg:
      description: Why the server could not be asked, and the most likely fix.
      type: str
      returned: when RV(servers[].failed) is true
      sample: "WTSEnumerateSessionsExW failed on RDSH03: [1722] The RPC server is unavailable."
    changed:
      description:
        - With O(state), true when the server was asked (or would be, in check mode).
        - With O(logons), true when its logon mode changed (or would change, in check mode).
      type: bool
      returned: when RV(servers[].failed) is false
      sample: true
    previous_state:
      description: V(running).
      type: str
      returned: with O(state), when RV(servers[].failed) is false
      sample: running
    state:
      description: The state asked for, O(state).
      type: str
      returned: with O(state), when RV(servers[].failed) is false
      sample: rebooted
    result:
      description:
        - V(requested) once Windows has accepted the request.
        - V(would_request) in check mode, which asks nothing.
      type: str
      returned: with O(state), when RV(servers[].failed) is false
      sample: requested
    user_sessions:
      description: The number of sessions with a logged-on user just before the request, which it ends.
      type: int
      returned: with O(state), when RV(servers[].failed) is false
      sample: 4
    previous_logon_mode:
      description:
        - The logon mode before the task, V(enabled), V(drain), V(drain_until_restart), V(disabled), or
          V(unknown) (registry values C(change logon) never writes).
      type: str
      returned: with O(logons), when the mode could be read
      sample: enabled
    logon_mode:
      description: The logon mode after the task (in check mode, the one the real run would set).
      type: str
      returned: with O(logons), when the mode could be read
      sample: drain_until_restart
    logon_policy:
      description:
        - Null, or the sentence saying that Group Policy "Allow users to connect remotely using Remote Desktop
          Services" refuses every remote connection on the server, whatever its logon mode.
      type: str
      returned: with O(logons), when the mode could be read
      sample: null
msg:
  description: Every failure of the task, one per line.
  returned: failure
  type: str
  sample: "WTSShutdownSystem failed on RDSH02: [5] Access is denied."
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import finish, server_spec
from ansible_collections.wtsadmin.rds.plugins.module_utils._logon import (
    LOGON_MODES,
    logon_diff,
    logons_problem,
    set_logon_modes,
)
from ansible_collections.wtsadmin.rds.plugins.module_utils._shutdown import SHUTDOWN_FLAGS, shutdown_servers


def module_args():
    spec = server_spec()
    spec["state"] = {"type": "str", "choices": list(SHUTDOWN_FLAGS)}
    spec["logons"] = {"type": "str", "choices": list(LOGON_MODES)}
    spec["refuse_reconnections"] = {"type": "bool"}
    return {"argument_spec": spec, "supports_check_mode": True, "mutually_exclusive": [["state", "logons"]],
            "required_one_of": [["state", "logons"]], "required_by": {"refuse_reconnections": ["logons"]}}


def main():
    module = AnsibleModule(**module_args())
    p = module.params
    if p["logons"]:
        problem = logons_problem(p["logons"], p["refuse_reconnections"])
        if problem:
            module.fail_json(msg=problem)
        results = set_logon_modes(p["server"], p["logons"], module.check_mode)
        finish(module, results, diff=logon_diff(results))
    finish(module, shutdown_servers(p["server"], p["state"], module.check_mode))


if __name__ == "__main__":
    main()
