"""File security of the emulated host (rds_emulator/security.py): descriptors by path and by handle, inheritance,
the token's user, reparse points, and the misuse of these calls that the emulator reports."""

from __future__ import annotations

import ctypes
import os
from ctypes import POINTER, byref, c_int32, c_uint8, c_uint16, c_uint32, c_void_p

import pytest
from rds_emulator import security
from rds_emulator.security import ADMINISTRATORS, INHERIT, INHERIT_ONLY_ACE, SYSTEM, ace
from rds_emulator.sids import read_sid

USER = "S-1-5-21-1004336348-1177238915-682003330-1110"  # the sample host's python.exe runs as svc-ansible
OTHER = "S-1-5-21-1004336348-1177238915-682003330-1104"
PP = POINTER(c_void_p)
SECURITY = [c_uint32, c_uint32, PP, PP, PP, PP, PP]
OWNER_AND_DACL = 0x1 | 0x4


@pytest.fixture
def api(emulator):
    advapi32, kernel32 = ctypes.WinDLL("advapi32", use_last_error=True), ctypes.WinDLL("kernel32", use_last_error=True)
    for dll, name, restype, argtypes in (
            (advapi32, "GetNamedSecurityInfoW", c_uint32, [c_void_p] + SECURITY),
            (advapi32, "GetSecurityInfo", c_uint32, [c_void_p] + SECURITY),
            (advapi32, "GetAce", c_int32, [c_void_p, c_uint32, PP]),
            (advapi32, "OpenProcessToken", c_int32, [c_void_p, c_uint32, PP]),
            (advapi32, "GetTokenInformation", c_int32, [c_void_p, c_uint32, c_void_p, c_uint32, POINTER(c_uint32)]),
            (kernel32, "GetFileAttributesW", c_uint32, [c_void_p]),
            (kernel32, "LocalFree", c_void_p, [c_void_p]),
            (kernel32, "CloseHandle", c_int32, [c_void_p])):
        getattr(dll, name).restype, getattr(dll, name).argtypes = restype, argtypes
    return advapi32, kernel32


def wide(text):
    return ctypes.create_string_buffer(text.encode("utf-16-le") + b"\0\0")


def read_descriptor(api, function, target):
    """(owner SID string, [(type, flags, mask, SID)] or None for a NULL DACL) as the API returns them, freed."""
    advapi32, kernel32 = api
    owner, dacl, descriptor = c_void_p(), c_void_p(), c_void_p()
    status = getattr(advapi32, function)(target, 1, OWNER_AND_DACL, byref(owner), None, byref(dacl), None,
                                         byref(descriptor))
    assert status == 0
    try:
        if not dacl.value:
            return read_sid(owner.value), None
        entries = []
        for index in range(c_uint16.from_address(dacl.value + 4).value):
            address = c_void_p()
            assert advapi32.GetAce(dacl, index, byref(address))
            kind, flags = (c_uint8 * 2).from_address(address.value)
            entries.append((kind, flags, c_uint32.from_address(address.value + 4).value, read_sid(address.value + 8)))
        return read_sid(owner.value), entries
    finally:
        assert kernel32.LocalFree(descriptor) is None


def test_a_path_nothing_describes_is_a_system_directory(api, tmp_path):
    assert read_descriptor(api, "GetNamedSecurityInfoW", wide(str(tmp_path))) == (SYSTEM, [
        (0, INHERIT, 0x1F01FF, SYSTEM), (0, INHERIT, 0x1F01FF, ADMINISTRATORS), (0, INHERIT, 0x1200A9, "S-1-5-32-545")])


def test_children_inherit_as_the_ace_flags_say_and_creator_owner_becomes_the_token_owner(api, emulator, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "file").write_text("")
    emulator.set_security(tmp_path, owner=SYSTEM, dacl=[
        ace(SYSTEM, flags=INHERIT), ace(OTHER, 0x2, flags=0x1 | INHERIT_ONLY_ACE), ace(ADMINISTRATORS, 0x4),
        ace(security.CREATOR_OWNER, flags=INHERIT | INHERIT_ONLY_ACE)])
    sub = read_descriptor(api, "GetNamedSecurityInfoW", wide(str(tmp_path / "sub")))
    file = read_descriptor(api, "GetNamedSecurityInfoW", wide(str(tmp_path / "file")))
    assert sub == (USER, [(0, INHERIT | 0x10, 0x1F01FF, SYSTEM), (0, 0x1 | INHERIT_ONLY_ACE | 0x10, 0x2, OTHER),
                          (0, INHERIT | 0x10, 0x1F01FF, USER),
                          (0, INHERIT | INHERIT_ONLY_ACE | 0x10, 0x1F01FF, security.CREATOR_OWNER)])
    assert file == (USER, [(0, 0x10, 0x1F01FF, SYSTEM), (0, 0x10, 0x2, OTHER), (0, 0x10, 0x1F01FF, USER)])


