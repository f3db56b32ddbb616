/*
** keep.c: keep files, the fix's record of the value it replaced (see
** keep.h for the format and the privacy and durability rules).
**
** All file access goes through a descriptor of the opened, checked
** directory (openat, linkat, fstatat), so the directory that was checked
** is the one written to even if its path is swapped meanwhile.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "keep.h"

#define KEEP_HEADER "kmharness keep 1"
#define KEEP_SUFFIX ".keep"
#define KEEP_MAX_FILE (16u << 20)  /* far above any registry string value */
#define KEEP_MAX_STEM 100
#define TIMESTAMP_LEN 16           /* YYYYMMDDThhmmssZ */

static void set_err(char *err, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && size)
        vsnprintf(err, size, fmt, ap);
    va_end(ap);
}

static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

static void wipe_free(void *p, size_t n)
{
    if (p)
        wipe(p, n);
    free(p);
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

/* ---- Test-only crash points (keep.h) ------------------------------------ */

/* Every step of fix.h's crash test, in the order a fix and its rollback
** reach them. */
static const char *const crash_steps[] = {
    "read", "keep-temp-written", "keep-temp-synced", "keep-linked", "kept",
    "written", "verified", "rolled-back",
};

static int sync_to_disk = 1;

void keep_sync_to_disk(int on)
{
    sync_to_disk = on;
}

/* fsync FD when keep files are synced (keep_sync_to_disk); 0 or -1. */
static int sync_fd(int fd)
{
    return sync_to_disk ? fsync(fd) : 0;
}

void keep_crash_point(const char *step)
{
    const char *want = getenv("KMH_TEST_CRASH_AT");
    if (!want || !*want)
        return;
    const size_t nsteps = sizeof crash_steps / sizeof *crash_steps;
    size_t i = 0;
    while (i < nsteps && strcmp(want, crash_steps[i]) != 0)
        i++;
    if (i == nsteps) {
        fprintf(stderr, "KMH_TEST_CRASH_AT: unknown step; the steps are:");
        for (i = 0; i < nsteps; i++)
            fprintf(stderr, " %s", crash_steps[i]);
        fprintf(stderr, "\n");
        _exit(3);
    }
    if (strcmp(want, step) == 0) {
        raise(SIGKILL);
        _exit(137);  /* not reached: SIGKILL cannot be caught */
    }
}

/* ---- The private directory ------------------------------------------- */

/* Owned by us and closed to group and others. */
static int is_private(const struct stat *st)
{
    return st->st_uid == geteuid() && (st->st_mode & 077) == 0;
}

/* mkdir -p DIR with mode 0700 for everything it creates. */
static int make_dirs(const char *dir)
{
    char *copy = strdup(dir);
    int rc = copy ? 0 : -1;
    for (char *p = copy ? copy + 1 : NULL; rc == 0 && p && *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0700) != 0 && errno != EEXIST)
            rc = -1;
        *p = '/';
    }
    if (rc == 0 && mkdir(dir, 0700) == 0)
        rc = chmod(dir, 0700);  /* whatever the umask took away */
    else if (rc == 0 && errno != EEXIST)
        rc = -1;
    free(copy);
    return rc;
}

/* Open DIR (creating it when CREATE) and check it is private.  Returns the
** descriptor, -2 when it is missing and not to be created, -1 on error. */
static int open_private_dir(const char *dir, int create, char *err, size_t esz)
{
    const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int fd = open(dir, flags);
    if (fd < 0 && errno == ENOENT && create && make_dirs(dir) == 0)
        fd = open(dir, flags);
    if (fd < 0 && errno == ENOENT && !create)
        return -2;
    if (fd < 0) {
        set_err(err, esz, "cannot open keep directory %s: %s", dir, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode) || !is_private(&st)) {
        set_err(err, esz, "keep directory %s is not private (it must be yours, "
                "mode 0700, closed to group and others); refusing", dir);
        close(fd);
        return -1;
    }
    return fd;
}

/* ---- Writing ------------------------------------------------------------ */

static int valid_stem(const char *stem)
{
    size_t n = strlen(stem);
    return n > 0 && n <= KEEP_MAX_STEM && stem[0] != '.' && !strchr(stem, '/');
}

/* A NUL-terminated field of 256 bytes with no line break in it. */
static int valid_field(const char field[256])
{
    const char *nul = memchr(field, '\0', 256);
    return nul && !strpbrk(field, "\r\n");
}

static void put_hex(char *out, const uint8_t *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        *out++ = digits[data[i] >> 4];
        *out++ = digits[data[i] & 15];
    }
}

