"""make_interpreter.py: a venv whose python looks like Windows through ctypes, even under ``python -I -``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
import rds_emulator

MAKE_INTERPRETER = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "emulator", "make_interpreter.py")

REMOTE_CODE = textwrap.dedent("""
    import ctypes, json, sys
    from ctypes import byref, c_int32, c_uint32, c_void_p
    wts = ctypes.WinDLL("wtsapi32", use_last_error=True)
    wts.WTSEnumerateSessionsW.argtypes = [c_void_p, c_uint32, c_uint32, ctypes.POINTER(c_void_p),
                                          ctypes.POINTER(c_uint32)]
    wts.WTSEnumerateSessionsW.restype = c_int32
    wts.WTSLogoffSession.argtypes = [c_void_p, c_uint32, c_int32]
    wts.WTSLogoffSession.restype = c_int32
    buffer, count = c_void_p(), c_uint32()
    wts.WTSEnumerateSessionsW(None, 0, 1, byref(buffer), byref(count))
    logged_off = wts.WTSLogoffSession(None, 3, 1)
    print(json.dumps({"sessions": count.value, "logged_off": logged_off, "platform": sys.platform,
                      "isolated": sys.flags.isolated}))
""")


@pytest.fixture(scope="module")
def interpreter(tmp_path_factory):
    dest = tmp_path_factory.mktemp("rds-host")
    done = subprocess.run([sys.executable, MAKE_INTERPRETER, str(dest)], capture_output=True, text=True,
                          check=True, timeout=120)
    return done.stdout.strip()


def run(interpreter, code, env):
    return subprocess.run([interpreter, "-I", "-"], input=code, capture_output=True, text=True, timeout=60,
                          env=env, check=True)


@pytest.fixture
def host(tmp_path):
    state_path = tmp_path / "state.json"
    state_path.write_text(json.dumps(rds_emulator.sample_state()), encoding="utf-8")
    return {"PATH": os.environ.get("PATH", ""), "RDS_EMULATOR_STATE": str(state_path),
            "RDS_EMULATOR_LOG": str(tmp_path / "starts.log")}


def test_code_on_stdin_under_isolated_mode_sees_windows_ctypes(interpreter, host):
    done = run(interpreter, REMOTE_CODE, host)
    assert json.loads(done.stdout) == {"sessions": 9, "logged_off": 1, "platform": "linux", "isolated": 1}
    assert done.stderr == ""


def test_the_host_state_is_shared_with_the_test_process(interpreter, host):
    run(interpreter, REMOTE_CODE, host)
    emulator = rds_emulator.install(host["RDS_EMULATOR_STATE"])
    try:
        assert emulator.session("RDSH01", 3) is None
        assert emulator.calls["WTSLogoffSession"] == 1
        assert [problem for problem in emulator.errors if "leak" in problem]  # the script never freed its buffer
    finally:
        rds_emulator.uninstall()


def test_every_interpreter_start_is_logged_once(interpreter, host):
    run(interpreter, "pass", host)
    run(interpreter, "print('x')", host)
    with open(host["RDS_EMULATOR_LOG"], encoding="utf-8") as handle:
        assert len(handle.readlines()) == 2


def test_start_up_prints_nothing(interpreter, host):
    done = run(interpreter, "pass", host)
    assert (done.stdout, done.stderr) == ("", "")


def test_default_state_is_created_from_the_sample_farm(interpreter):
    default_state = os.path.join(os.path.dirname(os.path.dirname(interpreter)), "emulator-state.json")
    run(interpreter, "pass", {"PATH": os.environ.get("PATH", "")})
    with open(default_state, encoding="utf-8") as handle:
        assert sorted(json.load(handle)["servers"]) == ["RDSH01", "RDSH02", "RDSH03"]


def test_interpreter_has_no_site_packages_of_the_creating_python(interpreter, host):
    done = run(interpreter, "import importlib.util; print(importlib.util.find_spec('pytest') is None)", host)
    assert done.stdout.strip() == "True"
