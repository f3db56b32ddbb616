/*
** kms_link.c - the harness's end of the KM server pipe (see kms_link.h).
**
** One overlapped message-mode pipe instance, reused start after start.
** It is always listening between answers: a disconnected instance refuses
** clients until ConnectNamedPipe is called again (231 ERROR_PIPE_BUSY,
** measured under Wine), so the connect is issued as soon as the instance
** is free and stays pending across calls; a program that starts before
** the harness asks for its hello still finds the pipe open.  One answer:
** wait for the connect, read one hello, answer, wait until the program
** has closed its end (so the answer is read before the instance is
** reset), disconnect, listen again.  Every wait is bounded, so a program
** that never connects, or connects and goes quiet, costs the caller its
** timeout and no more.
**
** The link lives in Wine's process heap, not glibc's: Wine fails
** overlapped I/O whose buffer (or OVERLAPPED) is in memory it did not
** allocate (1784 ERROR_INVALID_USER_BUFFER, measured with malloc'd memory
** in this winelib program).  Hellos are read into the stack for the same
** reason.
*/
#include <windows.h>
#include <ntsecapi.h>
#include <stdio.h>
#include <string.h>
#include "kms_link.h"

/* After answering, how long the program may take to read the answer and
** close its end before the harness resets the pipe anyway. */
#define CLOSE_WAIT_MS 500

struct kms_link {
    HANDLE pipe;
    HANDLE event;           /* of the one overlapped operation in flight */
    OVERLAPPED listen;      /* the pending connect, while LISTENING */
    enum { IDLE, LISTENING, CONNECTED } state;
};

/* Milliseconds left until DEADLINE (a GetTickCount value), 0 when past. */
static DWORD left_until(DWORD deadline)
{
    DWORD now = GetTickCount();
    return (LONG)(deadline - now) > 0 ? deadline - now : 0;
}

/* Let the next program connect: issue the connect, left pending. */
static long start_listening(struct kms_link *link)
{
    memset(&link->listen, 0, sizeof link->listen);
    link->listen.hEvent = link->event;
    ResetEvent(link->event);
    link->state = IDLE;
    if (ConnectNamedPipe(link->pipe, &link->listen)) {
        link->state = CONNECTED;
        return ERROR_SUCCESS;
    }
    DWORD err = GetLastError();
    if (err == ERROR_IO_PENDING)
        link->state = LISTENING;
    else if (err == ERROR_PIPE_CONNECTED)
        link->state = CONNECTED;  /* it connected before we asked */
    else
        return (long)err;
    return ERROR_SUCCESS;
}

/* Reset the instance after a program, and listen again. */
static long next_program(struct kms_link *link)
{
    DisconnectNamedPipe(link->pipe);
    return start_listening(link);
}

long kms_link_open(struct kms_link **out)
{
    *out = NULL;
    struct kms_link *link = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof *link);
    if (!link)
        return ERROR_NOT_ENOUGH_MEMORY;
    link->pipe = CreateNamedPipeW(KMS_PIPE_NAME,
                                  PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                                  PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT,
                                  1, sizeof(struct kms_answer), sizeof(struct kms_hello), 0, NULL);
    long rc = link->pipe == INVALID_HANDLE_VALUE ? (long)GetLastError() : ERROR_SUCCESS;
    if (rc != ERROR_SUCCESS)
        link->pipe = NULL;
    else if (!(link->event = CreateEventW(NULL, TRUE, FALSE, NULL)))
        rc = (long)GetLastError();
    else
        rc = start_listening(link);
    if (rc != ERROR_SUCCESS) {
        kms_link_close(link);
        return rc;
    }
    *out = link;
    return ERROR_SUCCESS;
}

void kms_link_close(struct kms_link *link)
{
    if (!link)
        return;
    if (link->pipe) {
        if (link->state == LISTENING && CancelIo(link->pipe)) {
            DWORD done;
            GetOverlappedResult(link->pipe, &link->listen, &done, TRUE);
        }
        CloseHandle(link->pipe);
    }
    if (link->event)
        CloseHandle(link->event);
    HeapFree(GetProcessHeap(), 0, link);
}

/* Wait up to WAIT_MS for the pending connect; on a timeout it stays
** pending for the next call. */
static long await_client(struct kms_link *link, DWORD wait_ms)
{
    if (link->state == IDLE) {
        long rc = start_listening(link);
        if (rc != ERROR_SUCCESS)
            return rc;
    }
    if (link->state == CONNECTED)
        return ERROR_SUCCESS;
    if (WaitForSingleObject(link->event, wait_ms) != WAIT_OBJECT_0)
        return WAIT_TIMEOUT;
    DWORD done;
    link->state = IDLE;
    if (!GetOverlappedResult(link->pipe, &link->listen, &done, FALSE))
        return (long)GetLastError();
    link->state = CONNECTED;
    return ERROR_SUCCESS;
}

