/*
** kmserver.c: places the emulated Kmserver.exe images in the Wine prefix
** and removes them again (see kmserver.h).
**
** Files and folders go through the Win32 API, like everything the probe
** later looks at.  Only the drive mappings are made natively: a Wine drive
** is a symlink in $WINEPREFIX/dosdevices, which no Win32 call creates
** persistently.  Everything created is recorded, before it is created,
** in the registry list PLACED_KEY (one value per file, folder or drive:
** name = the path or drive letter, data = its kind), so that
** kmserver_clear() can undo exactly that and nothing else, even in a later
** process when the one that placed them was killed.
*/
#define _GNU_SOURCE  /* nftw's FTW_DEPTH/FTW_PHYS */
#include <windows.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kmserver.h"
#include "verblob.h"
#include "winpath.h"

/* The images, embedded by the Makefile (build/gen): the noversion PE (a
** winebuild fake module: the version API reads it, nothing can run it),
** the runnable service program that versioned images are stamped from, and
** the decoy (emu/kms/). */
extern const unsigned char kmserver_template[], kms_server_image[], kms_decoy_image[];
extern const unsigned long kmserver_template_len, kms_server_image_len, kms_decoy_image_len;

/* The durable list of what kmserver_place created; the registry, like the
** regapply journal, so that a killed process's list outlives it. */
#define PLACED_KEY L"Software\\kmharness-placed"

enum placed_kind {
    PLACED_FILE = 1,
    PLACED_FOLDER = 2,
    PLACED_DRIVE = 3,    /* name: the lower-case drive letter */
};

static struct {
    WCHAR dir[MAX_PATH];              /* C:\kmharness-cache\<pid>; "" until made */
    uint16_t (*versions)[4];          /* versions already built there */
    size_t n, cap;
} cache;

static const char drives_dir[] = "kmharness-drives";
#define CACHE_ROOT "C:\\kmharness-cache"
static const char cache_root_a[] = CACHE_ROOT;
static const WCHAR cache_root[] = L"" CACHE_ROOT;

/* ---- small helpers ---------------------------------------------------- */

/* The list, kept open from the first placement until kmserver_clear()
** deletes it: recording a placement is then one request to the server. */
static HKEY placed_list;

/* Open (creating it) the list, once. */
static long open_placed_list(void)
{
    if (placed_list)
        return ERROR_SUCCESS;
    long rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, PLACED_KEY, 0, NULL, 0,
                              KEY_SET_VALUE | KEY_QUERY_VALUE, NULL, &placed_list, NULL);
    if (rc != ERROR_SUCCESS)
        placed_list = NULL;
    return rc;
}

/* Record NAME as created (or about to be) with KIND. */
static long note_placed(enum placed_kind kind, const WCHAR *name)
{
    DWORD v = kind;
    long rc = open_placed_list();
    return rc ? rc : RegSetValueExW(placed_list, name, 0, REG_DWORD, (const BYTE *)&v, sizeof v);
}

/* Take NAME off the list: it turned out not to be ours. */
static void forget_placed(const WCHAR *name)
{
    if (placed_list)
        RegDeleteValueW(placed_list, name);
}

static void close_placed_list(void)
{
    if (placed_list)
        RegCloseKey(placed_list);
    placed_list = NULL;
}

/* ASCII S into OUT (CAP units, always terminated). */
static void ascii_to_wide(const char *s, WCHAR *out, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        out[i] = (WCHAR)(unsigned char)s[i];
    out[i] = 0;
}

static WCHAR *utf8_to_wide(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    if (n <= 0)
        return NULL;
    WCHAR *w = malloc((size_t)n * sizeof *w);
    if (w && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
        free(w);
        return NULL;
    }
    return w;
}

/* Keep the first error met, as kmserver_clear promises. */
static void keep_first(long *first, long rc)
{
    if (*first == ERROR_SUCCESS)
        *first = rc;
}

