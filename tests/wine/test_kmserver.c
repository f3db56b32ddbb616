/*
** test_kmserver.c: Wine tests for emu/kmserver.c and emu/verblob.c.
**
** Places emulated Kmserver.exe images in the prefix and checks them with
** the real APIs: the version API reads back every VERSIONINFO field, a
** noversion image has no resources (1812), a placed folder or text file
** answers as on Windows (5, 1812), folders and drives are created on
** demand, and kmserver_clear() removes exactly what was created and
** nothing else; containment: no placement outside the emulated drives,
** over a file not ours, through a link or at a device name; every
** placement is listed durably (in the registry) before it is made, in
** every round of place and clear, so a killed process's files go too.
** Between the scenarios of a run (kmserver_retire, kmserver_sweep): what
** the next scenario places again stays, unwritten when it holds the same
** image, and after the sweep the prefix holds exactly the new scenario's
** files, under its spelling, whatever the one before placed; the fast way
** below a folder of ours refuses what the checked way refuses.
*/
#include <windows.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "kmserver.h"
#include "verblob.h"

extern const unsigned long kmserver_template_len;

static const struct kmserver_image v5526539 = { KMSERVER_PE_VERSION, { 5, 5, 2653, 9 } };
static const struct kmserver_image noversion = { KMSERVER_PE_NOVERSION, { 0, 0, 0, 0 } };
static const struct kmserver_image folder = { KMSERVER_FOLDER, { 0, 0, 0, 0 } };
static const struct kmserver_image text = { KMSERVER_TEXT, { 0, 0, 0, 0 } };

static int exists(const WCHAR *path)
{
    return GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES;
}

static int is_folder(const WCHAR *path)
{
    DWORD a = GetFileAttributesW(path);
    return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
}

/* The whole version resource of PATH (malloc'd), or NULL with the error. */
static void *version_info(const WCHAR *path, DWORD *err)
{
    DWORD handle, size;
    SetLastError(0);
    size = GetFileVersionInfoSizeW(path, &handle);
    *err = GetLastError();
    if (!size)
        return NULL;
    void *info = malloc(size);
    assert_non_null(info);
    assert_true(GetFileVersionInfoW(path, 0, size, info));
    return info;
}

/* The UTF-16 string at SUB compared with ASCII EXPECT. */
static void assert_query_string(void *info, const WCHAR *sub, const char *expect)
{
    WCHAR *value = NULL;
    UINT len = 0;
    assert_true(VerQueryValueW(info, sub, (void **)&value, &len));
    assert_non_null(value);
    char utf8[128];
    assert_true(WideCharToMultiByte(CP_UTF8, 0, value, -1, utf8, sizeof utf8, NULL, NULL) > 0);
    assert_string_equal(utf8, expect);
    assert_int_equal(len, strlen(expect) + 1);  /* characters, terminator included */
}

static int teardown(void **state)
{
    assert_int_equal(kmserver_clear(), 0);
    return 0;
}

static void test_version_fields_read_back(void **state)
{
    const WCHAR *path = L"C:\\Exchsrvr\\Bin\\Kmserver.exe";
    assert_int_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Kmserver.exe", &v5526539, NULL), 0);
    DWORD err;
    void *info = version_info(path, &err);
    assert_non_null(info);

    VS_FIXEDFILEINFO *fixed = NULL;
    UINT len = 0;
    assert_true(VerQueryValueW(info, L"\\", (void **)&fixed, &len));
    assert_int_equal(len, sizeof *fixed);
    assert_int_equal(fixed->dwSignature, 0xFEEF04BD);
    assert_int_equal(fixed->dwStrucVersion, 0x00010000);
    assert_int_equal(fixed->dwFileVersionMS, MAKELONG(5, 5));
    assert_int_equal(fixed->dwFileVersionLS, MAKELONG(9, 2653));
    assert_int_equal(fixed->dwProductVersionMS, MAKELONG(5, 5));
    assert_int_equal(fixed->dwProductVersionLS, MAKELONG(9, 2653));
    assert_int_equal(fixed->dwFileOS, VOS_NT_WINDOWS32);
    assert_int_equal(fixed->dwFileType, VFT_APP);

    DWORD *translation = NULL;
    assert_true(VerQueryValueW(info, L"\\VarFileInfo\\Translation", (void **)&translation, &len));
    assert_int_equal(len, 4);
    assert_int_equal(LOWORD(*translation), 0x0409);
    assert_int_equal(HIWORD(*translation), 1200);

    assert_query_string(info, L"\\StringFileInfo\\040904B0\\CompanyName", "Microsoft Corporation");
    assert_query_string(info, L"\\StringFileInfo\\040904B0\\FileDescription",
                        "Microsoft Exchange Key Management Server");
    assert_query_string(info, L"\\StringFileInfo\\040904B0\\FileVersion", "5.5.2653.9");
    assert_query_string(info, L"\\StringFileInfo\\040904B0\\ProductName", "Microsoft Exchange");
    assert_query_string(info, L"\\StringFileInfo\\040904B0\\ProductVersion", "5.5.2653.9");
    assert_query_string(info, L"\\StringFileInfo\\040904B0\\OriginalFilename", "Kmserver.exe");
    free(info);
}

