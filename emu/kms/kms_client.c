/*
** kms_client.c - see kms_client.h.  Overlapped I/O with bounded waits, so
** that a harness that connects but never answers cannot hold a service in
** START_PENDING for ever.
*/
#include <windows.h>
#include "kms_client.h"

/* Open the harness's pipe, trying for KMS_CLIENT_FIND_MS; NULL when it is
** not there. */
static HANDLE open_pipe(void)
{
    DWORD start = GetTickCount();
    for (;;) {
        HANDLE h = CreateFileW(KMS_PIPE_NAME, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                               OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
        if (h != INVALID_HANDLE_VALUE)
            return h;
        DWORD err = GetLastError(), spent = GetTickCount() - start;
        if (spent >= KMS_CLIENT_FIND_MS)
            return NULL;
        if (err == ERROR_PIPE_BUSY)
            WaitNamedPipeW(KMS_PIPE_NAME, KMS_CLIENT_FIND_MS - spent);
        else
            Sleep(10);  /* not created yet: poll, WaitNamedPipe needs an instance */
    }
}

/* One overlapped transfer on PIPE bounded by WAIT_MS; 1 when all LEN bytes moved. */
static int transfer(HANDLE pipe, int write, void *buf, DWORD len, DWORD wait_ms)
{
    OVERLAPPED ov = { 0 };
    DWORD done = 0;
    if (!(ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL)))
        return 0;
    BOOL ok = write ? WriteFile(pipe, buf, len, NULL, &ov) : ReadFile(pipe, buf, len, NULL, &ov);
    if (!ok && GetLastError() == ERROR_IO_PENDING) {
        if (WaitForSingleObject(ov.hEvent, wait_ms) != WAIT_OBJECT_0)
            CancelIo(pipe);
        ok = TRUE;
    }
    ok = ok && GetOverlappedResult(pipe, &ov, &done, TRUE) && done == len;
    CloseHandle(ov.hEvent);
    return ok;
}

int kms_client_ask(struct kms_hello *hello)
{
    HANDLE pipe = open_pipe();
    if (!pipe) {
        SecureZeroMemory(hello, sizeof *hello);
        return -1;
    }
    struct kms_answer answer = { 0 };
    int sent = transfer(pipe, 1, hello, sizeof *hello, KMS_CLIENT_ANSWER_MS);
    SecureZeroMemory(hello, sizeof *hello);
    int heard = sent && transfer(pipe, 0, &answer, sizeof answer, KMS_CLIENT_ANSWER_MS)
                && answer.magic == KMS_HELLO_MAGIC;
    CloseHandle(pipe);
    return heard ? answer.accepted == 1 : -1;
}
