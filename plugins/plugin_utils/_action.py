# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The shared base of this collection's action plugins (controller only). Every module has an action plugin
# of the same name, plugins/action/<module>.py, which is only:
#
#     class ActionModule(RdsModuleAction):
#         """Runs the module of this file's name ..."""
#
# The module it runs is the one named like the action plugin's own file (``_module_name``); ansible-test's
# action-plugin-docs sanity test checks that each action plugin has that module. (meta/runtime.yml's
# plugin_routing ``action_plugin`` could send every module to one shared action plugin, but that plugin would
# have no module of its own name, which the same sanity test refuses.) The action plugin validates the task's
# arguments against the module's own module_args() (read at most once per run, see _build.py), then runs the
# module on the host with one remote command: the payload program on stdin, its JSON result on stdout.
# docs/execution-model.md explains why and how.

import json
from types import SimpleNamespace

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import ArgumentValueError, UnsupportedError
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.wtsadmin.rds.plugins.module_utils._limits import option_problems
from ansible_collections.wtsadmin.rds.plugins.plugin_utils._build import module_build, prepare
from ansible_collections.wtsadmin.rds.plugins.plugin_utils._payload import program, remote_command, task_message

display = Display()

_VALIDATOR_ARGS = ("mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by")
_DISCOVER = frozenset(("", "auto", "auto_silent", "auto_legacy", "auto_legacy_silent"))  # Ansible's "find it" values
# Connections that wrap every command in PowerShell -EncodedCommand themselves: they get the script, so that
# they start PowerShell once (ansible-core's winrm before 2.19 also wraps a command that is encoded already).
_ENCODING_CONNECTIONS = frozenset(("winrm", "ansible.builtin.winrm"))
_EXCERPT = 1000  # characters of stdout/stderr shown when the host's reply is not a result
_VALIDATORS = {}  # id of a module_args dict -> (that dict, its ArgumentSpecValidator): see _validator
ASYNC_REFUSED = (
    "%s does not support async: a wtsadmin.rds task is one remote command whose result is read when it ends "
    "(docs/execution-model.md). Remove async and poll. To wait for users, run wtsadmin.rds.win_rds_wait (until: "
    "no_user_sessions, with its own timeout); to start logoffs without waiting for them, give "
    "wtsadmin.rds.win_rds_session wait: false; to work many servers at once, list them in server: (they are "
    "worked concurrently) instead of poll: 0.")
BECOME_IGNORED = (
    "become is ignored by %s: wtsadmin.rds modules run as the connecting account (ansible_user), which also "
    "reaches the servers named in server:. Give that account the Remote Desktop Services permissions the task "
    "needs (docs/getting-started.md) and remove become.")


class RdsModuleAction(ActionBase):
    """Runs the module named like the action plugin's own file, of the same collection, on the host, through
    the collection's own payload runner.

    Asynchronous tasks are refused with ASYNC_REFUSED; check mode is honoured as the module's
    ``supports_check_mode`` says; become is not used, and a task that asks for it gets BECOME_IGNORED.
    """

    def __init_subclass__(cls, **kwargs):
        """Each action plugin's class, when Ansible's strategy imports it in the main process, builds its module
        there for every worker it forks (_build.prepare) and runs the code every task runs once (_warm_up)."""
        super().__init_subclass__(**kwargs)
        build = prepare(_module_of(cls))
        if build is not None:
            _warm_up(build)

    def run(self, tmp=None, task_vars=None):
        build = module_build(self._module_name())
        spec = build.module_args
        self._supports_check_mode = spec.get("supports_check_mode", False)
        if self._task.async_val:
            return {"failed": True, "msg": ASYNC_REFUSED % self._task.action}
        super().run(tmp, task_vars)

        checked = validate_args(spec, self._task.args)
        no_log_values = checked._no_log_values
        # Ansible shows a failed task's msg even under no_log: a no_log task's values are kept out of it.
        msg_hidden = no_log_values | _texts(self._task.args) if self._task.no_log else no_log_values
        if checked.errors.errors:
            msg = "; ".join(self._validation_message(error) for error in checked.errors.errors)
            return {"failed": True, "msg": remove_values(msg, msg_hidden)}

        try:
            command = remote_command(self._connection._shell, self._interpreter(task_vars or {}),
                                     encoded=getattr(self._connection, "transport", None) not in _ENCODING_CONNECTIONS)
        except ValueError as exc:
            return {"failed": True, "msg": str(exc)}
        task = task_message(checked.validated_parameters, check_mode=self._task.check_mode, diff=self._task.diff,
                            verbosity=display.verbosity, no_log=self._task.no_log)
        stdin = program(build.payload, task)
        reply = self._low_level_execute_command(command, sudoable=False, in_data=stdin)

        result = self._result(reply)
        if no_log_values:  # walking a result of thousands of sessions costs more than the rest of the task
            result = remove_values(result, no_log_values)
        if "msg" in result and msg_hidden:
            result["msg"] = remove_values(result["msg"], msg_hidden)
        warnings = ["Both option %(option)s and its alias %(alias)s are set." % w for w in checked._warnings]
        if self._play_context.become:
            warnings.append(BECOME_IGNORED % self._task.action)
        warnings += result.get("warnings", [])
        deprecations = checked._deprecations
        # Ansible prints warnings and deprecations even under no_log: they are masked exactly like msg.
        if warnings:
            result["warnings"] = remove_values(warnings, msg_hidden)
        if deprecations:
            result["deprecations"] = remove_values(deprecations, msg_hidden)
        return result

    def _module_name(self):
        """The dotted name of the module this action plugin runs (``_module_of``)."""
        return _module_of(type(self))

    def _validation_message(self, error):
        if isinstance(error, UnsupportedError):
            return "Unsupported parameters for (%s) module: %s" % (self._task.action, error.msg)
        return error.msg

    def _interpreter(self, task_vars):
        """The host's ``ansible_python_interpreter`` (templated), or None to look for Python on the host."""
        value = task_vars.get("ansible_python_interpreter")
        if value is None:
            return None
        value = str(self._templar.template(value)).strip()
        return None if value in _DISCOVER else value

    def _result(self, reply):
        """The module's result from the host's reply, or a failure that shows what came back instead."""
        result = parse_result(reply["stdout"])
        if result is not None:
            return result
        return {
            "failed": True,
            "msg": "The host did not return a JSON result for %s (rc=%s). stdout: %r; stderr: %r"
                   % (self._task.action, reply["rc"], _excerpt(reply["stdout"]), _excerpt(reply["stderr"])),
            "rc": reply["rc"],
            "module_stdout": reply["stdout"],
            "module_stderr": reply["stderr"],
        }


