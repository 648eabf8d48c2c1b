"""The emulator's structures have Windows x64 sizes and offsets, checked by compiling for Win64 with MinGW-w64.

Structures that MinGW-w64's headers lack are declared below from Microsoft's wtsapi32.h documentation, so the
compiler still decides their padding under the Windows x64 ABI.
"""

from __future__ import annotations

import ctypes
import subprocess

from rds_emulator import structs

MISSING_FROM_MINGW = """
typedef struct _WTS_SESSION_INFO_1W { DWORD ExecEnvId; WTS_CONNECTSTATE_CLASS State; DWORD SessionId;
  LPWSTR pSessionName; LPWSTR pHostName; LPWSTR pUserName; LPWSTR pDomainName; LPWSTR pFarmName; } WTS_SESSION_INFO_1W;
typedef struct _WTS_PROCESS_INFO_EXW { DWORD SessionId; DWORD ProcessId; LPWSTR pProcessName; PSID pUserSid;
  DWORD NumberOfThreads; DWORD HandleCount; DWORD PagefileUsage; DWORD PeakPagefileUsage; DWORD WorkingSetSize;
  DWORD PeakWorkingSetSize; LARGE_INTEGER UserTime; LARGE_INTEGER KernelTime; } WTS_PROCESS_INFO_EXW;
typedef struct _WTSINFOEX_LEVEL1_W { ULONG SessionId; WTS_CONNECTSTATE_CLASS SessionState; LONG SessionFlags;
  WCHAR WinStationName[WINSTATIONNAME_LENGTH + 1]; WCHAR UserName[USERNAME_LENGTH + 1];
  WCHAR DomainName[DOMAIN_LENGTH + 1]; LARGE_INTEGER LogonTime; LARGE_INTEGER ConnectTime;
  LARGE_INTEGER DisconnectTime; LARGE_INTEGER LastInputTime; LARGE_INTEGER CurrentTime; DWORD IncomingBytes;
  DWORD OutgoingBytes; DWORD IncomingFrames; DWORD OutgoingFrames; DWORD IncomingCompressedBytes;
  DWORD OutgoingCompressedBytes; } WTSINFOEX_LEVEL1_W;
typedef union _WTSINFOEX_LEVEL_W { WTSINFOEX_LEVEL1_W WTSInfoExLevel1; } WTSINFOEX_LEVEL_W;
typedef struct _WTSINFOEXW { DWORD Level; WTSINFOEX_LEVEL_W Data; } WTSINFOEXW;
typedef struct _WTSCONFIGINFOW { ULONG version; ULONG fConnectClientDrivesAtLogon; ULONG fConnectPrinterAtLogon;
  ULONG fDisablePrinterRedirection; ULONG fDisableDefaultMainClientPrinter; ULONG ShadowSettings;
  WCHAR LogonUserName[USERNAME_LENGTH + 1]; WCHAR LogonDomain[DOMAIN_LENGTH + 1]; WCHAR WorkDirectory[MAX_PATH + 1];
  WCHAR InitialProgram[MAX_PATH + 1]; WCHAR ApplicationName[MAX_PATH + 1]; } WTSCONFIGINFOW;
typedef struct _WTS_SESSION_ADDRESS { DWORD AddressFamily; BYTE Address[20]; } WTS_SESSION_ADDRESS;
"""


def layout_assertions() -> str:
    lines = []
    for struct in structs.ALL:
        name = struct.__name__
        lines.append('_Static_assert(sizeof(%s) == %d, "sizeof %s");' % (name, ctypes.sizeof(struct), name))
        for field, _ctype in struct._fields_:
            descriptor = getattr(struct, field)
            lines.append('_Static_assert(offsetof(%s, %s) == %d, "%s.%s offset");'
                         % (name, field, descriptor.offset, name, field))
            lines.append('_Static_assert(sizeof(((%s *)0)->%s) == %d, "%s.%s size");'
                         % (name, field, descriptor.size, name, field))
    return "\n".join(lines)


def test_every_structure_matches_the_windows_x64_layout(tmp_path):
    source = tmp_path / "layouts.c"
    source.write_text("#define _WIN32_WINNT 0x0601\n#include <winsock2.h>\n#include <windows.h>\n#include <stddef.h>\n"
                      "#include <wtsapi32.h>\n#include <lm.h>\n#include <tlhelp32.h>\n#include <ws2ipdef.h>\n"
                      "#include <iphlpapi.h>\n"
                      + MISSING_FROM_MINGW + layout_assertions() + "\n")
    done = subprocess.run(["x86_64-w64-mingw32-gcc", "-c", "-o", str(tmp_path / "layouts.o"), str(source)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
