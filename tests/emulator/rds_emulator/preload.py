"""Start-up hook of the preloaded interpreter made by make_interpreter.py (run from a .pth file).

Installs the emulator from $RDS_EMULATOR_STATE (default: the path given by the .pth, created from
sample_state() if missing), appends one line per start to $RDS_EMULATOR_LOG if set, and at exit writes
this process's leaks and misuse and its call counters into the state file. Prints nothing.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import time

from . import install, state
from .sample import sample_state


_started = []


def start(default_state: str) -> None:
    """Runs once per interpreter, although site may read the .pth twice (venvs link lib64 to lib)."""
    if _started:
        return
    _started.append(True)
    path = os.environ.get("RDS_EMULATOR_STATE") or default_state
    os.environ["RDS_EMULATOR_STATE"] = path  # for the programs it starts (the emulated chglogon.exe)
    with state.file_lock(path) as lock:
        if not os.path.exists(path):
            state.save(path, sample_state(), lock)
    emulator = install(path)
    log = os.environ.get("RDS_EMULATOR_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"pid": os.getpid(), "time": time.time(), "state": path,
                                     "executable": sys.executable}) + "\n")
    atexit.register(emulator.record_problems, "pid %d" % os.getpid())
    atexit.register(emulator.save_counters)
