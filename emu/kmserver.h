/*
** kmserver.h: the emulated Exchange files in the Wine prefix.
**
** A scenario names where Kmserver.exe lies (its @file directives); before
** the probe runs, the harness places a real PE image there, with a
** VERSIONINFO resource saying the scenario's version or with none.  Every
** file, folder and drive mapping placed is listed in the registry before
** it is created (emu/placed.h), so kmserver_clear() brings the prefix back
** to the baseline "no emulated Exchange files on any drive", and also
** clears what a killed process placed (the list is the prefix's, not the
** process's: one harness process per prefix at a time).  Between the
** scenarios of a run, kmserver_retire() and kmserver_sweep() keep what
** the next scenario places again and remove only the rest.
**
** Drives other than C: that the prefix lacks are created on demand as
** $WINEPREFIX/dosdevices/X: -> ../kmharness-drives/x (Wine sees a new
** dosdevices link at once).  Versioned images are built once per version
** and process (service program + UpdateResourceW, ~8 ms) in a private
** cache folder on C:, kept in memory and written from there.  Win32
** (winelib) code.
*/
#ifndef KMH_KMSERVER_H
#define KMH_KMSERVER_H

#include <stdint.h>

/* What to place at a path. */
enum kmserver_kind {
    KMSERVER_PE_VERSION,    /* the runnable service program (emu/kms/kmserver_svc.c)
                            ** whose VERSIONINFO says VERSION */
    KMSERVER_PE_NOVERSION,  /* PE image with no resources at all (not runnable) */
    KMSERVER_FOLDER,        /* an empty folder named like the file */
    KMSERVER_TEXT,          /* a short text file: not an image at all */
    KMSERVER_DECOY,         /* the decoy program (emu/kms/decoy.c): only says it ran */
};

struct kmserver_image {
    enum kmserver_kind kind;
    uint16_t version[4];    /* a.b.c.d, for KMSERVER_PE_VERSION */
};

/* Place IMAGE at WINPATH (UTF-8, an absolute "X:\dir\...\name" path),
** creating missing folders and, for a drive other than C: that does not
** exist, the drive.  Placing twice at one path replaces the first image
** (a folder is never replaced by a file, nor a file by a folder: 183
** ERROR_ALREADY_EXISTS or the failing file call's error).
**
** Containment (scenarios are hostile input): the path must pass
** emu/winpath.h's rules, resolve inside the prefix's emulated drives
** (drive_c and the drives mapped here; never Z: or any link to the host),
** and not name a file the harness did not create, nor a symbolic link.
** A refusal sets *WHY (when WHY is not NULL) to a sentence saying which
** rule; *WHY is NULL for other errors.  Nothing is created on a refusal.
**
** Returns 0 or a Win32 error code: 123 ERROR_INVALID_NAME (winpath rules),
** 5 ERROR_ACCESS_DENIED (outside the drives, or a link), 80
** ERROR_FILE_EXISTS (a file not ours), 15 ERROR_INVALID_DRIVE when a drive
** cannot be created, 1113 for invalid UTF-8, else the error of the
** failing file call. */
long kmserver_place(const char *winpath, const struct kmserver_image *image, const char **why);

/* Place a small file holding the LEN BYTES at WINPATH (e.g. the floppy's
** A:\Kmspwd.ini with a token): as kmserver_place, same containment rules,
** same list and clear-up, drives (A: too) created alike. */
long kmserver_place_file(const char *winpath, const void *bytes, size_t len, const char **why);

/* Remove everything kmserver_place created since the last clear, in this
** process or in one that was killed: the files, the folders (a folder that
** holds something the harness did not put there stays, with it) and the
** drive mappings (with their contents).  Returns 0, or the first Win32 error met
** (it still removes all it can).  A file it cannot remove (the image of a
** service still running: 5 ERROR_ACCESS_DENIED) stays listed, with the
** folders holding it, so that the next clear removes them: stop services
** first. */
long kmserver_clear(void);

/* The end of a scenario in a run: what is placed stays, still listed, for
** the next scenario.  Its kmserver_place calls then keep what they place
** again (a file holding the same image is not even rewritten), and
** kmserver_sweep(), called once they are all made, removes the rest.  So
** between set-up and clear-up the prefix holds exactly what the current
** scenario placed, as with a kmserver_clear() between scenarios.  Only
** for a run in which nothing but the harness changes the prefix's files
** (run --remedy runs someone's program: it clears instead). */
void kmserver_retire(void);

/* Remove what the scenario before placed (kmserver_retire) and the
** current one did not place again.  Returns 0, or the first Win32 error
** met (it still removes all it can; what it cannot stays listed, as with
** kmserver_clear). */
long kmserver_sweep(void);

/* Is WINPATH (UTF-16, NUL-terminated) a file that kmserver_place put
** there?  The path is made full first (a "\??\" prefix dropped, then
** GetFullPathNameW: "..", "/");
** names compare as Windows' do, without regard to case.  The KM service's
** lifecycle starts only such files (harness/service.c). */
int kmserver_placed_file(const uint16_t *winpath);

/* Delete this process's cache of built images (call once, when done). */
void kmserver_cache_release(void);

#endif /* KMH_KMSERVER_H */
