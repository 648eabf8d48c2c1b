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
import marshal
import os
import sys
import types

try:  # the standard library's own SHA-256: hashlib loads OpenSSL (_hashlib) first, about 5 ms of every task
    from _sha2 import sha256  # Python 3.12 and later
except ImportError:
    try:
        from _sha256 import sha256  # Python 3.9 to 3.11
    except ImportError:  # a Python built without them
        from hashlib import sha256

CACHE_PATH = (".cache", "wtsadmin.rds", "bytecode")  # under the home directory on POSIX (Windows: _cache_acl.py)
MODULE_NAME = "__wtsadmin_rds_module__"  # the module runs under this name, so `if __name__ == "__main__"` stays quiet


def run(payload, task):
    """Run the payload's module for one task, print its result as one line of ASCII JSON, return the exit code.

    ``payload``: ``module`` and ``runner`` (dotted names) and ``sources`` (dotted name -> source text), as
    plugin_utils/_payload.py's module_payload() packs them.
    ``task``: the task message, built only by plugin_utils/_payload.py's task_message(): ``params`` (validated
    on the controller), ``check_mode``, ``diff``, ``verbosity``, ``no_log``.

    The reply, which the action plugin reads (plugin_utils/_action.py's parse_result):
    - stdout: exactly one line, a JSON object with ASCII only (other characters as \\u escapes): the keywords
      the module gave exit_json() or fail_json(); ``failed: true`` and ``msg`` on failure (``exception``: the
      traceback, when there was one); ``warnings`` when the module warned; ``invocation`` (``module_args``:
      the params) unless ``no_log``. A module that raised, exited or returned without a result gets
      ``failed: true`` and a ``msg`` saying so.
    - exit code: 1 when the result has ``failed: true``, else 0.
    - stderr: whatever the module printed itself, and nothing else of the runner's.
    Anything else on stdout (nothing, or text that is not one JSON object) means the runner never got to
    answer: Python could not start, was too old (the bootstrap's own one-line JSON failure), or died.
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
    compiler = BytecodeCache.open()
    _install(sources, task, compiler)
    try:
        module = _load(payload["module"], sources[payload["module"]], compiler)
        module.main()
    except ModuleExit as done:
        return done.result
    except SystemExit as exc:
        return {"failed": True, "msg": "The module exited (code %s) without a result." % exc.code}
    except Exception as exc:
        return {"failed": True, "msg": str(exc) or type(exc).__name__, "exception": format_exception(sources)}
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


def format_exception(sources):
    """The traceback of the exception being handled, as text, showing the lines of the payload's ``sources``.

    traceback and linecache are imported here, not when every task starts: with what they import they cost
    about 5 ms of a task's start, and only a failure needs them (docs/performance.md, "Host-side CPU").
    """
    import linecache
    import traceback

    for name, source in sources.items():
        linecache.cache[_filename(name)] = (len(source), None, source.splitlines(True), _filename(name))
    return traceback.format_exc()


def _filename(name):
    """The name tracebacks show for the source of dotted ``name``: its path inside the collection tree."""
    return name.replace(".", "/") + ".py"


def _install(sources, task, compiler):
    ansible = types.ModuleType("ansible")
    ansible.__path__ = []
    module_utils = types.ModuleType("ansible.module_utils")
    module_utils.__path__ = []
    basic = types.ModuleType("ansible.module_utils.basic")
    basic.AnsibleModule = type("AnsibleModule", (AnsibleModule,), {"_task": task, "_sources": sources})
    ansible.module_utils = module_utils
    module_utils.basic = basic
    sys.modules.update({"ansible": ansible, "ansible.module_utils": module_utils, "ansible.module_utils.basic": basic})
    sys.meta_path.insert(0, SourceImporter(sources, compiler))


def _load(name, source, compiler):
    module = types.ModuleType(MODULE_NAME)
    module.__file__ = _filename(name)
    sys.modules[MODULE_NAME] = module
    exec(compiler.compile(source, module.__file__), module.__dict__)
    return module


class BytecodeCache:
    """Compiles the payload's sources, keeping their code objects in a cache that only this user can write.

    Compiling about 100 KB of source is most of what the collection costs on the host; loading the same code
    with marshal costs a few percent of that. An entry is named by the SHA-256 of the interpreter's bytecode
    magic number and version, the source's file name and the source text, and starts with that hash again;
    an entry is used only when its directory and the entry itself are owned by this user, reached without
    following a symbolic link, and writable by nobody else: on POSIX by their owner and modes, on Windows by
    their owner and DACL, and those of every directory above (module_utils/_cache_acl.py). Anything else
    (another Python, another source, a damaged, foreign or unreadable entry, no such directory, a failed
    check) compiles the source as before. docs/security.md tells why the cache cannot be used to run code the
    controller did not send.
    """

    def __init__(self, store=None, local_app_data=None):
        # Where entries are read and written: PrivateDirectory (POSIX) or _cache_acl's checked CacheDirectory
        # (Windows), both with read(name) and write(name, data); None: no usable cache, compile every source.
        self._store = store
        self._local = local_app_data  # Windows: where to look, until the first compile() checks it

    @classmethod
    def open(cls, home=None, windows=os.name == "nt"):
        """The cache in ``home`` (default: the user's home directory; on Windows %LOCALAPPDATA%), or one that
        only compiles. On Windows the checks run at the first compile(), when the payload's modules can be
        imported."""
        if windows:
            return cls(local_app_data=home or os.environ.get("LOCALAPPDATA") or "")
        if os.name != "posix" or not hasattr(os, "O_NOFOLLOW") or os.open not in os.supports_dir_fd:
            return cls()
        path = os.path.join(home or os.path.expanduser("~"), *CACHE_PATH)
        try:
            os.makedirs(path, mode=0o700, exist_ok=True)
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            return cls()
        if not _private(os.fstat(fd), group_or_other=0o077):
            os.close(fd)
            return cls()
        return cls(PrivateDirectory(fd))

    def compile(self, source, filename):
        if self._local is not None:
            local, self._local = self._local, None  # _cache_acl itself is compiled from source meanwhile
            self._store = _windows_cache(local)
        if self._store is None:
            return compile(source, filename, "exec")
        parts = (importlib.util.MAGIC_NUMBER, sys.version.encode("utf-8"), filename.encode("utf-8"),
                 source.encode("utf-8"))
        key = sha256(b"\0".join(parts)).digest()
        name = key.hex() + ".bin"
        code = _code(self._store.read(name), key, filename)
        if code is None:
            code = compile(source, filename, "exec")
            self._store.write(name, key + marshal.dumps(code))
        return code


def _code(data, key, filename):
    """The code object of entry ``data`` (None: no entry) if it starts with ``key`` and holds code compiled for
    ``filename``, else None."""
    if data is None or data[:len(key)] != key:
        return None
    try:
        code = marshal.loads(data[len(key):])
    except (ValueError, EOFError, TypeError):
        return None
    return code if isinstance(code, types.CodeType) and code.co_filename == filename else None


class PrivateDirectory:
    """POSIX: the cache directory, open as ``directory_fd``; an entry is read only when it is owned by this user
    and writable by nobody else, and reached without following a symbolic link."""

    def __init__(self, directory_fd):
        self._fd = directory_fd

    def read(self, name):
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=self._fd)
        except OSError:
            return None
        try:
            with os.fdopen(fd, "rb") as handle:
                if not _private(os.fstat(handle.fileno()), group_or_other=0o022):
                    return None
                return handle.read()
        except OSError:
            return None

    def write(self, name, data):
        temp = "%s.%d.tmp" % (name, os.getpid())
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=self._fd)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, name, src_dir_fd=self._fd, dst_dir_fd=self._fd)  # atomic: whole entries only
        except OSError:
            try:
                os.unlink(temp, dir_fd=self._fd)
            except OSError:
                pass


def _windows_cache(local_app_data):
    """_cache_acl's checked cache directory under ``local_app_data``, or None: the module is the payload's
    (imported through the SourceImporter), and anything it did not expect means no cache, never a failure."""
    try:
        checks = importlib.import_module(__name__.rpartition(".")[0] + "._cache_acl")
        return checks.open_directory(local_app_data)
    except Exception:  # fail closed: compile from source
        return None


def _private(info, group_or_other):
    """Whether ``info`` (os.fstat) is owned by this process's user, with none of ``group_or_other`` mode bits."""
    return info.st_uid == os.geteuid() and not info.st_mode & group_or_other


class SourceImporter:
    """A meta path finder and loader that imports the payload's sources by their dotted names.

    Every dotted prefix of a served name is a package (``ansible_collections``, ..., ``plugins.module_utils``),
    empty unless the payload has a source for it.
    """

    def __init__(self, sources, compiler):
        self._sources = sources
        self._compiler = compiler
        self._packages = set()
        for name in sources:
            parts = name.split(".")
            self._packages.update(".".join(parts[:end]) for end in range(1, len(parts)))

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
            exec(self._compiler.compile(source, module.__file__), module.__dict__)


class ModuleExit(SystemExit):
    """Raised by exit_json()/fail_json(): carries the module's result to run()."""

    def __init__(self, result):
        super().__init__(1 if result.get("failed") else 0)
        self.result = result


class AnsibleModule:
    """The part of ``ansible.module_utils.basic.AnsibleModule`` that modules use, safe on Windows.

    The controller has validated the parameters against the same keyword arguments already (types
    converted, defaults filled in, constraints between options checked), so they are taken as they come.
    """

    _task = {}  # what the controller sent for this task; set on the class that run() installs
    _sources = {}  # the payload's sources, for the lines of a traceback; likewise

    def __init__(self, argument_spec, supports_check_mode=False, **_constraints):
        self.params = dict(self._task["params"])
        self.check_mode = self._task["check_mode"]
        self._diff = self._task["diff"]
        self._verbosity = self._task["verbosity"]
        self._warnings = []

    def warn(self, warning):
        self._warnings.append(warning)

    def exit_json(self, **kwargs):
        raise ModuleExit(self._result(kwargs))

    def fail_json(self, msg, **kwargs):
        kwargs.update(failed=True, msg=msg)
        if "exception" not in kwargs and sys.exc_info()[1] is not None:
            kwargs["exception"] = format_exception(self._sources)
        raise ModuleExit(self._result(kwargs))

    def _result(self, result):
        warnings = list(result.pop("warnings", ())) + self._warnings
        if warnings:
            result["warnings"] = warnings
        if not self._task["no_log"]:
            result.setdefault("invocation", {"module_args": self.params})
        return result
