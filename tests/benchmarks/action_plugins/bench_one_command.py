# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark action plugin: runs one command on the host, as any action plugin that runs something must.

It sends ``stdin_bytes`` bytes on the command's stdin; the command prints the file ``reply`` (on the
controller, which is the host of a local connection), and the JSON object it prints is the task's result.
Given the sizes and the reply of a win_rds_session_info task, its worker's CPU is the floor of any action
plugin that runs that task on the host through the connection and returns its result, with none of the
collection's own work (validating the arguments, building the program, checking the result). Only for
tests/benchmarks/run.py.
"""

from __future__ import annotations

import json
import shlex

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    def run(self, tmp=None, task_vars=None):
        super().run(tmp, task_vars)
        done = self._low_level_execute_command("cat >/dev/null; cat %s" % shlex.quote(self._task.args["reply"]),
                                               sudoable=False, in_data=b"#" * int(self._task.args["stdin_bytes"]))
        return json.loads(done["stdout"])
