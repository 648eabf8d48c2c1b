# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shared action base (plugins/plugin_utils/_action.py), driven through the test-only collection
rdsfixture.runner: in this process over a real local connection, and end to end with ansible-playbook."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ansible.errors import AnsibleActionSkip
from play_values import from_a_play
from ansible.utils.display import Display

from ansible_collections.wtsadmin.rds.plugins.plugin_utils import _build, _payload
from ansible_collections.wtsadmin.rds.plugins.plugin_utils._action import parse_result, validate_args

try:  # ansible-core 2.19 and later template only trusted strings (inventory values are trusted)
    from ansible.template import trust_as_template
except ImportError:  # ansible-core 2.16 to 2.18 template every string: nothing to mark
    def trust_as_template(value):
        return value

# ansible-core's own refusal (ActionBase.run): "... does not support check mode" since 2.19, "check mode is
# not supported for this task" in 2.16 to 2.18.
ANSIBLE_SAYS_NO_CHECK_MODE = r"does not support check mode|check mode is not supported for this task"

FIXTURES = Path(__file__).parent / "fixtures"
COLLECTIONS = Path(__file__).parents[4] / ".build" / "collections"
ENCODED_PREFIX = "PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand "


def script(path: Path, text: str) -> str:
    """An executable shell script standing in for a broken interpreter."""
    path.write_text("#!/bin/sh\n" + text + "\n")
    path.chmod(0o755)
    return str(path)


# --- the helpers other controller plugins share (the rds_servers inventory) ------------------------------

def test_validate_args_applies_the_spec_its_defaults_and_the_constraints_between_options():
    spec = {"argument_spec": {"event": {"type": "list", "elements": "str"}, "until": {"type": "str"},
                              "timeout": {"type": "int", "default": 300}},
            "mutually_exclusive": [["event", "until"]]}

    assert validate_args(spec, {"until": "x"}).validated_parameters == {"event": None, "until": "x", "timeout": 300}
    errors = validate_args(spec, {"event": ["logon"], "until": "x"}).errors.errors
    assert [error.msg for error in errors] == ["parameters are mutually exclusive: event|until"]


def test_validate_args_takes_the_arguments_as_a_play_gives_them_and_leaves_them_as_they_were():
    spec = {"argument_spec": {"names": {"type": "list", "elements": "str", "aliases": ["name"]},
                              "timeout": {"type": "int", "default": 300}}}
    args = from_a_play({"name": from_a_play([from_a_play("Zoë")]), "timeout": from_a_play("30")})
    given = json.dumps(args)

    checked = validate_args(spec, args)

    assert not checked.errors.errors
    assert checked.validated_parameters == validate_args(spec, json.loads(given)).validated_parameters
    assert (checked.validated_parameters["names"], checked.validated_parameters["timeout"]) == (["Zoë"], 30)
    assert json.dumps(args) == given and type(args) is type(from_a_play({}))


MODULES = COLLECTIONS / "ansible_collections" / "wtsadmin" / "rds" / "plugins" / "modules"


@pytest.mark.parametrize("module", sorted(path.stem for path in MODULES.glob("win_*.py")))
def test_the_warm_up_in_the_main_process_runs_for_every_module_and_changes_no_later_validation(module):
    from ansible_collections.wtsadmin.rds.plugins.plugin_utils import _action  # pylint: disable=import-outside-toplevel

    module_args = __import__("ansible_collections.wtsadmin.rds.plugins.modules." + module, fromlist=["x"]).module_args()
    before = validate_args(module_args, {"no_such_option": 1})
    _action._warm_up(_build.Build("PAYLOAD", module_args))  # no arguments: an error for a required option, never an exception
    after = validate_args(module_args, {"no_such_option": 1})
    assert [str(error) for error in after.errors.errors] == [str(error) for error in before.errors.errors]
    assert after.validated_parameters == before.validated_parameters


@pytest.mark.parametrize("stdout, result", [
    ('{"changed": false}', {"changed": False}),
    (b'{"failed": true, "msg": "x"}\r\n', {"failed": True, "msg": "x"}),
    ("Traceback (most recent call last):", None),
    ("[1, 2]", None),
    (b"\xff\xfe", None),
    ("", None),
])
def test_parse_result_takes_only_a_json_object(stdout, result):
    assert parse_result(stdout) == result


# --- argument validation on the controller ---------------------------------------------------------------

