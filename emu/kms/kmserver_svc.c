/*
** kmserver_svc.c - the emulated Kmserver.exe as a real Windows service
** program (a PE built with mingw-w64, not winelib: Wine's service manager
** starts it like any service image).
**
** It behaves like the Key Management server as KB Q151689 describes it:
** at every start it needs its password, from its startup parameters or
** from A:\Kmspwd.ini on a floppy, and without one it stops with the
** service-specific error 1.  Whether a candidate is *the* password only
** the harness knows (the scenario's @password), so the program asks it
** over the pipe of emu/kms_protocol.h and runs or stops on the answer.
**
** The Makefile embeds this program (no resources of its own); the harness
** stamps the scenario's VERSIONINFO into a copy (emu/kmserver.c), so the
** version probe reads it as before.
**
** The candidate password is never written anywhere but the pipe: no file,
** registry, debug output, event log or console.  Its buffer is wiped once
** sent.
*/
#include <windows.h>
#include "kms_client.h"

static SERVICE_STATUS_HANDLE status_handle;
static SERVICE_STATUS status = { .dwServiceType = SERVICE_WIN32_OWN_PROCESS };
static HANDLE stop_event;

static void report(DWORD state, DWORD win32_exit, DWORD specific_exit)
{
    status.dwCurrentState = state;
    status.dwWin32ExitCode = win32_exit;
    status.dwServiceSpecificExitCode = specific_exit;
    status.dwControlsAccepted = state == SERVICE_RUNNING
                                ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
    status.dwWaitHint = state == SERVICE_START_PENDING ? KMS_CLIENT_ANSWER_MS + KMS_CLIENT_FIND_MS : 0;
    status.dwCheckPoint = state == SERVICE_START_PENDING ? status.dwCheckPoint + 1 : 0;
    SetServiceStatus(status_handle, &status);
}

static DWORD WINAPI control(DWORD code, DWORD type, void *data, void *context)
{
    switch (code) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        report(SERVICE_STOP_PENDING, NO_ERROR, 0);
        SetEvent(stop_event);
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    }
    return ERROR_CALL_NOT_IMPLEMENTED;
}

/* ---- where the password comes from ----------------------------------- */

static int is_blank(WCHAR c)
{
    return c == ' ' || c == '\t';
}

/* Put the N units at S into the hello, recording the true length: a
** candidate longer than the protocol carries keeps its length, so the
** harness can tell it from a shorter password and refuse it. */
static void take_candidate(struct kms_hello *hello, const WCHAR *s, size_t n, enum kms_source source)
{
    hello->source = source;
    hello->length = (uint32_t)n;
    for (size_t i = 0; i < n && i < KMS_MAX_PASSWORD; i++)
        hello->candidate[i] = s[i];
}

/* Is the command line's first N units our own image, the way CreateProcess
** tries a name (as given, then with ".exe" added)? */
static int names_this_image(const WCHAR *line, size_t n)
{
    WCHAR name[MAX_PATH + 5], full[MAX_PATH], self[MAX_PATH];
    if (n == 0 || n >= MAX_PATH)
        return 0;
    if (!GetModuleFileNameW(NULL, self, MAX_PATH))
        return 0;
    memcpy(name, line, n * sizeof *name);
    for (int with_exe = 0; with_exe < 2; with_exe++) {
        lstrcpyW(name + n, with_exe ? L".exe" : L"");
        DWORD len = GetFullPathNameW(name, MAX_PATH, full, NULL);
        if (len && len < MAX_PATH && CompareStringOrdinal(full, -1, self, -1, TRUE) == CSTR_EQUAL)
            return 1;
    }
    return 0;
}

/* Where the arguments start in LINE: after a quoted program name, after
** the closing quote; else, as CreateProcess splits an unquoted one, after
** the first blank-ended prefix that names this image (Windows passes an
** unquoted "C:\Program Files\..." unchanged), or after the first word. */
static const WCHAR *skip_program_name(const WCHAR *line)
{
    if (*line == '"') {
        const WCHAR *end = line + 1;
        while (*end && *end != '"')
            end++;
        return *end ? end + 1 : end;
    }
    const WCHAR *first_blank = NULL;
    for (const WCHAR *p = line;; p++) {
        if (*p && !is_blank(*p))
            continue;
        if (!first_blank)
            first_blank = p;
        if (names_this_image(line, (size_t)(p - line)))
            return p;
        if (!*p)
            return first_blank;
    }
}

