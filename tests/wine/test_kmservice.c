/*
** test_kmservice.c: Wine tests of the emulated KM server as a real service
** (emu/kms/kmserver_svc.c, emu/kms/decoy.c) and of the harness's end of
** its pipe (emu/kms_link.c).
**
** Each test places the versioned image with kmserver_place, defines a
** service with CreateServiceW, starts it through Wine's service manager
** and answers the program's hello: the password from ImagePath's
** arguments, from StartService's arguments or (as a token) from the
** floppy runs the service; a wrong one, none, or no harness on the pipe
** stops it with 1066 and the service-specific code the protocol names;
** the decoy is heard as the decoy; stop, DeleteService and kmserver_clear
** leave nothing.  Also Wine's StartServiceW errors for images that cannot
** run, the version API on the service image, and kms_link's refusals of
** malformed or over-long hellos, fed to it from this process.
*/
#include <windows.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "kms_link.h"
#include "kmserver.h"

#define SERVICE_NAME L"kmharness-test-kms"
#define KMSERVER "C:\\Exchsrvr\\Bin\\Kmserver.exe"
#define KMSERVER_W L"C:\\Exchsrvr\\Bin\\Kmserver.exe"
#define PASSWORD "s3cret pass"
#define ANSWER_MS 2000   /* generous under load; a hello comes within ms */

static const struct kmserver_image v5526539 = { KMSERVER_PE_VERSION, { 5, 5, 2653, 9 } };

struct fixture {
    SC_HANDLE scm, service;
    struct kms_link *link;
};

/* ---- service helpers ----------------------------------------------------- */

/* Wait until the service has left any *_PENDING state (5 s at most). */
static SERVICE_STATUS settled(SC_HANDLE service)
{
    SERVICE_STATUS st = { 0 };
    for (int i = 0; i < 1000; i++) {
        assert_true(QueryServiceStatus(service, &st));
        if (st.dwCurrentState != SERVICE_START_PENDING && st.dwCurrentState != SERVICE_STOP_PENDING)
            break;
        Sleep(5);
    }
    return st;
}

/* Wait until NAME is no longer known to the service manager (2 s at most). */
static DWORD wait_gone(SC_HANDLE scm, const WCHAR *name)
{
    for (int i = 0; i < 400; i++) {
        SC_HANDLE again = OpenServiceW(scm, name, SERVICE_QUERY_STATUS);
        if (!again)
            return GetLastError();
        CloseServiceHandle(again);
        Sleep(5);
    }
    return ERROR_SUCCESS;
}

/* Stop SERVICE if it runs, delete it, wait until it is gone. */
static void remove_service(SC_HANDLE scm, SC_HANDLE service)
{
    SERVICE_STATUS st = settled(service);
    if (st.dwCurrentState == SERVICE_RUNNING) {
        ControlService(service, SERVICE_CONTROL_STOP, &st);
        settled(service);
    }
    assert_true(DeleteService(service));
    CloseServiceHandle(service);
    assert_int_equal(wait_gone(scm, SERVICE_NAME), ERROR_SERVICE_DOES_NOT_EXIST);
}

static SC_HANDLE create_service(struct fixture *f, const WCHAR *image_path)
{
    f->service = CreateServiceW(f->scm, SERVICE_NAME, SERVICE_NAME, SERVICE_ALL_ACCESS,
                                SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START,
                                SERVICE_ERROR_NORMAL, image_path, NULL, NULL, NULL, NULL, NULL);
    assert_non_null(f->service);
    return f->service;
}

/* Start the service with ARGC/ARGV and answer its hello: the
** StartServiceW error (0 when it started), the hello in *HEARD. */
static DWORD start_and_answer(struct fixture *f, DWORD argc, const WCHAR **argv,
                              const char *expected, const char *token, struct kms_heard *heard)
{
    DWORD err = StartServiceW(f->service, argc, argv) ? 0 : GetLastError();
    if (err == 0)
        assert_int_equal(kms_link_answer(f->link, expected, token, ANSWER_MS, heard), 0);
    return err;
}

static void assert_heard(const struct kms_heard *h, uint32_t who, uint32_t source, int accepted)
{
    assert_int_equal(h->who, who);
    assert_int_equal(h->source, source);
    assert_int_equal(h->accepted, accepted);
}

