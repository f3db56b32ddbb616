/*
** era.c: the rules table behind era.h, one row per behaviour, each with
** its source or "assumption: ...".  The first row that matches wins.
**
** Sources, cited by short names in the rows:
**  [info.c]  Wine's conformance test of the version API,
**            dlls/version/tests/info.c, test_info_size().  It runs on real
**            Windows and accepts, per version: for a file that cannot be
**            found ("notexist.dll") 2 or 1812 on XP, the last error left
**            unchanged on NT4, 0 on Windows 2000; for a file without a
**            version resource ("test.txt") 1812, or 0 on Windows 2000; for
**            an empty name 1812, 3 on NT4, 0 on Windows 2000 (2 on Windows
**            Server 2003, 161 on Windows 98); for an existing file (kernel32.dll)
**            a size and no error on all of them.
**  [FastFAT] Microsoft's FastFAT file system sample, create.c: each path
**            component's name is checked before it is looked up; an invalid
**            name is STATUS_OBJECT_NAME_INVALID (123), a missing folder on
**            the way STATUS_OBJECT_PATH_NOT_FOUND (3).
**  [KB]      Q235418 itself: on the KM servers of its time (Exchange 5.5 on
**            NT4; Windows 2000 had not shipped when it was first written -
**            assumption from its Q number, the text carries only a 2002
**            review date) the KB's case showed "The system cannot find the
**            file specified.", error 2's text.
**  [Q196171] KB Q196171 (Exchange 5.5 SP1): with the MSExchangeKMS
**            service key left behind, the update attempts to update the KM
**            server; the workaround deletes the key.
**  [Q290226] KB Q290226 (Exchange 5.5 SP3): with the KM server removed
**            wrongly (its service key left), setup shows "The System cannot
**            find the file specified: Microsoft Windows NT ID no:
**            0xc0020002": Exchange's setup shows a Win32 code's text, and
**            showed 2 there (which file it missed, and on which Windows,
**            the article does not say).  If that was the KM server check
**            on Windows 2000, the code came from another call than the
**            version API, which leaves 0 there [info.c]; the 2000 rules
**            below follow info.c, and README says so.
**  [RegQueryValueEx] Microsoft's documentation of RegQueryValueEx: a
**            missing value gives ERROR_FILE_NOT_FOUND.  Its page for
**            RegGetValue (which answers 1630 for a type mismatch) lists
**            Windows Vista, XP Professional x64 and Server 2003 SP1 as the
**            minimum: NT4 and 2000 have no RegGetValue.
**
** The default profile is xp: the scenario contract (scenario-format.md)
** never reinterprets a directive, and every @expect-before/@expect-after
** written so far states what the XP+ version API that Wine implements
** reports.  A file with no per-profile lines keeps meaning what it meant.
** `--windows nt4` and `--windows 2000` ask for the era of Exchange 5.5.
**
** Pure: no Win32 headers.
*/
#include <strings.h>
#include "era.h"
#include "imagepath.h"

#define NT4  (1u << ERA_NT4)
#define W2K  (1u << ERA_2000)
#define XP   (1u << ERA_XP)
#define ALL  (NT4 | W2K | XP)
#define ANY_PATH 0
#define EMPTY_PATH 1

