/*
** winerror_text.c: the table behind winerror_text.h.
**
** One row per Win32 error code the probe can produce (under Windows or
** Wine: registry, path, file, sharing, device and resource errors), with
** Windows' symbolic name and Windows' own English message text, so that a
** report shows what Update.exe would have shown on the real machine.  The
** texts are Windows' wording (FormatMessage on Windows), not Wine's.
*/
#include <stddef.h>
#include <strings.h>
#include "winerror_text.h"
#include "imagepath.h"
#include "era.h"

struct winerr {
    long code;
    const char *name;
    const char *text;
};

/* Sorted by code only for the reader's sake; lookups are linear (the table
** is small and is read once per scenario). */
static const struct winerr table[] = {
    { KMH_NOT_INSTALLED, "KMH_NOT_INSTALLED",
      "The Key Management server is not installed; Update.exe skips it." },
    /* Windows 2000's version API fails with the last error at 0 (emu/era.h);
    ** Update.exe would then show error 0's own text. */
    { KMH_NO_ERROR_CODE, "KMH_NO_ERROR_CODE", "The operation completed successfully." },
    { 0, "ERROR_SUCCESS", "The operation completed successfully." },
    { 1, "ERROR_INVALID_FUNCTION", "Incorrect function." },
    { 2, "ERROR_FILE_NOT_FOUND", "The system cannot find the file specified." },
    { 3, "ERROR_PATH_NOT_FOUND", "The system cannot find the path specified." },
    { 4, "ERROR_TOO_MANY_OPEN_FILES", "The system cannot open the file." },
    { 5, "ERROR_ACCESS_DENIED", "Access is denied." },
    { 6, "ERROR_INVALID_HANDLE", "The handle is invalid." },
    { 8, "ERROR_NOT_ENOUGH_MEMORY",
      "Not enough memory resources are available to process this command." },
    { 11, "ERROR_BAD_FORMAT",
      "An attempt was made to load a program with an incorrect format." },
    { 12, "ERROR_INVALID_ACCESS", "The access code is invalid." },
    { 13, "ERROR_INVALID_DATA", "The data is invalid." },
    { 14, "ERROR_OUTOFMEMORY",
      "Not enough memory resources are available to complete this operation." },
    { 15, "ERROR_INVALID_DRIVE", "The system cannot find the drive specified." },
    { 20, "ERROR_BAD_UNIT", "The system cannot find the device specified." },
    { 21, "ERROR_NOT_READY", "The device is not ready." },
    { 23, "ERROR_CRC", "Data error (cyclic redundancy check)." },
    { 26, "ERROR_NOT_DOS_DISK", "The specified disk or diskette cannot be accessed." },
    { 30, "ERROR_READ_FAULT", "The system cannot read from the specified device." },
    { 31, "ERROR_GEN_FAILURE", "A device attached to the system is not functioning." },
    { 32, "ERROR_SHARING_VIOLATION",
      "The process cannot access the file because it is being used by another process." },
    { 33, "ERROR_LOCK_VIOLATION",
      "The process cannot access the file because another process has locked a portion of the file." },
    { 38, "ERROR_HANDLE_EOF", "Reached the end of the file." },
    { 50, "ERROR_NOT_SUPPORTED", "The request is not supported." },
    { 53, "ERROR_BAD_NETPATH", "The network path was not found." },
    { 64, "ERROR_NETNAME_DELETED", "The specified network name is no longer available." },
    { 67, "ERROR_BAD_NET_NAME", "The network name cannot be found." },
    { 87, "ERROR_INVALID_PARAMETER", "The parameter is incorrect." },
    { 111, "ERROR_BUFFER_OVERFLOW", "The file name is too long." },
    { 122, "ERROR_INSUFFICIENT_BUFFER", "The data area passed to a system call is too small." },
    { 123, "ERROR_INVALID_NAME",
      "The filename, directory name, or volume label syntax is incorrect." },
    { 161, "ERROR_BAD_PATHNAME", "The specified path is invalid." },
    { 193, "ERROR_BAD_EXE_FORMAT", "%1 is not a valid Win32 application." },
    { 206, "ERROR_FILENAME_EXCED_RANGE", "The filename or extension is too long." },
    { 234, "ERROR_MORE_DATA", "More data is available." },
    { 267, "ERROR_DIRECTORY", "The directory name is invalid." },
    { 1009, "ERROR_BADDB", "The configuration registry database is corrupt." },
    { 1010, "ERROR_BADKEY", "The configuration registry key is invalid." },
    { 1011, "ERROR_CANTOPEN", "The configuration registry key could not be opened." },
    { 1012, "ERROR_CANTREAD", "The configuration registry key could not be read." },
    /* The service control manager's answers (issue 10: starting the KM
    ** service, @expect-service-*: not-started:CODE). */
    { 1053, "ERROR_SERVICE_REQUEST_TIMEOUT",
      "The service did not respond to the start or control request in a timely fashion." },
    { 1056, "ERROR_SERVICE_ALREADY_RUNNING", "An instance of the service is already running." },
    { 1058, "ERROR_SERVICE_DISABLED",
      "The service cannot be started, either because it is disabled or because it has no "
      "enabled devices associated with it." },
    { 1060, "ERROR_SERVICE_DOES_NOT_EXIST",
      "The specified service does not exist as an installed service." },
    { 1063, "ERROR_FAILED_SERVICE_CONTROLLER_CONNECT",
      "The service process could not connect to the service controller." },
    { 1066, "ERROR_SERVICE_SPECIFIC_ERROR",
      "The service has returned a service-specific error code." },
    { 1067, "ERROR_PROCESS_ABORTED", "The process terminated unexpectedly." },
    { 1069, "ERROR_SERVICE_LOGON_FAILED", "The service did not start due to a logon failure." },
    { 1018, "ERROR_KEY_DELETED",
      "Illegal operation attempted on a registry key that has been marked for deletion." },
    { 1392, "ERROR_FILE_CORRUPT", "The file or directory is corrupted and unreadable." },
    { 1393, "ERROR_DISK_CORRUPT", "The disk structure is corrupted and unreadable." },
    { 1630, "ERROR_UNSUPPORTED_TYPE", "Data of this type is not supported." },
    { 1812, "ERROR_RESOURCE_DATA_NOT_FOUND",
      "The specified image file did not contain a resource section." },
    { 1813, "ERROR_RESOURCE_TYPE_NOT_FOUND",
      "The specified resource type cannot be found in the image file." },
    { 1814, "ERROR_RESOURCE_NAME_NOT_FOUND",
      "The specified resource name cannot be found in the image file." },
    { 1815, "ERROR_RESOURCE_LANG_NOT_FOUND",
      "The specified resource language ID cannot be found in the image file." },
    { 1920, "ERROR_CANT_ACCESS_FILE", "The file cannot be accessed by the system." },
    { 1921, "ERROR_CANT_RESOLVE_FILENAME", "The name of the file cannot be resolved by the system." },
};

#define TABLE_SIZE (sizeof table / sizeof table[0])

static const struct winerr *find_code(long code)
{
    for (size_t i = 0; i < TABLE_SIZE; i++)
        if (table[i].code == code)
            return &table[i];
    return NULL;
}

const char *winerr_text(long code)
{
    const struct winerr *e = find_code(code);
    return e ? e->text
             : "Windows reported an error this harness has no message text for "
               "(see the error code).";
}

const char *winerr_name(long code)
{
    const struct winerr *e = find_code(code);
    return e ? e->name : NULL;
}

int winerr_from_name(const char *name, long *code)
{
    for (size_t i = 0; i < TABLE_SIZE; i++) {
        if (strcasecmp(table[i].name, name) == 0) {
            *code = table[i].code;
            return 1;
        }
    }
    return 0;
}
