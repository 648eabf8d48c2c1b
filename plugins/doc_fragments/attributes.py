# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """What every module of the collection shares: its authors and its attributes (check mode, diff mode,
    platform, action group), as ansible.windows and community.docker keep them in an ``attributes`` fragment.

    A module extends ``wtsadmin.rds.attributes`` and gives only what differs (``details``, ``diff_mode``
    support); the module's own values win over the fragment's.
    """

    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: windows
  action_group:
    description: Use C(group/wtsadmin.rds.rds) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - wtsadmin.rds.rds
author:
  - wtsadmin.rds maintainers (@wtsadmin)
"""

    # For modules that only read (the *_info modules).
    READ_ONLY = r"""
options: {}
attributes:
  check_mode:
    details: The module only reads; it runs the same in check mode.
"""
