/*
** service.c - starts the scenario's KM service through Wine's service
** manager, as Windows would at the next boot (see service.h for the model
** and why it matches Windows).
**
** One start: read the scenario's key as the boot would (boot_command_line),
** choose the executable by Windows' search order (windows_command_line),
** point the harness's own service at it, StartServiceW, answer the started
** program's hello on the pipe (emu/kms_link.h), wait until the service
** settles, read the outcome, stop it, and reset the command line so that
** no password stays in the service manager's registry.
*/
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "service.h"
#include "kms_link.h"
#include "scm_search.h"
#include "kmserver.h"

#define SERVICE_KEY L"SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CMD_MAX 4096

/* The harness service's command line between starts: a name that does
** not exist, so a leftover service can start nothing. */
static const WCHAR neutral_command[] = L"C:\\windows\\system32\\kmharness-no-service.exe";

/* How long a started service may take to settle, and to stop.  The
** emulated server settles in tens of ms; these only bound a broken one. */
#define SETTLE_MS 5000
#define HELLO_MS  2000

struct service_lifecycle {
    SC_HANDLE scm, svc;
    struct kms_link *link;  /* the pipe the started program asks on */
};

/* ---- the harness's own service ---------------------------------------- */

/* Wait until SVC is neither start- nor stop-pending (at most MS); the
** last status read is in *ST.  Returns 0, or -1 when it did not settle. */
static int wait_settled(SC_HANDLE svc, SERVICE_STATUS_PROCESS *st, DWORD ms)
{
    DWORD t0 = GetTickCount(), got;
    for (;;) {
        if (!QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE *)st, sizeof *st, &got))
            return -1;
        if (st->dwCurrentState == SERVICE_RUNNING || st->dwCurrentState == SERVICE_STOPPED)
            return 0;
        if (GetTickCount() - t0 > ms)
            return -1;
        Sleep(1);
    }
}

static void stop_if_running(SC_HANDLE svc)
{
    SERVICE_STATUS s;
    SERVICE_STATUS_PROCESS st;
    if (wait_settled(svc, &st, SETTLE_MS) == 0 && st.dwCurrentState == SERVICE_STOPPED)
        return;
    ControlService(svc, SERVICE_CONTROL_STOP, &s);
    DWORD t0 = GetTickCount(), got;
    while (QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE *)&st, sizeof st, &got) &&
           st.dwCurrentState != SERVICE_STOPPED && GetTickCount() - t0 < SETTLE_MS)
        Sleep(1);
}

static int set_command(SC_HANDLE svc, const WCHAR *cmd)
{
    return ChangeServiceConfigW(svc, SERVICE_NO_CHANGE, SERVICE_NO_CHANGE, SERVICE_NO_CHANGE,
                                cmd, NULL, NULL, NULL, NULL, NULL, NULL) ? 0 : -1;
}

struct service_lifecycle *service_open(char *err, size_t n)
{
    struct service_lifecycle *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, n, "out of memory");
        return NULL;
    }
    l->scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ALL_ACCESS);
    if (l->scm) {
        l->svc = OpenServiceW(l->scm, KMH_SERVICE_NAME, SERVICE_ALL_ACCESS);
        if (!l->svc)
            l->svc = CreateServiceW(l->scm, KMH_SERVICE_NAME, L"kmharness emulated KM server",
                                    SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS,
                                    SERVICE_DEMAND_START, SERVICE_ERROR_IGNORE, neutral_command,
                                    NULL, NULL, NULL, NULL, NULL);
    }
    if (!l->svc) {
        snprintf(err, n, "cannot create the harness's service in Wine's service manager "
                 "(error %u)", (unsigned)GetLastError());
        service_close(l);
        return NULL;
    }
    long rc = kms_link_open(&l->link);
    if (rc) {
        snprintf(err, n, "cannot open the pipe the emulated KM server asks on (error %ld)", rc);
        service_close(l);
        return NULL;
    }
    stop_if_running(l->svc);
    set_command(l->svc, neutral_command);
    return l;
}

void service_close(struct service_lifecycle *l)
{
    if (!l)
        return;
    if (l->svc) {
        stop_if_running(l->svc);
        DeleteService(l->svc);
        CloseServiceHandle(l->svc);
    }
    if (l->scm)
        CloseServiceHandle(l->scm);
    kms_link_close(l->link);
    free(l);
}

