/*
** test_keep.c: unit tests of the keep files (emu/keep.c).
**
** Each test works in its own fresh temporary directory.  The expectations
** are the privacy and ordering rules of keep.h: 0700 directory, 0600 file,
** refusal of anything group or others can reach, newest file wins, and a
** record comes back byte for byte.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "keep.h"

#define STEM "MSExchangeKMS-ImagePath"

struct fixture {
    char base[64];
    char dir[128];  /* base/keep/sub: missing until keep_save makes it */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    strcpy(f->base, "/tmp/kmh-test-keep-XXXXXX");
    if (!mkdtemp(f->base))
        return -1;
    snprintf(f->dir, sizeof f->dir, "%s/keep/sub", f->base);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->base);
    int rc = system(cmd);
    free(f);
    return rc;
}

/* A record whose old data is UTF-16 "C:\x.exe pw" + NUL, new "C:\x.exe". */
static struct keep_record sample(uint8_t *old_data, uint8_t *new_data, uint8_t mark)
{
    static const char old_text[] = "C:\\x.exe pw";
    struct keep_record r;
    memset(&r, 0, sizeof r);
    strcpy(r.key, "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS");
    strcpy(r.value, "ImagePath");
    for (size_t i = 0; i < sizeof old_text; i++) {
        old_data[2 * i] = (uint8_t)old_text[i];
        old_data[2 * i + 1] = 0;
    }
    old_data[0] = mark;  /* tells records apart */
    memcpy(new_data, old_data, 16);
    new_data[16] = new_data[17] = 0;
    r.old_type = 2;
    r.old_data = old_data;
    r.old_len = 2 * sizeof old_text;
    r.new_type = 2;
    r.new_data = new_data;
    r.new_len = 18;
    return r;
}

static void save_ok(const char *dir, const struct keep_record *r, char *path)
{
    char err[256] = "";
    int rc = keep_save(dir, STEM, r, path, 512, err, sizeof err);
    if (rc != 0)
        fail_msg("keep_save: %s", err);
}

static int mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (int)(st.st_mode & 07777);
}

