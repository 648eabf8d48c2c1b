# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test callback of tests/integration/test_examples.py: appends one JSON line per play start and per task result
to $RDS_EXAMPLE_RESULTS: the play, the task, the action, the status (ok, changed, failed, skipped,
unreachable), whether the failure was ignored, the warnings and deprecations, and the message of a failure."""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "example_results"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._play = None

    def _write(self, line):
        with open(os.environ["RDS_EXAMPLE_RESULTS"], "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")

    def v2_playbook_on_play_start(self, play):
        self._play = play.get_name()
        self._write({"play": self._play, "event": "start"})

    def _record(self, result, status, ignored=False):
        data = result._result
        self._write({"play": self._play, "event": "result", "task": result.task_name, "action": result._task.action,
                     "status": "changed" if status == "ok" and data.get("changed") else status,
                     "ignored": ignored, "check_mode": bool(result._task.check_mode),
                     "warnings": data.get("warnings") or [], "deprecations": data.get("deprecations") or [],
                     "msg": str(data.get("msg", ""))[:2000] if status in ("failed", "unreachable") else ""})

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed", ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")