static void assert_state(SC_HANDLE service, DWORD state, DWORD win32, DWORD specific)
{
    SERVICE_STATUS st = settled(service);
    assert_int_equal(st.dwCurrentState, state);
    assert_int_equal(st.dwWin32ExitCode, win32);
    assert_int_equal(st.dwServiceSpecificExitCode, specific);
}

/* Stop a RUNNING service (one still START_PENDING refuses the control,
** seen when the answer had just been sent). */
static void assert_stops_cleanly(SC_HANDLE service)
{
    SERVICE_STATUS st;
    assert_true(ControlService(service, SERVICE_CONTROL_STOP, &st));
    assert_state(service, SERVICE_STOPPED, NO_ERROR, 0);
}

/* The plain case: the password in ImagePath's arguments, RUNNING. */
static void start_running(struct fixture *f)
{
    struct kms_heard heard;
    create_service(f, KMSERVER_W L" " PASSWORD);
    assert_int_equal(start_and_answer(f, 0, NULL, PASSWORD, NULL, &heard), 0);
    assert_heard(&heard, KMS_WHO_SERVER, KMS_SOURCE_COMMAND_LINE, 1);
    assert_state(f->service, SERVICE_RUNNING, NO_ERROR, 0);
}

/* ---- fixture ------------------------------------------------------------ */

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ALL_ACCESS);
    assert_non_null(f->scm);
    SC_HANDLE leftover = OpenServiceW(f->scm, SERVICE_NAME, SERVICE_ALL_ACCESS);
    if (leftover)
        remove_service(f->scm, leftover);  /* from a killed earlier run */
    *state = f;
    assert_int_equal(kmserver_place(KMSERVER, &v5526539, NULL), 0);
    assert_int_equal(kms_link_open(&f->link), 0);
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f->service)
        remove_service(f->scm, f->service);
    kms_link_close(f->link);
    CloseServiceHandle(f->scm);
    free(f);
    assert_int_equal(kmserver_clear(), 0);
    return 0;
}

/* ---- the server --------------------------------------------------------- */

static void test_password_in_image_path_runs(void **state)
{
    struct fixture *f = *state;
    start_running(f);
    assert_stops_cleanly(f->service);
}

static void test_wrong_password_stops_with_1(void **state)
{
    struct fixture *f = *state;
    struct kms_heard heard;
    create_service(f, KMSERVER_W L" s3cret");  /* a prefix of the password */
    assert_int_equal(start_and_answer(f, 0, NULL, PASSWORD, NULL, &heard), 0);
    assert_heard(&heard, KMS_WHO_SERVER, KMS_SOURCE_COMMAND_LINE, 0);
    assert_state(f->service, SERVICE_STOPPED, ERROR_SERVICE_SPECIFIC_ERROR, KMS_EXIT_NO_PASSWORD);
}

/* A quoted path: the arguments start after the closing quote. */
static void test_quoted_path_with_password_runs(void **state)
{
    struct fixture *f = *state;
    struct kms_heard heard;
    create_service(f, L"\"" KMSERVER_W L"\" " PASSWORD);
    assert_int_equal(start_and_answer(f, 0, NULL, PASSWORD, NULL, &heard), 0);
    assert_heard(&heard, KMS_WHO_SERVER, KMS_SOURCE_COMMAND_LINE, 1);
    assert_state(f->service, SERVICE_RUNNING, NO_ERROR, 0);
}

/* StartService arguments come first, even when ImagePath has one too. */
static void test_password_in_start_arguments_runs(void **state)
{
    struct fixture *f = *state;
    struct kms_heard heard;
    const WCHAR *args[] = { L"" PASSWORD };
    create_service(f, KMSERVER_W L" wrong");
    assert_int_equal(start_and_answer(f, 1, args, PASSWORD, NULL, &heard), 0);
    assert_heard(&heard, KMS_WHO_SERVER, KMS_SOURCE_START_ARGS, 1);
    assert_state(f->service, SERVICE_RUNNING, NO_ERROR, 0);
}

/* Put TEXT (then CRLF) into A:\Kmspwd.ini. */
static void place_floppy(const char *text)
{
    char line[128];
    int n = snprintf(line, sizeof line, "%s\r\nignored second line\r\n", text);
    assert_int_equal(kmserver_place_file("A:\\Kmspwd.ini", line, (size_t)n, NULL), 0);
}

