/*
** decoy.c - a program that only says it ran (a PE built with mingw-w64).
**
** The harness places it where Windows' search of an unquoted ImagePath
** with spaces looks first (C:\Program.exe for "C:\Program Files\...",
** see CreateProcess's remarks on lpApplicationName): a scenario then shows
** whether the service manager started it instead of Kmserver.exe.  It
** tells the harness over the pipe of emu/kms_protocol.h (who = decoy, no
** password: it reads none and sends none), and when the service manager
** started it, it then reports SERVICE_STOPPED at once, so that the manager
** does not wait for a start that never comes.
*/
#include <windows.h>
#include <tlhelp32.h>
#include "kms_client.h"

/* Tell the harness we ran, if it listens.  Its answer says nothing to a
** decoy; waiting for it keeps the hello in the pipe until it is read.
** Under the service manager this runs in ServiceMain after START_PENDING,
** as the server's hello does, so that a harness answering after
** StartServiceW has returned hears it. */
static void say_we_ran(void)
{
    struct kms_hello hello = { .magic = KMS_HELLO_MAGIC, .who = KMS_WHO_DECOY,
                               .source = KMS_SOURCE_NONE, .length = 0 };
    kms_client_ask(&hello);
}

/* Was this process started by the service manager (services.exe)?  Run by
** hand, the dispatcher would only fail (under Wine after a 10 s wait). */
static int started_by_scm(void)
{
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    if (snap == INVALID_HANDLE_VALUE)
        return 0;
    PROCESSENTRY32W pe = { .dwSize = sizeof pe };
    DWORD self = GetCurrentProcessId(), parent = 0;
    for (BOOL ok = Process32FirstW(snap, &pe); ok && !parent; ok = Process32NextW(snap, &pe))
        if (pe.th32ProcessID == self)
            parent = pe.th32ParentProcessID;
    int scm = 0;
    pe.dwSize = sizeof pe;
    for (BOOL ok = parent && Process32FirstW(snap, &pe); ok && !scm; ok = Process32NextW(snap, &pe))
        scm = pe.th32ProcessID == parent
              && CompareStringOrdinal(pe.szExeFile, -1, L"services.exe", -1, TRUE) == CSTR_EQUAL;
    CloseHandle(snap);
    return scm;
}

static DWORD WINAPI control(DWORD code, DWORD type, void *data, void *context)
{
    return code == SERVICE_CONTROL_INTERROGATE ? NO_ERROR : ERROR_CALL_NOT_IMPLEMENTED;
}

/* START_PENDING first: Wine's StartServiceW returns once the service has
** reported a status, and one that goes straight to STOPPED makes it fail
** with 1053 (both measured); only then the hello, which the harness reads
** after StartServiceW has returned. */
static void WINAPI service_main(DWORD argc, WCHAR **argv)
{
    SERVICE_STATUS_HANDLE h = RegisterServiceCtrlHandlerExW(argc ? argv[0] : L"", control, NULL);
    SERVICE_STATUS status = { .dwServiceType = SERVICE_WIN32_OWN_PROCESS,
                              .dwCurrentState = SERVICE_START_PENDING, .dwWaitHint = 1000 };
    if (h)
        SetServiceStatus(h, &status);
    say_we_ran();
    status.dwCurrentState = SERVICE_STOPPED;
    status.dwWaitHint = 0;
    if (h)
        SetServiceStatus(h, &status);
}

int wmain(int argc, WCHAR **argv)
{
    static const SERVICE_TABLE_ENTRYW table[] = {
        { (WCHAR *)L"", service_main },
        { NULL, NULL },
    };
    if (started_by_scm())
        StartServiceCtrlDispatcherW(table);
    else
        say_we_ran();
    return 0;
}
