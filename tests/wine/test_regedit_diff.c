/*
** test_regedit_diff.c - .reg fidelity: the project's parser against the real
** regedit, input by input.
**
** A scenario's registry content is a .reg file that must mean to kmharness
** what it means to Registry Editor.  This test imports every input twice
** into one Wine prefix: once with `regedit.exe /S` (Wine's), once with the
** harness's own path (scenario_parse() or reg_parse(), then regapply_run()),
** each into its own scratch key, and compares the two trees key by key and
** value by value (name, type, bytes).
**
** Inputs, found through KMHARNESS_HOME (the build/ folder) at run time:
**   - every bundled scenario: each .reg file of ../scenarios, parsed as a
**     scenario (the folder is read at run time, so new scenarios join in);
**   - the corpus: each .reg file of ../tests/regcorpus, tricky files valid
**     and invalid (parsed with reg_parse(); corpus files are not scenarios,
**     tests/regcorpus/README.md).
**     Each holds a line "; kmh-expect: imports" or "; kmh-expect: refused at
**     line N": the hand-derived verdict of the parser, checked too.  Corpus
**     keys live under HKEY_LOCAL_MACHINE\KmhCorpus.
**
** Redirection.  regedit writes where the file says, so it is given a copy
** in which every key line has "\Software\kmh-diff\regedit\SLOT" inserted
** right after its root name (SLOT numbers the import), in the file's own encoding (UTF-16 files are
** rewritten as UTF-16 units, others byte for byte; nothing else changes, not
** even line breaks, so line N is line N in both).  A line is rewritten
** wherever Wine's regedit could read it as a key: '[', optional blanks and
** '-', a root name in any case, then '\' or the line's last ']'.  The one
** exception is "[-ROOT]" itself, which regedit refuses (it stops there):
** redirected it would delete the scratch key instead.  The parser reads the
** original file; its operations' keys get "Software\kmh-diff\parser\" in
** front.  After the regedit runs the test also checks that nothing landed
** outside the scratch keys (HKLM\KmhCorpus, HKCU\KmhCorpus, the service key).
**
** Refused inputs.  regedit skips a line it cannot read; kmharness must
** instead refuse the file at exactly the first line regedit skipped.  When
** the parser refuses line L, S is the first line of the statement holding L
** (a continued hex value spans lines; S = L otherwise), and the test checks
** with regedit that
**   1. lines 1..S-1 import exactly what the parser makes of them, and
**   2. lines 1..L import nothing more than lines 1..S-1 (the statement had
**      no effect: regedit skipped it);
** for a refused header (S = 1) regedit must import nothing from the file.
** Corpus files make every skipped statement observable (a deleted value
** exists first, and so on), so that check 2 can fail.
**
** Known differences.  Where Wine's regedit differs from Windows', or the
** project deliberately refuses what regedit accepts, the input is listed in
** known_differences[] with the reason; such an input must differ (a stale
** entry fails) and every other difference fails the test.  One Wine bug
** shows in many scenarios (hex strings of version 5.00 ANSI files), so its
** entry is a rule checked value by value instead of a list of inputs.
**
** Speed: all imports run up front in a few regedit processes (see "regedit:
** every import of the run"); the whole test takes about 7 s.
*/
#include <windows.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "regapply.h"
#include "regparse.h"
#include "scenario.h"
#include "text.h"

#define SCRATCH        L"Software\\kmh-diff"
#define REGEDIT_KEY    "Software\\kmh-diff\\regedit\\"   /* + the job's slot */
#define MARKER_KEY     "Software\\kmh-diff\\marker\\"    /* + the job's slot */
#define PARSER_KEY     "Software\\kmh-diff\\parser"
#define SERVICE_KEY    L"SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS"
#define MAX_REPORTED   8

