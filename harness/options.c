/*
** options.c - the option helpers every subcommand shares (declared in
** builtin.h): NAME VALUE / NAME=VALUE options, the usage-error message,
** and where the harness is installed.
**
** Pure C: linked into the winelib program (harness/main.c) and into the
** native one (harness/native_main.c) alike.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "builtin.h"

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
    fprintf(stderr, "kmharness %s: %s\nusage: kmharness %s %s\n"
            "(kmharness %s --help says more)\n", cmd, message, cmd, usage, cmd);
    return 2;
}

const char *harness_home(void)
{
    const char *home = getenv("KMHARNESS_HOME");
    return home && *home ? home : ".";
}
