# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The runner's bytecode cache on Windows (plugins/module_utils/_runner.py BytecodeCache, _cache_acl.py), run
against the emulated host's file security (tests/emulator/rds_emulator/security.py).

%LOCALAPPDATA% is a real directory of this machine, ``<tmp>/Users/svc-ansible/AppData/Local``: ``<tmp>/Users``
has the descriptor of a Windows ``C:\\Users`` and the profile that of a profile Windows made; the directories
above are system directories. Each test asserts what the task computes (42, from the cache or from source),
how many times the runner compiled, and, through the ``emulator`` fixture, that every security descriptor the
checks got was freed and no call was misused.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import rds_emulator
from rds_emulator import security
from rds_emulator.security import ADMINISTRATORS, INHERIT, INHERIT_ONLY_ACE, SYSTEM, ace

from ansible_collections.wtsadmin.rds.plugins.module_utils import _cache_acl, _runner
from ansible_collections.wtsadmin.rds.plugins.plugin_utils import _payload

USER = "S-1-5-21-1004336348-1177238915-682003330-1110"  # CONTOSO\svc-ansible, the sample host's python.exe
OTHER = "S-1-5-21-1004336348-1177238915-682003330-1104"  # CONTOSO\alice
EVERYONE, USERS, AUTHENTICATED_USERS = "S-1-1-0", "S-1-5-32-545", "S-1-5-11"
TRUSTED_INSTALLER = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
SOURCE = "ANSWER = 6 * 7\n"
FILENAME = "ansible_collections/ns/coll/plugins/module_utils/answer.py"
READ = 0x1200A9  # read and execute


@pytest.fixture
def local(emulator, msvcrt, tmp_path):
    """%LOCALAPPDATA% of the token user, in a profile as Windows makes it (on a host with no sessions to speak of)."""
    state = rds_emulator.empty_state()
    state["token"]["user"] = USER
    emulator.replace_state(state)
    users = tmp_path / "Users"
    path = users / "svc-ansible" / "AppData" / "Local"
    path.mkdir(parents=True)
    emulator.set_security(users, owner=SYSTEM, dacl=[ace(SYSTEM, flags=INHERIT), ace(ADMINISTRATORS, flags=INHERIT),
                                                     ace(USERS, READ), ace(EVERYONE, READ)])
    emulator.set_security(users / "svc-ansible", **security.profile_descriptor(USER))
    return path


def cache_dir(local):
    return local.joinpath(*_cache_acl.CACHE_PATH)


def compile_counted(monkeypatch) -> list:
    """The file name of every source the runner compiles from now on (the cache's own loads are not counted)."""
    compiled = []

    def counted(source, filename, mode, real=compile):
        compiled.append(filename)
        return real(source, filename, mode)

    monkeypatch.setattr(_runner, "compile", counted, raising=False)
    return compiled


def answer(local) -> int:
    """What the cached or compiled code computes, through a fresh Windows cache on ``local``."""
    namespace = {}
    exec(_runner.BytecodeCache.open(str(local), windows=True).compile(SOURCE, FILENAME), namespace)
    return namespace["ANSWER"]


def assert_cache_used(local, monkeypatch):
    compiled = compile_counted(monkeypatch)
    assert [answer(local), answer(local), answer(local)] == [42, 42, 42]
    assert compiled == [FILENAME]  # compiled once, then loaded
    assert len(list(cache_dir(local).glob("*.bin"))) == 1


def assert_cache_refused(local, monkeypatch):
    compiled = compile_counted(monkeypatch)
    assert [answer(local), answer(local)] == [42, 42]
    assert compiled == [FILENAME, FILENAME]  # from source every time, the same result


def prepare(local, emulator, owner=USER, dacl=None, **options):
    """The cache directory made beforehand with this descriptor (default: what it inherits, owned by ``owner``)."""
    directory = cache_dir(local)
    directory.mkdir(parents=True)
    if dacl is None:
        dacl = [dict(entry, flags=entry["flags"] | 0x10) for entry in security.profile_descriptor(USER)["dacl"]]
    emulator.set_security(directory, owner=owner, dacl=dacl, protected=False, **options)
    return directory


