"""File security: owners and DACLs of this machine's files and directories, the token's user, reparse points, and
the C runtime's _get_osfhandle (an emulated ``msvcrt`` module).

The emulated files are the real files of this Linux machine, named by their Linux paths. Their security
descriptors are the state's ``files`` (path -> descriptor); a path not listed there inherits from the nearest
listed directory above it, following the ACE inheritance rules cited below; a path with no listed directory
above it is a system directory (``SYSTEM_DESCRIPTOR``). A descriptor given with ``emu.set_security()`` belongs
to the file that is at the path then (its inode), as a Windows security descriptor belongs to the file object:
replacing the file at the path gives the new file the inherited descriptor, and a handle opened on the old
file still sees the old one.
"""

from __future__ import annotations

import ctypes
import os
import types

from .dll import DWORD, HANDLE, LPDWORD, LPWSTR, PPVOID, PVOID, export
from .errors import (ERROR_ACCESS_DENIED, ERROR_FILE_NOT_FOUND, ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_PARAMETER,
                     ERROR_SUCCESS, WinFail)
from .memory import read_wstr, write_bytes, write_ptr, write_u32
from .sids import sid_bytes

SYSTEM, ADMINISTRATORS, USERS, CREATOR_OWNER = "S-1-5-18", "S-1-5-32-544", "S-1-5-32-545", "S-1-3-0"
# winnt.h access mask bits (File Access Rights Constants; ACCESS_MASK).
FILE_ALL_ACCESS = 0x1F01FF
FILE_GENERIC_READ_EXECUTE = 0x1200A9  # icacls "RX"
FILE_MODIFY = 0x1301BF  # icacls "M"
# ACE_HEADER AceType and AceFlags (winnt.h).
ACE_TYPES = {"allow": 0, "deny": 1}
OBJECT_INHERIT_ACE, CONTAINER_INHERIT_ACE, NO_PROPAGATE_INHERIT_ACE, INHERIT_ONLY_ACE, INHERITED_ACE = (
    0x1, 0x2, 0x4, 0x8, 0x10)
OBJECT_ACE_TYPES = {5, 6, 7, 8, 11, 12, 15, 16}  # *_OBJECT_ACE: a Flags DWORD (and GUIDs) before the SID
SE_FILE_OBJECT = 1
OWNER_SECURITY_INFORMATION, GROUP_SECURITY_INFORMATION, DACL_SECURITY_INFORMATION = 0x1, 0x2, 0x4
SE_DACL_PRESENT, SE_DACL_PROTECTED, SE_SELF_RELATIVE = 0x4, 0x1000, 0x8000
TOKEN_QUERY = 0x8
TOKEN_USER_CLASS, TOKEN_OWNER_CLASS = 1, 4
INVALID_FILE_ATTRIBUTES = 0xFFFFFFFF
FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_ARCHIVE, FILE_ATTRIBUTE_REPARSE_POINT = 0x10, 0x20, 0x400
ERROR_PATH_NOT_FOUND = 3


def ace(sid: str, mask: int = FILE_ALL_ACCESS, flags: int = 0, kind="allow") -> dict:
    """One ACE of a state's DACL: ``kind`` "allow", "deny" or an AceType number; ``flags`` the AceFlags."""
    return {"type": kind, "flags": flags, "mask": mask, "sid": sid}


INHERIT = OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE
# A system directory: owned by SYSTEM, full control for SYSTEM and Administrators, read and execute for Users.
SYSTEM_DESCRIPTOR = {"owner": SYSTEM, "protected": True, "dacl": [
    ace(SYSTEM, flags=INHERIT), ace(ADMINISTRATORS, flags=INHERIT), ace(USERS, FILE_GENERIC_READ_EXECUTE, INHERIT)]}


def profile_descriptor(user: str) -> dict:
    """A user profile directory as Windows creates it: SYSTEM, Administrators and the user have full control,
    inherited by everything below."""
    dacl = [ace(SYSTEM, flags=INHERIT), ace(ADMINISTRATORS, flags=INHERIT), ace(user, flags=INHERIT)]
    return {"owner": SYSTEM, "protected": True, "dacl": dacl}


