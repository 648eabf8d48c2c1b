# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_rds_session_info
short_description: List the sessions of RD Session Hosts, with their users, clients, idle times and lock state
version_added: 0.1.0
description:
  - Lists the Remote Desktop Services sessions of the host, or of the RD Session Hosts named in
    O(server), like C(quser) or the Users tab of Task Manager, with who is logged on, from which client,
    since when, how long the session has been idle or disconnected, and whether it is locked.
  - One C(WTSEnumerateSessionsExW) call lists the sessions; each selected session then costs at most three
    C(WTSQuerySessionInformationW) calls (C(WTSSessionInfoEx), C(WTSClientInfo), C(WTSClientProtocolType)),
    however many sessions the server holds.
  - Idle and disconnected times are measured on the server's own clock, so a controller whose clock is off
    does not change them.
  - A session that ends between the listing and its query is left out, not reported as an error.
  - Each server's logon mode (RV(servers[].logon_mode)) shows at once which hosts are draining. It is read from the
    registry (another server's through its Remote Registry service; when that fails, the mode is null and a
    warning says why, the sessions are still listed). M(wtsadmin.rds.win_rds_server) with O(wtsadmin.rds.win_rds_server#module:logons) sets it.
  - This module never changes anything.
extends_documentation_fragment:
  - wtsadmin.rds.attributes
  - wtsadmin.rds.attributes.read_only
  - wtsadmin.rds.server
  - wtsadmin.rds.server.query_information
  - wtsadmin.rds.session_selection
  - wtsadmin.rds.session_selection.state
  - wtsadmin.rds.session_selection.system
options:
  fields:
    description:
      - Return only these keys of each session, in this order (RV(sessions[].server) always comes too), for
        example C(fields=session_id,user,state,idle_seconds,client_name) for an ad-hoc run that reads like
        C(quser). The selection options still see every key.
      - Default, every key.
    type: list
    elements: str
    choices: [session_id, session_name, state, username, domain, user, client_name, client_address,
              client_address_family, client_build, client_directory, client_product_id, client_hardware_id,
              client_display, client_protocol, is_remote, logon_time, connect_time, disconnect_time,
              last_input_time, idle_seconds, disconnected_seconds, locked, host_name, farm_name, incoming_bytes,
              outgoing_bytes, incoming_frames, outgoing_frames, incoming_compressed_bytes,
              outgoing_compressed_bytes]
notes:
  - Windows 7 and Windows Server 2008 R2 report the lock state the wrong way round; the module reads each
    server's version (C(NetServerGetInfo)) once, when a session reports a lock state, and corrects it.
seealso:
  - module: wtsadmin.rds.win_rds_session
  - module: wtsadmin.rds.win_rds_message
  - name: WTSQuerySessionInformationW function (wtsapi32.h)
    description: Microsoft's reference of the Windows API this module calls.
    link: https://learn.microsoft.com/en-us/windows/win32/api/wtsapi32/nf-wtsapi32-wtsquerysessioninformationw
"""

EXAMPLES = r"""
- name: Which session hosts are draining?
  wtsadmin.rds.win_rds_session_info:
    server: [RDSH01, RDSH02]
  register: farm

- name: Show each host's logon mode
  ansible.builtin.debug:
    msg: "{{ farm.servers | items2dict(key_name='server', value_name='logon_mode') }}"

- name: List the user sessions of the host
  wtsadmin.rds.win_rds_session_info:
  register: rds

- name: Show who is logged on, from where, and for how long they have been idle
  ansible.builtin.debug:
    msg: "{{ item.user }} from {{ item.client_name or 'the console' }} ({{ item.state }}), idle {{ item.idle_seconds }} s"
  loop: "{{ rds.sessions | selectattr('user') }}"
  loop_control:
    label: "{{ item.session_id }}"

- name: Find the sessions that have been disconnected for more than two hours
  wtsadmin.rds.win_rds_session_info:
    session_state: disconnected
    min_disconnected_seconds: 7200
  register: stale

- name: Find where alice is logged on across the farm
  wtsadmin.rds.win_rds_session_info:
    server: [RDSH01, RDSH02, RDSH03]
    username: CONTOSO\alice
  register: alice

- name: Report a server that could not be asked, without failing the play
  wtsadmin.rds.win_rds_session_info:
    server: "{{ groups['session_hosts'] }}"
    on_error: warn
  register: farm

- name: Count the active sessions of the whole farm
  ansible.builtin.debug:
    msg: "{{ farm.counts.active }} active sessions on {{ farm.servers | rejectattr('failed') | length }} servers"
"""

RETURN = r"""
sessions:
  description:
    - The selected sessions of every server that answered, server by server in the order of O(server), by
      session ID within a server. The same shape for one server or many.
    - Session 0 and the listeners only with O(include_system=true).
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
      sample: 2
    session_name:
      description: The name of the session's WinStation (C(Console), C(RDP-Tcp#3)); null for a disconnected session.
      type: str
      sample: RDP-Tcp#3
    state:
      description: The connection state.
      type: str
      sample: active
    username:
      description: The user name without domain; null when nobody is logged on.
      type: str
      sample: alice
    domain:
      description: The user's domain (NetBIOS name), or the computer name for a local account; null without user.
      type: str
      sample: CONTOSO
    user:
      description: C(DOMAIN\user), or null when nobody is logged on.
      type: str
      sample: CONTOSO\alice
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
counts:
  description:
    - How many of the selected sessions are in each state (every state is present, most as 0), over every
      server that answered; RV(servers[].counts) has them per server.
  returned: always
  type: dict
  sample: {active: 4, connected: 1, connect_query: 0, shadow: 0, disconnected: 2, idle: 0, listen: 0, reset: 0,
           down: 0, init: 0}
servers:
  description:
    - One summary per server asked, in the order of O(server) (one entry, null, for the host itself). Its
      sessions are in RV(sessions), each with its RV(sessions[].server).
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
      sample: "WTSEnumerateSessionsExW failed on RDSH03: [1722] The RPC server is unavailable."
    counts:
      description: The server's sessions per state, like RV(counts).
      type: dict
      returned: when RV(servers[].failed) is false
      sample: {active: 1, disconnected: 1, connected: 0}
    logon_mode:
      description:
        - The server's logon mode, as C(change logon) sets it. V(enabled) lets users log on and reconnect;
          V(drain) and V(drain_until_restart) (until the next restart) refuse new logons and let disconnected
          users reconnect; V(disabled) refuses both; V(unknown) for registry values C(change logon) never
          writes.
        - Null when it could not be read (a warning says why).
      type: str
      returned: when RV(servers[].failed) is false
      sample: drain_until_restart
    logon_policy:
      description:
        - Null, or the sentence saying that Group Policy "Allow users to connect remotely using Remote
          Desktop Services" refuses every remote connection on the server, whatever its logon mode.
      type: str
      returned: when RV(servers[].failed) is false
      sample: null
msg:
  description: Every failure of the task, one per line, when a server could not be asked.
  returned: failure
  type: str
  sample: "WTSEnumerateSessionsExW failed on RDSH03: [1722] The RPC server is unavailable."
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import fields_spec, finish, keep_fields, server_spec
from ansible_collections.wtsadmin.rds.plugins.module_utils._selection import SessionSelection, session_selection_spec
from ansible_collections.wtsadmin.rds.plugins.module_utils._sessions import SESSION_FIELDS, report_sessions, total_counts


def module_args():
    return {
        "argument_spec": dict(server_spec(), **session_selection_spec(state_alias=True, include_system=True),
                              **fields_spec(SESSION_FIELDS)),
        "supports_check_mode": True,
    }


def main():
    module = AnsibleModule(**module_args())
    results = report_sessions(module.params["server"], SessionSelection.from_params(module.params))
    counts = total_counts(results)
    finish(module, keep_fields(results, "sessions", module.params["fields"]), "sessions", counts=counts)


if __name__ == "__main__":
    main()
