/*
** The results database: appending runs to a SQLite 3 file.
**
** The harness opens the file given with --db, begins a run, adds one
** scenario at a time as it finishes, and ends the run with its counts.
** The schema lives in db/schema.sql (embedded by the Makefile as
** schema_sql[]); its outcome view is the public contract described in
** shared/spec/interface.md.  db/report.c reads the same file.
**
** Several processes may append to one file at the same time: the file is
** in WAL mode, every write waits for the others (busy timeout), run ids come
** from the run table's INTEGER PRIMARY KEY, and scenarios are buffered in
** the connection's private temp tables and copied to the file in short
** batches, so no process holds the write lock while scenarios execute.
**
** Plain C and libsqlite3 only: this builds natively and in the winelib
** program.  Paths are Unix paths.  All strings are UTF-8 and already
** redacted by the caller; the store never sees a password.
**
** Every int-returning function returns 0 on success and non-zero on
** failure, leaving a message for store_error().
*/
#ifndef KMH_STORE_H
#define KMH_STORE_H

#include <stddef.h>
#include <sqlite3.h>

struct store;

/* Opens (creating or upgrading when needed) the database at unix_path.
** On failure *out is NULL and err holds the reason. */
int store_open(const char *unix_path, struct store **out, char *err, size_t errlen);

/* Copies any buffered scenarios to the file, then closes it.  Callers that
** need to know the buffered rows were written call store_end_run first. */
void store_close(struct store *);

/* The last failure's message; "" when there was none. */
const char *store_error(struct store *);

/* Records a failure message for store_error() and returns -1.  For the
** modules that read the store directly (db/report.c). */
int store_set_error(struct store *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

struct store_run_info {
    const char *harness_version, *wine_version, *host, *command_line;
    const char *windows;  /* the era profile, "nt4", "2000" or "xp" (emu/era.h) */
    const char *remedy, *remedy_sha256;  /* run --remedy: file name, hash; or NULL */
};

/* Appends a run row stamped with the current UTC time; *run_id is its id. */
int store_begin_run(struct store *, const struct store_run_info *, long long *run_id);

/* One version probe: ran is 0 when it did not run (input error); code is 0
** (version found), a Win32 error code, or -1 (KM server not installed). */
struct store_probe {
    int ran;
    long code;
    const char *message;
    const char *version; /* "a.b.c.d" or NULL */
    const char *rule;    /* the era rule that gave CODE (emu/era.h), or NULL */
    int assumed;         /* CODE rests on an assumption of that rule */
};

struct store_check {
    const char *name;
    int ok;
    const char *detail;
};

/* One finished scenario.  verdict is "pass", "fail", "error" or
** "observed"; any other string pointer may be NULL (no value).
** shape_before is the ImagePath's shape label before the fix (emu/shape.h),
** never the value itself.  service_before, service_after, service_restored:
** the KM service's state at its three starts (schema step 7), each exactly
** as service_state_format writes it ("running", "stopped:1",
** "not-started:1053", "decoy"; other text is refused), NULL when that start
** did not happen; service_image: the program Windows would have started
** after the fix (emu/scm_search.h), redacted like every ImagePath. */
struct store_scenario {
    const char *name, *source_file, *summary, *verdict, *error_text,
               *image_path_before, *image_path_after, *type_before, *type_after,
               *fix_action, *fix_message, *shape_before;
    const char *service_before, *service_after, *service_restored, *service_image;
    struct store_probe before, after;
    const struct store_check *checks;
    size_t nchecks;
    double elapsed_ms;
};

/* Buffers scenario number seq of the run (with its checks); the buffer goes
** to the file every STORE_BATCH scenarios and at store_end_run.  When that
** write fails the scenarios stay buffered and the next write retries them. */
int store_add_scenario(struct store *, long long run_id, int seq, const struct store_scenario *);

/* Records that scenario number SEQ of the run, NAME from SOURCE_FILE, was
** not run, and why (its @skip reason).  Written at once, not buffered. */
int store_add_skipped(struct store *, long long run_id, int seq, const char *name,
                      const char *source_file, const char *reason);

/* Writes the buffered scenarios to the file now (a worker of `run --jobs`,
** whose parent ends the run). */
int store_flush(struct store *);

/* What the admin's remediation did in scenario SEQ (schema step 5). */
struct store_remedy {
    const char *scenario;
    const char *ended;          /* "exit 0", "timed out after 30 s", ... */
    long after_code;            /* the probe after it */
    const char *image_path_after;  /* redacted; NULL when there was no value */
    long fix_after_code;        /* the probe after the KB fix, same scenario */
    const char *failed_checks;  /* "type-unchanged same-file", or NULL */
    const char *wrote_outside;  /* registry keys written outside the service key, or NULL */
    const char *verdict;        /* "same", "better", "worse", "broken" */
};

int store_add_remedy(struct store *, long long run_id, int seq, const struct store_remedy *);

/* Writes the buffered scenarios and stamps the run's end time and counts,
** in one transaction. */
int store_end_run(struct store *, long long run_id, int passed, int failed, int errors);

/* The open connection, for reports. */
sqlite3 *store_db(struct store *);

/* Scenarios buffered before a write to the file. */
#define STORE_BATCH 64

#endif
