"""wtsadmin.rds benchmarks against the emulated RD Session Host; prints one table per measurement.

    bash scripts/benchmark.sh            # sets up .venv and the emulated host, then runs this
    python tests/benchmarks/run.py [--only NAME ...] [--repeat N]

Needs RDS_EMULATOR_PYTHON (the preloaded interpreter of tests/emulator/make_interpreter.py) and
ansible-playbook / ansible-inventory beside this Python. Not part of pass/fail: it always exits 0 unless a
run itself breaks. Everything runs on 127.0.0.1 in a temporary directory. docs/performance.md explains the
figures and records them.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import base64
import contextlib
import datetime
import json
import os
import platform
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# BENCH_COLLECTIONS: another build of the collection to measure (e.g. an older commit, for before/after figures).
COLLECTIONS = Path(os.environ.get("BENCH_COLLECTIONS") or ROOT / ".build" / "collections")
sys.path[:0] = [str(ROOT / "tests" / "emulator"), str(ROOT / "tests" / "wsman"), str(COLLECTIONS)]

import _farm  # noqa: E402
import rds_emulator  # noqa: E402
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator  # noqa: E402

COLLECTION = "ansible_collections.wtsadmin.rds.plugins"
BIN = Path(sys.executable).parent
PAYLOAD_LIMIT = 64 * 1024
HOSTS = (1, 50, 200)  # inventory sizes of the controller measurement (--hosts)

# One task of every module, each one that succeeds on the sample farm (tests/emulator/rds_emulator/sample.py).
MODULE_TASKS = [
    ("win_rds_session_info", {}),
    ("win_rds_virtual_channel", {"session_id": 2, "name": "ECHO", "data": "ping"}),
    ("win_rds_session", {"session_id": 2, "state": "disconnected"}),
    ("win_rds_message", {"msg": "Maintenance tonight at 20:00."}),
    ("win_rds_process_info", {}),
    ("win_rds_process", {"session_id": 3, "state": "absent"}),
    ("win_rds_wait", {"until": "no_user_sessions", "username": "CONTOSO\\nobody", "timeout": 5}),
    ("win_rds_server_info", {}),
    ("win_rds_server", {"state": "logged_off"}),
]

# Records, per Python start, its time and the bytes it got on stdin, then runs the emulated host's Python.
STDIN_METER = """#!/bin/sh
f="$(mktemp)"
cat > "$f"
printf '%s %s\\n' "$(date +%s.%N)" "$(wc -c < "$f")" >> "$BENCH_STDIN_LOG"
exec 3< "$f"
rm -f "$f"
exec "$RDS_EMULATOR_PYTHON" "$@" <&3 3<&-
"""


# --- running Ansible against the emulated host ------------------------------------------------------------

class Workspace:
    """A temporary directory with an inventory of the emulated host and what the runs write."""

    def __init__(self, directory: Path, interpreter: str):
        self.dir = directory
        self.interpreter = interpreter
        self.runs = 0

    def env(self, state_file: Path, **extra) -> dict:
        env = dict(os.environ)
        env.update(
            ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
            ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"),
            ANSIBLE_CALLBACKS_ENABLED="bench_task_times",
            ANSIBLE_ACTION_PLUGINS=str(HERE / "action_plugins"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_DEPRECATION_WARNINGS="0",
            ANSIBLE_LOCAL_TEMP=str(self.dir / "local-tmp"),
            ANSIBLE_REMOTE_TEMP=str(self.dir / "remote-tmp"),
            RDS_EMULATOR_STATE=str(state_file),
            RDS_EMULATOR_PYTHON=self.interpreter,
        )
        env.update(extra)
        return env

    def playbook(self, state: dict, tasks: list, interpreter: str | None = None, verbose: bool = False,
                 hosts: int = 1, forks: int = 5, timeout: int = 300):
        """Run ``tasks`` (dicts) as one play against the emulated host holding ``state``.

        ``hosts``: how many inventory hosts (all the same emulated host). Returns the per-task records of the
        bench_task_times callback, ansible-playbook's stdout and the run's directory (which holds the stdin
        meter's log and controller_cpu.py's log, cpu.jsonl).
        """
        self.runs += 1
        run = self.dir / ("run%02d" % self.runs)
        run.mkdir()
        state_file = run / "state.json"
        state_file.write_text(json.dumps(state))
        names = ["rdsh01"] if hosts == 1 else ["rdsh%03d" % number for number in range(1, hosts + 1)]
        inventory = {"all": {"hosts": {name: None for name in names},
                             "vars": {"ansible_connection": "local",
                                      "ansible_python_interpreter": interpreter or self.interpreter}}}
        (run / "inventory.json").write_text(json.dumps(inventory))
        warm_up = {"name": "warm-up", "ansible.builtin.ping": {}}  # the first task of a run pays for start-up
        play = [{"name": "benchmark", "hosts": "all", "gather_facts": False, "tasks": [warm_up] + tasks}]
        (run / "play.json").write_text(json.dumps(play))
        times = run / "times.jsonl"
        command = [sys.executable, str(HERE / "controller_cpu.py"), str(run / "cpu.jsonl"),
                   "-i", str(run / "inventory.json"), "--forks", str(forks), str(run / "play.json")]
        if verbose:
            command.append("-vvv")
        env = self.env(state_file, BENCH_TASK_TIMES=str(times), BENCH_STDIN_LOG=str(run / "stdin.log"))
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise RuntimeError("ansible-playbook failed:\n%s\n%s" % (done.stdout[-4000:], done.stderr[-2000:]))
        records = [json.loads(line) for line in times.read_text().splitlines()]
        return records, done.stdout, run


def task(module: str, args: dict, name: str | None = None) -> dict:
    return {"name": name or module, "wtsadmin.rds." + module: args}


def durations(records: list, prefix: str) -> list:
    return [r["end"] - r["start"] for r in records if r["task"].startswith(prefix)]


def validated(module: str, args: dict) -> dict:
    """The parameters the controller sends for a task of ``module`` with ``args`` (defaults filled in)."""
    spec = __import__("%s.modules.%s" % (COLLECTION, module), fromlist=["module_args"]).module_args()
    keys = ("mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by")
    result = ArgumentSpecValidator(spec["argument_spec"], **{k: spec.get(k) for k in keys}).validate(args)
    if result.errors.errors:
        raise ValueError("%s %s: %s" % (module, args, result.errors.errors))
    return result.validated_parameters


# --- the measurements -----------------------------------------------------------------------------------

def bench_commands(ws: Workspace, repeat: int):
    """Remote commands and bytes sent per task, for every module (targets: 1 command, payload <= 64 KiB)."""
    meter = ws.dir / "stdin-meter"
    meter.write_text(STDIN_METER)
    meter.chmod(0o755)
    tasks = [task(module, args) for module, args in MODULE_TASKS]
    records, stdout, run = ws.playbook(rds_emulator.sample_state(), tasks, interpreter=str(meter), verbose=True)
    commands, current = {}, None
    for line in stdout.splitlines():
        if line.startswith("TASK ["):
            current = line[len("TASK ["):line.index("]")]
            commands[current] = []
        elif current and "> EXEC " in line:
            commands[current].append(len(line.split("> EXEC ", 1)[1]))
    starts = [line.split() for line in (run / "stdin.log").read_text().splitlines()]
    rows = []
    for record in records[1:]:  # after the warm-up
        sent = [int(size) for at, size in starts if record["start"] <= float(at) <= record["end"]]
        command_lines = commands[record["task"]]
        rows.append([record["task"], record["status"], len(command_lines), len(sent), sum(sent),
                     "%.1f" % (100.0 * sum(sent) / PAYLOAD_LIMIT), max(command_lines)])
    return ["task", "result", "remote commands", "Python starts", "stdin bytes", "% of 64 KiB",
            "command line bytes"], rows


def bench_calls_per_session(ws: Workspace, repeat: int):
    """WTS calls per session of win_rds_session_info at 10/100/1000 sessions (in-memory emulator state)."""
    params = validated("win_rds_session_info", {})
    emulator = rds_emulator.install(_farm.host_with_sessions(0))
    rows = []
    try:
        for count in (10, 100, 1000):
            emulator.replace_state(_farm.host_with_sessions(count))
            started = time.process_time()
            results = _report_sessions(params)
            elapsed = time.process_time() - started
            calls = emulator.calls
            emulator.assert_clean()
            listed = len(results[0]["sessions"])
            queries = calls["WTSQuerySessionInformationW"]
            enumerations = calls["WTSEnumerateSessionsExW"]
            frees = calls["WTSFreeMemory"] + calls["WTSFreeMemoryExW"]
            rows.append([count, listed, enumerations, queries, "%.2f" % (queries / listed), frees,
                         sum(calls.values()) - enumerations - queries - frees, "%.1f" % (elapsed * 1000)])
    finally:
        rds_emulator.uninstall()
    return ["user sessions", "listed", "enumerations", "queries", "queries/session", "frees (local)",
            "other calls", "in-process ms CPU"], rows


LATENCY_SECONDS = 0.002  # round_trips: what each call with a remote server handle waits, as a network round trip


def bench_round_trips(ws: Workspace, repeat: int):
    """Round trips in series per remote server of win_rds_session_info (10, 100, 1000 sessions): one thread, four."""
    from ansible_collections.wtsadmin.rds.plugins.module_utils._selection import SessionSelection
    from ansible_collections.wtsadmin.rds.plugins.module_utils._sessions import list_sessions
    from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import open_server

    params = validated("win_rds_session_info", {"server": "RDSF001"})
    emulator = rds_emulator.install(_farm.farm(1, 0)[0])
    rows = []
    try:
        for count in (10, 100, 1000):
            state, [server] = _farm.farm(1, count)
            for way in ("one thread (before)", "overlapped (now)"):
                emulator.replace_state(state)
                emulator.reset_counters()
                emulator.set_latency(server, LATENCY_SECONDS)
                opened = len(emulator.handle_calls())
                started = time.perf_counter()
                if way.startswith("one"):
                    with open_server(server) as handle:
                        listed = len(list_sessions(handle, server, SessionSelection.from_params(params))[0])
                else:
                    listed = len(_report_sessions(params)[0]["sessions"])
                elapsed = time.perf_counter() - started
                emulator.assert_clean()
                handles = emulator.handle_calls()[opened:]
                calls = emulator.calls
                rows.append([count, listed, way, len(handles), emulator.max_concurrent_calls(server),
                             calls["WTSEnumerateSessionsExW"] + calls["WTSQuerySessionInformationW"]
                             + calls["NetServerGetInfo"], _in_series(handles, calls), "%.2f" % elapsed])
    finally:
        rds_emulator.uninstall()
    return ["user sessions", "listed", "queries made by", "server handles", "most calls at once", "round trips",
            "round trips in series", "s with %g ms per call" % (LATENCY_SECONDS * 1000)], rows


def _in_series(handles: list, calls) -> int:
    """The round trips one after another on the longest path of a listing: the enumeration and the first
    session's three queries (on the server's own handle, before any helper starts), then the most queries any
    one handle made after those, then NetServerGetInfo (after every query). WTSCloseServer and the frees are
    not counted (docs/performance.md)."""
    own, *helpers = [entry["calls"] - 1 for entry in handles]  # each handle's calls but its WTSCloseServer
    return 1 + 3 + max([own - 1 - 3] + helpers) + calls["NetServerGetInfo"]


def bench_emulator_cost(ws: Workspace, repeat: int):
    """What one emulated call costs: in memory, and with the state in a file (the same at any farm size)."""
    params = validated("win_rds_session_info", {})
    rows = []
    try:
        for count in (10, 100, 1000):
            state = _farm.host_with_sessions(count)
            state_file = ws.dir / ("cost-%d.json" % count)
            state_file.write_text(json.dumps(state))
            for mode, source in (("memory", state), ("file", str(state_file))):
                emulator = rds_emulator.install(source)
                _report_sessions(params)  # the first call loads the DLLs
                emulator.reset_counters()
                started = time.process_time()
                _report_sessions(params)
                elapsed = time.process_time() - started
                calls = sum(emulator.calls.values())
                rows.append([count, mode, state_file.stat().st_size // 1024, calls,
                             "%.3f" % (elapsed * 1000 / calls)])
    finally:
        rds_emulator.uninstall()
    return ["user sessions", "state", "state file KiB", "calls", "ms CPU per call"], rows


def bench_ratio(ws: Workspace, repeat: int):
    """Wall time per task: win_rds_session_info against ansible.builtin.ping, same host, same run."""
    tasks = []
    for number in range(4 * repeat):
        tasks.append({"name": "ping %d" % number, "ansible.builtin.ping": {}})
        tasks.append(task("win_rds_session_info", {}, "session_info %d" % number))
    records, _stdout, run = ws.playbook(rds_emulator.sample_state(), tasks)
    ping, info = statistics.median(durations(records, "ping ")), statistics.median(durations(records, "session_info "))
    # The share of the emulator: the module's WTS work on the same farm, in this process, with a state file.
    state_file = run / "emulated-calls.json"
    state_file.write_text(json.dumps(rds_emulator.sample_state()))
    rds_emulator.install(str(state_file))
    try:
        params = validated("win_rds_session_info", {})
        emulated = statistics.median(_seconds(_report_sessions, params) for _run in range(4 * repeat))
    finally:
        rds_emulator.uninstall()
    return ["ansible.builtin.ping s", "win_rds_session_info s", "ratio", "of which emulated WTS calls s",
            "ratio without them"], [["%.3f" % ping, "%.3f" % info, "%.2f" % (info / ping), "%.3f" % emulated,
                                     "%.2f" % ((info - emulated) / ping)]]


def session_info_program() -> bytes:
    """What a win_rds_session_info task without arguments sends to the host: its payload and task, as a program."""
    from ansible_collections.wtsadmin.rds.plugins.plugin_utils import _payload

    return _payload.program(_payload.module_payload(COLLECTION + ".modules.win_rds_session_info"),
                            _payload.task_message(validated("win_rds_session_info", {})))


def bench_controller(ws: Workspace, repeat: int):
    """Controller CPU per host-task: win_rds_session_info against ansible.builtin.ping, same run (goal <= 0.6).

    Two more tasks are not part of the ratio. An action plugin that runs nothing on the host
    (action_plugins/bench_no_command.py) shows what Ansible spends on any host-task (its floor); one that runs one
    command through the connection, with a win_rds_session_info task's bytes on stdin and its reply as the result
    (action_plugins/bench_one_command.py), shows the floor of any action plugin that runs that task on the host:
    what is above it is the collection's own work."""
    program = session_info_program()
    state_file = ws.dir / "controller-reply.json"
    state_file.write_text(json.dumps(rds_emulator.sample_state()))
    reply = ws.dir / "controller-reply.txt"  # what a win_rds_session_info task prints, for the one-command action
    reply.write_bytes(subprocess.run([ws.interpreter, "-E", "-s", "-"], input=program, capture_output=True,
                                     check=True, env=dict(os.environ, RDS_EMULATOR_STATE=str(state_file))).stdout)
    one_command = {"stdin_bytes": len(program), "reply": str(reply)}
    rows = []
    for hosts in HOSTS:
        rounds = 4 * repeat if hosts == 1 else repeat if hosts < 200 else 1
        tasks = []
        for number in range(rounds):
            tasks.append({"name": "ping %d" % number, "ansible.builtin.ping": {}})
            tasks.append(task("win_rds_session_info", {}, "session_info %d" % number))
            tasks.append({"name": "no_command %d" % number, "bench_no_command": {}})
            tasks.append({"name": "one_command %d" % number, "bench_one_command": one_command})
        _records, _stdout, run = ws.playbook(rds_emulator.sample_state(), tasks, hosts=hosts, forks=10, timeout=3600)
        cpu = [json.loads(line) for line in (run / "cpu.jsonl").read_text().splitlines()]
        ping = [r["cpu"] * 1000 for r in cpu if r["task"].startswith("ping ")]
        info = [r["cpu"] * 1000 for r in cpu if r["task"].startswith("session_info ")]
        floor = [r["cpu"] * 1000 for r in cpu if r["task"].startswith("no_command ")]
        one = [r["cpu"] * 1000 for r in cpu if r["task"].startswith("one_command ")]
        full_gc = ["%d" % sum(1 for r in cpu if r["task"].startswith(prefix) and r["gc"][2])
                   for prefix in ("ping ", "session_info ")]
        rows.append([hosts, len(info), "%.1f / %.1f" % (statistics.mean(ping), statistics.median(ping)),
                     "%.1f / %.1f" % (statistics.mean(info), statistics.median(info)), "%.1f" % max(info),
                     " / ".join(full_gc),
                     "%.1f / %.2f" % (statistics.median(floor), statistics.median(floor) / statistics.median(ping)),
                     "%.1f / %.2f" % (statistics.median(one), statistics.median(one) / statistics.median(ping)),
                     "%.1f" % (statistics.median(info) - statistics.median(one)),
                     "**%.2f** / %.2f" % (statistics.mean(info) / statistics.mean(ping),
                                          statistics.median(info) / statistics.median(ping))])
    return ["hosts", "host-tasks of each", "ping ms CPU (mean / median)", "session_info ms CPU (mean / median)",
            "session_info max ms", "workers with a full GC (ping / session_info)",
            "no-command action: median ms / against ping",
            "one-command action (%d bytes in, %d out): median ms / against ping" % (len(program), reply.stat().st_size),
            "session_info above one-command: median ms", "ratio (mean / median)"], rows


