/*
** cmd_boot.c - `kmharness boot hold` and `kmharness boot release`: nothing
** in the prefix's registry starts a program by itself when Wine boots.
**
** The first Wine process of a session boots it (`wineboot --init`): Wine's
** service manager (services.exe) then starts every service whose Start is
** 0, 1 or 2 or missing, and every service a root device names, and wineboot
** runs the RunServicesOnce, RunServices and RunOnce entries. A service key
** left by a run killed in the middle of a scenario, or imported by a user,
** would thus run its ImagePath as a command. So the launcher
** (kmharness.sh), before any other Wine process of a session, runs:
**
**   1. `boot hold`, with wineboot disabled, so that this process does not
**      boot Wine: it undoes what a killed run left (the durable journal,
**      regapply.h), then holds every auto-start setting back, journaled
**      like a scenario's change: a Start that would auto-start becomes 3
**      (demand start), a root device's Service value and every Run* entry
**      are deleted;
**   2. `boot release`, the process that boots Wine: Wine runs our code only
**      once wineboot is done, and we also wait until the service manager
**      answers (it reads the services once, before it answers); then the
**      journal is undone, which puts every held value back.
**
** The service manager keeps what it read: nothing auto-started, every
** service startable on request (StartService). A launcher killed between
** the two leaves the journal, which the next hold undoes first. In a
** session Wine has already booted, the pair changes nothing either. Not in
** the help: only the launcher calls these.
*/
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "builtin.h"
#include "regapply.h"

#define SERVICES_KEY L"SYSTEM\\CurrentControlSet\\Services"
#define ROOT_DEVICES_KEY L"SYSTEM\\CurrentControlSet\\Enum\\Root"
#define RUN_KEYS L"Software\\Microsoft\\Windows\\CurrentVersion\\"
#define NAME_MAX_UNITS 16384  /* a value name has at most 16383 units */
#define SERVICE_DEMAND 3      /* SERVICE_DEMAND_START */
#define RELEASE_WAIT_MS 60000

/* The subkey names of KEY (below HKLM), or the value names when VALUES is
** set, into *LIST (malloc'ed strings), their count in *N. A missing key has
** none; any other failure is returned, so that nothing is left unheld. */
static long names_of(const WCHAR *key, int values, WCHAR ***list, size_t *n)
{
    static WCHAR name[NAME_MAX_UNITS];
    HKEY k;
    *list = NULL;
    *n = 0;
    long rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_READ, &k);
    if (rc)
        return rc == ERROR_FILE_NOT_FOUND ? ERROR_SUCCESS : rc;
    for (DWORD i = 0; !rc; i++) {
        DWORD len = NAME_MAX_UNITS;
        rc = values ? RegEnumValueW(k, i, name, &len, NULL, NULL, NULL, NULL)
                    : RegEnumKeyExW(k, i, name, &len, NULL, NULL, NULL, NULL);
        if (rc)
            break;
        WCHAR **grown = realloc(*list, (*n + 1) * sizeof **list);
        WCHAR *copy = malloc((len + 1) * sizeof *copy);
        if (grown)
            *list = grown;
        if (!grown || !copy) {
            free(copy);
            rc = ERROR_OUTOFMEMORY;
            break;
        }
        memcpy(copy, name, (len + 1) * sizeof *copy);
        (*list)[(*n)++] = copy;
    }
    RegCloseKey(k);
    return rc == ERROR_NO_MORE_ITEMS ? ERROR_SUCCESS : rc;
}

static void free_names(WCHAR **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

/* PARENT\CHILD into PATH (PATH_UNITS units): a key name has at most 255
** units, and the parents here are short, so it always fits. */
#define PATH_UNITS 1024
static void join(WCHAR path[PATH_UNITS], const WCHAR *parent, const WCHAR *child)
{
    lstrcpynW(path, parent, PATH_UNITS);
    lstrcatW(path, L"\\");
    lstrcatW(path, child);
}

/* Would services.exe auto-start the service at KEY? As it reads Start: a
** missing value is 0 (boot start); a 4-byte REG_DWORD or REG_BINARY is the
** number; anything else makes it skip the service. */
static int auto_starts(const WCHAR *key)
{
    HKEY k;
    DWORD type, start, size = sizeof start;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_READ, &k))
        return 0;
    LONG rc = RegQueryValueExW(k, L"Start", NULL, &type, (BYTE *)&start, &size);
    RegCloseKey(k);
    if (rc == ERROR_FILE_NOT_FOUND)
        return 1;
    return rc == ERROR_SUCCESS && (type == REG_DWORD || type == REG_BINARY) &&
           size == sizeof start && start < SERVICE_DEMAND;
}