static void test_noversion_has_no_resources(void **state)
{
    const WCHAR *path = L"C:\\Exchsrvr\\Bin\\Kmserver.exe";
    assert_int_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Kmserver.exe", &noversion, NULL), 0);
    DWORD err;
    assert_null(version_info(path, &err));
    assert_int_equal(err, ERROR_RESOURCE_DATA_NOT_FOUND);

    WIN32_FILE_ATTRIBUTE_DATA fad;
    assert_true(GetFileAttributesExW(path, GetFileExInfoStandard, &fad));
    assert_int_equal(fad.nFileSizeLow, kmserver_template_len);
}

static void test_same_path_twice_last_wins(void **state)
{
    const struct kmserver_image other = { KMSERVER_PE_VERSION, { 5, 5, 2448, 8 } };
    assert_int_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Kmserver.exe", &v5526539, NULL), 0);
    assert_int_equal(kmserver_place("c:\\exchsrvr\\bin\\KMSERVER.EXE", &other, NULL), 0);
    DWORD err;
    void *info = version_info(L"C:\\Exchsrvr\\Bin\\Kmserver.exe", &err);
    assert_non_null(info);
    assert_query_string(info, L"\\StringFileInfo\\040904B0\\FileVersion", "5.5.2448.8");
    free(info);
}

/* Several versions, each placed twice: the cache hands out the right one. */
static void test_cached_versions_stay_distinct(void **state)
{
    const char *paths[] = { "C:\\kmh-a\\Kmserver.exe", "C:\\kmh-b\\Kmserver.exe" };
    const WCHAR *wpaths[] = { L"C:\\kmh-a\\Kmserver.exe", L"C:\\kmh-b\\Kmserver.exe" };
    static const uint16_t versions[][4] = { { 5, 5, 1960, 6 }, { 5, 5, 2650, 21 }, { 5, 5, 1960, 6 } };
    for (size_t round = 0; round < 3; round++) {
        for (size_t p = 0; p < 2; p++) {
            struct kmserver_image img = { KMSERVER_PE_VERSION, { 0 } };
            memcpy(img.version, versions[round], sizeof img.version);
            assert_int_equal(kmserver_place(paths[p], &img, NULL), 0);
            DWORD err;
            VS_FIXEDFILEINFO *fixed;
            UINT len;
            void *info = version_info(wpaths[p], &err);
            assert_non_null(info);
            assert_true(VerQueryValueW(info, L"\\", (void **)&fixed, &len));
            assert_int_equal(fixed->dwFileVersionMS, MAKELONG(versions[round][1], versions[round][0]));
            assert_int_equal(fixed->dwFileVersionLS, MAKELONG(versions[round][3], versions[round][2]));
            free(info);
        }
    }
}

/* Clean-up removes only what the harness created: a file something else
** dropped into a created folder stays, and so does the folder holding it
** (the clear says so with 145 ERROR_DIR_NOT_EMPTY); created folders beside
** it go. */
static void test_clear_removes_created_things_only(void **state)
{
    assert_true(CreateDirectoryW(L"C:\\kmh-pre", NULL));
    assert_int_equal(kmserver_place("C:\\kmh-pre\\a\\b\\Kmserver.exe", &v5526539, NULL), 0);
    assert_int_equal(kmserver_place("C:\\kmh-pre\\a\\c\\Kmserver.exe", &v5526539, NULL), 0);
    assert_true(is_folder(L"C:\\kmh-pre\\a\\b"));
    /* Something else drops a file into a created folder meanwhile. */
    HANDLE h = CreateFileW(L"C:\\kmh-pre\\a\\b\\backup.txt", GENERIC_WRITE, 0, NULL,
                           CREATE_NEW, 0, NULL);
    assert_true(h != INVALID_HANDLE_VALUE);
    CloseHandle(h);

    assert_int_equal(kmserver_clear(), ERROR_DIR_NOT_EMPTY);
    assert_true(exists(L"C:\\kmh-pre\\a\\b\\backup.txt"));
    assert_false(exists(L"C:\\kmh-pre\\a\\b\\Kmserver.exe"));
    assert_false(exists(L"C:\\kmh-pre\\a\\c"));
    assert_true(is_folder(L"C:\\windows\\system32"));
    assert_true(DeleteFileW(L"C:\\kmh-pre\\a\\b\\backup.txt"));
    assert_true(RemoveDirectoryW(L"C:\\kmh-pre\\a\\b"));
    assert_true(RemoveDirectoryW(L"C:\\kmh-pre\\a"));
    assert_true(RemoveDirectoryW(L"C:\\kmh-pre"));
}