/* REC in the keep format (malloc'ed, *LEN bytes), or NULL. */
static char *format_record(const struct keep_record *rec, size_t *len)
{
    size_t size = 256 + strlen(rec->key) + strlen(rec->value) +
                  2 * rec->old_len + 2 * rec->new_len;
    char *text = malloc(size);
    if (!text)
        return NULL;
    size_t n = (size_t)snprintf(text, size, KEEP_HEADER "\nkey %s\nvalue %s\n"
                                "old-type %lu\nold-data ", rec->key, rec->value,
                                (unsigned long)rec->old_type);
    put_hex(text + n, rec->old_data, rec->old_len);
    n += 2 * rec->old_len;
    n += (size_t)snprintf(text + n, size - n, "\nnew-type %lu\nnew-data ",
                          (unsigned long)rec->new_type);
    put_hex(text + n, rec->new_data, rec->new_len);
    n += 2 * rec->new_len;
    text[n++] = '\n';
    *len = n;
    return text;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Write REC to TMP in DFD, private and synced to disk. */
static int write_temp(int dfd, const char *tmp, const struct keep_record *rec)
{
    size_t len;
    char *text = format_record(rec, &len);
    if (!text)
        return -1;
    unlinkat(dfd, tmp, 0);  /* a leftover of a dead process with our pid */
    int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int rc = (fd >= 0 && fchmod(fd, 0600) == 0 && write_all(fd, text, len) == 0) ? 0 : -1;
    wipe_free(text, len);
    if (rc == 0)
        keep_crash_point("keep-temp-written");
    if (rc == 0 && sync_fd(fd) != 0)
        rc = -1;
    if (rc == 0)
        keep_crash_point("keep-temp-synced");
    if (fd >= 0 && close(fd) != 0)
        rc = -1;
    return rc;
}

/* Is NAME the temporary file ".STEM-PID.tmp" of a process that no longer
** runs (a save killed half-way)? */
static int is_stale_temp(const char *name, const char *stem)
{
    size_t sl = strlen(stem), nl = strlen(name), xl = strlen(".tmp");
    if (nl <= 1 + sl + 1 + xl || name[0] != '.' || strncmp(name + 1, stem, sl) != 0 ||
        name[1 + sl] != '-' || strcmp(name + nl - xl, ".tmp") != 0)
        return 0;
    const char *pid = name + 1 + sl + 1;
    size_t digits = nl - xl - (size_t)(pid - name);
    if (!all_digits(pid, digits) || digits > 9)
        return 0;
    long n = strtol(pid, NULL, 10);
    return n != (long)getpid() && kill((pid_t)n, 0) != 0 && errno == ESRCH;
}

/* Remove the temporary files that dead processes left in DFD: each may be
** a copy of a password nobody will ever use. */
static void remove_stale_temps(int dfd, const char *stem)
{
    int dup_fd = dup(dfd);
    DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (!d) {
        if (dup_fd >= 0)
            close(dup_fd);
        return;
    }
    rewinddir(d);  /* the duplicate shares its position with DFD */
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (is_stale_temp(e->d_name, stem))
            unlinkat(dfd, e->d_name, 0);
    closedir(d);
}

/* Give TMP its final, unused name (into NAME); link never replaces. */
static int link_new_name(int dfd, const char *tmp, const char *stem,
                         char *name, size_t name_size)
{
    char ts[TIMESTAMP_LEN + 1];
    time_t now = time(NULL);
    struct tm tm;
    strftime(ts, sizeof ts, "%Y%m%dT%H%M%SZ", gmtime_r(&now, &tm));
    for (int seq = 1; seq < 1000; seq++) {
        if (seq == 1)
            snprintf(name, name_size, "%s-%s-%ld" KEEP_SUFFIX, stem, ts, (long)getpid());
        else
            snprintf(name, name_size, "%s-%s-%ld-%d" KEEP_SUFFIX, stem, ts,
                     (long)getpid(), seq);
        if (linkat(dfd, tmp, dfd, name, 0) == 0)
            return 0;
        if (errno != EEXIST)
            return -1;
    }
    return -1;
}

int keep_save(const char *dir, const char *stem, const struct keep_record *rec,
              char *path, size_t path_size, char *err, size_t err_size)
{
    if (!valid_stem(stem) || !valid_field(rec->key) || !valid_field(rec->value)) {
        set_err(err, err_size, "invalid keep file name or record fields");
        return -1;
    }
    int dfd = open_private_dir(dir, 1, err, err_size);
    if (dfd < 0)
        return -1;
    remove_stale_temps(dfd, stem);
    char tmp[KEEP_MAX_STEM + 40], name[KEEP_MAX_STEM + 64];
    snprintf(tmp, sizeof tmp, ".%s-%ld.tmp", stem, (long)getpid());
    int written = write_temp(dfd, tmp, rec) == 0;
    int linked = written && link_new_name(dfd, tmp, stem, name, sizeof name) == 0;
    int saved_errno = errno;
    if (linked)
        keep_crash_point("keep-linked");
    unlinkat(dfd, tmp, 0);
    int durable = linked && sync_fd(dfd) == 0;
    if (linked && !durable)
        unlinkat(dfd, name, 0);
    close(dfd);
    if (!durable) {
        set_err(err, err_size, "cannot write a keep file in %s: %s", dir,
                strerror(linked ? errno : saved_errno));
        return -1;
    }
    snprintf(path, path_size, "%s/%s", dir, name);
    return 0;
}

/* Is NAME "run-PID" for a process that no longer runs? */
static int is_dead_run(const char *name)
{
    const char *pid = name + 4;
    size_t digits = strlen(pid);
    if (strncmp(name, "run-", 4) != 0 || !all_digits(pid, digits) || digits > 9)
        return 0;
    long n = strtol(pid, NULL, 10);
    return n != (long)getpid() && kill((pid_t)n, 0) != 0 && errno == ESRCH;
}

/* Empty and remove the folder NAME in DFD (keep files hold no folders). */
static void remove_run_dir(int dfd, const char *name)
{
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlinkat(dirfd(d), e->d_name, 0);
    closedir(d);
    unlinkat(dfd, name, AT_REMOVEDIR);
}

void keep_remove_dead_runs(const char *dir)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int dup_fd = dfd >= 0 ? dup(dfd) : -1;
    DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (!d && dup_fd >= 0)
        close(dup_fd);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (is_dead_run(e->d_name))
            remove_run_dir(dfd, e->d_name);
    if (d)
        closedir(d);
    if (dfd >= 0)
        close(dfd);
}