static void test_modes_are_private_whatever_the_umask(void **state)
{
    struct fixture *f = *state;
    uint8_t o[64], n[64];
    struct keep_record r = sample(o, n, 'C');
    char path[512];
    mode_t old_umask = umask(0);
    save_ok(f->dir, &r, path);
    umask(old_umask);
    assert_int_equal(mode_of(f->dir), 0700);
    assert_int_equal(mode_of(path), 0600);
    assert_non_null(strstr(path, "/" STEM "-"));
    assert_non_null(strstr(path, ".keep"));

    /* No temporary file is left behind. */
    DIR *d = opendir(f->dir);
    int entries = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        entries += e->d_name[0] != '.';
    int hidden = 0;
    rewinddir(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        hidden += e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    assert_int_equal(entries, 1);
    assert_int_equal(hidden, 0);
}

static void test_round_trip_is_byte_for_byte(void **state)
{
    struct fixture *f = *state;
    uint8_t o[64], n[64];
    struct keep_record r = sample(o, n, 'C');
    r.old_type = 0xFFFFFFFFu;  /* any type number survives */
    char path[512], loaded_path[512], err[256];
    save_ok(f->dir, &r, path);

    struct keep_record back;
    assert_int_equal(keep_load_newest(f->dir, STEM, &back, loaded_path,
                                      sizeof loaded_path, err, sizeof err), 0);
    assert_string_equal(loaded_path, path);
    assert_string_equal(back.key, r.key);
    assert_string_equal(back.value, r.value);
    assert_int_equal(back.old_type, r.old_type);
    assert_int_equal(back.old_len, r.old_len);
    assert_memory_equal(back.old_data, r.old_data, r.old_len);
    assert_int_equal(back.new_type, r.new_type);
    assert_int_equal(back.new_len, r.new_len);
    assert_memory_equal(back.new_data, r.new_data, r.new_len);
    keep_record_free(&back);
    assert_null(back.old_data);
    keep_record_free(&back);  /* twice is harmless */
}

static void test_empty_data_round_trips(void **state)
{
    struct fixture *f = *state;
    struct keep_record r;
    memset(&r, 0, sizeof r);
    strcpy(r.key, "K");
    strcpy(r.value, "");
    r.old_type = 1;
    char path[512], err[256];
    save_ok(f->dir, &r, path);
    struct keep_record back;
    assert_int_equal(keep_load_newest(f->dir, STEM, &back, path, sizeof path,
                                      err, sizeof err), 0);
    assert_int_equal(back.old_len, 0);
    assert_int_equal(back.new_len, 0);
    assert_string_equal(back.value, "");
    keep_record_free(&back);
}

static void test_refuses_directory_others_can_reach(void **state)
{
    struct fixture *f = *state;
    char open_dir[160], path[512] = "", err[256] = "";
    snprintf(open_dir, sizeof open_dir, "%s/open", f->base);
    assert_int_equal(mkdir(open_dir, 0700), 0);
    assert_int_equal(chmod(open_dir, 0755), 0);
    uint8_t o[64], n[64];
    struct keep_record r = sample(o, n, 'C');
    assert_int_equal(keep_save(open_dir, STEM, &r, path, sizeof path, err, sizeof err), -1);
    assert_non_null(strstr(err, "not private"));

    DIR *d = opendir(open_dir);
    int entries = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        entries++;
    closedir(d);
    assert_int_equal(entries, 2);  /* "." and ".." only */

    /* Reading is refused too: someone else could have planted the file. */
    assert_int_equal(chmod(open_dir, 0700), 0);
    save_ok(open_dir, &r, path);
    assert_int_equal(chmod(open_dir, 0750), 0);
    struct keep_record back;
    assert_int_equal(keep_load_newest(open_dir, STEM, &back, path, sizeof path,
                                      err, sizeof err), -1);
}

static void test_refuses_a_keep_file_others_can_read(void **state)
{
    struct fixture *f = *state;
    uint8_t o[64], n[64];
    struct keep_record r = sample(o, n, 'C');
    char path[512], err[256];
    save_ok(f->dir, &r, path);
    assert_int_equal(chmod(path, 0644), 0);
    struct keep_record back;
    assert_int_equal(keep_load_newest(f->dir, STEM, &back, path, sizeof path,
                                      err, sizeof err), -1);
}

/* Write a copy of the keep file at FROM under the name NAME in DIR. */
static void plant(const char *dir, const char *from, const char *name)
{
    char to[512], buf[4096];
    snprintf(to, sizeof to, "%s/%s", dir, name);
    FILE *in = fopen(from, "rb");
    size_t n = fread(buf, 1, sizeof buf, in);
    fclose(in);
    int fd = open(to, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, n), (ssize_t)n);
    close(fd);
}

static uint8_t loaded_mark(const char *dir, char *path)
{
    struct keep_record back;
    char err[256];
    assert_int_equal(keep_load_newest(dir, STEM, &back, path, 512, err, sizeof err), 0);
    uint8_t mark = back.old_data[0];
    keep_record_free(&back);
    return mark;
}

static void test_newest_wins_and_discard_reveals_the_previous(void **state)
{
    struct fixture *f = *state;
    uint8_t o1[64], n1[64], o2[64], n2[64];
    struct keep_record first = sample(o1, n1, '1');
    struct keep_record second = sample(o2, n2, '2');
    char p1[512], p2[512], path[512], err[256];
    save_ok(f->dir, &first, p1);
    save_ok(f->dir, &second, p2);  /* same second, same pid: a new name */
    assert_string_not_equal(p1, p2);
    assert_int_equal(loaded_mark(f->dir, path), '2');
    assert_string_equal(path, p2);

    /* An older timestamp never wins; a later one does. */
    plant(f->dir, p1, STEM "-20000101T000000Z-1.keep");
    assert_int_equal(loaded_mark(f->dir, path), '2');
    plant(f->dir, p1, STEM "-29991231T235959Z-1.keep");
    assert_int_equal(loaded_mark(f->dir, path), '1');
    assert_non_null(strstr(path, "29991231T235959Z"));

    /* Names that are not keep files of this stem are ignored. */
    plant(f->dir, p2, "Other-39991231T235959Z-1.keep");
    plant(f->dir, p2, STEM "-39991231T235959Z-1.keep.bak");
    plant(f->dir, p2, STEM "-3999123XT235959Z-1.keep");
    assert_int_equal(loaded_mark(f->dir, path), '1');

    assert_int_equal(keep_discard(path, err, sizeof err), 0);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(loaded_mark(f->dir, path), '2');
    assert_string_equal(path, p2);
}