static void test_floppy_token_runs(void **state)
{
    struct fixture *f = *state;
    struct kms_heard heard;
    char token[KMS_TOKEN_SIZE];
    assert_int_equal(kms_make_token(token), 0);
    place_floppy(token);
    create_service(f, KMSERVER_W);
    assert_int_equal(start_and_answer(f, 0, NULL, PASSWORD, token, &heard), 0);
    assert_heard(&heard, KMS_WHO_SERVER, KMS_SOURCE_FLOPPY, 1);
    assert_state(f->service, SERVICE_RUNNING, NO_ERROR, 0);
}

/* A floppy holding a token the harness did not issue: the wrong password. */
static void test_floppy_other_token_stops_with_1(void **state)
{
    struct fixture *f = *state;
    struct kms_heard heard;
    char issued[KMS_TOKEN_SIZE], other[KMS_TOKEN_SIZE];
    assert_int_equal(kms_make_token(issued), 0);
    assert_int_equal(kms_make_token(other), 0);
    place_floppy(other);
    create_service(f, KMSERVER_W);
    assert_int_equal(start_and_answer(f, 0, NULL, PASSWORD, issued, &heard), 0);
    assert_heard(&heard, KMS_WHO_SERVER, KMS_SOURCE_FLOPPY, 0);
    assert_state(f->service, SERVICE_STOPPED, ERROR_SERVICE_SPECIFIC_ERROR, KMS_EXIT_NO_PASSWORD);
}

static void test_no_password_stops_with_1(void **state)
{
    struct fixture *f = *state;
    struct kms_heard heard;
    create_service(f, KMSERVER_W);
    assert_int_equal(start_and_answer(f, 0, NULL, PASSWORD, NULL, &heard), 0);
    assert_heard(&heard, KMS_WHO_SERVER, KMS_SOURCE_NONE, 0);
    assert_state(f->service, SERVICE_STOPPED, ERROR_SERVICE_SPECIFIC_ERROR, KMS_EXIT_NO_PASSWORD);
}

/* No @password: the server needs none. */
static void test_no_password_needed_runs(void **state)
{
    struct fixture *f = *state;
    struct kms_heard heard;
    create_service(f, KMSERVER_W);
    assert_int_equal(start_and_answer(f, 0, NULL, NULL, NULL, &heard), 0);
    assert_heard(&heard, KMS_WHO_SERVER, KMS_SOURCE_NONE, 1);
    assert_state(f->service, SERVICE_RUNNING, NO_ERROR, 0);
}

static void test_no_harness_stops_with_2(void **state)
{
    struct fixture *f = *state;
    kms_link_close(f->link);
    f->link = NULL;
    create_service(f, KMSERVER_W L" " PASSWORD);
    assert_true(StartServiceW(f->service, 0, NULL));
    assert_state(f->service, SERVICE_STOPPED, ERROR_SERVICE_SPECIFIC_ERROR, KMS_EXIT_NO_HARNESS);
}

/* The link is reused start after start, each hello answered on its own. */
static void test_link_answers_start_after_start(void **state)
{
    struct fixture *f = *state;
    struct kms_heard heard;
    create_service(f, KMSERVER_W L" " PASSWORD);
    for (int round = 0; round < 3; round++) {
        int right = round != 1;
        assert_int_equal(start_and_answer(f, 0, NULL, right ? PASSWORD : "other", NULL, &heard), 0);
        assert_heard(&heard, KMS_WHO_SERVER, KMS_SOURCE_COMMAND_LINE, right);
        if (right) {
            assert_state(f->service, SERVICE_RUNNING, NO_ERROR, 0);
            assert_stops_cleanly(f->service);
        } else
            assert_state(f->service, SERVICE_STOPPED, ERROR_SERVICE_SPECIFIC_ERROR,
                         KMS_EXIT_NO_PASSWORD);
    }
}

/* ---- the decoy and the unquoted path ----------------------------------- */