/* ---- Finding the newest ------------------------------------------------- */

struct keep_name {
    char name[256];
    char ts[TIMESTAMP_LEN + 1];
    struct timespec mtime;
    unsigned long seq;
};

static int timestamp_ok(const char *t)
{
    return all_digits(t, 8) && t[8] == 'T' && all_digits(t + 9, 6) && t[15] == 'Z';
}

/* Parse NAME as STEM-TS-PID[-SEQ].keep into K (timestamp and sequence). */
static int parse_name(const char *name, const char *stem, struct keep_name *k)
{
    size_t sl = strlen(stem), nl = strlen(name), xl = strlen(KEEP_SUFFIX);
    if (nl >= sizeof k->name || nl < sl + 1 + TIMESTAMP_LEN + 2 + xl ||
        strncmp(name, stem, sl) != 0 || name[sl] != '-' ||
        strcmp(name + nl - xl, KEEP_SUFFIX) != 0)
        return 0;
    const char *t = name + sl + 1, *end = name + nl - xl;
    if (!timestamp_ok(t) || t[TIMESTAMP_LEN] != '-')
        return 0;
    const char *pid = t + TIMESTAMP_LEN + 1;
    const char *dash = memchr(pid, '-', (size_t)(end - pid));
    const char *pid_end = dash ? dash : end;
    if (!all_digits(pid, (size_t)(pid_end - pid)))
        return 0;
    if (dash && !all_digits(dash + 1, (size_t)(end - dash - 1)))
        return 0;
    memcpy(k->ts, t, TIMESTAMP_LEN);
    k->ts[TIMESTAMP_LEN] = '\0';
    k->seq = dash ? strtoul(dash + 1, NULL, 10) : 1;
    memcpy(k->name, name, nl + 1);
    return 1;
}

static int is_newer(const struct keep_name *a, const struct keep_name *b)
{
    int c = strcmp(a->ts, b->ts);
    if (c != 0)
        return c > 0;
    if (a->mtime.tv_sec != b->mtime.tv_sec)
        return a->mtime.tv_sec > b->mtime.tv_sec;
    if (a->mtime.tv_nsec != b->mtime.tv_nsec)
        return a->mtime.tv_nsec > b->mtime.tv_nsec;
    return a->seq > b->seq;
}

/* The newest keep file for STEM in DFD into BEST; 1 if there is one. */
static int find_newest(int dfd, const char *stem, struct keep_name *best)
{
    int dup_fd = dup(dfd);
    DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (!d) {
        if (dup_fd >= 0)
            close(dup_fd);
        return -1;
    }
    rewinddir(d);  /* the duplicate shares its position with DFD */
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct keep_name k;
        struct stat st;
        if (!parse_name(e->d_name, stem, &k) ||
            fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode))
            continue;
        k.mtime = st.st_mtim;
        if (!found || is_newer(&k, best)) {
            *best = k;
            found = 1;
        }
    }
    closedir(d);
    return found;
}