def token_user(state) -> str:
    """The SID of this process's token user: ``token.user``, else the current process's ``sid``."""
    user = state["token"].get("user")
    if user:
        return user
    server = state["servers"].get(state["local_server"], {})
    for process in server.get("processes", ()):
        if process["pid"] == state["current_process_id"] and process.get("sid"):
            return process["sid"]
    return SYSTEM


def token_owner(state) -> str:
    """The token's default owner (TOKEN_OWNER): ``token.owner``, else its user."""
    return state["token"].get("owner") or token_user(state)


def _inode(path: str):
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_dev, info.st_ino]


def _listed(state, path: str, inode):
    """The state's descriptor of the file at ``path`` (with ``inode``), or None."""
    entry = state["files"].get(path)
    if entry is not None and entry.get("inode") not in (None, inode):
        return None  # given to a file that has since been replaced at this path
    return entry


def descriptor(state, path: str, inode=None) -> dict:
    """The security descriptor of the file object at ``path`` (after symbolic links), or of inode ``inode`` (a
    handle's file): the state's for that file wherever it was moved since (a move within a volume keeps the
    file object and its descriptor), else inherited down from the nearest listed directory above, else
    SYSTEM_DESCRIPTOR."""
    inode = inode or _inode(path)
    if inode is not None:
        for entry in state["files"].values():
            if entry.get("inode") == inode:
                return entry
    chain = []
    current = os.path.realpath(path)
    while True:
        entry = _listed(state, current, _inode(current))
        if entry is not None:
            break
        parent = os.path.dirname(current)
        if parent == current:
            return SYSTEM_DESCRIPTOR  # nothing listed at or above it: a system directory (or a file in one)
        chain.append(current)
        current = parent
    for child in reversed(chain):
        entry = _inherited(state, entry, os.path.isdir(child))
    return entry


def _inherited(state, parent: dict, container: bool) -> dict:
    """The descriptor a new child gets from ``parent`` when its creator gives none.

    MicrosoftDocs win32 "ACE Inheritance Rules" / ACE_HEADER (winnt.h): OBJECT_INHERIT_ACE "Noncontainer child
    objects inherit the ACE as an effective ACE. For child objects that are containers, the ACE is inherited as
    an inherit-only ACE unless the NO_PROPAGATE_INHERIT_ACE bit flag is also set"; CONTAINER_INHERIT_ACE "Child
    objects that are containers, such as directories, inherit the ACE as an effective ACE. The inherited ACE is
    inheritable unless the NO_PROPAGATE_INHERIT_ACE bit flag is also set"; INHERITED_ACE "The system sets this bit
    when it propagates an inherited ACE to a child object". "Well-known SIDs": CREATOR_OWNER "is used as a
    placeholder in an inheritable ACE. When the ACE is inherited, the system replaces the CREATOR_OWNER SID with
    the SID of the object's creator." "Owner of a New Object": "The owner of a new object is the default owner
    security identifier (SID) from the primary or impersonation token of the creating process." With no
    inheritable ACE (or a NULL DACL above), the DACL comes from the token's default DACL, modelled as full
    control for the creator and SYSTEM ("Security Descriptors for New Objects": "If an object's creator does
    not specify a security descriptor, the system uses inherited or default security information").
    """
    owner = token_owner(state)
    dacl = []
    for entry in parent["dacl"] or ():
        flags = entry["flags"]
        inherit = CONTAINER_INHERIT_ACE if container else OBJECT_INHERIT_ACE
        if flags & inherit:
            sid = owner if entry["sid"] == CREATOR_OWNER else entry["sid"]
            kept = INHERITED_ACE
            if container and not flags & NO_PROPAGATE_INHERIT_ACE:
                kept |= flags & INHERIT
            dacl.append(dict(entry, sid=sid, flags=kept))
            if sid != entry["sid"] and kept & INHERIT:
                dacl.append(dict(entry, flags=kept | INHERIT_ONLY_ACE))
        elif container and flags & OBJECT_INHERIT_ACE and not flags & NO_PROPAGATE_INHERIT_ACE:
            dacl.append(dict(entry, flags=(flags & INHERIT) | INHERIT_ONLY_ACE | INHERITED_ACE))
    if not dacl:
        dacl = [ace(owner), ace(SYSTEM)]
    return {"owner": owner, "protected": False, "dacl": dacl}


