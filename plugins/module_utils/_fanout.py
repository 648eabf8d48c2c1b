# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# Farm-wide fan-out: one task works several RD Session Hosts at once (WTSOpenServerExW per server, from the
# host the task runs on), one result per server; a server that cannot be reached, or refuses, is reported
# for itself and never aborts the others. Also the end of every such task: one result per server, the
# failures of servers and of single objects collected, and the task failed, or warned, at the end.
# Windows errors are recognised by their attributes (winapi.WinApiError); nothing here knows ctypes.

from typing import TYPE_CHECKING

from ansible_collections.wtsadmin.rds.plugins.module_utils._errors import explain
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import WinApiError
from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import is_local_server

if TYPE_CHECKING:  # the result shapes (for type checkers: the payload leaves this out)
    from ansible_collections.wtsadmin.rds.plugins.module_utils._shapes import ServerEntry

MAX_PARALLEL_SERVERS = 64
LOCAL_HOST_KEY = ("the host the task runs on",)  # same_host_key of every name of this host (no str key equals it)
# What a change did (an object's or server's ``result``) -> what check mode says it would do instead.
PREVIEWS = {"disconnected": "would_disconnect", "logged_off": "would_log_off", "sent": "would_send",
            "terminated": "would_terminate", "requested": "would_request"}


def server_spec():
    """The argument spec of ``server`` and ``on_error`` (doc fragment ``wtsadmin.rds.server``)."""
    return {
        "server": {"type": "list", "elements": "str"},
        "on_error": {"type": "str", "choices": ["fail", "warn"], "default": "fail"},
    }


def server_list_problem(servers):
    """Why ``servers`` (the validated ``server`` option: None, a name or a list) names no server to work, or None.

    Only an omitted ``server`` (None) means the task's own host. An empty list (an empty inventory group in
    ``server: "{{ groups['x'] }}"``) or an empty name must not fall back to it: that would act on the wrong
    host. A NUL would cut the name at the Windows call while the result reports the whole name.
    """
    if servers is None:
        return None
    names = [servers] if isinstance(servers, str) else list(servers)
    if not names:
        return ("server is an empty list: give at least one server name, or leave server out to work the "
                "task's own host (an empty inventory group in server: \"{{ groups[...] }}\" gives an empty list)")
    for name in names:
        if not isinstance(name, str) or not name.strip():
            return "server %r: an empty server name; leave server out to work the task's own host" % (name,)
        if "\x00" in name:
            return "server %r: a server name cannot contain a NUL character" % (name,)
    return None


def same_host_key(name):
    """What two spellings of one server name share: case-insensitive, without surrounding blanks, a leading
    ``\\\\`` (UNC style) or a trailing ``.`` (a rooted DNS name); every name that certainly means the host the
    task runs on (``is_local_server``: ``localhost``, ``.``, a loopback or own address, its own NetBIOS, host
    or full DNS name) shares the key ``LOCAL_HOST_KEY``. Two other names (a short and a DNS name of one remote
    server) are different keys: only DNS could tell whether they name the same machine, and a DNS answer
    is no proof (it may be stale, or point elsewhere), so they are not merged."""
    key = name.strip().lstrip("\\").rstrip(".")
    return LOCAL_HOST_KEY if is_local_server(key) else key.casefold()


def same_host_groups(servers):
    """``servers`` grouped by the host they name (see ``same_host_key``), in the order of each host's first
    entry: a list of lists of the names as given, each starting with its first spelling."""
    groups = {}
    for name in servers:
        groups.setdefault(same_host_key(name), []).append(name)
    return list(groups.values())


def merged_names_warning(group):
    """What the task says when the names of ``group`` (a ``same_host_groups`` group) were worked as one host."""
    return "server: %s name the same host; it was worked once, as %r" % (
        " and ".join(repr(name) for name in group), group[0])


def for_each_server(servers, work) -> list[ServerEntry]:
    """Run ``work(server)`` for each host named in ``servers`` concurrently (None: the host itself, None).

    Entries that name the same host are merged (``same_host_groups``) and worked once, under the first
    spelling, with a warning that names them (``merged_names_warning``). ``servers`` that name no server (an
    empty list, an empty name) raise ValueError (``server_list_problem``; the controller refuses them first).
    ``work`` returns a dict of the server's results. Each result becomes ``{server, failed: False, **result}``;
    a WinApiError raised by ``work`` becomes ``{server, failed: True, msg}`` (the admin's message) for that
    server alone. Any other exception is a bug and propagates. Results come in the order of ``servers``.
    """
    problem = server_list_problem(servers)
    if problem:
        raise ValueError(problem)
    groups = [[None]] if servers is None else same_host_groups([servers] if isinstance(servers, str) else servers)
    if len(groups) == 1:  # nothing to overlap: this thread works the one host
        results = [_work_on(groups[0][0], work)]
    else:
        # Imported here: concurrent.futures, with the logging it imports, costs about 10 ms of a task's start
        # on the host, and a task that works one host needs no threads (docs/performance.md, "Host-side CPU").
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(len(groups), MAX_PARALLEL_SERVERS)) as pool:
            results = list(pool.map(lambda group: _work_on(group[0], work), groups))
    for group, entry in zip(groups, results):
        if len(group) > 1:
            entry.setdefault("warnings", []).append(merged_names_warning(group))
    return results


