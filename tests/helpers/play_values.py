# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Values as ansible-core hands them over from a playbook, on every supported version (for the tests of what the
controller does with a task's arguments)."""

from __future__ import annotations


def from_a_play(value):
    """``value`` as Ansible hands it over from a playbook: tagged with its origin (2.19 and later), or, before
    2.19, text as AnsibleUnicode with its position in the file (other values were plain)."""
    try:
        from ansible.module_utils._internal._datatag import AnsibleTagHelper
        from ansible._internal._datatag._tags import Origin
    except ImportError:
        from ansible.parsing.yaml.objects import AnsibleUnicode

        if not isinstance(value, str):
            return value
        text = AnsibleUnicode(value)
        text.ansible_pos = ("/play.yml", 3, 7)
        return text
    return AnsibleTagHelper.tag(value, [Origin(path="/play.yml", line_num=3)])