# Runs the host program on stdin as `python -E -s -` does, then writes to stderr, after the program's JSON
# is printed, the CPU seconds of the program itself (time.process_time: every thread of this process, from
# before stdin is read to the exit) and of the emulated calls within it (the emulated DLL functions' own time,
# time.thread_time of the thread that calls, outermost calls only): Python's start-up, with the emulator
# that the emulated host's Python loads at start, is outside both, so nothing noisy has to be subtracted. The
# program's text is exec'd as Python reads stdin, not compile()d: the first compile() call of a process sets up
# the ast types (about 2 ms), which would then be missing from the program's own figure.
HOST_METER = r'''
import sys, threading, time
started = time.process_time()
from rds_emulator import dll
emulated, lock, calling, call = [0.0], threading.Lock(), threading.local(), dll.Function.__call__
def timed(self, *args):
    if getattr(calling, "now", False):
        return call(self, *args)
    calling.now, began = True, time.thread_time()
    try:
        return call(self, *args)
    finally:
        spent, calling.now = time.thread_time() - began, False
        with lock:
            emulated[0] += spent
dll.Function.__call__ = timed
code = 0
try:
    exec(sys.stdin.read(), {"__name__": "__main__", "__builtins__": __builtins__})
except SystemExit as exc:
    code = exc.code
sys.stderr.write("\nhost meter: %.6f %.6f\n" % (time.process_time() - started, emulated[0]))
sys.exit(code)
'''
HOST_KINDS = (("bare", "bare `python -E -s -c pass` (the emulated host's Python: the emulator loads at start)"),
              ("source", "compiled from source (no bytecode cache possible)"),
              ("cold", "bytecode cache empty (compiled and stored)"),
              ("warm", "bytecode cache filled (loaded)"),
              ("stdlib", "the standard-library modules the program imports at start that the emulated host's Python "
                         "has loaded before it starts, imported in a plain Python of the same version"))