# --- the cache is used ---------------------------------------------------------------------------------------

def test_the_cache_is_created_in_the_profile_and_used_from_the_second_compile(local, monkeypatch, emulator):
    assert_cache_used(local, monkeypatch)
    made = emulator.security(cache_dir(local))
    assert made["owner"] == USER and {entry["sid"] for entry in made["dacl"]} == {SYSTEM, ADMINISTRATORS, USER}
    assert emulator.calls["GetNamedSecurityInfoW"] + emulator.calls["GetSecurityInfo"] == emulator.calls["LocalFree"]
    assert emulator.leaks() == []


def test_percent_localappdata_is_where_the_cache_lives(local, monkeypatch):
    monkeypatch.setenv("LOCALAPPDATA", str(local))
    cache = _runner.BytecodeCache.open(windows=True)
    cache.compile(SOURCE, FILENAME)
    assert len(list(cache_dir(local).glob("*.bin"))) == 1


@pytest.mark.parametrize("case", ["inherit-only ACE of another user", "deny ACE for Everyone",
                                  "another user may only read", "elevated administrator",
                                  "system directory owned by TrustedInstaller", "adding files to a directory above"])
def test_what_cannot_change_the_cache_does_not_stop_it(local, monkeypatch, emulator, case):
    if case == "inherit-only ACE of another user":
        # for subdirectories only (CONTAINER_INHERIT_ACE): inherited by entries, it would refuse them
        prepare(local, emulator, dacl=[ace(USER, flags=INHERIT), ace(OTHER, flags=0x2 | INHERIT_ONLY_ACE)])
    elif case == "deny ACE for Everyone":
        prepare(local, emulator, dacl=[ace(EVERYONE, 0x2, kind="deny"), ace(USER, flags=INHERIT)])
    elif case == "another user may only read":
        prepare(local, emulator, dacl=[ace(USER, flags=INHERIT), ace(OTHER, READ, INHERIT)])
    elif case == "elevated administrator":  # the token's default owner is Administrators: so are the new entries
        with emulator.edit() as state:
            state["token"]["owner"] = ADMINISTRATORS
        assert_cache_used(local, monkeypatch)
        assert {emulator.security(path)["owner"] for path in cache_dir(local).iterdir()} == {ADMINISTRATORS}
        return
    elif case == "system directory owned by TrustedInstaller":
        emulator.set_security(local.parent.parent.parent.parent, owner=TRUSTED_INSTALLER,
                              dacl=[ace(TRUSTED_INSTALLER), ace(SYSTEM), ace(USERS, READ)])
    else:  # C:\ lets Authenticated Users create directories (AD), not delete or rename them
        modify_below = ace(AUTHENTICATED_USERS, 0x1301BF, INHERIT | INHERIT_ONLY_ACE)
        emulator.set_security(local.parent.parent.parent.parent, owner=SYSTEM,
                              dacl=[ace(SYSTEM), ace(AUTHENTICATED_USERS, 0x4), modify_below])
    assert_cache_used(local, monkeypatch)


# --- the cache is refused ------------------------------------------------------------------------------------

def _symlinked(local, emulator):
    elsewhere = local / "elsewhere"
    elsewhere.mkdir()
    cache_dir(local).parent.mkdir()
    cache_dir(local).symlink_to(elsewhere)