/* Where the parser deliberately differs from Wine's regedit.  Each entry
** names one input (which holds just that construct) and says why; the first
** entry is instead a rule checked value by value, is_wine_hex_ansi_bug(). */
static const struct known_difference {
    const char *input;    /* NULL: the value rule */
    const char *reason;
} known_differences[] = {
    { NULL,
      "Wine's regedit reads hex(1), hex(2) and hex(7) bytes of a non-UTF-16 file as ANSI text "
      "even under the version 5.00 header (\"C\" for 43,00,3a,00,...); Windows stores them "
      "as the UTF-16LE bytes written (wine-notes.md).  Excused only for values whose bytes "
      "differ exactly that way" },
    { "regcorpus/key-empty-part.reg",
      "Wine's RegCreateKeyEx skips the empty part of KmhCorpus\\\\X and creates KmhCorpus\\X; "
      "a doubled backslash in a key path is a typo, refused so that it is looked at" },
    { "regcorpus/key-too-long-part.reg",
      "Wine's registry accepts a 256-character key name; Windows' limit is 255, so Windows' "
      "regedit cannot create the key and skips the line, as the parser refuses it" },
    { "regcorpus/cont-at-eof.reg",
      "regedit (Windows too: Wine's conformance test Wine17) imports the data cut off by the "
      "end of the file; a truncated scenario is refused instead of testing half a value" },
    { "regcorpus/cont-at-eof-after-blank.reg",
      "as cont-at-eof: the continuation is followed only by blank lines, then the end of the file" },
    { "regcorpus/escape-n.reg",
      "Wine's regedit turns \\n into a line feed; only \\\\ and \\\" are escapes in the scenario "
      "contract, so the parser refuses the line rather than guess" },
    { "regcorpus/escape-r.reg",
      "Wine's regedit turns \\r into a carriage return; refused as for \\n" },
    { "regcorpus/escape-unknown.reg",
      "regedit drops the backslash of an unknown escape (\\E becomes E), which silently turns a "
      "path written with single backslashes into a different path; refused instead" },
    { "regcorpus/escape-in-name.reg",
      "as escape-unknown, in a value name" },
    { "regcorpus/hex-three-digits.reg",
      "regedit reads 002 as the byte 02; no regedit export writes three digits, so the parser "
      "treats it as a typo" },
    { "regcorpus/key-text-after-bracket.reg",
      "regedit opens the key and ignores the rest of the line after the last ], silently losing "
      "whatever was written there; refused so the line is looked at" },
    { "regcorpus/key-current-user.reg",
      "regedit imports keys under HKEY_CURRENT_USER; a scenario is one machine's HKLM "
      "(scenario-format.md), so other roots are refused" },
    { "regcorpus/utf16-regedit4.reg",
      "Wine's regedit imports a UTF-16 file with the REGEDIT4 header; the contract allows "
      "REGEDIT4 only for ANSI/UTF-8 files (what hex(2) bytes would mean is ambiguous)" },
    { "regcorpus/utf8-non-ascii.reg",
      "regedit reads a non-UTF-16 file in the ANSI code page (Windows-1252 here); the contract "
      "allows UTF-8 files and the parser reads valid UTF-8 as UTF-8" },
    { "regcorpus/header-utf8-bom.reg",
      "regedit takes a UTF-8 byte order mark for part of the header and imports nothing; the "
      "parser skips the mark, as for any UTF-8 file the contract allows" },
};

static const struct root {
    const char *name;     /* as written in a .reg file */
    HKEY key;
    const char *label;    /* in snapshots and messages */
} roots[] = {
    { "HKEY_LOCAL_MACHINE", HKEY_LOCAL_MACHINE, "HKLM" },
    { "HKEY_USERS", HKEY_USERS, "HKU" },
    { "HKEY_CLASSES_ROOT", HKEY_CLASSES_ROOT, "HKCR" },
    { "HKEY_CURRENT_CONFIG", HKEY_CURRENT_CONFIG, "HKCC" },
    { "HKEY_CURRENT_USER", HKEY_CURRENT_USER, "HKCU" },
    { "HKEY_DYN_DATA", HKEY_DYN_DATA, "HKDD" },
};
#define NROOTS (sizeof roots / sizeof *roots)

struct input {
    char label[300];      /* "scenarios/NAME.reg" or "regcorpus/NAME.reg" */
    char path[4096];
    int is_scenario;
};

static struct input *inputs;
static size_t ninputs, ncorpus;
static unsigned regedit_runs;
static ULONGLONG started;
static int service_key_was_there;

/* ---- small helpers -------------------------------------------------------- */

static char *utf8_of(const WCHAR *w, int units)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, units, NULL, 0, NULL, NULL);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    WideCharToMultiByte(CP_UTF8, 0, w, units, s, n, NULL, NULL);
    s[n] = 0;
    return s;
}

static char *concat3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *s = malloc(la + lb + lc + 1);
    assert_non_null(s);
    memcpy(s, a, la);
    memcpy(s + la, b, lb);
    memcpy(s + la + lb, c, lc + 1);
    return s;
}

static int key_exists(HKEY root, const WCHAR *path)
{
    HKEY k;
    if (RegOpenKeyExW(root, path, 0, KEY_READ, &k))
        return 0;
    RegCloseKey(k);
    return 1;
}

static void read_whole_file(const char *path, uint8_t **bytes, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 4096, n = 0, got;
    uint8_t *b = malloc(cap);
    assert_non_null(b);
    while ((got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            b = realloc(b, cap *= 2);
            assert_non_null(b);
        }
    }
    fclose(f);
    *bytes = b;
    *len = n;
}

/* ---- the file as code units: rewriting and cutting ------------------------- */

/* A file's text as code units: bytes for ANSI/UTF-8 files, UTF-16 units
** (after the BOM) for UTF-16LE files; an odd last byte is kept as is. */
struct units {
    uint16_t *u;
    size_t n, cap;
    int utf16;
    int odd_tail, tail;
};

static void units_add(struct units *t, const uint16_t *u, size_t n)
{
    if (t->n + n > t->cap) {
        t->cap = (t->n + n) * 2 + 64;
        t->u = realloc(t->u, t->cap * sizeof *t->u);
        assert_non_null(t->u);
    }
    memcpy(t->u + t->n, u, n * sizeof *u);
    t->n += n;
}