/* The process command line's arguments, without surrounding blanks: what
** an administrator appended to ImagePath. */
static int from_command_line(struct kms_hello *hello)
{
    const WCHAR *args = skip_program_name(GetCommandLineW());
    while (is_blank(*args))
        args++;
    size_t n = (size_t)lstrlenW(args);
    while (n && is_blank(args[n - 1]))
        n--;
    if (!n)
        return 0;
    take_candidate(hello, args, n, KMS_SOURCE_COMMAND_LINE);
    return 1;
}

/* The first line of A:\Kmspwd.ini (ANSI text, as a floppy of the era). */
static int from_floppy(struct kms_hello *hello)
{
    char bytes[1024];
    WCHAR wide[KMS_MAX_PASSWORD + 1];
    DWORD got = 0;
    UINT mode = SetErrorMode(SEM_FAILCRITICALERRORS);  /* no "insert a disk" box */
    HANDLE h = CreateFileW(L"A:\\Kmspwd.ini", GENERIC_READ, FILE_SHARE_READ, NULL,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    SetErrorMode(mode);
    if (h == INVALID_HANDLE_VALUE)
        return 0;
    BOOL ok = ReadFile(h, bytes, sizeof bytes, &got, NULL);
    CloseHandle(h);
    DWORD n = 0;
    while (ok && n < got && bytes[n] != '\r' && bytes[n] != '\n')
        n++;
    int units = n ? MultiByteToWideChar(CP_ACP, 0, bytes, (int)n, wide, KMS_MAX_PASSWORD + 1) : 0;
    if (units > 0)
        take_candidate(hello, wide, (size_t)units, KMS_SOURCE_FLOPPY);
    SecureZeroMemory(bytes, sizeof bytes);
    SecureZeroMemory(wide, sizeof wide);
    return units > 0;
}

/* The first place that gives a candidate, in the order kms_protocol.h
** states: StartService arguments, the command line, the floppy. */
static void find_candidate(DWORD argc, WCHAR **argv, struct kms_hello *hello)
{
    hello->source = KMS_SOURCE_NONE;
    hello->length = 0;
    if (argc >= 2 && argv[1][0]) {
        take_candidate(hello, argv[1], (size_t)lstrlenW(argv[1]), KMS_SOURCE_START_ARGS);
        return;
    }
    if (!from_command_line(hello))
        from_floppy(hello);
}

/* ---- the service -------------------------------------------------------- */

static void WINAPI service_main(DWORD argc, WCHAR **argv)
{
    status_handle = RegisterServiceCtrlHandlerExW(argc ? argv[0] : L"", control, NULL);
    if (!status_handle)
        return;
    report(SERVICE_START_PENDING, NO_ERROR, 0);
    struct kms_hello hello = { .magic = KMS_HELLO_MAGIC, .who = KMS_WHO_SERVER };
    find_candidate(argc, argv, &hello);
    int verdict = kms_client_ask(&hello);
    SecureZeroMemory(&hello, sizeof hello);
    if (verdict != 1) {
        report(SERVICE_STOPPED, ERROR_SERVICE_SPECIFIC_ERROR,
               verdict == 0 ? KMS_EXIT_NO_PASSWORD : KMS_EXIT_NO_HARNESS);
        return;
    }
    stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    report(SERVICE_RUNNING, NO_ERROR, 0);
    if (stop_event)
        WaitForSingleObject(stop_event, INFINITE);
    report(SERVICE_STOPPED, NO_ERROR, 0);
}

int wmain(int argc, WCHAR **argv)
{
    static const SERVICE_TABLE_ENTRYW table[] = {
        { (WCHAR *)L"", service_main },  /* own process: the name is not looked at */
        { NULL, NULL },
    };
    return StartServiceCtrlDispatcherW(table) ? 0 : (int)GetLastError();
}
