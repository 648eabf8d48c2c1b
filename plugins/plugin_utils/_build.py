# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# What a module's action plugin needs from the module's sources, built at most once per controller run and
# source version (controller only; docs/performance.md tells why).
#
# Ansible runs every host-task in a freshly forked worker, so a cache in memory never hits from one
# host-task to the next. A build (the packed payload, and the module's module_args() read by importing the
# module) is therefore also kept on disk, in Ansible's temporary directory of this run (C.DEFAULT_LOCAL_TMP:
# created once by the controller's main process, private to the user, removed when the run ends; Ansible's
# own AnsiballZ cache lives there too), under a key that changes whenever any source it could depend on
# changes (source_key). The first worker that needs a module builds it; the others read one small JSON file.
#
# Better still: Ansible's linear and free strategies import each task's action plugin class in the main
# process before they fork its workers (action_loader.get(..., class_only=True), to read BYPASS_HOST_LOOP).
# The action plugin then builds its module there, once (prepare(), from RdsModuleAction.__init_subclass__),
# and every worker forked afterwards finds the build in memory: no key to compute, no file to read.

import contextlib
import gc
import hashlib
import importlib
import json
import multiprocessing
import os
import tempfile
from pathlib import Path

from ansible import constants as C

from ansible_collections.wtsadmin.rds.plugins.plugin_utils import _payload

FORMAT = 1  # changes whenever what a build holds changes
CACHE_DIR = "wtsadmin_rds_builds"
_BUILDS = {}  # key -> Build, for this process
_PREPARED = {}  # module -> Build, made by prepare() in this process or the one it was forked from


class Build:
    """A module's packed payload and its module_args() (argument spec and the constraints between options)."""

    def __init__(self, payload: str, module_args: dict):
        self.payload = payload
        self.module_args = module_args


def module_build(module: str, cache_dir: str | None = None) -> Build:
    """The Build of ``module`` (dotted name, ``ansible_collections.NS.NAME.plugins.modules.MODULE``).

    ``cache_dir``: where builds are kept on disk (default: this run's Ansible temporary directory). A module
    that prepare() built in this process, or in the main process before it forked this worker, is taken as it
    is: the action plugin's own code was imported at the same moment.
    """
    if cache_dir is None and module in _PREPARED:
        return _PREPARED[module]
    key = source_key(module)
    build = _BUILDS.get(key)
    if build is None:
        directory = Path(cache_dir or C.DEFAULT_LOCAL_TMP) / CACHE_DIR
        build = _read(directory / (key + ".json"), key)
        if build is None:
            build = Build(_payload.module_payload(module), importlib.import_module(module).module_args())
            _write(directory, key, build)
        _BUILDS[key] = build
    return build


def prepare(module: str) -> Build | None:
    """Build ``module`` now, in this process, for the workers it forks later (see the top of this file); the
    Build, or None: a build that fails here is left to the worker, which reports it as the task's failure."""
    try:
        build = module_build(module)
    except Exception:  # pylint: disable=broad-exception-caught  # the worker builds again and says why
        return None
    _PREPARED[module] = build
    if multiprocessing.parent_process() is None:  # Ansible's main process, not a worker
        # Building imported the module and its module_utils here, which leaves Python's collector due for a
        # full pass over this process's heap (gc's own rule: when the objects that survived since the last one
        # reach a quarter of all). A worker forked now would make that pass itself, over its copy of the whole
        # heap, with a copy-on-write page fault for every page it touches: 50-90 ms of CPU, in each worker
        # forked before this process makes it. Make it once, here.
        gc.collect()
    return build


def source_key(module: str) -> str:
    """What identifies the version of every source a build of ``module`` can depend on: the module, every
    module_util of its collection (whichever the module imports) and the code that builds it (this file and
    _payload.py). A SHA-256 of their paths, sizes, modification times and inode numbers: a file that changes
    changes the key, and no source has to be read to find a build (reading and hashing them all cost more than
    the rest of a cached task)."""
    root = _payload.collection_root(module)
    name = module.rpartition(".")[2]
    files = [root / "plugins" / "modules" / (name + ".py"), Path(__file__), Path(_payload.__file__)]
    files += sorted((root / "plugins" / "module_utils").rglob("*.py"))
    digest = hashlib.sha256(("%s\0%s\0" % (FORMAT, module)).encode("utf-8"))
    for path in files:
        info = path.stat()
        digest.update(b"%s\0%d\0%d\0%d\0" % (os.fsencode(path), info.st_size, info.st_mtime_ns, info.st_ino))
    return digest.hexdigest()


def _read(path: Path, key: str) -> Build | None:
    try:
        with open(path, encoding="utf-8") as handle:
            entry = json.load(handle)
    except (OSError, ValueError):  # not built yet, or unreadable: build it
        return None
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key:
        return None
    return Build(entry["payload"], entry["module_args"])


def _write(directory: Path, key: str, build: Build) -> None:
    """Keep ``build`` for the other workers. A build that JSON cannot carry (a callable ``type``, a set) or not
    exactly (dict keys that are not strings) stays in this process only; tuples come back as lists, which
    Ansible's argument spec validation takes alike."""
    entry = {"format": FORMAT, "key": key, "payload": build.payload, "module_args": build.module_args}
    try:
        text = json.dumps(entry, sort_keys=True)
        if json.loads(text)["module_args"] != _as_lists(build.module_args):
            return
    except (TypeError, ValueError):
        return
    try:
        directory.mkdir(mode=0o700, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".build-", dir=str(directory))
    except OSError:  # a read-only or full disk costs time, not correctness
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, str(directory / (key + ".json")))  # atomic: a worker reads the whole entry or none
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def _as_lists(value):
    """``value`` with every tuple in it turned into a list, as a JSON round trip turns them."""
    if isinstance(value, dict):
        return {key: _as_lists(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_lists(item) for item in value]
    return value
