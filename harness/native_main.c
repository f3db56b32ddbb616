/*
** native_main.c - build/kmharness-native, the commands that need no Wine.
**
** The launcher (harness/kmharness.sh) sends here, before it creates or
** starts any Wine prefix:
**   - `--help`, `help`, `--version` and `COMMAND --help` (harness/help.c);
**   - `report` and `merge`, which only read and write SQLite files (db/);
**   - `check-run run ARGS...`: the run's command line checked as the
**     winelib harness will parse it (harness/run_options.c), and its
**     database opened (created when missing), so a usage error, a folder
**     without scenarios or a database that cannot be written is refused
**     at once, with its reason, and no prefix is made;
**   - `run-jobs run ARGS...`: the parent of `run --jobs N` (N > 1), which
**     starts the launcher N times as its workers (harness/run_jobs.h).
** It is a plain Linux program: db/ and the pure files are plain C.
*/
#include <stdio.h>
#include <string.h>
#include "builtin.h"
#include "help.h"
#include "run_jobs.h"
#include "run_options.h"
#include "store.h"

static int check_run(int argc, char **argv)
{
    struct run_options opt;
    struct store *db;
    char err[1024];
    int status = run_options_parse(argc, argv, &opt);

    if (status == 0 && !opt.emit_dir) {
        if (store_open(opt.db, &db, err, sizeof err)) {
            fprintf(stderr, "kmharness run: %s\n", err); /* err names the file */
            status = 2;
        } else {
            store_close(db);
        }
    }
    run_options_free(&opt);
    return status;
}

/* `COMMAND ... --help ...`: the help of COMMAND, whatever else is there. */
static int asks_for_help(int argc, char **argv)
{
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (!cmd) {
        help_overview(stderr);
        return 2;
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        if (argc > 2 && strcmp(cmd, "help") == 0)
            return help_command(argv[2], stdout) ? (help_overview(stderr), 2) : 0;
        help_overview(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("kmharness %s\n", KMH_VERSION);
        return 0;
    }
    if (help_synopsis(cmd) && asks_for_help(argc, argv))
        return help_command(cmd, stdout) ? 2 : 0;
    if (!strcmp(cmd, "report"))
        return cmd_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "merge"))
        return cmd_merge(argc - 1, argv + 1);
    if (!strcmp(cmd, "check-run") && argc > 2 && !strcmp(argv[2], "run"))
        return check_run(argc - 2, argv + 2);
    if (!strcmp(cmd, "run-jobs") && argc > 2 && !strcmp(argv[2], "run"))
        return run_jobs(argc - 2, argv + 2);
    fprintf(stderr, "kmharness: unknown command '%s'\n", cmd);
    help_overview(stderr);
    return 2;
}
