/*
** keep.h: the kept original of a registry value the fix rewrites.
**
** Before the fix (emu/fix.c) writes ImagePath it saves the value it is
** about to replace, and what it will write, in a "keep file"; --rollback
** reads the newest keep file back and restores the original byte for
** byte.  The original still holds the KM server password, so keep files
** are private: mode 0600 inside a directory of mode 0700 owned by the
** caller; a directory (or file) that group or others can reach is
** refused, for writing and for reading.
**
** A keep file is durable before the registry changes: it is written to a
** temporary file, fsync'ed, linked to its final name (link, not rename,
** so an existing keep file is never replaced), and the directory is
** fsync'ed.  Names are STEM-YYYYMMDDThhmmssZ-PID[-SEQ].keep (UTC time).
** A process killed while saving leaves its temporary file
** (.STEM-PID.tmp, private like the rest) behind; keep_save() and
** keep_load_newest() remove those of processes that no longer run, so a
** copy of a password never outlives the crash by more than the next fix
** or rollback.
**
** The format is text, one field a line, data in lower-case hex:
**     kmharness keep 1
**     key <registry key path, UTF-8>
**     value <value name, UTF-8>
**     old-type <decimal>
**     old-data <hex>
**     new-type <decimal>
**     new-data <hex>
**
** Pure: POSIX file I/O only, no Win32; builds natively for unit tests.
*/
#ifndef KMH_KEEP_H
#define KMH_KEEP_H

#include <stddef.h>
#include <stdint.h>

struct keep_record {
    char key[256];       /* registry key path, UTF-8, no line breaks */
    char value[256];     /* value name, UTF-8, no line breaks */
    uint32_t old_type;   /* the value before the fix (KMH_REG_* numbers) */
    uint8_t *old_data;
    size_t old_len;
    uint32_t new_type;   /* what the fix wrote */
    uint8_t *new_data;
    size_t new_len;
};

/* The prefix's folder of kept originals, $WINEPREFIX/kmharness-keep (".",
** when WINEPREFIX is unset), into DIR (N bytes). `fix` keeps there; each
** `run` keeps in a run-PID folder inside it. */
void keep_default_dir(char *dir, size_t n);

/* Save REC in a new keep file in DIR (created with mode 0700, parents
** too, when missing) named after STEM (a plain file name part: no '/', not
** starting with '.').  On success returns 0 and puts the file's path in
** PATH (PATH_SIZE bytes).  On failure returns -1 and writes why in ERR
** (ERR_SIZE bytes; never any of the data); no keep file is left. */
int keep_save(const char *dir, const char *stem, const struct keep_record *rec,
              char *path, size_t path_size, char *err, size_t err_size);

/* Load the newest keep file for STEM from DIR into *REC (its data fields
** malloc'ed: release with keep_record_free) and put its path in PATH.
** Newest: latest timestamp in the name, then latest modification time,
** then highest sequence number.  Returns 0 when loaded, 1 when DIR holds
** no keep file for STEM (or does not exist), -1 on error (ERR says why). */
int keep_load_newest(const char *dir, const char *stem, struct keep_record *rec,
                     char *path, size_t path_size, char *err, size_t err_size);

/* Remove the keep file at PATH and make the removal durable.  Returns 0,
** or -1 with ERR set. */
int keep_discard(const char *path, char *err, size_t err_size);

/* Remove the subfolders "run-PID" of DIR (and the keep files in them)
** whose process PID no longer runs: the private folders of killed
** `kmharness run`s (harness/cmd_run.c makes them), whose originals are
** scenario values the next run's baseline undoes anyway; left alone they
** would be copies of planted passwords that nothing ever removes. */
void keep_remove_dead_runs(const char *dir);

/* Make this process's private folder for a `run`'s kept originals,
** "run-PID" in keep_default_dir(), whose path goes into DIR (N bytes).  The
** keep folder gets the checks of every keep file access: it and the run
** folder must be real folders (no symlink), ours, mode 0700 (a folder open
** to group or others is refused, never silently chmod'ed).  Returns 0, or
** -1 with ERR set. */
int keep_make_run_dir(char *dir, size_t n, char *err, size_t err_size);

/* Whether keep files, and their removal, are synced to disk (fsync of the
** file and of its folder), as the durability promise above says; on by
** default, for `fix`.  A `run` turns it off for its run-PID folder: the
** next command removes that folder once the run is gone, whatever it
** holds, so syncing buys nothing there and cost 2-3 fsyncs per fixed
** scenario (issue 12).  The steps of the crash test stay where they are:
** a killed process loses nothing the page cache holds. */
void keep_sync_to_disk(int on);

/* At the start of any command: remove what dead processes left in the
** prefix's keep folder (the run-PID folders of killed runs, the temporary
** files ".STEM-PID.tmp" of killed saves): copies of passwords nothing will
** use.  Kept originals of `fix` stay (they are --rollback's).  Does
** nothing without WINEPREFIX or when the folder is missing or not private. */
void keep_sweep(const char *stem);

/* The names (IDs) of the keep files for STEM in DIR, newest first, in
** *NAMES (malloc'ed; *COUNT of them).  Returns 0 (none: a missing DIR),
** or -1 with ERR set. */
int keep_list(const char *dir, const char *stem, char (**names)[256], size_t *count,
              char *err, size_t err_size);

/* Load the keep file NAME (an ID from keep_list: a bare keep file name for
** STEM, nothing else) from DIR into *REC and its path into PATH.  Returns
** 0, or -1 with ERR set. */
int keep_load_named(const char *dir, const char *stem, const char *name,
                    struct keep_record *rec, char *path, size_t path_size, char *err,
                    size_t err_size);

/* Test-only (the crash test of fix.h): when the environment variable
** KMH_TEST_CRASH_AT equals STEP, the process dies here at once, as if
** killed (SIGKILL: no cleanup, no buffers flushed, no exit handlers).
** Unset or naming another known step: nothing happens.  A name that is
** no step at all stops the program with exit status 3 and the list of
** steps on stderr, so a test can neither misspell a step nor miss one.
** STEP must be one of the steps listed in fix.h. */
void keep_crash_point(const char *step);

/* Wipe and free the data of a record filled by keep_load_newest(); the
** record is zeroed (safe to call twice). */
void keep_record_free(struct keep_record *rec);

#endif /* KMH_KEEP_H */