/* ---- paths ------------------------------------------------------------ */

/* Turn '/' into '\' (Windows accepts both; the list and the rules of
** emu/winpath.c see one form). */
static void normalise_separators(WCHAR *path)
{
    for (WCHAR *p = path; *p; p++)
        if (*p == '/')
            *p = '\\';
}

/* ---- drives (native: the prefix's dosdevices folder) ----------------- */

static int prefix_path(char *out, size_t cap, const char *suffix)
{
    const char *prefix = getenv("WINEPREFIX");
    const char *home = getenv("HOME");
    int n = prefix && *prefix ? snprintf(out, cap, "%s/%s", prefix, suffix)
                              : snprintf(out, cap, "%s/.wine/%s", home ? home : "", suffix);
    return n > 0 && (size_t)n < cap;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* The native paths behind drive LETTER (lower case): the dosdevices link,
** the folder holding our drives, and this drive's own folder there. */
struct drive_paths {
    char link[PATH_MAX], parent[PATH_MAX], dir[PATH_MAX];
};

static int drive_paths(char letter, struct drive_paths *p)
{
    char link_rel[16], dir_rel[64];
    snprintf(link_rel, sizeof link_rel, "dosdevices/%c:", letter);
    snprintf(dir_rel, sizeof dir_rel, "%s/%c", drives_dir, letter);
    return prefix_path(p->link, sizeof p->link, link_rel)
        && prefix_path(p->parent, sizeof p->parent, drives_dir)
        && prefix_path(p->dir, sizeof p->dir, dir_rel);
}

/* Delete the native tree at PATH without following symlinks; 0 or -1. */
static int remove_native_tree(const char *path)
{
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 || errno == ENOENT ? 0 : -1;
}

/* Remove the mapping of drive LETTER and its backing folder. */
static long unmap_drive(char letter)
{
    struct drive_paths p;
    if (!drive_paths(letter, &p))
        return ERROR_FILENAME_EXCED_RANGE;
    long rc = ERROR_SUCCESS;
    if (unlink(p.link) != 0 && errno != ENOENT)
        rc = ERROR_ACCESS_DENIED;
    if (remove_native_tree(p.dir) != 0)
        rc = ERROR_ACCESS_DENIED;
    rmdir(p.parent);  /* only succeeds once no mapped drive is left */
    return rc;
}

/* Make drive LETTER exist.  A mapping left by an earlier process of ours
** (same link target) is adopted, so that it is cleared too. */
static long ensure_drive(WCHAR drive)
{
    char letter = (char)(drive | 0x20);  /* ASCII lower case */
    const WCHAR name[2] = { (WCHAR)letter, 0 };
    if (letter == 'c')
        return ERROR_SUCCESS;

    struct drive_paths p;
    char target[64], seen[64];
    snprintf(target, sizeof target, "../%s/%c", drives_dir, letter);
    if (!drive_paths(letter, &p))
        return ERROR_INVALID_DRIVE;

    ssize_t n = readlink(p.link, seen, sizeof seen - 1);
    if (n >= 0) {
        seen[n] = 0;
        if (strcmp(seen, target) == 0)
            return note_placed(PLACED_DRIVE, name);
        return ERROR_SUCCESS;  /* the prefix has this drive already */
    }
    struct stat st;
    if (lstat(p.link, &st) == 0)
        return ERROR_SUCCESS;  /* a drive that is not a symlink: the prefix's own */

    /* Listed first, so that a kill half-way still leaves it listed. */
    long rc = note_placed(PLACED_DRIVE, name);
    if (rc != ERROR_SUCCESS)
        return rc;
    /* A backing folder without its link is a leftover: start empty. */
    if (remove_native_tree(p.dir) != 0
        || (mkdir(p.parent, 0777) != 0 && errno != EEXIST)
        || mkdir(p.dir, 0777) != 0
        || symlink(target, p.link) != 0)
        return ERROR_INVALID_DRIVE;
    return ERROR_SUCCESS;
}

/* ---- containment: nothing placed outside the emulated drives ---------- */

/* Is the native PATH (resolved: no symlinks left) ROOT itself or inside it? */
static int is_within(const char *path, const char *root)
{
    size_t n = strlen(root);
    return !strncmp(path, root, n) && (path[n] == '/' || path[n] == 0);
}

/* Does the native PATH resolve inside the prefix's drive_c or inside the
** folder of the drives the harness maps itself? */
static int resolves_inside_drives(const char *path)
{
    char real[PATH_MAX], root[PATH_MAX], root_real[PATH_MAX];
    if (!realpath(path, real))
        return 0;
    if (prefix_path(root, sizeof root, "drive_c") && realpath(root, root_real) &&
        is_within(real, root_real))
        return 1;
    return prefix_path(root, sizeof root, drives_dir) && realpath(root, root_real) &&
           is_within(real, root_real);
}

/* The native name Wine gives the Windows PATH, or NULL. */
static char *native_name(const WCHAR *path)
{
    char *unix_name = wine_get_unix_file_name(path);
    char *copy = unix_name ? strdup(unix_name) : NULL;
    HeapFree(GetProcessHeap(), 0, unix_name);
    return copy;
}

/* The deepest folder on PATH's way that exists (at least "X:\") must
** resolve inside the emulated drives: then every folder created below it,
** and the file, stay inside too.  A drive mapped to the host (Wine's Z:
** is /) or a link out of drive_c (Wine links the user's Desktop and
** Documents to the host's home) is refused here, before anything exists. */
static long check_contained(const WCHAR *path, const char **why)
{
    size_t n = (size_t)lstrlenW(path);
    WCHAR *way = malloc((n + 1) * sizeof *way);
    if (!way)
        return ERROR_NOT_ENOUGH_MEMORY;
    memcpy(way, path, (n + 1) * sizeof *way);
    while (GetFileAttributesW(way) == INVALID_FILE_ATTRIBUTES && n > 3) {
        while (n > 3 && way[n - 1] != '\\')
            n--;
        way[n > 3 ? --n : n] = 0;  /* "X:\a\b" -> "X:\a"; "X:\a" -> "X:\" */
    }
    char *native = native_name(way);
    int inside = native && resolves_inside_drives(native);
    free(native);
    free(way);
    if (inside)
        return ERROR_SUCCESS;
    *why = "the path leads outside the prefix's emulated drives (to the host)";
    return ERROR_ACCESS_DENIED;
}

/* Is PATH on the list of what the harness placed? */
static int is_listed(const WCHAR *path)
{
    return open_placed_list() == ERROR_SUCCESS &&
           RegQueryValueExW(placed_list, path, NULL, NULL, NULL, NULL) == ERROR_SUCCESS;
}

/* The file itself: never one the harness did not create (the prefix's own
** kernel32.dll, say), never a link (a dangling one would be followed to
** the host by the write). */
static long check_target(const WCHAR *path, const char **why)
{
    DWORD attr = GetFileAttributesW(path);
    if (attr != INVALID_FILE_ATTRIBUTES && !(attr & FILE_ATTRIBUTE_DIRECTORY) &&
        !is_listed(path)) {
        *why = "a file the harness did not create is there; it is never overwritten";
        return ERROR_FILE_EXISTS;
    }
    char *native = native_name(path);
    struct stat st;
    int link = native && lstat(native, &st) == 0 && S_ISLNK(st.st_mode);
    free(native);
    if (link) {
        *why = "the path is a symbolic link; the harness never writes through one";
        return ERROR_ACCESS_DENIED;
    }
    return ERROR_SUCCESS;
}

/* ---- folders and files (Win32) ---------------------------------------- */

static long remove_children(const WCHAR *path);

/* Create the folder PATH if it is missing, listing it first (a folder
** that was there already is not ours and stays off the list). */
static long create_folder(const WCHAR *path)
{
    if (GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES)
        return ERROR_SUCCESS;
    long rc = note_placed(PLACED_FOLDER, path);
    if (rc == ERROR_SUCCESS && !CreateDirectoryW(path, NULL)) {
        rc = (long)GetLastError();
        forget_placed(path);
    }
    return rc == ERROR_ALREADY_EXISTS ? ERROR_SUCCESS : rc;
}

/* Create the folders leading to the file PATH, listing those made. */
static long ensure_parent_folders(WCHAR *path)
{
    for (WCHAR *p = path + 3; *p; p++) {
        if (*p != '\\')
            continue;
        *p = 0;
        long rc = create_folder(path);
        *p = '\\';
        if (rc != ERROR_SUCCESS)
            return rc;
    }
    return ERROR_SUCCESS;
}

static long write_file(const WCHAR *path, const void *data, DWORD len)
{
    HANDLE h = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return (long)GetLastError();
    DWORD written = 0;
    long rc = WriteFile(h, data, len, &written, NULL) && written == len
              ? ERROR_SUCCESS : (long)GetLastError();
    if (!CloseHandle(h) && rc == ERROR_SUCCESS)
        rc = (long)GetLastError();
    return rc;
}

/* Delete the folder PATH's contents, then the folder. */
static long remove_tree(const WCHAR *path)
{
    long rc = remove_children(path);
    if (!RemoveDirectoryW(path) && GetLastError() != ERROR_FILE_NOT_FOUND
        && GetLastError() != ERROR_PATH_NOT_FOUND)
        keep_first(&rc, (long)GetLastError());
    return rc;
}

/* PATH + "\" + NAME, malloc'd. */
static WCHAR *join(const WCHAR *path, const WCHAR *name)
{
    size_t n = (size_t)lstrlenW(path), m = (size_t)lstrlenW(name);
    WCHAR *j = malloc((n + m + 2) * sizeof *j);
    if (j) {
        memcpy(j, path, n * sizeof *j);
        j[n] = '\\';
        memcpy(j + n + 1, name, (m + 1) * sizeof *j);
    }
    return j;
}

static long remove_children(const WCHAR *path)
{
    WCHAR *pattern = join(path, L"*");
    if (!pattern)
        return ERROR_NOT_ENOUGH_MEMORY;
    WIN32_FIND_DATAW fd;
    HANDLE find = FindFirstFileW(pattern, &fd);
    free(pattern);
    if (find == INVALID_HANDLE_VALUE)
        return ERROR_SUCCESS;  /* nothing inside, or the folder is gone */
    long rc = ERROR_SUCCESS;
    do {
        if (!lstrcmpW(fd.cFileName, L".") || !lstrcmpW(fd.cFileName, L".."))
            continue;
        WCHAR *child = join(path, fd.cFileName);
        if (!child)
            keep_first(&rc, ERROR_NOT_ENOUGH_MEMORY);
        else if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
            keep_first(&rc, remove_tree(child));
        else if (!DeleteFileW(child))
            keep_first(&rc, (long)GetLastError());
        free(child);
    } while (FindNextFileW(find, &fd));
    FindClose(find);
    return rc;
}

/* ---- the cache of versioned images ----------------------------------- */

static long ensure_cache_dir(void)
{
    if (cache.dir[0])
        return ERROR_SUCCESS;
    char name[64];
    WCHAR dir[MAX_PATH];
    CreateDirectoryW(cache_root, NULL);  /* may exist: shared by all processes */
    snprintf(name, sizeof name, "%s\\%lu", cache_root_a, (unsigned long)GetCurrentProcessId());
    ascii_to_wide(name, dir, MAX_PATH);
    if (!CreateDirectoryW(dir, NULL) && GetLastError() != ERROR_ALREADY_EXISTS)
        return (long)GetLastError();
    lstrcpyW(cache.dir, dir);
    return ERROR_SUCCESS;
}

static void cache_file_name(const uint16_t v[4], WCHAR out[MAX_PATH])
{
    char name[32];
    snprintf(name, sizeof name, "\\%u.%u.%u.%u.exe", v[0], v[1], v[2], v[3]);
    lstrcpyW(out, cache.dir);
    size_t n = (size_t)lstrlenW(out);
    ascii_to_wide(name, out + n, MAX_PATH - n);
}

static int cache_has(const uint16_t v[4])
{
    for (size_t i = 0; i < cache.n; i++)
        if (!memcmp(cache.versions[i], v, sizeof cache.versions[i]))
            return 1;
    return 0;
}

static long cache_remember(const uint16_t v[4])
{
    if (cache.n == cache.cap) {
        size_t cap = cache.cap ? 2 * cache.cap : 8;
        uint16_t (*versions)[4] = realloc(cache.versions, cap * sizeof *versions);
        if (!versions)
            return ERROR_NOT_ENOUGH_MEMORY;
        cache.versions = versions;
        cache.cap = cap;
    }
    memcpy(cache.versions[cache.n++], v, sizeof cache.versions[0]);
    return ERROR_SUCCESS;
}

/* Write the service program to PATH and give it the VERSIONINFO for V. */
static long build_versioned(const WCHAR *path, const uint16_t v[4])
{
    long rc = write_file(path, kms_server_image, (DWORD)kms_server_image_len);
    if (rc != ERROR_SUCCESS)
        return rc;
    size_t len = 0;
    uint8_t *blob = verblob_build(v, &len);
    if (!blob)
        return ERROR_NOT_ENOUGH_MEMORY;
    HANDLE h = BeginUpdateResourceW(path, FALSE);
    if (!h)
        rc = (long)GetLastError();
    else if (!UpdateResourceW(h, (LPCWSTR)RT_VERSION, MAKEINTRESOURCEW(VS_VERSION_INFO),
                              MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), blob, (DWORD)len)) {
        rc = (long)GetLastError();
        EndUpdateResourceW(h, TRUE);  /* discard */
    } else if (!EndUpdateResourceW(h, FALSE))
        rc = (long)GetLastError();
    free(blob);
    return rc;
}

