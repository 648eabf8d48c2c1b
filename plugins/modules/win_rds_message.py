# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_rds_message
short_description: Show a message box in Remote Desktop sessions and collect the answers
version_added: 0.1.0
description:
  - Shows a message box (C(WTSSendMessageW)) in the selected sessions of the host, or of the RD Session
    Hosts named in O(server), like C(msg.exe), and returns each user's answer by name.
  - Without any selection option, the message goes to every active session that has a user (console
    included). Session 0 and the listeners never get one.
  - With O(wait), all sessions of a server are messaged at the same time, so collecting the answers of
    many users takes about one O(timeout), not one per user.
  - Text in any language works (accents, CJK, emoji).
  - A session that ends before its message is shown is reported as V(vanished), not as a failure.
extends_documentation_fragment:
  - wtsadmin.rds.attributes
  - wtsadmin.rds.server
  - wtsadmin.rds.session_selection
  - wtsadmin.rds.session_selection.state
options:
  msg:
    description:
      - The text of the message. Line breaks are kept.
      - At most 511 UTF-16 code units (1022 bytes), the limit of the Remote Desktop Services protocol; a
        character outside the Basic Multilingual Plane, such as an emoji, counts as two.
    type: str
    required: true
  title:
    description:
      - The title bar of the message box, with the same length limit as O(msg).
      - When empty or not set, C(Message from your administrator).
    type: str
  buttons:
    description:
      - The buttons of the message box.
    type: str
    choices: [ok, ok_cancel, abort_retry_ignore, yes_no_cancel, yes_no, retry_cancel, cancel_try_continue]
    default: ok
  icon:
    description:
      - The icon of the message box.
    type: str
    choices: [none, error, question, warning, information]
    default: information
  default_button:
    description:
      - The position of the button that Enter presses, from the left; it must exist in O(buttons).
    type: int
    choices: [1, 2, 3]
    default: 1
  timeout:
    description:
      - Seconds after which the message box closes by itself and the answer is V(timeout); V(0) keeps it
        open until the user answers.
      - Required (greater than 0) with O(wait), so that the task cannot wait for ever.
    type: int
    default: 0
  wait:
    description:
      - Wait for the users' answers (or O(timeout)) and return them in RV(sessions[].answer).
      - Without it, the messages are shown and the task goes on at once; each answer is V(async).
    type: bool
    default: false
attributes:
  check_mode:
    details: No message is sent; the result lists the sessions that would get it, with RV(sessions[].result) V(would_send).
notes:
  - The connecting account needs the C(Message) permission of Remote Desktop Services on each server
    (local Administrators have it).
  - Up to 256 sessions are messaged at the same time, for all servers of the task together; with more,
    O(wait) takes one O(timeout) for each further 256.
  - A session named by O(session_id), or a user named by O(username) without wildcards, that does not exist
    is left alone (C(changed) stays false for it) and the task warns once, naming what was not found and
    where, in check mode too. A session ID belongs to one server, so each server without it is named; a
    user may work on any server of a farm, so a username is named only when none of the servers has a
    session of that user.
seealso:
  - module: wtsadmin.rds.win_rds_session_info
  - module: wtsadmin.rds.win_rds_session
  - name: WTSSendMessageW function (wtsapi32.h)
    description: Microsoft's reference of the Windows API this module calls.
    link: https://learn.microsoft.com/en-us/windows/win32/api/wtsapi32/nf-wtsapi32-wtssendmessagew
"""

EXAMPLES = r"""
- name: Warn everyone 15 minutes before maintenance and ask whether they can log off now
  wtsadmin.rds.win_rds_message:
    server: "{{ groups['session_hosts'] }}"
    title: Maintenance at 20:00
    msg: |-
      The server restarts in 15 minutes. Please save your work.
      Can you log off now?
    buttons: yes_no
    icon: warning
    default_button: 2
    wait: true
    timeout: 120
  register: answers

- name: List the users who answered no, and where
  ansible.builtin.debug:
    msg: "{{ answers.sessions | selectattr('answer', 'equalto', 'no') | map(attribute='user') | list }}"

