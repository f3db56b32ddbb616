/*
** kms_protocol.h - what the emulated KM server (and the decoy) tell the
** harness, and how the harness answers.  Shared by the harness (winelib)
** and by the real PE programs in emu/kms/ (built with mingw-w64), so it is
** plain C with fixed-width types and nothing else.
**
** Why a pipe: the KM server needs its startup password at every start
** (KB Q151689), and the emulation must decide whether the password it got
** is the scenario's @password without the password ever being written to
** a file, the registry or a log.  A named pipe lives in wineserver's
** memory only.  The program sends one hello; the harness, which knows the
** scenario's @password, answers accept or reject; the program then runs
** (SERVICE_RUNNING) or stops with service-specific exit code 1, as the
** real server does.  Nothing else is reported: not the password, only
** whether one came and from where.
**
** The floppy's A:\Kmspwd.ini does not hold the password either: the
** harness writes a one-time token standing for it (KMS_TOKEN_PREFIX +
** hex), and the program sends what it read; the harness accepts its own
** token.  So a password reaches no disk, and a scenario still tells a
** floppy that holds the right password from one that holds a wrong one
** (a token the harness did not issue).
**
** One harness process per prefix (the launcher's lock), so one fixed
** pipe name is enough.
*/
#ifndef KMH_KMS_PROTOCOL_H
#define KMH_KMS_PROTOCOL_H

#include <stdint.h>

#define KMS_PIPE_NAME     L"\\\\.\\pipe\\kmharness-kms"
#define KMS_HELLO_MAGIC   0x31534d4bu   /* "KMS1" little-endian */
#define KMS_MAX_PASSWORD  256           /* UTF-16 units, candidate password */
#define KMS_TOKEN_PREFIX  "kmharness-token:"

/* Who is talking. */
enum kms_who {
    KMS_WHO_SERVER = 1,     /* the emulated Kmserver.exe, from ServiceMain */
    KMS_WHO_DECOY = 2,      /* the decoy (e.g. C:\Program.exe): it only says it ran */
};

/* Where the server found its password (the first that gave one, in this
** order: the real server's order is not documented; this is an assumption
** written down in the README). */
enum kms_source {
    KMS_SOURCE_NONE = 0,        /* none anywhere */
    KMS_SOURCE_START_ARGS = 1,  /* StartService arguments (ServiceMain argv[1]) */
    KMS_SOURCE_COMMAND_LINE = 2,/* the process command line: ImagePath's arguments */
    KMS_SOURCE_FLOPPY = 3,      /* A:\Kmspwd.ini: a token, see above */
};

/* program -> harness, one message. */
struct kms_hello {
    uint32_t magic;                       /* KMS_HELLO_MAGIC */
    uint32_t who;                         /* enum kms_who */
    uint32_t source;                      /* enum kms_source */
    uint32_t length;                      /* UTF-16 units used in candidate */
    uint16_t candidate[KMS_MAX_PASSWORD]; /* the password or floppy token; not NUL-terminated */
};

/* harness -> program, one message. */
struct kms_answer {
    uint32_t magic;                       /* KMS_HELLO_MAGIC */
    uint32_t accepted;                    /* 1: run; 0: stop with exit code 1 */
};

/* Service-specific exit codes of the emulated server (dwServiceSpecificExitCode
** with dwWin32ExitCode = ERROR_SERVICE_SPECIFIC_ERROR, 1066). */
#define KMS_EXIT_NO_PASSWORD   1   /* none, or the wrong one: as the real server (Q151689) */
#define KMS_EXIT_NO_HARNESS    2   /* nobody answered on the pipe: cannot check (emulation only) */

#endif /* KMH_KMS_PROTOCOL_H */
