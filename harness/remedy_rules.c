/*
** remedy_rules.c - the pure rules of `run --remedy` (see remedy_rules.h).
*/
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "remedy_rules.h"

enum remedy_kind remedy_kind_of(const char *file_name)
{
    static const struct {
        const char *ext;
        enum remedy_kind kind;
    } kinds[] = {
        { ".reg", REMEDY_REG }, { ".cmd", REMEDY_CMD }, { ".bat", REMEDY_CMD },
        { ".vbs", REMEDY_SCRIPT }, { ".js", REMEDY_SCRIPT }, { ".exe", REMEDY_EXE },
    };
    const char *dot = strrchr(file_name, '.');
    const char *slash = strrchr(file_name, '/');
    if (!dot || (slash && dot < slash) || dot == file_name || (slash && dot == slash + 1))
        return REMEDY_UNKNOWN;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcasecmp(dot, kinds[i].ext))
            return kinds[i].kind;
    return REMEDY_UNKNOWN;
}

enum remedy_verdict remedy_compare(enum remedy_end end, int checks_ok, int wrote_outside,
                                   int cured, int fix_cured)
{
    if (end != REMEDY_EXITED_0 || !checks_ok || wrote_outside)
        return REMEDY_BROKEN;
    if (cured && !fix_cured)
        return REMEDY_BETTER;
    if (fix_cured && !cured)
        return REMEDY_WORSE;
    return REMEDY_SAME;
}

const char *remedy_verdict_name(enum remedy_verdict v)
{
    static const char *const names[] = { "same", "better", "worse", "broken" };
    return names[v];
}

const char *remedy_end_text(enum remedy_end end, unsigned long code, unsigned timeout_s,
                            char *buf, unsigned long n)
{
    switch (end) {
    case REMEDY_EXITED_0:
        snprintf(buf, n, "exit 0");
        break;
    case REMEDY_EXITED_OTHER:
        snprintf(buf, n, "exit %lu", code);
        break;
    case REMEDY_CRASHED:
        snprintf(buf, n, "crashed (0x%08lX)", code);
        break;
    case REMEDY_TIMED_OUT:
        snprintf(buf, n, "timed out after %u s", timeout_s);
        break;
    case REMEDY_NOT_STARTED:
        snprintf(buf, n, "not started (Win32 error %lu)", code);
        break;
    }
    return buf;
}