@pytest.mark.parametrize("args, msg", [
    ({"times": 2}, "missing required arguments: name"),
    ({"name": "Ada", "times": "many"}, "argument 'times' is of type"),
    ({"name": "Ada", "times": "many"}, "we were unable to convert to int"),
    ({"name": "Ada", "colour": "red"},
     "Unsupported parameters for (rdsfixture.runner.probe) module: colour. Supported parameters include: "),
    ({"name": "Ada", "behaviour": "fail"}, "behaviour is fail but all of the following are missing: message"),
    ({"name": "Ada", "behaviour": "dance"}, "value of behaviour must be one of: succeed, warn, fail, raise, exit, "),
])
def test_invalid_arguments_fail_naming_the_option_without_contacting_the_host(action_for, args, msg):
    probe = action_for(args=args)

    result = probe.run()

    assert result["failed"] is True
    assert msg in result["msg"]
    assert probe.commands == []


def test_every_argument_error_is_reported_at_once(action_for):
    result = action_for(args={"times": "many"}).run()

    assert "missing required arguments: name" in result["msg"]
    assert "argument 'times' is of type" in result["msg"]


def test_argument_errors_do_not_show_no_log_values(action_for):
    result = action_for(args={"name": "Ada", "secret": "hunter2", "behaviour": "hunter2"}).run()

    assert "value of behaviour must be one of" in result["msg"]
    assert "hunter2" not in result["msg"]


def test_check_mode_is_skipped_for_a_module_that_does_not_support_it(action_for):
    nocheck = action_for("nocheck", check_mode=True)

    with pytest.raises(AnsibleActionSkip, match=ANSIBLE_SAYS_NO_CHECK_MODE):
        nocheck.run()
    assert nocheck.commands == []


def test_async_is_refused_saying_why_and_what_to_use_instead(action_for):
    probe = action_for(args={"name": "Ada"}, async_val=30)

    result = probe.run()

    assert result["failed"] is True
    assert result["msg"].startswith("rdsfixture.runner.probe does not support async: ")
    assert "win_rds_wait" in result["msg"] and "wait: false" in result["msg"] and "poll: 0" in result["msg"]
    assert probe.commands == []


def test_become_is_ignored_with_a_warning_that_says_who_runs_the_task(action_for, python39):
    probe = action_for(args={"name": "Ada"})
    probe.action._play_context.become = True

    result = probe.run(ansible_python_interpreter=python39)

    assert "failed" not in result
    assert [w for w in result["warnings"] if w.startswith("become is ignored by rdsfixture.runner.probe")]
    assert "ansible_user" in result["warnings"][-1]


def test_no_become_no_warning(action_for, python39):
    assert "warnings" not in action_for(args={"name": "Ada"}).run(ansible_python_interpreter=python39)


# --- round trips with a real local Python (sh) -----------------------------------------------------------

def test_round_trip_runs_the_module_with_validated_parameters_in_one_remote_command(action_for, python39):
    probe = action_for(args={"who": "Zoë", "times": "2"})

    result = probe.run(ansible_python_interpreter=python39)

    assert result["changed"] is True
    assert result["greeting"] == "Hello, Zoë! Hello, Zoë!"
    assert result["invocation"]["module_args"]["times"] == 2  # converted, and defaults filled in:
    assert result["invocation"]["module_args"]["behaviour"] == "succeed"
    assert len(probe.commands) == 1
    command, stdin = probe.commands[0]
    assert stdin.isascii() and b"zlib" in stdin
    assert len(command) < 1000 and "zlib" not in command  # the payload travels on stdin, never on the command line


def test_round_trip_under_a_python_that_cannot_import_posix_only_modules(action_for, posix_blocked_python):
    result = action_for(args={"name": "Windows"}).run(ansible_python_interpreter=posix_blocked_python)

    assert result.get("failed") is not True, result
    assert result["greeting"] == "Hello, Windows!"
    assert result["executable"] == posix_blocked_python


def test_check_mode_diff_and_verbosity_reach_the_module(action_for, python39, monkeypatch):
    monkeypatch.setattr(Display(), "verbosity", 3)

    result = action_for(args={"name": "Ada"}, check_mode=True, diff=True).run(ansible_python_interpreter=python39)

    assert (result["check_mode"], result["changed"], result["diff_mode"], result["verbosity"]) == (True, False, True, 3)