static void test_clear_keeps_existing_folders(void **state)
{
    assert_int_equal(kmserver_place("C:\\windows\\Kmserver.exe", &noversion, NULL), 0);
    assert_true(exists(L"C:\\windows\\Kmserver.exe"));
    assert_int_equal(kmserver_clear(), 0);
    assert_false(exists(L"C:\\windows\\Kmserver.exe"));
    assert_true(is_folder(L"C:\\windows"));
}

static void test_new_drive_created_and_removed(void **state)
{
    char link[4096];
    snprintf(link, sizeof link, "%s/dosdevices/d:", getenv("WINEPREFIX"));
    assert_false(exists(L"D:\\"));  /* a fresh prefix has no D: */

    assert_int_equal(kmserver_place("D:\\Exchsrvr\\Bin\\Kmserver.exe", &v5526539, NULL), 0);
    assert_true(is_folder(L"D:\\"));
    assert_true(exists(L"D:\\Exchsrvr\\Bin\\Kmserver.exe"));
    assert_int_equal(GetDriveTypeW(L"D:\\"), DRIVE_FIXED);
    DWORD err;
    void *info = version_info(L"D:\\Exchsrvr\\Bin\\Kmserver.exe", &err);
    assert_non_null(info);
    free(info);

    assert_int_equal(kmserver_clear(), 0);
    assert_false(exists(L"D:\\"));
    assert_false(exists(L"D:\\Exchsrvr\\Bin\\Kmserver.exe"));
}

static void test_drive_root_file(void **state)
{
    assert_int_equal(kmserver_place("q:/Kmserver.exe", &noversion, NULL), 0);
    assert_true(exists(L"Q:\\Kmserver.exe"));
    assert_int_equal(kmserver_clear(), 0);
    assert_false(exists(L"Q:\\"));
}

/* Native path below the prefix (the test runs in a private prefix). */
static void prefix_native(char *out, size_t cap, const char *rel)
{
    snprintf(out, cap, "%s/%s", getenv("WINEPREFIX"), rel);
}

/* Leftovers of a crashed run: a backing folder without its link (E:), and
** a complete mapping of ours (F:).  The first starts empty, the second is
** adopted and removed by clear. */
static void test_leftover_drives(void **state)
{
    char path[4096];
    prefix_native(path, sizeof path, "kmharness-drives");
    mkdir(path, 0777);
    prefix_native(path, sizeof path, "kmharness-drives/e");
    assert_int_equal(mkdir(path, 0777), 0);
    prefix_native(path, sizeof path, "kmharness-drives/e/stale.txt");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    prefix_native(path, sizeof path, "kmharness-drives/f");
    assert_int_equal(mkdir(path, 0777), 0);
    prefix_native(path, sizeof path, "dosdevices/f:");
    assert_int_equal(symlink("../kmharness-drives/f", path), 0);

    assert_int_equal(kmserver_place("E:\\Kmserver.exe", &noversion, NULL), 0);
    assert_false(exists(L"E:\\stale.txt"));
    assert_int_equal(kmserver_place("F:\\Bin\\Kmserver.exe", &noversion, NULL), 0);
    assert_int_equal(kmserver_clear(), 0);
    assert_false(exists(L"E:\\"));
    assert_false(exists(L"F:\\"));
    struct stat st;
    assert_int_not_equal(lstat(path, &st), 0);
    prefix_native(path, sizeof path, "kmharness-drives");
    assert_int_not_equal(lstat(path, &st), 0);
}

