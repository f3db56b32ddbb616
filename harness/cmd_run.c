/*
** cmd_run.c - `kmharness run [--db FILE] [--prefix DIR] [--generate N
** [--seed S] [--save-failures DIR | --emit DIR]] [PATH...]`.
**
** Takes the command line as harness/run_options.c parses it (the launcher
** had the native program check it first, before Wine; the scenario files
** come from harness/scenario_list.c), opens the database, runs every scenario in this one
** Wine process (harness/runner.c), then the N generated ones (harness/
** generate.c: gen-S-000001 ... in order, each the text of a .reg file run
** through the same path as a file), and prints the run's results table
** (db/report.c), whose last line is the `N passed, N failed` summary of the
** contract.  --save-failures writes each generated scenario that did not
** pass as DIR/NAME.reg, byte for byte the text that ran, so it reproduces
** as a plain file; --emit writes all N to DIR and runs nothing.
** --windows picks the era profile of the emulated version API (emu/era.h),
** recorded with the run.  Under `run --jobs N` this process is one of the
** N workers (harness/run_jobs.h): it runs its share of the scenarios into
** the run its parent began, prints nothing, and the parent ends the run.
** Exit status: 0 all passed, 1 a scenario failed, 2 usage or input error.
*/
#include <windows.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "builtin.h"
#include "generate.h"
#include "kmserver.h"
#include "keep.h"
#include "run_jobs.h"
#include "runner.h"
#include "service.h"
#include "remedy.h"
#include "regwatch.h"
#include "report.h"
#include "run_options.h"
#include "store.h"
#include "era.h"

static const char *wine_version(void)
{
    const char *(CDECL *get)(void) = (void *)GetProcAddress(GetModuleHandleA("ntdll.dll"),
                                                            "wine_get_version");
    return get ? get() : "unknown";
}

/* Progress on stderr: a line redrawn in place on a terminal; elsewhere (CI
** logs) a plain line every PROGRESS_EVERY_MS, so long runs still show life
** without flooding short ones. */
#define PROGRESS_EVERY_MS 10000