void service_remove_leftover(void)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ALL_ACCESS);
    SC_HANDLE svc = scm ? OpenServiceW(scm, KMH_SERVICE_NAME, SERVICE_ALL_ACCESS) : NULL;
    if (svc) {
        stop_if_running(svc);
        DeleteService(svc);
        CloseServiceHandle(svc);
    }
    if (scm)
        CloseServiceHandle(scm);
}

/* ---- what Windows would start ----------------------------------------- */

/* The command line the service manager reads from the scenario's key at
** boot, into CMD: 0, or the Win32 error StartService would give. */
static DWORD boot_command_line(WCHAR *cmd, size_t cap)
{
    HKEY k;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, SERVICE_KEY, 0, KEY_READ, &k))
        return ERROR_SERVICE_DOES_NOT_EXIST;
    DWORD start, type, size = sizeof start;
    LONG rc = RegQueryValueExW(k, L"Start", NULL, &type, (BYTE *)&start, &size);
    if (rc == 0 && type == REG_DWORD && size == sizeof start && start == SERVICE_DISABLED) {
        RegCloseKey(k);
        return ERROR_SERVICE_DISABLED;
    }
    WCHAR raw[CMD_MAX];
    size = sizeof raw - 2 * sizeof(WCHAR);
    rc = RegQueryValueExW(k, L"ImagePath", NULL, &type, (BYTE *)raw, &size);
    RegCloseKey(k);
    /* Assumption (README): a Win32 service without a string ImagePath
    ** cannot be started; its file is not found. */
    if (rc || (type != REG_SZ && type != REG_EXPAND_SZ))
        return ERROR_FILE_NOT_FOUND;
    raw[size / sizeof(WCHAR)] = 0;  /* a string ends at its first NUL */
    if (type == REG_SZ) {
        lstrcpynW(cmd, raw, (int)cap);
    } else {
        DWORD got = ExpandEnvironmentStringsW(raw, cmd, (DWORD)cap);
        if (!got || got > cap)
            return ERROR_FILENAME_EXCED_RANGE;
    }
    return cmd[0] ? 0 : ERROR_FILE_NOT_FOUND;
}

static int is_file(void *ctx, const uint16_t *path, size_t n)
{
    WCHAR name[CMD_MAX];
    DWORD *last_error = ctx;
    if (n + 1 > ARRAY_SIZE(name))
        return 0;
    memcpy(name, path, n * sizeof(WCHAR));
    name[n] = 0;
    DWORD attrs = GetFileAttributesW(name);
    if (attrs == INVALID_FILE_ATTRIBUTES) {
        *last_error = GetLastError();
        return 0;
    }
    if (attrs & FILE_ATTRIBUTE_DIRECTORY) {
        *last_error = ERROR_ACCESS_DENIED;
        return 0;
    }
    return 1;
}

/* The command line that makes Wine start exactly the image Windows would
** pick from CMD: that image quoted, then the rest of CMD as arguments.
** Returns 0, or the Win32 error for "nothing to start". */
static DWORD windows_command_line(const WCHAR *cmd, WCHAR *out, size_t cap, char *shown,
                                  size_t shown_cap)
{
    struct scm_candidate pick;
    DWORD last_error = ERROR_FILE_NOT_FOUND;
    size_t len = (size_t)lstrlenW(cmd);
    int found = scm_pick((const uint16_t *)cmd, len, is_file, &last_error, &pick);
    if (found == SCM_NOMEM)
        return ERROR_NOT_ENOUGH_MEMORY;
    if (found < 0)
        return last_error;
    /* Containment: a scenario names the command line, so only an image
    ** the harness placed may start (never the prefix's own programs, nor
    ** anything on Z:, the host). */
    WCHAR image[CMD_MAX];
    size_t n = scm_candidate_path((const uint16_t *)cmd, &pick, (uint16_t *)image,
                                  ARRAY_SIZE(image));
    if (n >= ARRAY_SIZE(image))
        return ERROR_FILENAME_EXCED_RANGE;
    if (shown && shown_cap &&
        !WideCharToMultiByte(CP_UTF8, 0, image, (int)n + 1, shown, (int)shown_cap, NULL, NULL))
        shown[0] = 0;
    if (!kmserver_placed_file((const uint16_t *)image))
        return ERROR_ACCESS_DENIED;
    /* The arguments: what follows the name (and its closing quote). */
    size_t after = pick.start + pick.len;
    if (after < len && cmd[after] == '"')
        after++;
    size_t nargs = len - after;
    if (n + nargs + 3 > cap)
        return ERROR_FILENAME_EXCED_RANGE;
    out[0] = '"';
    memcpy(out + 1, image, n * sizeof(WCHAR));
    out[n + 1] = '"';
    memcpy(out + n + 2, cmd + after, nargs * sizeof(WCHAR));
    out[n + 2 + nargs] = 0;
    SecureZeroMemory(image, sizeof image);
    return 0;
}

