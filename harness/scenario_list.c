/*
** scenario_list.c - the scenario files a run takes from its PATHs: walking
** folders, ordering, naming, refusing what cannot be right.  The rules are
** in scenario_list.h; harness/cmd_run.c is the caller.
*/
#include "grow.h"
#include "scenario_list.h"
#include "scenario.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Deeper than any catalog; stops a pathological tree (bind mounts) early. */
#define MAX_DEPTH 32

static int push(struct scenario_list *l, char *path)
{
    char name[4096];

    if (path == NULL)
        return -1;
    struct scenario_file *v = grow_for(l->v, &l->cap, l->n, sizeof *v, 64);

    if (v == NULL) {
        free(path);
        return -1;
    }
    l->v = v;
    scenario_name_of(path, name, sizeof name);
    l->v[l->n].path = path;
    l->v[l->n].name = strdup(name);
    if (l->v[l->n].name == NULL) {
        free(path);
        return -1;
    }
    l->n++;
    return 0;
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    char *full = malloc(n + strlen(name) + 2);

    if (full != NULL)
        sprintf(full, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
    return full;
}

static int fail(char *err, size_t errlen, const char *path, const char *what)
{
    snprintf(err, errlen, "%s: %s", path, what);
    return -1;
}

/* Adds the scenario files below folder DIR, depth folders deep. */
static int walk(struct scenario_list *l, const char *dir, int depth, char *err, size_t errlen)
{
    DIR *d;
    struct dirent *e;
    int rc = 0;

    if (depth > MAX_DEPTH)
        return fail(err, errlen, dir, "folders nested too deep");
    d = opendir(dir);
    if (d == NULL)
        return fail(err, errlen, dir, strerror(errno));
    while (rc == 0 && (e = readdir(d)) != NULL) {
        struct stat link, st;
        char *full;

        if (e->d_name[0] == '.')
            continue;
        full = join(dir, e->d_name);
        if (full == NULL) {
            rc = -1;
            break;
        }
        if (lstat(full, &link) == 0 && stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (!S_ISLNK(link.st_mode))
                rc = walk(l, full, depth + 1, err, errlen);
            free(full);
        } else if (scenario_is_file_name(e->d_name)) {
            /* A regular file, or one that cannot be read (a dangling
            ** link, a FIFO): kept, so the runner says what is wrong. */
            rc = push(l, full);
        } else {
            free(full);
        }
    }
    closedir(d);
    if (rc != 0 && err[0] == '\0')
        fail(err, errlen, dir, "out of memory");
    return rc;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const struct scenario_file *)a)->path,
                  ((const struct scenario_file *)b)->path);
}

static void drop_from(struct scenario_list *l, size_t first)
{
    while (l->n > first) {
        l->n--;
        free(l->v[l->n].path);
        free(l->v[l->n].name);
    }
}

int scenario_list_add(struct scenario_list *l, const char *path, char *err, size_t errlen)
{
    struct stat st;
    size_t first = l->n;

    err[0] = '\0';
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return push(l, strdup(path)) == 0 ? 0 : fail(err, errlen, path, "out of memory");
    if (walk(l, path, 0, err, errlen) != 0) {
        drop_from(l, first);
        return -1;
    }
    if (l->n == first)
        return fail(err, errlen, path, "no scenario files (NAME.reg) in this folder or below");
    qsort(l->v + first, l->n - first, sizeof *l->v, by_path);
    return 0;
}

static int by_name_then_index(const void *a, const void *b)
{
    const struct scenario_file *const *x = a, *const *y = b;
    int c = strcmp((*x)->name, (*y)->name);

    return c ? c : (*x > *y) - (*x < *y);
}

int scenario_list_check_names(const struct scenario_list *l,
                              int (*taken)(const char *name, void *arg), void *arg,
                              char *err, size_t errlen)
{
    const struct scenario_file **sorted = malloc((l->n ? l->n : 1) * sizeof *sorted);
    int rc = 0;

    if (sorted == NULL)
        return fail(err, errlen, "scenarios", "out of memory");
    for (size_t i = 0; i < l->n; i++)
        sorted[i] = &l->v[i];
    qsort(sorted, l->n, sizeof *sorted, by_name_then_index);
    for (size_t i = 0; rc == 0 && i < l->n; i++) {
        if (i > 0 && strcmp(sorted[i - 1]->name, sorted[i]->name) == 0) {
            snprintf(err, errlen, "%s: the scenario name %s is taken by %s in this run "
                     "(NAME must be unique: reports match runs by it)",
                     sorted[i]->path, sorted[i]->name, sorted[i - 1]->path);
            rc = -1;
        } else if (taken != NULL && taken(sorted[i]->name, arg)) {
            snprintf(err, errlen, "%s: the scenario name %s is taken by a generated scenario "
                     "of this run (NAME must be unique: reports match runs by it)",
                     sorted[i]->path, sorted[i]->name);
            rc = -1;
        }
    }
    free(sorted);
    return rc;
}

void scenario_list_free(struct scenario_list *l)
{
    drop_from(l, 0);
    free(l->v);
    l->v = NULL;
    l->cap = 0;
}