static struct units units_of(const uint8_t *b, size_t len)
{
    struct units t = { 0 };
    t.utf16 = len >= 2 && b[0] == 0xFF && b[1] == 0xFE;
    size_t start = t.utf16 ? 2 : 0, step = t.utf16 ? 2 : 1;
    for (size_t i = start; i + step <= len; i += step) {
        uint16_t u = t.utf16 ? (uint16_t)(b[i] | b[i + 1] << 8) : b[i];
        units_add(&t, &u, 1);
    }
    t.odd_tail = t.utf16 && (len - start) % 2;
    t.tail = t.odd_tail ? b[len - 1] : 0;
    return t;
}

/* The length of the line at U[0..N) without its break, and with it. */
static size_t line_end(const uint16_t *u, size_t n, size_t *with_break)
{
    size_t i = 0;
    while (i < n && u[i] != '\n' && u[i] != '\r')
        i++;
    *with_break = i + (i < n) + (i + 1 < n && u[i] == '\r' && u[i + 1] == '\n');
    return i;
}

static size_t skip_blanks(const uint16_t *u, size_t i, size_t n)
{
    while (i < n && (u[i] == ' ' || u[i] == '\t'))
        i++;
    return i;
}

/* Length of the root name (any case) at U[I..N), or 0. */
static size_t root_at(const uint16_t *u, size_t i, size_t n)
{
    for (size_t r = 0; r < NROOTS; r++) {
        size_t len = strlen(roots[r].name), k = 0;
        while (k < len && i + k < n && u[i + k] < 0x80
               && (u[i + k] | 0x20) == (roots[r].name[k] | 0x20))
            k++;
        if (k == len)
            return len;
    }
    return 0;
}

/* Where the scratch key's path goes in the line U[0..N), or (size_t)-1 for none. */
static size_t insert_point(const uint16_t *u, size_t n)
{
    size_t i = skip_blanks(u, 0, n), last = n;
    if (i == n || u[i] != '[')
        return (size_t)-1;
    i = skip_blanks(u, i + 1, n);
    int del = i < n && u[i] == '-';
    i = skip_blanks(u, i + del, n);
    size_t len = root_at(u, i, n);
    while (last > 0 && u[last - 1] != ']')
        last--;
    if (!len || !last)
        return (size_t)-1;
    size_t end = i + len;   /* just after the root name */
    int root_only = end == last - 1 || (end + 1 == last - 1 && u[end] == '\\');
    if (end < last && (u[end] == '\\' || end == last - 1) && !(del && root_only))
        return end;
    return (size_t)-1;
}

/* IN with its key lines redirected to the scratch key of job SLOT. */
static struct units redirected(const struct units *in, int slot)
{
    struct units out = { .utf16 = in->utf16, .odd_tail = in->odd_tail, .tail = in->tail };
    char insert[64];
    uint16_t ins[64];
    int ins_len = snprintf(insert, sizeof insert, "\\%s%d", REGEDIT_KEY, slot);
    for (int k = 0; k < ins_len; k++)
        ins[k] = (uint8_t)insert[k];
    for (size_t i = 0, whole; i < in->n; i += whole) {
        size_t len = line_end(in->u + i, in->n - i, &whole);
        size_t at = insert_point(in->u + i, len);
        if (at == (size_t)-1) {
            units_add(&out, in->u + i, whole);
            continue;
        }
        units_add(&out, in->u + i, at);
        units_add(&out, ins, (size_t)ins_len);
        units_add(&out, in->u + i + at, whole - at);
    }
    return out;
}

/* Units in the first LINES lines, line breaks included. */
static size_t units_in_lines(const struct units *t, int lines)
{
    size_t i = 0, whole;
    for (int l = 0; l < lines && i < t->n; l++) {
        line_end(t->u + i, t->n - i, &whole);
        i += whole;
    }
    return i;
}

/* ---- snapshots of a scratch tree ----------------------------------------- */

struct entry {
    char *path;           /* root label and path below the scratch key */
    int is_value;
    char *name;           /* value name; NULL for the default value */
    DWORD type;
    BYTE *data;
    DWORD len;
};

struct snapshot {
    struct entry *e;
    size_t n, cap;
};

static void snap_add(struct snapshot *s, const struct entry *e)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 32;
        s->e = realloc(s->e, s->cap * sizeof *s->e);
        assert_non_null(s->e);
    }
    s->e[s->n++] = *e;
}

static void snap_free(struct snapshot *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->e[i].path);
        free(s->e[i].name);
        free(s->e[i].data);
    }
    free(s->e);
    memset(s, 0, sizeof *s);
}