# --- binary layouts --------------------------------------------------------------------------------------

def _ace_bytes(entry: dict) -> bytes:
    kind = entry["type"]
    ace_type = ACE_TYPES[kind] if isinstance(kind, str) else int(kind)
    body = entry["mask"].to_bytes(4, "little")
    if ace_type in OBJECT_ACE_TYPES:
        body += bytes(4)  # Flags 0: neither ObjectType nor InheritedObjectType present
    body += sid_bytes(entry["sid"])
    size = (4 + len(body) + 3) & ~3
    return bytes([ace_type, entry["flags"]]) + size.to_bytes(2, "little") + body.ljust(size - 4, b"\0")


def acl_bytes(dacl) -> bytes:
    """An ACL (ACL_REVISION 2) holding the ACEs of ``dacl``, as winnt.h lays ACL and ACEs out."""
    aces = b"".join(_ace_bytes(entry) for entry in dacl)
    return bytes([2, 0]) + (8 + len(aces)).to_bytes(2, "little") + len(dacl).to_bytes(2, "little") + bytes(2) + aces


def descriptor_bytes(entry: dict, what: int):
    """A self-relative SECURITY_DESCRIPTOR of ``entry`` holding what ``what`` (SECURITY_INFORMATION) asks for,
    and the offsets of its owner and DACL (0: none)."""
    owner = sid_bytes(entry["owner"]) if what & OWNER_SECURITY_INFORMATION and entry["owner"] else b""
    control = SE_SELF_RELATIVE
    dacl = b""
    if what & DACL_SECURITY_INFORMATION:
        control |= SE_DACL_PRESENT | (SE_DACL_PROTECTED if entry.get("protected") else 0)
        dacl = acl_bytes(entry["dacl"]) if entry["dacl"] is not None else b""
    owner_at = 20 if owner else 0
    dacl_at = 20 + len(owner) if dacl else 0
    header = bytes([1, 0]) + control.to_bytes(2, "little") + b"".join(
        offset.to_bytes(4, "little") for offset in (owner_at, 0, 0, dacl_at))
    return header + owner + dacl, owner_at, dacl_at


def _security_info(call, entry, what, ppsidOwner, ppsidGroup, ppDacl, ppSacl, ppSecurityDescriptor):
    """GetNamedSecurityInfoW / GetSecurityInfo after the object was found.

    sdk-api aclapi getsecurityinfo: ppSecurityDescriptor "is required if any one of the ppsidOwner, ppsidGroup,
    ppDacl, or ppSacl parameters is not NULL"; "When you have finished using the pointer, free the returned
    buffer by calling the LocalFree function"; the owner and DACL pointers "point to the corresponding
    parameters in the security descriptor returned in ppSecurityDescriptor". getnamedsecurityinfow: ppDacl
    receives "a pointer to the DACL in the returned security descriptor or NULL if the security descriptor has
    no DACL"; getsecuritydescriptordacl: a present DACL pointer may be NULL, "meaning that a NULL DACL is in
    effect. A NULL DACL implicitly allows all access to an object". The pages name no error for a missing
    ppSecurityDescriptor: ERROR_INVALID_PARAMETER. The SACL needs a privilege the emulated token lacks.
    """
    if (ppsidOwner or ppsidGroup or ppDacl or ppSacl) and not ppSecurityDescriptor:
        call.misuse("ppSecurityDescriptor is NULL: it is required when any of the other pointers is given, and "
                    "it is what must be freed with LocalFree")
        raise WinFail(ERROR_INVALID_PARAMETER)
    if what & ~(OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION):
        raise WinFail(ERROR_ACCESS_DENIED)
    data, owner_at, dacl_at = descriptor_bytes(entry, what)
    address = call.emulator.heap.allocate(data, "LocalFree", call.name)
    write_ptr(ppSecurityDescriptor, address)
    write_ptr(ppsidOwner, address + owner_at if owner_at else None)
    write_ptr(ppsidGroup, None)
    write_ptr(ppDacl, address + dacl_at if dacl_at else None)
    write_ptr(ppSacl, None)
    return ERROR_SUCCESS