/* Wine, like Windows' CreateProcess, tries C:\Program.exe first for an
** unquoted "C:\Program Files\..." ImagePath; quoted, Kmserver.exe starts. */
static void test_unquoted_path_starts_the_decoy(void **state)
{
    struct fixture *f = *state;
    struct kms_heard heard;
    const struct kmserver_image decoy = { KMSERVER_DECOY, { 0 } };
    assert_int_equal(kmserver_place("C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe", &v5526539, NULL), 0);
    assert_int_equal(kmserver_place("C:\\Program.exe", &decoy, NULL), 0);

    create_service(f, L"C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe " PASSWORD);
    assert_int_equal(start_and_answer(f, 0, NULL, PASSWORD, NULL, &heard), 0);
    assert_heard(&heard, KMS_WHO_DECOY, KMS_SOURCE_NONE, 0);
    assert_state(f->service, SERVICE_STOPPED, NO_ERROR, 0);

    assert_true(ChangeServiceConfigW(f->service, SERVICE_NO_CHANGE, SERVICE_NO_CHANGE,
                                     SERVICE_NO_CHANGE,
                                     L"\"C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe\" " PASSWORD,
                                     NULL, NULL, NULL, NULL, NULL, NULL));
    assert_int_equal(start_and_answer(f, 0, NULL, PASSWORD, NULL, &heard), 0);
    assert_heard(&heard, KMS_WHO_SERVER, KMS_SOURCE_COMMAND_LINE, 1);
    assert_state(f->service, SERVICE_RUNNING, NO_ERROR, 0);
}

/* Without the decoy the unquoted path starts Kmserver.exe, which still
** finds the password after the program name (CreateProcess's split). */
static void test_unquoted_path_without_decoy_runs(void **state)
{
    struct fixture *f = *state;
    struct kms_heard heard;
    assert_int_equal(kmserver_place("C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe", &v5526539, NULL), 0);
    create_service(f, L"C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe " PASSWORD);
    assert_int_equal(start_and_answer(f, 0, NULL, PASSWORD, NULL, &heard), 0);
    assert_heard(&heard, KMS_WHO_SERVER, KMS_SOURCE_COMMAND_LINE, 1);
    assert_state(f->service, SERVICE_RUNNING, NO_ERROR, 0);
}