static void test_nothing_to_load(void **state)
{
    struct fixture *f = *state;
    struct keep_record back;
    char path[512], err[256];
    assert_int_equal(keep_load_newest(f->dir, STEM, &back, path, sizeof path,
                                      err, sizeof err), 1);
    char parent[160];
    snprintf(parent, sizeof parent, "%s/keep", f->base);
    assert_int_equal(mkdir(parent, 0700), 0);
    assert_int_equal(mkdir(f->dir, 0700), 0);
    assert_int_equal(keep_load_newest(f->dir, STEM, &back, path, sizeof path,
                                      err, sizeof err), 1);
}

static void test_damaged_file_is_an_error(void **state)
{
    struct fixture *f = *state;
    uint8_t o[64], n[64];
    struct keep_record r = sample(o, n, 'C');
    char path[512], err[256];
    save_ok(f->dir, &r, path);
    assert_int_equal(truncate(path, 40), 0);
    struct keep_record back;
    assert_int_equal(keep_load_newest(f->dir, STEM, &back, path, sizeof path,
                                      err, sizeof err), -1);
    assert_null(back.old_data);
}

static void test_rejects_bad_names_and_fields(void **state)
{
    struct fixture *f = *state;
    uint8_t o[64], n[64];
    struct keep_record r = sample(o, n, 'C');
    char path[512], err[256];
    assert_int_equal(keep_save(f->dir, "../escape", &r, path, sizeof path, err, sizeof err), -1);
    assert_int_equal(keep_save(f->dir, ".hidden", &r, path, sizeof path, err, sizeof err), -1);
    assert_int_equal(keep_save(f->dir, "", &r, path, sizeof path, err, sizeof err), -1);
    strcpy(r.value, "Image\nPath");
    assert_int_equal(keep_save(f->dir, STEM, &r, path, sizeof path, err, sizeof err), -1);
    assert_int_equal(access(f->dir, F_OK), -1);  /* nothing was created */
}

/* ---- the run folder, the sweep, listing ------------------------------- */

/* Point keep_default_dir() (WINEPREFIX/kmharness-keep) into the fixture. */
static void use_prefix(const struct fixture *f, char *root, size_t n)
{
    setenv("WINEPREFIX", f->base, 1);
    snprintf(root, n, "%s/kmharness-keep", f->base);
}