static void read_values(HKEY k, const char *path, struct snapshot *s)
{
    DWORD max_name, max_data;
    assert_int_equal(RegQueryInfoKeyW(k, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                      &max_name, &max_data, NULL, NULL), 0);
    WCHAR *name = malloc((max_name + 1) * sizeof *name);
    assert_non_null(name);
    for (DWORD i = 0;; i++) {
        DWORD nlen = max_name + 1;
        struct entry e = { .is_value = 1, .len = max_data };
        e.data = malloc(max_data + 1);
        assert_non_null(e.data);
        LONG rc = RegEnumValueW(k, i, name, &nlen, NULL, &e.type, e.data, &e.len);
        if (rc == ERROR_NO_MORE_ITEMS) {
            free(e.data);
            break;
        }
        assert_int_equal(rc, 0);
        e.path = strdup(path);
        e.name = nlen ? utf8_of(name, (int)nlen) : NULL;
        snap_add(s, &e);
    }
    free(name);
}

/* Add the values and subkeys of K (at PATH) to S. */
static void read_tree(HKEY k, const char *path, struct snapshot *s)
{
    DWORD max_sub;
    read_values(k, path, s);
    assert_int_equal(RegQueryInfoKeyW(k, NULL, NULL, NULL, NULL, &max_sub, NULL, NULL, NULL,
                                      NULL, NULL, NULL), 0);
    WCHAR *sub = malloc((max_sub + 1) * sizeof *sub);
    assert_non_null(sub);
    for (DWORD i = 0;; i++) {
        DWORD len = max_sub + 1;
        LONG rc = RegEnumKeyExW(k, i, sub, &len, NULL, NULL, NULL, NULL);
        if (rc == ERROR_NO_MORE_ITEMS)
            break;
        assert_int_equal(rc, 0);
        HKEY child;
        assert_int_equal(RegOpenKeyExW(k, sub, 0, KEY_READ, &child), 0);
        char *name = utf8_of(sub, (int)len);
        struct entry e = { .path = concat3(path, "\\", name) };
        free(name);
        snap_add(s, &e);
        read_tree(child, e.path, s);
        RegCloseKey(child);
    }
    free(sub);
}

static int entry_cmp(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    if (c || x->is_value != y->is_value)
        return c ? c : x->is_value - y->is_value;
    if (!x->name || !y->name)
        return !!x->name - !!y->name;
    return strcmp(x->name, y->name);
}

static void snapshot_under(HKEY root, const WCHAR *sub, const char *label, struct snapshot *s)
{
    HKEY k;
    if (RegOpenKeyExW(root, sub, 0, KEY_READ, &k))
        return;
    read_tree(k, label, s);
    RegCloseKey(k);
}

static void sort_snapshot(struct snapshot *s)
{
    if (s->n)
        qsort(s->e, s->n, sizeof *s->e, entry_cmp);
}

static WCHAR *slot_key(const char *base, int slot)
{
    static WCHAR w[64];
    char a[64];
    snprintf(a, sizeof a, "%s%d", base, slot);
    MultiByteToWideChar(CP_UTF8, 0, a, -1, w, 64);
    return w;
}

/* What regedit imported for job SLOT, under every root. */
static struct snapshot snapshot_regedit(int slot)
{
    struct snapshot s = { 0 };
    for (size_t r = 0; r < NROOTS; r++)
        snapshot_under(roots[r].key, slot_key(REGEDIT_KEY, slot), roots[r].label, &s);
    sort_snapshot(&s);
    return s;
}

/* ---- comparing two snapshots ------------------------------------------- */

static void describe(const char *side, const struct entry *e)
{
    if (e->is_value)
        print_message("  only %s: value %s \"%s\"\n", side, e->path, e->name ? e->name : "@");
    else
        print_message("  only %s: key %s\n", side, e->path);
}

static int same_value(const struct entry *a, const struct entry *b)
{
    return a->type == b->type && a->len == b->len && !memcmp(a->data, b->data, a->len);
}

/* Never the bytes themselves: a scenario's value may hold a password. */
static void describe_value(const struct entry *a, const struct entry *b)
{
    DWORD at = 0;
    while (at < a->len && at < b->len && a->data[at] == b->data[at])
        at++;
    print_message("  value %s \"%s\": type %lu vs %lu, %lu vs %lu bytes, first difference at "
                  "byte %lu\n", a->path, a->name ? a->name : "@", (unsigned long)a->type,
                  (unsigned long)b->type, (unsigned long)a->len, (unsigned long)b->len,
                  (unsigned long)at);
}

/* Wine's reading of hex(1), hex(2) or hex(7) bytes B[0..N) in a non-UTF-16
** file: a NUL byte added unless there is one, then each byte converted from
** the ANSI code page (Windows-1252) to UTF-16LE. */
static int is_wine_ansi_reading(const BYTE *b, DWORD n, const struct entry *wine)
{
    DWORD units = n + (n && b[n - 1]);
    if (wine->len != units * 2)
        return 0;
    for (DWORD i = 0; i < units; i++) {
        uint16_t c = text_cp1252_char(i < n ? b[i] : 0);
        if (wine->data[2 * i] != (c & 0xFF) || wine->data[2 * i + 1] != c >> 8)
            return 0;
    }
    return 1;
}