def _work_on(server, work) -> ServerEntry:
    try:
        return dict({"server": server, "failed": False}, **work(server))
    except WinApiError as error:
        return {"server": server, "failed": True, "msg": explain(error, server=server)}


def outcome(done, check_mode):
    """The ``result`` of a change: ``done`` (``logged_off``, ``terminated``, ...) after a real run, what would
    be done (``would_log_off``, ``would_terminate``, ...) in check mode, which changes nothing."""
    return PREVIEWS[done] if check_mode else done


def state_diff(results, items, name_of):
    """The task's diff from the per-server ``results``: each object of a server's ``items`` list (``sessions``,
    ``processes``) with its ``previous_state`` before and its ``state`` after, labelled ``name_of(object)``,
    prefixed by the server's name when one was given."""
    before, after = {}, {}
    for entry in results:
        for item in entry.get(items, ()):
            label = "%s%s" % ("%s " % entry["server"] if entry["server"] else "", name_of(item))
            before[label], after[label] = item["previous_state"], item["state"]
    return {"before": before, "after": after}


def fields_spec(choices):
    """The argument spec of ``fields``, which info modules take to return only some keys of each object."""
    return {"fields": {"type": "list", "elements": "str", "choices": list(choices)}}


def keep_fields(results, items, fields):
    """``results`` of ``for_each_server`` with each object of their ``items`` list reduced to ``fields``
    (None: every key), in the order of ``fields``."""
    if fields is None:
        return results
    for entry in results:
        if items in entry:
            entry[items] = [{key: item[key] for key in fields} for item in entry[items]]
    return results


def not_found_warning(results):
    """One warning for the task, naming what it named specifically that was not found, or None; pops each
    server's ``not_found`` (``{option: [values]}``, from servers that answered).

    Session IDs and pids are numbers of one server: each server that lacks one is named. A user may work on
    any server of a farm, so a username is named only when none of the servers that answered has it.
    """
    parts, users, answered = [], {}, 0
    for entry in results:
        missing = entry.pop("not_found", None)
        if missing is None:
            continue
        answered += 1
        where = entry["server"] or "this host"
        for option, values in missing.items():
            if option == "username":
                for value in values:
                    users.setdefault(value, []).append(where)
            elif values:
                parts.append("%s %s on %s" % (option, ", ".join(str(value) for value in values), where))
    parts += ["username %s on %s" % (user, ", ".join(servers)) for user, servers in users.items()
              if len(servers) == answered]
    return "Named but not found, so left alone: %s" % "; ".join(parts) if parts else None


def finish(module, results, *lists, **extra):
    """End the task of ``module`` with the per-server ``results`` of ``for_each_server``.

    The result has one shape whatever ``server`` held (none, one name, many): ``changed`` (any server
    changed), ``extra`` (for example ``diff``), one flat list for each of the object ``lists`` the module
    returns (``sessions``, ``processes``, ``protected``, ``events``: always present, empty when no server
    answered), each object carrying its ``server`` first, and ``servers``: one summary per server
    (``server``, ``failed``, ``msg``, the server's other keys such as ``counts``), without its objects.

    A server's ``warnings`` (list of str, each naming its server) become the task's warnings, and so, in one
    warning for the task, what it named that was not found (``not_found_warning``). Failures are
    the ``msg`` of failed servers and the ``error`` of every object in the lists: with ``on_error: fail``
    the task fails after every server was worked, with ``on_error: warn`` each failure becomes a warning.
    """
    failures = []
    result = dict(extra, changed=any(entry.get("changed") for entry in results), servers=[])
    result.update((key, []) for key in lists)
    missing = not_found_warning(results)
    if missing:
        module.warn(missing)
    for entry in results:
        for warning in entry.pop("warnings", ()):
            module.warn(warning)
        if entry["failed"]:
            failures.append(entry["msg"])
        for key in lists:
            for item in entry.pop(key, ()):
                result[key].append(dict({"server": entry["server"]}, **item))
                if item.get("error"):
                    failures.append(item["error"])
        result["servers"].append(entry)
    if failures and module.params.get("on_error") == "warn":
        for failure in failures:
            module.warn(failure)
    elif failures:
        result["msg"] = failures[0] if len(failures) == 1 else "%d failures:\n%s" % (
            len(failures), "\n".join(failures))
        module.fail_json(**result)
    module.exit_json(**result)
