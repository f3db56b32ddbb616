/*
** winerror_text.h: Windows error codes as people see them.
**
** The probe's outcome is a Win32 error code (0 = version found, -1 = KM
** server not installed).  Reports and Update.exe's emulated message need
** the text Windows itself shows for each code (Wine's FormatMessage words
** them differently, so the texts are carried here), and the scenario
** parser needs to turn symbolic names such as ERROR_FILE_NOT_FOUND into
** codes.  Pure: no Win32 headers, builds natively too.
*/
#ifndef KMH_WINERROR_TEXT_H
#define KMH_WINERROR_TEXT_H

/* The message Windows shows for CODE (English, as worded by Windows), the
** not-installed text for -1, or a fallback text for unknown codes.
** Never NULL; static storage. */
const char *winerr_text(long code);

/* The symbolic name of CODE ("ERROR_FILE_NOT_FOUND", "ERROR_SUCCESS",
** "KMH_NOT_INSTALLED" for -1), or NULL when the code is not in the table. */
const char *winerr_name(long code);

/* Look up a symbolic name, case-insensitively.  Returns 1 and sets *CODE
** when NAME is known, 0 otherwise (*CODE untouched). */
int winerr_from_name(const char *name, long *code);

#endif /* KMH_WINERROR_TEXT_H */