REFUSED = {
    "cache directory owned by another user": lambda local, emu: prepare(local, emu, owner=OTHER),
    "cache directory owned by SYSTEM": lambda local, emu: prepare(local, emu, owner=SYSTEM),
    "another user may add files": lambda local, emu: prepare(
        local, emu, dacl=[ace(USER, flags=INHERIT), ace(OTHER, 0x2)]),
    "Everyone may delete entries": lambda local, emu: prepare(
        local, emu, dacl=[ace(USER, flags=INHERIT), ace(EVERYONE, 0x40)]),
    "Users may change the DACL": lambda local, emu: prepare(
        local, emu, dacl=[ace(USER, flags=INHERIT), ace(USERS, 0x40000)]),
    "GENERIC_WRITE for another user": lambda local, emu: prepare(
        local, emu, dacl=[ace(USER, flags=INHERIT), ace(OTHER, 0x40000000)]),
    "a NULL DACL": lambda local, emu: emu.set_security(prepare(local, emu), owner=USER, dacl=None),
    "an object ACE": lambda local, emu: prepare(local, emu, dacl=[ace(USER, flags=INHERIT), ace(USER, kind=5)]),
    "a callback ACE": lambda local, emu: prepare(local, emu, dacl=[ace(USER, flags=INHERIT), ace(USER, kind=9)]),
    "the cache directory is a junction": lambda local, emu: prepare(local, emu, reparse=True),
    "the cache directory is a symbolic link": _symlinked,
    "a directory above is a junction": lambda local, emu: emu.set_security(
        local, owner=USER, dacl=[ace(USER, flags=INHERIT)], reparse=True),
    "another user may delete in a directory above": lambda local, emu: emu.set_security(
        local.parent, owner=USER, dacl=[ace(USER, flags=INHERIT), ace(OTHER, 0x40)]),
    "another user may rename a directory above": lambda local, emu: emu.set_security(
        local.parent, owner=USER, dacl=[ace(USER, flags=INHERIT), ace(OTHER, 0x10000)]),
    "another user owns a directory above": lambda local, emu: emu.set_security(
        local.parent, owner=OTHER, dacl=[ace(USER, flags=INHERIT)]),
    "a NULL DACL above": lambda local, emu: emu.set_security(local.parent.parent.parent, owner=SYSTEM, dacl=None),
    "the profile of another user": lambda local, emu: emu.set_security(
        local.parent.parent, **security.profile_descriptor(OTHER)),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_cache_someone_else_could_change_is_not_used(local, monkeypatch, emulator, case):
    REFUSED[case](local, emulator)
    assert_cache_refused(local, monkeypatch)
    assert not list(cache_dir(local).glob("*.bin"))  # nothing was written where others could change it either


@pytest.mark.parametrize("value", ["", "AppData\\Local", "relative/Local", "/a/../b", "//server/share/Local"])
def test_an_odd_or_missing_localappdata_gives_no_cache(monkeypatch, emulator, value):
    monkeypatch.setenv("LOCALAPPDATA", value)
    compiled = compile_counted(monkeypatch)
    for _attempt in range(2):
        namespace = {}
        exec(_runner.BytecodeCache.open(windows=True).compile(SOURCE, FILENAME), namespace)
        assert namespace["ANSWER"] == 42
    assert compiled == [FILENAME, FILENAME]


def test_a_missing_localappdata_directory_is_not_created(tmp_path, monkeypatch, emulator):
    assert_cache_refused(tmp_path / "gone" / "Local", monkeypatch)
    assert not (tmp_path / "gone").exists()


CAN_FAIL = ["GetFileAttributesW", "GetNamedSecurityInfoW", "GetSecurityInfo", "GetAce", "OpenProcessToken",
            "GetTokenInformation"]


def test_the_checks_call_these_functions_and_free_what_they_get(local, monkeypatch, emulator):
    assert_cache_used(local, monkeypatch)
    # LocalFree, CloseHandle and GetCurrentProcess only release or cannot fail (see the robustness fault matrix)
    assert sorted(emulator.calls) == sorted(CAN_FAIL + ["GetCurrentProcess", "CloseHandle", "LocalFree"])
    assert emulator.calls["OpenProcessToken"] == emulator.calls["CloseHandle"] == 3  # one token per task
    assert emulator.leaks() == [] and emulator.errors == []


@pytest.mark.parametrize("function", CAN_FAIL)
@pytest.mark.parametrize("error", [5, 87])
def test_a_failing_windows_call_means_compiling_from_source(local, monkeypatch, emulator, function, error):
    """Every function the checks call, failing every time with access denied or a bad parameter: the task's
    result is the same, compiled from source; whatever was acquired is released (the fixture checks)."""
    answer(local)  # the entry exists: the checks of the entry are reached too
    emulator.inject(function, error, times=None)
    compiled = compile_counted(monkeypatch)
    assert answer(local) == 42
    assert compiled == [FILENAME]


# --- each entry ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["owned by another user", "another user may write it", "a NULL DACL"])
def test_an_entry_someone_else_could_change_is_compiled_again(local, monkeypatch, emulator, case):
    answer(local)
    (entry,) = cache_dir(local).glob("*.bin")
    owner, dacl = {"owned by another user": (OTHER, [ace(USER)]),
                   "another user may write it": (USER, [ace(USER), ace(OTHER, 0x2)]),
                   "a NULL DACL": (USER, None)}[case]
    emulator.set_security(entry, owner=owner, dacl=dacl)
    compiled = compile_counted(monkeypatch)
    assert answer(local) == 42
    assert compiled == [FILENAME]
    assert answer(local) == 42 and compiled == [FILENAME]  # written again whole: the new entry is this user's


def test_the_entry_checked_is_the_entry_read_whatever_is_swapped_in_meanwhile(local, monkeypatch, emulator):
    """The descriptor comes from the open file's handle, and the bytes from the same file: replacing the entry
    after it was opened changes neither."""
    answer(local)
    (entry,) = cache_dir(local).glob("*.bin")
    good = entry.read_bytes()
    swapped = entry.with_name("swapped")
    swapped.write_bytes(b"\0" * 32 + b"foreign code")
    emulator.set_security(swapped, owner=OTHER, dacl=[ace(OTHER)])
    real = security.MSVCRT.get_osfhandle

    def swap_then_handle(fd):
        os.replace(swapped, entry)  # after the open, before the check
        return real(fd)

    monkeypatch.setattr(security.MSVCRT, "get_osfhandle", swap_then_handle)
    directory = _cache_acl.open_directory(str(local))
    assert directory.read(entry.name) == good  # the file opened: checked and read through one handle
    assert entry.read_bytes() == b"\0" * 32 + b"foreign code"
    monkeypatch.setattr(security.MSVCRT, "get_osfhandle", real)
    assert directory.read(entry.name) is None  # the foreign file, opened now, is refused


def test_the_posix_cache_is_not_used_for_windows_and_the_windows_one_not_on_posix(local, monkeypatch, emulator):
    compiled = compile_counted(monkeypatch)
    monkeypatch.setenv("HOME", str(local / "home"))
    _runner.BytecodeCache.open(str(local / "home")).compile(SOURCE, FILENAME)
    assert not cache_dir(local).exists() and emulator.calls["GetNamedSecurityInfoW"] == 0
    assert compiled == [FILENAME]


def test_the_runner_imports_the_checks_from_the_payload_at_its_first_compile_and_compiles_them_from_source(
        local, monkeypatch, emulator):
    """On the host _cache_acl comes from the payload, through the runner's SourceImporter, at the first compile():
    compiled from source (nothing of the cache can be trusted before it ran), then the cache works."""
    monkeypatch.delitem(sys.modules, _payload.CACHE_ACL)
    compiled = compile_counted(monkeypatch)
    first = _runner.BytecodeCache.open(str(local), windows=True)
    importer = _runner.SourceImporter({_payload.CACHE_ACL: Path(_cache_acl.__file__).read_text(encoding="utf-8")}, first)
    monkeypatch.setattr(sys, "meta_path", [importer] + sys.meta_path)
    namespace = {}
    exec(first.compile(SOURCE, FILENAME), namespace)
    assert namespace["ANSWER"] == 42
    assert compiled == [_payload.CACHE_ACL.replace(".", "/") + ".py", FILENAME]
    assert sys.modules[_payload.CACHE_ACL].__file__ == _payload.CACHE_ACL.replace(".", "/") + ".py"
    assert answer(local) == 42 and compiled[2:] == []  # the next task loads the code


@pytest.mark.parametrize("where", ["open_directory", "_only", "_wide"])
def test_anything_the_checks_do_not_expect_means_compiling_from_source(local, monkeypatch, emulator, where):
    """An exception of any kind inside the checks (opening the cache, checking an entry, writing one) never
    reaches the task: the source is compiled as without a cache, and what was acquired is still freed."""
    answer(local)  # an entry exists, so reading it is reached

    def broken(*_args, **_kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(_cache_acl, where, broken)
    compiled = compile_counted(monkeypatch)
    assert answer(local) == 42 and answer(local) == 42
    assert compiled == [FILENAME, FILENAME]