/* Read or write LEN bytes at BUF on the connected pipe, waiting at most
** WAIT_MS (then cancelled).  0 with *DONE bytes, WAIT_TIMEOUT, or the
** call's error. */
static long transfer(struct kms_link *link, int write, void *buf, DWORD len, DWORD wait_ms,
                     DWORD *done)
{
    OVERLAPPED ov = { .hEvent = link->event };
    ResetEvent(link->event);
    *done = 0;
    BOOL ok = write ? WriteFile(link->pipe, buf, len, NULL, &ov)
                    : ReadFile(link->pipe, buf, len, NULL, &ov);
    if (!ok && GetLastError() != ERROR_IO_PENDING)
        return (long)GetLastError();
    if (!ok && WaitForSingleObject(link->event, wait_ms) != WAIT_OBJECT_0
        && !HasOverlappedIoCompleted(&ov) && CancelIo(link->pipe)) {
        GetOverlappedResult(link->pipe, &ov, done, TRUE);  /* the cancel's end */
        *done = 0;
        return WAIT_TIMEOUT;
    }
    return GetOverlappedResult(link->pipe, &ov, done, TRUE) ? ERROR_SUCCESS : (long)GetLastError();
}

/* After answering: wait until the program closed its end (the read ends
** with 109 ERROR_BROKEN_PIPE), so that it has read the answer. */
static void await_close(struct kms_link *link)
{
    char byte;
    DWORD done;
    transfer(link, 0, &byte, 1, CLOSE_WAIT_MS, &done);
}

/* Is the LEN-unit candidate at UNITS the UTF-8 string TEXT exactly? */
static int same_text(const uint16_t *units, uint32_t len, const char *text)
{
    WCHAR wide[KMS_MAX_PASSWORD + 1];
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text, -1, wide, ARRAYSIZE(wide));
    int same = n > 0 && (uint32_t)(n - 1) == len && memcmp(wide, units, len * sizeof *units) == 0;
    SecureZeroMemory(wide, sizeof wide);
    return same;
}

/* The answer to a well-formed HELLO. */
static int decide(const struct kms_hello *hello, const char *expected, const char *token)
{
    if (hello->who != KMS_WHO_SERVER)
        return 0;
    if (!expected)
        return 1;
    if (hello->length > KMS_MAX_PASSWORD || hello->source == KMS_SOURCE_NONE)
        return 0;
    if (hello->source == KMS_SOURCE_FLOPPY)
        return token && same_text(hello->candidate, hello->length, token);
    return same_text(hello->candidate, hello->length, expected);
}

static int well_formed(const struct kms_hello *hello, DWORD bytes)
{
    return bytes == sizeof *hello && hello->magic == KMS_HELLO_MAGIC
        && (hello->who == KMS_WHO_SERVER || hello->who == KMS_WHO_DECOY)
        && hello->source <= KMS_SOURCE_FLOPPY;
}

/* Read one hello and decide; OUT filled on success.  The hello is read
** into the stack, not malloc'd memory: Wine refuses an overlapped read
** into memory it did not allocate (1784 ERROR_INVALID_USER_BUFFER, measured
** with glibc's malloc in this winelib program). */
static long hear(struct kms_link *link, DWORD deadline, const char *expected, const char *token,
                 struct kms_heard *out)
{
    struct kms_hello hello;
    DWORD got = 0;
    long rc = transfer(link, 0, &hello, sizeof hello, left_until(deadline), &got);
    if (rc == ERROR_MORE_DATA || (rc == ERROR_SUCCESS && !well_formed(&hello, got)))
        rc = ERROR_INVALID_DATA;
    if (rc == ERROR_SUCCESS) {
        out->who = hello.who;
        out->source = hello.source;
        out->accepted = decide(&hello, expected, token);
    }
    SecureZeroMemory(&hello, sizeof hello);
    return rc;
}

long kms_link_answer(struct kms_link *link, const char *expected, const char *token,
                     uint32_t timeout_ms, struct kms_heard *out)
{
    memset(out, 0, sizeof *out);
    if (!link)
        return ERROR_INVALID_HANDLE;  /* kms_link_open failed */
    DWORD deadline = GetTickCount() + timeout_ms;
    long rc = await_client(link, timeout_ms);
    if (rc == WAIT_TIMEOUT)
        return rc;  /* still listening */
    if (rc == ERROR_SUCCESS)
        rc = hear(link, deadline, expected, token, out);
    if (rc == ERROR_SUCCESS) {
        struct kms_answer answer = { KMS_HELLO_MAGIC, (uint32_t)out->accepted };
        DWORD sent;
        rc = transfer(link, 1, &answer, sizeof answer, CLOSE_WAIT_MS, &sent);
        if (rc == ERROR_SUCCESS && sent != sizeof answer)
            rc = ERROR_WRITE_FAULT;
        if (rc == ERROR_SUCCESS)
            await_close(link);
    }
    if (rc != ERROR_SUCCESS)
        memset(out, 0, sizeof *out);
    long again = next_program(link);
    return rc != ERROR_SUCCESS ? rc : again;
}

long kms_make_token(char out[KMS_TOKEN_SIZE])
{
    unsigned char random[16];
    if (!RtlGenRandom(random, sizeof random))
        return ERROR_GEN_FAILURE;
    int n = snprintf(out, KMS_TOKEN_SIZE, "%s", KMS_TOKEN_PREFIX);
    for (size_t i = 0; i < sizeof random; i++)
        n += snprintf(out + n, KMS_TOKEN_SIZE - (size_t)n, "%02x", random[i]);
    return ERROR_SUCCESS;
}
