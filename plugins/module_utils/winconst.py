# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The catalogue of the Windows constants the collection uses, each declared once and named as in the Windows
# SDK header it comes from (winerror.h, lmerr.h, wtsapi32.h, winuser.h, ...), with the admin's names of the
# enumerations beside them. Everything else imports them from here (docs/architecture.md, "Where is X").
# Plain numbers and names only: no ctypes, no calls.

# winerror.h: system error codes (GetLastError, and the status of the netapi32 functions).
NO_ERROR = 0
ERROR_FILE_NOT_FOUND = 2
ERROR_ACCESS_DENIED = 5
ERROR_INVALID_HANDLE = 6
ERROR_NOT_ENOUGH_MEMORY = 8
ERROR_INVALID_DATA = 13
ERROR_NO_MORE_FILES = 18
ERROR_GEN_FAILURE = 31
ERROR_NOT_SUPPORTED = 50
ERROR_BAD_NETPATH = 53
ERROR_INVALID_PARAMETER = 87
ERROR_CALL_NOT_IMPLEMENTED = 120
ERROR_INSUFFICIENT_BUFFER = 122
ERROR_MOD_NOT_FOUND = 126
ERROR_PROC_NOT_FOUND = 127
ERROR_MORE_DATA = 234
ERROR_IO_INCOMPLETE = 996
ERROR_NOT_FOUND = 1168
ERROR_NOT_ALL_ASSIGNED = 1300
ERROR_PRIVILEGE_NOT_HELD = 1314
ERROR_NONE_MAPPED = 1332
ERROR_TIMEOUT = 1460
RPC_S_SERVER_UNAVAILABLE = 1722
RPC_S_CALL_FAILED = 1726
RPC_S_PROCNUM_OUT_OF_RANGE = 1745
EPT_S_NOT_REGISTERED = 1753
ERROR_NO_BROWSER_SERVERS_FOUND = 6118
ERROR_CTX_WINSTATION_NOT_FOUND = 7022

# lmerr.h: NERR_* status codes of the netapi32 functions. The system message table has no text for them
# (they live in netmsg.dll), so their texts are kept here.
NERR_SUCCESS = 0
NERR_TEXT = {
    2114: "The Server service is not started.",
    2127: "A remote error occurred with no data returned by the server.",
    2138: "The Workstation service has not been started.",
    2184: "The service has not been started.",
}

# minwindef.h, lmcons.h, wtsapi32.h: buffer lengths in characters.
MAX_PATH = 260
UNLEN = 256
USERNAME_LENGTH = 20
CLIENTNAME_LENGTH = 20
CLIENTADDRESS_LENGTH = 30
WINSTATIONNAME_LENGTH = 32
DOMAIN_LENGTH = 17

# sysinfoapi.h: COMPUTER_NAME_FORMAT. The physical names are this machine's own even on a cluster node, where
# the others name the cluster's virtual server (sdk-api sysinfoapi/nf-sysinfoapi-getcomputernameexw).
COMPUTER_NAME_PHYSICAL_NETBIOS = 4
COMPUTER_NAME_PHYSICAL_DNS_HOSTNAME = 5
COMPUTER_NAME_PHYSICAL_DNS_FULLY_QUALIFIED = 7

# tlhelp32.h, winnt.h: the process snapshot and this process's token.
TH32CS_SNAPPROCESS = 0x2
TOKEN_ADJUST_PRIVILEGES = 0x20
TOKEN_QUERY = 0x8
SE_PRIVILEGE_ENABLED = 0x2

# winnt.h: registry access rights and value types (HKEY_LOCAL_MACHINE, a pointer-sized handle, is in registry.py).
KEY_QUERY_VALUE = 0x1
KEY_WOW64_64KEY = 0x100  # the 64-bit view also from a 32-bit Python (Registry Redirector)
REG_SZ = 1
REG_EXPAND_SZ = 2
REG_DWORD = 4

# winnt.h: the largest DWORD (MAXDWORD).
DWORD_MAX = 0xFFFFFFFF

