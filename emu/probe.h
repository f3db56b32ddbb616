/*
** probe.h: the emulated Update.exe version probe.
**
** Before it updates a Key Management server, the Exchange 5.5 service pack
** installer (Update.exe) looks up which Kmserver.exe is installed.  The
** probe does the same through the real Win32 registry and version APIs of
** the Wine prefix, and reports one outcome: 0 (a version was read), a Win32
** error code, or KMH_NOT_INSTALLED (-1).  It runs before and after the fix;
** the outcome is what the database records as before_code / after_code.
**
** MODELLING DECISIONS (binding for the whole harness; the only place they
** are written down):
**
**  1. The probe opens HKLM\SYSTEM\CurrentControlSet\Services\MSExchangeKMS
**     with KEY_QUERY_VALUE.  An absent key (ERROR_FILE_NOT_FOUND) is
**     outcome -1 "not installed": there is no KM server to update, so the
**     installer skips it rather than failing.  Any other open error is that
**     error's code, because the installer cannot tell what is installed.
**
**  2. ImagePath is read raw with RegQueryValueExW (type + bytes), so the
**     probe sees exactly what is stored, independent of any later
**     interpretation.  An absent value gives the registry API's own code,
**     2 (ERROR_FILE_NOT_FOUND), which Update.exe shows as "The system cannot
**     find the file specified." - the KB article's very symptom text.
**
**  3. For REG_SZ and REG_EXPAND_SZ, the path is the UTF-16 units up to the
**     first NUL or the end of the data; an odd trailing byte is ignored and
**     nothing past the first NUL is read (that is how every C string API
**     sees the value).  REG_EXPAND_SZ is NOT expanded - an assumption: the
**     KB says nothing about expansion; an installer that reads the value
**     with RegQueryValueEx gets it unexpanded unless it calls
**     ExpandEnvironmentStrings itself.  Any other type gives 1630
**     ERROR_UNSUPPORTED_TYPE - also an assumption: it is the harness's code
**     for "not a string" (RegGetValueW's answer, a function NT4 and 2000
**     lack); how Update.exe treats such a value is unknown.  This step is
**     pure and lives in emu/imagepath.c (imagepath_decode), shared with the
**     fix's built-in checks.
**
**  4. The string goes unchanged to GetFileVersionInfoSizeW; a size of 0
**     gives GetLastError() as the outcome (so "path password" is 2, a quoted
**     path 123, a missing folder 3, a PE without version resource 1812).
**     Then GetFileVersionInfoW and VerQueryValueW(L"\\") for the
**     VS_FIXEDFILEINFO: outcome 0 with dwFileVersionMS/LS as a.b.c.d.
**     VerQueryValueW failing gives 1813 ERROR_RESOURCE_TYPE_NOT_FOUND (the
**     resource exists but holds no fixed file info).  A version call that
**     fails without setting an error code gives 1812
**     ERROR_RESOURCE_DATA_NOT_FOUND, because outcome 0 must only ever mean
**     "a version was read".
**
**  5. Steps 1-4 run against Wine, whose version API is Windows XP's.  The
**     era profile (emu/era.h: nt4, 2000, xp; default xp) then turns Wine's
**     answer into what that Windows would have reported, by a rules table
**     in which every row cites its source or says "assumption".  CODE is
**     the era's outcome, WINE_CODE what Wine said, ASSUMED whether the
**     outcome rests on an assumption (shown as "?").
**
** Win32 (winelib) code; needs the prefix's wineserver.
*/
#ifndef KMH_PROBE_H
#define KMH_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include "imagepath.h"
#include "era.h"

/* Registry location the probe reads (UTF-8, for messages and records). */
#define PROBE_SERVICE_KEY "SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS"
#define PROBE_VALUE_NAME  "ImagePath"

struct probe_result {
    long code;             /* 0 version read, Win32 error, or KMH_NOT_INSTALLED */
    uint16_t version[4];   /* file version a.b.c.d when code == 0, else zeros */
    int value_present;     /* ImagePath existed (then VALUE_TYPE and RAW are set) */
    uint32_t value_type;   /* registry type of ImagePath (KMH_REG_* numbers) */
    uint8_t *raw;          /* malloc'd copy of the value's bytes; may hold a
                           ** password: never print, log or store it as is */
    size_t raw_len;
    long wine_code;        /* what Wine's API said (decision 5) */
    int assumed;           /* CODE rests on an assumption of the era table */
    const struct era_rule *rule;  /* the era rule that gave CODE */
};

/* Probe the prefix's registry and files as Update.exe would on ERA
** (decisions 1-5 above).  R needs no initialisation; free it with
** probe_result_free. */
void probe_run_as(enum era era, struct probe_result *r);

/* probe_run_as(ERA_DEFAULT, R). */
void probe_run(struct probe_result *r);

/* Free R's copy of the value and clear R.  Safe on a zeroed result. */
void probe_result_free(struct probe_result *r);

/* What Update.exe would show for R, as UTF-8 in BUF (always terminated when
** CAP > 0): "Kmserver.exe version 5.5.2653.9" for 0, Windows' message text
** for an error code, the not-installed text for -1.  Never contains any of
** the value's content.  Returns BUF. */
char *probe_message(const struct probe_result *r, char *buf, size_t cap);

#endif /* KMH_PROBE_H */
