/*
** remedy_rules.h - the pure rules of `run --remedy FILE`: which Wine
** component runs an admin's remediation, and how its result compares with
** the KB's own fix.
**
** harness/remedy.c runs the remediation inside the prefix (Win32); the
** runner (harness/runner.c) probes before and after it, checks it with the
** built-in checks that make sense for any remediation, runs the KB fix on a
** fresh copy of the same scenario, and asks remedy_compare() for the
** verdict.  Pure: no Win32, unit-tested natively.
*/
#ifndef KMH_REMEDY_RULES_H
#define KMH_REMEDY_RULES_H

/* What runs a remediation, chosen by its file name's extension (any case),
** as a Windows admin would run it. */
enum remedy_kind {
    REMEDY_UNKNOWN,
    REMEDY_REG,      /* .reg: imported as regedit imports it */
    REMEDY_CMD,      /* .cmd, .bat: cmd.exe /c, reg.exe on the path */
    REMEDY_SCRIPT,   /* .vbs, .js: cscript.exe */
    REMEDY_EXE,      /* .exe: run as it is */
};

enum remedy_kind remedy_kind_of(const char *file_name);

/* How the remediation's process ended. */
enum remedy_end {
    REMEDY_EXITED_0,     /* ran to the end, exit status 0 */
    REMEDY_EXITED_OTHER, /* exit status not 0 */
    REMEDY_CRASHED,      /* ended by an exception (status 0xC0000000 and up) */
    REMEDY_TIMED_OUT,    /* still running at the time limit: ended by us */
    REMEDY_NOT_STARTED,  /* could not be started at all */
};

/* The verdict, per scenario:
**   broken - it did not end normally (exit 0), a built-in check failed,
**            or it wrote outside the service key;
**   better - it cures what the KB fix does not (the probe finds the
**            version after it, not after the fix);
**   worse  - the KB fix cures and it does not;
**   same   - otherwise.
** CURED / FIX_CURED: the probe's outcome after it / after the fix was 0. */
enum remedy_verdict { REMEDY_SAME, REMEDY_BETTER, REMEDY_WORSE, REMEDY_BROKEN };

enum remedy_verdict remedy_compare(enum remedy_end end, int checks_ok, int wrote_outside,
                                   int cured, int fix_cured);

/* "same", "better", "worse", "broken". */
const char *remedy_verdict_name(enum remedy_verdict v);

/* "exit 0", "exit N", "crashed (0xC0000005)", "timed out after S s", "not
** started (Win32 error N)" into BUF. */
const char *remedy_end_text(enum remedy_end end, unsigned long code, unsigned timeout_s,
                            char *buf, unsigned long n);

#endif
