# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_rds_wait
short_description: Wait for session events on RD Session Hosts, or until their sessions reach a condition
version_added: 0.1.0
description:
  - Waits on the host, or on the RD Session Hosts named in O(server) (concurrently), either for a session
    event (O(event), such as a logon, a logoff or a disconnect) or until a condition on the sessions
    holds (O(until), such as nobody being logged on), for at most O(timeout) seconds.
  - Waiting costs nothing while nothing happens; the module sleeps in C(WTSWaitSystemEvent) and Windows wakes
    it when a session event occurs. C(WTSWaitSystemEvent) has no timeout of its own; a timer releases it with
    C(WTS_EVENT_FLUSH) when O(timeout) is reached.
  - The events do not say which session they concern, so the sessions are listed again after every wake-up;
    RV(sessions) is the last list. While waiting for a condition, the sessions are also looked at every
    5 seconds, because an event that happens between two waits is not queued by Windows.
  - A condition that already holds returns at once, without waiting.
  - A timeout fails the task (with RV(servers[].timed_out) true), or only reports it with
    O(fail_on_timeout=false).
  - This module never changes anything.
extends_documentation_fragment:
  - wtsadmin.rds.attributes
  - wtsadmin.rds.server
  - wtsadmin.rds.server.query_information
options:
  event:
    description:
      - Wait until one of these session events happens on the server (after the task started).
      - V(create) and V(delete) a session is created or deleted; V(rename) a session is renamed;
        V(connect) and V(disconnect) a client connects or disconnects; V(logon) and V(logoff) a user logs on
        or off; V(state_change) a session changes state (C(WTS_CONNECTSTATE_CLASS)); V(license) the license
        state changes; V(all) any of these.
      - Exactly one of O(event) and O(until) is required.
    type: list
    elements: str
    choices: [create, delete, rename, connect, disconnect, logon, logoff, state_change, license, all]
  until:
    description:
      - Wait until the server's sessions reach this condition. Session 0 (services) and the listeners are
        not counted; the console session is.
      - V(no_user_sessions) no session has a logged-on user (disconnected sessions count as logged on).
      - V(no_active_sessions) no session is active (disconnected sessions and logon screens do not count).
      - With O(username), only the sessions of those users are counted; so to wait until one user has no
        session any more, give O(until=no_user_sessions) and that user.
      - Exactly one of O(event) and O(until) is required.
    type: str
    choices: [no_user_sessions, no_active_sessions]
  username:
    description:
      - Count only the sessions of these users for O(until).
      - Each item is C(DOMAIN\user), C(user@domain) or a bare C(user) (any domain); case-insensitive, with
        shell wildcards, as the O(username) of M(wtsadmin.rds.win_rds_session_info).
    type: list
    elements: str
  timeout:
    description:
      - How long to wait at most, in seconds.
    type: int
    default: 300
  fail_on_timeout:
    description:
      - Whether the task fails when O(timeout) is reached before the event or condition.
      - With V(false) a timeout is only reported in RV(servers[].timed_out).
    type: bool
    default: true
attributes:
  check_mode:
    details: The module only waits and reads; it runs the same in check mode.
notes:
  - The connection to the host stays open while the module waits. Over WinRM this needs no raised timeout;
    when the command prints nothing for the operation timeout (C(ansible_winrm_operation_timeout_sec),
    20 s by default), WinRM answers with an OperationTimeout fault and ansible-core's winrm connection
    plugin asks again, for as long as the module waits.
seealso:
  - module: wtsadmin.rds.win_rds_session_info
  - module: wtsadmin.rds.win_rds_server
  - name: WTSWaitSystemEvent function (wtsapi32.h)
    description: Microsoft's reference of the Windows API this module calls.
    link: https://learn.microsoft.com/en-us/windows/win32/api/wtsapi32/nf-wtsapi32-wtswaitsystemevent
"""

EXAMPLES = r"""
- name: Wait up to an hour until the last user has logged off, then reboot
  block:
    - name: Wait until nobody is logged on
      wtsadmin.rds.win_rds_wait:
        until: no_user_sessions
        timeout: 3600

    - name: Reboot
      ansible.windows.win_reboot:

- name: Wait until carol has no session any more
  wtsadmin.rds.win_rds_wait:
    until: no_user_sessions
    username: CONTOSO\carol
    timeout: 600

- name: Wait for the next logon or logoff on two servers, and only report a timeout
  wtsadmin.rds.win_rds_wait:
    server: [RDSH01, RDSH02]
    event: [logon, logoff]
    timeout: 120
    fail_on_timeout: false
  register: activity

- name: Say which servers saw activity
  ansible.builtin.debug:
    msg: "{{ item.server }}: {{ item.names }} after {{ item.after_seconds }} s"
  loop: "{{ activity.events }}"
  loop_control:
    label: "{{ item.server }}"

- name: Wait until nobody works on the host any more (disconnected users may stay)
  wtsadmin.rds.win_rds_wait:
    until: no_active_sessions
    timeout: 1800
"""

RETURN = r"""
events:
  description:
    - Each wake-up that brought events, in order. Waiting for O(event) ends with the first one; waiting for a
      condition may see several before it holds.
    - The wake-ups of every server that answered, server by server in the order of O(server). The same
      shape for one server or many.
  returned: always
  type: list
  elements: dict
  contains:
    server:
      description: The server that saw the events, as given in O(server); null for the host itself.
      type: str
      sample: RDSH01
    names:
      description: The events Windows reported at this wake-up (several may come together).
      type: list
      elements: str
      sample: [logoff, state_change]
    time:
      description: When they arrived, ISO 8601 UTC, on the clock of the host the task runs on.
      type: str
      sample: "2026-03-14T09:12:31Z"
    after_seconds:
      description: Seconds since the wait started.
      type: float
      sample: 41.207
sessions:
  description:
    - The sessions (but session 0 and the listeners) of every server that answered, after its last wake-up,
      server by server in the order of O(server), by session ID within a server.
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
      description: The session's WinStation name; null for a disconnected session.
      type: str
      sample: RDP-Tcp#3
    state:
      description: The connection state (V(active), V(disconnected), V(connected), ...).
      type: str
      sample: active
    user:
      description: C(DOMAIN\user), or null when nobody is logged on.
      type: str
      sample: CONTOSO\alice
servers:
  description:
    - One summary per server, in the order of O(server) (one entry, null, for the host itself). Its events
      and sessions are in RV(events) and RV(sessions), each with its server.
  returned: always
  type: list
  elements: dict
  contains:
    server:
      description: The server, as given in O(server); null for the host itself.
      type: str
      sample: RDSH02
    failed:
      description: True when the server could not be waited on, or timed out with O(fail_on_timeout=true).
      type: bool
      sample: false
    msg:
      description: What went wrong, and what to do about it.
      type: str
      returned: when RV(servers[].failed) is true
      sample: "Timed out after 300 seconds on RDSH02 waiting for no user session."
    changed:
      description: Always false; waiting changes nothing.
      type: bool
      returned: when the server answered
      sample: false
    waited_seconds:
      description: How long the module waited on this server, in seconds.
      type: float
      returned: when the server answered
      sample: 41.311
    timed_out:
      description: True when O(timeout) was reached before the event or condition.
      type: bool
      returned: when the server answered
      sample: false
msg:
  description: Every failure of the task, one per line.
  returned: failure
  type: str
  sample: "Timed out after 300 seconds on RDSH02 waiting for no user session."
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import finish, server_spec
from ansible_collections.wtsadmin.rds.plugins.module_utils._waiting import wait_on_servers, wait_spec


def module_args():
    return {
        "argument_spec": dict(server_spec(), **wait_spec()),
        "mutually_exclusive": [["event", "until"]],
        "required_one_of": [["event", "until"]],
        "required_by": {"username": "until"},
        "supports_check_mode": True,
    }


def main():
    module = AnsibleModule(**module_args())
    p = module.params
    results = wait_on_servers(p["server"], p["event"], p["until"], p["username"], p["timeout"], p["fail_on_timeout"])
    finish(module, results, "sessions", "events")


if __name__ == "__main__":
    main()