def test_no_log_values_are_masked_in_the_result(action_for, python39):
    result = action_for(args={"name": "Ada", "secret": "hunter2"}).run(ansible_python_interpreter=python39)

    assert "hunter2" not in json.dumps(result)
    assert result["told"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def test_a_no_log_task_returns_no_invocation(action_for, python39):
    result = action_for(args={"name": "Ada"}, no_log=True).run(ansible_python_interpreter=python39)

    assert result["greeting"] == "Hello, Ada!"
    assert "invocation" not in result


def test_warnings_of_the_controller_and_the_module_and_the_controllers_deprecations_are_returned(action_for, python39):
    probe = action_for(args={"name": "Ada", "who": "Ada", "behaviour": "warn", "old_option": "x"})

    result = probe.run(ansible_python_interpreter=python39)

    assert result["warnings"] == ["Both option name and its alias who are set.", "the probe warns"]
    assert [d["msg"] for d in result["deprecations"]] == [
        "Param 'old_option' is deprecated. See the module docs for more information"]
    assert all(d["version"] == "2.0.0" and d["collection_name"] == "rdsfixture.runner" for d in result["deprecations"])


def test_a_no_log_task_masks_its_values_in_warnings_and_deprecations_like_in_msg(action_for, python39):
    # Ansible prints warnings and deprecations even for a no_log task (issue #19, item 7).
    probe = action_for(args={"name": "Ada", "behaviour": "warn", "message": "RDSH-SECRET-07", "old_option": "x"},
                       no_log=True)

    result = probe.run(ansible_python_interpreter=python39)

    assert result["warnings"] and result["deprecations"]
    assert "RDSH-SECRET-07" not in json.dumps(result)
    assert result["warnings"][0].endswith(": ********")


def test_no_log_option_values_are_masked_in_warnings(action_for, python39):
    probe = action_for(args={"name": "Ada", "behaviour": "warn", "message": "hunter2", "secret": "hunter2"})

    result = probe.run(ansible_python_interpreter=python39)

    assert "hunter2" not in json.dumps(result)


def test_the_interpreter_variable_is_templated(action_for, python39):
    probe = action_for(args={"name": "Ada"})
    probe.action._templar.available_variables = {"python_home": str(Path(python39).parent.parent)}

    result = probe.run(  # as it comes from an inventory file: a trusted template
        ansible_python_interpreter=trust_as_template("{{ python_home }}/bin/python"))

    assert result.get("executable") == python39, result


@pytest.mark.parametrize("setting", [None, "auto", "auto_silent"])
def test_without_an_interpreter_python_is_found_on_the_host(action_for, python39, tmp_path, monkeypatch, setting):
    (tmp_path / "python3").symlink_to(python39)
    monkeypatch.setenv("PATH", str(tmp_path))
    task_vars = {} if setting is None else {"ansible_python_interpreter": setting}

    result = action_for(args={"name": "Ada"}).run(**task_vars)

    assert result["executable"] == str(tmp_path / "python3")


# --- what users see when something goes wrong ------------------------------------------------------------

def test_no_python_on_the_host_fails_naming_the_fix(action_for, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))

    result = action_for(args={"name": "Ada"}).run()

    assert result["failed"] is True
    assert result["msg"].startswith("No Python found on the host")
    assert "set ansible_python_interpreter for this host, or run the wtsadmin.rds.python_runtime role" in result["msg"]


def test_a_missing_configured_interpreter_fails_naming_it(action_for, tmp_path):
    result = action_for(args={"name": "Ada"}).run(ansible_python_interpreter=str(tmp_path / "python.exe"))

    assert result["failed"] is True
    assert result["msg"].startswith("The Python interpreter %s (ansible_python_interpreter) was not found"
                                    % (tmp_path / "python.exe"))


def test_a_too_old_python_fails_naming_the_fix(action_for, pyenv_python):
    result = action_for(args={"name": "Ada"}).run(ansible_python_interpreter=pyenv_python("3.8"))

    assert result["failed"] is True
    assert "needs Python 3.9 or later on the host" in result["msg"]
    assert _payload.python_fix() in result["msg"]


def test_a_module_exception_fails_with_its_text_and_the_traceback(action_for, python39):
    result = action_for(args={"name": "Ada", "behaviour": "raise"}).run(ansible_python_interpreter=python39)

    assert result["failed"] is True
    assert result["msg"] == "the probe broke"
    assert 'plugins/modules/probe.py", line' in result["exception"]
    assert 'raise RuntimeError("the probe broke")' in result["exception"]


def test_fail_json_fails_with_the_modules_message_and_data(action_for, python39):
    result = action_for(args={"name": "Ada", "behaviour": "fail", "message": "no session 7"}).run(
        ansible_python_interpreter=python39)

    assert (result["failed"], result["msg"], result["probe"]) == (True, "no session 7", "failed on purpose")


def test_output_that_is_not_json_fails_showing_stdout_stderr_and_rc(action_for, tmp_path):
    banner = script(tmp_path / "python", "echo 'Welcome to RDSH01!'; echo 'a warning' >&2")

    result = action_for(args={"name": "Ada"}).run(ansible_python_interpreter=banner)

    assert result["failed"] is True
    assert result["msg"] == ("The host did not return a JSON result for rdsfixture.runner.probe (rc=0). "
                             "stdout: 'Welcome to RDSH01!'; stderr: 'a warning'")
    assert (result["rc"], result["module_stdout"], result["module_stderr"]) == (0, "Welcome to RDSH01!\n", "a warning\n")


