/*
 * Structures (and below, functions) of wtsapi32.h that MinGW-w64's header lacks, declared from Microsoft's
 * documentation (learn.microsoft.com/windows/win32/api/wtsapi32/). They carry a DOCS_ prefix so that a MinGW-w64 that
 * gains them does not clash; test_layouts.py measures them in place of the SDK types of the same name.
 * Include after <windows.h> and <wtsapi32.h> (WTS_CONNECTSTATE_CLASS, the *_LENGTH constants).
 */
#ifndef WTSADMIN_WTSAPI32_DOCS_H
#define WTSADMIN_WTSAPI32_DOCS_H

typedef struct {
    DWORD ExecEnvId;
    WTS_CONNECTSTATE_CLASS State;
    DWORD SessionId;
    LPWSTR pSessionName;
    LPWSTR pHostName;
    LPWSTR pUserName;
    LPWSTR pDomainName;
    LPWSTR pFarmName;
} DOCS_WTS_SESSION_INFO_1W;

typedef struct {
    DWORD SessionId;
    DWORD ProcessId;
    LPWSTR pProcessName;
    PSID pUserSid;
    DWORD NumberOfThreads;
    DWORD HandleCount;
    DWORD PagefileUsage;
    DWORD PeakPagefileUsage;
    DWORD WorkingSetSize;
    DWORD PeakWorkingSetSize;
    LARGE_INTEGER UserTime;
    LARGE_INTEGER KernelTime;
} DOCS_WTS_PROCESS_INFO_EXW;

typedef struct {
    ULONG SessionId;
    WTS_CONNECTSTATE_CLASS SessionState;
    LONG SessionFlags;
    WCHAR WinStationName[WINSTATIONNAME_LENGTH + 1];
    WCHAR UserName[USERNAME_LENGTH + 1];
    WCHAR DomainName[DOMAIN_LENGTH + 1];
    LARGE_INTEGER LogonTime;
    LARGE_INTEGER ConnectTime;
    LARGE_INTEGER DisconnectTime;
    LARGE_INTEGER LastInputTime;
    LARGE_INTEGER CurrentTime;
    DWORD IncomingBytes;
    DWORD OutgoingBytes;
    DWORD IncomingFrames;
    DWORD OutgoingFrames;
    DWORD IncomingCompressedBytes;
    DWORD OutgoingCompressedBytes;
} DOCS_WTSINFOEX_LEVEL1_W;

typedef union {
    DOCS_WTSINFOEX_LEVEL1_W WTSInfoExLevel1;
} DOCS_WTSINFOEX_LEVEL_W;

typedef struct {
    DWORD Level;
    DOCS_WTSINFOEX_LEVEL_W Data;
} DOCS_WTSINFOEXW;

/*
 * Functions of wtsapi32.h that MinGW-w64's header lacks, with the enumeration and pointer type they use, as
 * the "Syntax" section of each function's page declares them
 * (learn.microsoft.com/windows/win32/api/wtsapi32/nf-wtsapi32-wtsopenserverexw and so on).
 */
typedef enum {
    DOCS_WTSTypeProcessInfoLevel0,
    DOCS_WTSTypeProcessInfoLevel1,
    DOCS_WTSTypeSessionInfoLevel1
} DOCS_WTS_TYPE_CLASS;

typedef DOCS_WTS_SESSION_INFO_1W *DOCS_PWTS_SESSION_INFO_1W;

HANDLE WINAPI DOCS_WTSOpenServerExW(LPWSTR pServerName);
BOOL WINAPI DOCS_WTSEnumerateSessionsExW(HANDLE hServer, DWORD *pLevel, DWORD Filter,
                                         DOCS_PWTS_SESSION_INFO_1W *ppSessionInfo, DWORD *pCount);
BOOL WINAPI DOCS_WTSFreeMemoryExW(DOCS_WTS_TYPE_CLASS WTSTypeClass, PVOID pMemory, ULONG NumberOfEntries);
BOOL WINAPI DOCS_WTSEnumerateProcessesExW(HANDLE hServer, DWORD *pLevel, DWORD SessionId, LPWSTR *ppProcessInfo,
                                          DWORD *pCount);

#endif