/* ---- Reading ------------------------------------------------------------ */

/* The whole private regular file NAME in DFD (malloc'ed, *LEN bytes). */
static char *read_private_file(int dfd, const char *name, size_t *len)
{
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return NULL;
    char *text = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && is_private(&st) &&
        (size_t)st.st_size <= KEEP_MAX_FILE)
        text = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (text && got < (size_t)st.st_size) {
        ssize_t r = read(fd, text + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            wipe_free(text, got);
            text = NULL;
        } else {
            got += (size_t)r;
        }
    }
    close(fd);
    *len = got;
    return text;
}

/* The next line of [*CUR, END) must be LABEL, a blank, then the value:
** *VAL and *VLEN get the value and *CUR moves past the line. */
static int take_field(const char **cur, const char *end, const char *label,
                      const char **val, size_t *vlen)
{
    size_t ll = strlen(label);
    const char *nl = memchr(*cur, '\n', (size_t)(end - *cur));
    if (!nl || (size_t)(nl - *cur) < ll + 1 || memcmp(*cur, label, ll) != 0 ||
        (*cur)[ll] != ' ')
        return 0;
    *val = *cur + ll + 1;
    *vlen = (size_t)(nl - *val);
    *cur = nl + 1;
    return 1;
}

static int parse_u32(const char *v, size_t n, uint32_t *out)
{
    if (!all_digits(v, n) || n > 10)
        return 0;
    unsigned long long x = 0;
    for (size_t i = 0; i < n; i++)
        x = x * 10 + (unsigned)(v[i] - '0');
    *out = (uint32_t)x;
    return x <= UINT32_MAX;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static int parse_hex(const char *v, size_t n, uint8_t **out, size_t *len)
{
    if (n % 2 != 0 || !(*out = malloc(n / 2 + 1)))
        return 0;
    *len = n / 2;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_digit(v[2 * i]), lo = hex_digit(v[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return 0;
        (*out)[i] = (uint8_t)(hi << 4 | lo);
    }
    return 1;
}

static int copy_field(char dst[256], const char *v, size_t n)
{
    if (n >= 256 || memchr(v, '\0', n) || memchr(v, '\r', n))
        return 0;
    memcpy(dst, v, n);
    dst[n] = '\0';
    return 1;
}

static int parse_record(const char *text, size_t len, struct keep_record *rec)
{
    const char *cur = text, *end = text + len, *v;
    size_t n;
    size_t hl = strlen(KEEP_HEADER);
    if (len <= hl || memcmp(text, KEEP_HEADER "\n", hl + 1) != 0)
        return 0;
    cur += hl + 1;
    return take_field(&cur, end, "key", &v, &n) && copy_field(rec->key, v, n) &&
           take_field(&cur, end, "value", &v, &n) && copy_field(rec->value, v, n) &&
           take_field(&cur, end, "old-type", &v, &n) && parse_u32(v, n, &rec->old_type) &&
           take_field(&cur, end, "old-data", &v, &n) &&
           parse_hex(v, n, &rec->old_data, &rec->old_len) &&
           take_field(&cur, end, "new-type", &v, &n) && parse_u32(v, n, &rec->new_type) &&
           take_field(&cur, end, "new-data", &v, &n) &&
           parse_hex(v, n, &rec->new_data, &rec->new_len) && cur == end;
}

int keep_load_newest(const char *dir, const char *stem, struct keep_record *rec,
                     char *path, size_t path_size, char *err, size_t err_size)
{
    memset(rec, 0, sizeof *rec);
    int dfd = open_private_dir(dir, 0, err, err_size);
    if (dfd == -2)
        return 1;
    if (dfd < 0)
        return -1;
    remove_stale_temps(dfd, stem);
    struct keep_name best;
    int found = find_newest(dfd, stem, &best);
    size_t len = 0;
    char *text = found == 1 ? read_private_file(dfd, best.name, &len) : NULL;
    int ok = text && parse_record(text, len, rec);
    wipe_free(text, len);
    close(dfd);
    if (found == 0)
        return 1;
    if (!ok) {
        keep_record_free(rec);
        set_err(err, err_size, found < 0 ? "cannot list keep directory %s"
                : "keep file in %s is unreadable, not private, or damaged", dir);
        return -1;
    }
    snprintf(path, path_size, "%s/%s", dir, best.name);
    return 0;
}

int keep_discard(const char *path, char *err, size_t err_size)
{
    if (unlink(path) != 0) {
        set_err(err, err_size, "cannot remove keep file %s: %s", path, strerror(errno));
        return -1;
    }
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : strdup(".");
    int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    int rc = (dfd >= 0 && sync_fd(dfd) == 0) ? 0 : -1;
    if (dfd >= 0)
        close(dfd);
    if (rc != 0)
        set_err(err, err_size, "removed keep file %s but could not sync its directory", path);
    free(dir);
    return rc;
}

void keep_record_free(struct keep_record *rec)
{
    wipe_free(rec->old_data, rec->old_len);
    wipe_free(rec->new_data, rec->new_len);
    wipe(rec, sizeof *rec);
}

void keep_default_dir(char *dir, size_t n)
{
    const char *prefix = getenv("WINEPREFIX");
    snprintf(dir, n, "%s/kmharness-keep", prefix ? prefix : ".");
}

/* ---- The run folders, the sweep, listing and discarding by name -------- */

int keep_make_run_dir(char *dir, size_t n, char *err, size_t err_size)
{
    char root[4096], name[32];
    keep_default_dir(root, sizeof root);
    int rfd = open_private_dir(root, 1, err, err_size);
    if (rfd < 0)
        return -1;
    snprintf(name, sizeof name, "run-%ld", (long)getpid());
    int made = mkdirat(rfd, name, 0700) == 0 || errno == EEXIST;
    close(rfd);
    snprintf(dir, n, "%s/%s", root, name);
    if (!made) {
        set_err(err, err_size, "cannot create keep directory %s: %s", dir, strerror(errno));
        return -1;
    }
    int fd = open_private_dir(dir, 0, err, err_size);
    if (fd == -2)
        set_err(err, err_size, "keep directory %s vanished", dir);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

void keep_sweep(const char *stem)
{
    char root[4096], err[256];
    if (!getenv("WINEPREFIX"))
        return;  /* no prefix, no keep folder of ours */
    keep_default_dir(root, sizeof root);
    int dfd = open_private_dir(root, 0, err, sizeof err);
    if (dfd < 0)
        return;
    remove_stale_temps(dfd, stem);
    close(dfd);
    keep_remove_dead_runs(root);
}

/* Newest first. */
static int by_age(const void *a, const void *b)
{
    const struct keep_name *x = a, *y = b;
    return is_newer(x, y) ? -1 : is_newer(y, x) ? 1 : 0;
}

int keep_list(const char *dir, const char *stem, char (**names)[256], size_t *count,
              char *err, size_t err_size)
{
    *names = NULL;
    *count = 0;
    int dfd = open_private_dir(dir, 0, err, err_size);
    if (dfd == -2)
        return 0;
    if (dfd < 0)
        return -1;
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        set_err(err, err_size, "cannot list keep directory %s", dir);
        return -1;
    }
    struct keep_name *found = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct keep_name k;
        struct stat st;
        if (!parse_name(e->d_name, stem, &k) ||
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        k.mtime = st.st_mtim;
        struct keep_name *grown = realloc(found, (n + 1) * sizeof *found);
        if (!grown)
            break;
        found = grown;
        found[n++] = k;
    }
    closedir(d);
    qsort(found, n, sizeof *found, by_age);
    *names = n ? malloc(n * sizeof **names) : NULL;
    for (size_t i = 0; *names && i < n; i++)
        memcpy((*names)[i], found[i].name, sizeof (*names)[i]);
    *count = *names ? n : 0;
    free(found);
    return 0;
}

int keep_load_named(const char *dir, const char *stem, const char *name,
                    struct keep_record *rec, char *path, size_t path_size, char *err,
                    size_t err_size)
{
    memset(rec, 0, sizeof *rec);
    struct keep_name k;
    if (!parse_name(name, stem, &k)) {
        set_err(err, err_size, "no kept original is called that (see fix --list-kept)");
        return -1;
    }
    int dfd = open_private_dir(dir, 0, err, err_size);
    if (dfd == -2)
        set_err(err, err_size, "no kept originals in %s", dir);
    if (dfd < 0)
        return -1;
    size_t len = 0;
    char *text = read_private_file(dfd, name, &len);
    int ok = text && parse_record(text, len, rec);
    wipe_free(text, len);
    close(dfd);
    if (!ok) {
        keep_record_free(rec);
        set_err(err, err_size, "kept original %s is missing, not private, or damaged", name);
        return -1;
    }
    snprintf(path, path_size, "%s/%s", dir, name);
    return 0;
}
