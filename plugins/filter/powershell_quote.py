# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The filter wtsadmin.rds.powershell_quote: a value as a PowerShell single-quoted string literal, for roles that
# write PowerShell through Jinja (python_runtime). It is the collection's one quoting implementation,
# plugin_utils/_payload.py's, which also quotes the interpreter in the modules' remote command.

from ansible.errors import AnsibleFilterError

from ansible_collections.wtsadmin.rds.plugins.plugin_utils._payload import _powershell_quote


def powershell_quote(value):
    """``value`` (a string, or a number taken as its text) as a PowerShell single-quoted string literal."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise AnsibleFilterError("powershell_quote needs a string, not %s: %r" % (type(value).__name__, value))
    return _powershell_quote(str(value))


class FilterModule:
    def filters(self):
        return {"powershell_quote": powershell_quote}