SECURITY_PARAMS = (("ObjectType", DWORD), ("SecurityInfo", DWORD), ("ppsidOwner", PPVOID), ("ppsidGroup", PPVOID),
                   ("ppDacl", PPVOID), ("ppSacl", PPVOID), ("ppSecurityDescriptor", PPVOID))


@export("advapi32", DWORD, ("pObjectName", LPWSTR), *SECURITY_PARAMS, status_return=True)
def GetNamedSecurityInfoW(call, pObjectName, ObjectType, SecurityInfo, ppsidOwner, ppsidGroup, ppDacl, ppSacl,
                          ppSecurityDescriptor):
    """Files and directories only (SE_FILE_OBJECT). "If the function fails, the return value is a nonzero error
    code defined in WinError.h" (getnamedsecurityinfow); a missing file is ERROR_FILE_NOT_FOUND, a missing
    directory on the way ERROR_PATH_NOT_FOUND, as the file functions answer."""
    if ObjectType != SE_FILE_OBJECT:
        raise WinFail(ERROR_INVALID_PARAMETER)
    path = read_wstr(pObjectName) or ""
    if not os.path.exists(path):
        raise WinFail(ERROR_FILE_NOT_FOUND if os.path.isdir(os.path.dirname(path)) else ERROR_PATH_NOT_FOUND)
    entry = descriptor(call.state, path)
    return _security_info(call, entry, SecurityInfo, ppsidOwner, ppsidGroup, ppDacl, ppSacl, ppSecurityDescriptor)


@export("advapi32", DWORD, ("handle", HANDLE), *SECURITY_PARAMS, status_return=True)
def GetSecurityInfo(call, handle, ObjectType, SecurityInfo, ppsidOwner, ppsidGroup, ppDacl, ppSacl,
                    ppSecurityDescriptor):
    """The file object of a handle from the emulated msvcrt.get_osfhandle: its descriptor stays that of the file
    opened, whatever is at its path now."""
    entry = call.emulator.handle(handle, "crtfile", call)
    if ObjectType != SE_FILE_OBJECT:
        raise WinFail(ERROR_INVALID_PARAMETER)
    try:
        info = os.fstat(entry.fd)
    except OSError:
        info = None
    if info is None or [info.st_dev, info.st_ino] != entry.inode:
        call.misuse("the descriptor of %s was closed: _get_osfhandle's handle is closed with it" % entry.describe())
        raise WinFail(6)  # ERROR_INVALID_HANDLE
    found = descriptor(call.state, entry.path, entry.inode)
    return _security_info(call, found, SecurityInfo, ppsidOwner, ppsidGroup, ppDacl, ppSacl, ppSecurityDescriptor)


@export("advapi32", DWORD, ("pAcl", PVOID), ("dwAceIndex", DWORD), ("pAce", PPVOID))
def GetAce(call, pAcl, dwAceIndex, pAce):
    """securitybaseapi getace: "A value of zero corresponds to the first ACE in the ACL, a value of one to the
    second ACE, and so on"; pAce "A pointer to a pointer that the function sets to the address of the ACE". The
    page names no error for an index past the last ACE: ERROR_INVALID_PARAMETER."""
    if not pAcl:
        raise WinFail(ERROR_INVALID_PARAMETER)
    count = ctypes.c_uint16.from_address(pAcl + 4).value
    if dwAceIndex >= count:
        raise WinFail(ERROR_INVALID_PARAMETER)
    address = pAcl + 8
    for _index in range(dwAceIndex):
        address += ctypes.c_uint16.from_address(address + 2).value
    write_ptr(pAce, address)
    return 1


@export("advapi32", DWORD, ("TokenHandle", HANDLE), ("TokenInformationClass", DWORD), ("TokenInformation", PVOID),
        ("TokenInformationLength", DWORD), ("ReturnLength", LPDWORD))