/* The cached image for V, built on first use; its name in OUT. */
static long cached_image(const uint16_t v[4], WCHAR out[MAX_PATH])
{
    long rc = ensure_cache_dir();
    if (rc != ERROR_SUCCESS)
        return rc;
    cache_file_name(v, out);
    if (cache_has(v))
        return ERROR_SUCCESS;
    rc = build_versioned(out, v);
    return rc == ERROR_SUCCESS ? cache_remember(v) : rc;
}

/* ---- public ------------------------------------------------------------ */

static int is_folder(const WCHAR *path)
{
    DWORD a = GetFileAttributesW(path);
    return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
}

/* What a "text" Kmserver.exe holds: plain text, no MZ header. */
static const char text_image[] = "Kmserver.exe: a text file, not a program.\r\n";

/* A folder named like the file; one that is there already is kept (and
** stays unlisted unless we made it), a file in the way is not replaced. */
static long place_folder(const WCHAR *path)
{
    DWORD attr = GetFileAttributesW(path);
    if (attr != INVALID_FILE_ATTRIBUTES && !(attr & FILE_ATTRIBUTE_DIRECTORY))
        return ERROR_ALREADY_EXISTS;
    return create_folder(path);
}

/* What to write: an image of a kind, or BYTES (kmserver_place_file). */
struct content {
    const struct kmserver_image *image;  /* NULL: BYTES */
    const void *bytes;
    size_t len;
};