/* The known Wine bug: PARSER holds version 5.00 hex string bytes as written
** (plus the UTF-16 NUL the parser adds to unterminated text), WINE the same
** bytes read as ANSI. */
static int is_wine_hex_ansi_bug(const struct entry *wine, const struct entry *parser)
{
    const BYTE *b = parser->data;
    DWORD n = parser->len;
    if (wine->type != parser->type || (parser->type != REG_SZ && parser->type != REG_EXPAND_SZ
                                       && parser->type != REG_MULTI_SZ))
        return 0;
    return is_wine_ansi_reading(b, n, wine)
           || (n >= 2 && !b[n - 1] && !b[n - 2] && is_wine_ansi_reading(b, n - 2, wine));
}

static unsigned wine_hex_ansi_excused;

/* Print the differences between A and B (named SIDE_A, SIDE_B); count them.
** With WINE_HEX_ANSI (A is regedit's import of a non-UTF-16 version 5.00
** file, B the parser's), values that differ exactly by the known Wine bug
** are excused. */
static int compare(const char *what, const struct snapshot *a, const char *side_a,
                   const struct snapshot *b, const char *side_b, int wine_hex_ansi)
{
    size_t i = 0, j = 0;
    int diffs = 0;
    while (i < a->n || j < b->n) {
        int c = i == a->n ? 1 : j == b->n ? -1 : entry_cmp(&a->e[i], &b->e[j]);
        if (!c && a->e[i].is_value && !same_value(&a->e[i], &b->e[j]) && wine_hex_ansi
            && is_wine_hex_ansi_bug(&a->e[i], &b->e[j])) {
            wine_hex_ansi_excused++;
        } else if (c || (a->e[i].is_value && !same_value(&a->e[i], &b->e[j]))) {
            if (!diffs)
                print_message(" %s:\n", what);
            if (++diffs <= MAX_REPORTED && c)
                describe(c < 0 ? side_a : side_b, c < 0 ? &a->e[i] : &b->e[j]);
            else if (diffs <= MAX_REPORTED)
                describe_value(&a->e[i], &b->e[j]);
        }
        i += c <= 0;
        j += c >= 0;
    }
    return diffs;
}

/* ---- the parser's side --------------------------------------------------- */

struct parsed {
    int ok;
    struct kmh_error err;
    struct reg_ops ops;         /* reg_parse() */
    struct scenario scenario;   /* scenario_parse() */
    char *text;                 /* the decoded file, for prefixes */
    size_t text_len;
    int utf16;
};

static void parse_input(const struct input *in, const uint8_t *bytes, size_t len,
                        struct parsed *p)
{
    memset(p, 0, sizeof *p);
    if (text_decode_file(bytes, len, &p->text, &p->text_len, &p->utf16, &p->err))
        return;
    if (in->is_scenario)
        p->ok = !scenario_parse("diff", bytes, len, &p->scenario, &p->err);
    else
        p->ok = !reg_parse(p->text, p->text_len, p->utf16, &p->ops, &p->err);
}

static void parsed_free(struct parsed *p)
{
    reg_ops_free(&p->ops);
    scenario_free(&p->scenario);
    free(p->text);
}

/* Apply OPS into the parser's scratch key, snapshot it, undo. */
static struct snapshot apply_parsed(const struct reg_op *ops, size_t n)
{
    struct reg_op *moved = calloc(n ? n : 1, sizeof *moved);
    assert_non_null(moved);
    for (size_t i = 0; i < n; i++) {
        moved[i] = ops[i];
        moved[i].key = *ops[i].key ? concat3(PARSER_KEY, "\\", ops[i].key) : strdup(PARSER_KEY);
    }
    struct undo_journal j = { 0 };
    int line = 0;
    long rc = regapply_run(moved, n, &j, &line);
    if (rc)
        print_message(" regapply_run failed with %ld at line %d\n", rc, line);
    struct snapshot s = { 0 };
    snapshot_under(HKEY_LOCAL_MACHINE, L"" PARSER_KEY, "HKLM", &s);
    sort_snapshot(&s);
    regapply_undo(&j);
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, SCRATCH);
    for (size_t i = 0; i < n; i++)
        free(moved[i].key);
    free(moved);
    assert_int_equal(rc, 0);
    return s;
}

/* The parser's operations for the first LINES lines of the decoded text;
** 0 when those lines do not parse on their own. */
static int parse_prefix(const struct parsed *p, int lines, struct reg_ops *ops)
{
    struct text_lines it;
    const char *start;
    size_t len;
    text_lines_init(&it, p->text, p->text_len);
    for (int l = 0; l < lines && text_next_line(&it, &start, &len); l++)
        ;
    struct kmh_error err;
    return !reg_parse(p->text, (size_t)(it.p - p->text), p->utf16, ops, &err);
}

/* ---- regedit: every import of the run in a few processes ---------------- */