/* Run by hand, not by the service manager, the decoy says it ran and
** exits at once (no dispatcher: under Wine it would wait 10 s to fail). */
static void test_decoy_run_by_hand(void **state)
{
    struct fixture *f = *state;
    struct kms_heard heard;
    const struct kmserver_image decoy = { KMSERVER_DECOY, { 0 } };
    assert_int_equal(kmserver_place("C:\\kmh-decoy\\Program.exe", &decoy, NULL), 0);
    WCHAR cmd[] = L"C:\\kmh-decoy\\Program.exe";
    STARTUPINFOW si = { .cb = sizeof si };
    PROCESS_INFORMATION pi;
    assert_true(CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
    assert_int_equal(kms_link_answer(f->link, PASSWORD, NULL, ANSWER_MS, &heard), 0);
    assert_heard(&heard, KMS_WHO_DECOY, KMS_SOURCE_NONE, 0);
    assert_int_equal(WaitForSingleObject(pi.hProcess, 2000), WAIT_OBJECT_0);
    DWORD code = 1;
    assert_true(GetExitCodeProcess(pi.hProcess, &code));
    assert_int_equal(code, 0);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
}

/* ---- what Wine's StartServiceW says about other images ----------------- */

static void assert_start_fails(struct fixture *f, const WCHAR *image_path, DWORD expected)
{
    create_service(f, image_path);
    SetLastError(0);
    assert_false(StartServiceW(f->service, 0, NULL));
    assert_int_equal(GetLastError(), expected);
    assert_state(f->service, SERVICE_STOPPED, ERROR_SERVICE_NEVER_STARTED, 0);
    remove_service(f->scm, f->service);
    f->service = NULL;
}

static void test_start_errors(void **state)
{
    struct fixture *f = *state;
    const struct kmserver_image noversion = { KMSERVER_PE_NOVERSION, { 0 } };
    const struct kmserver_image folder = { KMSERVER_FOLDER, { 0 } };
    const struct kmserver_image text = { KMSERVER_TEXT, { 0 } };
    assert_int_equal(kmserver_place("C:\\kmh-nv\\Kmserver.exe", &noversion, NULL), 0);
    assert_int_equal(kmserver_place("C:\\kmh-dir\\Kmserver.exe", &folder, NULL), 0);
    assert_int_equal(kmserver_place("C:\\kmh-text\\Kmserver.exe", &text, NULL), 0);
    assert_start_fails(f, L"C:\\Exchsrvr\\Bin\\Missing.exe", ERROR_FILE_NOT_FOUND);
    assert_start_fails(f, L"C:\\kmh-no-such-folder\\Kmserver.exe", ERROR_FILE_NOT_FOUND);
    assert_start_fails(f, L"C:\\kmh-dir\\Kmserver.exe", ERROR_FILE_NOT_FOUND);
    assert_start_fails(f, L"C:\\kmh-text\\Kmserver.exe", ERROR_BAD_EXE_FORMAT);
    assert_start_fails(f, L"C:\\kmh-nv\\Kmserver.exe", ERROR_MOD_NOT_FOUND);
}

/* %SystemDrive% is expanded although CreateServiceW stores REG_SZ. */
static void test_system_drive_variable_expanded(void **state)
{
    struct fixture *f = *state;
    struct kms_heard heard;
    create_service(f, L"%SystemDrive%\\Exchsrvr\\Bin\\Kmserver.exe " PASSWORD);
    assert_int_equal(start_and_answer(f, 0, NULL, PASSWORD, NULL, &heard), 0);
    assert_heard(&heard, KMS_WHO_SERVER, KMS_SOURCE_COMMAND_LINE, 1);
    assert_state(f->service, SERVICE_RUNNING, NO_ERROR, 0);
}

/* ---- the image, the clear-up, the cost --------------------------------- */

static void test_version_read_from_service_image(void **state)
{
    DWORD handle, size = GetFileVersionInfoSizeW(KMSERVER_W, &handle);
    assert_int_not_equal(size, 0);
    void *info = malloc(size);
    assert_non_null(info);
    assert_true(GetFileVersionInfoW(KMSERVER_W, 0, size, info));
    VS_FIXEDFILEINFO *fixed = NULL;
    UINT len = 0;
    assert_true(VerQueryValueW(info, L"\\", (void **)&fixed, &len));
    assert_int_equal(fixed->dwFileVersionMS, MAKELONG(5, 5));
    assert_int_equal(fixed->dwFileVersionLS, MAKELONG(9, 2653));
    free(info);
}

/* Stop, DeleteService and kmserver_clear leave no service, key or file. */
static void test_nothing_left_behind(void **state)
{
    struct fixture *f = *state;
    start_running(f);
    remove_service(f->scm, f->service);
    f->service = NULL;
    HKEY key;
    assert_int_equal(RegOpenKeyExW(HKEY_LOCAL_MACHINE,
                                   L"SYSTEM\\CurrentControlSet\\Services\\" SERVICE_NAME, 0,
                                   KEY_READ, &key), ERROR_FILE_NOT_FOUND);
    assert_int_equal(kmserver_clear(), 0);
    assert_int_equal(GetFileAttributesW(L"C:\\Exchsrvr"), INVALID_FILE_ATTRIBUTES);
}

/* A running image cannot be deleted: clear says so, and keeps it (and its
** folders) listed, so the clear after the stop removes everything. */
static void test_clear_while_running_keeps_it_listed(void **state)
{
    struct fixture *f = *state;
    start_running(f);
    assert_int_equal(kmserver_clear(), ERROR_ACCESS_DENIED);
    assert_int_not_equal(GetFileAttributesW(KMSERVER_W), INVALID_FILE_ATTRIBUTES);
    assert_stops_cleanly(f->service);
    for (int i = 0; i < 100 && kmserver_clear() != 0; i++)
        Sleep(10);  /* the stopped process may take a moment to exit */
    assert_int_equal(GetFileAttributesW(L"C:\\Exchsrvr"), INVALID_FILE_ATTRIBUTES);
}

/* The same between the scenarios of a run (kmserver_retire + sweep). */
static void test_sweep_while_running_keeps_it_listed(void **state)
{
    struct fixture *f = *state;
    start_running(f);
    kmserver_retire();
    assert_int_equal(kmserver_sweep(), ERROR_ACCESS_DENIED);
    assert_int_not_equal(GetFileAttributesW(KMSERVER_W), INVALID_FILE_ATTRIBUTES);
    assert_stops_cleanly(f->service);
    for (int i = 0; i < 100 && kmserver_sweep() != 0; i++)
        Sleep(10);
    assert_int_equal(GetFileAttributesW(L"C:\\Exchsrvr"), INVALID_FILE_ATTRIBUTES);
}

/* One cycle: create, start, answer, RUNNING, stop, delete, gone. */
static void test_cycle_cost(void **state)
{
    struct fixture *f = *state;
    LARGE_INTEGER freq, t0, t1, t2;
    QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t0);
    start_running(f);
    QueryPerformanceCounter(&t1);
    remove_service(f->scm, f->service);
    f->service = NULL;
    QueryPerformanceCounter(&t2);
    double running = (double)(t1.QuadPart - t0.QuadPart) * 1000 / (double)freq.QuadPart;
    double cycle = (double)(t2.QuadPart - t0.QuadPart) * 1000 / (double)freq.QuadPart;
    print_message("start to RUNNING %.0f ms, full cycle %.0f ms\n", running, cycle);
    assert_true(cycle < 5000);
}

