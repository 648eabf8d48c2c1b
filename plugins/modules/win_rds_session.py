# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_rds_session
short_description: Disconnect or log off Remote Desktop sessions
version_added: 0.1.0
description:
  - Disconnects (C(WTSDisconnectSession)) or logs off (C(WTSLogoffSession)) the sessions of the host, or
    of the RD Session Hosts named in O(server), that the task selects.
  - A disconnected session keeps its programs running until the user reconnects; logging off ends them.
  - Idempotent. A session already disconnected is not disconnected again, a session that is gone is not
    logged off again; both report C(changed=false).
  - Session 0 (services) and the listeners are never touched; the console session only with
    O(allow_console=true). A task must select sessions, or say O(all=true).
extends_documentation_fragment:
  - wtsadmin.rds.attributes
  - wtsadmin.rds.server
  - wtsadmin.rds.session_selection
  - wtsadmin.rds.session_selection.session_state
  - wtsadmin.rds.session_selection.acting
options:
  state:
    description:
      - V(disconnected) disconnects each selected session that is not disconnected yet.
      - V(logged_off) logs each selected session off.
    type: str
    required: true
    choices: [disconnected, logged_off]
  wait:
    description:
      - Wait until each session has reached O(state), confirmed by listing the server's sessions again
        until a logged off session is gone and a disconnected one shows as disconnected.
      - Windows accepts a logoff at once and completes it in the background (the user's programs are
        asked to close first); without O(wait), RV(sessions[].result) tells that Windows accepted the
        request, not that the session has gone.
    type: bool
    default: true
  timeout:
    description:
      - With O(wait), how many seconds to wait for the sessions of one server. A session that has not
        reached O(state) by then is a failure.
    type: int
    default: 60
attributes:
  check_mode:
    details:
      - Nothing is disconnected or logged off. RV(sessions[].result) says what a real run would do
        (V(would_disconnect), V(would_log_off)), and RV(sessions[].state) and the diff the state it would leave.
  diff_mode:
    support: full
    details: Shows the state of each selected session before and after.
notes:
  - The connecting account needs the C(Disconnect) permission (for V(disconnected)) or the C(Reset)
    permission (for V(logged_off)) of Remote Desktop Services on each server; local Administrators have both.
  - A session named by O(session_id), or a user named by O(username) without wildcards, that does not exist
    is left alone (C(changed) stays false for it) and the task warns once, naming what was not found and
    where, in check mode too. A session ID belongs to one server, so each server without it is named; a
    user may work on any server of a farm, so a username is named only when none of the servers has a
    session of that user.
seealso:
  - module: wtsadmin.rds.win_rds_session_info
  - module: wtsadmin.rds.win_rds_message
  - name: WTSLogoffSession function (wtsapi32.h)
    description: Microsoft's reference of the Windows API this module calls to log off.
    link: https://learn.microsoft.com/en-us/windows/win32/api/wtsapi32/nf-wtsapi32-wtslogoffsession
"""

EXAMPLES = r"""
- name: Log off the users who have been disconnected for more than two hours
  wtsadmin.rds.win_rds_session:
    session_state: disconnected
    min_disconnected_seconds: 7200
    state: logged_off
  register: cleanup

- name: Say who was logged off
  ansible.builtin.debug:
    msg: "{{ cleanup.sessions | selectattr('result', 'equalto', 'logged_off') | map(attribute='user') | list }}"

- name: Disconnect alice's sessions on every session host of the farm
  wtsadmin.rds.win_rds_session:
    server: "{{ groups['session_hosts'] }}"
    username: alice@CONTOSO
    state: disconnected

- name: Before maintenance, log off every session except the console, reporting failures as warnings
  wtsadmin.rds.win_rds_session:
    all: true
    state: logged_off
    timeout: 300
    on_error: warn

- name: Preview which sessions idle for more than 8 hours would be logged off
  wtsadmin.rds.win_rds_session:
    min_idle_seconds: 28800
    state: logged_off
  check_mode: true
  diff: true
