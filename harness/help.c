/*
** help.c - `kmharness --help` and `kmharness COMMAND --help`: the one
** place that says, for every command, what it does, its options and what
** each exit status means.
**
** The native program (harness/native_main.c) prints these without starting
** Wine; the man page (docs/kmharness.1) is checked against them by
** tests/integration/test_cli.c, so the two cannot drift apart.  Each
** command's usage-error line (cmd_*.c) must be its SYNOPSIS here: the
** same test holds them together.
**
** Pure C, no Win32.
*/
#include <stdio.h>
#include <string.h>
#include "help.h"

/* The output options run and report share (harness/output.h). */
#define OUTPUT_SYNOPSIS "[--format table|tap|json] [--junit FILE] [--failures-only | --all | --quiet]"
#define OUTPUT_OPTIONS \
    "  --format table|tap|json  standard output as the table (default), TAP\n" \
    "                        (version 13) or JSON lines; --tap is --format tap\n" \
    "  --junit FILE          also write the run as JUnit XML to FILE\n" \
    "  --failures-only       the table's failing rows only (automatic over 100\n" \
    "                        scenarios); --all every row; --quiet the summary only\n"

struct command_help {
    const char *name, *synopsis, *what, *details;
};

static const struct command_help commands[] = {
    { "run",
      "[--db FILE] [--prefix DIR] [--windows nt4|2000|xp] [--reset-prefix] [--baseline FILE] [--shard K/N] "
      "[--jobs N] [--service] "
      "[--remedy FILE [--remedy-timeout S]] "
      "[--generate N [--seed S] [--save-failures DIR | --emit DIR]] "
      OUTPUT_SYNOPSIS " [PATH...]",
      "run scenarios: set up, probe, fix, probe again, record",
      "Runs each scenario file (PATH: a NAME.reg file, or a folder walked for them,\n"
      "any case of .reg, byte order of their paths), then N generated scenarios\n"
      "gen-S-000001... (seed S, default 1); no PATH and no --generate: the bundled\n"
      "scenarios.  Appends the run to the database and prints its results table,\n"
      "whose last line is \"N passed, N failed\" (\", N errors\" for input errors).\n"
      "\n"
      "  --db FILE             the SQLite database (default: kmharness.db here)\n"
      "  --prefix DIR          the Wine prefix (default: the harness's own)\n"
      "  --windows nt4|2000|xp the era profile of the emulated version API\n"
      "                        (default xp; emu/era.h)\n"
      "  --reset-prefix        delete an MSExchangeKMS key kmharness did not create\n"
      "                        (refused otherwise: the prefix holds someone's state)\n"
      "  --service             also start the KM service through Wine's service\n"
      "                        manager before the fix, after it and after the\n"
      "                        rollback, as Windows would at the next boot;\n"
      "                        record running, stopped:N, not-started:CODE or\n"
      "                        decoy (@expect-service-* are checked only then)\n"
      "  --remedy FILE         run your own remediation (.reg, .cmd, .bat, .vbs, .js,\n"
      "                        .exe) in each scenario too, in a sandbox, and compare\n"
      "                        it with the KB fix: same, better, worse or broken;\n"
      "                        exit 1 on any worse or broken\n"
      "  --remedy-timeout S    end a remediation still running after S seconds\n"
      "                        (default 30)\n"
      "  --generate N          N generated scenarios after the PATHs\n"
      "  --seed S              the generator's seed (default 1)\n"
      "  --save-failures DIR   write each generated scenario that did not pass as\n"
      "                        DIR/NAME.reg\n"
      "  --emit DIR            write the N generated scenarios to DIR, run nothing\n"
      "  --shard K/N           run the K-th of N disjoint parts of the scenarios:\n"
      "                        every N-th from the K-th, files then generated ones\n"
      "                        (for a CI matrix; `kmharness merge` joins them)\n"
      "  --baseline FILE       compare with the latest run in FILE (a database\n"
      "                        kept from a good run): list what changed, and fail\n"
      "                        on regressions only\n"
      "  --jobs N              N worker processes, each in its own prefix (PREFIX,\n"
      "                        then PREFIX-job1...), recorded as one run, same\n"
      "                        table; default 1\n"
      OUTPUT_OPTIONS
      "\n"
      "Exit status: 0 every scenario passed; 1 a scenario failed (with --baseline:\n"
      "a scenario that passed in the baseline did not; with --remedy: a\n"
      "remediation was worse or broken in one); 2 usage error\n"
      "(also: a folder PATH holding no scenario, two scenarios with one NAME, a\n"
      "database that cannot be written, a prefix refused), or a scenario could not\n"
      "be read (the others still ran and were recorded).\n" },
    { "report",
      "[--db FILE] [--run ID | --diff A B] [--by-shape] " OUTPUT_SYNOPSIS,
      "print the results table of a recorded run (no Wine needed)",
      "Prints one run (default: the latest) from the database as the table `run`\n"
      "prints, or with --by-shape its findings grouped by the shape of ImagePath.\n"
      "\n"
      "  --db FILE             the SQLite database (default: kmharness.db here)\n"
      "  --run ID              the run to print (default: the latest)\n"
      "  --by-shape            the findings by ImagePath shape instead of the table\n"
      "  --diff A B            the scenarios whose verdict, probe codes or failed\n"
      "                        checks changed from run A to run B (matched by NAME);\n"
      "                        each is ID (a run in --db), FILE (its latest run) or\n"
      "                        FILE:ID\n"
      OUTPUT_OPTIONS
      "\n"
      "Exit status: 0 a finished run was printed (--diff: no regression); 1 --diff:\n"
      "a scenario that passed in A did not in B; 2 usage error, or no such\n"
      "database or run; 3 the run never finished (killed, or still running: only\n"
      "its scenarios recorded so far are shown, the summary line says so).\n" },
    { "merge",
      "[--combine] OUT.db IN.db...",
      "merge shard databases into one (no Wine needed)",
      "Copies the runs of each IN.db (a kmharness database, e.g. one per shard of\n"
      "a CI matrix) into OUT.db, created when missing.  Every run keeps its\n"
      "identity: merging a file twice copies nothing the second time.  With\n"
      "--combine the input runs become one new run instead, its scenarios in input\n"
      "order, so `report` shows them as one table and --diff or --baseline compare\n"
      "it like any run (each --combine makes a new run: combine once, into a fresh\n"
      "file).  Every input is checked before anything is written.\n"
      "\n"
      "Exit status: 0 merged; 2 usage error, or an input or OUT.db cannot be\n"
      "used.\n" },
    { "probe",
      "[--prefix DIR] [--windows nt4|2000|xp]",
      "show what Update.exe would show for the prefix's registry now",
      "Runs Update.exe's version probe once against the prefix's registry as it is\n"
      "now and prints the (redacted) ImagePath, the message Update.exe would show,\n"
      "and the outcome: 0 and the version, a Win32 error code and its name, or -1\n"
      "when the KM server is not installed, with the era rule that gave it.\n"
      "\n"
      "  --prefix DIR          the Wine prefix (default: the harness's own)\n"
      "  --windows nt4|2000|xp the era profile of the emulated version API\n"
      "                        (default xp)\n"
      "\n"
      "Exit status: 0 the version was found; 1 Update.exe would show an error (the\n"
      "\"outcome:\" line has its Win32 code, or none on Windows 2000); 2 usage\n"
      "error or prefix refused; 3 the KM server is not installed (no MSExchangeKMS\n"
      "service key).\n" },
    { "fix",
      "[--dry-run | --rollback | --list-kept | --discard ID] [--prefix DIR]",
      "apply the Q235418 fix to the prefix's registry (--dry-run, --rollback)",
      "Removes what follows the path to Kmserver.exe from ImagePath, keeping the\n"
      "original value first (in the prefix's kmharness-keep folder, mode 0700).\n"
      "\n"
      "  --dry-run             say what would change, change nothing\n"
      "  --rollback            restore the kept original byte for byte\n"
      "  --list-kept           list the kept originals (ImagePath redacted), newest\n"
      "                        first\n"
      "  --discard ID          remove the kept original ID (as --list-kept names it)\n"
      "  --prefix DIR          the Wine prefix (default: the harness's own)\n"
      "\n"
      "Exit status: 0 fixed, already clean, would change (--dry-run), rolled back,\n"
      "listed or discarded; 1 nothing could be done (the message says why); 2 usage\n"
      "error or prefix refused.\n" },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const struct command_help *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

const char *help_synopsis(const char *name)
{
    const struct command_help *c = find(name);
    return c ? c->synopsis : NULL;
}

void help_overview(FILE *out)
{
    fprintf(out, "usage: kmharness COMMAND [options]\n\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-7s %s\n", commands[i].name, commands[i].what);
    fprintf(out, "\n`kmharness COMMAND --help` describes one command; `man kmharness` all.\n"
                 "Exit status of every command: 0 success; 1 what was tested is wrong (a\n"
                 "scenario failed); 2 usage error or unusable input; more in each --help.\n");
}

int help_command(const char *name, FILE *out)
{
    const struct command_help *c = find(name);
    if (!c)
        return -1;
    fprintf(out, "usage: kmharness %s %s\n\n%s", c->name, c->synopsis, c->details);
    return 0;
}
