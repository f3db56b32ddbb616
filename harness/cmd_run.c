/*
** cmd_run.c - `kmharness run [--db FILE] [--prefix DIR] [PATH...]`.
**
** Collects the scenario files (a PATH is a file or a folder whose *.reg are
** taken in byte order of their names; no PATH: the bundled scenarios/),
** opens the database, runs every scenario in this one Wine process
** (harness/runner.c) and prints the run's results table (db/report.c), whose
** last line is the `N passed, N failed` summary of the contract.
** Exit status: 0 all passed, 1 a scenario failed, 2 usage or input error.
*/
#include <windows.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "builtin.h"
#include "kmserver.h"
#include "runner.h"
#include "report.h"
#include "store.h"

static const char usage[] = "[--db FILE] [--prefix DIR] [PATH...]";

struct path_list {
    char **v;
    size_t n, cap;
};

static int push(struct path_list *l, char *path)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = path;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_reg_name(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && !strcmp(name + n - 4, ".reg");
}

/* Add PATH, or every *.reg directly inside it when it is a folder. A path
** that cannot be read is still added: the runner reports it as an input
** error with the reason, and the rest of the run goes on. */
static int add_path(struct path_list *l, const char *path)
{
    struct stat st;
    if (stat(path, &st) || !S_ISDIR(st.st_mode))
        return push(l, strdup(path));
    DIR *d = opendir(path);
    if (!d)
        return push(l, strdup(path));
    size_t first = l->n;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!is_reg_name(e->d_name))
            continue;
        char *full = malloc(strlen(path) + strlen(e->d_name) + 2);
        if (!full)
            break;
        sprintf(full, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", e->d_name);
        push(l, full);
    }
    closedir(d);
    qsort(l->v + first, l->n - first, sizeof *l->v, by_name);
    return 0;
}

static const char *wine_version(void)
{
    const char *(CDECL *get)(void) = (void *)GetProcAddress(GetModuleHandleA("ntdll.dll"),
                                                            "wine_get_version");
    return get ? get() : "unknown";
}

static char *command_line(int argc, char **argv)
{
    size_t n = 16;
    for (int i = 0; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *s = calloc(1, n);
    if (!s)
        return NULL;
    strcpy(s, "kmharness");
    for (int i = 0; i < argc; i++)
        strcat(strcat(s, " "), argv[i]);
    return s;
}

/* The fix keeps each original ImagePath (a password!) in a folder only we
** can read; the run's scenarios roll back and so remove their files, and
** the folder goes at the end. */
static int make_keep_dir(char *dir, size_t n)
{
    const char *prefix = getenv("WINEPREFIX");
    snprintf(dir, n, "%s/kmharness-keep", prefix ? prefix : ".");
    mkdir(dir, 0700);
    snprintf(dir + strlen(dir), n - strlen(dir), "/run-%d", (int)getpid());
    if (mkdir(dir, 0700) && errno != EEXIST)
        return -1;
    return chmod(dir, 0700);
}

static void progress(int done, int total, const char *path)
{
    static int tty = -1;
    if (tty < 0)
        tty = isatty(2);
    if (!tty)
        return;
    const char *base = strrchr(path, '/');
    fprintf(stderr, "\r\033[K[%d/%d] %.60s", done, total, base ? base + 1 : path);
    if (done == total)
        fprintf(stderr, "\r\033[K");
}

static int parse_args(int argc, char **argv, const char **db, struct path_list *paths)
{
    for (int i = 1; i < argc; i++) {
        const char *ignored;
        int r;
        if ((r = opt_value(argc, argv, &i, "--db", db)) ||
            (r = opt_value(argc, argv, &i, "--prefix", &ignored))) {
            if (r < 0)
                return usage_error("run", usage, "missing option value");
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] == '-')
            return usage_error("run", usage, "unknown option");
        add_path(paths, argv[i]);
    }
    if (!paths->n) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/../scenarios", harness_home());
        add_path(paths, dir);
    }
    return 0;
}

int cmd_run(int argc, char **argv)
{
    const char *db_path = "kmharness.db";
    struct path_list paths = { 0 };
    if (parse_args(argc, argv, &db_path, &paths))
        return 2;

    struct store *db;
    char err[512], keep_dir[4096], host[256] = "unknown";
    if (store_open(db_path, &db, err, sizeof err)) {
        fprintf(stderr, "kmharness run: %s: %s\n", db_path, err);
        return 2;
    }
    if (make_keep_dir(keep_dir, sizeof keep_dir)) {
        fprintf(stderr, "kmharness run: cannot create private folder %s\n", keep_dir);
        return 2;
    }
    gethostname(host, sizeof host - 1);
    char *cmdline = command_line(argc, argv);
    struct store_run_info info = { KMH_VERSION, wine_version(), host, cmdline };
    struct runner r = { .db = db, .keep_dir = keep_dir };
    if (store_begin_run(db, &info, &r.run_id)) {
        fprintf(stderr, "kmharness run: %s\n", store_error(db));
        return 2;
    }

    runner_baseline();
    for (size_t i = 0; i < paths.n; i++) {
        progress((int)i, (int)paths.n, paths.v[i]);
        runner_scenario(&r, paths.v[i]);
    }
    progress((int)paths.n, (int)paths.n, "");
    kmserver_cache_release();
    rmdir(keep_dir);

    int status = store_end_run(db, r.run_id, r.passed, r.failed, r.errors);
    if (status)
        fprintf(stderr, "kmharness run: %s\n", store_error(db));
    else
        status = report_print(db, r.run_id, stdout);
    store_close(db);
    free(cmdline);
    if (status)
        return 2;
    return r.errors ? 2 : r.failed ? 1 : 0;
}