"""

RETURN = r"""
sessions:
  description:
    - The selected sessions of every server that answered, whether they needed a change or not, server by
      server in the order of O(server), by session ID within a server. The same shape for one server or many.
    - Each holds every key of the sessions of M(wtsadmin.rds.win_rds_session_info) as they were before the
      task (client, times, counters), plus the keys below.
  returned: always
  type: list
  elements: dict
  contains:
    server:
      description: The server holding the session, as given in O(server); null for the host itself.
      type: str
      sample: RDSH01
    session_id:
      description: The session ID.
      type: int
      sample: 3
    user:
      description: C(DOMAIN\user), or null when nobody is logged on.
      type: str
      sample: CONTOSO\bob
    session_name:
      description: The name of the session's WinStation (C(Console), C(RDP-Tcp#3)); null for a disconnected session.
      type: str
      sample: RDP-Tcp#3
    username:
      description: The user name without domain; null when nobody is logged on.
      type: str
      sample: alice
    domain:
      description: The user's domain (NetBIOS name), or the computer name for a local account; null without user.
      type: str
      sample: CONTOSO
    client_name:
      description: The computer name the Remote Desktop client reported; null for the console.
      type: str
      sample: LAPTOP-ALICE
    client_address:
      description: The client's IPv4 or IPv6 address as text, or null when Windows has none.
      type: str
      sample: 10.20.30.41
    client_address_family:
      description: The address family of RV(sessions[].client_address) (V(inet), V(inet6), V(unspec), ...).
      type: str
      sample: inet
    client_build:
      description: The build number of the Remote Desktop client; 0 for the console.
      type: int
      sample: 22621
    client_directory:
      description: Where the client software is installed on the client computer.
      type: str
      sample: C:\Windows\System32\mstscax.dll
    client_product_id:
      description: The client's product ID.
      type: int
      sample: 1
    client_hardware_id:
      description: The client's hardware ID.
      type: int
      sample: 0
    client_display:
      description: The client's screen.
      type: dict
      sample: {width: 1920, height: 1080, color_depth: 32}
      contains:
        width:
          description: Horizontal resolution in pixels.
          type: int
          sample: 1920
        height:
          description: Vertical resolution in pixels.
          type: int
          sample: 1080
        color_depth:
          description: Bits per pixel.
          type: int
          sample: 32
    client_protocol:
      description: V(rdp), V(ica), or V(console) for the session at the server's console.
      type: str
      sample: rdp
    is_remote:
      description: True for a session reached over RDP or ICA, false for the console.
      type: bool
      sample: true
    logon_time:
      description: When the user logged on, ISO 8601 UTC; null without user.
      type: str
      sample: "2026-03-14T07:55:00Z"
    connect_time:
      description: When the current (or last) client connected, ISO 8601 UTC.
      type: str
      sample: "2026-03-14T07:55:00Z"
    disconnect_time:
      description: When the client last disconnected, ISO 8601 UTC; null if it never did.
      type: str
      sample: null
    last_input_time:
      description: When the user last typed or moved the mouse, ISO 8601 UTC; null if unknown.
      type: str
      sample: "2026-03-14T08:59:30Z"
    idle_seconds:
      description:
        - Seconds since the last input, on the server's clock; for a disconnected session, seconds since it
          was disconnected (as C(quser) shows). Null when Windows does not say.
      type: int
      sample: 120
    disconnected_seconds:
      description: Seconds since a disconnected session was disconnected, on the server's clock; null otherwise.
      type: int
      sample: null
    locked:
      description:
        - Whether the session's desktop is locked; null when Windows does not know (for example a
          disconnected session).
        - When the server's version cannot be read, the flag is returned as Windows gives it (inverted on
          Windows 7 and Windows Server 2008 R2 only) and a warning says so.
      type: bool
      sample: false
    host_name:
      description: The name of the server holding the session.
      type: str
      sample: RDSH01
    farm_name:
      description: The RD Connection Broker farm of the session; null outside a farm.
      type: str
      sample: null
    incoming_bytes:
      description: Bytes received from the client.
      type: int
      sample: 4200000
    outgoing_bytes:
      description: Bytes sent to the client.
      type: int
      sample: 91000000
    incoming_frames:
      description: Frames received from the client.
      type: int
      sample: 52000
    outgoing_frames:
      description: Frames sent to the client.
      type: int
      sample: 61000
    incoming_compressed_bytes:
      description: Compressed bytes received from the client.
      type: int
      sample: 1900000
    outgoing_compressed_bytes:
      description: Compressed bytes sent to the client.
      type: int
      sample: 40000000
    previous_state:
      description: The session's connection state before the task.
      type: str
      sample: disconnected
    state:
      description: The state after the task, V(disconnected) or V(logged_off) when it was changed, else as before.
      type: str
      sample: logged_off
    result:
      description:
        - What happened. V(disconnected) or V(logged_off); V(unchanged) when the session already was in
          O(state); V(vanished) when it ended by itself meanwhile; V(failed) with RV(sessions[].error).
        - In check mode, what a real run would do - V(would_disconnect) or V(would_log_off) - or
          V(unchanged).
      type: str
      sample: logged_off
    error:
      description: The Windows error for this session, and the most likely fix.
      type: str
      returned: when RV(sessions[].result) is V(failed)
      sample: |-
        WTSLogoffSession failed on RDSH01 for session 4 (CONTOSO\carol): [5] Access is denied.
        The connecting account needs the "Reset" permission on the RDP-Tcp listener, or local Administrators.