# wtsapi32.h: servers, sessions, shutdown.
WTS_CURRENT_SERVER_HANDLE = None
WTS_CURRENT_SESSION = 0xFFFFFFFF
WTS_ANY_SESSION = 0xFFFFFFFE
# processthreadsapi.h / winnt.h: the access right QueryFullProcessImageNameW needs at least.
PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
# The longest path Windows hands out (32,767 characters and the NUL).
LONGEST_PATH = 32768
# WTSGetActiveConsoleSessionId: "If there is no session attached to the physical console ... returns 0xFFFFFFFF."
NO_CONSOLE_SESSION = 0xFFFFFFFF
WTS_WSD_LOGOFF = 0x1
WTS_WSD_SHUTDOWN = 0x2
WTS_WSD_REBOOT = 0x4
WTS_WSD_POWEROFF = 0x8
# WTS_CONNECTSTATE_CLASS, in enum order, by the names the modules use.
STATE_NAMES = ("active", "connected", "connect_query", "shadow", "disconnected", "idle", "listen", "reset",
               "down", "init")
# WTSINFOEX_LEVEL1_W.SessionFlags (WTS_SESSIONSTATE_UNKNOWN is 0xFFFFFFFF).
WTS_SESSIONSTATE_LOCK = 0
WTS_SESSIONSTATE_UNLOCK = 1
# WTS_INFO_CLASS values the collection asks for.
WTSClientProtocolType = 16
WTSClientInfo = 23
WTSSessionInfoEx = 25
# WTSClientProtocolType's answer.
PROTOCOL_NAMES = {0: "console", 1: "ica", 2: "rdp"}
# WTS_TYPE_CLASS, for WTSFreeMemoryExW.
WTS_TYPE_PROCESS_INFO_LEVEL1 = 1
WTS_TYPE_SESSION_INFO_LEVEL1 = 2
# WTSINFOEXW.Level: the one level documented.
WTSINFOEX_LEVEL_1 = 1
# WTSCLIENTW.ClientAddressFamily (ws2def.h AF_*) and WTS_CLIENT_DISPLAY's ColorDepth code -> bits per pixel.
AF_UNSPEC = 0
AF_INET = 2
AF_INET6 = 23
ADDRESS_FAMILY_NAMES = {0: "unspec", AF_INET: "inet", 6: "ipx", 17: "netbios", AF_INET6: "inet6"}
COLOR_DEPTH_BITS = {1: 4, 2: 8, 4: 16, 8: 24, 16: 15, 24: 24, 32: 32}

# wtsapi32.h: WTSWaitSystemEvent's event flags, by the names win_rds_wait uses.
WTS_EVENT_ALL = 0x7FFFFFFF
WTS_EVENT_FLUSH = 0x80000000
WTS_EVENT_NONE = 0x0  # with WTSWaitSystemEvent: clears the handle's event wait block (MS-TSTS WEVENT_NONE)
EVENT_FLAGS = {
    "create": 0x1,
    "delete": 0x2,
    "rename": 0x4,
    "connect": 0x8,
    "disconnect": 0x10,
    "logon": 0x20,
    "logoff": 0x40,
    "state_change": 0x80,
    "license": 0x100,
}

# winuser.h: WTSSendMessageW's style is MessageBox's uType: the buttons (MB_OK ... MB_CANCELTRYCONTINUE, with
# how many there are), the icon (MB_ICONERROR ... MB_ICONINFORMATION) and the default button (MB_DEFBUTTON1..3).
MESSAGE_BUTTONS = {"ok": (0x0, 1), "ok_cancel": (0x1, 2), "abort_retry_ignore": (0x2, 3), "yes_no_cancel": (0x3, 3),
                   "yes_no": (0x4, 2), "retry_cancel": (0x5, 2), "cancel_try_continue": (0x6, 3)}
