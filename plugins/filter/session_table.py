# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: session_table
short_description: Render sessions or processes as an aligned text table
version_added: 0.1.0
description:
  - Renders the RV(wtsadmin.rds.win_rds_session_info#module:sessions) of
    M(wtsadmin.rds.win_rds_session_info) (or of the other session modules), or the
    RV(wtsadmin.rds.win_rds_process_info#module:processes) of M(wtsadmin.rds.win_rds_process_info), as a text
    table like C(quser) prints, one line per session or process, for reports, mails and logs.
  - By default the columns are ID, USER, CLIENT, STATE and IDLE (h:mm) for sessions, PID, NAME, SESSION and
    USER for processes, with a SERVER column first when the items come from named servers. Null values show
    as C(-).
  - Columns are aligned for a monospaced font in terminal columns, not characters, so East Asian wide
    characters and emoji (two columns) and combining marks (none) line up. Control characters are shown as
    C(\xNN).
  - The YAML output of C(ansible.builtin.debug) escapes characters outside the Basic Multilingual Plane
    (emoji) when libyaml is installed, which breaks the alignment of that line on screen; write the table
    to a file (C(ansible.builtin.copy) with C(content)) or a mail to read it as it is.
options:
  _input:
    description: The sessions or processes, a list of dicts.
    type: list
    elements: dict
    required: true
  columns:
    description:
      - The keys to show, in order; each heading is the key in capitals.
      - Default, the columns named above.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: List the sessions of the farm
  wtsadmin.rds.win_rds_session_info:
    server: [RDSH01, RDSH02]
  register: farm

- name: Keep a report of who is on the farm
  ansible.builtin.copy:
    content: "{{ farm.sessions | wtsadmin.rds.session_table }}\n"
    dest: "{{ playbook_dir }}/farm-sessions.txt"
    mode: "0644"
  delegate_to: localhost

- name: Show chosen columns on screen
  ansible.builtin.debug:
    msg: "{{ (farm.sessions | wtsadmin.rds.session_table(columns=['server', 'user', 'logon_time'])).split('\n') }}"
"""

RETURN = r"""
_value:
  description: The table, one line per session or process after a heading line, without a final newline.
  type: str
  sample: |-
    ID  USER                 CLIENT        STATE         IDLE
     2  CONTOSO\alice        LAPTOP-ALICE  active        0:02
     3  CONTOSO\bob          PC-BOB        disconnected  0:46
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.wtsadmin.rds.plugins.plugin_utils._table import render


def session_table(items, columns=None):
    if not isinstance(items, (list, tuple)) or not all(isinstance(item, dict) for item in items):
        raise AnsibleFilterError("session_table: give it a list of sessions or processes (for example "
                                 "result.sessions), not %s" % type(items).__name__)
    if columns is not None and (not isinstance(columns, (list, tuple)) or not all(isinstance(c, str) for c in columns)):
        raise AnsibleFilterError("session_table: columns must be a list of keys, for example ['user', 'state']")
    return render(items, columns)


class FilterModule:
    def filters(self):
        return {"session_table": session_table}
