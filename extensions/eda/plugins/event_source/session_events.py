# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: session_events
short_description: Session events of RD Session Hosts as they happen, for Event-Driven Ansible rulebooks
version_added: 0.1.0
description:
  - An ansible-rulebook event source. For every host in O(hosts) or O(inventory) it runs one long-running
    command over WinRM that streams the host's session events (logons, logoffs, connects, disconnects,
    reconnects, locks and unlocks, idle and disconnected thresholds crossed) as they happen, and reports when
    a host cannot be reached (V(host_down)) and when it answers again (V(host_up)).
  - On the host, the command is the host's own Python running the collection's code, as the modules do, in a loop
    around C(WTSWaitSystemEvent) (as M(wtsadmin.rds.win_rds_wait)) that lists the sessions again after every
    wake-up (as M(wtsadmin.rds.win_rds_session_info)), and at least every O(poll_interval) seconds. The
    events are the difference between two lists. Nothing is installed or written on the host.
  - Each event is a dictionary with C(type), C(host), C(session_id), C(user), C(session_name), C(client_name),
    C(client_address), C(logon_time), C(state_before), C(state_after), C(locked), C(idle_seconds),
    C(disconnected_seconds), C(host_time) (the host's clock, ISO 8601 UTC) and C(windows_events) (what
    C(WTSWaitSystemEvent) reported at that wake-up, empty when the change was found by polling).
    V(host_down) events carry C(host), C(error) and C(retry_seconds); V(host_up) events C(host), C(sessions)
    (how many sessions the host has) and C(host_time).
  - A host that cannot be reached, or whose stream breaks or falls silent, is tried again after 1 second,
    then after twice as long each time, up to O(backoff_max) seconds. The session state the host last
    reported is sent back when it reconnects, so the changes made meanwhile arrive as events (several changes
    of one session as their net change). One host never holds up the others.
  - When the rulebook stops, each host's command gets the WS-Management C(terminate) signal and its shell is
    deleted; the loop on the host also ends by itself once nobody reads its output.
  - The collection's C(docs/eda.md) has rulebook examples, what a decision environment needs, the WinRM load
    per host, and what Windows can and cannot signal.
extends_documentation_fragment:
  - wtsadmin.rds.inventory_winrm
requirements:
  - ansible-rulebook, with ansible-core and pywinrm 0.4.3 or later beside it (in AAP, in the decision
    environment).
  - Python 3.9 or later on each host, reachable with WinRM.
