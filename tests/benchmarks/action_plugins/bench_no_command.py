# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark action plugin: returns at once, without running anything on the host.

Its worker's CPU is what Ansible spends on a host-task around any action plugin (templating and validating
the task, finding the plugins, setting up the connection, handling the result): the floor of the controller
measurement (tests/benchmarks/run.py's bench_controller). Only for tests/benchmarks/run.py.
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    def run(self, tmp=None, task_vars=None):
        super().run(tmp, task_vars)
        return {"changed": False}
