/*
** help.h - the help text of every command (harness/help.c).  Pure.
*/
#ifndef KMH_HELP_H
#define KMH_HELP_H

#include <stdio.h>

/* "usage: kmharness COMMAND [options]", the commands and the exit codes
** every command shares. */
void help_overview(FILE *out);

/* The help of command NAME: its usage line, what it does, its options and
** its exit status.  -1 when there is no such command. */
int help_command(const char *name, FILE *out);

/* The options part of NAME's usage line; NULL for no such command. */
const char *help_synopsis(const char *name);

#endif
