# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The payload runner: runs one module of this collection on the host and prints its one JSON result.
#
# The payload's bootstrap (plugins/plugin_utils/_payload.py) executes this file's source and calls run().
# ansible.module_utils.basic cannot be imported on Windows (it needs grp, pwd and fcntl), so run() puts a
# small stand-in under that name in sys.modules and serves the collection's module_utils from the payload,
# then loads the module and calls its main(). Standard library only; nothing POSIX-only is imported.

import datetime
import importlib.util
import json
import linecache
import sys
import traceback
import types

MODULE_NAME = "__wtsadmin_rds_module__"  # the module runs under this name, so `if __name__ == "__main__"` stays quiet
_BOOLEANS_TRUE = frozenset(("y", "yes", "on", "1", "true", "t", 1, 1.0, True))
_BOOLEANS_FALSE = frozenset(("n", "no", "off", "0", "false", "f", "", 0, 0.0, False))


def run(payload, task):
    """Run the payload's module for one task, print its result as one line of ASCII JSON, return the exit code.

    ``payload``: ``module`` and ``runner`` (dotted names) and ``sources`` (dotted name -> source text).
    ``task``: ``params`` (validated on the controller), ``check_mode``, ``diff``, ``verbosity``, ``no_log``.
    Whatever the module prints itself goes to stderr, so stdout carries the result alone.
    """
    stdout = sys.stdout
    sys.stdout = sys.stderr
    result = execute(payload, task)
    try:
        text = jsonify(result)
    except (TypeError, ValueError) as exc:
        result = {"failed": True, "msg": "The module's result cannot be sent as JSON: %s" % exc}
        text = jsonify(result)
    stdout.write(text + "\n")
    stdout.flush()
    return 1 if result.get("failed") else 0


def execute(payload, task):
    """Install the stand-in ``ansible`` and the module_utils importer, run the module's main(), return its result."""
    sources = payload["sources"]
    _install(sources, task)
    try:
        module = _load(payload["module"], sources[payload["module"]])
        module.main()
    except ModuleExit as done:
        return done.result
    except SystemExit as exc:
        return {"failed": True, "msg": "The module exited (code %s) without a result." % exc.code}
    except Exception as exc:
        return {"failed": True, "msg": str(exc) or type(exc).__name__, "exception": traceback.format_exc()}
    return {"failed": True, "msg": "The module's main() returned without calling exit_json() or fail_json()."}


def jsonify(data):
    """``data`` as JSON text, ASCII only (non-ASCII characters as \\u escapes); sets become lists, dates ISO 8601."""
    return json.dumps(data, ensure_ascii=True, default=_json_default)


def _json_default(value):
    if isinstance(value, (set, frozenset)):
        return list(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


def _filename(name):
    """The name tracebacks show for the source of dotted ``name``: its path inside the collection tree."""
    return name.replace(".", "/") + ".py"


def _install(sources, task):
    ansible = types.ModuleType("ansible")
    ansible.__path__ = []
    module_utils = types.ModuleType("ansible.module_utils")
    module_utils.__path__ = []
    basic = types.ModuleType("ansible.module_utils.basic")
    basic.AnsibleModule = type("AnsibleModule", (AnsibleModule,), {"_task": task})
    ansible.module_utils = module_utils
    module_utils.basic = basic
    sys.modules.update({"ansible": ansible, "ansible.module_utils": module_utils, "ansible.module_utils.basic": basic})
    sys.meta_path.insert(0, SourceImporter(sources))


def _load(name, source):
    module = types.ModuleType(MODULE_NAME)
    module.__file__ = _filename(name)
    sys.modules[MODULE_NAME] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module


class SourceImporter:
    """A meta path finder and loader that imports the payload's sources by their dotted names.

    Every dotted prefix of a served name is a package (``ansible_collections``, ..., ``plugins.module_utils``),
    empty unless the payload has a source for it. Sources are also put in ``linecache`` so that tracebacks
    show their lines.
    """

    def __init__(self, sources):
        self._sources = sources
        self._packages = set()
        for name, source in sources.items():
            parts = name.split(".")
            self._packages.update(".".join(parts[:end]) for end in range(1, len(parts)))
            linecache.cache[_filename(name)] = (len(source), None, source.splitlines(True), _filename(name))

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self._sources and fullname not in self._packages:
            return None
        return importlib.util.spec_from_loader(
            fullname, self, origin=_filename(fullname), is_package=fullname in self._packages)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        source = self._sources.get(module.__name__)
        if source is not None:
            module.__file__ = _filename(module.__name__)
            exec(compile(source, module.__file__, "exec"), module.__dict__)


class ModuleExit(SystemExit):
    """Raised by exit_json()/fail_json(): carries the module's result to run()."""

    def __init__(self, result):
        super().__init__(1 if result.get("failed") else 0)
        self.result = result


class AnsibleModule:
    """The part of ``ansible.module_utils.basic.AnsibleModule`` that modules use, safe on Windows.

    The controller has validated the parameters against the same keyword arguments already (types
    converted, defaults filled in), so they are taken as they come; the keyword arguments are accepted
    for compatibility and kept as attributes.
    """

    _task = {}  # what the controller sent for this task; set on the class that run() installs

    def __init__(self, argument_spec, bypass_checks=False, no_log=False, mutually_exclusive=None,
                 required_together=None, required_one_of=None, add_file_common_args=False,
                 supports_check_mode=False, required_if=None, required_by=None):
        self.argument_spec = argument_spec
        self.supports_check_mode = supports_check_mode
        self.no_log = no_log
        self.params = dict(self._task["params"])
        self.check_mode = self._task["check_mode"]
        self._diff = self._task["diff"]
        self._verbosity = self._task["verbosity"]
        self._warnings = []
        self._deprecations = []

    def warn(self, warning):
        self._warnings.append(warning)

    def deprecate(self, msg, version=None, date=None, collection_name=None):
        self._deprecations.append({"msg": msg, "version": version, "date": date, "collection_name": collection_name})

    def log(self, msg, log_args=None):
        """Windows hosts have no syslog; accepted so that module code written for AnsibleModule runs."""

    def debug(self, msg):
        """See log()."""

    def boolean(self, arg):
        """``arg`` as a bool the way Ansible reads booleans (yes/no, on/off, true/false, 1/0); None stays None."""
        if arg is None:
            return None
        value = arg.strip().lower() if isinstance(arg, str) else arg
        if value in _BOOLEANS_TRUE:
            return True
        if value in _BOOLEANS_FALSE:
            return False
        self.fail_json(msg="The value %r is not a valid boolean. Valid booleans include: %s"
                       % (arg, ", ".join(sorted(repr(b) for b in _BOOLEANS_TRUE | _BOOLEANS_FALSE if isinstance(b, str)))))

    @staticmethod
    def jsonify(data):
        return jsonify(data)

    def exit_json(self, **kwargs):
        raise ModuleExit(self._result(kwargs))

    def fail_json(self, msg, **kwargs):
        kwargs.update(failed=True, msg=msg)
        if "exception" not in kwargs and sys.exc_info()[1] is not None:
            kwargs["exception"] = traceback.format_exc()
        raise ModuleExit(self._result(kwargs))

    def _result(self, result):
        warnings = list(result.pop("warnings", ())) + self._warnings
        if warnings:
            result["warnings"] = warnings
        if self._deprecations:
            result["deprecations"] = self._deprecations
        if not self._task["no_log"]:
            result.setdefault("invocation", {"module_args": self.params})
        return result
