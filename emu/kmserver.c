/*
** kmserver.c: places the emulated Kmserver.exe images in the Wine prefix
** and removes them again (see kmserver.h).
**
** Files and folders go through the Win32 API, like everything the probe
** later looks at.  Only the drive mappings are made natively: a Wine drive
** is a symlink in $WINEPREFIX/dosdevices, which no Win32 call creates
** persistently.  Everything created is recorded, before it is created,
** in the list of emu/placed.h (durable in the registry), so that
** kmserver_clear() can undo exactly that and nothing else, even in a later
** process when the one that placed them was killed.
**
** Two ways to place: checked, the whole containment judgement against the
** prefix on disk (every placement once did this); and, below a folder or
** drive of this process's list, fast: that folder was created empty by the
** harness after its own check, and everything put in it since is on the
** list, so what is not listed there does not exist and needs no look-up
** (a Wine look-up of a missing name reads the whole folder).  The fast way
** still creates with CREATE_NEW / CreateDirectoryW, which fail on anything
** there after all; that falls back to the checked way.
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
#include "grow.h"
#include "kmserver.h"
#include "placed.h"
#include "verblob.h"
#include "winpath.h"

/* The images, embedded by the Makefile (build/gen): the noversion PE (a
** winebuild fake module: the version API reads it, nothing can run it),
** the runnable service program that versioned images are stamped from, and
** the decoy (emu/kms/). */
extern const unsigned char kmserver_template[], kms_server_image[], kms_decoy_image[];
extern const unsigned long kmserver_template_len, kms_server_image_len, kms_decoy_image_len;

/* A versioned image built in memory, to be written where it is placed. */
struct built {
    uint16_t version[4];
    BYTE *bytes;
    DWORD len;
};

static struct {
    WCHAR dir[MAX_PATH];              /* C:\kmharness-cache\<pid>; "" until made */
    struct built *v;                  /* versions already built there */
    size_t n, cap;
} cache;

static const char drives_dir[] = "kmharness-drives";
#define CACHE_ROOT "C:\\kmharness-cache"
static const char cache_root_a[] = CACHE_ROOT;
static const WCHAR cache_root[] = L"" CACHE_ROOT;

/* ---- small helpers ---------------------------------------------------- */

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
    if (letter == 'c' || placed_find(name, 1))
        return ERROR_SUCCESS;  /* C: is the prefix's; a listed drive is there */

    struct drive_paths p;
    char target[64], seen[64];
    snprintf(target, sizeof target, "../%s/%c", drives_dir, letter);
    if (!drive_paths(letter, &p))
        return ERROR_INVALID_DRIVE;

    ssize_t n = readlink(p.link, seen, sizeof seen - 1);
    if (n >= 0) {
        seen[n] = 0;
        if (strcmp(seen, target) == 0)
            return placed_note(PLACED_DRIVE, name);
        return ERROR_SUCCESS;  /* the prefix has this drive already */
    }
    struct stat st;
    if (lstat(p.link, &st) == 0)
        return ERROR_SUCCESS;  /* a drive that is not a symlink: the prefix's own */

    /* Listed first, so that a kill half-way still leaves it listed. */
    long rc = placed_note(PLACED_DRIVE, name);
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