static long place_image(const WCHAR *path, const struct content *what)
{
    const struct kmserver_image *image = what->image;
    if (!image)
        return what->len > MAXDWORD ? ERROR_INVALID_PARAMETER
                                    : write_file(path, what->bytes, (DWORD)what->len);
    switch (image->kind) {
    case KMSERVER_FOLDER:
        return place_folder(path);
    case KMSERVER_TEXT:
        return write_file(path, text_image, (DWORD)(sizeof text_image - 1));
    case KMSERVER_PE_NOVERSION:
        return write_file(path, kmserver_template, (DWORD)kmserver_template_len);
    case KMSERVER_DECOY:
        return write_file(path, kms_decoy_image, (DWORD)kms_decoy_image_len);
    case KMSERVER_PE_VERSION: {
        WCHAR cached[MAX_PATH];
        long rc = cached_image(image->version, cached);
        if (rc == ERROR_SUCCESS && !CopyFileW(cached, path, FALSE))
            rc = (long)GetLastError();
        return rc;
    }
    }
    return ERROR_INVALID_PARAMETER;
}

static long place(const char *winpath, const struct content *what, const char **why)
{
    const char *ignored;
    if (!why)
        why = &ignored;
    *why = NULL;
    WCHAR *path = utf8_to_wide(winpath);
    if (!path)
        return ERROR_NO_UNICODE_TRANSLATION;
    normalise_separators(path);
    long rc = ERROR_SUCCESS;
    if ((*why = winpath_refusal(path, (size_t)lstrlenW(path))) != NULL)
        rc = ERROR_INVALID_NAME;
    if (rc == ERROR_SUCCESS)
        rc = ensure_drive(path[0]);
    if (rc == ERROR_SUCCESS)
        rc = check_contained(path, why);
    if (rc == ERROR_SUCCESS)
        rc = ensure_parent_folders(path);
    if (rc == ERROR_SUCCESS)
        rc = check_target(path, why);
    if (rc != ERROR_SUCCESS) {
        free(path);
        return rc;
    }
    /* Listed before the write, so that a failed, partial or killed write
    ** is cleared too; a folder in the way stays unlisted (it is not ours,
    ** and the write fails on it).  A placed folder lists itself. */
    if ((!what->image || what->image->kind != KMSERVER_FOLDER) && !is_folder(path))
        rc = note_placed(PLACED_FILE, path);
    if (rc == ERROR_SUCCESS)
        rc = place_image(path, what);
    free(path);
    return rc;
}

