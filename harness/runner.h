/*
** runner.h - runs one scenario from start to verdict, inside Wine.
**
** For each scenario (spec: scenario-format.md): back to the baseline, apply
** its .reg through the registry API, place the emulated Kmserver.exe files,
** probe as Update.exe does, apply the Q235418 fix in-process, probe again,
** check the fix's built-in rules and the scenario's expectations, record the
** redacted result, and undo everything. harness/cmd_run.c owns the list of
** scenarios, the database and the summary; this file owns one scenario.
*/
#ifndef KMH_RUNNER_H
#define KMH_RUNNER_H

#include <stddef.h>
#include <stdint.h>
#include "store.h"
#include "era.h"

struct remedy;    /* harness/remedy.h */
struct regwatch;  /* harness/regwatch.h */
struct service_lifecycle;  /* harness/service.h */

struct runner {
    struct store *db;
    long long run_id;
    const char *keep_dir;   /* private folder for the fix's kept originals */
    enum era era;           /* the Windows profile of the probe (emu/era.h) */
    int seq;                /* scenarios started so far */
    int passed, failed, errors, skipped;
    const struct remedy *remedy;  /* run --remedy: the admin's remediation, or NULL */
    struct regwatch *watch;       /* and the registry outside the service key */
    int remedy_worse_or_broken;   /* scenarios where it did worse than the KB fix */
    struct service_lifecycle *service;  /* run --service: the KM service's starts, or NULL */
};

/* Put the prefix into the baseline state: no MSExchangeKMS key, no emulated
** files. Called once before the first scenario: undoes what a killed
** earlier run left behind, and nothing else.  A service key or a
** Kmserver.exe at its usual places that someone else put into the prefix (a user's imported state)
** is refused: returns -1 with ERR (N bytes) saying so, unless RESET, which
** lets the run delete the key (never files it did not create). */
int runner_baseline(int reset, char *err, size_t n);

/* After the last scenario: back to the baseline (the files the last
** scenario kept for a next one go). */
void runner_end(void);

/* VERDICT_SKIPPED: the scenario's @skip says Wine cannot reproduce it. */
enum verdict { VERDICT_PASS, VERDICT_FAIL, VERDICT_ERROR, VERDICT_SKIPPED };

/* Run the scenario file at UNIX_PATH and record it; updates the counters. */
enum verdict runner_scenario(struct runner *r, const char *unix_path);

/* The same for a scenario held in memory (LEN bytes of a .reg file called
** NAME.reg, e.g. a generated one); SOURCE names it in messages. */
enum verdict runner_scenario_text(struct runner *r, const char *name, const char *source,
                                  const uint8_t *bytes, size_t len);

#endif