options:
  hosts:
    description:
      - The RD Session Hosts to watch, by name or address, each optionally with its WinRM port
        (C(rdsh01:5985), C([2001:db8::11]:5986)).
      - The events name each host as written here.
      - Give O(hosts) or O(inventory), or both.
    type: list
    elements: str
  inventory:
    description:
      - An inventory source whose hosts are watched, for example a P(wtsadmin.rds.rds_servers#inventory)
        configuration file (C(farm.rds_servers.yml)); it is read once, with C(ansible-inventory), when the
        source starts.
      - A host's C(ansible_host), C(ansible_port) and C(ansible_python_interpreter) variables are used when
        set; the events name the host by its inventory name.
    type: path
  events:
    description:
      - The event types to send to the rulebook.
      - V(logon) a user logged on (a new session, or a user in a session that showed the logon screen);
        V(logoff) a user logged off (the session ended, or its user left it).
      - V(connect) a client connected to a new session that nobody has logged on to yet;
        V(disconnect) a client disconnected (the session stays, with its user) or a session without a user
        ended; V(reconnect) a client connected to a disconnected session again.
      - V(lock) and V(unlock) the session was locked or unlocked, where Windows reports the lock state
        (Windows Server 2012 and later; on Windows Server 2008 R2 the reported state is corrected).
      - V(idle) an active session has had no input for O(idle_threshold) seconds; V(idle_end) it has had
        input again since.
      - V(disconnected_long) a session has been disconnected for O(disconnected_threshold) seconds.
      - V(host_down) the host cannot be reached, or its stream broke; V(host_up) its stream works (at the
        start, and after each V(host_down)).
    type: list
    elements: str
    choices: [logon, logoff, connect, disconnect, reconnect, lock, unlock, idle, idle_end, disconnected_long,
              host_up, host_down]
    default: [logon, logoff, connect, disconnect, reconnect, lock, unlock, idle, idle_end, disconnected_long,
              host_up, host_down]
  poll_interval:
    description:
      - Seconds between two session lists when Windows signals nothing. Idle and disconnected times, lock
        changes and what C(WTSWaitSystemEvent) does not signal are found at this pace.
      - It is also how often each host reports that its stream is alive; a host that says nothing for three
        times as long (plus O(operation_timeout)) is reported down and reconnected.
    type: float
    default: 30
  idle_threshold:
    description:
      - Seconds without input after which an active session gets an V(idle) event (once, until it has input
        again). Not set, no V(idle) events.
      - A session already past it when the source starts gets its event at the start.
    type: int
  disconnected_threshold:
    description:
      - Seconds after which a disconnected session gets a V(disconnected_long) event (once per disconnection).
        Not set, no V(disconnected_long) events.
      - A session already past it when the source starts gets its event at the start.
    type: int
  backoff_max:
    description:
      - The longest wait, in seconds, between two attempts to reach a host that is down.
    type: float
    default: 60
notes:
  - The WinRM options come from the source's arguments, else from the environment variables named here (an
    AAP credential can inject them); their C(ini) settings belong to the P(wtsadmin.rds.rds_servers#inventory)
    inventory and are not read by this source. The password is never logged or put in an event.
  - Events of one host arrive in order; events of different hosts are not ordered among each other.
  - Memory is bounded per host (one WinRM answer, one event waiting for the rulebook, the host's last session
    list); while the rulebook is busy, nothing is queued and nothing is dropped; the host waits, and changes
    made meanwhile arrive as their net change. When the rulebook stops, the source logs for each host (seen
    with C(ansible-rulebook -v)) the connections made, the bytes read, the events handed to the rulebook and
    the most output held at once. The collection's C(docs/eda.md) says more.
seealso:
  - module: wtsadmin.rds.win_rds_wait
  - module: wtsadmin.rds.win_rds_session_info
  - name: WTSWaitSystemEvent function (wtsapi32.h)
    description: The Windows API the loop on the host waits in.
    link: https://learn.microsoft.com/en-us/windows/win32/api/wtsapi32/nf-wtsapi32-wtswaitsystemevent
"""

EXAMPLES = r"""
- name: Log off sessions disconnected for more than two hours
  hosts: all
  sources:
    - wtsadmin.rds.session_events:
        hosts: [rdsh01.contoso.com, rdsh02.contoso.com]
        transport: kerberos
        disconnected_threshold: 7200
        events: [disconnected_long, host_down]
  rules:
    - name: Log off the session
      condition: event.type == "disconnected_long"
      action:
        run_playbook:
          name: playbooks/logoff_session.yml
          extra_vars:
            rds_host: "{{ event.host }}"
            rds_session_id: "{{ event.session_id }}"
    - name: Say that a host is down
      condition: event.type == "host_down"
      action:
        debug:
          msg: "{{ event.host }} cannot be reached: {{ event.error }}"

- name: Watch the hosts of an inventory, credentials from the environment
  hosts: all
  sources:
    - wtsadmin.rds.session_events:
        inventory: inventory/farm.rds_servers.yml
        events: [logon, logoff]
  rules:
    - name: Show who logs on and off
      condition: event.type in ["logon", "logoff"]
      action:
        print_event:
"""

import os
import sys


def _collection():
    """The collection's plugin_utils, importable also where ansible-rulebook runs this file by its path only."""
    try:
        from ansible_collections.wtsadmin.rds.plugins.plugin_utils import _event_stream
    except ImportError:
        # .../ansible_collections/wtsadmin/rds/extensions/eda/plugins/event_source/session_events.py
        root = os.path.abspath(__file__)
        for dummy in range(8):
            root = os.path.dirname(root)
        sys.path.append(root)
        from ansible_collections.wtsadmin.rds.plugins.plugin_utils import _event_stream
    return _event_stream


async def main(queue, args):
    """Put the session events of the hosts on ``queue`` until the rulebook stops (cancels this task)."""
    event_stream = _collection()
    options = event_stream.source_options(args, DOCUMENTATION)
    await event_stream.run_source(queue, options)


if __name__ == "__main__":
    # Without ansible-rulebook: print the events of the hosts given as arguments, with the WinRM options from
    # the environment (WTSADMIN_RDS_USERNAME, ...), until Ctrl+C.
    import asyncio

    class _Printer:
        @staticmethod
        async def put(event):
            print(event)  # noqa: T201

    asyncio.run(main(_Printer(), {"hosts": sys.argv[1:]}))