long kmserver_place(const char *winpath, const struct kmserver_image *image, const char **why)
{
    const struct content what = { image, NULL, 0 };
    return place(winpath, &what, why);
}

long kmserver_place_file(const char *winpath, const void *bytes, size_t len, const char **why)
{
    const struct content what = { NULL, bytes, len };
    return place(winpath, &what, why);
}

/* One entry of the list PLACED_KEY. */
struct placed {
    DWORD kind;
    WCHAR *name;
};

/* Every entry of the open LIST in *OUT (malloc'ed), read in one pass;
** returns their count. */
static size_t list_placed(HKEY list, struct placed **out)
{
    DWORD count = 0;
    *out = NULL;
    if (RegQueryInfoKeyW(list, NULL, NULL, NULL, NULL, NULL, NULL, &count, NULL, NULL, NULL,
                         NULL) || !count || !(*out = calloc(count, sizeof **out)))
        return 0;
    WCHAR name[16384];  /* the longest value name the registry allows */
    size_t n = 0;
    for (DWORD i = 0; i < count; i++) {
        DWORD len = ARRAYSIZE(name), type, kind = 0, size = sizeof kind;
        LONG rc = RegEnumValueW(list, i, name, &len, NULL, &type, (BYTE *)&kind, &size);
        if (rc == ERROR_NO_MORE_ITEMS)
            break;
        if (rc != ERROR_SUCCESS || type != REG_DWORD || size != sizeof kind)
            continue;
        size_t bytes = ((size_t)len + 1) * sizeof *name;
        if (((*out)[n].name = malloc(bytes)) != NULL) {
            memcpy((*out)[n].name, name, bytes);
            (*out)[n++].kind = kind;
        }
    }
    return n;
}

