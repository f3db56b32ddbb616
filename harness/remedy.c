/*
** remedy.c - runs an admin's remediation inside the prefix (see remedy.h).
*/
#include <windows.h>
#include <wincrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "remedy.h"
#include "text.h"

#define REMEDY_DIR L"C:\\kmharness-remedy"
/* A remediation is a script or a small tool; its copy is written with one
** WriteFile and hashed with one CryptHashData, both of which take a DWORD
** length, so the cap keeps well below 4 GiB. */
#define REMEDY_MAX_FILE (64u << 20)

/* SHA-256 of DATA in lower-case hex, through the Windows crypto API. */
static int sha256_hex(const unsigned char *data, size_t len, char out[65])
{
    HCRYPTPROV prov;
    HCRYPTHASH hash;
    BYTE digest[32];
    DWORD dlen = sizeof digest;
    int ok = CryptAcquireContextW(&prov, NULL, NULL, PROV_RSA_AES, CRYPT_VERIFYCONTEXT);
    if (!ok)
        return -1;
    ok = CryptCreateHash(prov, CALG_SHA_256, 0, 0, &hash);
    if (ok) {
        ok = CryptHashData(hash, data, (DWORD)len, 0) &&
             CryptGetHashParam(hash, HP_HASHVAL, digest, &dlen, 0) && dlen == 32;
        CryptDestroyHash(hash);
    }
    CryptReleaseContext(prov, 0);
    for (int i = 0; ok && i < 32; i++)
        sprintf(out + 2 * i, "%02x", digest[i]);
    return ok ? 0 : -1;
}

/* Copy DATA into the prefix as C:\kmharness-remedy\NAME (WINPATH). */
static long install_copy(const char *name, const unsigned char *data, size_t len,
                         WCHAR *winpath, size_t cap)
{
    WCHAR wname[256];
    if (!MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, name, -1, wname, 256))
        return ERROR_INVALID_NAME;
    if ((size_t)(lstrlenW(REMEDY_DIR) + 1 + lstrlenW(wname)) >= cap)
        return ERROR_FILENAME_EXCED_RANGE;
    lstrcpyW(winpath, REMEDY_DIR L"\\");
    lstrcatW(winpath, wname);
    CreateDirectoryW(REMEDY_DIR, NULL);
    HANDLE h = CreateFileW(winpath, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return (long)GetLastError();
    DWORD written = 0;
    long rc = WriteFile(h, data, (DWORD)len, &written, NULL) && written == len
              ? ERROR_SUCCESS : (long)GetLastError();
    CloseHandle(h);
    return rc;
}

static int parse_reg(const char *path, const unsigned char *data, size_t len, struct remedy *rm,
                     char *err, size_t n)
{
    char *text;
    size_t tlen;
    int utf16;
    struct kmh_error e;
    if (text_decode_file(data, len, &text, &tlen, &utf16, &e) ||
        reg_parse(text, tlen, utf16, &rm->ops, &e)) {
        if (e.line)
            snprintf(err, n, "%s:%d: %s", path, e.line, e.msg);
        else
            snprintf(err, n, "%s: %s", path, e.msg);
        return -1;
    }
    free(text);
    return 0;
}

int remedy_load(const char *unix_path, unsigned timeout_s, struct remedy *rm, char *err,
                size_t n)
{
    memset(rm, 0, sizeof *rm);
    const char *base = strrchr(unix_path, '/');
    snprintf(rm->name, sizeof rm->name, "%s", base ? base + 1 : unix_path);
    rm->timeout_s = timeout_s;
    rm->kind = remedy_kind_of(rm->name);
    if (rm->kind == REMEDY_UNKNOWN) {
        snprintf(err, n, "%s: a remediation is a .reg, .cmd, .bat, .vbs, .js or .exe file",
                 unix_path);
        return -1;
    }
    size_t len = 0;
    unsigned char *data;
    struct kmh_error e;
    if (text_read_file(unix_path, REMEDY_MAX_FILE, &data, &len, &e)) {
        snprintf(err, n, "%s: %s", unix_path, e.msg);
        return -1;
    }
    int rc = sha256_hex(data, len, rm->sha256);
    if (rc)
        snprintf(err, n, "%s: cannot hash it", unix_path);
    else if (rm->kind == REMEDY_REG)
        rc = parse_reg(unix_path, data, len, rm, err, n);
    else if (install_copy(rm->name, data, len, (WCHAR *)rm->winpath,
                          sizeof rm->winpath / sizeof rm->winpath[0])) {
        snprintf(err, n, "%s: cannot copy it into the prefix", unix_path);
        rc = -1;
    }
    free(data);
    return rc;
}

