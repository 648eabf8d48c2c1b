# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The payload runner and its AnsibleModule stand-in (plugins/module_utils/_runner.py).

Each test packs a small module (and module_utils) with the runner exactly as the controller does and runs
the program in a fresh Python, the way the host does: ``python -E -s -`` with the program on stdin.
"""

from __future__ import annotations

import json
import marshal
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from ansible_collections.wtsadmin.rds.plugins.module_utils import _runner
from ansible_collections.wtsadmin.rds.plugins.plugin_utils import _payload

MODULE = "ansible_collections.ns.coll.plugins.modules.sample"
UTILS = "ansible_collections.ns.coll.plugins.module_utils."


def run_module(source: str, utils: dict | None = None, params: dict | None = None, python: str = sys.executable,
               **task) -> SimpleNamespace:
    """Run module ``source`` (with module_utils ``utils``: name -> source) for one task with ``python``; its reply."""
    sources = {MODULE: textwrap.dedent(source), _payload.RUNNER: Path(_runner.__file__).read_text(encoding="utf-8")}
    sources.update((UTILS + name, textwrap.dedent(text)) for name, text in (utils or {}).items())
    payload = _payload.pack(json.dumps({"module": MODULE, "runner": _payload.RUNNER, "sources": sources}))
    fields = _payload.task_message(params or {})
    fields.update(task)
    program = _payload.program(payload, fields)
    done = subprocess.run([python, "-E", "-s", "-"], input=program, capture_output=True, check=False)
    assert done.stdout.isascii()
    lines = done.stdout.decode("ascii").splitlines()
    assert len(lines) == 1, done
    return SimpleNamespace(rc=done.returncode, result=json.loads(lines[0]), stderr=done.stderr.decode())


def test_exit_json_prints_one_json_result_with_the_invocation_and_exits_0():
    reply = run_module("""
        from ansible.module_utils.basic import AnsibleModule
        def main():
            module = AnsibleModule(argument_spec=dict(name=dict(type="str")), supports_check_mode=True)
            module.exit_json(changed=True, greeting="Grüß Gott, " + module.params["name"])
        """, params={"name": "Zoë"})

    assert reply.rc == 0
    assert reply.result == {"changed": True, "greeting": "Grüß Gott, Zoë", "invocation": {"module_args": {"name": "Zoë"}}}


def test_the_module_sees_the_controllers_params_check_mode_diff_and_verbosity():
    reply = run_module("""
        from ansible.module_utils.basic import AnsibleModule
        def main():
            module = AnsibleModule(argument_spec={})
            module.exit_json(params=module.params, check_mode=module.check_mode, diff=module._diff,
                             verbosity=module._verbosity)
        """, params={"session_id": 4}, check_mode=True, diff=True, verbosity=3)

    assert (reply.result["params"], reply.result["check_mode"], reply.result["diff"], reply.result["verbosity"]) == (
        {"session_id": 4}, True, True, 3)


def test_a_no_log_task_returns_no_invocation():
    reply = run_module("""
        from ansible.module_utils.basic import AnsibleModule
        def main():
            AnsibleModule(argument_spec={}).exit_json(changed=False)
        """, params={"password": "hunter2"}, no_log=True)

    assert reply.result == {"changed": False}


def test_fail_json_exits_1_with_the_message_and_data_and_the_traceback_of_a_handled_exception():
    reply = run_module("""
        from ansible.module_utils.basic import AnsibleModule
        def main():
            module = AnsibleModule(argument_spec={})
            try:
                {}["session"]
            except KeyError:
                module.fail_json(msg="no such session", session_id=7)
        """)

    assert reply.rc == 1
    assert (reply.result["failed"], reply.result["msg"], reply.result["session_id"]) == (True, "no such session", 7)
    assert "KeyError: 'session'" in reply.result["exception"]


def test_warnings_are_returned():
    reply = run_module("""
        from ansible.module_utils.basic import AnsibleModule
        def main():
            module = AnsibleModule(argument_spec={})
            module.warn("session 3 vanished")
            module.exit_json(changed=False, warnings=["passed to exit_json"])
        """)

    assert reply.result["warnings"] == ["passed to exit_json", "session 3 vanished"]


def test_what_the_module_prints_goes_to_stderr_and_the_result_stays_alone_on_stdout():
    reply = run_module("""
        from ansible.module_utils.basic import AnsibleModule
        def main():
            module = AnsibleModule(argument_spec={})
            print("debugging output")
            module.exit_json(changed=False)
        """)

    assert reply.rc == 0
    assert reply.stderr == "debugging output\n"


def test_an_exception_fails_with_its_text_and_a_traceback_showing_module_utils_lines():
    reply = run_module("""
        from ansible.module_utils.basic import AnsibleModule
        from ansible_collections.ns.coll.plugins.module_utils.sessions import log_off
        def main():
            AnsibleModule(argument_spec={})
            log_off(4)
        """, utils={"sessions": """
        def log_off(session_id):
            raise RuntimeError("WTSLogoffSession failed: [5] Access is denied.")
        """})

    assert reply.rc == 1
    assert reply.result["msg"] == "WTSLogoffSession failed: [5] Access is denied."
    assert 'File "ansible_collections/ns/coll/plugins/module_utils/sessions.py", line 3, in log_off' in \
        reply.result["exception"]
    assert 'raise RuntimeError("WTSLogoffSession failed: [5] Access is denied.")' in reply.result["exception"]


def test_an_exception_without_text_is_named_by_its_type():
    reply = run_module("""
        def main():
            raise NotImplementedError()
        """)

    assert reply.result["msg"] == "NotImplementedError"


def test_a_module_that_exits_or_returns_without_a_result_fails_saying_so():
    exited = run_module("import sys\ndef main():\n    sys.exit(3)\n")
    returned = run_module("def main():\n    pass\n")

    assert (exited.rc, exited.result) == (1, {"failed": True, "msg": "The module exited (code 3) without a result."})
    assert (returned.rc, returned.result["msg"]) == (
        1, "The module's main() returned without calling exit_json() or fail_json().")


def test_a_result_json_cannot_carry_fails_instead_of_printing_half_a_result():
    reply = run_module("""
        from ansible.module_utils.basic import AnsibleModule
        def main():
            AnsibleModule(argument_spec={}).exit_json(changed=False, handle=object())
        """)

    assert reply.rc == 1
    assert reply.result["msg"] == "The module's result cannot be sent as JSON: Object of type object is not JSON serializable"


def test_module_utils_are_imported_from_the_payload_in_every_import_form():
    reply = run_module("""
        from ansible.module_utils.basic import AnsibleModule
        import ansible_collections.ns.coll.plugins.module_utils.wts as wts
        from ansible_collections.ns.coll.plugins.module_utils import winapi
        def main():
            AnsibleModule(argument_spec={}).exit_json(sessions=wts.sessions(), api=winapi.NAME, file=wts.__file__)
        """, utils={
        "winapi": "NAME = 'wtsapi32'\n",
        "wts": "from .winapi import NAME\ndef sessions():\n    return [NAME, 'session 1']\n",
    })

    assert reply.result["sessions"] == ["wtsapi32", "session 1"]
    assert reply.result["api"] == "wtsapi32"
    assert reply.result["file"] == "ansible_collections/ns/coll/plugins/module_utils/wts.py"


def test_a_module_util_missing_from_the_payload_fails_naming_it():
    reply = run_module("""
        import ansible_collections.ns.coll.plugins.module_utils.absent
        def main():
            pass
        """, utils={"wts": "NAME = 'wtsapi32'\n"})

    assert reply.result["msg"] == "No module named 'ansible_collections.ns.coll.plugins.module_utils.absent'"


def test_ansible_module_utils_basic_is_the_stand_in_even_where_ansible_is_installed():
    reply = run_module("""
        import importlib
        import sys
        import ansible.module_utils.basic
        from ansible.module_utils.basic import AnsibleModule
        def main():
            try:
                importlib.import_module("ansible.module_utils.common.text.converters")
                more = "importable"
            except ImportError:
                more = "absent"
            AnsibleModule(argument_spec={}).exit_json(
                basic_file=getattr(ansible.module_utils.basic, "__file__", None), more=more,
                posix=sorted(set(sys.modules) & {"grp", "pwd", "fcntl", "resource", "termios", "syslog"}))
        """)

    assert reply.result["basic_file"] is None  # not the real file of the ansible-core in this venv
    assert reply.result["more"] == "absent"
    assert reply.result["posix"] == []


def test_the_module_runs_under_a_private_name_so_its_main_guard_stays_quiet():
    reply = run_module("""
        import sys
        from ansible.module_utils.basic import AnsibleModule
        def main():
            sys.stderr.write("main called\\n")
            AnsibleModule(argument_spec={}).exit_json(name=__name__)
        if __name__ == "__main__":
            main()
        """)

    assert reply.result["name"] == _runner.MODULE_NAME
    assert reply.stderr == "main called\n"


def test_the_runner_never_imports_posix_only_modules(posix_blocked_python):
    blocked = run_module("""
        from ansible.module_utils.basic import AnsibleModule
        def main():
            import pwd
        """, python=posix_blocked_python)
    assert blocked.result["msg"] == "No module named 'pwd' (blocked: Windows has none)"  # the blocker holds

    reply = run_module("""
        import datetime
        from ansible.module_utils.basic import AnsibleModule
        from ansible_collections.ns.coll.plugins.module_utils.wts import NAME
        def main():
            module = AnsibleModule(argument_spec=dict(state=dict(type="str")), supports_check_mode=True)
            module.warn("a warning")
            try:
                raise OSError("handled")
            except OSError:
                pass
            module.exit_json(changed=True, api=NAME, at=datetime.date(2025, 1, 1))
        """, utils={"wts": "NAME = 'wtsapi32'\n"}, params={"state": "present"},
        python=posix_blocked_python)

    assert reply.rc == 0, reply
    assert (reply.result["changed"], reply.result["api"]) == (True, "wtsapi32")


# --- the bytecode cache on the host --------------------------------------------------------------------------

SOURCE = "ANSWER = 6 * 7\n"
FILENAME = "ansible_collections/ns/coll/plugins/module_utils/answer.py"


def cache_dir(home: Path) -> Path:
    return home.joinpath(*_runner.CACHE_PATH)


def compile_counted(monkeypatch) -> list:
    """Every compile() the runner makes, as file names."""
    compiled = []
    real = compile
    monkeypatch.setattr(_runner, "compile", lambda source, filename, mode: compiled.append(filename)
                        or real(source, filename, mode), raising=False)
    return compiled


def run_code(code) -> int:
    namespace = {}
    exec(code, namespace)
    return namespace["ANSWER"]


def test_a_source_is_compiled_once_and_then_loaded_from_the_users_cache(tmp_path, monkeypatch):
    compiled = compile_counted(monkeypatch)
    assert run_code(_runner.BytecodeCache.open(str(tmp_path)).compile(SOURCE, FILENAME)) == 42
    assert run_code(_runner.BytecodeCache.open(str(tmp_path)).compile(SOURCE, FILENAME)) == 42
    assert compiled == [FILENAME]
    assert cache_dir(tmp_path).stat().st_mode & 0o777 == 0o700
    assert [entry.stat().st_mode & 0o777 for entry in cache_dir(tmp_path).iterdir()] == [0o600]


def test_another_source_or_file_name_is_compiled_not_taken_from_the_cache(tmp_path, monkeypatch):
    compiled = compile_counted(monkeypatch)
    cache = _runner.BytecodeCache.open(str(tmp_path))
    cache.compile(SOURCE, FILENAME)
    assert run_code(cache.compile("ANSWER = 43\n", FILENAME)) == 43
    cache.compile(SOURCE, "other.py")
    assert compiled == [FILENAME, FILENAME, "other.py"]


def test_a_damaged_or_foreign_entry_is_never_run(tmp_path, monkeypatch):
    cache = _runner.BytecodeCache.open(str(tmp_path))
    cache.compile(SOURCE, FILENAME)
    (entry,) = cache_dir(tmp_path).iterdir()
    foreign = compile("ANSWER = 666\n", FILENAME, "exec")
    for data in (b"", entry.read_bytes()[:40], b"\0" * 32 + marshal.dumps(foreign), entry.read_bytes()[:-3]):
        entry.write_bytes(data)
        assert run_code(_runner.BytecodeCache.open(str(tmp_path)).compile(SOURCE, FILENAME)) == 42


def test_an_entry_others_can_write_is_ignored(tmp_path, monkeypatch):
    cache = _runner.BytecodeCache.open(str(tmp_path))
    cache.compile(SOURCE, FILENAME)
    (entry,) = cache_dir(tmp_path).iterdir()
    entry.chmod(0o666)
    compiled = compile_counted(monkeypatch)
    _runner.BytecodeCache.open(str(tmp_path)).compile(SOURCE, FILENAME)
    assert compiled == [FILENAME]


@pytest.mark.parametrize("problem", ["group-writable", "symlink", "a file"])
def test_a_cache_directory_others_could_write_or_redirect_is_not_used(tmp_path, monkeypatch, problem):
    directory = cache_dir(tmp_path)
    directory.parent.mkdir(parents=True)
    if problem == "group-writable":
        directory.mkdir(mode=0o770)
        directory.chmod(0o770)
    elif problem == "symlink":
        (tmp_path / "elsewhere").mkdir(mode=0o700)
        directory.symlink_to(tmp_path / "elsewhere")
    else:
        directory.write_text("")
    compiled = compile_counted(monkeypatch)
    for _attempt in range(2):
        assert run_code(_runner.BytecodeCache.open(str(tmp_path)).compile(SOURCE, FILENAME)) == 42
    assert compiled == [FILENAME, FILENAME]
    assert not (tmp_path / "elsewhere").exists() or not list((tmp_path / "elsewhere").iterdir())


def test_the_module_runs_the_same_from_source_and_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    module = """
        from ansible.module_utils.basic import AnsibleModule
        from ansible_collections.ns.coll.plugins.module_utils.answer import ANSWER
        def main():
            AnsibleModule(argument_spec={}).exit_json(answer=ANSWER)
        """
    first = run_module(module, utils={"answer": SOURCE})
    entries = sorted(path.name for path in cache_dir(tmp_path).iterdir())
    second = run_module(module, utils={"answer": SOURCE})
    assert first.result == second.result and first.result["answer"] == 42
    assert len(entries) == 2  # the module and its module_util (the bootstrap compiles the runner itself)
    assert sorted(path.name for path in cache_dir(tmp_path).iterdir()) == entries