/* ---- kms_link on its own: hellos written from this process ------------- */

/* A program's end, played by a thread of this process: write BYTES,
** read the answer (or learn there is none), close. */
struct raw_client {
    const void *bytes;
    DWORD len;
    BOOL opened, wrote;
};

static DWORD WINAPI raw_client(void *arg)
{
    struct raw_client *c = arg;
    HANDLE h = CreateFileW(KMS_PIPE_NAME, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    c->opened = h != INVALID_HANDLE_VALUE;
    if (!c->opened)
        return 0;
    DWORD n = 0;
    struct kms_answer answer;
    c->wrote = WriteFile(h, c->bytes, c->len, &n, NULL) && n == c->len;
    ReadFile(h, &answer, sizeof answer, &n, NULL);
    CloseHandle(h);
    return 0;
}

static void fill_hello(struct kms_hello *h, uint32_t source, const char *ascii, uint32_t length)
{
    memset(h, 0, sizeof *h);
    h->magic = KMS_HELLO_MAGIC;
    h->who = KMS_WHO_SERVER;
    h->source = source;
    h->length = length;
    for (uint32_t i = 0; ascii[i] && i < KMS_MAX_PASSWORD; i++)
        h->candidate[i] = (uint16_t)(unsigned char)ascii[i];
}

static long answer_raw(struct fixture *f, const void *bytes, DWORD len, const char *expected,
                       const char *token, struct kms_heard *heard)
{
    struct raw_client c = { bytes, len, FALSE, FALSE };
    HANDLE thread = CreateThread(NULL, 0, raw_client, &c, 0, NULL);
    assert_non_null(thread);
    long rc = kms_link_answer(f->link, expected, token, ANSWER_MS, heard);
    assert_int_equal(WaitForSingleObject(thread, 5000), WAIT_OBJECT_0);
    CloseHandle(thread);
    assert_true(c.opened);
    assert_true(c.wrote);
    return rc;
}

static void test_link_decides_exactly(void **state)
{
    struct fixture *f = *state;
    struct kms_heard heard;
    struct kms_hello h;
    fill_hello(&h, KMS_SOURCE_COMMAND_LINE, "abc", 3);
    assert_int_equal(answer_raw(f, &h, sizeof h, "abc", NULL, &heard), 0);
    assert_heard(&heard, KMS_WHO_SERVER, KMS_SOURCE_COMMAND_LINE, 1);
    fill_hello(&h, KMS_SOURCE_COMMAND_LINE, "abc", 2);  /* "ab" */
    assert_int_equal(answer_raw(f, &h, sizeof h, "abc", NULL, &heard), 0);
    assert_int_equal(heard.accepted, 0);
    fill_hello(&h, KMS_SOURCE_START_ARGS, "abcd", 4);
    assert_int_equal(answer_raw(f, &h, sizeof h, "abc", NULL, &heard), 0);
    assert_int_equal(heard.accepted, 0);
    /* The password itself on the floppy is not the token: refused. */
    fill_hello(&h, KMS_SOURCE_FLOPPY, "abc", 3);
    assert_int_equal(answer_raw(f, &h, sizeof h, "abc", "kmharness-token:00", &heard), 0);
    assert_heard(&heard, KMS_WHO_SERVER, KMS_SOURCE_FLOPPY, 0);
    /* Longer than the protocol carries: refused even when the first units match. */
    char longer[KMS_MAX_PASSWORD + 1];
    memset(longer, 'x', KMS_MAX_PASSWORD);
    longer[KMS_MAX_PASSWORD] = 0;
    fill_hello(&h, KMS_SOURCE_COMMAND_LINE, longer, KMS_MAX_PASSWORD + 1);
    assert_int_equal(answer_raw(f, &h, sizeof h, longer, NULL, &heard), 0);
    assert_int_equal(heard.accepted, 0);
    fill_hello(&h, KMS_SOURCE_COMMAND_LINE, longer, KMS_MAX_PASSWORD);
    assert_int_equal(answer_raw(f, &h, sizeof h, longer, NULL, &heard), 0);
    assert_int_equal(heard.accepted, 1);
}

static void test_link_refuses_malformed_hellos(void **state)
{
    struct fixture *f = *state;
    struct kms_heard heard;
    struct kms_hello h;
    fill_hello(&h, KMS_SOURCE_COMMAND_LINE, "abc", 3);
    assert_int_equal(answer_raw(f, &h, sizeof h - 1, NULL, NULL, &heard), ERROR_INVALID_DATA);
    h.magic ^= 1;
    assert_int_equal(answer_raw(f, &h, sizeof h, NULL, NULL, &heard), ERROR_INVALID_DATA);
    fill_hello(&h, 4, "abc", 3);
    assert_int_equal(answer_raw(f, &h, sizeof h, NULL, NULL, &heard), ERROR_INVALID_DATA);
    fill_hello(&h, KMS_SOURCE_NONE, "", 0);
    h.who = 3;
    assert_int_equal(answer_raw(f, &h, sizeof h, NULL, NULL, &heard), ERROR_INVALID_DATA);
    char big[sizeof h + 8] = { 0 };
    assert_int_equal(answer_raw(f, big, sizeof big, NULL, NULL, &heard), ERROR_INVALID_DATA);
    assert_int_equal(heard.who, 0);  /* nothing reported from a refused message */
    /* Still usable afterwards. */
    fill_hello(&h, KMS_SOURCE_NONE, "", 0);
    assert_int_equal(answer_raw(f, &h, sizeof h, NULL, NULL, &heard), 0);
    assert_heard(&heard, KMS_WHO_SERVER, KMS_SOURCE_NONE, 1);
}

/* Nobody connects: WAIT_TIMEOUT after the timeout, not much later. */
static void test_link_times_out(void **state)
{
    struct fixture *f = *state;
    struct kms_heard heard;
    DWORD t0 = GetTickCount();
    assert_int_equal(kms_link_answer(f->link, NULL, NULL, 150, &heard), WAIT_TIMEOUT);
    DWORD spent = GetTickCount() - t0;
    assert_true(spent >= 140 && spent < 1000);
}

/* One link per prefix: a second one is refused while the first is open. */
static void test_second_link_refused(void **state)
{
    struct kms_link *second = NULL;
    struct kms_heard heard;
    assert_int_equal(kms_link_open(&second), ERROR_PIPE_BUSY);
    assert_null(second);
    assert_int_equal(kms_link_answer(second, NULL, NULL, 10, &heard), ERROR_INVALID_HANDLE);
}

static void test_tokens(void **state)
{
    char a[KMS_TOKEN_SIZE], b[KMS_TOKEN_SIZE];
    assert_int_equal(kms_make_token(a), 0);
    assert_int_equal(kms_make_token(b), 0);
    assert_int_equal(strlen(a), KMS_TOKEN_SIZE - 1);
    assert_memory_equal(a, KMS_TOKEN_PREFIX, strlen(KMS_TOKEN_PREFIX));
    assert_int_equal(strspn(a + strlen(KMS_TOKEN_PREFIX), "0123456789abcdef"), 32);
    assert_string_not_equal(a, b);
}

static int group_teardown(void **state)
{
    kmserver_cache_release();
    return 0;
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int wmain(int argc, WCHAR **argv)
{
    const struct CMUnitTest tests[] = {
        T(test_password_in_image_path_runs),
        T(test_wrong_password_stops_with_1),
        T(test_quoted_path_with_password_runs),
        T(test_password_in_start_arguments_runs),
        T(test_floppy_token_runs),
        T(test_floppy_other_token_stops_with_1),
        T(test_no_password_stops_with_1),
        T(test_no_password_needed_runs),
        T(test_no_harness_stops_with_2),
        T(test_link_answers_start_after_start),
        T(test_unquoted_path_starts_the_decoy),
        T(test_unquoted_path_without_decoy_runs),
        T(test_decoy_run_by_hand),
        T(test_start_errors),
        T(test_system_drive_variable_expanded),
        T(test_version_read_from_service_image),
        T(test_nothing_left_behind),
        T(test_clear_while_running_keeps_it_listed),
        T(test_sweep_while_running_keeps_it_listed),
        T(test_cycle_cost),
        T(test_link_decides_exactly),
        T(test_link_refuses_malformed_hellos),
        T(test_link_times_out),
        T(test_second_link_refused),
        T(test_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