/* The command line that runs the copy, as an admin would start it (CMD
** has room for the longest: the copy's path is under 300 units). */
static void command_line(const struct remedy *rm, WCHAR *cmd)
{
    static const WCHAR *const starts[] = {
        [REMEDY_CMD] = L"C:\\windows\\system32\\cmd.exe /c \"",
        [REMEDY_SCRIPT] = L"C:\\windows\\system32\\cscript.exe //nologo //B \"",
        [REMEDY_EXE] = L"\"",
    };
    lstrcpyW(cmd, starts[rm->kind]);
    lstrcatW(cmd, (const WCHAR *)rm->winpath);
    lstrcatW(cmd, L"\"");
}

/* Start the copy suspended in a job whose end ends its children too. */
static void run_process(const struct remedy *rm, enum remedy_end *end, unsigned long *code)
{
    WCHAR cmd[400];
    command_line(rm, cmd);
    SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
    HANDLE nul = CreateFileW(L"NUL", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                             &inherit, OPEN_EXISTING, 0, NULL);
    STARTUPINFOW si = { .cb = sizeof si, .dwFlags = STARTF_USESTDHANDLES,
                        .hStdInput = nul, .hStdOutput = nul, .hStdError = nul };
    PROCESS_INFORMATION pi;
    HANDLE job = CreateJobObjectW(NULL, NULL);
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limit = { 0 };
    limit.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (job)
        SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limit, sizeof limit);
    if (!CreateProcessW(NULL, cmd, NULL, NULL, TRUE, CREATE_SUSPENDED | CREATE_NO_WINDOW, NULL,
                        REMEDY_DIR, &si, &pi)) {
        *end = REMEDY_NOT_STARTED;
        *code = GetLastError();
    } else {
        if (job)
            AssignProcessToJobObject(job, pi.hProcess);
        ResumeThread(pi.hThread);
        DWORD waited = WaitForSingleObject(pi.hProcess, rm->timeout_s * 1000);
        DWORD status = 0;
        if (waited != WAIT_OBJECT_0) {
            if (job)
                TerminateJobObject(job, 1);
            TerminateProcess(pi.hProcess, 1);
            WaitForSingleObject(pi.hProcess, 5000);
            *end = REMEDY_TIMED_OUT;
        } else {
            GetExitCodeProcess(pi.hProcess, &status);
            *end = status == 0 ? REMEDY_EXITED_0
                 : status >= 0xC0000000 ? REMEDY_CRASHED : REMEDY_EXITED_OTHER;
        }
        *code = status;
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
    }
    if (job)
        CloseHandle(job);  /* kill-on-close: nothing of it outlives this */
    if (nul != INVALID_HANDLE_VALUE)
        CloseHandle(nul);
}

void remedy_run(const struct remedy *rm, struct undo_journal *j, enum remedy_end *end,
                unsigned long *code)
{
    if (rm->kind != REMEDY_REG) {
        run_process(rm, end, code);
        return;
    }
    int line = 0;
    long rc = regapply_run(rm->ops.ops, rm->ops.n, j, &line);
    *end = rc ? REMEDY_EXITED_OTHER : REMEDY_EXITED_0;  /* regedit /s: 1 when it failed */
    *code = rc ? 1 : 0;
}

void remedy_warm_up(const struct remedy *rm)
{
    if (rm->kind != REMEDY_CMD && rm->kind != REMEDY_SCRIPT)
        return;
    struct remedy warm = *rm;
    const char *dot = strrchr(rm->name, '.');
    snprintf(warm.name, sizeof warm.name, "kmharness-warm-up%s", dot ? dot : "");
    static const unsigned char nothing[] = "\r\n";
    if (install_copy(warm.name, nothing, sizeof nothing - 1, (WCHAR *)warm.winpath,
                     sizeof warm.winpath / sizeof warm.winpath[0]) == ERROR_SUCCESS) {
        enum remedy_end end;
        unsigned long code;
        run_process(&warm, &end, &code);
        DeleteFileW((const WCHAR *)warm.winpath);
    }
}

void remedy_unload(struct remedy *rm)
{
    if (rm->winpath[0]) {
        DeleteFileW((const WCHAR *)rm->winpath);
        RemoveDirectoryW(REMEDY_DIR);
    }
    reg_ops_free(&rm->ops);
    memset(rm, 0, sizeof *rm);
}
