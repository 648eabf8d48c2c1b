# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Which processes a task means; matches ``plugins/module_utils/_processes.py``'s ``process_selection_spec()``."""

    DOCUMENTATION = r"""
options:
  name:
    description:
      - Select processes by the name of their program, as Task Manager's C(Details) tab shows it.
      - The comparison ignores case, takes shell wildcards (C(*), C(?), C([abc])) and the C(.exe) suffix is
        optional on both sides, so V(notepad), V(NOTEPAD.EXE) and V(note*) all select C(notepad.exe).
    type: list
    elements: str
  pid:
    description:
      - Select processes by process ID.
    type: list
    elements: int
  session_id:
    description:
      - Select the processes running in these sessions (session 0 holds the services).
    type: list
    elements: int
  username:
    description:
      - Select the processes owned by these users.
      - Each item is C(DOMAIN\user), C(user@domain) or a bare C(user) (any domain), compared as for sessions
        (case-insensitive, shell wildcards); for example C(CONTOSO\alice), C(alice@CONTOSO),
        C(NT AUTHORITY\SYSTEM) or C(svc_*).
      - A process whose owner Windows cannot name (a deleted account) is matched by its SID string, for
        example C(S-1-5-21-1004336348-1177238915-682003330-1190).
    type: list
    elements: str
notes:
  - Every selection option given must match; within one list option, any item may match.
"""