static void progress(int done, int total, const char *path)
{
    static int tty = -1;
    static DWORD last;
    if (tty < 0) {
        tty = isatty(2);
        last = GetTickCount();
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (tty) {
        fprintf(stderr, "\r\033[K[%d/%d] %.60s", done, total, base);
        if (done == total)
            fprintf(stderr, "\r\033[K");
    } else if (done < total && GetTickCount() - last >= PROGRESS_EVERY_MS) {
        last = GetTickCount();
        fprintf(stderr, "kmharness: %d of %d scenarios done\n", done, total);
    }
}

/* Write LEN bytes of TEXT to DIR/NAME.reg (DIR created when missing).
** Returns 0, or -1 after saying why on stderr. */
static int write_scenario(const char *dir, const char *name, const uint8_t *text, size_t len)
{
    char path[4096];
    if (mkdir(dir, 0777) && errno != EEXIST) {
        fprintf(stderr, "kmharness run: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s/%s.reg", dir, name);
    /* Never through a symlink planted at the name: it could point anywhere. */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f && fd >= 0)
        close(fd);
    int ok = f && fwrite(text, 1, len, f) == len;
    if (f && fclose(f))
        ok = 0;
    if (!ok)
        fprintf(stderr, "kmharness run: cannot write %s: %s\n", path, strerror(errno));
    return ok ? 0 : -1;
}

/* --emit: the N generated scenario files, nothing run.  Exit status. */
static int emit_generated(const struct run_options *o)
{
    for (unsigned long long i = 1; i <= o->generate; i++) {
        char name[64];
        uint8_t *text;
        size_t len;
        generate_name(o->seed, i, name, sizeof name);
        if (generate_scenario(o->seed, i, &text, &len)) {
            fprintf(stderr, "kmharness run: out of memory\n");
            return 2;
        }
        int rc = write_scenario(o->emit_dir, name, text, len);
        free(text);
        if (rc)
            return 2;
    }
    return 0;
}

/* Run generated scenario INDEX, called NAME; save its text when it did
** not pass. */
static void run_generated(struct runner *r, const struct run_options *o, unsigned long long index,
                          const char *name)
{
    char source[96];
    uint8_t *text;
    size_t len;
    snprintf(source, sizeof source, "generated:%s.reg", name);
    if (generate_scenario(o->seed, index, &text, &len)) {
        r->seq++;
        r->errors++;
        fprintf(stderr, "kmharness run: %s: out of memory\n", source);
        return;
    }
    enum verdict v = runner_scenario_text(r, name, source, text, len);
    if (v != VERDICT_PASS && o->save_dir)
        write_scenario(o->save_dir, name, text, len);
    free(text);
}

/* Is the scenario at place INDEX among those the run (or its --shard)
** selects worker W's?  Every one when W is NULL (one process).  Each is
** recorded under the seq it has in a one-process run: runner_scenario*()
** counts R->seq up first. */
static int take(struct runner *r, const struct run_worker *w, unsigned long long index)
{
    if (w && !run_worker_takes(w, index))
        return 0;
    r->seq = (int)index;
    return 1;
}

int cmd_run(int argc, char **argv)
{
    struct run_options opt;
    struct run_worker worker, *w = NULL;
    if (run_options_parse(argc, argv, &opt))
        return 2;
    if (opt.emit_dir)
        return emit_generated(&opt);
    switch (run_worker_get(&worker)) {
    case 1: w = &worker; break;  /* one of `run --jobs N`'s workers (run_jobs.h) */
    case -1:
        fprintf(stderr, "kmharness run: KMHARNESS_WORKER is not RUN K N\n");
        return 2;
    }
    const char *db_path = opt.db;

    struct store *db;
    char err[512], keep_dir[4096], host[256] = "unknown";
    if (store_open(db_path, &db, err, sizeof err)) {
        fprintf(stderr, "kmharness run: %s\n", err); /* err names the file */
        return 2;
    }
    /* The fix keeps each original ImagePath (a password!) in a folder only
    ** we can read; the run's scenarios roll back and so remove their files,
    ** and the folder goes at the end. */
    if (keep_make_run_dir(keep_dir, sizeof keep_dir, err, sizeof err)) {
        fprintf(stderr, "kmharness run: %s\n", err);
        store_close(db);
        return 2;
    }
    keep_sync_to_disk(0);  /* the run folder goes when the run does (emu/keep.h) */
    if (runner_baseline(opt.reset_prefix, err, sizeof err)) {
        fprintf(stderr, "kmharness run: %s\n", err);
        rmdir(keep_dir);
        store_close(db);
        return 2;
    }
    static struct remedy remedy;  /* large: not on the stack */
    if (opt.remedy &&
        remedy_load(opt.remedy, opt.remedy_timeout, &remedy, err, sizeof err)) {
        fprintf(stderr, "kmharness run: %s\n", err);
        rmdir(keep_dir);
        store_close(db);
        return 2;
    }
    gethostname(host, sizeof host - 1);
    char *cmdline = run_command_line(argc, argv);
    struct store_run_info info = { KMH_VERSION, wine_version(), host, cmdline,
                                   era_name(opt.era), opt.remedy ? remedy.name : NULL,
                                   opt.remedy ? remedy.sha256 : NULL };
    if (opt.remedy)
        remedy_warm_up(&remedy);  /* before regwatch_open's snapshot */
    struct runner r = { .db = db, .keep_dir = keep_dir, .era = opt.era,
                        .remedy = opt.remedy ? &remedy : NULL,
                        .watch = opt.remedy ? regwatch_open() : NULL };
    if (opt.remedy && !r.watch) {
        fprintf(stderr, "kmharness run: out of memory\n");
        return 2;
    }
    if (opt.service && !(r.service = service_open(err, sizeof err))) {
        fprintf(stderr, "kmharness run: --service: %s\n", err);
        return 2;
    }
    if (w) {
        r.run_id = w->run_id;  /* the parent began it */
    } else if (store_begin_run(db, &info, &r.run_id)) {
        fprintf(stderr, "kmharness run: %s\n", store_error(db));
        return 2;
    }

    /* --shard: scenario INDEX (files, then generated) runs in one shard. */
    int total = 0, done = 0;
    unsigned long long place = 0;  /* among the scenarios this run (or shard) selects */
    for (unsigned long long i = 0; i < opt.paths.n + opt.generate; i++)
        total += run_options_in_shard(&opt, i);
    for (size_t i = 0; i < opt.paths.n; i++) {
        if (!run_options_in_shard(&opt, i) || !take(&r, w, place++))
            continue;
        if (!w)
            progress(done++, total, opt.paths.v[i].path);
        runner_scenario(&r, opt.paths.v[i].path);
    }
    for (unsigned long long i = 1; i <= opt.generate; i++) {
        char name[64];
        if (!run_options_in_shard(&opt, opt.paths.n + i - 1) || !take(&r, w, place++))
            continue;
        generate_name(opt.seed, i, name, sizeof name);
        if (!w)
            progress(done++, total, name);
        run_generated(&r, &opt, i, name);
    }
    if (!w)
        progress(total, total, "");
    if (opt.remedy)
        remedy_unload(&remedy);
    regwatch_close(r.watch);
    runner_end();
    service_close(r.service);
    kmserver_cache_release();
    rmdir(keep_dir);

    int status;
    if (w) {
        /* The parent ends the run and prints it; a row that did not reach
        ** the file is missing there, and the parent says so. */
        status = store_flush(db) ? (fprintf(stderr, "kmharness run: %s\n", store_error(db)), 2)
                 : r.errors ? 2 : r.failed ? 1 : 0;
    } else {
        status = run_finish(db, r.run_id, &opt, r.passed, r.failed, r.errors);
        if (status == 0 && r.remedy_worse_or_broken)
            status = 1;  /* --remedy: worse than the KB fix, or broken */
    }
    store_close(db);
    free(cmdline);
    run_options_free(&opt);
    return status;
}