static const struct era_rule rules[] = {
    /* ---- before the version API: the registry --------------------------- */
    { "all.no-key", ALL, ERA_NO_KEY, ANY_PATH, ERA_SAME, KMH_NOT_INSTALLED, 0,
      "[Q196171] a MSExchangeKMS key left behind makes the update try to update a KM "
      "server that is not there, and deleting the key is the workaround: the key is "
      "what the update goes by, so without it the KM server is skipped" },
    { "all.no-value", ALL, ERA_NO_VALUE, ANY_PATH, ERA_SAME, 2, 1,
      "[RegQueryValueEx] a missing value gives 2; assumption: Update.exe shows "
      "that code's text" },
    { "all.not-a-string", ALL, ERA_NOT_A_STRING, ANY_PATH, ERA_SAME,
      KMH_ERROR_UNSUPPORTED_TYPE, 1,
      "assumption: Update.exe refuses a value that is not REG_SZ/REG_EXPAND_SZ; "
      "1630 is the harness's code for it (RegGetValue's, which NT4 and 2000 lack "
      "[RegQueryValueEx]), not a code Update.exe is known to show" },
    { "all.other-failure", ALL, ERA_OTHER_FAILED, ANY_PATH, ERA_SAME, ERA_SAME, 1,
      "assumption: Update.exe shows the registry API's own error" },

    /* ---- a version was read: the same on every Windows ------------------- */
    { "all.version-read", ALL, ERA_VERSION_READ, ANY_PATH, ERA_SAME, 0, 0,
      "[info.c] an existing file with a version resource: a size, no error, on "
      "NT4, 2000 and XP" },

    /* ---- an empty ImagePath ---------------------------------------------- */
    { "nt4.empty", NT4, ERA_SIZE_FAILED, EMPTY_PATH, ERA_SAME, 3, 0,
      "[info.c] an empty name: ERROR_PATH_NOT_FOUND (NT4)" },
    { "2000.empty", W2K, ERA_SIZE_FAILED, EMPTY_PATH, ERA_SAME, KMH_NO_ERROR_CODE, 0,
      "[info.c] an empty name: ERROR_SUCCESS (2k)" },
    { "xp.empty", XP, ERA_SIZE_FAILED, EMPTY_PATH, ERA_SAME, 1812, 0,
      "[info.c] an empty name: 1812 (Wine answers 161, Windows 98's code)" },

    /* ---- Windows NT 4.0 --------------------------------------------------- */
    { "nt4.not-found", NT4, ERA_SIZE_FAILED, ANY_PATH, 2, ERA_LEFTOVER, 0,
      "[info.c] NT4 leaves the last error unchanged for a file it cannot find; "
      "[KB] the KB's case then showed error 2's text, so 2 is what Update.exe held "
      "before the call" },
    { "nt4.other-failure", NT4, ERA_SIZE_FAILED, ANY_PATH, ERA_SAME, ERA_LEFTOVER, 1,
      "assumption: NT4 leaves the last error unchanged on every failure, as [info.c] "
      "shows for a missing file, so Update.exe shows the same 2 as in the KB's case" },
    { "nt4.later-failure", NT4, ERA_LATER_FAILED, ANY_PATH, ERA_SAME, ERA_LEFTOVER, 1,
      "assumption: as nt4.other-failure" },

    /* ---- Windows 2000 ----------------------------------------------------- */
    { "2000.not-found", W2K, ERA_SIZE_FAILED, ANY_PATH, 2, KMH_NO_ERROR_CODE, 0,
      "[info.c] a file it cannot find: ERROR_SUCCESS (win2k); [Q290226] Exchange's setup "
      "shows the Win32 code's text, here error 0's (but see the note on Q290226)" },
    { "2000.no-version", W2K, ERA_SIZE_FAILED, ANY_PATH, 1812, KMH_NO_ERROR_CODE, 0,
      "[info.c] a file without a version resource: ERROR_SUCCESS (win2k)" },
    { "2000.other-failure", W2K, ERA_SIZE_FAILED, ANY_PATH, ERA_SAME, KMH_NO_ERROR_CODE, 1,
      "assumption: Windows 2000 sets 0 on every failure, as [info.c] shows for a "
      "missing file and for one without a version resource" },
    { "2000.later-failure", W2K, ERA_LATER_FAILED, ANY_PATH, ERA_SAME, KMH_NO_ERROR_CODE, 1,
      "assumption: as 2000.other-failure" },

    /* ---- Windows XP (what Wine implements) ------------------------------- */
    { "xp.not-found", XP, ERA_SIZE_FAILED, ANY_PATH, 2, ERA_SAME, 0,
      "[info.c] a file it cannot find: ERROR_FILE_NOT_FOUND (XP)" },
    { "xp.no-version", XP, ERA_SIZE_FAILED, ANY_PATH, 1812, ERA_SAME, 0,
      "[info.c] a file without a version resource: ERROR_RESOURCE_DATA_NOT_FOUND" },
    { "xp.other-failure", XP, ERA_SIZE_FAILED, ANY_PATH, ERA_SAME, ERA_SAME, 1,
      "assumption: XP passes the file system's own error on, as [info.c] shows for 2; "
      "the codes are the file system's ([FastFAT]: 123 invalid name, 3 missing folder), "
      "the value is Wine's" },
    { "xp.later-failure", XP, ERA_LATER_FAILED, ANY_PATH, ERA_SAME, ERA_SAME, 1,
      "assumption: Wine's error for a version resource it found but could not read" },
};

#define NRULES (sizeof rules / sizeof rules[0])

static int matches(const struct era_rule *r, enum era era, enum era_event event,
                   int empty_path, long wine_code)
{
    return (r->eras & (1u << era)) && r->event == event
        && (!r->empty_path || empty_path)
        && (r->wine_code == ERA_SAME || r->wine_code == wine_code);
}

struct era_outcome era_map(enum era era, enum era_event event, int empty_path,
                           long wine_code)
{
    struct era_outcome out = { wine_code, 1, NULL };
    if ((unsigned)era >= ERA_COUNT)
        return out;
    for (size_t i = 0; i < NRULES; i++) {
        if (!matches(&rules[i], era, event, empty_path, wine_code))
            continue;
        out.rule = &rules[i];
        out.assumed = rules[i].assumed;
        out.code = rules[i].code == ERA_SAME ? wine_code
                 : rules[i].code == ERA_LEFTOVER ? ERA_NT4_LEFTOVER
                 : rules[i].code;
        return out;
    }
    return out;  /* not reached: every event has a catch-all per era */
}

static const char *const names[ERA_COUNT] = {
    [ERA_NT4] = "nt4", [ERA_2000] = "2000", [ERA_XP] = "xp",
};
static const char *const titles[ERA_COUNT] = {
    [ERA_NT4] = "Windows NT 4.0", [ERA_2000] = "Windows 2000", [ERA_XP] = "Windows XP",
};

const char *era_name(enum era era)
{
    return (unsigned)era < ERA_COUNT ? names[era] : "unknown";
}

const char *era_title(enum era era)
{
    return (unsigned)era < ERA_COUNT ? titles[era] : "unknown";
}

int era_parse(const char *name, enum era *era)
{
    for (int i = 0; i < ERA_COUNT; i++)
        if (name && !strcasecmp(name, names[i])) {
            *era = (enum era)i;
            return 0;
        }
    return -1;
}

const struct era_rule *era_rules(size_t *count)
{
    *count = NRULES;
    return rules;
}