/* Removal order: files, then folders, deepest first (a folder's own path
** is shorter than anything inside it, so each is empty when its turn
** comes, unless something else was put there), then the drives. */
static int removal_order(const void *a, const void *b)
{
    const struct placed *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    int lx = lstrlenW(x->name), ly = lstrlenW(y->name);
    return lx > ly ? -1 : lx < ly ? 1 : 0;
}

static int is_gone(DWORD error)
{
    return error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND;
}

/* Remove one listed thing. */
static long remove_placed(DWORD kind, const WCHAR *name)
{
    switch (kind) {
    case PLACED_FILE:
        if (!DeleteFileW(name) && !is_gone(GetLastError()))
            return (long)GetLastError();
        return ERROR_SUCCESS;
    case PLACED_FOLDER:
        /* Empty by now, unless something the harness did not create was
        ** put inside: that is not ours to delete, so the folder stays. */
        if (RemoveDirectoryW(name) || is_gone(GetLastError()))
            return ERROR_SUCCESS;
        return (long)GetLastError();
    case PLACED_DRIVE:
        return unmap_drive((char)name[0]);
    }
    return ERROR_SUCCESS;
}

long kmserver_clear(void)
{
    HKEY list;
    close_placed_list();
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, PLACED_KEY, 0, KEY_QUERY_VALUE, &list))
        return ERROR_SUCCESS;  /* nothing placed */
    struct placed *placed;
    size_t n = list_placed(list, &placed);
    RegCloseKey(list);
    qsort(placed, n, sizeof *placed, removal_order);
    long first = ERROR_SUCCESS;
    for (size_t i = 0; i < n; i++) {
        keep_first(&first, remove_placed(placed[i].kind, placed[i].name));
        free(placed[i].name);
    }
    free(placed);
    /* The list is a leaf key: one call deletes it (the tree call is for a
    ** list someone gave subkeys). */
    LONG rc = RegDeleteKeyW(HKEY_LOCAL_MACHINE, PLACED_KEY);
    if (rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND)
        rc = RegDeleteTreeW(HKEY_LOCAL_MACHINE, PLACED_KEY);
    if (rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND)
        keep_first(&first, rc);
    return first;
}

