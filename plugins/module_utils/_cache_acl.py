# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The Windows side of the runner's bytecode cache (plugins/module_utils/_runner.py, BytecodeCache): where the
# cache lives on a Windows host, and whether Windows' access control lets only this user, SYSTEM and the
# Administrators change what it holds. docs/security.md ("The bytecode cache on the host") states the rules.
#
# The runner imports this module only on Windows, at its first compile, before anything can come from the cache,
# so it is always compiled from source: it stays small and imports only the standard library (not winapi.py,
# which would then never be served from the cache either). Its prototypes are in its own KERNEL32 and ADVAPI32
# tables, checked against the SDK headers like winapi.py's (tests/unit/plugins/module_utils/test_layouts.py).
# Every failure, and anything this module does not expect, means "no cache": the runner compiles from source.

import ctypes
import os
from ctypes import POINTER, c_int32, c_uint8, c_uint16, c_uint32, c_void_p

# The Windows SDK's type names as fixed-width ctypes (as in winapi.py; winnt.h, minwindef.h).
BOOL = c_int32
DWORD = c_uint32
BYTE = c_uint8
WORD = c_uint16
HANDLE = c_void_p
HLOCAL = c_void_p
LPCWSTR = c_void_p
LPVOID = c_void_p
PSID = c_void_p
PACL = c_void_p
PSECURITY_DESCRIPTOR = c_void_p
SE_OBJECT_TYPE = c_uint32  # an enumeration: 4 bytes
SECURITY_INFORMATION = c_uint32
TOKEN_INFORMATION_CLASS = c_uint32
PHANDLE = POINTER(HANDLE)
PDWORD = POINTER(DWORD)

KERNEL32 = {  # fileapi.h, winbase.h, processthreadsapi.h, handleapi.h
    "GetFileAttributesW": (DWORD, LPCWSTR),
    "GetCurrentProcess": (HANDLE,),
    "CloseHandle": (BOOL, HANDLE),
    "LocalFree": (HLOCAL, HLOCAL),
}
ADVAPI32 = {  # aclapi.h, securitybaseapi.h, processthreadsapi.h
    "GetNamedSecurityInfoW": (DWORD, LPCWSTR, SE_OBJECT_TYPE, SECURITY_INFORMATION, POINTER(PSID), POINTER(PSID),
                              POINTER(PACL), POINTER(PACL), POINTER(PSECURITY_DESCRIPTOR)),
    "GetSecurityInfo": (DWORD, HANDLE, SE_OBJECT_TYPE, SECURITY_INFORMATION, POINTER(PSID), POINTER(PSID),
                        POINTER(PACL), POINTER(PACL), POINTER(PSECURITY_DESCRIPTOR)),
    "GetAce": (BOOL, PACL, DWORD, POINTER(LPVOID)),
    "OpenProcessToken": (BOOL, HANDLE, DWORD, PHANDLE),
    "GetTokenInformation": (BOOL, HANDLE, TOKEN_INFORMATION_CLASS, LPVOID, DWORD, PDWORD),
}


class ACL(ctypes.Structure):  # winnt.h; "AceCount: Number of ACEs stored in the ACL" (sdk-api winnt ns-winnt-acl)
    _fields_ = [("AclRevision", BYTE), ("Sbz1", BYTE), ("AclSize", WORD), ("AceCount", WORD), ("Sbz2", WORD)]


class ACE_HEADER(ctypes.Structure):  # winnt.h; AceSize: "Specifies the size, in bytes, of the ACE"
    _fields_ = [("AceType", BYTE), ("AceFlags", BYTE), ("AceSize", WORD)]


class ACCESS_ALLOWED_ACE(ctypes.Structure):
    # winnt.h; sdk-api ns-winnt-access_allowed_ace, SidStart: "The first DWORD of a trustee's SID. The remaining
    # bytes of the SID are stored in contiguous memory after the SidStart member."
    _fields_ = [("Header", ACE_HEADER), ("Mask", DWORD), ("SidStart", DWORD)]


class SID_AND_ATTRIBUTES(ctypes.Structure):  # winnt.h
    _fields_ = [("Sid", PSID), ("Attributes", DWORD)]


