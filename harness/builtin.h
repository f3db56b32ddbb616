/*
** builtin.h - the subcommands of build/kmharness, one file each.
**
** harness/main.c is a thin dispatcher (like git's builtin/): it turns the
** Windows command line into UTF-8 argv and calls one of these. Each returns
** the process exit status: 0 success, 1 failure, 2 usage or input error.
*/
#ifndef KMH_BUILTIN_H
#define KMH_BUILTIN_H

int cmd_run(int argc, char **argv);     /* harness/cmd_run.c */
int cmd_report(int argc, char **argv);  /* harness/cmd_report.c */
int cmd_merge(int argc, char **argv);   /* harness/cmd_merge.c */
int cmd_probe(int argc, char **argv);   /* harness/cmd_probe.c */
int cmd_fix(int argc, char **argv);     /* harness/cmd_fix.c */
int cmd_boot(int argc, char **argv);    /* harness/cmd_boot.c (the launcher's) */

/* Option helpers shared by the subcommands (harness/main.c). */

/* If argv[*i] is NAME (then the value is argv[*i+1]) or NAME=VALUE, store the
** value in *value, advance *i past it and return 1. Returns -1 (after saying
** so on stderr) when the value is missing, 0 when argv[*i] is not NAME. */
int opt_value(int argc, char **argv, int *i, const char *name, const char **value);

/* Print "kmharness CMD: MESSAGE" and the usage line; returns 2. */
int usage_error(const char *cmd, const char *usage, const char *message);

/* The directory holding build/kmharness (set by the launcher), or ".". */
const char *harness_home(void);

#endif