static void test_invalid_paths(void **state)
{
    static const char *const bad[] = {
        "Kmserver.exe", "C:Kmserver.exe", "\\\\server\\share\\Kmserver.exe", "C:\\",
        "C:\\a\\..\\Kmserver.exe", "C:\\a\\.\\Kmserver.exe", "C:\\a\\\\Kmserver.exe",
        "C:\\a\\", "1:\\Kmserver.exe", "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(kmserver_place(bad[i], &v5526539, NULL), ERROR_INVALID_NAME);
    assert_int_equal(kmserver_place("C:\\bad\xff\\Kmserver.exe", &v5526539, NULL),
                     ERROR_NO_UNICODE_TRANSLATION);
    assert_false(exists(L"C:\\a"));
}

static void test_folder_in_the_way(void **state)
{
    assert_int_equal(kmserver_place("C:\\kmh-way\\Kmserver.exe\\inner.txt", &noversion, NULL), 0);
    assert_int_not_equal(kmserver_place("C:\\kmh-way\\Kmserver.exe", &v5526539, NULL), 0);
    assert_int_equal(kmserver_clear(), 0);
    assert_false(exists(L"C:\\kmh-way"));
}

/* "@file: ... folder" and "... text": what the version API says of them is
** what Windows says (a folder cannot be opened as a file: 5; a file with
** no image header has no resource section: 1812), and both are cleared. */
static void test_folder_and_text_kinds(void **state)
{
    DWORD err;
    assert_int_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Kmserver.exe", &folder, NULL), 0);
    assert_true(is_folder(L"C:\\Exchsrvr\\Bin\\Kmserver.exe"));
    assert_null(version_info(L"C:\\Exchsrvr\\Bin\\Kmserver.exe", &err));
    assert_int_equal(err, ERROR_ACCESS_DENIED);
    assert_int_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Kmserver.exe", &folder, NULL), 0);
    assert_int_not_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Kmserver.exe", &text, NULL), 0);

    assert_int_equal(kmserver_place("D:\\Exchsrvr\\Bin\\Kmserver.exe", &text, NULL), 0);
    assert_true(exists(L"D:\\Exchsrvr\\Bin\\Kmserver.exe"));
    assert_false(is_folder(L"D:\\Exchsrvr\\Bin\\Kmserver.exe"));
    assert_null(version_info(L"D:\\Exchsrvr\\Bin\\Kmserver.exe", &err));
    assert_int_equal(err, ERROR_RESOURCE_DATA_NOT_FOUND);
    assert_int_equal(kmserver_place("D:\\Exchsrvr\\Bin\\Kmserver.exe", &folder, NULL),
                     ERROR_ALREADY_EXISTS);

    /* A folder that was there before is not ours to remove. */
    assert_int_equal(kmserver_place("C:\\windows", &folder, NULL), 0);
    assert_int_equal(kmserver_clear(), 0);
    assert_false(exists(L"C:\\Exchsrvr"));
    assert_false(exists(L"D:\\Exchsrvr"));
    assert_true(is_folder(L"C:\\windows"));
}

static void test_cache_release_removes_cache(void **state)
{
    assert_int_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Kmserver.exe", &v5526539, NULL), 0);
    WCHAR dir[64];
    char a[64];
    snprintf(a, sizeof a, "C:\\kmharness-cache\\%lu\\5.5.2653.9.exe", (unsigned long)GetCurrentProcessId());
    MultiByteToWideChar(CP_UTF8, 0, a, -1, dir, 64);
    assert_true(exists(dir));
    kmserver_cache_release();
    assert_false(exists(dir));
    assert_false(exists(L"C:\\kmharness-cache"));
    /* The cache rebuilds on next use (another path: the file placed
    ** already holds that image, so it is not written again). */
    assert_int_equal(kmserver_place("C:\\Exchsrvr\\Kmserver.exe", &v5526539, NULL), 0);
    assert_true(exists(dir));
}

/* ---- containment: attacks a hostile scenario could make ---------------- */

/* A host folder outside the prefix, with one file VICTIM holding TEXT. */
static const char victim_text[] = "host file: must stay as it is\n";

static void make_host_dir(char *dir, size_t cap)
{
    snprintf(dir, cap, "/tmp/kmh-contain-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char victim[4096];
    snprintf(victim, sizeof victim, "%s/victim.exe", dir);
    FILE *f = fopen(victim, "w");
    assert_non_null(f);
    fputs(victim_text, f);
    fclose(f);
}

/* The host folder DIR holds exactly the untouched victim file. */
static void assert_host_untouched(const char *dir)
{
    char path[4096], buf[128] = "";
    snprintf(path, sizeof path, "%s/victim.exe", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    assert_string_equal(buf, victim_text);
    snprintf(path, sizeof path, "%s/Kmserver.exe", dir);
    struct stat st;
    assert_int_not_equal(lstat(path, &st), 0);
    snprintf(path, sizeof path, "%s/Bin", dir);
    assert_int_not_equal(lstat(path, &st), 0);
}

static void remove_host_dir(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/victim.exe", dir);
    unlink(path);
    assert_int_equal(rmdir(dir), 0);
}

/* "Z:\tmp\...\NAME": the host path DIR/NAME through Wine's Z: drive. */
static void z_path(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "Z:%s/%s", dir, name);
    for (char *p = out; *p; p++)
        if (*p == '/')
            *p = '\\';
}

static void test_refuses_host_files_through_z(void **state)
{
    char dir[64], path[4096];
    make_host_dir(dir, sizeof dir);
    const char *why = NULL;
    z_path(path, sizeof path, dir, "victim.exe");
    assert_int_equal(kmserver_place(path, &v5526539, &why), ERROR_ACCESS_DENIED);
    assert_non_null(why);
    z_path(path, sizeof path, dir, "Bin\\Kmserver.exe");
    assert_int_equal(kmserver_place(path, &noversion, NULL), ERROR_ACCESS_DENIED);
    z_path(path, sizeof path, dir, "Kmserver.exe");
    assert_int_equal(kmserver_place(path, &folder, NULL), ERROR_ACCESS_DENIED);
    assert_int_equal(kmserver_clear(), 0);
    assert_host_untouched(dir);
    remove_host_dir(dir);
}

/* Links out of drive_c (Wine links the user's Desktop to the host's home)
** and a dangling link whose target would be created on the host. */
static void test_refuses_links_to_the_host(void **state)
{
    char dir[64], link[4096], target[4096];
    make_host_dir(dir, sizeof dir);
    prefix_native(link, sizeof link, "drive_c/kmh-escape");
    assert_int_equal(symlink(dir, link), 0);
    assert_int_equal(kmserver_place("C:\\kmh-escape\\victim.exe", &v5526539, NULL),
                     ERROR_ACCESS_DENIED);
    assert_int_equal(kmserver_place("C:\\kmh-escape\\Bin\\Kmserver.exe", &v5526539, NULL),
                     ERROR_ACCESS_DENIED);
    assert_int_equal(unlink(link), 0);

    snprintf(target, sizeof target, "%s/Kmserver.exe", dir);
    prefix_native(link, sizeof link, "drive_c/kmh-dangling.exe");
    assert_int_equal(symlink(target, link), 0);
    const char *why = NULL;
    assert_int_equal(kmserver_place("C:\\kmh-dangling.exe", &noversion, &why),
                     ERROR_ACCESS_DENIED);
    assert_non_null(why);
    assert_int_equal(unlink(link), 0);
    assert_int_equal(kmserver_clear(), 0);
    assert_host_untouched(dir);
    remove_host_dir(dir);
}

/* The prefix's own files are never overwritten (nor, so, deleted later). */
static void test_refuses_files_not_its_own(void **state)
{
    DWORD err;
    void *before = version_info(L"C:\\windows\\system32\\kernel32.dll", &err);
    assert_non_null(before);
    free(before);
    const char *why = NULL;
    assert_int_equal(kmserver_place("C:\\windows\\system32\\kernel32.dll", &noversion, &why),
                     ERROR_FILE_EXISTS);
    assert_non_null(why);
    assert_int_equal(kmserver_place("c:/WINDOWS/system32/KERNEL32.DLL", &v5526539, NULL),
                     ERROR_FILE_EXISTS);
    assert_int_equal(kmserver_clear(), 0);
    void *after = version_info(L"C:\\windows\\system32\\kernel32.dll", &err);
    assert_non_null(after);  /* still the real DLL, with its version */
    free(after);
}

/* Device names and the harness's own folders, by their text alone. */
static void test_refuses_devices_and_own_folders(void **state)
{
    static const char *const bad[] = {
        "C:\\Exchsrvr\\NUL", "C:\\COM1\\Kmserver.exe", "C:\\x\\con.txt", "C:\\lpt1 .exe",
        "C:\\kmharness-cache\\1\\5.5.2653.9.exe", "C:\\a:b\\Kmserver.exe", "C:\\a?\\k.exe",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *why = NULL;
        assert_int_equal(kmserver_place(bad[i], &noversion, &why), ERROR_INVALID_NAME);
        assert_non_null(why);
    }
    char native[4096];
    struct stat st;
    prefix_native(native, sizeof native, "drive_c/COM1");  /* no folder made */
    assert_int_not_equal(lstat(native, &st), 0);
    prefix_native(native, sizeof native, "drive_c/x");
    assert_int_not_equal(lstat(native, &st), 0);
}

/* The registry list of placed things, as a later process would read it:
** is NAME listed with KIND? */
static int listed(const WCHAR *name, DWORD kind)
{
    DWORD v = 0, len = sizeof v, type = 0;
    return RegGetValueW(HKEY_LOCAL_MACHINE, L"Software\\kmharness-placed", name, RRF_RT_ANY,
                        &type, &v, &len) == ERROR_SUCCESS && type == REG_DWORD && v == kind;
}

/* Every round of place and clear in one process lists what it places in
** the registry, so that a process killed in any round leaves a list the
** next one can clear; a clear leaves no list behind. */
static void test_every_round_is_listed_durably(void **state)
{
    for (int round = 0; round < 3; round++) {
        assert_int_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Kmserver.exe", &noversion, NULL), 0);
        assert_true(listed(L"C:\\Exchsrvr", 2));
        assert_true(listed(L"C:\\Exchsrvr\\Bin", 2));
        assert_true(listed(L"C:\\Exchsrvr\\Bin\\Kmserver.exe", 1));
        assert_int_equal(kmserver_clear(), 0);
        assert_false(exists(L"C:\\Exchsrvr"));
        assert_false(listed(L"C:\\Exchsrvr\\Bin\\Kmserver.exe", 1));
    }
}

/* The floppy's file: exact bytes on a new A: drive, listed, and gone with
** the drive on clear; refused outside the drives like an image. */
static void test_place_file_on_floppy(void **state)
{
    static const char ini[] = "kmharness-token:00ff\r\n";
    assert_false(exists(L"A:\\"));
    assert_int_equal(kmserver_place_file("A:\\Kmspwd.ini", ini, sizeof ini - 1, NULL), 0);
    assert_true(listed(L"A:\\Kmspwd.ini", 1));
    HANDLE h = CreateFileW(L"A:\\Kmspwd.ini", GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    assert_true(h != INVALID_HANDLE_VALUE);
    char got[64];
    DWORD n = 0;
    assert_true(ReadFile(h, got, sizeof got, &n, NULL));
    CloseHandle(h);
    assert_int_equal(n, sizeof ini - 1);
    assert_memory_equal(got, ini, n);

    char dir[64], path[4096];
    const char *why = NULL;
    make_host_dir(dir, sizeof dir);
    z_path(path, sizeof path, dir, "Kmspwd.ini");
    assert_int_equal(kmserver_place_file(path, ini, sizeof ini - 1, &why), ERROR_ACCESS_DENIED);
    assert_non_null(why);
    assert_int_equal(kmserver_clear(), 0);
    assert_false(exists(L"A:\\"));
    assert_host_untouched(dir);
    remove_host_dir(dir);
}

/* ---- between the scenarios of a run ------------------------------------ */

/* The size of the file PATH (-1 when it cannot be read). */
static long long file_size(const WCHAR *path)
{
    WIN32_FILE_ATTRIBUTE_DATA fad;
    if (!GetFileAttributesExW(path, GetFileExInfoStandard, &fad))
        return -1;
    return ((long long)fad.nFileSizeHigh << 32) | fad.nFileSizeLow;
}

/* Append one byte to PATH, as something other than the harness would. */
static void append_byte(const WCHAR *path)
{
    HANDLE h = CreateFileW(path, FILE_APPEND_DATA, 0, NULL, OPEN_EXISTING, 0, NULL);
    assert_true(h != INVALID_HANDLE_VALUE);
    DWORD n;
    assert_true(WriteFile(h, "x", 1, &n, NULL));
    CloseHandle(h);
}

/* The FileVersion string the version API reads from PATH, into OUT. */
static void read_version_string(const WCHAR *path, char *out, size_t cap)
{
    DWORD err;
    void *info = version_info(path, &err);
    assert_non_null(info);
    WCHAR *value = NULL;
    UINT len = 0;
    assert_true(VerQueryValueW(info, L"\\StringFileInfo\\040904B0\\FileVersion", (void **)&value,
                               &len));
    assert_true(WideCharToMultiByte(CP_UTF8, 0, value, -1, out, (int)cap, NULL, NULL) > 0);
    free(info);
}

/* The same image at the same path is kept as it is (the byte appended
** after the first placement is still there: not rewritten); another image
** there is written; the sweep keeps both as they are. */
static void test_next_scenario_keeps_the_same_file(void **state)
{
    const WCHAR *path = L"C:\\Exchsrvr\\Bin\\Kmserver.exe";
    const struct kmserver_image other = { KMSERVER_PE_VERSION, { 5, 5, 2448, 8 } };
    assert_int_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Kmserver.exe", &v5526539, NULL), 0);
    long long size = file_size(path);
    append_byte(path);
    kmserver_retire();
    assert_int_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Kmserver.exe", &v5526539, NULL), 0);
    assert_int_equal(kmserver_sweep(), 0);
    assert_int_equal(file_size(path), size + 1);

    kmserver_retire();
    assert_int_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Kmserver.exe", &other, NULL), 0);
    assert_int_equal(kmserver_sweep(), 0);
    assert_int_equal(file_size(path), size);
    char version[32];
    read_version_string(path, version, sizeof version);
    assert_string_equal(version, "5.5.2448.8");
}

/* What the scenario before placed and this one does not goes at the
** sweep, and off the durable list: files, folders, a drive; what it places
** again stays listed. */
static void test_sweep_removes_what_is_not_placed_again(void **state)
{
    assert_int_equal(kmserver_place("C:\\kmh-a\\x\\Kmserver.exe", &v5526539, NULL), 0);
    assert_int_equal(kmserver_place("C:\\kmh-a\\Kmserver.exe", &noversion, NULL), 0);
    assert_int_equal(kmserver_place("D:\\Exchsrvr\\Kmserver.exe", &text, NULL), 0);
    assert_int_equal(kmserver_place("C:\\kmh-f\\Kmserver.exe", &folder, NULL), 0);
    kmserver_retire();
    assert_true(listed(L"C:\\kmh-a\\x", 2));  /* retired, still listed */
    assert_int_equal(kmserver_place("C:\\kmh-a\\Kmserver.exe", &noversion, NULL), 0);
    assert_int_equal(kmserver_sweep(), 0);

    assert_true(exists(L"C:\\kmh-a\\Kmserver.exe"));
    assert_true(listed(L"C:\\kmh-a\\Kmserver.exe", 1));
    assert_true(listed(L"C:\\kmh-a", 2));
    assert_false(exists(L"C:\\kmh-a\\x"));
    assert_false(listed(L"C:\\kmh-a\\x", 2));
    assert_false(listed(L"C:\\kmh-a\\x\\Kmserver.exe", 1));
    assert_false(exists(L"C:\\kmh-f"));
    assert_false(exists(L"D:\\"));
    assert_false(listed(L"d", 3));

    /* Nothing placed at all: the sweep leaves nothing. */
    kmserver_retire();
    assert_int_equal(kmserver_sweep(), 0);
    assert_false(exists(L"C:\\kmh-a"));
    assert_false(listed(L"C:\\kmh-a", 2));
}

/* A folder where the file now goes, the file where a folder is now needed,
** and names spelled another way: each scenario gets what it asks for. */
static void test_next_scenario_changes_kinds_and_spelling(void **state)
{
    assert_int_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Kmserver.exe", &folder, NULL), 0);
    kmserver_retire();
    assert_int_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Kmserver.exe", &v5526539, NULL), 0);
    assert_int_equal(kmserver_sweep(), 0);
    assert_false(is_folder(L"C:\\Exchsrvr\\Bin\\Kmserver.exe"));
    char version[32];
    read_version_string(L"C:\\Exchsrvr\\Bin\\Kmserver.exe", version, sizeof version);
    assert_string_equal(version, "5.5.2653.9");

    kmserver_retire();
    assert_int_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Kmserver.exe\\Kmserver.exe", &text, NULL),
                     0);
    assert_int_equal(kmserver_sweep(), 0);
    assert_true(is_folder(L"C:\\Exchsrvr\\Bin\\Kmserver.exe"));

    kmserver_retire();
    assert_int_equal(kmserver_place("C:\\EXCHSRVR\\bin\\KMSERVER.EXE", &noversion, NULL), 0);
    assert_int_equal(kmserver_sweep(), 0);
    WIN32_FIND_DATAW fd;
    HANDLE find = FindFirstFileW(L"C:\\EXCHSRVR", &fd);
    assert_true(find != INVALID_HANDLE_VALUE);
    FindClose(find);
    assert_int_equal(lstrcmpW(fd.cFileName, L"EXCHSRVR"), 0);  /* the new spelling */
    assert_false(is_folder(L"C:\\EXCHSRVR\\bin\\KMSERVER.EXE"));
    assert_int_equal(file_size(L"C:\\EXCHSRVR\\bin\\KMSERVER.EXE"), kmserver_template_len);
}

/* Below a folder of the harness, what something else put there is found
** anyway: a file is not overwritten (80), a link not written through (5),
** and neither is listed. */
static void test_fast_way_refuses_what_is_not_ours(void **state)
{
    assert_int_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Kmserver.exe", &v5526539, NULL), 0);
    HANDLE h = CreateFileW(L"C:\\Exchsrvr\\Bin\\Other.exe", GENERIC_WRITE, 0, NULL, CREATE_NEW,
                           0, NULL);
    assert_true(h != INVALID_HANDLE_VALUE);
    CloseHandle(h);
    const char *why = NULL;
    assert_int_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Other.exe", &v5526539, &why),
                     ERROR_FILE_EXISTS);
    assert_non_null(why);
    assert_int_equal(file_size(L"C:\\Exchsrvr\\Bin\\Other.exe"), 0);
    assert_false(listed(L"C:\\Exchsrvr\\Bin\\Other.exe", 1));
    assert_true(DeleteFileW(L"C:\\Exchsrvr\\Bin\\Other.exe"));

    char dir[64], link[4096], target[4096];
    make_host_dir(dir, sizeof dir);
    snprintf(target, sizeof target, "%s/Kmserver.exe", dir);
    prefix_native(link, sizeof link, "drive_c/Exchsrvr/Bin/Linked.exe");
    assert_int_equal(symlink(target, link), 0);
    kmserver_retire();
    assert_int_equal(kmserver_place("C:\\Exchsrvr\\Bin\\Linked.exe", &noversion, &why),
                     ERROR_ACCESS_DENIED);
    assert_false(listed(L"C:\\Exchsrvr\\Bin\\Linked.exe", 1));
    assert_int_equal(unlink(link), 0);
    assert_host_untouched(dir);
    remove_host_dir(dir);
}

/* The decoy is a PE of its own (not the server image), listed and cleared. */
static void test_decoy_placed_and_cleared(void **state)
{
    extern const unsigned long kms_decoy_image_len;
    const struct kmserver_image decoy = { KMSERVER_DECOY, { 0 } };
    assert_int_equal(kmserver_place("C:\\Program.exe", &decoy, NULL), 0);
    assert_true(listed(L"C:\\Program.exe", 1));
    WIN32_FILE_ATTRIBUTE_DATA fad;
    assert_true(GetFileAttributesExW(L"C:\\Program.exe", GetFileExInfoStandard, &fad));
    assert_int_equal(fad.nFileSizeLow, kms_decoy_image_len);
    DWORD type = 99;
    assert_true(GetBinaryTypeW(L"C:\\Program.exe", &type));
    assert_int_equal(type, SCS_64BIT_BINARY);
    assert_int_equal(kmserver_clear(), 0);
    assert_false(exists(L"C:\\Program.exe"));
}

static int group_teardown(void **state)
{
    kmserver_cache_release();
    return 0;
}

int wmain(int argc, WCHAR **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_version_fields_read_back, teardown),
        cmocka_unit_test_teardown(test_noversion_has_no_resources, teardown),
        cmocka_unit_test_teardown(test_same_path_twice_last_wins, teardown),
        cmocka_unit_test_teardown(test_cached_versions_stay_distinct, teardown),
        cmocka_unit_test_teardown(test_clear_removes_created_things_only, teardown),
        cmocka_unit_test_teardown(test_clear_keeps_existing_folders, teardown),
        cmocka_unit_test_teardown(test_new_drive_created_and_removed, teardown),
        cmocka_unit_test_teardown(test_drive_root_file, teardown),
        cmocka_unit_test_teardown(test_leftover_drives, teardown),
        cmocka_unit_test_teardown(test_invalid_paths, teardown),
        cmocka_unit_test_teardown(test_folder_in_the_way, teardown),
        cmocka_unit_test_teardown(test_folder_and_text_kinds, teardown),
        cmocka_unit_test_teardown(test_cache_release_removes_cache, teardown),
        cmocka_unit_test_teardown(test_every_round_is_listed_durably, teardown),
        cmocka_unit_test_teardown(test_next_scenario_keeps_the_same_file, teardown),
        cmocka_unit_test_teardown(test_sweep_removes_what_is_not_placed_again, teardown),
        cmocka_unit_test_teardown(test_next_scenario_changes_kinds_and_spelling, teardown),
        cmocka_unit_test_teardown(test_fast_way_refuses_what_is_not_ours, teardown),
        cmocka_unit_test_teardown(test_refuses_host_files_through_z, teardown),
        cmocka_unit_test_teardown(test_refuses_links_to_the_host, teardown),
        cmocka_unit_test_teardown(test_refuses_files_not_its_own, teardown),
        cmocka_unit_test_teardown(test_refuses_devices_and_own_folders, teardown),
        cmocka_unit_test_teardown(test_place_file_on_floppy, teardown),
        cmocka_unit_test_teardown(test_decoy_placed_and_cleared, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