class TOKEN_USER(ctypes.Structure):  # winnt.h; "identifies the user associated with an access token"
    _fields_ = [("User", SID_AND_ATTRIBUTES)]


CACHE_PATH = ("wtsadmin.rds", "bytecode")  # under %LOCALAPPDATA%
SE_FILE_OBJECT = 1  # accctrl.h SE_OBJECT_TYPE: "Indicates a file or directory"
OWNER_SECURITY_INFORMATION, DACL_SECURITY_INFORMATION = 0x1, 0x4  # winnt.h SECURITY_INFORMATION
TOKEN_QUERY = 0x0008  # winnt.h; gettokeninformation: "the handle must have TOKEN_QUERY access"
TOKEN_USER_CLASS = 1  # winnt.h TOKEN_INFORMATION_CLASS TokenUser
INVALID_FILE_ATTRIBUTES = 0xFFFFFFFF
FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_REPARSE_POINT = 0x10, 0x400  # File Attribute Constants
ACCESS_ALLOWED_ACE_TYPE, ACCESS_DENIED_ACE_TYPE = 0, 1  # winnt.h AceType
INHERIT_ONLY_ACE = 0x08  # winnt.h AceFlags
# Access mask bits (winnt.h; "File Access Rights Constants", "Standard Access Rights", "Generic Access Rights",
# ACCESS_MASK). On a directory 0x2 is FILE_ADD_FILE ("the right to create a file in the directory"), 0x4
# FILE_ADD_SUBDIRECTORY ("the right to create a subdirectory") and 0x40 FILE_DELETE_CHILD ("the right to delete
# a directory and all the files it contains, including read-only files"); on a file 0x2 is FILE_WRITE_DATA and
# 0x4 FILE_APPEND_DATA. DELETE "The right to delete the object", WRITE_DAC "The right to modify the discretionary
# access control list (DACL) in the object's security descriptor", WRITE_OWNER "The right to change the owner in
# the object's security descriptor"; GENERIC_WRITE and GENERIC_ALL map to them; an ACE with MAXIMUM_ALLOWED is
# not expected and counted as everything.
FILE_WRITE_DATA, FILE_APPEND_DATA, FILE_DELETE_CHILD = 0x2, 0x4, 0x40
DELETE, WRITE_DAC, WRITE_OWNER = 0x10000, 0x40000, 0x80000
MAXIMUM_ALLOWED, GENERIC_ALL, GENERIC_WRITE = 0x2000000, 0x10000000, 0x40000000
CHANGES_FILE = FILE_WRITE_DATA | FILE_APPEND_DATA | DELETE | WRITE_DAC | WRITE_OWNER | MAXIMUM_ALLOWED \
    | GENERIC_ALL | GENERIC_WRITE  # the entry itself: its bytes, or who may change them
CHANGES_DIRECTORY = CHANGES_FILE | FILE_DELETE_CHILD  # the cache directory: its entries come and go
# A directory above: what lets someone put another directory where the path leads (delete or rename the child,
# or the directory itself, or give themselves that right). Creating files or subdirectories beside the path
# does not: a name on the path that exists is not replaced without deleting it first.
REPLACES_CHILD = FILE_DELETE_CHILD | DELETE | WRITE_DAC | WRITE_OWNER | MAXIMUM_ALLOWED | GENERIC_ALL

# Well-known SIDs in their binary form: winnt.h SID is BYTE Revision, BYTE SubAuthorityCount, a
# SID_IDENTIFIER_AUTHORITY (BYTE Value[6]) and DWORD SubAuthority[] (little-endian on x64); MS-DTYP 2.4.2.2 "SID--Packet
# Representation": Revision "MUST be set to 0x01", "The Identifier Authority value {0,0,0,0,0,5} denotes SIDs
# created by the NT SID authority", SubAuthorityCount: "The maximum number of elements allowed is 15". MicrosoftDocs
# win32 "Well-known SIDs":
# SECURITY_NT_AUTHORITY is 5, SECURITY_LOCAL_SYSTEM_RID 18 ("A special account used by the operating system"),
# SECURITY_BUILTIN_DOMAIN_RID 32 with DOMAIN_ALIAS_RID_ADMINS 544 (the local Administrators group).
LOCAL_SYSTEM = bytes([1, 1, 0, 0, 0, 0, 0, 5]) + (18).to_bytes(4, "little")
ADMINISTRATORS = bytes([1, 2, 0, 0, 0, 0, 0, 5]) + (32).to_bytes(4, "little") + (544).to_bytes(4, "little")
# NT SERVICE\TrustedInstaller, owner of Windows' own directories ("What is the TrustedInstaller Entity You See in
# Windows Vista?", blogs.msdn.microsoft.com/cjacks, 2008: `sc showsid TrustedInstaller` gives
# S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464, the service SID every system has). Trusted for
# the directories above the profile only.
TRUSTED_INSTALLER = bytes([1, 6, 0, 0, 0, 0, 0, 5]) + b"".join(
    rid.to_bytes(4, "little") for rid in (80, 956008885, 3418522649, 1831038044, 1853292631, 2271478464))

