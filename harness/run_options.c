/*
** run_options.c - parsing `kmharness run`'s command line (run_options.h).
** The scenario files come from harness/scenario_list.c; the bundled
** catalog is $KMHARNESS_HOME/../scenarios.
*/
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "builtin.h"
#include "generate.h"
#include "help.h"
#include "run_jobs.h"
#include "run_options.h"
#include "remedy_rules.h"

/* A count or seed: decimal digits only, at most MAX. */
static int parse_number(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    *out = strtoull(s, &end, 10);
    return *end || errno || *out > max ? -1 : 0;
}

/* Is NAME one of the run's generated scenarios (gen-SEED-INDEX)? */
static int generated_name_taken(const char *name, void *arg)
{
    const struct run_options *o = arg;
    unsigned long long index;
    char expected[64];
    int len = 0;

    if (sscanf(name, "gen-%*u-%llu%n", &index, &len) != 1 || name[len] != '\0'
        || index == 0 || index > o->generate)
        return 0;
    generate_name(o->seed, index, expected, sizeof expected);
    return strcmp(name, expected) == 0;
}

/* "K/N" with 1 <= K <= N <= 1000000. */
static int parse_shard(const char *s, struct run_options *o)
{
    const char *slash = strchr(s, '/');
    char k[32];
    if (!slash || (size_t)(slash - s) >= sizeof k)
        return -1;
    memcpy(k, s, (size_t)(slash - s));
    k[slash - s] = '\0';
    if (parse_number(k, 1000000, &o->shard_k) || parse_number(slash + 1, 1000000, &o->shard_n))
        return -1;
    return o->shard_k >= 1 && o->shard_k <= o->shard_n ? 0 : -1;
}

int run_options_in_shard(const struct run_options *o, unsigned long long index)
{
    return index % o->shard_n == o->shard_k - 1;
}

static int readable(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

static int usage(const char *message)
{
    return usage_error("run", help_synopsis("run"), message);
}

int run_options_parse(int argc, char **argv, struct run_options *o)
{
    const char *generate = NULL, *seed = NULL, *windows = NULL, *shard = NULL, *jobs = NULL,
               *timeout = NULL;
    memset(o, 0, sizeof *o);
    o->shard_k = o->shard_n = 1;
    o->db = "kmharness.db";
    o->seed = 1;
    o->era = ERA_DEFAULT;
    o->remedy_timeout = 30;
    char err[4200];
    for (int i = 1; i < argc; i++) {
        const char *ignored;
        int r;
        if ((r = opt_value(argc, argv, &i, "--db", &o->db)) ||
            (r = opt_value(argc, argv, &i, "--prefix", &ignored)) ||
            (r = opt_value(argc, argv, &i, "--generate", &generate)) ||
            (r = opt_value(argc, argv, &i, "--seed", &seed)) ||
            (r = opt_value(argc, argv, &i, "--save-failures", &o->save_dir)) ||
            (r = opt_value(argc, argv, &i, "--emit", &o->emit_dir)) ||
            (r = opt_value(argc, argv, &i, "--windows", &windows)) ||
            (r = opt_value(argc, argv, &i, "--baseline", &o->baseline)) ||
            (r = opt_value(argc, argv, &i, "--shard", &shard)) ||
            (r = opt_value(argc, argv, &i, "--jobs", &jobs)) ||
            (r = opt_value(argc, argv, &i, "--remedy", &o->remedy)) ||
            (r = opt_value(argc, argv, &i, "--remedy-timeout", &timeout))) {
            if (r < 0)
                return usage("missing option value");
            continue;
        }
        if ((r = output_option("run", argc, argv, &i, &o->out)) != 0) {
            if (r < 0)
                return 2;
            continue;
        }
        if (!strcmp(argv[i], "--reset-prefix")) {
            o->reset_prefix = 1;
            continue;
        }
        if (!strcmp(argv[i], "--service")) {
            o->service = 1;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] == '-')
            return usage("unknown option");
        if (scenario_list_add(&o->paths, argv[i], err, sizeof err))
            return usage(err);
    }
    if (shard && parse_shard(shard, o))
        return usage("--shard takes K/N, 1 <= K <= N <= 1000000");
    if (o->baseline && !readable(o->baseline))
        return usage("--baseline: no such database");
    if (windows && era_parse(windows, &o->era))
        return usage("--windows must be nt4, 2000 or xp");
    /* The bound keeps every count inside the progress counter (an int). */
    if (generate && parse_number(generate, 100000000ull, &o->generate))
        return usage("--generate needs a count from 0 to 100000000");
    if (seed && parse_number(seed, UINT64_MAX, &o->seed))
        return usage("--seed needs a decimal number");
    if (!generate && (seed || o->save_dir || o->emit_dir))
        return usage("--seed, --save-failures and --emit need --generate");
    if (o->save_dir && o->emit_dir)
        return usage("--save-failures and --emit exclude each other");
    if (run_jobs_option(jobs, o->emit_dir != NULL, &o->jobs, err, sizeof err))
        return usage(err);
    unsigned long long seconds;
    if (timeout && (parse_number(timeout, 3600, &seconds) || seconds == 0))
        return usage("--remedy-timeout needs a number of seconds from 1 to 3600");
    if (timeout)
        o->remedy_timeout = (unsigned)seconds;
    if (timeout && !o->remedy)
        return usage("--remedy-timeout needs --remedy");
    if (o->remedy && o->emit_dir)
        return usage("--remedy and --emit exclude each other");
    if (o->remedy && remedy_kind_of(o->remedy) == REMEDY_UNKNOWN)
        return usage("--remedy takes a .reg, .cmd, .bat, .vbs, .js or .exe file");
    if (o->remedy && o->jobs > 1)
        return usage("--remedy runs in one sandboxed session: it excludes --jobs above 1");
    if (!o->paths.n && !generate) {
        /* The launcher says where the bundled catalog is (a checkout or an
        ** installed tree). */
        const char *bundled = getenv("KMHARNESS_SCENARIOS");
        char dir[4096];
        if (bundled && *bundled)
            snprintf(dir, sizeof dir, "%s", bundled);
        else
            snprintf(dir, sizeof dir, "%s/../scenarios", harness_home());
        if (scenario_list_add(&o->paths, dir, err, sizeof err))
            return usage(err);
    }
    if (scenario_list_check_names(&o->paths, generated_name_taken, o, err, sizeof err))
        return usage(err);
    return 0;
}

void run_options_free(struct run_options *o)
{
    scenario_list_free(&o->paths);
}
