# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.wtsadmin.rds.plugins.plugin_utils._action import RdsModuleAction


class ActionModule(RdsModuleAction):
    """Runs the module of this file's name (plugins/modules/<the same name>.py) on the host: see _action.py."""
