"""Windows error codes the emulator uses, their FormatMessage texts, and the failure signal."""

from __future__ import annotations

ERROR_SUCCESS = 0
ERROR_FILE_NOT_FOUND = 2
ERROR_ACCESS_DENIED = 5
ERROR_INVALID_HANDLE = 6
ERROR_NOT_ENOUGH_MEMORY = 8
ERROR_NO_MORE_FILES = 18
ERROR_BAD_LENGTH = 24
ERROR_GEN_FAILURE = 31
ERROR_NOT_SUPPORTED = 50
ERROR_BAD_NETPATH = 53
ERROR_INVALID_PARAMETER = 87
ERROR_SEM_TIMEOUT = 121
ERROR_INSUFFICIENT_BUFFER = 122
ERROR_INVALID_LEVEL = 124
ERROR_MORE_DATA = 234
WAIT_TIMEOUT = 258
ERROR_OPERATION_ABORTED = 995
ERROR_IO_INCOMPLETE = 996
ERROR_IO_PENDING = 997
ERROR_NOT_FOUND = 1168
ERROR_SHUTDOWN_IN_PROGRESS = 1115
ERROR_PRIVILEGE_NOT_HELD = 1314
ERROR_NONE_MAPPED = 1332
ERROR_INVALID_SID = 1337
ERROR_NO_SUCH_DOMAIN = 1355
ERROR_TIMEOUT = 1460
ERROR_RPC_S_SERVER_UNAVAILABLE = 1722
ERROR_RPC_S_CALL_FAILED = 1726
ERROR_NO_BROWSER_SERVERS_FOUND = 6118
ERROR_CTX_WINSTATION_NOT_FOUND = 7022

MESSAGES = {
    0: "The operation completed successfully.",
    1: "Incorrect function.",
    2: "The system cannot find the file specified.",
    5: "Access is denied.",
    6: "The handle is invalid.",
    8: "Not enough memory resources are available to process this command.",
    18: "There are no more files.",
    24: "The program issued a command but the command length is incorrect.",
    31: "A device attached to the system is not functioning.",
    50: "The request is not supported.",
    53: "The network path was not found.",
    87: "The parameter is incorrect.",
    120: "This function is not supported on this system.",
    121: "The semaphore timeout period has expired.",
    122: "The data area passed to a system call is too small.",
    124: "The system call level is not correct.",
    127: "The specified procedure could not be found.",
    234: "More data is available.",
    258: "The wait operation timed out.",
    995: "The I/O operation has been aborted because of either a thread exit or an application request.",
    996: "Overlapped I/O event is not in a signaled state.",
    997: "Overlapped I/O operation is in progress.",
    1115: "A system shutdown is in progress.",
    1168: "Element not found.",
    1314: "A required privilege is not held by the client.",
    1326: "The user name or password is incorrect.",
    1332: "No mapping between account names and security IDs was done.",
    1337: "The security ID structure is invalid.",
    1355: "The specified domain either does not exist or could not be contacted.",
    1460: "This operation returned because the timeout period expired.",
    1722: "The RPC server is unavailable.",
    1789: "The trust relationship between this workstation and the primary domain failed.",
    2114: "The Server service is not started.",
    1726: "The remote procedure call failed.",
    6118: "The list of servers for this workgroup is not currently available",
    7007: "A close operation is pending on the session.",
    7022: "The specified session cannot be found.",
    7045: "The requested session access is denied.",
}


def format_error(code: int) -> str:
    """The text ctypes.FormatError gives on Windows (trailing whitespace stripped)."""
    return MESSAGES.get(code, "<no description>")


class WinFail(Exception):
    """Raised inside an emulated function: it fails the Windows way with this error code."""

    def __init__(self, code: int):
        super().__init__(code, format_error(code))
        self.code = code


class PrototypeError(TypeError):
    """A caller declared or called an export in a way a real DLL would not tolerate."""