/* The file itself: never one the harness did not create (the prefix's own
** kernel32.dll, say), never a link (a dangling one would be followed to
** the host by the write). */
static long check_target(const WCHAR *path, const char **why)
{
    DWORD attr = GetFileAttributesW(path);
    if (attr != INVALID_FILE_ATTRIBUTES && !(attr & FILE_ATTRIBUTE_DIRECTORY) &&
        !placed_is_listed(path)) {
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
    long rc = placed_note(PLACED_FOLDER, path);
    if (rc == ERROR_SUCCESS && !CreateDirectoryW(path, NULL)) {
        rc = (long)GetLastError();
        placed_forget(path);
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

/* Write DATA to PATH, opened with DISPOSITION (CREATE_ALWAYS, CREATE_NEW). */
static long write_file_as(const WCHAR *path, const void *data, DWORD len, DWORD disposition)
{
    HANDLE h = CreateFileW(path, GENERIC_WRITE, 0, NULL, disposition, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return (long)GetLastError();
    DWORD written = 0;
    long rc = WriteFile(h, data, len, &written, NULL) && written == len
              ? ERROR_SUCCESS : (long)GetLastError();
    if (!CloseHandle(h) && rc == ERROR_SUCCESS)
        rc = (long)GetLastError();
    return rc;
}

static long write_file(const WCHAR *path, const void *data, DWORD len)
{
    return write_file_as(path, data, len, CREATE_ALWAYS);
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

/* The image built for V, or NULL. */
static const struct built *cache_find(const uint16_t v[4])
{
    for (size_t i = 0; i < cache.n; i++)
        if (!memcmp(cache.v[i].version, v, sizeof cache.v[i].version))
            return &cache.v[i];
    return NULL;
}

/* The bytes of the file PATH, malloc'ed, in *BYTES and *LEN. */
static long read_whole(const WCHAR *path, BYTE **bytes, DWORD *len)
{
    HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return (long)GetLastError();
    long rc = ERROR_SUCCESS;
    DWORD size = GetFileSize(h, NULL), got = 0;
    *bytes = size != INVALID_FILE_SIZE ? malloc(size ? size : 1) : NULL;
    if (!*bytes)
        rc = ERROR_NOT_ENOUGH_MEMORY;
    else if (!ReadFile(h, *bytes, size, &got, NULL) || got != size) {
        rc = ERROR_READ_FAULT;
        free(*bytes);
        *bytes = NULL;
    }
    *len = got;
    CloseHandle(h);
    return rc;
}

/* Keep the image built at PATH for V in memory. */
static long cache_remember(const WCHAR *path, const uint16_t v[4])
{
    struct built *grown = grow_for(cache.v, &cache.cap, cache.n, sizeof *grown, 8);
    if (!grown)
        return ERROR_NOT_ENOUGH_MEMORY;
    cache.v = grown;
    struct built *b = &cache.v[cache.n];
    long rc = read_whole(path, &b->bytes, &b->len);
    if (rc == ERROR_SUCCESS) {
        memcpy(b->version, v, sizeof b->version);
        cache.n++;
    }
    return rc;
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

/* The image for V, built on first use: UpdateResourceW works on files, so
** it is built in the cache folder, then kept in memory and written from
** there wherever it is placed (one write instead of a copy: issue 12). */
static long cached_image(const uint16_t v[4], const struct built **out)
{
    if ((*out = cache_find(v)) != NULL)
        return ERROR_SUCCESS;
    WCHAR path[MAX_PATH];
    long rc = ensure_cache_dir();
    if (rc != ERROR_SUCCESS)
        return rc;
    cache_file_name(v, path);
    rc = build_versioned(path, v);
    if (rc == ERROR_SUCCESS)
        rc = cache_remember(path, v);
    *out = rc == ERROR_SUCCESS ? &cache.v[cache.n - 1] : NULL;
    return rc;
}

/* ---- what a placed file holds ----------------------------------------- */

/* What a "text" Kmserver.exe holds: plain text, no MZ header. */
static const char text_image[] = "Kmserver.exe: a text file, not a program.\r\n";

/* What to place: an image of a kind, or BYTES (kmserver_place_file). */
struct content {
    const struct kmserver_image *image;  /* NULL: BYTES */
    const void *bytes;
    size_t len;
};

static int is_folder_kind(const struct content *what)
{
    return what->image && what->image->kind == KMSERVER_FOLDER;
}

/* Does the file entry E hold WHAT already?  Only images are compared:
** the bytes of kmserver_place_file are written every time. */
static int holds(const struct placed_entry *e, const struct content *what)
{
    return e->known && what->image && !memcmp(&e->holds, what->image, sizeof e->holds);
}

/* The bytes WHAT (a file) is made of. */
static long content_bytes(const struct content *what, const void **bytes, DWORD *len)
{
    const struct kmserver_image *image = what->image;
    const struct built *b;
    long rc = ERROR_SUCCESS;
    if (!image) {
        *bytes = what->bytes, *len = (DWORD)what->len;
        return what->len > MAXDWORD ? ERROR_INVALID_PARAMETER : ERROR_SUCCESS;
    }
    switch (image->kind) {
    case KMSERVER_TEXT:
        *bytes = text_image, *len = (DWORD)(sizeof text_image - 1);
        break;
    case KMSERVER_PE_NOVERSION:
        *bytes = kmserver_template, *len = (DWORD)kmserver_template_len;
        break;
    case KMSERVER_DECOY:
        *bytes = kms_decoy_image, *len = (DWORD)kms_decoy_image_len;
        break;
    case KMSERVER_PE_VERSION:
        if ((rc = cached_image(image->version, &b)) == ERROR_SUCCESS)
            *bytes = b->bytes, *len = b->len;
        break;
    default:
        rc = ERROR_INVALID_PARAMETER;
    }
    return rc;
}

/* Write WHAT at PATH (DISPOSITION as for CreateFileW); the list entry,
** made before, says what the file now holds. */
static long write_content(const WCHAR *path, const struct content *what, DWORD disposition)
{
    const void *bytes;
    DWORD len;
    long rc = content_bytes(what, &bytes, &len);
    if (rc == ERROR_SUCCESS)
        rc = write_file_as(path, bytes, len, disposition);
    struct placed_entry *e = placed_find(path, (size_t)lstrlenW(path));
    if (e && e->kind == PLACED_FILE) {
        e->known = rc == ERROR_SUCCESS && what->image;
        if (e->known)
            e->holds = *what->image;
    }
    return rc;
}

/* ---- placing, checked against the prefix on disk ------------------------ */

static int is_folder(const WCHAR *path)
{
    DWORD a = GetFileAttributesW(path);
    return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
}

/* A folder named like the file; one that is there already is kept (and
** stays unlisted unless we made it), a file in the way is not replaced. */
static long place_folder(const WCHAR *path)
{
    DWORD attr = GetFileAttributesW(path);
    if (attr != INVALID_FILE_ATTRIBUTES && !(attr & FILE_ATTRIBUTE_DIRECTORY))
        return ERROR_ALREADY_EXISTS;
    return create_folder(path);
}

/* Every rule judged against the prefix as it is on disk. */
static long place_checked(WCHAR *path, const struct content *what, const char **why)
{
    long rc = check_contained(path, why);
    if (rc == ERROR_SUCCESS)
        rc = ensure_parent_folders(path);
    if (rc == ERROR_SUCCESS)
        rc = check_target(path, why);
    if (rc != ERROR_SUCCESS)
        return rc;
    if (is_folder_kind(what))
        return place_folder(path);  /* a placed folder lists itself */
    /* Listed before the write, so that a failed, partial or killed write
    ** is cleared too; a folder in the way stays unlisted (it is not ours,
    ** and the write fails on it). */
    if (!is_folder(path))
        rc = placed_note(PLACED_FILE, path);
    return rc ? rc : write_content(path, what, CREATE_ALWAYS);
}

/* ---- placing below a folder of the list ---------------------------------- */

static int is_gone(DWORD error)
{
    return error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND;
}

/* place_fast's answer when the way it knows does not apply. */
#define PLACE_CHECKED (-1L)

/* How many units of PATH name the deepest folder on its way that is on
** the list (or the root "X:\" of a drive on it); 0 when there is none. */
static size_t listed_way(const WCHAR *path)
{
    size_t n = 0;
    for (size_t i = 3; path[i]; i++) {
        struct placed_entry *e = path[i] == '\\' ? placed_find(path, i) : NULL;
        if (e && e->kind == PLACED_FOLDER)
            n = i;
    }
    const WCHAR drive[2] = { (WCHAR)(path[0] | 0x20), 0 };
    if (!n && placed_find(drive, 1))
        n = 3;
    return n;
}

/* Create folder PATH, which cannot exist (see the file comment). */
static long create_new_folder(const WCHAR *path)
{
    long rc = placed_note(PLACED_FOLDER, path);
    if (rc == ERROR_SUCCESS && !CreateDirectoryW(path, NULL)) {
        rc = (long)GetLastError();
        placed_forget(path);
        if (rc == ERROR_ALREADY_EXISTS || is_gone((DWORD)rc))
            rc = PLACE_CHECKED;  /* the prefix is not as listed after all */
    }
    return rc;
}

/* The file PATH, which is not on the list, so cannot exist. */
static long place_new(const WCHAR *path, const struct content *what)
{
    if (is_folder_kind(what))
        return create_new_folder(path);
    long rc = placed_note(PLACED_FILE, path);
    if (rc == ERROR_SUCCESS)
        rc = write_content(path, what, CREATE_NEW);
    if (rc == ERROR_FILE_EXISTS || rc == ERROR_ALREADY_EXISTS || is_gone((DWORD)rc)) {
        placed_forget(path);
        rc = PLACE_CHECKED;  /* the prefix is not as listed after all */
    }
    return rc;
}

/* PATH below a listed folder (see the file comment).  What was placed at
** PATH is kept when it holds WHAT already, rewritten when it is another
** file of ours; PLACE_CHECKED when this way does not apply. */
static long place_fast(WCHAR *path, const struct content *what)
{
    size_t known = listed_way(path), n = (size_t)lstrlenW(path);
    if (!known)
        return PLACE_CHECKED;
    for (size_t i = known + 1; i < n; i++) {
        if (path[i] != '\\')
            continue;
        path[i] = 0;
        long rc = create_new_folder(path);
        path[i] = '\\';
        if (rc != ERROR_SUCCESS)
            return rc;
    }
    struct placed_entry *e = placed_find(path, n);
    if (!e)
        return place_new(path, what);
    int want_file = !is_folder_kind(what);
    if (want_file != (e->kind == PLACED_FILE))
        return PLACE_CHECKED;  /* a file for a folder: refused as before */
    if (!want_file || holds(e, what))
        return ERROR_SUCCESS;
    return write_content(path, what, CREATE_ALWAYS);
}

/* ---- what the scenario before left ------------------------------------- */

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

/* Does the folder or drive CONTAINER hold the file FILE? */
static int contains(const struct placed_entry *container, const WCHAR *file)
{
    if (container->kind == PLACED_DRIVE)
        return (file[0] | 0x20) == container->name[0];
    int n = lstrlenW(container->name);
    return lstrlenW(file) > n && file[n] == '\\' &&
           CompareStringOrdinal(file, n, container->name, n, TRUE) == CSTR_EQUAL;
}

/* After a removal, what must stay listed: a file that could not be
** removed (a service image still running: 5), and the folders and drive
** holding it, so that a later clear removes them once it is stopped; not
** a folder that only holds what is not ours.  FAILED[i]: V[i] failed. */
static int stays_listed(const struct placed_entry *v, const int *failed, size_t n, size_t i)
{
    if (!failed[i])
        return 0;
    if (v[i].kind == PLACED_FILE)
        return 1;
    for (size_t j = 0; j < n; j++)
        if (failed[j] && v[j].kind == PLACED_FILE && contains(&v[i], v[j].name))
            return 1;
    return 0;
}

/* Remove the N entries V (in removal order) and take off the list all but
** what stays listed (*KEPT: whether any does).  Removed first, so a kill
** in between leaves a listed name with nothing there, which clears fine.
** Returns the first error met. */
static long remove_and_forget(const struct placed_entry *v, size_t n, int *kept)
{
    int *failed = calloc(n ? n : 1, sizeof *failed);
    long first = failed ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
    for (size_t i = 0; i < n; i++) {
        long rc = remove_placed(v[i].kind, v[i].name);
        keep_first(&first, rc);
        if (failed)
            failed[i] = rc != ERROR_SUCCESS;
    }
    *kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (failed && stays_listed(v, failed, n, i))
            *kept = 1;
        else
            placed_forget(v[i].name);
    }
    free(failed);
    return first;
}

/* Remove what is not live at or under the first N units of PREFIX (all
** of it for NULL).  A folder that holds something else stays, unlisted,
** as kmserver_clear leaves it. */
static long remove_stale(const WCHAR *prefix, size_t n)
{
    struct placed_entry *stale;
    size_t count = placed_stale(prefix, n, &stale);
    int kept;
    long first = remove_and_forget(stale, count, &kept);
    placed_free_copies(stale, count);
    return first;
}

/* What the scenario before left on PATH's way that this placement cannot
** use goes first: a file where a folder is needed, a folder where the
** file goes (or the other way round), and anything listed under another
** spelling of the name (reused, it would keep the old spelling). */
static void clear_the_way(const WCHAR *path, const struct content *what)
{
    size_t n = (size_t)lstrlenW(path);
    for (size_t i = 3; i <= n; i++) {
        if (i < n && path[i] != '\\')
            continue;
        struct placed_entry *e = placed_find(path, i);
        if (!e || e->live)
            continue;
        int want_folder = i < n || is_folder_kind(what);
        if (want_folder == (e->kind == PLACED_FOLDER) && !memcmp(e->name, path, i * sizeof *path))
            continue;
        /* What cannot be removed (a folder holding something else) stays,
        ** unlisted: the checked way then treats it as not ours. */
        remove_stale(e->name, (size_t)lstrlenW(e->name));
        return;
    }
}

/* ---- public ------------------------------------------------------------ */

static long place_at(WCHAR *path, const struct content *what, const char **why)
{
    long rc = ERROR_SUCCESS;
    if ((*why = winpath_refusal(path, (size_t)lstrlenW(path))) != NULL)
        return ERROR_INVALID_NAME;
    clear_the_way(path, what);
    rc = ensure_drive(path[0]);
    if (rc == ERROR_SUCCESS)
        rc = place_fast(path, what);
    if (rc == PLACE_CHECKED)
        rc = place_checked(path, what, why);
    placed_mark_live(path);
    return rc;
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
    long rc = place_at(path, what, why);
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

void kmserver_retire(void)
{
    placed_retire();
}

long kmserver_sweep(void)
{
    return remove_stale(NULL, 0);
}

long kmserver_clear(void)
{
    struct placed_entry *placed;
    size_t n = placed_read_durable(&placed);
    int kept = 0;
    long first = remove_and_forget(placed, n, &kept);
    placed_free_copies(placed, n);
    if (!kept)
        keep_first(&first, placed_drop_all());
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
    if (cache.dir[0])
        remove_tree(cache.dir);
    remove_dead_caches();
    RemoveDirectoryW(cache_root);  /* fails, as it should, while another process uses it */
    for (size_t i = 0; i < cache.n; i++)
        free(cache.v[i].bytes);
    free(cache.v);
    memset(&cache, 0, sizeof cache);
}

int kmserver_placed_file(const uint16_t *winpath)
{
    WCHAR full[MAX_PATH * 2];
    const WCHAR *path = (const WCHAR *)winpath;
    /* "\??\C:\x" is the object manager's name of C:\x: the same file. */
    if (path[0] == '\\' && path[1] == '?' && path[2] == '?' && path[3] == '\\')
        path += 4;
    DWORD n = GetFullPathNameW(path, ARRAYSIZE(full), full, NULL);
    if (!n || n >= ARRAYSIZE(full))
        return 0;
    DWORD attr = GetFileAttributesW(full);
    return attr != INVALID_FILE_ATTRIBUTES && !(attr & FILE_ATTRIBUTE_DIRECTORY) &&
           placed_is_listed(full);
}