/* Starting regedit costs ~0.3 s, so all imports run up front, many files per
** regedit process (it imports its arguments in order).  After each file
** comes a marker file creating MARKER_KEY\SLOT: regedit stops at a file it
** refuses outright (for example "[-HKEY_LOCAL_MACHINE]"), so the first
** missing marker names that file, and the files after it run again. */
struct job {
    struct units file;      /* the redirected input */
    size_t n;               /* units of it to import */
    struct snapshot result;
};

#define BATCH 50

static struct job *jobs;
static int njobs;
static WCHAR temp_dir[MAX_PATH];
static int leak_found;

/* A job importing the first LINES lines of RAW (0: all of it); its slot. */
static int add_job(const struct units *raw, int lines)
{
    jobs = realloc(jobs, (size_t)(njobs + 1) * sizeof *jobs);
    assert_non_null(jobs);
    struct job *j = &jobs[njobs];
    memset(j, 0, sizeof *j);
    j->file = redirected(raw, njobs);
    j->n = lines ? units_in_lines(&j->file, lines) : j->file.n;
    return njobs++;
}

static void file_path(WCHAR *out, char kind, int slot)
{
    char name[32];
    lstrcpyW(out, temp_dir);
    snprintf(name, sizeof name, "%c%d.reg", kind, slot);
    MultiByteToWideChar(CP_UTF8, 0, name, -1, out + lstrlenW(out), 32);
}

static void write_file(const WCHAR *path, const uint8_t *b, size_t len)
{
    HANDLE f = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    DWORD written;
    assert_true(f != INVALID_HANDLE_VALUE);
    assert_true(WriteFile(f, b, (DWORD)len, &written, NULL) && written == len);
    CloseHandle(f);
}

/* Write job SLOT's file in its own encoding, and its marker file. */
static void write_job(int slot)
{
    const struct job *j = &jobs[slot];
    const struct units *t = &j->file;
    uint8_t *b = malloc(j->n * 2 + 3);
    size_t len = 0;
    WCHAR path[MAX_PATH];
    char marker[128];
    assert_non_null(b);
    if (t->utf16) {
        b[len++] = 0xFF;
        b[len++] = 0xFE;
    }
    for (size_t i = 0; i < j->n; i++) {
        b[len++] = (uint8_t)t->u[i];
        if (t->utf16)
            b[len++] = (uint8_t)(t->u[i] >> 8);
    }
    if (j->n == t->n && t->odd_tail)
        b[len++] = (uint8_t)t->tail;
    file_path(path, 'j', slot);
    write_file(path, b, len);
    free(b);
    int mlen = snprintf(marker, sizeof marker, "REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\%s%d]\r\n",
                        MARKER_KEY, slot);
    file_path(path, 'm', slot);
    write_file(path, (const uint8_t *)marker, (size_t)mlen);
}