/* The process of the service just started (to wait for its end), or NULL
** when it is gone already. */
static HANDLE service_process(SC_HANDLE svc)
{
    SERVICE_STATUS_PROCESS st;
    DWORD got;
    if (!QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE *)&st, sizeof st, &got) ||
        !st.dwProcessId)
        return NULL;
    return OpenProcess(SYNCHRONIZE, FALSE, st.dwProcessId);
}

/* ---- one start ----------------------------------------------------------- */

static void outcome_of(SC_HANDLE svc, const struct kms_heard *heard, int heard_ok,
                       struct service_state *out)
{
    SERVICE_STATUS_PROCESS st;
    int settled = wait_settled(svc, &st, SETTLE_MS) == 0;
    if (heard_ok && heard->who == KMS_WHO_DECOY) {
        out->kind = SERVICE_STATE_DECOY;
    } else if (!settled) {
        out->kind = SERVICE_STATE_NOT_STARTED;
        out->code = ERROR_SERVICE_REQUEST_TIMEOUT;
    } else if (st.dwCurrentState == SERVICE_RUNNING) {
        out->kind = SERVICE_STATE_RUNNING;
    } else if (st.dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR) {
        out->kind = SERVICE_STATE_STOPPED;
        out->code = (long)st.dwServiceSpecificExitCode;
    } else {
        /* It started but stopped without a service-specific code: Windows
        ** reports the Win32 exit code as the start's failure. */
        out->kind = st.dwWin32ExitCode ? SERVICE_STATE_NOT_STARTED : SERVICE_STATE_STOPPED;
        out->code = (long)st.dwWin32ExitCode;
    }
}

void service_start_once(struct service_lifecycle *l, const char *password, const char *token,
                        struct service_state *out, char *image, size_t n)
{
    static WCHAR cmd[CMD_MAX], wine_cmd[CMD_MAX + 4];
    memset(out, 0, sizeof *out);
    if (image && n)
        image[0] = 0;
    DWORD rc = boot_command_line(cmd, ARRAY_SIZE(cmd));
    if (!rc)
        rc = windows_command_line(cmd, wine_cmd, ARRAY_SIZE(wine_cmd), image, n);
    SecureZeroMemory(cmd, sizeof cmd);
    if (!rc && set_command(l->svc, wine_cmd))
        rc = GetLastError();
    SecureZeroMemory(wine_cmd, sizeof wine_cmd);
    if (!rc && !StartServiceW(l->svc, 0, NULL))
        rc = GetLastError();
    if (!rc) {
        HANDLE process = service_process(l->svc);
        struct kms_heard heard;
        int heard_ok = kms_link_answer(l->link, password, token, HELLO_MS, &heard) == 0;
        outcome_of(l->svc, &heard, heard_ok, out);
        stop_if_running(l->svc);
        /* A stopped service's process may still be exiting, and a running
        ** image cannot be deleted: the scenario's clean-up needs it gone. */
        if (process) {
            WaitForSingleObject(process, SETTLE_MS);
            CloseHandle(process);
        }
    }
    /* The command line held the password: the service manager's copy
    ** (in the registry) goes now, not when the run ends. */
    set_command(l->svc, neutral_command);
    if (rc) {
        out->kind = SERVICE_STATE_NOT_STARTED;
        out->code = (long)rc;
    }
}