MESSAGE_ICONS = {"none": 0x0, "error": 0x10, "question": 0x20, "warning": 0x30, "information": 0x40}
MB_DEFBUTTON_SHIFT = 8  # MB_DEFBUTTON2 is 0x100, MB_DEFBUTTON3 0x200
# MessageBox's answers (IDOK ... IDCONTINUE) and WTSSendMessageW's own (IDTIMEOUT, IDASYNC).
RESPONSE_NAMES = {1: "ok", 2: "cancel", 3: "abort", 4: "retry", 5: "ignore", 6: "yes", 7: "no", 10: "try_again",
                  11: "continue", 32000: "timeout", 32001: "async"}

# wtsapi32.h, pchannel.h: virtual channels.
WTS_VIRTUAL_CLIENT_DATA = 0
CHANNEL_NAME_LEN = 7
CHANNEL_CHUNK_LENGTH = 1600
CHANNEL_PDU_HEADER_LENGTH = 8  # CHANNEL_PDU_HEADER: UINT32 length, UINT32 flags
CHANNEL_PDU_LENGTH = CHANNEL_CHUNK_LENGTH + CHANNEL_PDU_HEADER_LENGTH  # a chunk after its CHANNEL_PDU_HEADER
CHANNEL_FLAG_FIRST = 0x01
CHANNEL_FLAG_LAST = 0x02
WTS_CHANNEL_OPTION_DYNAMIC = 0x1
# Static channels Remote Desktop Services itself opens in a session, by name (upper case), and what each carries:
# [MS-RDPECLIP] 2.1 "The virtual channel name is "CLIPRDR"."; [MS-RDPEFS] 1 "runs over a static virtual channel
# with the name RDPDR"; [MS-RDPEA] 2.1 "A static virtual channel ... The virtual channel name is
# "RDPSND"."; [MS-RDPEMT] 1.3 "One of these static virtual channels, named "DRDYNVC", multiplexes a collection of
# dynamic virtual channels"; [MS-RDPERP] 2.2.1.1.1 "RAIL PDUs over the RAIL static virtual channel".
SYSTEM_CHANNELS = {
    "CLIPRDR": "the clipboard ([MS-RDPECLIP])",
    "RDPDR": "drive, printer and device redirection ([MS-RDPEFS])",
    "RDPSND": "audio output ([MS-RDPEA])",
    "DRDYNVC": "every dynamic virtual channel ([MS-RDPEDYC])",
    "RAIL": "RemoteApp programs ([MS-RDPERP])",
}
CHANNEL_PRIORITIES = {"low": 0x0, "medium": 0x2, "high": 0x4, "real": 0x6}

# lm.h: NetServerEnum and NetServerGetInfo.
MAX_PREFERRED_LENGTH = 0xFFFFFFFF
MAJOR_VERSION_MASK = 0x0F
PLATFORM_NAMES = {300: "dos", 400: "os2", 500: "nt", 600: "osf", 700: "vms"}
SV_TYPE_TERMINALSERVER = 0x02000000
SV_TYPE_NAMES = {
    0x00000001: "workstation",
    0x00000002: "server",
    0x00000004: "sqlserver",
    0x00000008: "domain_ctrl",
    0x00000010: "domain_bakctrl",
    0x00000020: "time_source",
    0x00000040: "afp",
    0x00000080: "novell",
    0x00000100: "domain_member",
    0x00000200: "printq_server",
    0x00000400: "dialin_server",
    0x00000800: "xenix_server",
    0x00001000: "nt",
    0x00002000: "wfw",
    0x00004000: "server_mfpn",
    0x00008000: "server_nt",
    0x00010000: "potential_browser",
    0x00020000: "backup_browser",
    0x00040000: "master_browser",
    0x00080000: "domain_master",
    0x00100000: "server_osf",
    0x00200000: "server_vms",
    0x00400000: "windows",
    0x00800000: "dfs",
    0x01000000: "cluster_nt",
    SV_TYPE_TERMINALSERVER: "terminal_server",
    0x04000000: "cluster_vs_nt",
    0x10000000: "dce",
    0x20000000: "alternate_xport",
    0x40000000: "local_list_only",
    0x80000000: "domain_enum",
}