_dlls = {}


def kernel32(name):
    return _function("kernel32", KERNEL32, name)


def advapi32(name):
    return _function("advapi32", ADVAPI32, name)


def _function(dll, table, name):
    """Export ``name`` of ``dll`` with its prototype from ``table``; the DLL loaded at first use."""
    if dll not in _dlls:
        _dlls[dll] = ctypes.WinDLL(dll, use_last_error=True)
    function = getattr(_dlls[dll], name)
    function.restype, function.argtypes = table[name][0], table[name][1:]
    return function


def open_directory(local_app_data=None):
    """The cache directory under ``local_app_data`` (default: %LOCALAPPDATA%) if it passes every check, created
    if missing; else None.

    %LOCALAPPDATA% is the connecting user's local (not roaming) application data, under the profile that Windows
    loads for the logon; a path that is missing, relative, on a network share, or a device path (\\\\?\\,
    \\\\.\\), or that is not written the way Windows would write it, gives no cache. The Microsoft pages found
    do not say which environment variables a WinRM or SSH logon's processes get: where LOCALAPPDATA is not set,
    there is no cache.
    """
    local = os.environ.get("LOCALAPPDATA") if local_app_data is None else local_app_data
    drive = os.path.splitdrive(local or "")[0]
    if not local or not os.path.isabs(local) or os.path.normpath(local) != local or drive.startswith(("\\", "/")) \
            or (os.sep == "\\" and len(drive) != 2):
        return None
    path = local
    for name in CACHE_PATH:
        path = os.path.join(path, name)
        try:
            # CreateDirectoryW with no security attributes ("If lpSecurityAttributes is NULL, the directory gets a
            # default security descriptor. The ACLs in the default security descriptor for a directory are
            # inherited from its parent directory", fileapi createdirectoryw): the profile's ACEs, which pass.
            # (os.mkdir's default mode 0o777 asks for nothing else; Python 3.13 sets an ACL only for 0o700.)
            os.mkdir(path)
        except FileExistsError:
            pass
        except OSError:
            return None
    user = _token_user()
    if user is None:
        return None
    directory = CacheDirectory(path, user)
    return directory if directory.trusted() else None


def _token_user():
    """The binary SID of this process's token user, or None.

    OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY) and GetTokenInformation(TokenUser): TOKEN_USER "identifies
    the user associated with an access token"; ReturnLength "receives the number of bytes needed ... If this
    value is larger than the value specified in the TokenInformationLength parameter, the function fails and
    stores no data in the buffer" (gettokeninformation), so a second call gets that size. The token handle is
    closed (CloseHandle).
    """
    token = HANDLE()
    if not advapi32("OpenProcessToken")(kernel32("GetCurrentProcess")(), TOKEN_QUERY, ctypes.byref(token)):
        return None
    try:
        size = DWORD(ctypes.sizeof(TOKEN_USER) + 68)  # winnt.h SECURITY_MAX_SID_SIZE: 68 bytes
        for _attempt in range(2):
            buffer = ctypes.create_string_buffer(max(size.value, ctypes.sizeof(TOKEN_USER)))
            if advapi32("GetTokenInformation")(token, TOKEN_USER_CLASS, buffer, len(buffer), ctypes.byref(size)):
                return _sid(TOKEN_USER.from_buffer(buffer).User.Sid, ctypes.addressof(buffer) + len(buffer))
        return None
    finally:
        kernel32("CloseHandle")(token)