def _module_of(action_class):
    """The dotted name of the module an action plugin class runs: ``NS.NAME.plugins.action.X`` (the Python module
    of the action plugin's file, plugins/action/X.py) runs ``NS.NAME.plugins.modules.X``."""
    collection, _action, name = action_class.__module__.rpartition(".plugins.action.")
    return "%s.plugins.modules.%s" % (collection, name)


def validate_args(module_args, args):
    """``args`` checked against a module's ``module_args()`` (its argument spec and the constraints between
    options), as Ansible's ValidationResult: ``validated_parameters`` (defaults filled in) and ``errors``.

    Values of the right type that Windows cannot take as given (``_limits.option_problems``: integers that
    do not fit their Windows type, inf and nan, NUL characters, empty names, an empty server list) are errors
    too, checked once Ansible's own checks passed."""
    # A plain dict: the validator deep-copies what it is given, which for Ansible's tagged dict of a task's
    # arguments rebuilds the dict and its tags, several times the cost of the rest of the copy.
    result = _validator(module_args).validate(dict(args))
    if not result.errors.errors:
        for problem in option_problems(module_args["argument_spec"], result.validated_parameters):
            result.errors.append(ArgumentValueError(problem))
    return result


def _validator(module_args):
    """The ArgumentSpecValidator of ``module_args``, made once per process (its constructor deep-copies the
    spec); the one an action plugin's class made in the main process serves every worker forked after it. A
    worker validates one task, so no validator is used twice."""
    entry = _VALIDATORS.get(id(module_args))
    if entry is None or entry[0] is not module_args:
        validator = ArgumentSpecValidator(module_args["argument_spec"],
                                          **{key: module_args.get(key) for key in _VALIDATOR_ARGS})
        entry = _VALIDATORS[id(module_args)] = (module_args, validator)
    return entry[1]


def _warm_up(build):
    """Run, in the process that forks the workers, the code of a task that does not depend on the task: the
    argument validation (its validator made here too), the program (its frame made here too, see
    _payload.program_frame), the remote command and reading a reply. Python specializes code while it runs it,
    writing into it, and some code fills caches when first used: done here, every forked worker runs it ready
    instead of writing to, and so copying, the pages that hold it (a third of the validation's CPU in a worker)."""
    for _twice in range(2):  # Python specializes an instruction the second time it runs it
        validate_args(build.module_args, {})
        program(build.payload, task_message({}))
        for family in ("sh", "powershell"):
            remote_command(SimpleNamespace(SHELL_FAMILY=family), None)  # all it reads of a shell plugin
        parse_result('{"changed": false}')


def parse_result(stdout):
    """The module result a host printed on ``stdout`` (str or bytes): its JSON object, or None when it is none."""
    try:
        result = json.loads(stdout)
    except ValueError:
        return None
    return result if isinstance(result, dict) else None


def _texts(value):
    """Every non-empty string in ``value`` and the lists and dicts nested in it."""
    if isinstance(value, str):
        return {value} if value else set()
    items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
    return set().union(*(_texts(item) for item in items))


def _excerpt(text):
    """The end of ``text`` (where a traceback says what went wrong), at most _EXCERPT characters."""
    text = text.strip()
    return text if len(text) <= _EXCERPT else "..." + text[-_EXCERPT:]
