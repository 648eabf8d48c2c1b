# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The payload, the program that carries it and the remote command texts (plugins/plugin_utils/_payload.py)."""

from __future__ import annotations

import base64
import datetime
import io
import json
import os
import re
import subprocess
import tokenize
import zlib
from pathlib import Path

import pytest
import rds_emulator
from play_values import from_a_play
from powershell_syntax import assert_stays_one_literal, parse, string_literals
from ansible.plugins.loader import shell_loader
from ansible.plugins.shell import powershell as powershell_shell

from ansible_collections.wtsadmin.rds.plugins.modules import win_rds_session_info
from ansible_collections.wtsadmin.rds.plugins.plugin_utils import _payload
from ansible_collections.wtsadmin.rds.plugins.plugin_utils._action import validate_args

PROBE = "ansible_collections.rdsfixture.runner.plugins.modules.probe"
MODULES = Path(_payload.__file__).parents[1] / "modules"
FIXTURE_UTILS = "ansible_collections.rdsfixture.runner.plugins.module_utils."
ENCODED_PREFIX = "PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand "


def unpack(blob: str) -> dict:
    return json.loads(zlib.decompress(base64.b64decode(blob)))


def task(**params) -> dict:
    """The task JSON the controller would send: the probe's parameters, validated (every option present)."""
    validated = dict(name="Ada", times=1, secret=None, behaviour="succeed", message=None, old_option=None)
    validated.update(params)
    return _payload.task_message(validated)