protected:
  description:
    - Sessions that pass every filter but that a guardrail left alone (the console without O(allow_console)),
      of every server that answered.
  returned: always
  type: list
  elements: dict
  sample: [{server: null, session_id: 1, user: RDSH01\Administrator,
            reason: "the console session is acted on only with allow_console: true"}]
  contains:
    server:
      description: The server holding the session, as given in O(server); null for the host itself.
      type: str
      sample: RDSH01
    session_id:
      description: The session ID.
      type: int
      sample: 1
    user:
      description: C(DOMAIN\user), or null.
      type: str
      sample: RDSH01\Administrator
    reason:
      description: Why it was left alone.
      type: str
      sample: "the console session is acted on only with allow_console: true"
servers:
  description:
    - One summary per server worked, in the order of O(server) (one entry, null, for the host itself). Its
      sessions are in RV(sessions) and RV(protected), each with its server.
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
      sample: "WTSEnumerateSessionsExW failed on RDSH03: [1722] The RPC server is unavailable."
    changed:
      description: Whether a session of this server was changed.
      type: bool
      returned: when RV(servers[].failed) is false
      sample: true
msg:
  description: Every failure of the task (servers and sessions), one per line.
  returned: failure
  type: str
  sample: |-
    WTSLogoffSession failed on RDSH01 for session 4 (CONTOSO\carol): [5] Access is denied.
    The connecting account needs the "Reset" permission on the RDP-Tcp listener, or local Administrators.
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import finish, server_spec
from ansible_collections.wtsadmin.rds.plugins.module_utils._selection import (
    SessionSelection,
    selection_problem,
    session_selection_spec,
)
from ansible_collections.wtsadmin.rds.plugins.module_utils._sessions import change_sessions


def module_args():
    argument_spec = dict(server_spec(), **session_selection_spec(acting=True))
    argument_spec.update(
        state={"type": "str", "required": True, "choices": ["disconnected", "logged_off"]},
        wait={"type": "bool", "default": True},
        timeout={"type": "int", "default": 60},
    )
    return {"argument_spec": argument_spec, "supports_check_mode": True}


def main():
    module = AnsibleModule(**module_args())
    p = module.params
    problem = selection_problem(p)
    if problem:
        module.fail_json(msg=problem)
    results, diff = change_sessions(p["server"], SessionSelection.from_params(p, acting=True), p["state"], p["wait"],
                                    p["timeout"], module.check_mode)
    finish(module, results, "sessions", "protected", diff=diff)


if __name__ == "__main__":
    main()