- name: Tell bob, without waiting for him
  wtsadmin.rds.win_rds_message:
    username: CONTOSO\bob
    msg: Your report is ready.

- name: Tell the users disconnected for over an hour that their session will be logged off
  wtsadmin.rds.win_rds_message:
    session_state: disconnected
    min_disconnected_seconds: 3600
    msg: Your session will be logged off tonight.
"""

RETURN = r"""
sessions:
  description:
    - The sessions that were messaged on every server that answered, server by server in the order of
      O(server), by session ID within a server. The same shape for one server or many.
    - Each holds every key of the sessions of M(wtsadmin.rds.win_rds_session_info), plus the keys below.
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
    user:
      description: C(DOMAIN\user), or null when nobody is logged on.
      type: str
      sample: CONTOSO\alice
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
    result:
      description:
        - V(sent); V(vanished) when the session ended before the message was shown; V(failed) with
          RV(sessions[].error).
        - V(would_send) in check mode, which sends nothing.
      type: str
      sample: sent
    answer:
      description:
        - The button the user pressed (V(ok), V(cancel), V(abort), V(retry), V(ignore), V(yes), V(no),
          V(try_again), V(continue)), V(timeout) when O(timeout) passed first, V(async) without O(wait).
        - Null in check mode and when the message could not be shown.
      type: str
      sample: "yes"
    error:
      description: The Windows error for this session, and the most likely fix.
      type: str
      returned: when RV(sessions[].result) is V(failed)
      sample: |-
        WTSSendMessageW failed on RDSH01 for session 2 (CONTOSO\alice): [5] Access is denied.
        The connecting account needs the "Message" permission on the RDP-Tcp listener, or local Administrators.
servers:
  description:
    - One summary per server worked, in the order of O(server) (one entry, null, for the host itself). Its
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
      description: True when the server could not be worked; RV(servers[].msg) says why.
      type: bool
      sample: false
    msg:
      description: Why the server could not be worked, and the most likely fix.
      type: str
      returned: when RV(servers[].failed) is true
      sample: "WTSEnumerateSessionsExW failed on RDSH03: [1722] The RPC server is unavailable."
    changed:
      description: Whether a message was shown on this server.
      type: bool
      returned: when RV(servers[].failed) is false
      sample: true
msg:
  description: Every failure of the task (servers and sessions), one per line, or why the options were refused.
  returned: failure
  type: str
  sample: "default_button 3: buttons=yes_no has only 2 buttons"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import finish, server_spec
from ansible_collections.wtsadmin.rds.plugins.module_utils._messages import (
    message_problem,
    message_selection,
    send_messages,
)
from ansible_collections.wtsadmin.rds.plugins.module_utils._selection import session_selection_spec
from ansible_collections.wtsadmin.rds.plugins.module_utils.winconst import MESSAGE_BUTTONS, MESSAGE_ICONS


def module_args():
    argument_spec = dict(server_spec(), **session_selection_spec(state_alias=True))
    argument_spec.update(
        msg={"type": "str", "required": True},
        title={"type": "str"},
        buttons={"type": "str", "choices": list(MESSAGE_BUTTONS), "default": "ok"},
        icon={"type": "str", "choices": list(MESSAGE_ICONS), "default": "information"},
        default_button={"type": "int", "choices": [1, 2, 3], "default": 1},
        timeout={"type": "int", "default": 0},
        wait={"type": "bool", "default": False},
    )
    return {"argument_spec": argument_spec, "supports_check_mode": True}


def main():
    module = AnsibleModule(**module_args())
    p = module.params
    problem = message_problem(p["msg"], p["title"], p["buttons"], p["default_button"], p["timeout"], p["wait"])
    if problem:
        module.fail_json(msg=problem)
    results = send_messages(p["server"], message_selection(p), p["msg"], p["title"], p["buttons"], p["icon"],
                            p["default_button"], p["timeout"], p["wait"], module.check_mode)
    finish(module, results, "sessions")


if __name__ == "__main__":
    main()