static void run_regedit(WCHAR *cmd)
{
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = si.hStdOutput = si.hStdError = INVALID_HANDLE_VALUE;
    assert_true(CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
    DWORD waited = WaitForSingleObject(pi.hProcess, 60000);
    if (waited != WAIT_OBJECT_0)
        TerminateProcess(pi.hProcess, 1);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    regedit_runs++;
    assert_int_equal(waited, WAIT_OBJECT_0);
}

/* Import jobs FIRST..END-1 in one regedit process; return the first job
** whose marker is missing (the one regedit stopped at), or END. */
static int run_batch(int first, int end)
{
    size_t cap = 64 + (size_t)(end - first) * 2 * (MAX_PATH + 3);
    WCHAR *cmd = malloc(cap * sizeof *cmd), path[MAX_PATH];
    assert_non_null(cmd);
    lstrcpyW(cmd, L"regedit.exe /S");
    for (int k = first; k < end; k++) {
        write_job(k);
        for (char kind = 'j'; kind; kind = kind == 'j' ? 'm' : 0) {
            file_path(path, kind, k);
            lstrcatW(cmd, L" \"");
            lstrcatW(cmd, path);
            lstrcatW(cmd, L"\"");
        }
    }
    run_regedit(cmd);
    free(cmd);
    int k = first;
    while (k < end && key_exists(HKEY_LOCAL_MACHINE, slot_key(MARKER_KEY, k)))
        k++;
    for (int d = first; d < end; d++) {
        file_path(path, 'j', d);
        DeleteFileW(path);
        file_path(path, 'm', d);
        DeleteFileW(path);
    }
    return k;
}

/* Keys regedit must never touch, as it only sees redirected key lines. */
static void check_leaks(void)
{
    static const WCHAR corpus[] = L"KmhCorpus";
    if (key_exists(HKEY_LOCAL_MACHINE, corpus) || key_exists(HKEY_CURRENT_USER, corpus)
        || (!service_key_was_there && key_exists(HKEY_LOCAL_MACHINE, SERVICE_KEY))) {
        leak_found = 1;
        RegDeleteTreeW(HKEY_LOCAL_MACHINE, corpus);
        RegDeleteTreeW(HKEY_CURRENT_USER, corpus);
        if (!service_key_was_there)
            RegDeleteTreeW(HKEY_LOCAL_MACHINE, SERVICE_KEY);
    }
}

static void delete_scratch(void)
{
    for (size_t r = 0; r < NROOTS; r++)
        RegDeleteTreeW(roots[r].key, SCRATCH);
}

static void run_all_jobs(void)
{
    delete_scratch();
    for (int k = 0; k < njobs;) {
        int end = k + BATCH < njobs ? k + BATCH : njobs;
        int stopped = run_batch(k, end);
        k = stopped < end ? stopped + 1 : end;
    }
    check_leaks();
    for (int k = 0; k < njobs; k++)
        jobs[k].result = snapshot_regedit(k);
    delete_scratch();
}

/* ---- one input ------------------------------------------------------------ */

/* What an input needs: its parse and the regedit imports to compare with. */
struct plan {
    struct parsed p;
    struct reg_ops before;   /* refused: the parser's ops for lines 1..start-1 */
    int start;               /* refused: first line of the refused statement */
    int job_full, job_before, job_through;   /* slots; -1 when not needed */
    int wine_hex_ansi;       /* a non-UTF-16 version 5.00 file */
};

static const char v5_header[] = "Windows Registry Editor Version 5.00";

static void plan_input(const struct input *in, struct plan *pl)
{
    uint8_t *bytes;
    size_t len;
    read_whole_file(in->path, &bytes, &len);
    parse_input(in, bytes, len, &pl->p);
    struct units raw = units_of(bytes, len);
    const char *text = pl->p.text;
    while (text && (*text == ' ' || *text == '\t'))
        text++;
    pl->wine_hex_ansi = text && !raw.utf16 && !strncmp(text, v5_header, strlen(v5_header));
    pl->job_full = pl->job_before = pl->job_through = -1;
    if (pl->p.ok) {
        pl->job_full = add_job(&raw, 0);
    } else {
        int start = pl->p.err.line;
        while (start > 1 && (!pl->p.text || !parse_prefix(&pl->p, start - 1, &pl->before)))
            start--;
        pl->start = start;
        if (start <= 1) {
            pl->job_full = add_job(&raw, 0);
        } else {
            pl->job_before = add_job(&raw, start - 1);
            pl->job_through = add_job(&raw, pl->p.err.line);
        }
    }
    free(raw.u);
    free(bytes);
}

/* The parser accepted the file: both imports must agree. */
static int diff_accepted(const struct plan *pl, const struct input *in)
{
    const struct reg_op *ops = in->is_scenario ? pl->p.scenario.ops : pl->p.ops.ops;
    size_t n = in->is_scenario ? pl->p.scenario.nops : pl->p.ops.n;
    struct snapshot p = apply_parsed(ops, n);
    int diffs = compare("regedit and the parser import different things",
                        &jobs[pl->job_full].result, "regedit", &p, "parser", pl->wine_hex_ansi);
    snap_free(&p);
    return diffs;
}

/* The parser refused a line: it must be in the first statement regedit
** skipped.  See the header comment. */
static int diff_refused(const struct plan *pl)
{
    struct snapshot none = { 0 };
    if (pl->job_full >= 0)
        return compare("refused header, yet regedit imports from the file",
                       &jobs[pl->job_full].result, "regedit", &none, "nothing", 0);
    const struct snapshot *before_r = &jobs[pl->job_before].result;
    struct snapshot before_p = apply_parsed(pl->before.ops, pl->before.n);
    int diffs = compare("lines before the refused statement import differently", before_r,
                        "regedit", &before_p, "parser", pl->wine_hex_ansi);
    diffs += compare("regedit does not skip the refused statement",
                     &jobs[pl->job_through].result, "regedit with it", before_r,
                     "regedit without it", 0);
    snap_free(&before_p);
    return diffs;
}

/* The "; kmh-expect:" verdict of a corpus file: -1 imports, else the line. */
static int expected_verdict(const char *text)
{
    const char *tag = strstr(text, "; kmh-expect: ");
    int line;
    assert_non_null(tag);
    tag += strlen("; kmh-expect: ");
    if (!strncmp(tag, "imports", 7))
        return -1;
    assert_int_equal(sscanf(tag, "refused at line %d", &line), 1);
    return line;
}

static const struct known_difference *known(const char *label)
{
    for (size_t i = 0; i < sizeof known_differences / sizeof *known_differences; i++)
        if (known_differences[i].input && !strcmp(known_differences[i].input, label))
            return &known_differences[i];
    return NULL;
}

static struct plan *plans;

static void differential(void **state)
{
    const struct input *in = *state;
    const struct plan *pl = &plans[in - inputs];
    if (!pl->p.ok)
        print_message(" parser: line %d: %s\n", pl->p.err.line, pl->p.err.msg);
    if (!in->is_scenario) {
        assert_non_null(pl->p.text);
        assert_int_equal(pl->p.ok ? -1 : pl->p.err.line, expected_verdict(pl->p.text));
    }
    int diffs = pl->p.ok ? diff_accepted(pl, in) : diff_refused(pl);
    const struct known_difference *k = known(in->label);
    if (k && !diffs)
        fail_msg("%s is listed as a known difference, but regedit and the parser now agree",
                 in->label);
    if (k)
        print_message(" known difference: %s\n", k->reason);
    else if (diffs)
        fail_msg("%s: %d difference(s) between regedit and the parser", in->label, diffs);
}

/* ---- the whole run ---------------------------------------------------------- */

static int label_cmp(const void *a, const void *b)
{
    return strcmp(((const struct input *)a)->label, ((const struct input *)b)->label);
}

/* Add the *.reg files of HOME/../FOLDER, labelled LABEL/NAME.reg. */
static size_t add_inputs(const char *home, const char *folder, const char *label,
                         int is_scenario)
{
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/../%s", home, folder);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t added = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".reg"))
            continue;
        inputs = realloc(inputs, (ninputs + 1) * sizeof *inputs);
        if (!inputs)
            break;
        struct input *in = &inputs[ninputs++];
        snprintf(in->label, sizeof in->label, "%s/%.255s", label, e->d_name);
        snprintf(in->path, sizeof in->path, "%s/%.255s", dir, e->d_name);
        in->is_scenario = is_scenario;
        added++;
    }
    closedir(d);
    return added;
}