def GetTokenInformation(call, TokenHandle, TokenInformationClass, TokenInformation, TokenInformationLength,
                        ReturnLength):
    """TokenUser (a TOKEN_USER) and TokenOwner (a TOKEN_OWNER), each a SID pointer followed by the SID.

    securitybaseapi gettokeninformation: "For all other TokenInformationClass values, the handle must have
    TOKEN_QUERY access"; ReturnLength "receives the number of bytes needed for the buffer pointed to by the
    TokenInformation parameter. If this value is larger than the value specified in the TokenInformationLength
    parameter, the function fails and stores no data in the buffer" (ERROR_INSUFFICIENT_BUFFER). TOKEN_USER is
    a SID_AND_ATTRIBUTES (a PSID and a DWORD: 16 bytes on x64), TOKEN_OWNER a PSID (8 bytes).
    """
    token = call.emulator.handle(TokenHandle, "token", call)
    if not token.access & TOKEN_QUERY:
        raise WinFail(ERROR_ACCESS_DENIED)
    if TokenInformationClass == TOKEN_USER_CLASS:
        sid, head = token_user(call.state), 16
    elif TokenInformationClass == TOKEN_OWNER_CLASS:
        sid, head = token_owner(call.state), 8
    else:
        raise WinFail(ERROR_INVALID_PARAMETER)
    data = sid_bytes(sid)
    write_u32(ReturnLength, head + len(data))
    if not TokenInformation or TokenInformationLength < head + len(data):
        raise WinFail(ERROR_INSUFFICIENT_BUFFER)
    write_bytes(TokenInformation, bytes(head) + data)
    write_ptr(TokenInformation, TokenInformation + head)
    return 1


@export("kernel32", DWORD, ("lpFileName", LPWSTR), failure_value=INVALID_FILE_ATTRIBUTES)
def GetFileAttributesW(call, lpFileName):
    """fileapi getfileattributesw: "If the function fails, the return value is INVALID_FILE_ATTRIBUTES"; Remarks,
    symbolic link behavior: "If the path points to a symbolic link, the function returns attributes for the
    symbolic link." A symbolic link, or a path the state marks ``"reparse": true`` (a junction), has
    FILE_ATTRIBUTE_REPARSE_POINT (File Attribute Constants: "A file or directory that has an associated reparse
    point, or a file that is a symbolic link")."""
    path = read_wstr(lpFileName) or ""
    try:
        os.lstat(path)
    except OSError:
        raise WinFail(ERROR_FILE_NOT_FOUND if os.path.isdir(os.path.dirname(path)) else ERROR_PATH_NOT_FOUND)
    attributes = FILE_ATTRIBUTE_DIRECTORY if os.path.isdir(path) else FILE_ATTRIBUTE_ARCHIVE
    listed = call.state["files"].get(path) or {}
    if os.path.islink(path) or listed.get("reparse"):
        attributes |= FILE_ATTRIBUTE_REPARSE_POINT
    return attributes


# --- the C runtime: msvcrt.get_osfhandle --------------------------------------------------------------------

def get_osfhandle(fd: int) -> int:
    """msvcrt.get_osfhandle: the operating-system handle of a C runtime file descriptor.

    Microsoft C runtime _get_osfhandle: "Retrieves the operating-system file handle that is associated with the
    specified file descriptor"; "To close a file whose operating system (OS) file handle is obtained by
    _get_osfhandle, call _close on the file descriptor fd" ... "Don't call CloseHandle on the return value of
    this function": the handle is closed with the descriptor, so it is never reported as a leak. Python raises
    OSError for a descriptor that is not open.
    """
    from .dll import current_emulator  # pylint: disable=import-outside-toplevel

    info = os.fstat(fd)
    emulator = current_emulator()
    path = os.readlink("/proc/self/fd/%d" % fd)
    return emulator.new_handle("crtfile", "_get_osfhandle", None, fd=fd, inode=[info.st_dev, info.st_ino],
                               path=path, must_close=False).value


# Not put in sys.modules by install(): Python takes an importable ``msvcrt`` for Windows (subprocess does), so
# only a test of Windows-only code puts it there, for that test (tests/unit/conftest.py, fixture ``msvcrt``).
MSVCRT = types.ModuleType("msvcrt", "The emulated C runtime of rds_emulator: get_osfhandle only.")
MSVCRT.get_osfhandle = get_osfhandle
