"""Runs ansible-playbook and records the controller CPU each host-task costs (benchmarks only).

    python controller_cpu.py LOG ansible-playbook-arguments...

Every forked worker (one per host-task) appends to LOG, when it is done: the task's name and the worker's
own CPU seconds (user + system, os.times() of the worker process itself: neither the processes it starts,
such as the connection's shell and the host's Python, nor the controller's main process).
"""

from __future__ import annotations

import json
import os
import sys

from ansible.executor.process.worker import WorkerProcess

LOG = sys.argv.pop(1)
_run = WorkerProcess.run


def run(self):
    try:
        return _run(self)
    finally:
        times = os.times()
        with open(LOG, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"task": self._task.get_name(), "cpu": times.user + times.system}) + "\n")


WorkerProcess.run = run

if __name__ == "__main__":
    from ansible.cli.playbook import main

    sys.argv[0] = "ansible-playbook"
    main()