/* The process id a cache folder NAME is named after; 0 if it is none. */
static DWORD cache_owner(const WCHAR *name)
{
    DWORD pid = 0;
    for (const WCHAR *p = name; *p; p++) {
        if (*p < '0' || *p > '9' || pid > 0x0fffffff)
            return 0;
        pid = pid * 10 + (DWORD)(*p - '0');
    }
    return pid;
}

/* Remove the caches of processes that are gone (killed before their own
** kmserver_cache_release).  Wine reuses process ids, so a dead process's
** cache may be taken for a live one's and stay: disk space, nothing more. */
static void remove_dead_caches(void)
{
    WIN32_FIND_DATAW fd;
    HANDLE find = FindFirstFileW(L"" CACHE_ROOT "\\*", &fd);
    if (find == INVALID_HANDLE_VALUE)
        return;
    do {
        DWORD pid = cache_owner(fd.cFileName);
        HANDLE process = pid ? OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid) : NULL;
        WCHAR *dir = pid && !process ? join(cache_root, fd.cFileName) : NULL;
        if (dir)
            remove_tree(dir);
        free(dir);
        if (process)
            CloseHandle(process);
    } while (FindNextFileW(find, &fd));
    FindClose(find);
}

void kmserver_cache_release(void)
{
    close_placed_list();
    if (cache.dir[0])
        remove_tree(cache.dir);
    remove_dead_caches();
    RemoveDirectoryW(cache_root);  /* fails, as it should, while another process uses it */
    free(cache.versions);
    memset(&cache, 0, sizeof cache);
}