def bench_host(ws: Workspace, repeat: int):
    """Host-side CPU of win_rds_session_info's program, the collection's own (goal: filled cache <= half of source)."""
    program = session_info_program()
    state_file = ws.dir / "host-cost.json"
    state_file.write_text(json.dumps(rds_emulator.sample_state()))
    no_cache = ws.dir / "home-without-cache"  # a file: the cache directory cannot be made under it
    no_cache.write_text("")
    warm = ws.dir / "home-warm"
    plain, preloaded = subprocess.run(
        [ws.interpreter, "-E", "-s", "-c", "import sys; print(sys._base_executable); print(' '.join(sys.modules))"],
        env=dict(os.environ, RDS_EMULATOR_STATE=str(state_file)), capture_output=True, text=True,
        check=True).stdout.splitlines()
    hidden = [name for name in _standard_imports(program) if name in preloaded.split()]  # the others count above
    imports = "import time; started = time.process_time(); import %s; print(time.process_time() - started)" % (
        ", ".join(hidden))

    def child(kind, number):
        """One child: (CPU s of the whole process, of the program, of its emulated calls); None for the last two
        for a bare start; for ``stdlib``, the CPU s of the imports."""
        if kind == "stdlib":
            done = subprocess.run([plain, "-I", "-c", imports], capture_output=True, text=True, check=True)
            return float(done.stdout), None, None
        home = {"source": no_cache, "warm": warm, "cold": ws.dir / ("home-cold-%d" % number)}.get(kind, ws.dir)
        env = dict(os.environ, RDS_EMULATOR_STATE=str(state_file), HOME=str(home))
        arguments = ["-c", "pass"] if kind == "bare" else ["-c", HOST_METER]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run([ws.interpreter, "-E", "-s"] + arguments, input=None if kind == "bare" else program,
                              env=env, capture_output=True, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        whole = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        if kind == "bare":
            return whole, None, None
        meter = done.stderr.decode("utf-8", "replace").rpartition("\nhost meter: ")[2].split()
        if done.returncode != 0 or len(meter) != 2 or not done.stdout.startswith(b'{"'):
            raise RuntimeError("the host program failed: %r %r" % (done.stdout[-2000:], done.stderr[-2000:]))
        return whole, float(meter[0]), float(meter[1])

    child("warm", 0)  # fills the warm cache
    rounds = 8 * repeat  # about 100 children: 20-30 s on an idle machine
    figures = {kind: [] for kind, _label in HOST_KINDS}
    for number in range(rounds):  # the kinds interleaved, in a rotating order: load changes hit every kind alike
        kinds = [kind for kind, _label in HOST_KINDS]
        for kind in kinds[number % len(kinds):] + kinds[:number % len(kinds)]:
            figures[kind].append(child(kind, number))
    own = {kind: [program_s - emulated_s for _whole, program_s, emulated_s in figures[kind]]
           for kind in figures if kind not in ("bare", "stdlib")}
    rows = []
    for kind, label in HOST_KINDS:
        wholes = [whole for whole, _program, _emulated in figures[kind]]
        if kind == "bare":
            rows.append([label, _spread(wholes), "", "", "", ""])
            continue
        if kind == "stdlib":  # a real host pays them in every task: the ratio with them added to both
            extra = statistics.median(wholes)
            rows.append([label + " (%s)" % ", ".join(hidden), "", "", "", _spread(wholes),
                         "filled cache with them: **%.2f**" % (
                             (statistics.median(own["warm"]) + extra) / (statistics.median(own["source"]) + extra))])
            continue
        ratio = "**%.2f**" % (statistics.median(own[kind]) / statistics.median(own["source"]))
        if kind != "source":  # and the ratio within each round, where both saw the same load
            per_round = [mine / source for mine, source in zip(own[kind], own["source"])]
            ratio += "; per round %s" % _spread(per_round, 1, "%.2f")
        rows.append([label, _spread(wholes), _spread([program_s for _whole, program_s, _emulated in figures[kind]]),
                     _spread([emulated_s for _whole, _program, emulated_s in figures[kind]]), _spread(own[kind]),
                     ratio])
    return ["host process (%d rounds, kinds interleaved)" % rounds, "whole process ms CPU",
            "program ms CPU (in the child)", "of which emulated calls ms", "collection's own ms",
            "against compiled from source (medians)"], rows


def _standard_imports(program: bytes) -> list[str]:
    """The standard-library modules ``program`` imports as it starts: the bootstrap's, and those its payload's
    sources import outside functions."""
    text = program.decode("ascii")
    sources = json.loads(zlib.decompress(base64.b64decode(text.split('"""')[1])))["sources"]
    names = {name.strip() for line in re.findall(r"^ *import (.+)$", text.split('"""')[0], re.MULTILINE)
             for name in line.split(",")}  # the bootstrap's
    for source in sources.values():
        pending = list(ast.parse(source).body)
        while pending:
            node = pending.pop()
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names.add(node.module)
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                pending.extend(ast.iter_child_nodes(node))
    return sorted(name for name in names if not name.startswith(("ansible", "__future__")))


def _spread(values, scale=1000, form="%.1f"):
    """The median of ``values`` and its quartiles, as ``median (q1-q3)``, each times ``scale``."""
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return ("%s (%s–%s)" % (form, form, form)) % (median * scale, q1 * scale, q3 * scale)


def bench_host_windows(ws: Workspace, repeat: int):
    """Host side on Windows: the bytecode cache's ACL checks for win_rds_session_info, in-process against the emulated host."""
    from ansible_collections.wtsadmin.rds.plugins.module_utils import _runner
    from ansible_collections.wtsadmin.rds.plugins.plugin_utils import _payload

    packed = _payload.module_payload(COLLECTION + ".modules.win_rds_session_info")
    payload = json.loads(zlib.decompress(base64.b64decode(packed)).decode("utf-8"))
    # What the runner compiles per task: the module and its module_utils (the bootstrap compiles the runner, and
    # _cache_acl is compiled from source before the cache can be trusted).
    sources = {name.replace(".", "/") + ".py": text for name, text in payload["sources"].items()
               if name not in (_payload.RUNNER, _payload.CACHE_ACL)}
    state = rds_emulator.sample_state()
    users = ws.dir / "windows" / "Users"
    local = users / "svc-ansible" / "AppData" / "Local"
    local.mkdir(parents=True)

    def task(cache):
        started = time.process_time()
        for filename, text in sources.items():
            cache.compile(text, filename)
        return time.process_time() - started

    emu = rds_emulator.install(state)
    saved = sys.modules.get("msvcrt")
    sys.modules["msvcrt"] = rds_emulator.security.MSVCRT  # the emulated C runtime, for this measurement only
    try:
        system, admins = rds_emulator.security.SYSTEM, rds_emulator.security.ADMINISTRATORS
        inherit = rds_emulator.security.INHERIT
        emu.set_security(users, owner=system, dacl=[rds_emulator.security.ace(system, flags=inherit),
                                                    rds_emulator.security.ace(admins, flags=inherit),
                                                    rds_emulator.security.ace("S-1-5-32-545", 0x1200A9)])
        emu.set_security(users / "svc-ansible",
                         **rds_emulator.security.profile_descriptor(rds_emulator.security.token_user(state)))
        rounds = 5 * repeat
        task(_runner.BytecodeCache.open(str(local), windows=True))  # fills the Windows cache
        task(_runner.BytecodeCache.open(str(local / "home"), windows=False))  # and the POSIX one
        emu.reset_counters()
        task(_runner.BytecodeCache.open(str(local), windows=True))
        calls = dict(emu.calls)
        figures = {
            "source": [task(_runner.BytecodeCache()) for _round in range(rounds)],
            "posix": [task(_runner.BytecodeCache.open(str(local / "home"), windows=False)) for _round in range(rounds)],
            "windows": [task(_runner.BytecodeCache.open(str(local), windows=True)) for _round in range(rounds)],
            "checks": [],
        }
        for _round in range(rounds):  # the checks' own module, compiled from source in every task on Windows
            started = time.process_time()
            compile(payload["sources"][_payload.CACHE_ACL], "_cache_acl.py", "exec")
            figures["checks"].append(time.process_time() - started)
        emu.assert_clean()
    finally:
        if saved is None:
            sys.modules.pop("msvcrt", None)
        else:
            sys.modules["msvcrt"] = saved
        rds_emulator.uninstall()
    directories = len(local.parts) + 2  # the root, each directory down to %LOCALAPPDATA%, and the two of the cache
    source = statistics.median(figures["source"])
    rows = []
    for name, label in (("source", "compiled from source (%d sources)" % len(sources)),
                        ("posix", "POSIX cache filled (owner and mode checks)"),
                        ("windows", "Windows cache filled (ACL checks; emulated calls)"),
                        ("checks", "compiling _cache_acl itself (every task on Windows)")):
        rows.append([label, "%.1f" % (statistics.median(figures[name]) * 1000),
                     "**%.2f**" % (statistics.median(figures[name]) / source), ""])
    rows.append(["Windows calls per task (%d directories checked here; C:\\Users\\<user>\\AppData\\Local: 7)"
                 % directories, "", "", ", ".join("%s %d" % item for item in sorted(calls.items()))])
    rows.append(["Windows calls per task, in all", "", "", str(sum(calls.values()))])
    return ["runner compiles one task's sources", "ms CPU (median, in-process)", "vs compiled from source",
            "calls"], rows


PS_MODULE = """#!powershell
#AnsibleRequires -CSharpUtil Ansible.Basic
$module = [Ansible.Basic.AnsibleModule]::Create($args, @{ options = @{} })
$module.ExitJson()
"""


def bench_wire(ws: Workspace, repeat: int):
    """Bytes per task: win_rds_session_info against a PowerShell module (WinRM) and AnsiballZ ping, same run."""
    from wsman_loopback import LoopbackWsman

    library = ws.dir / "library"
    library.mkdir(exist_ok=True)
    (library / "win_bench_probe.ps1").write_text(PS_MODULE)
    rows = []
    for label, action in (("win_rds_session_info (Python on the host)", {"wtsadmin.rds.win_rds_session_info": {}}),
                          ("PowerShell module with Ansible.Basic (ansible.windows style)", {"win_bench_probe": {}})):
        with LoopbackWsman("bench", "Passw0rd!") as wsman:
            host = {"ansible_host": "127.0.0.1", "ansible_port": wsman.port, "ansible_connection": "winrm",
                    "ansible_winrm_transport": "basic", "ansible_winrm_scheme": "http", "ansible_user": "bench",
                    "ansible_password": "Passw0rd!", "ansible_python_interpreter": "C:\\Python311\\python.exe"}
            run = ws.dir / ("wire-%d" % len(rows))
            run.mkdir()
            (run / "inventory.json").write_text(json.dumps({"all": {"hosts": {"win": host}}}))
            play = [{"hosts": "all", "gather_facts": False, "tasks": [dict(action, ignore_errors=True)]}]
            (run / "play.json").write_text(json.dumps(play))
            env = dict(ws.env(run / "unused.json"), ANSIBLE_LIBRARY=str(library))
            subprocess.run([str(BIN / "ansible-playbook"), "-i", str(run / "inventory.json"), str(run / "play.json")],
                           env=env, capture_output=True, text=True, timeout=600, check=False)
            operations = [name for name, _size in wsman.requests]
            command_bytes = sum(len(c) + sum(len(a) for a in args) for c, args in wsman.command_parts)
            rows.append([label, len(wsman.command_parts), len(operations), command_bytes,
                         sum(size for _name, size in wsman.requests)])
    # AnsiballZ ping: the file Ansible copies to the host (local connection, kept with ANSIBLE_KEEP_REMOTE_FILES).
    os.environ["ANSIBLE_KEEP_REMOTE_FILES"] = "1"
    try:
        ws.playbook(rds_emulator.sample_state(), [{"name": "ping", "ansible.builtin.ping": {}}])
    finally:
        del os.environ["ANSIBLE_KEEP_REMOTE_FILES"]
    zips = sorted((ws.dir / "remote-tmp").rglob("AnsiballZ_ping.py"))
    rows.append(["ansible.builtin.ping (AnsiballZ file, local connection)", "", "", "",
                 zips[-1].stat().st_size if zips else "not found"])
    return ["task", "WinRM commands", "WS-Man requests", "command line bytes", "request bytes (SOAP bodies)"], rows


def bench_message_wait(ws: Workspace, repeat: int):
    """win_rds_message with wait to 1/10/100 sessions whose answers come after 2 s."""
    args = {"msg": "Save your work: maintenance at 20:00.", "buttons": "yes_no", "wait": True, "timeout": 30}
    params = validated("win_rds_message", args)
    listing = validated("win_rds_session_info", {"session_state": ["active"], "username": ["*"]})
    rows = []
    for count in (1, 10, 100):
        state = _farm.host_with_sessions(count, message_delay_seconds=2.0)
        records, _stdout, _run = ws.playbook(state, [task("win_rds_message", args, "message %d" % n)
                                                     for n in range(repeat)])
        emulator = rds_emulator.install(state)
        try:
            listed = _seconds(_report_sessions, listing)
            whole = _seconds(_send_messages, params)
            answers = {session["answer"] for session in _send_messages(params)[0]["sessions"]}
        finally:
            rds_emulator.uninstall()
        rows.append([count, ",".join(sorted(answers)), "%.2f" % statistics.median(durations(records, "message ")),
                     "%.2f" % whole, "%.2f" % listed, "%.2f" % (whole - listed)])
    return ["sessions", "answers", "task s (playbook, state file)", "module s (in memory)",
            "of which listing s", "of which messaging s"], rows


def _report_sessions(params):
    """win_rds_session_info's work on the validated ``params``, unpacked as its main() does."""
    from ansible_collections.wtsadmin.rds.plugins.module_utils._selection import SessionSelection
    from ansible_collections.wtsadmin.rds.plugins.module_utils._sessions import report_sessions

    return report_sessions(params["server"], SessionSelection.from_params(params))


def _send_messages(params):
    """win_rds_message's work on the validated ``params``, unpacked as its main() does."""
    from ansible_collections.wtsadmin.rds.plugins.module_utils._messages import message_selection, send_messages

    return send_messages(params["server"], message_selection(params), params["msg"], params["title"], params["buttons"],
                         params["icon"], params["default_button"], params["timeout"], params["wait"], False)


def _seconds(function, *args, **kwargs) -> float:
    started = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - started


def bench_fanout(ws: Workspace, repeat: int):
    """Fan-out from one host over 1/10/50 emulated servers (2 user sessions each)."""
    state, names = _farm.farm(50, 2)
    counts = (1, 10, 50)
    tasks = [task("win_rds_session_info", {"server": names[:count]}, "fanout %d servers" % count) for count in counts]
    records, _stdout, _run = ws.playbook(state, tasks)
    latency_state, _names = _farm.farm(50, 1)
    for server in latency_state["servers"].values():
        for session in server["sessions"]:
            session["message_delay_seconds"] = 1.0
    rows = []
    try:
        for count in counts:
            emulator = rds_emulator.install(state)
            params = validated("win_rds_session_info", {"server": names[:count]})
            in_memory = _seconds(_report_sessions, params)
            emulator.reset_counters()
            results = _report_sessions(params)
            assert len(results) == count and not any(entry["failed"] for entry in results)
            calls = sum(emulator.calls.values())
            rds_emulator.install(latency_state)
            message = validated("win_rds_message", {"server": names[:count], "msg": "Hello", "wait": True,
                                                    "timeout": 30})
            rows.append([count, calls, "%.2f" % statistics.median(durations(records, "fanout %d servers" % count)),
                         "%.2f" % in_memory, "%.2f" % _seconds(_send_messages, message)])
    finally:
        rds_emulator.uninstall()
    return ["servers", "emulated calls", "session_info task s (playbook, state file)",
            "session_info module s (in memory)", "message+wait module s (1 s answers, in memory)"], rows


def bench_inventory(ws: Workspace, repeat: int):
    """rds_servers with 10,000 NetServerEnum entries through the loopback WinRM endpoint: cold and cached."""
    from wsman_loopback import LoopbackWsman

    entries = 10000
    state_file = ws.dir / "browser-state.json"
    state_file.write_text(json.dumps(_farm.browser_list(entries)))
    config = ws.dir / "bench.rds_servers.yml"
    config.write_text("plugin: wtsadmin.rds.rds_servers\ndiscovery_host: 127.0.0.1\nscheme: http\n"
                      "transport: basic\ndomain: CONTOSO\ncache: true\ncache_plugin: ansible.builtin.jsonfile\n"
                      "cache_timeout: 3600\n")
    static = ws.dir / "static.yml"  # the same hosts with the same variables, as a plain YAML inventory
    static.write_text(json.dumps({"all": {"hosts": {
        "rdsh%05d" % n: {"rds_source": "netserverenum", "rds_platform": "nt", "rds_version": "10.0",
                         "rds_server_types": ["terminal_server"], "rds_comment": "Session host %d" % n}
        for n in range(1, entries + 1)}}}))
    password = "Bench-Pa55!"
    previous = os.environ.get("RDS_EMULATOR_STATE")
    os.environ["RDS_EMULATOR_STATE"] = str(state_file)  # the endpoint's commands inherit it
    try:
        with LoopbackWsman("rdsadmin", password) as wsman:
            env = ws.env(state_file, WTSADMIN_RDS_WINRM_PORT=str(wsman.port), WTSADMIN_RDS_USERNAME="rdsadmin",
                         WTSADMIN_RDS_PASSWORD=password, WTSADMIN_RDS_PYTHON_INTERPRETER=ws.interpreter,
                         ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED="true",
                         ANSIBLE_INVENTORY_CACHE_CONNECTION=str(ws.dir / "inventory-cache"))

            def graph(source, *extra):
                """Seconds for ``ansible-inventory -i source --graph``, the hosts it shows and the WinRM commands."""
                before = len(wsman.commands)
                started = time.perf_counter()
                done = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(source), "--graph", *extra],
                                      env=env, capture_output=True, text=True, timeout=300, check=False)
                elapsed = time.perf_counter() - started
                if done.returncode != 0:
                    raise RuntimeError("ansible-inventory failed:\n%s" % done.stderr[-3000:])
                hosts = {line.split("--", 1)[1] for line in done.stdout.splitlines() if "|--" in line and "@" not in line}
                return elapsed, len(hosts), len(wsman.commands) - before

            runs = [("rds_servers, cold (--flush-cache)", [graph(config, "--flush-cache") for _run in range(repeat)]),
                    ("rds_servers, warm cache", [graph(config) for _run in range(repeat)]),
                    ("YAML file, same hosts and variables", [graph(static) for _run in range(repeat)]),
                    ("no inventory (ansible-inventory start-up)", [graph("localhost,") for _run in range(repeat)])]
    finally:
        if previous is None:
            del os.environ["RDS_EMULATOR_STATE"]
        else:
            os.environ["RDS_EMULATOR_STATE"] = previous
    rows = [[what, times[0][1], len(times), "%.2f" % statistics.median(t for t, _hosts, _commands in times),
             "%.2f" % max(t for t, _hosts, _commands in times),
             sum(c for _seconds, _hosts, c in times) / len(times)]
            for what, times in runs]
    return ["ansible-inventory --graph", "hosts", "runs", "median s", "max s", "WinRM commands per run"], rows


