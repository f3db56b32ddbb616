/*
** main.c - entry point of kmharness.exe.so, the winelib program that the
** launcher (harness/kmharness.sh) starts inside the private Wine prefix.
**
** It only converts the UTF-16 command line to UTF-8 and dispatches to the
** subcommands that need Wine (harness/cmd_NAME.c); the option helpers are
** in harness/options.c, the help in harness/help.c, and the commands that
** need no Wine in the native program (harness/native_main.c).
*/
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "builtin.h"
#include "fix.h"
#include "keep.h"
#include "help.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
} commands[] = {
    { "run",    cmd_run },
    { "probe",  cmd_probe },
    { "fix",    cmd_fix },
};

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

    /* The launcher sends help, report and merge to the native program;
    ** this answers the same when started some other way. */
    if (argc < 2) {
        help_overview(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "boot"))  /* the launcher's own, not in the help */
        return cmd_boot(argc - 1, argv + 1);
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help"))
            return help_command(argv[1], stdout) ? (help_overview(stdout), 0) : 0;
    /* Whatever the command: copies of passwords that killed processes left
    ** in the keep folder go now, not at the next run. */
    keep_sweep(FIX_KEEP_STEM);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "kmharness: unknown command '%s'\n", argv[1]);
    help_overview(stderr);
    return 2;
}