static long hold_services(struct undo_journal *j)
{
    static const DWORD demand = SERVICE_DEMAND;
    size_t n;
    WCHAR **services;
    long rc = names_of(SERVICES_KEY, 0, &services, &n);
    for (size_t i = 0; i < n && !rc; i++) {
        WCHAR key[PATH_UNITS];
        join(key, SERVICES_KEY, services[i]);
        if (auto_starts(key))
            rc = regapply_change_value(key, L"Start", 0, REG_DWORD, &demand, sizeof demand, j);
    }
    free_names(services, n);
    return rc;
}

/* services.exe starts the service a device under Enum\Root names in its
** Service value, whatever the service's Start says. */
static long hold_root_devices(struct undo_journal *j)
{
    size_t nd;
    WCHAR **devices;
    long rc = names_of(ROOT_DEVICES_KEY, 0, &devices, &nd);
    for (size_t d = 0; d < nd && !rc; d++) {
        size_t ni;
        WCHAR device[PATH_UNITS], key[PATH_UNITS], **instances;
        join(device, ROOT_DEVICES_KEY, devices[d]);
        rc = names_of(device, 0, &instances, &ni);
        for (size_t i = 0; i < ni && !rc; i++) {
            join(key, device, instances[i]);
            rc = regapply_change_value(key, L"Service", 1, 0, NULL, 0, j);
        }
        free_names(instances, ni);
    }
    free_names(devices, nd);
    return rc;
}

/* The entries wineboot --init runs (it runs Run itself only when started
** without --init, which the launcher no longer does). */
static long hold_run_entries(struct undo_journal *j)
{
    static const WCHAR *const keys[] = {
        RUN_KEYS L"RunServicesOnce", RUN_KEYS L"RunServices", RUN_KEYS L"RunOnce",
    };
    long rc = ERROR_SUCCESS;
    for (size_t k = 0; k < sizeof keys / sizeof *keys && !rc; k++) {
        size_t n;
        WCHAR **values;
        rc = names_of(keys[k], 1, &values, &n);
        for (size_t i = 0; i < n && !rc; i++)
            rc = regapply_change_value(keys[k], values[i], 1, 0, NULL, 0, j);
        free_names(values, n);
    }
    return rc;
}

static int boot_hold(void)
{
    struct undo_journal j = { 0 };
    regapply_recover();  /* a killed run's changes go before Wine boots */
    long rc = hold_services(&j);
    if (!rc)
        rc = hold_root_devices(&j);
    if (!rc)
        rc = hold_run_entries(&j);
    if (rc) {
        fprintf(stderr, "kmharness: cannot hold back auto-start settings: error %ld\n", rc);
        return 1;
    }
    fprintf(stderr, "kmharness: %zu auto-start settings held back while Wine boots\n", j.n);
    return 0;
}

/* The service manager answers once it has read the services. */
static int service_manager_ready(void)
{
    for (DWORD waited = 0; waited < RELEASE_WAIT_MS; waited += 50) {
        SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
        if (scm) {
            CloseServiceHandle(scm);
            return 1;
        }
        Sleep(50);
    }
    return 0;
}

static int boot_release(void)
{
    if (!service_manager_ready()) {
        /* Left held: the next hold puts them back, before the next boot. */
        fprintf(stderr, "kmharness: the service manager does not answer; auto-start "
                        "settings stay held back\n");
        return 0;
    }
    regapply_recover();
    return 0;
}

int cmd_boot(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "hold"))
        return boot_hold();
    if (argc == 2 && !strcmp(argv[1], "release"))
        return boot_release();
    return usage_error("boot", "hold|release", "internal command of the launcher");
}
