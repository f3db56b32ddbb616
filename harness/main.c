/*
** main.c - entry point of kmharness.exe.so, the winelib program that the
** launcher (harness/kmharness.sh) starts inside the private Wine prefix.
**
** It only converts the UTF-16 command line to UTF-8 and dispatches to the
** subcommand in harness/cmd_NAME.c; shared option helpers live here too.
*/
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "builtin.h"
#include "fix.h"
#include "keep.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *what;
} commands[] = {
    { "run",    cmd_run,    "run scenarios: set up, probe, fix, probe again, record" },
    { "report", cmd_report, "print the results table of a recorded run" },
    { "probe",  cmd_probe,  "show what Update.exe would show for the prefix's registry now" },
    { "fix",    cmd_fix,    "apply the Q235418 fix to the prefix's registry (--dry-run, --rollback)" },
};

static int print_help(FILE *out)
{
    fprintf(out, "usage: kmharness COMMAND [options]\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-7s %s\n", commands[i].name, commands[i].what);
    fprintf(out, "\nAll commands accept --prefix DIR (default: the harness's private prefix).\n");
    return out == stdout ? 0 : 2;
}

int opt_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t n = strlen(name);
    const char *arg = argv[*i];
    if (strncmp(arg, name, n) != 0)
        return 0;
    if (arg[n] == '=') {
        *value = arg + n + 1;
        return 1;
    }
    if (arg[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "kmharness: %s needs a value\n", name);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

int usage_error(const char *cmd, const char *usage, const char *message)
{
    fprintf(stderr, "kmharness %s: %s\nusage: kmharness %s %s\n", cmd, message, cmd, usage);
    return 2;
}

const char *harness_home(void)
{
    const char *home = getenv("KMHARNESS_HOME");
    return home && *home ? home : ".";
}

static char *utf8_from_wide(const WCHAR *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s = malloc(n > 0 ? n : 1);
    if (!s) {
        fputs("kmharness: out of memory\n", stderr);
        exit(2);
    }
    if (n <= 0 || !WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL))
        s[0] = '\0';
    return s;
}

int wmain(int argc, WCHAR **wargv)
{
    char **argv = calloc(argc + 1, sizeof *argv);
    if (!argv)
        return 2;
    for (int i = 0; i < argc; i++)
        argv[i] = utf8_from_wide(wargv[i]);
    /* Our output is UTF-8 bytes for Unix terminals and pipes, unbuffered
    ** on stderr so errors and progress interleave correctly. */
    setvbuf(stderr, NULL, _IONBF, 0);

    if (argc < 2)
        return print_help(stderr);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
        return print_help(stdout);
    if (!strcmp(argv[1], "--version")) {
        printf("kmharness %s\n", KMH_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "boot"))  /* the launcher's own, not in the help */
        return cmd_boot(argc - 1, argv + 1);
    /* Whatever the command: copies of passwords that killed processes left
    ** in the keep folder go now, not at the next run. */
    keep_sweep(FIX_KEEP_STEM);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "kmharness: unknown command '%s'\n", argv[1]);
    return print_help(stderr);
}