static void corpus_is_large_enough(void **state)
{
    assert_true(ncorpus >= 60);
}

static void every_known_difference_names_an_input(void **state)
{
    for (size_t i = 0; i < sizeof known_differences / sizeof *known_differences; i++) {
        size_t j = 0;
        if (!known_differences[i].input)
            continue;
        while (j < ninputs && strcmp(inputs[j].label, known_differences[i].input))
            j++;
        if (j == ninputs)
            fail_msg("known difference for a missing input: %s", known_differences[i].input);
    }
}

static void regedit_wrote_only_scratch_keys(void **state)
{
    assert_false(leak_found);
}

/* Runs after every input: the value rule of the table must still be needed. */
static void wine_hex_ansi_rule_is_needed(void **state)
{
    assert_true(wine_hex_ansi_excused > 0);
    print_message(" known difference, %u value(s): %s\n", wine_hex_ansi_excused,
                  known_differences[0].reason);
}

static int group_setup(void **state)
{
    started = GetTickCount64();
    service_key_was_there = key_exists(HKEY_LOCAL_MACHINE, SERVICE_KEY);
    if (!GetTempPathW(MAX_PATH - 40, temp_dir))
        return -1;
    lstrcatW(temp_dir, L"kmh-regdiff\\");
    CreateDirectoryW(temp_dir, NULL);
    plans = calloc(ninputs ? ninputs : 1, sizeof *plans);
    if (!plans)
        return -1;
    for (size_t i = 0; i < ninputs; i++)
        plan_input(&inputs[i], &plans[i]);
    run_all_jobs();
    return 0;
}

static int group_teardown(void **state)
{
    delete_scratch();
    RemoveDirectoryW(temp_dir);
    print_message("regedit differential: %zu inputs (%zu scenarios, %zu corpus files), "
                  "%d imports in %u regedit runs, %.1f s\n", ninputs, ninputs - ncorpus,
                  ncorpus, njobs, regedit_runs, (double)(GetTickCount64() - started) / 1000);
    for (size_t i = 0; i < ninputs; i++) {
        parsed_free(&plans[i].p);
        reg_ops_free(&plans[i].before);
    }
    for (int k = 0; k < njobs; k++) {
        free(jobs[k].file.u);
        snap_free(&jobs[k].result);
    }
    free(plans);
    free(jobs);
    return 0;
}

int wmain(int argc, WCHAR **argv)
{
    const char *home = getenv("KMHARNESS_HOME");
    if (!home) {
        fprintf(stderr, "KMHARNESS_HOME is not set (run through build/kmharness)\n");
        return 1;
    }
    add_inputs(home, "scenarios", "scenarios", 1);
    ncorpus = add_inputs(home, "tests/regcorpus", "regcorpus", 0);
    if (ninputs)
        qsort(inputs, ninputs, sizeof *inputs, label_cmp);
    struct CMUnitTest *tests = calloc(ninputs + 4, sizeof *tests), *t = tests;
    if (!tests)
        return 1;
    *t++ = (struct CMUnitTest)cmocka_unit_test(corpus_is_large_enough);
    *t++ = (struct CMUnitTest)cmocka_unit_test(every_known_difference_names_an_input);
    *t++ = (struct CMUnitTest)cmocka_unit_test(regedit_wrote_only_scratch_keys);
    for (size_t i = 0; i < ninputs; i++)
        *t++ = (struct CMUnitTest){ inputs[i].label, differential, NULL, NULL, &inputs[i] };
    *t++ = (struct CMUnitTest)cmocka_unit_test(wine_hex_ansi_rule_is_needed);
    int failed = _cmocka_run_group_tests("regedit_diff", tests, (size_t)(t - tests),
                                         group_setup, group_teardown);
    free(tests);
    free(inputs);
    return failed;
}