def test_a_non_zero_exit_without_json_fails_with_the_end_of_stderr(action_for, tmp_path):
    crash = script(tmp_path / "python", "printf 'x%.0s' $(seq 3000) >&2; echo 'Fatal Python error: init_fs_encoding' >&2; "
                                        "exit 120")

    result = action_for(args={"name": "Ada"}).run(ansible_python_interpreter=crash)

    assert result["failed"] is True
    assert "(rc=120)" in result["msg"]
    assert result["msg"].endswith("Fatal Python error: init_fs_encoding'")
    assert len(result["msg"]) < 1200  # an excerpt; the whole of it is in module_stderr
    assert len(result["module_stderr"]) > 3000


# --- the PowerShell path (winrm, psrp, ssh to Windows) -----------------------------------------------------

def test_powershell_hosts_get_one_encoded_command_and_the_program_on_stdin(action_for):
    reply = {"rc": 0, "stdout": '{"changed": false, "greeting": "Hello, RDSH!"}\r\n', "stderr": ""}
    probe = action_for(args={"name": "RDSH"}, shell="powershell", reply=reply)

    result = probe.run(ansible_python_interpreter="C:\\Python311\\python.exe")

    assert result == {"changed": False, "greeting": "Hello, RDSH!"}
    [(command, stdin)] = probe.commands
    script = base64.b64decode(command[len(ENCODED_PREFIX):]).decode("utf-16-le")
    assert "Escape('C:\\Python311\\python.exe')" in script
    assert stdin.isascii() and stdin.startswith(b"import sys\n")


def test_a_shell_of_another_family_fails_without_running_anything(action_for, python39):
    probe = action_for(args={"name": "Ada"})
    probe.action._connection._shell.SHELL_FAMILY = "fish"

    result = probe.run(ansible_python_interpreter=python39)

    assert result["failed"] is True
    assert "not the 'fish' shell" in result["msg"]
    assert probe.commands == []


# --- end to end: ansible-playbook with the fixture collection ---------------------------------------------

PLAYBOOK = """
- hosts: all
  gather_facts: false
  tasks:
    - name: greet
      rdsfixture.runner.probe:
        name: Zoë
        times: "2"
        secret: hunter2
        behaviour: warn
    - name: check
      rdsfixture.runner.probe:
        name: Ada
      check_mode: true
      diff: true
    - name: broken
      rdsfixture.runner.probe:
        name: Ada
        behaviour: raise
      ignore_errors: true
    - name: invalid
      rdsfixture.runner.probe:
        times: 1
      ignore_errors: true
"""


def test_playbook_runs_fixture_modules_on_a_plain_and_on_a_posix_blocked_python(tmp_path, python39,
                                                                                posix_blocked_python):
    (tmp_path / "playbook.yml").write_text(PLAYBOOK, encoding="utf-8")
    (tmp_path / "inventory.yml").write_text(json.dumps({"all": {"hosts": {
        "plain": {"ansible_connection": "local",
                  "ansible_python_interpreter": "{{ lookup('ansible.builtin.env', 'PLAIN_PYTHON') }}"},
        "blocked": {"ansible_connection": "local", "ansible_python_interpreter": posix_blocked_python},
    }}}))
    env = dict(os.environ, PLAIN_PYTHON=python39, RDS_FIXTURE_RESULTS=str(tmp_path / "results.json"),
               ANSIBLE_CALLBACKS_ENABLED="rdsfixture.runner.results", ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH="%s:%s" % (COLLECTIONS, FIXTURES), ANSIBLE_HOME=str(tmp_path / "home"))

    done = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", "inventory.yml", "playbook.yml"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, check=False)

    assert done.returncode == 0, done.stdout + done.stderr
    tasks = json.loads((tmp_path / "results.json").read_text())
    for host, python in (("plain", python39), ("blocked", posix_blocked_python)):
        greet = tasks["greet"][host]
        assert greet["status"] == "ok"
        assert greet["result"]["greeting"] == "Hello, Zoë! Hello, Zoë!"
        assert greet["result"]["executable"] == python
        assert greet["result"]["warnings"] == ["the probe warns"]
        check = tasks["check"][host]
        assert (check["result"]["changed"], check["result"]["check_mode"], check["result"]["diff_mode"]) == (
            False, True, True)
        broken = tasks["broken"][host]
        assert (broken["status"], broken["result"]["msg"]) == ("failed", "the probe broke")
        invalid = tasks["invalid"][host]
        assert (invalid["status"], invalid["result"]["msg"]) == ("failed", "missing required arguments: name")
    assert "hunter2" not in json.dumps(tasks) + done.stdout + done.stderr
    assert "invalid item" not in done.stdout + done.stderr  # Ansible took the deprecations as they are