def run_program(python: str, program: bytes, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([python, "-E", "-s", "-"], input=program, capture_output=True, cwd=cwd, check=False)


# --- the payload ---------------------------------------------------------------------------------------

def test_payload_carries_the_module_the_module_utils_it_imports_transitively_and_the_runner():
    payload = unpack(_payload.module_payload(PROBE))

    assert payload["module"] == PROBE
    assert payload["runner"] == _payload.RUNNER
    assert sorted(payload["sources"]) == sorted([
        PROBE,
        FIXTURE_UTILS + "_greeting",  # imported by the module
        FIXTURE_UTILS + "_punctuation",  # imported by _greeting, relatively
        _payload.RUNNER,
        _payload.CACHE_ACL,  # the runner's Windows cache checks, imported by the runner itself on Windows
    ])  # _unused is imported by nobody and stays at home
    probe_file = Path(__file__).parent / "fixtures/ansible_collections/rdsfixture/runner/plugins/modules/probe.py"
    original = probe_file.read_text(encoding="utf-8").splitlines()
    sent = payload["sources"][PROBE].splitlines()
    assert len(sent) == len(original)
    changed = [number for number, (ours, theirs) in enumerate(zip(sent, original)) if ours != theirs]
    assert "DOCUMENTATION = ''" in sent  # only documentation, comments and docstrings differ
    assert all(original[number].startswith("DOCUMENTATION") or sent[number].strip() in ("", '""')
               or original[number].startswith(sent[number]) for number in changed)


def test_the_modules_documentation_stays_on_the_controller_and_line_numbers_are_kept():
    module = "ansible_collections.wtsadmin.rds.plugins.modules.win_rds_session_info"
    original = _payload._source(module)
    sent = unpack(_payload.module_payload(module))["sources"][module]

    assert "short_description:" in original and "short_description:" not in sent
    assert "DOCUMENTATION = ''" in sent and "RETURN = ''" in sent and "EXAMPLES = ''" in sent
    assert len(sent.splitlines()) == len(original.splitlines())
    main_line = next(n for n, line in enumerate(original.splitlines()) if line.startswith("def main("))
    assert sent.splitlines()[main_line].startswith("def main(")


def test_comments_and_docstrings_stay_on_the_controller_and_every_line_of_code_is_sent_where_it_was():
    module = "ansible_collections.wtsadmin.rds.plugins.modules.win_rds_session_info"
    sources = unpack(_payload.module_payload(module))["sources"]
    utility = "ansible_collections.wtsadmin.rds.plugins.module_utils._sessions"
    original, sent = _payload._source(utility).splitlines(), sources[utility].splitlines()

    assert len(sent) == len(original)
    # each line sent is its original line, cut short (comments) or with parts taken out (annotations)
    assert all(line.strip() in ("", '""') or _taken_from(line, original[number]) for number, line in enumerate(sent))
    assert any(" -> " in line for line in original) and not any(" -> " in line for line in sent)
    assert not any(token.type == tokenize.COMMENT
                   for token in tokenize.generate_tokens(io.StringIO(sources[utility]).readline))
    assert '"""' not in sources[utility] and '"""' in _payload._source(utility)
    for name, source in sources.items():
        compile(source, name, "exec")  # still Python, every block still has a body


def _taken_from(line, original):
    """True when ``line`` is ``original`` with characters taken out (what is left keeps its order)."""
    rest = iter(original)
    return all(char in rest for char in line)


def test_annotations_of_functions_stay_on_the_controller_and_those_of_classes_go():
    source = ("from __future__ import annotations\n"
              "def f(a: int, *b: str, c: dict[str, é] = 1, **d: T) -> list[R]:\n"
              "    x: T = 'é'\n"
              "    y: T\n"
              "    return x, 'a: int'\n"
              "class C(TypedDict):\n"
              "    z: int\n")

    sent = _payload._for_the_host(source).splitlines()

    assert sent[1:5] == ["def f(a, *b, c = 1, **d):", "    x = 'é'", "    y: T", "    return x, 'a: int'"]
    assert sent[6] == "    z: int"


def test_the_future_import_goes_only_when_no_annotation_is_left_for_it():
    bare = _payload._for_the_host("from __future__ import annotations\ndef f(a: int | None) -> str:\n    pass\n")
    kept = _payload._for_the_host("from __future__ import annotations\nclass C:\n    z: int | None\n")

    assert bare.splitlines() == ["", "def f(a):", "    pass"]
    assert kept.splitlines()[0] == "from __future__ import annotations"


def test_payload_also_follows_imports_made_inside_functions():
    source = "def main():\n    from .._utils import helper\n    import ansible_collections.ns.c.plugins.module_utils.other\n"

    found = _payload._imports("ansible_collections.ns.c.plugins.modules.mod", source)

    assert "ansible_collections.ns.c.plugins._utils" in found
    assert "ansible_collections.ns.c.plugins._utils.helper" in found
    assert "ansible_collections.ns.c.plugins.module_utils.other" in found


def test_imports_for_type_checkers_only_are_neither_followed_nor_sent():
    source = ("from typing import TYPE_CHECKING\n"
              "if TYPE_CHECKING:\n"
              "    from ..module_utils._shapes import (\n"
              "        Session,\n"
              "    )\n"
              "def main() -> Session:\n"
              "    from ..module_utils import _used\n")

    found = _payload._imports("ansible_collections.ns.c.plugins.modules.mod", source)
    sent = _payload._for_the_host(source)

    assert "ansible_collections.ns.c.plugins.module_utils._used" in found
    assert not any("_shapes" in name for name in found)
    assert "_shapes" not in sent and "TYPE_CHECKING" not in sent  # nor typing, which the host need not import
    assert sent.splitlines()[5:] == ["def main():", "    from ..module_utils import _used"]  # on their own lines
    compile(sent, "mod", "exec")


@pytest.mark.parametrize("module", sorted(path.stem for path in MODULES.glob("win_rds_*.py")))
def test_the_host_gets_neither_the_result_shapes_nor_typing(module):
    sources = unpack(_payload.module_payload("ansible_collections.wtsadmin.rds.plugins.modules." + module))["sources"]

    assert not any("_shapes" in name for name in sources)
    assert not [name for name, source in sources.items() if re.search(r"\b(_shapes|typing|TYPE_CHECKING)\b", source)]


def test_the_typing_import_stays_where_the_host_uses_typing_checking_too():
    source = ("from typing import TYPE_CHECKING\n"
              "if TYPE_CHECKING:\n"
              "    import x\n"
              "DEBUG = not TYPE_CHECKING\n")

    sent = _payload._for_the_host(source)

    assert sent.splitlines() == ["from typing import TYPE_CHECKING", "", "", "DEBUG = not TYPE_CHECKING"]


def test_payload_is_ascii_lines_that_fit_any_pipe():
    blob = _payload.module_payload(PROBE)

    assert blob.isascii()
    assert max(len(line) for line in blob.splitlines()) <= 76


def test_payload_is_deterministic():
    build = _payload.module_payload.__wrapped__  # bypass the cache: two independent builds

    assert build(PROBE) == build(PROBE)


def test_payload_is_built_once_per_module_per_process(monkeypatch):
    reads = []
    read_source = _payload._source
    monkeypatch.setattr(_payload, "_source", lambda name: reads.append(name) or read_source(name))
    _payload.module_payload.cache_clear()

    first = _payload.module_payload(PROBE)
    reads_for_first = len(reads)
    second = _payload.module_payload(PROBE)

    assert second is first
    assert reads_for_first > 0 and len(reads) == reads_for_first


# --- the program ---------------------------------------------------------------------------------------

def test_program_is_ascii_even_when_parameters_are_not():
    program = _payload.program(_payload.module_payload(PROBE), task(name="Zoë 東京"))

    text = program.decode("ascii")  # raises if any byte is not ASCII
    outside_packed = re.sub(r'"""\n[A-Za-z0-9+/=\n]*"""', "", text)  # base64 may hold "Zo" by chance
    assert "Zo" not in outside_packed  # parameters travel packed, not as text


def task_of(program: bytes) -> dict:
    """The task a program carries (the bootstrap's ``task = unpack(\"\"\"...\"\"\")``)."""
    return unpack(program.decode("ascii").split('task = unpack("""\n', 1)[1].split('"""', 1)[0])


def vaulted_text(plaintext: str):
    """A vaulted string as a play holds it once the run's vault secret is known, on every ansible-core."""
    try:
        from ansible.parsing.vault import EncryptedString  # ansible-core 2.19 and later
    except ImportError:  # before 2.19: AnsibleVaultEncryptedUnicode, decrypted by its vault when read
        from ansible.parsing.vault import VaultLib, VaultSecret
        from ansible.parsing.yaml.objects import AnsibleVaultEncryptedUnicode

        secret = VaultSecret(b"vault-password")
        return AnsibleVaultEncryptedUnicode.from_plaintext(plaintext, VaultLib([("default", secret)]), secret)
    vaulted = EncryptedString(ciphertext="$ANSIBLE_VAULT;1.1;AES256\n3132")
    object.__setattr__(vaulted, "_plaintext", plaintext)  # as if the run's vault secret had decrypted it
    return vaulted


def test_program_sends_vaulted_values_as_their_text_and_dates_as_iso():
    sent = task_of(_payload.program("x", task(name=vaulted_text("s3cret"), message=datetime.date(2026, 3, 14))))
    assert (sent["params"]["name"], sent["params"]["message"]) == ("s3cret", "2026-03-14")


def test_program_sends_the_values_of_a_play_as_plain_json():
    sent = task_of(_payload.program("x", task(name=from_a_play("Zoë"), times=from_a_play(2))))
    assert (sent["params"]["name"], sent["params"]["times"]) == ("Zoë", 2)


def test_program_is_the_bootstrap_holding_the_payload_and_the_task():
    program = _payload.program("PAYLOAD", task(name="Zoë"))
    text = json.dumps(task(name="Zoë"), sort_keys=True)
    whole = _payload._BOOTSTRAP.format(fix=_payload.python_fix(), payload="PAYLOAD", task=_payload.pack(text, window_bits=9))
    assert program == whole.encode("ascii")


@pytest.mark.parametrize("window_bits", [15, 9])
def test_pack_gives_what_the_bootstraps_unpack_reads(window_bits):
    text = json.dumps({"msg": "Zoë 東京 " * 500, "servers": ["rdsh%03d" % number for number in range(300)]})
    packed = _payload.pack(text, window_bits=window_bits)
    assert max(len(line) for line in packed.splitlines()) == 76
    assert unpack(packed) == json.loads(text)


def test_the_frame_of_a_payloads_program_is_made_once(monkeypatch):
    first = _payload.program("FRAMED ONCE", task(name="a"))

    def refuse(*args):
        raise AssertionError("the payload's program was formatted again")

    monkeypatch.setattr(_payload, "python_fix", refuse)  # formatting the frame asks for it
    second = _payload.program("FRAMED ONCE", task(name="b"))
    assert (task_of(first)["params"]["name"], task_of(second)["params"]["name"]) == ("a", "b")
    assert second.startswith(first.split(b'task = unpack("""', 1)[0])


def test_program_runs_the_module_and_prints_one_ascii_json_line(python39):
    program = _payload.program(_payload.module_payload(PROBE), task(name="Zoë 東京", times=2))

    done = run_program(python39, program)

    assert done.returncode == 0, done.stderr
    assert done.stdout.isascii()
    assert len(done.stdout.splitlines()) == 1
    result = json.loads(done.stdout)
    assert result["greeting"] == "Hello, Zoë 東京! Hello, Zoë 東京!"
    assert result["python"] == [3, 9]


def test_program_survives_the_crlf_line_ends_powershell_pipes_to_native_commands(python39):
    program = _payload.program(_payload.module_payload(PROBE), task(name="Zoë"))

    done = run_program(python39, program.replace(b"\n", b"\r\n"))

    assert json.loads(done.stdout)["greeting"] == "Hello, Zoë!"


# Runs the program on stdin as `python -E -s -` does, then writes the names of every module imported to stderr.
SHOW_IMPORTED = ("import atexit, sys; atexit.register(lambda: sys.stderr.write('\\nimported: %s\\n' % ' '.join(sys.modules))); "
                 "exec(sys.stdin.read())")


@pytest.mark.parametrize("warm", [False, True], ids=["compiled", "from the bytecode cache"])
def test_a_listing_of_the_host_itself_imports_no_thread_pool_subprocess_traceback_or_openssl(emulated_python, tmp_path, warm):
    """What only some tasks need is imported by those alone (docs/performance.md, "Host-side CPU"): listing the
    sessions of the host itself needs no thread pool (concurrent.futures, which imports logging), starts no
    program (subprocess), formats no traceback (traceback, linecache), and names its cache entries with the
    standard library's own SHA-256, not hashlib's (which loads OpenSSL, _hashlib)."""
    module = "ansible_collections.wtsadmin.rds.plugins.modules.win_rds_session_info"
    params = validate_args(win_rds_session_info.module_args(), {}).validated_parameters
    program = _payload.program(_payload.module_payload(module), _payload.task_message(params))
    state = tmp_path / "state.json"
    state.write_text(json.dumps(rds_emulator.sample_state()), encoding="utf-8")
    env = dict(os.environ, HOME=str(tmp_path), RDS_EMULATOR_STATE=str(state))
    for _run in range(2 if warm else 1):
        done = subprocess.run([emulated_python, "-E", "-s", "-c", SHOW_IMPORTED], input=program, env=env,
                              capture_output=True, check=False)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["sessions"]
    imported = set(done.stderr.decode().rpartition("\nimported: ")[2].split())
    assert "ansible_collections.wtsadmin.rds.plugins.module_utils._sessions" in imported
    assert not imported & {"concurrent.futures", "logging", "subprocess", "traceback", "linecache", "hashlib", "_hashlib"}


@pytest.mark.parametrize("name", sorted(path.stem for path in MODULES.glob("win_rds_*.py")))
def test_no_module_imports_what_only_some_of_its_tasks_need_as_it_starts(name):
    """ipaddress and threading (which the emulated host's Python has loaded anyway), thread pools, subprocess
    and traceback are imported only where an address, a thread, a program or a failure needs them
    (docs/performance.md, "Host-side CPU"): no source of a module's payload imports them at its top level (a
    function's imports are indented). win_rds_message alone needs its thread pool in every task."""
    sources = unpack(_payload.module_payload("ansible_collections.wtsadmin.rds.plugins.modules." + name))["sources"]
    at_start = {imported or imported_from for source in sources.values() for imported, imported_from
                in re.findall(r"^(?:import ([\w.]+)|from ([\w.]+) import)", source, re.MULTILINE)}
    only_some = {"ipaddress", "threading", "concurrent.futures", "subprocess", "traceback", "linecache"}

    assert {"ctypes", "json"} <= at_start
    assert at_start & only_some == ({"concurrent.futures"} if name == "win_rds_message" else set())


@pytest.mark.parametrize("version", ["2.7", "3.8"])
def test_program_answers_too_old_pythons_with_a_json_failure_naming_the_fix(pyenv_python, version):
    done = run_program(pyenv_python(version), _payload.program(_payload.module_payload(PROBE), task()))

    assert done.returncode == 1
    result = json.loads(done.stdout)  # JSON, not a SyntaxError on stderr
    assert result["failed"] is True
    assert "needs Python 3.9 or later" in result["msg"]
    assert "is Python %s." % version in result["msg"]
    assert _payload.python_fix() in result["msg"]


def test_program_ignores_modules_in_the_current_directory(python39, tmp_path):
    (tmp_path / "json.py").write_text("raise SystemExit('the json.py of the current directory was imported')\n")
    (tmp_path / "zlib.py").write_text("raise SystemExit('the zlib.py of the current directory was imported')\n")

    done = run_program(python39, _payload.program(_payload.module_payload(PROBE), task()), cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["greeting"] == "Hello, Ada!"


# --- the sh command (local connection) --------------------------------------------------------------------

def sh_command(interpreter=None):
    return _payload.remote_command(shell_loader.get("sh"), interpreter)


def run_sh(command: str, path: Path, python: str | None = None) -> subprocess.CompletedProcess:
    """Run ``command`` with /bin/sh, PATH=``path`` only, and a program on stdin that prints which Python ran it."""
    env = dict(os.environ, PATH=str(path))
    return subprocess.run(["/bin/sh", "-c", command], input=b"import sys; print(sys.executable)\n",
                          capture_output=True, env=env, check=False)


def link(directory: Path, name: str, target: str) -> Path:
    directory.mkdir(exist_ok=True)
    (directory / name).symlink_to(target)
    return directory / name


def test_sh_command_prefers_python3_on_path(tmp_path, python39, pyenv_python):
    link(tmp_path / "bin", "python", pyenv_python("3.11"))
    python3 = link(tmp_path / "bin", "python3", python39)

    done = run_sh(sh_command(), tmp_path / "bin")

    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().strip() == str(python3)


def test_sh_command_falls_back_to_python(tmp_path, python39):
    python = link(tmp_path / "bin", "python", python39)

    done = run_sh(sh_command(), tmp_path / "bin")

    assert done.stdout.decode().strip() == str(python)


def test_sh_command_without_python_prints_a_json_failure_naming_the_fix(tmp_path):
    (tmp_path / "bin").mkdir()

    done = run_sh(sh_command(), tmp_path / "bin")

    assert done.returncode == 1
    result = json.loads(done.stdout)
    assert result == {"failed": True, "msg": "No Python found on the host (looked for python3 and python on PATH): "
                                             + _payload.python_fix() + "."}


def test_sh_command_uses_the_configured_interpreter_even_with_spaces_and_quotes(tmp_path, python39):
    interpreter = link(tmp_path / "it's a dir", "py 3", python39)
    (tmp_path / "bin").mkdir()

    done = run_sh(sh_command(str(interpreter)), tmp_path / "bin")

    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().strip() == str(interpreter)


def test_sh_command_with_a_missing_configured_interpreter_names_it_and_the_fix(tmp_path, python39):
    link(tmp_path / "bin", "python3", python39)

    done = run_sh(sh_command("/opt/nowhere/python3"), tmp_path / "bin")

    assert done.returncode == 1
    msg = json.loads(done.stdout)["msg"]
    assert msg == ("The Python interpreter /opt/nowhere/python3 (ansible_python_interpreter) was not found on the "
                   "host: " + _payload.python_fix() + ".")


def test_the_failures_name_the_setting_the_caller_says_holds_the_interpreter(tmp_path, python39):
    link(tmp_path / "bin", "python3", python39)
    command = _payload.remote_command(shell_loader.get("sh"), "/opt/nowhere/python3", "python_interpreter")

    msg = json.loads(run_sh(command, tmp_path / "bin").stdout)["msg"]

    assert msg == ("The Python interpreter /opt/nowhere/python3 (python_interpreter) was not found on the host: "
                   "set python_interpreter for this host, or run the wtsadmin.rds.python_runtime role.")
    assert "ansible_python_interpreter" not in _payload.program("", _payload.task_message({}), "python_interpreter").decode("ascii")


def test_sh_command_passes_the_exit_code_through(tmp_path, python39):
    link(tmp_path / "bin", "python3", python39)
    env = dict(os.environ, PATH=str(tmp_path / "bin"))

    done = subprocess.run(["/bin/sh", "-c", sh_command()], input=b"raise SystemExit(7)\n", env=env, check=False)

    assert done.returncode == 7


# --- the PowerShell command (winrm, psrp, ssh to Windows) ------------------------------------------------

def powershell_script(interpreter=None, shell="powershell") -> str:
    """The PowerShell text inside the command, decoded from -EncodedCommand."""
    command = _payload.remote_command(shell_loader.get(shell), interpreter)
    assert command.startswith(ENCODED_PREFIX)
    return base64.b64decode(command[len(ENCODED_PREFIX):]).decode("utf-16-le")


def failure_json(script: str) -> dict:
    """The JSON failure the script writes when no Python can be started."""
    literal = re.search(r"if \(-not \$p\) \{ '((?:[^']|'')*)'; exit 1 \}", script).group(1)
    return json.loads(literal.replace("''", "'"))


def test_powershell_command_is_the_encoded_form_winrm_and_psrp_pass_through_unchanged():
    shell = shell_loader.get("powershell")
    command = _payload.remote_command(shell, None)

    # winrm and psrp recognise this prefix (ansible-core's own _common_args) and run the script as it is,
    # instead of encoding it again
    assert command.startswith(" ".join(powershell_shell._common_args) + " -EncodedCommand ")
    assert command.startswith(ENCODED_PREFIX) and ENCODED_PREFIX == _payload.ENCODED_PREFIX
    assert command.isascii() and " " not in command[len(ENCODED_PREFIX):]


def test_powershell_command_does_not_use_the_shell_plugins_deprecated_encoder(monkeypatch):
    # ansible-core 2.21 deprecates PowerShell._encode_script: using it would warn on every task.
    shell = shell_loader.get("powershell")

    def deprecated(*args, **kwargs):
        raise AssertionError("_encode_script called")

    monkeypatch.setattr(type(shell), "_encode_script", deprecated)

    assert "$input | & $p @a " in powershell_script()


def test_powershell_discovery_tries_the_py_launcher_then_python_exe_but_not_the_store_alias():
    script = powershell_script()

    assert script == (
        "$a = @('-3'); $p = Get-Command -Name py.exe -CommandType Application -ErrorAction Ignore"
        " | Select-Object -First 1\n"
        "if (-not $p) { $a = @(); $p = Get-Command -Name python.exe -CommandType Application -ErrorAction Ignore"
        " | Where-Object Path -NotLike '*\\WindowsApps\\*' | Select-Object -First 1 }\n"
        "if (-not $p) { '" + json.dumps(failure_json(script)) + "'; exit 1 }\n"
        "$input | & $p @a '-E' '-s' '-'\n"
        "exit $LASTEXITCODE"
    )
    assert failure_json(script) == {
        "failed": True,
        "msg": "No Python found on the host (looked for the py launcher and python.exe on PATH): " + _payload.python_fix() + ".",
    }


def test_powershell_uses_the_configured_interpreter_quoted_and_names_it_when_missing():
    interpreter = "C:\\Program Files\\Bob's Python\\python.exe"

    script = powershell_script(interpreter)

    assert script.splitlines()[0] == (
        "$a = @(); $p = Get-Command -Name ([Management.Automation.WildcardPattern]::Escape("
        "'C:\\Program Files\\Bob''s Python\\python.exe')) -CommandType Application -ErrorAction Ignore"
        " | Select-Object -First 1")
    assert "py.exe" not in script
    assert failure_json(script)["msg"] == (
        "The Python interpreter " + interpreter + " (ansible_python_interpreter) was not found on the host: "
        + _payload.python_fix() + ".")
    assert script.endswith("$input | & $p @a '-E' '-s' '-'\nexit $LASTEXITCODE")


def test_powershell_quotes_every_single_quote_character_powershell_knows():
    script = powershell_script("C:\\\u2018odd\u2019\\python.exe")

    assert "'C:\\\u2018\u2018odd\u2019\u2019\\python.exe'" in script


def test_ssh_with_the_cmd_shell_gets_the_same_powershell_command():
    assert powershell_script(shell="cmd") == powershell_script()


def test_powershell_command_fits_a_windows_command_line_with_room_to_spare():
    # Not compared with ansible-core's own bootstrap: that is several times longer than this command since
    # ansible-core 2.19 and shorter before (2.16 to 2.18 send their exec wrapper on stdin instead).
    shell = shell_loader.get("powershell")

    assert len(_payload.remote_command(shell, None)) < 2000  # far below the 8191 characters of a command line


def test_other_shell_families_are_refused_with_a_message():
    class Fish:
        SHELL_FAMILY = "fish"

    with pytest.raises(ValueError, match="PowerShell .* or POSIX sh .*not the 'fish' shell"):
        _payload.remote_command(Fish(), None)


# --- the script read by a real PowerShell grammar (issue #19, items 2 and 13) -----------------------------

HOSTILE_PATHS = [
    "C:\\Py\u2019; Start-Process calc; \u2019x\\python.exe",  # each Unicode single quote ends a string too
    "C:\\Py\u2018; calc; \u2018\\python.exe", "C:\\Py\u201a; calc\\python.exe", "C:\\Py\u201b; calc\\python.exe",
    "C:\\Py'; Start-Process calc; 'x\\python.exe", "C:\\Py''\u2019'\\python.exe", "C:\\Py$(calc)\\python.exe",
    "C:\\Py`$x\\python.exe", 'C:\\Py"; calc; "\\python.exe', "C:\\Py\u201c$(calc)\u201d\\python.exe",
    "C:\\Py[3]\\python*.exe", "C:\\Py\nStart-Process calc\\python.exe", "C:\\Py'@\n'@\\python.exe",
]


@pytest.mark.parametrize("interpreter", HOSTILE_PATHS)
def test_the_configured_interpreter_stays_one_string_literal_whatever_it_holds(interpreter):
    assert_stays_one_literal(powershell_script, interpreter, benign="C:\\Python312\\python.exe")


@pytest.mark.parametrize("interpreter", [None, "C:\\Python312\\python.exe"])
def test_the_script_parses_as_powershell_and_runs_the_command_found_not_a_path_string(interpreter):
    script = parse(powershell_script(interpreter))

    calls = [node for node in script.nodes() if node.type == "command" and node.text.startswith(b"&")]
    assert [call.text.decode() for call in calls] == ["& $p @a '-E' '-s' '-'"]


def test_a_configured_interpreter_is_looked_up_literally_not_as_a_wildcard_pattern():
    # issue #19, item 13: Get-Command <path> took [ ] * ? as wildcards
    script = powershell_script("C:\\Py[3]\\python?.exe")
    lookup = script.splitlines()[0]

    assert lookup.startswith("$a = @(); $p = Get-Command -Name ([Management.Automation.WildcardPattern]::Escape(")
    assert string_literals(lookup) == ["C:\\Py[3]\\python?.exe"]
