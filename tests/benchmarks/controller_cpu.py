"""Runs ansible-playbook and records the controller CPU each host-task costs (benchmarks only).

    python controller_cpu.py LOG ansible-playbook-arguments...

Every forked worker (one per host-task) appends to LOG, when it is done: the task's name and the worker's
own CPU seconds (user + system of the worker process itself, getrusage(RUSAGE_SELF): neither the processes
it starts, such as the connection's shell and the host's Python, nor the controller's main process), its minor
page faults (mostly copy-on-write of the heap it shares with the main process) and how many garbage collections
of each generation it made (a full one, generation 2, walks the whole inherited heap).
With BENCH_PROFILE=DIR, every worker also writes a cProfile of its run to DIR.
"""

from __future__ import annotations

import cProfile
import gc
import json
import os
import resource
import sys
import time

from ansible.executor.process.worker import WorkerProcess

LOG = sys.argv.pop(1)
_run = WorkerProcess.run


def run(self):
    collections = [generation["collections"] for generation in gc.get_stats()]
    profile = cProfile.Profile(time.process_time) if os.environ.get("BENCH_PROFILE") else None
    try:
        if profile:
            profile.enable()
        return _run(self)
    finally:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        with open(LOG, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({
                "task": self._task.get_name(), "cpu": usage.ru_utime + usage.ru_stime, "minflt": usage.ru_minflt,
                "gc": [generation["collections"] - before for generation, before in zip(gc.get_stats(), collections)],
            }) + "\n")
        if profile:
            profile.disable()
            profile.dump_stats(os.path.join(os.environ["BENCH_PROFILE"], "%s-%d.prof"
                                            % (self._task.get_name().split()[0], os.getpid())))


WorkerProcess.run = run

if __name__ == "__main__":
    from ansible.cli.playbook import main

    sys.argv[0] = "ansible-playbook"
    main()