def test_a_null_dacl_is_returned_as_a_null_pointer(api, emulator, tmp_path):
    emulator.set_security(tmp_path, owner=OTHER, dacl=None)
    assert read_descriptor(api, "GetNamedSecurityInfoW", wide(str(tmp_path))) == (OTHER, None)


def test_a_handle_keeps_the_descriptor_of_the_file_it_opened(api, emulator, msvcrt, tmp_path):
    path, other = tmp_path / "entry", tmp_path / "other"
    path.write_text("mine")
    other.write_text("theirs")
    emulator.set_security(path, owner=USER, dacl=[ace(USER)])
    emulator.set_security(other, owner=OTHER, dacl=[ace(OTHER)])
    fd = os.open(path, os.O_RDONLY)
    try:
        os.replace(other, path)
        handle = msvcrt.get_osfhandle(fd)
        assert read_descriptor(api, "GetSecurityInfo", c_void_p(handle))[0] == USER
        assert read_descriptor(api, "GetNamedSecurityInfoW", wide(str(path)))[0] == OTHER
    finally:
        os.close(fd)


def test_get_osfhandle_of_a_closed_descriptor_raises_like_python(emulator, msvcrt):
    with pytest.raises(OSError):
        msvcrt.get_osfhandle(987654)


def test_a_missing_file_and_a_missing_descriptor_pointer_fail(api, emulator, tmp_path):
    advapi32, _kernel32 = api
    owner = c_void_p()
    assert advapi32.GetNamedSecurityInfoW(wide(str(tmp_path / "gone")), 1, 1, byref(owner), None, None, None,
                                          byref(c_void_p())) == 2
    assert advapi32.GetNamedSecurityInfoW(wide(str(tmp_path)), 1, 1, byref(owner), None, None, None, None) == 87
    assert any("ppSecurityDescriptor is NULL" in problem for problem in emulator.clear_problems())


def test_the_token_user_comes_with_the_two_call_size_protocol(api, emulator):
    advapi32, kernel32 = api
    token = c_void_p()
    assert advapi32.OpenProcessToken(c_void_p(-1), 0x8, byref(token))
    size = c_uint32()
    assert not advapi32.GetTokenInformation(token, 1, None, 0, byref(size))
    assert ctypes.get_last_error() == 122 and size.value == 16 + 28
    buffer = ctypes.create_string_buffer(size.value)
    assert advapi32.GetTokenInformation(token, 1, buffer, size.value, byref(size))
    assert read_sid(c_void_p.from_buffer(buffer).value) == USER
    assert kernel32.CloseHandle(token)


def test_a_token_without_token_query_is_refused(api, emulator):
    advapi32, kernel32 = api
    token = c_void_p()
    assert advapi32.OpenProcessToken(c_void_p(-1), 0x20, byref(token))
    buffer = ctypes.create_string_buffer(64)
    assert not advapi32.GetTokenInformation(token, 1, buffer, 64, byref(c_uint32()))
    assert ctypes.get_last_error() == 5
    assert kernel32.CloseHandle(token)


def test_reparse_points_symbolic_links_and_missing_paths(api, emulator, tmp_path):
    _advapi32, kernel32 = api
    (tmp_path / "dir").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "dir")
    (tmp_path / "junction").mkdir()
    emulator.set_security(tmp_path / "junction", reparse=True, dacl=[])
    attributes = [kernel32.GetFileAttributesW(wide(str(tmp_path / name))) for name in ("dir", "link", "junction")]
    assert attributes == [0x10, 0x410, 0x410]
    assert kernel32.GetFileAttributesW(wide(str(tmp_path / "gone"))) == 0xFFFFFFFF
    assert ctypes.get_last_error() == 2