# --- the session_events event source (docs/eda.md) ------------------------------------------------------

EDA_RULEBOOK = """---
- name: Time from an emulated logon to the rulebook's action
  hosts: all
  sources:
    - wtsadmin.rds.session_events:
        inventory: "{{ rds_inventory }}"
        events: [logon]
  rules:
    - name: Run a playbook for every logon
      condition: event.type == "logon"
      action:
        run_playbook:
          name: action.yml
          extra_vars:
            rds_session_id: "{{ event.session_id }}"
            rds_received_at: "{{ event.meta.received_at }}"
            rds_actions: "{{ rds_actions }}"
"""
EDA_ACTION = """---
- name: The rulebook's action
  hosts: all
  gather_facts: false
  tasks:
    - name: Note when the action ran
      ansible.builtin.lineinfile:
        path: "{{ rds_actions }}"
        line: "{{ rds_session_id }} {{ rds_received_at }} {{ lookup('ansible.builtin.pipe', 'date +%s.%N') }}"
        create: true
        mode: "0600"
"""
# A stand-in for the host's Python that streams as fast as it can: what one host's WinRM stream carries.
EDA_FAST_HOST = """#!/bin/sh
cat > /dev/null
exec "%s" -c '
import json, sys, time
count = int(sys.argv[1])
event = {"type": "logon", "session_id": 2, "user": "CONTOSO\\\\alice", "session_name": "RDP-Tcp#2",
         "client_name": "PC-ALICE", "client_address": "10.0.0.2", "logon_time": "2026-03-14T07:55:00Z",
         "state_before": None, "state_after": "active", "locked": False, "idle_seconds": 0,
         "disconnected_seconds": None, "windows_events": ["logon"], "host_time": "2026-03-14T07:55:00Z"}
line = json.dumps({"event": event}) + "\\n"
print(json.dumps({"hello": {"sessions": 1}, "host_time": "2026-03-14T07:55:00Z"}), flush=True)
for index in range(count):
    sys.stdout.write(line)
sys.stdout.flush()
time.sleep(3600)
' %d
"""