static void test_run_dir_is_private_and_refuses_links_and_open_folders(void **state)
{
    struct fixture *f = *state;
    char root[160], dir[256], err[512], target[160];
    use_prefix(f, root, sizeof root);
    assert_int_equal(keep_make_run_dir(dir, sizeof dir, err, sizeof err), 0);
    struct stat st;
    assert_int_equal(lstat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(rmdir(dir), 0);

    /* A world-writable keep folder is refused, not chmod'ed. */
    assert_int_equal(chmod(root, 0777), 0);
    assert_int_equal(keep_make_run_dir(dir, sizeof dir, err, sizeof err), -1);
    assert_non_null(strstr(err, "not private"));
    assert_int_equal(lstat(root, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0777);
    assert_int_equal(rmdir(root), 0);

    /* A keep folder that is a symlink (to a folder someone else reads). */
    snprintf(target, sizeof target, "%s/elsewhere", f->base);
    assert_int_equal(mkdir(target, 0700), 0);
    assert_int_equal(symlink(target, root), 0);
    assert_int_equal(keep_make_run_dir(dir, sizeof dir, err, sizeof err), -1);
    DIR *d = opendir(target);
    assert_non_null(d);
    int entries = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        entries += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(entries, 0);  /* nothing made through the link */
    unsetenv("WINEPREFIX");
}

static void test_sweep_removes_what_dead_processes_left(void **state)
{
    struct fixture *f = *state;
    char root[160], path[320];
    use_prefix(f, root, sizeof root);
    assert_int_equal(mkdir(root, 0700), 0);
    /* pid 999999999 does not run: its run folder and its temp file go. */
    snprintf(path, sizeof path, "%s/run-999999999", root);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/run-999999999/%s-x.keep", root, STEM);
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    close(fd);
    snprintf(path, sizeof path, "%s/.%s-999999999.tmp", root, STEM);
    fd = open(path, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    close(fd);
    /* Ours (this process runs) and a kept original stay. */
    snprintf(path, sizeof path, "%s/run-%ld", root, (long)getpid());
    assert_int_equal(mkdir(path, 0700), 0);
    uint8_t old_data[64], new_data[64];
    struct keep_record rec = sample(old_data, new_data, 'C');
    char kept[512], err[512];
    assert_int_equal(keep_save(root, STEM, &rec, kept, sizeof kept, err, sizeof err), 0);

    keep_sweep(STEM);
    struct stat st;
    snprintf(path, sizeof path, "%s/run-999999999", root);
    assert_int_not_equal(lstat(path, &st), 0);
    snprintf(path, sizeof path, "%s/.%s-999999999.tmp", root, STEM);
    assert_int_not_equal(lstat(path, &st), 0);
    snprintf(path, sizeof path, "%s/run-%ld", root, (long)getpid());
    assert_int_equal(lstat(path, &st), 0);
    assert_int_equal(lstat(kept, &st), 0);
    unsetenv("WINEPREFIX");
}

static void test_list_newest_first_and_load_by_name_only(void **state)
{
    struct fixture *f = *state;
    uint8_t old_data[64], new_data[64];
    char path[512], err[512];
    for (uint8_t mark = 'A'; mark <= 'C'; mark++) {
        struct keep_record rec = sample(old_data, new_data, mark);
        assert_int_equal(keep_save(f->dir, STEM, &rec, path, sizeof path, err, sizeof err), 0);
    }
    char (*names)[256];
    size_t n;
    assert_int_equal(keep_list(f->dir, STEM, &names, &n, err, sizeof err), 0);
    assert_int_equal(n, 3);
    struct keep_record got;
    assert_int_equal(keep_load_named(f->dir, STEM, names[0], &got, path, sizeof path, err,
                                     sizeof err), 0);
    assert_int_equal(got.old_data[0], 'C');  /* newest first */
    keep_record_free(&got);
    assert_int_equal(keep_load_named(f->dir, STEM, names[2], &got, path, sizeof path, err,
                                     sizeof err), 0);
    assert_int_equal(got.old_data[0], 'A');
    keep_record_free(&got);
    free(names);
    static const char *const bad[] = {
        "../x.keep", "MSExchangeKMS-ImagePath-../../etc/passwd", "", "x.keep",
        "MSExchangeKMS-ImagePath-20261204T000000Z-1/../../y.keep",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(keep_load_named(f->dir, STEM, bad[i], &got, path, sizeof path, err,
                                         sizeof err), -1);
    assert_int_equal(keep_list("/nonexistent/kmh", STEM, &names, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_modes_are_private_whatever_the_umask, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_is_byte_for_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_data_round_trips, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_directory_others_can_reach, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_a_keep_file_others_can_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newest_wins_and_discard_reveals_the_previous, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_to_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_file_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejects_bad_names_and_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_dir_is_private_and_refuses_links_and_open_folders,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_sweep_removes_what_dead_processes_left, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_list_newest_first_and_load_by_name_only, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