def _sid(address, end):
    """The bytes of the SID at ``address`` if it lies before ``end`` and is well formed (revision 1, at most 15
    sub-authorities: MS-DTYP 2.4.2.2, above), else None."""
    if not address or address + 8 > end:
        return None
    revision, count = ctypes.string_at(address, 2)
    if revision != 1 or count > 15 or address + 8 + 4 * count > end:
        return None
    return ctypes.string_at(address, 8 + 4 * count)


class CacheDirectory:
    """The checked cache directory: reads entries only after checking the opened file, writes them whole."""

    def __init__(self, path, user):
        self.path = path
        # What this process creates is owned by its token's default owner: TOKEN_OWNER (winnt.h), "Whenever the
        # process using this access token creates a new object, the object is owned by the Owner"; for an
        # administrator that is the group ("How Owners Are Assigned and Changed", Windows 2000 Server docs: "The
        # only exceptions occur when the user is a member of either the Administrators group or the Domain Admins
        # group. In both cases, the Owner field in the user's access token contains the SID for the group").
        self._owners = (user, ADMINISTRATORS)
        self._writers = (user, ADMINISTRATORS, LOCAL_SYSTEM)

    def trusted(self):
        """Whether the cache directory and each directory above it up to the root pass (docs/security.md).

        The cache directory: owned by this user or by Administrators, and only they and SYSTEM may change its
        entries. Each directory above: owned by, and replaceable only by, those or TrustedInstaller. None of
        them a reparse point. The owner counts as a writer everywhere: "An object's owner implicitly has
        WRITE_DAC access to the object" (MicrosoftDocs win32, "Owner of a New Object").
        """
        trusted_above = self._writers + (TRUSTED_INSTALLER,)
        current = self.path
        rules = (self._owners, self._writers, CHANGES_DIRECTORY)
        while True:
            if not _plain_directory(current) or not self._check(_named_security(current), *rules):
                return False
            parent = os.path.dirname(current)
            if parent == current:
                return True
            current = parent
            rules = (trusted_above, trusted_above, REPLACES_CHILD)

    def read(self, name):
        """The bytes of entry ``name``, or None when it is missing, unreadable or not this user's alone.

        The file is opened first and the descriptor of the opened file (its handle: msvcrt.get_osfhandle, "the
        operating-system file handle that is associated with the specified file descriptor", not to be closed
        with CloseHandle) is checked, then read from that same handle: nothing can be swapped in between.
        GetSecurityInfo: "To read the owner, group, or DACL from the object's security descriptor, the calling
        process must have been granted READ_CONTROL access when the handle was opened", which a read handle has
        (GENERIC_READ maps to FILE_GENERIC_READ, which holds READ_CONTROL: File Access Rights Constants).
        """
        try:
            import msvcrt  # pylint: disable=import-outside-toplevel,import-error

            fd = os.open(os.path.join(self.path, name), os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except (ImportError, OSError):
            return None
        try:
            with os.fdopen(fd, "rb") as handle:
                if not self._check(_handle_security(msvcrt.get_osfhandle(fd)), self._owners, self._writers,
                                   CHANGES_FILE):
                    return None
                return handle.read()
        except Exception:  # anything unexpected: not trusted, compiled from source
            return None

    def write(self, name, data):
        """Write entry ``name`` whole: a new file beside it, then os.replace (MoveFileExW with
        MOVEFILE_REPLACE_EXISTING). The new file inherits the cache directory's ACEs and is owned by the token's
        default owner: this user, or Administrators for an elevated administrator."""
        temp = os.path.join(self.path, "%s.%d.tmp" % (name, os.getpid()))
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        try:
            with os.fdopen(os.open(temp, flags), "wb") as handle:
                handle.write(data)
            os.replace(temp, os.path.join(self.path, name))
        except Exception:  # anything unexpected: no entry (the code compiled is used all the same)
            try:
                os.unlink(temp)
            except OSError:
                pass

    def _check(self, security, owners, writers, rights):
        """Whether ``security`` ((owner SID, DACL address, descriptor) from _named_security/_handle_security, freed
        here) has an owner among ``owners`` and a DACL whose allowing ACEs give ``rights`` only to ``writers``."""
        if security is None:
            return False
        owner, dacl, descriptor = security
        try:
            return owner in owners and _only(dacl, writers, rights)
        finally:
            kernel32("LocalFree")(descriptor)


def _plain_directory(path):
    """Whether ``path`` is a directory and no reparse point (no symbolic link, junction or mount point).

    getfileattributesw: "If the function fails, the return value is INVALID_FILE_ATTRIBUTES"; Remarks: "If the
    path points to a symbolic link, the function returns attributes for the symbolic link". File Attribute
    Constants: FILE_ATTRIBUTE_REPARSE_POINT "A file or directory that has an associated reparse point, or a file
    that is a symbolic link"; FILE_ATTRIBUTE_DIRECTORY "The handle that identifies a directory".
    """
    attributes = kernel32("GetFileAttributesW")(_wide(path))
    return attributes != INVALID_FILE_ATTRIBUTES and bool(attributes & FILE_ATTRIBUTE_DIRECTORY) \
        and not attributes & FILE_ATTRIBUTE_REPARSE_POINT


def _wide(text):
    """``text`` as a NUL-terminated UTF-16LE buffer (what LPCWSTR points to)."""
    data = text.encode("utf-16-le", "surrogatepass") + b"\0\0"
    return ctypes.create_string_buffer(data, len(data))


def _named_security(path):
    """GetNamedSecurityInfoW(SE_FILE_OBJECT, OWNER | DACL) of ``path``: (owner SID bytes, DACL address or None,
    descriptor to LocalFree), or None when it fails ("If the function succeeds, the return value is
    ERROR_SUCCESS. If the function fails, the return value is a nonzero error code")."""
    return _security(advapi32("GetNamedSecurityInfoW"), _wide(path))


def _handle_security(handle):
    """GetSecurityInfo of an open file: as _named_security."""
    return _security(advapi32("GetSecurityInfo"), handle)


def _security(function, target):
    owner, dacl, descriptor = PSID(), PACL(), PSECURITY_DESCRIPTOR()
    status = function(target, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                      ctypes.byref(owner), None, ctypes.byref(dacl), None, ctypes.byref(descriptor))
    if status != 0:
        return None
    # getsecurityinfo: ppSecurityDescriptor "When you have finished using the pointer, free the returned buffer
    # by calling the LocalFree function"; the owner and DACL "point to the corresponding parameters in the
    # security descriptor returned in ppSecurityDescriptor", so they are read before it is freed. The pages do not
    # give the descriptor's size: the SID is read as its own header says (at most 68 bytes).
    address = owner.value or 0
    return _sid(address, address + 68), dacl.value, descriptor.value


def _only(dacl, writers, rights):
    """Whether every ACE of ``dacl`` that applies to the object and allows any of ``rights`` names one of
    ``writers``.

    A NULL DACL fails: getsecuritydescriptordacl, "A NULL DACL implicitly allows all access to an object and is
    not the same as an empty DACL. An empty DACL permits no access to an object." ACEs come from GetAce ("A value
    of zero corresponds to the first ACE in the ACL"). ACE_HEADER: INHERIT_ONLY_ACE "Indicates an inherit-only
    ACE, which does not control access to the object to which it is attached": skipped. An access-denied ACE
    only takes rights away: skipped. Any other type that can allow (object, callback, compound, or one this
    module does not know) fails.
    """
    if not dacl:
        return False
    get_ace = advapi32("GetAce")
    for index in range(ACL.from_address(dacl).AceCount):
        address = LPVOID()
        if not get_ace(dacl, index, ctypes.byref(address)):
            return False
        ace = ACCESS_ALLOWED_ACE.from_address(address.value)
        header = ace.Header
        if header.AceFlags & INHERIT_ONLY_ACE or header.AceType == ACCESS_DENIED_ACE_TYPE:
            continue
        if header.AceType != ACCESS_ALLOWED_ACE_TYPE:
            return False
        if ace.Mask & rights:
            start = address.value + ACCESS_ALLOWED_ACE.SidStart.offset
            if _sid(start, address.value + header.AceSize) not in writers:
                return False
    return True