def bench_eda(ws: Workspace, repeat: int):
    """session_events: emulated logon to rulebook action (ansible-rulebook), and events per second per host."""
    from wsman_loopback import LoopbackWsman
    from ansible_collections.wtsadmin.rds.plugins.module_utils._session_events import SESSION_EVENTS
    from ansible_collections.wtsadmin.rds.plugins.plugin_utils import _event_stream

    password = "Bench-Pa55!"
    settings = dict(port=None, scheme="http", transport="basic", username="rdsadmin", password=password,
                    client_cert=None, client_cert_key=None, validate_certs=False, ca_path=None, read_timeout=30,
                    operation_timeout=20)
    params = {"poll_interval": 30.0, "idle_threshold": None, "disconnected_threshold": None,
              "events": list(SESSION_EVENTS)}

    def stream(port, interpreter, wanted):
        """(when the host_up event came, when the ``wanted``-th session event came), as wall clock times."""
        async def run():
            queue = asyncio.Queue(1)
            task = asyncio.ensure_future(_event_stream.stream_hosts(
                queue, [("rdsh01", "127.0.0.1", port, interpreter)], settings, params, ["logon", "host_up"]))
            count, up = 0, None
            while count < wanted:
                event = await asyncio.wait_for(queue.get(), 600)
                if event["type"] == "host_up":
                    up = time.time()
                else:
                    count += 1
            last = time.time()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            return up, last
        return asyncio.run(run())

    rows = []
    previous = os.environ.get("RDS_EMULATOR_STATE")
    try:
        # 1. One host's stream with a host that writes as fast as it can (WinRM, parsing, the rulebook's queue).
        count = 20000
        fast = ws.dir / "fast-host"
        fast.write_text(EDA_FAST_HOST % (sys.executable, count))
        fast.chmod(0o755)
        with LoopbackWsman("rdsadmin", password) as wsman:
            runs = [stream(wsman.port, str(fast), count) for _run in range(repeat)]
        rows.append(["one host's stream, a host that writes %d events at once" % count, len(runs),
                     "%.0f events/s" % statistics.median(count / (last - up) for up, last in runs), "-", "-"])

        # 2. The emulated host: 20 logons in one burst, listed and diffed by the loop on the host.
        state_file = ws.dir / "eda-state.json"
        os.environ["RDS_EMULATOR_STATE"] = str(state_file)
        burst = 20
        runs = []
        for _run in range(repeat):
            state = rds_emulator.empty_state()
            state["servers"]["RDSH01"] = rds_emulator.make_server(events=[rds_emulator.make_event(
                3.0 if sid == 2 else 0, ["logon"], add_session=rds_emulator.make_session(
                    sid, station="RDP-Tcp#%d" % sid, state="active", user="user%d" % sid, domain="CONTOSO"))
                for sid in range(2, 2 + burst)])
            state_file.write_text(json.dumps(state))
            with LoopbackWsman("rdsadmin", password) as wsman:
                _up, last = stream(wsman.port, ws.interpreter, burst)
            fired = json.loads(state_file.read_text())["servers"]["RDSH01"]["fired_events"]
            runs.append(last - fired[0]["wall"])
        rows.append(["emulated host: %d logons in one burst, first fired to last received" % burst, len(runs),
                     "%.1f events/s" % statistics.median(burst / seconds for seconds in runs),
                     "%.2f" % statistics.median(runs), "%.2f" % max(runs)])

        # 3. ansible-rulebook: an emulated logon to the start of the rulebook's run_playbook action.
        logons = max(repeat, 3)
        state = rds_emulator.empty_state()
        state["servers"]["RDSH01"] = rds_emulator.make_server(events=[rds_emulator.make_event(
            8.0, ["logon"], add_session=rds_emulator.make_session(
                sid, station="RDP-Tcp#%d" % sid, state="active", user="user%d" % sid, domain="CONTOSO"))
            for sid in range(2, 2 + logons)])
        state_file.write_text(json.dumps(state))
        actions = ws.dir / "eda-actions.txt"
        (ws.dir / "eda-rulebook.yml").write_text(EDA_RULEBOOK)
        (ws.dir / "action.yml").write_text(EDA_ACTION)
        with LoopbackWsman("rdsadmin", password) as wsman:
            inventory = ws.dir / "eda-inventory.yml"
            inventory.write_text(json.dumps({"all": {"hosts": {"rdsh01": {
                "ansible_connection": "local",  # the action's; the source uses WinRM to ansible_host:port
                "ansible_host": "127.0.0.1", "ansible_port": wsman.port,
                "ansible_python_interpreter": ws.interpreter}}}}))
            (ws.dir / "eda-vars.yml").write_text(json.dumps({"rds_inventory": str(inventory),
                                                             "rds_actions": str(actions)}))
            env = ws.env(state_file, PATH="%s%s%s" % (BIN, os.pathsep, os.environ.get("PATH", "")),
                         WTSADMIN_RDS_USERNAME="rdsadmin", WTSADMIN_RDS_PASSWORD=password,
                         WTSADMIN_RDS_WINRM_SCHEME="http", WTSADMIN_RDS_WINRM_TRANSPORT="basic",
                         HOME=str(ws.dir))
            env.pop("ANSIBLE_CALLBACKS_ENABLED", None)
            log = ws.dir / "eda-rulebook.log"
            with open(log, "wb") as output:
                rulebook = subprocess.Popen([str(BIN / "ansible-rulebook"), "--rulebook", "eda-rulebook.yml",
                                             "--inventory", str(inventory), "--vars", str(ws.dir / "eda-vars.yml")],
                                            cwd=ws.dir, env=env, stdout=output, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and rulebook.poll() is None and (
                    not actions.exists() or len(actions.read_text().splitlines()) < logons):
                time.sleep(1)
            rulebook.send_signal(signal.SIGINT)
            try:
                rulebook.wait(60)
            except subprocess.TimeoutExpired:
                rulebook.kill()
        fired = [event["wall"] for event in json.loads(state_file.read_text())["servers"]["RDSH01"]["fired_events"]]
        done = actions.read_text().splitlines() if actions.exists() else []
        if len(done) < logons:
            raise RuntimeError("ansible-rulebook ran %d of %d actions:\n%s"
                               % (len(done), logons, log.read_text(errors="replace")[-3000:]))
        received, acted = [], []
        for line in done:
            session_id, received_at, ran_at = line.split()
            wall = fired[int(session_id) - 2]
            received.append(datetime.datetime.fromisoformat(received_at.replace("Z", "+00:00")).timestamp() - wall)
            acted.append(float(ran_at) - wall)
        rows.append(["ansible-rulebook: emulated logon -> event in the engine", len(received), "-",
                     "%.2f" % statistics.median(received), "%.2f" % max(received)])
        rows.append(["ansible-rulebook: emulated logon -> run_playbook task runs", len(acted), "-",
                     "%.2f" % statistics.median(acted), "%.2f" % max(acted)])
    finally:
        if previous is None:
            os.environ.pop("RDS_EMULATOR_STATE", None)
        else:
            os.environ["RDS_EMULATOR_STATE"] = previous
    return ["measurement", "runs", "throughput (median)", "median s", "max s"], rows


BENCHMARKS = {
    "commands": bench_commands,
    "calls": bench_calls_per_session,
    "round_trips": bench_round_trips,
    "emulator": bench_emulator_cost,
    "controller": bench_controller,
    "host": bench_host,
    "host_windows": bench_host_windows,
    "wire": bench_wire,
    "ratio": bench_ratio,
    "message": bench_message_wait,
    "fanout": bench_fanout,
    "inventory": bench_inventory,
    "eda": bench_eda,
}


# --- output ---------------------------------------------------------------------------------------------

def table(title: str, header: list, rows: list) -> str:
    cells = [[str(cell) for cell in row] for row in [header] + rows]
    widths = [max(len(row[column]) for row in cells) for column in range(len(header))]
    lines = ["| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths)) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(["### " + title, ""] + lines + [""])


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    ansible = subprocess.run([str(BIN / "ansible-playbook"), "--version"], capture_output=True, text=True,
                             check=False).stdout.splitlines()[0]
    return "%s UTC; %d CPUs (%s); %s; Python %s; %s" % (
        time.strftime("%Y-%m-%d %H:%M", time.gmtime()), os.cpu_count(), cpu, platform.platform(),
        platform.python_version(), ansible)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--only", action="append", choices=sorted(BENCHMARKS), help="run only these (repeatable)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each timed task (default 3)")
    parser.add_argument("--hosts", type=int, action="append", help="inventory sizes for 'controller' (default 1, 50, 200)")
    options = parser.parse_args()
    if options.hosts:
        global HOSTS  # pylint: disable=global-statement
        HOSTS = tuple(options.hosts)
    interpreter = os.environ.get("RDS_EMULATOR_PYTHON")
    if not interpreter or not os.access(interpreter, os.X_OK):
        parser.error("set RDS_EMULATOR_PYTHON to the emulated host's Python (bash scripts/benchmark.sh does)")
    print("## wtsadmin.rds benchmarks: %s\n" % machine())
    with tempfile.TemporaryDirectory(prefix="rds-bench-") as directory:
        ws = Workspace(Path(directory), interpreter)
        for name in options.only or BENCHMARKS:
            function = BENCHMARKS[name]
            started = time.perf_counter()
            header, rows = function(ws, options.repeat)
            title = "%s (%s; %.0f s)" % (function.__doc__.split("\n", 1)[0], name, time.perf_counter() - started)
            print(table(title, header, rows), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
