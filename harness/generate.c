/*
** generate.c - the scenario grammar, its expectation rules, and the .reg
** text of a generated scenario (see generate.h).
**
** Three steps, kept apart so each can be read (and tested) alone:
**   1. generate_draw: a splitmix64 stream seeded from (seed, index) picks
**      one value of every dimension; constrain() then steers away from the
**      few corners where the answer cannot be derived here (each says why);
**   2. the RULES: before_rules[] and after_rules[], ordered tables of
**      condition -> probe outcome, with the Windows reason for each row;
**   3. generate_render: the scenario file's text, written as regedit
**      would read it (REGEDIT4 or version 5, ASCII or UTF-16LE with BOM).
**
** The model behind the rules (emu/probe.h decisions 1-4, emu/fix.h rules
** 1-7, the wine-notes table): Update.exe hands the string up to the first
** NUL, unexpanded, to GetFileVersionInfoSizeW.  Windows turns '/' into '\',
** drops trailing spaces (and dots) of the last component, then walks the
** path: a missing folder on the way is 3 ERROR_PATH_NOT_FOUND, a last
** component with a character NTFS forbids ('"', control characters such as
** a tab) is 123 ERROR_INVALID_NAME, a missing file is 2
** ERROR_FILE_NOT_FOUND.  So "path password" names a file "Kmserver.exe
** password" in the install folder.  The fix cuts the value back to the path
** alone (blanks, quotes, arguments and anything after a NUL go), so after
** it only the file placement decides.
**
** Pure: no Win32 headers.
*/
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "generate.h"
#include "imagepath.h"
#include "regparse.h"
#include "text.h"
#include "winerror_text.h"
#include "era.h"
#include "split.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SERVICE_KEY "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS"

/* ---- the grammar's tables ---------------------------------------------- */

/* Install folders.  FOLDER is where the files go (the @file WINPATH);
** WRITTEN is how ImagePath names it before the spelling variants.  No folder
** lies below another one, so a copy "elsewhere" never creates an install
** folder; no folder name ends in ".exe", so the splitter's only candidate
** before the arguments is Kmserver.exe itself. */
#define DEEP_FOLDER "C:\\Program Files\\Microsoft Exchange Server\\Version 5.5" \
                    "\\Key Management Service\\Server Components\\Exchsrvr\\Bin"
static const struct install {
    const char *folder, *written, *what;
} installs[GEN_INSTALL_COUNT] = {
    [GEN_AT_DEFAULT] = { "C:\\Exchsrvr\\Bin", "C:\\Exchsrvr\\Bin", "default path" },
    [GEN_AT_DRIVE_D] = { "D:\\Exchsrvr\\Bin", "D:\\Exchsrvr\\Bin", "drive D:" },
    [GEN_AT_PROGRAM_FILES] = { "C:\\Program Files\\Exchsrvr\\Bin",
                               "C:\\Program Files\\Exchsrvr\\Bin", "path with a space" },
    [GEN_AT_DRIVE_E_SPACES] = { "E:\\Apps\\Microsoft Exchange\\Exchsrvr\\Bin",
                                "E:\\Apps\\Microsoft Exchange\\Exchsrvr\\Bin",
                                "drive E:, path with a space" },
    [GEN_AT_DEEP] = { DEEP_FOLDER, DEEP_FOLDER, "deep path" },
    /* The probe does not expand (probe.h decision 3), and neither does the
    ** version API: the files sit in C:\Exchsrvr\Bin, the probe never finds
    ** them. */
    [GEN_AT_SYSTEMDRIVE] = { "C:\\Exchsrvr\\Bin", "%SystemDrive%\\Exchsrvr\\Bin",
                             "unexpanded %SystemDrive%" },
};
#define COPY_IN_BACKUP GEN_INSTALL_COUNT  /* copies[].where: <install>\Backup */

/* A few versions only: the harness builds each distinct version once per
** process (~8 ms), then copies it. */
static const char *const versions[] = {
    "5.5.2653.9", "5.5.2650.12", "5.5.2448.4", "5.5.1960.6", "5.5.2232.0", "5.5.2654.4",
};

static const char *const leads[] = { " ", "  ", "\t" };
static const char *const trails[] = { " ", "   ", "\t" };

/* Letters outside ASCII (UTF-8), one or two UTF-16 units each, all valid
** in file names. */
static const char *const non_ascii[] = {
    "\xc3\xa9", "\xc3\xbc", "\xc3\x9f", "\xc3\xb1", "\xc3\xb8",
    "\xd0\x96", "\xce\xbb", "\xe6\x97\xa5\xe6\x9c\xac",
};

/* Password characters.  Every token holds one MARK, a character no path or
** other value of the key contains, so a password is never a substring of
** what legitimately stays in the key (the secrets check would flag it). */
static const char token_chars[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
static const char token_marks[] = "!#$-_+=@~";

static const unsigned kind_weights[GEN_KIND_COUNT] = {
    [GEN_SZ] = 40, [GEN_EXPAND_SZ] = 40, [GEN_DWORD] = 4, [GEN_BINARY] = 4,
    [GEN_MULTI_SZ] = 4, [GEN_NO_VALUE] = 4, [GEN_NO_KEY] = 4,
};
static const unsigned placement_weights[GEN_PLACEMENT_COUNT] = {
    [GEN_FILE_VERSION] = 55, [GEN_FILE_NOVERSION] = 15,
    [GEN_FILE_MISSING] = 15, [GEN_FOLDER_MISSING] = 15,
};
static const unsigned copies_weights[GEN_MAX_COPIES + 1] = { 6, 3, 1 };
/* The KB's own shape (unquoted, a plain password) is the common one. */
static const unsigned quoting_weights[GEN_QUOTING_COUNT] = {
    [GEN_UNQUOTED] = 8, [GEN_QUOTED_PATH] = 3, [GEN_QUOTED_ALL] = 2,
};
static const unsigned password_weights[GEN_PASSWORD_COUNT] = {
    [GEN_PW_NONE] = 4, [GEN_PW_SIMPLE] = 4, [GEN_PW_SPACES] = 2, [GEN_PW_QUOTE] = 2,
    [GEN_PW_BACKSLASH] = 2, [GEN_PW_PERCENT] = 2, [GEN_PW_NON_ASCII] = 2,
    [GEN_PW_DOT_EXE] = 2, [GEN_PW_DASH_P] = 2, [GEN_PW_SLASH_OPTION] = 2, [GEN_PW_TWICE] = 2,
};

/* ---- deterministic choices --------------------------------------------- */

/* splitmix64: fixed 64-bit integer arithmetic, the same on every machine. */
struct rng {
    uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* The stream of case INDEX of SEED: independent of N, so the first cases
** of a run of 10 and of a run of 10,000 are the same. */
static void rng_seed(struct rng *r, uint64_t seed, uint64_t index)
{
    r->s = seed;
    r->s = rng_next(r) ^ (index * UINT64_C(0xD1B54A32D192ED03));
}

static unsigned pick(struct rng *r, unsigned n)
{
    return (unsigned)(rng_next(r) % n);
}

static unsigned weighted(struct rng *r, const unsigned *w, unsigned n)
{
    unsigned total = 0;
    for (unsigned i = 0; i < n; i++)
        total += w[i];
    unsigned x = pick(r, total);
    unsigned i = 0;
    while (x >= w[i])
        x -= w[i++];
    return i;
}

/* ---- facts about a case (the rules' vocabulary) ------------------------ */

static int is_string_kind(const struct gen_case *c)
{
    return c->kind == GEN_SZ || c->kind == GEN_EXPAND_SZ;
}

static int no_key(const struct gen_case *c) { return c->kind == GEN_NO_KEY; }
static int no_value(const struct gen_case *c) { return c->kind == GEN_NO_VALUE; }

static int not_a_string(const struct gen_case *c)
{
    return c->kind == GEN_DWORD || c->kind == GEN_BINARY || c->kind == GEN_MULTI_SZ;
}

static int leading_blank(const struct gen_case *c) { return c->lead[0] != 0; }
static int starts_with_quote(const struct gen_case *c) { return c->quoting != GEN_UNQUOTED; }

static int unexpanded_variable(const struct gen_case *c)
{
    return installs[c->install].written[0] == '%';
}

static int args_have_separator(const struct gen_case *c)
{
    return strpbrk(c->args, "\\/") != NULL;
}

static int folder_missing(const struct gen_case *c)
{
    return c->placement == GEN_FOLDER_MISSING;
}

static int invalid_char_in_name(const struct gen_case *c)
{
    return strchr(c->args, '"') || strchr(c->trail, '\t');
}

static int has_args(const struct gen_case *c) { return c->args[0] != 0; }
static int file_noversion(const struct gen_case *c) { return c->placement == GEN_FILE_NOVERSION; }

static int file_missing(const struct gen_case *c)
{
    return c->placement == GEN_FILE_MISSING || c->placement == GEN_FOLDER_MISSING;
}

static int always(const struct gen_case *c) { return 1; }

/* Is the install folder there, as the probe's unexpanded path names it? */
static int folder_reached(const struct gen_case *c)
{
    return !folder_missing(c) && !unexpanded_variable(c);
}

static int is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

/* ---- the rules ----------------------------------------------------------- */

/* The first row whose condition holds gives the outcome. */
struct rule {
    int (*holds)(const struct gen_case *c);
    long outcome;
};

/* The probe on the value as planted. */
static const struct rule before_rules[] = {
    /* probe.h decision 1: no service key, nothing to update. */
    { no_key, KMH_NOT_INSTALLED },
    /* Decision 2: RegQueryValueExW's own ERROR_FILE_NOT_FOUND. */
    { no_value, 2 },
    /* Decision 3: the harness's code for "not a string" (RegGetValueW's answer;
    ** how Update.exe treats it is an assumption, emu/era.c all.not-a-string) for a
    ** REG_DWORD, REG_BINARY or REG_MULTI_SZ value. */
    { not_a_string, KMH_ERROR_UNSUPPORTED_TYPE },
    /* A leading blank makes " C:\..." a path relative to the current folder
    ** whose first component is " C:" (or "\tC:"); what Windows answers for
    ** such a component (':' is its stream separator) is not derivable here,
    ** and Wine answers 3 for a space, 123 for a tab.  Left unchecked. */
    { leading_blank, GEN_UNSTATED },
    /* '"C:\...' is relative too, and its first component '"C:' holds a
    ** character no file name may hold: 123 ERROR_INVALID_NAME, whatever
    ** follows (the version API never strips quotes). */
    { starts_with_quote, 123 },
    /* '%SystemDrive%\...' is not expanded: a relative path whose first
    ** folder "%SystemDrive%" does not exist. */
    { unexpanded_variable, 3 },
    /* A '\' or '/' in the arguments makes "Kmserver.exe <start of the
    ** password>" a folder on the way, and no such folder exists. */
    { args_have_separator, 3 },
    /* The install folder itself is missing: the walk stops there. */
    { folder_missing, 3 },
    /* The last component "Kmserver.exe pa\"ss" or "Kmserver.exe<TAB>" holds
    ** a character NTFS forbids in names. */
    { invalid_char_in_name, 123 },
    /* The KB's case: no file "Kmserver.exe <password>" in an existing
    ** folder.  Trailing spaces are dropped from the last component first,
    ** so they change nothing. */
    { has_args, 2 },
    /* The path names Kmserver.exe exactly (trailing spaces dropped). */
    { file_noversion, 1812 },  /* a PE without version resource */
    { file_missing, 2 },
    { always, 0 },
};

/* The probe after the fix: ImagePath is the path alone as spelled in the
** value (fix.h rules 2-4: blanks, quotes, arguments, hidden data gone; the
** type kept; a non-string, a missing value or key left alone, rule 1). */
static const struct rule after_rules[] = {
    { no_key, KMH_NOT_INSTALLED },
    { no_value, 2 },
    { not_a_string, KMH_ERROR_UNSUPPORTED_TYPE },
    /* The fix keeps "%SystemDrive%\..." as written (it is the path); the
    ** probe still does not expand it: the fix alone does not cure this. */
    { unexpanded_variable, 3 },
    { folder_missing, 3 },
    { file_noversion, 1812 },
    { file_missing, 2 },
    { always, 0 },
};

static long apply_rules(const struct rule *rules, size_t n, const struct gen_case *c)
{
    for (size_t i = 0; i < n; i++)
        if (rules[i].holds(c))
            return rules[i].outcome;
    return GEN_UNSTATED;
}

long generate_expect_before(const struct gen_case *c)
{
    return apply_rules(before_rules, ARRAY_SIZE(before_rules), c);
}

long generate_expect_after(const struct gen_case *c)
{
    return apply_rules(after_rules, ARRAY_SIZE(after_rules), c);
}

/* ---- drawing a case ------------------------------------------------------- */

/* COUNT characters of password into OUT, one of them a mark. */
static void token(struct rng *r, char *out, unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        out[i] = token_chars[pick(r, sizeof token_chars - 1)];
    out[1 + pick(r, count - 2)] = token_marks[pick(r, sizeof token_marks - 1)];
    out[count] = 0;
}

/* Insert INS into S (room for it assumed) at AT. */
static void insert_at(char *s, size_t at, const char *ins)
{
    size_t n = strlen(ins);
    memmove(s + at + n, s + at, strlen(s + at) + 1);
    memcpy(s + at, ins, n);
}

/* The password of shape C->password in C->secret, and the text after the
** path in C->args. */
static void make_password(struct rng *r, struct gen_case *c)
{
    char t[24], words[3][8];
    token(r, t, 8);
    size_t at = 1 + pick(r, 6);
    switch (c->password) {
    case GEN_PW_NONE:
        return;
    case GEN_PW_SPACES:
        for (int i = 0; i < 3; i++)
            token(r, words[i], 5);
        snprintf(t, sizeof t, "%s %s %s", words[0], words[1], words[2]);
        break;
    case GEN_PW_QUOTE: insert_at(t, at, "\""); break;
    case GEN_PW_BACKSLASH: insert_at(t, at, "\\"); break;
    case GEN_PW_PERCENT: insert_at(t, at, "%"); insert_at(t, 0, "%"); break;
    case GEN_PW_NON_ASCII: insert_at(t, at, non_ascii[pick(r, ARRAY_SIZE(non_ascii))]); break;
    case GEN_PW_DOT_EXE: strcat(t, ".exe"); break;
    default: break;
    }
    snprintf(c->secret, sizeof c->secret, "%s", t);
    const char *before = c->password == GEN_PW_DASH_P ? "-p "
                       : c->password == GEN_PW_SLASH_OPTION ? "/password:"
                       : c->password == GEN_PW_TWICE ? " " : "";
    if (c->password == GEN_PW_TWICE)   /* "T T": the same password again */
        snprintf(c->args, sizeof c->args, "%s%s%s", t, before, t);
    else
        snprintf(c->args, sizeof c->args, "%s%s", before, t);
}

/* The folder of a Kmserver.exe copy at WHERE (a row of installs[] or
** COPY_IN_BACKUP) for case C, into BUF. */
static const char *copy_folder(const struct gen_case *c, unsigned where, char *buf, size_t cap)
{
    if (where == COPY_IN_BACKUP)
        snprintf(buf, cap, "%s\\Backup", installs[c->install].folder);
    else
        snprintf(buf, cap, "%s", installs[where].folder);
    return buf;
}

/* May a further copy go to WHERE?  Not into the install folder (that is the
** placement's own business), not twice to one place, and not below a
** missing install folder (it would create it) nor where FILE_MISSING's own
** copy already is. */
static int copy_allowed(const struct gen_case *c, unsigned where)
{
    char a[512], b[512];
    if (where == COPY_IN_BACKUP && c->placement != GEN_FILE_VERSION
        && c->placement != GEN_FILE_NOVERSION)
        return 0;
    if (!strcmp(copy_folder(c, where, a, sizeof a), installs[c->install].folder))
        return 0;
    for (unsigned i = 0; i < c->ncopies; i++)
        if (!strcmp(copy_folder(c, c->copies[i].where, b, sizeof b), a))
            return 0;
    return 1;
}

static void draw_copies(struct rng *r, struct gen_case *c)
{
    unsigned want = weighted(r, copies_weights, ARRAY_SIZE(copies_weights));
    unsigned places = COPY_IN_BACKUP + 1;
    for (unsigned k = 0; k < want; k++) {
        unsigned start = pick(r, places), version = pick(r, ARRAY_SIZE(versions));
        for (unsigned j = 0; j < places; j++) {
            unsigned where = (start + j) % places;
            if (copy_allowed(c, where)) {
                c->copies[c->ncopies].where = where;
                c->copies[c->ncopies++].version = version;
                break;
            }
        }
    }
}

static void draw_string_value(struct rng *r, struct gen_case *c)
{
    c->password = (enum gen_password)weighted(r, password_weights, GEN_PASSWORD_COUNT);
    make_password(r, c);
    c->quoting = (enum gen_quoting)weighted(r, quoting_weights, GEN_QUOTING_COUNT);
    if (pick(r, 8) == 0)
        c->lead = leads[pick(r, ARRAY_SIZE(leads))];
    if (pick(r, 5) == 0)
        c->trail = trails[pick(r, ARRAY_SIZE(trails))];
    if (pick(r, 7) == 0)
        token(r, c->hidden, 8);
}

static void remove_char(char *s, char ch)
{
    char *w = s;
    for (; *s; s++)
        if (*s != ch)
            *w++ = *s;
    *w = 0;
}

static int fix_refuses(const struct gen_case *c);

/* Steer away from corners the rules cannot answer. */
static void constrain(struct gen_case *c)
{
    /* A '"' inside "path args" would close the quotes early: another shape
    ** (the catalog's), not this one. */
    if (c->quoting == GEN_QUOTED_ALL && strchr(c->args, '"'))
        c->quoting = GEN_QUOTED_PATH;
    /* A forbidden character ('"', tab) in a component the walk never
    ** reaches: Windows answers 3 at the missing folder, Wine checks the
    ** whole name first and answers 123.  Keep such characters where the
    ** walk does reach them. */
    if (!starts_with_quote(c) && !leading_blank(c)
        && (!folder_reached(c) || args_have_separator(c))) {
        if (strchr(c->trail, '\t'))
            c->trail = trails[0];
        if (strchr(c->args, '"')) {
            remove_char(c->args, '"');
            remove_char(c->secret, '"');
            c->password = GEN_PW_SIMPLE;
        }
    }
    /* REGEDIT4 text, and "..." strings of a file that is not UTF-16, are
    ** read in the machine's ANSI code page, which differs between Windows
    ** installations; hex(N) bytes of a version 5 file and UTF-16 files mean
    ** the same everywhere. */
    if (!is_ascii(c->args)) {
        if (c->encoding == GEN_REGEDIT4)
            c->encoding = GEN_V5_UTF16;
        if (c->encoding == GEN_V5_ANSI && c->kind == GEN_SZ && !c->hidden[0])
            c->encoding = GEN_V5_UTF16;
    }
    /* A password ending in ".exe" where the fix finds no Kmserver.exe
    ** (missing, or behind "%SystemDrive%" in a REG_SZ): two candidate paths
    ** and no file, which the fix refuses (emu/split.h), leaving the
    ** password; that limit is the catalog's shape-tools-exe-dir-missing
    ** and shape-systemdrive-sz-pw-exe.  Here the password loses its ".exe". */
    size_t na = strlen(c->args), ns = strlen(c->secret);
    if (c->password == GEN_PW_DOT_EXE && na > 4 && ns > 4 && fix_refuses(c)) {
        c->args[na - 4] = 0;
        c->secret[ns - 4] = 0;
        c->password = GEN_PW_SIMPLE;
    }
}

void generate_draw(uint64_t seed, uint64_t index, struct gen_case *c)
{
    struct rng r;
    rng_seed(&r, seed, index);
    memset(c, 0, sizeof *c);
    c->seed = seed;
    c->index = index;
    c->lead = c->trail = "";
    c->kind = (enum gen_kind)weighted(&r, kind_weights, GEN_KIND_COUNT);
    c->encoding = (enum gen_encoding)pick(&r, GEN_ENCODING_COUNT);
    c->crlf = pick(&r, 4) != 0;
    c->install = (enum gen_install)pick(&r, GEN_INSTALL_COUNT);
    c->spelling = pick(&r, 2) ? GEN_AS_IS : (enum gen_spelling)(1 + pick(&r, GEN_SPELLING_COUNT - 1));
    c->placement = (enum gen_placement)weighted(&r, placement_weights, GEN_PLACEMENT_COUNT);
    c->version = pick(&r, ARRAY_SIZE(versions));
    draw_copies(&r, c);
    /* A password in a value the fix refuses to touch would stay in the
    ** registry (a real limit of the fix, shown by the catalog); here it
    ** would fail the secrets check by design, so those carry none. */
    if (is_string_kind(c))
        draw_string_value(&r, c);
    constrain(c);
}

void generate_name(uint64_t seed, uint64_t index, char *buf, size_t cap)
{
    snprintf(buf, cap, "gen-%" PRIu64 "-%06" PRIu64, seed, index);
}

/* ---- rendering ------------------------------------------------------------- */

/* A growing UTF-8 text; OOM sticks. */
struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
};

static void sb_putn(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void sb_put(struct sbuf *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    sb_putn(b, buf, n < 0 ? 0 : (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* The path to Kmserver.exe as ImagePath spells it (ASCII only). */
static void spelled_path(const struct gen_case *c, char *out, size_t cap)
{
    snprintf(out, cap, "%s\\Kmserver.exe", installs[c->install].written);
    for (char *p = out; *p; p++) {
        if (c->spelling == GEN_LOWER && *p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
        else if (c->spelling == GEN_UPPER && *p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
        else if (c->spelling == GEN_FORWARD_SLASHES && *p == '\\')
            *p = '/';
    }
}

/* The string the probe sees: blanks, quotes, path, arguments. */
static void visible_value(const struct gen_case *c, struct sbuf *b)
{
    char path[512];
    spelled_path(c, path, sizeof path);
    sb_put(b, c->lead);
    if (c->quoting != GEN_UNQUOTED)
        sb_put(b, "\"");
    sb_put(b, path);
    if (c->quoting == GEN_QUOTED_PATH)
        sb_put(b, "\"");
    if (c->args[0]) {
        sb_put(b, " ");
        sb_put(b, c->args);
    }
    if (c->quoting == GEN_QUOTED_ALL)
        sb_put(b, "\"");
    sb_put(b, c->trail);
}

static int nothing_exists(void *ctx, const uint16_t *path, size_t n)
{
    return 0;
}

/* Does the fix find a file at the path C's value names?  It looks as the
** service manager would (emu/fix.h rule 3): a REG_EXPAND_SZ value after
** expanding it, a REG_SZ value as written.  Nothing on Windows expands a
** REG_SZ (the catalog's env-systemdrive-sz-pw; ReactOS's services.exe
** expands ImagePath only when it is REG_EXPAND_SZ, and KB Q237789 tells
** programs to do the same), so "%SystemDrive%\..." in a REG_SZ names no
** file even with Kmserver.exe in C:\Exchsrvr\Bin. */
static int fix_finds_file(const struct gen_case *c)
{
    return !file_missing(c) && !(c->kind == GEN_SZ && unexpanded_variable(c));
}

/* Does the fix refuse C's value as ambiguous (emu/split.h)?  Only when it
** finds no file where the value says and the arguments hold another
** prefix ending in ".exe" (a password like "tiger.exe"): then no
** candidate is a file, and the fix will not guess which one is the path. */
static int fix_refuses(const struct gen_case *c)
{
    if (!is_string_kind(c) || fix_finds_file(c))
        return 0;
    struct sbuf b = { 0 };
    visible_value(c, &b);
    uint16_t *units = NULL;
    size_t n = 0;
    struct split_result r;
    int refuses = !b.oom && text_utf8_to_utf16(b.p, b.n, &units, &n) == TEXT_OK
                  && split_image_path(units, n, nothing_exists, NULL, &r) == 0 && r.ambiguous;
    free(units);
    free(b.p);
    return refuses;
}

/* "name"=hex(N):bytes, wrapped with backslash continuations as regedit
** wraps its exports. */
static void put_hex(struct sbuf *b, const char *head, const uint8_t *data, size_t n,
                    const char *eol)
{
    size_t line = strlen(head);
    sb_put(b, head);
    for (size_t i = 0; i < n; i++) {
        sb_printf(b, "%02x", data[i]);
        line += 2;
        if (i + 1 == n)
            break;
        sb_put(b, ",");
        if (++line > 76) {
            sb_put(b, "\\");
            sb_put(b, eol);
            sb_put(b, "  ");
            line = 2;
        }
    }
    sb_put(b, eol);
}

/* The string units S[0..N) as hex(N) bytes: UTF-16LE when WIDE (a version
** 5 file, or REG_BINARY's raw bytes), else one ANSI byte per character, as
** a REGEDIT4 file holds them (ASCII here: see constrain). */
static int string_bytes(int wide, const uint16_t *s, size_t n, uint8_t **out, size_t *len)
{
    uint8_t *p = malloc(n * 2 + 1);
    if (!p)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (wide) {
            p[2 * i] = (uint8_t)(s[i] & 0xff);
            p[2 * i + 1] = (uint8_t)(s[i] >> 8);
        } else {
            p[i] = (uint8_t)s[i];
        }
    }
    *out = p;
    *len = wide ? n * 2 : n;
    return 0;
}

/* UTF-8 TEXT plus the pieces after NULs (each followed by a NUL) as UTF-16
** units: "visible\0[hidden\0]" for strings, "path\0\0" for REG_MULTI_SZ. */
static int units_of(const char *text, const char *hidden, int extra_nul, uint16_t **out, size_t *n)
{
    struct sbuf b = { 0 };
    sb_put(&b, text);
    sb_putn(&b, "", 1);
    if (hidden[0]) {
        sb_put(&b, hidden);
        sb_putn(&b, "", 1);
    }
    if (extra_nul)
        sb_putn(&b, "", 1);
    int rc = b.oom ? -1 : text_utf8_to_utf16(b.p, b.n, out, n) == TEXT_OK ? 0 : -1;
    free(b.p);
    return rc;
}

static void put_quoted_string(struct sbuf *b, const char *s)
{
    sb_put(b, "\"");
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            sb_put(b, "\\");
        sb_putn(b, s, 1);
    }
    sb_put(b, "\"");
}

/* The ImagePath line (none for GEN_NO_VALUE). */
static int put_image_path(const struct gen_case *c, struct sbuf *b, const char *eol)
{
    char path[512], head[48];
    struct sbuf v = { 0 };
    uint16_t *units = NULL;
    uint8_t *bytes = NULL;
    size_t nunits = 0, nbytes = 0;
    int rc = 0, wide = c->encoding != GEN_REGEDIT4;
    spelled_path(c, path, sizeof path);
    switch (c->kind) {
    case GEN_DWORD:
        sb_printf(b, "\"ImagePath\"=dword:%08" PRIx64 "%s", c->index & 0xffff, eol);
        break;
    case GEN_SZ:
    case GEN_EXPAND_SZ:
        visible_value(c, &v);
        if (c->kind == GEN_SZ && !c->hidden[0]) {
            sb_put(b, "\"ImagePath\"=");
            put_quoted_string(b, v.oom ? "" : v.p);
            sb_put(b, eol);
            break;
        }
        rc = v.oom || units_of(v.p, c->hidden, 0, &units, &nunits)
             || string_bytes(wide, units, nunits, &bytes, &nbytes);
        snprintf(head, sizeof head, "\"ImagePath\"=hex(%d):", c->kind == GEN_SZ ? 1 : 2);
        if (!rc)
            put_hex(b, head, bytes, nbytes, eol);
        break;
    case GEN_BINARY:  /* raw bytes: the path's UTF-16LE whatever the header */
        rc = units_of(path, "", 0, &units, &nunits)
             || string_bytes(1, units, nunits, &bytes, &nbytes);
        if (!rc)
            put_hex(b, "\"ImagePath\"=hex:", bytes, nbytes, eol);
        break;
    case GEN_MULTI_SZ:
        rc = units_of(path, "", 1, &units, &nunits)
             || string_bytes(wide, units, nunits, &bytes, &nbytes);
        if (!rc)
            put_hex(b, "\"ImagePath\"=hex(7):", bytes, nbytes, eol);
        break;
    default:
        break;
    }
    free(v.p);
    free(units);
    free(bytes);
    return rc ? -1 : 0;
}

/* ---- directives ------------------------------------------------------------ */

static const char *const kind_names[GEN_KIND_COUNT] = {
    "REG_SZ", "REG_EXPAND_SZ", "REG_DWORD", "REG_BINARY", "REG_MULTI_SZ",
    "no ImagePath value", "no service key",
};
static const char *const encoding_names[GEN_ENCODING_COUNT] = {
    "REGEDIT4", "version 5", "version 5 UTF-16",
};
static const char *const spelling_names[GEN_SPELLING_COUNT] = {
    "", ", lower case", ", upper case", ", forward slashes",
};
static const char *const password_names[GEN_PASSWORD_COUNT] = {
    "no password", "password", "password with spaces", "password with a quote",
    "password with a backslash", "password with %", "non-ASCII password",
    "password ending in .exe", "-p password", "/password:password", "password twice",
};
static const char *const quoting_names[GEN_QUOTING_COUNT] = {
    "unquoted", "quoted path", "quoted path and arguments",
};

/* One line saying which shape this is; never any password. */
static void put_summary(const struct gen_case *c, struct sbuf *b, const char *eol)
{
    sb_printf(b, "; @summary: generated (seed %" PRIu64 " #%" PRIu64 "): %s, %s%s; %s%s",
              c->seed, c->index, kind_names[c->kind], encoding_names[c->encoding],
              c->crlf ? "" : " LF", installs[c->install].what, spelling_names[c->spelling]);
    if (is_string_kind(c))
        sb_printf(b, "; %s, %s%s%s%s", password_names[c->password], quoting_names[c->quoting],
                  c->lead[0] ? ", leading blanks" : "",
                  c->trail[0] ? (strchr(c->trail, '\t') ? ", trailing tab" : ", trailing blanks") : "",
                  c->hidden[0] ? ", password after an embedded NUL" : "");
    static const char *const placed[GEN_PLACEMENT_COUNT] = {
        "Kmserver.exe present", "Kmserver.exe without version", "Kmserver.exe missing",
        "install folder missing",
    };
    sb_printf(b, "; %s", placed[c->placement]);
    if (c->ncopies)
        sb_printf(b, ", %u cop%s elsewhere", c->ncopies, c->ncopies > 1 ? "ies" : "y");
    if (generate_expect_before(c) == GEN_UNSTATED)
        sb_put(b, " (probe before not checked: leading blank)");
    sb_put(b, eol);
}

static void put_files(const struct gen_case *c, struct sbuf *b, const char *eol)
{
    const char *folder = installs[c->install].folder;
    char where[512];
    int any = 0;
    if (c->placement == GEN_FILE_VERSION || c->placement == GEN_FILE_NOVERSION) {
        sb_printf(b, "; @file: %s\\Kmserver.exe %s%s", folder,
                  c->placement == GEN_FILE_VERSION ? versions[c->version] : "noversion", eol);
        any = 1;
    } else if (c->placement == GEN_FILE_MISSING) {  /* the folder exists because of it */
        sb_printf(b, "; @file: %s\\Backup\\Kmserver.exe %s%s", folder, versions[c->version], eol);
        any = 1;
    }
    for (unsigned i = 0; i < c->ncopies; i++, any = 1)
        sb_printf(b, "; @file: %s\\Kmserver.exe %s%s",
                  copy_folder(c, c->copies[i].where, where, sizeof where),
                  versions[c->copies[i].version], eol);
    if (!any)
        sb_printf(b, "; @file: none%s", eol);
}

static void put_outcome(struct sbuf *b, const char *directive, long code, const char *eol)
{
    const char *name = winerr_name(code);
    if (code == GEN_UNSTATED)
        return;
    if (code == 0)
        sb_printf(b, "; @%s: ok%s", directive, eol);
    else if (code == KMH_NOT_INSTALLED)
        sb_printf(b, "; @%s: not-installed%s", directive, eol);
    else if (code == KMH_NO_ERROR_CODE)
        sb_printf(b, "; @%s: no-error-code%s", directive, eol);
    else if (name)
        sb_printf(b, "; @%s: %s%s", directive, name, eol);
    else
        sb_printf(b, "; @%s: %ld%s", directive, code, eol);
}

/* What the probe meets for C, whose XP outcome is CODE (emu/era.h). */
static enum era_event probe_event(const struct gen_case *c, long code)
{
    if (c->kind == GEN_NO_KEY)
        return ERA_NO_KEY;
    if (c->kind == GEN_NO_VALUE)
        return ERA_NO_VALUE;
    if (!is_string_kind(c))
        return ERA_NOT_A_STRING;
    return code == 0 ? ERA_VERSION_READ : ERA_SIZE_FAILED;
}

/* The plain line states the XP outcome CODE (the rules above); each other
** era whose table gives another outcome gets its own line (a generated path
** is never empty). */
static void put_outcomes(const struct gen_case *c, struct sbuf *b, const char *directive,
                         long code, const char *eol)
{
    static const enum era others[] = { ERA_2000, ERA_NT4 };
    put_outcome(b, directive, code, eol);
    if (code == GEN_UNSTATED)
        return;
    for (size_t i = 0; i < ARRAY_SIZE(others); i++) {
        long era_code = era_map(others[i], probe_event(c, code), 0, code).code;
        char name[48];
        snprintf(name, sizeof name, "%s-%s", directive, era_name(others[i]));
        if (era_code != code)
            put_outcome(b, name, era_code, eol);
    }
}

static void put_directives(const struct gen_case *c, struct sbuf *b, const char *eol)
{
    char path[512];
    put_summary(c, b, eol);
    put_files(c, b, eol);
    if (c->secret[0])
        sb_printf(b, "; @secret: %s%s", c->secret, eol);
    if (c->hidden[0])
        sb_printf(b, "; @secret: %s%s", c->hidden, eol);
    long after = generate_expect_after(c);
    put_outcomes(c, b, "expect-before", generate_expect_before(c), eol);
    put_outcomes(c, b, "expect-after", after, eol);
    if (after == 0)
        sb_printf(b, "; @expect-version: %s%s", versions[c->version], eol);
    if (is_string_kind(c)) {
        spelled_path(c, path, sizeof path);
        sb_printf(b, "; @expect-image-path: %s%s", path, eol);
    }
}

/* The service key as a typical Exchange 5.5 install leaves it. */
static int put_key(const struct gen_case *c, struct sbuf *b, const char *eol)
{
    if (c->kind == GEN_NO_KEY) {
        sb_printf(b, "[-%s]%s", SERVICE_KEY, eol);
        return 0;
    }
    sb_printf(b, "[%s]%s", SERVICE_KEY, eol);
    sb_printf(b, "\"Type\"=dword:00000010%s", eol);
    sb_printf(b, "\"Start\"=dword:0000000%d%s", c->index % 2 ? 2 : 3, eol);
    sb_printf(b, "\"ErrorControl\"=dword:00000001%s", eol);
    if (put_image_path(c, b, eol))
        return -1;
    sb_printf(b, "\"DisplayName\"=\"Microsoft Exchange Key Management\"%s", eol);
    sb_printf(b, "\"ObjectName\"=\"LocalSystem\"%s", eol);
    return 0;
}

/* The UTF-8 text as UTF-16LE with a BOM, as regedit exports. */
static int to_utf16_file(const char *text, size_t n, uint8_t **out, size_t *len)
{
    uint16_t *units;
    size_t nunits;
    if (text_utf8_to_utf16(text, n, &units, &nunits) != TEXT_OK)
        return -1;
    uint8_t *p = malloc(2 + nunits * 2);
    if (p) {
        p[0] = 0xff;
        p[1] = 0xfe;
        for (size_t i = 0; i < nunits; i++) {
            p[2 + 2 * i] = (uint8_t)(units[i] & 0xff);
            p[3 + 2 * i] = (uint8_t)(units[i] >> 8);
        }
        *out = p;
        *len = 2 + nunits * 2;
    }
    free(units);
    return p ? 0 : -1;
}

int generate_render(const struct gen_case *c, uint8_t **text, size_t *len)
{
    const char *eol = c->crlf ? "\r\n" : "\n";
    struct sbuf b = { 0 };
    sb_put(&b, c->encoding == GEN_REGEDIT4 ? "REGEDIT4" : "Windows Registry Editor Version 5.00");
    sb_put(&b, eol);
    put_directives(c, &b, eol);
    sb_put(&b, eol);
    int rc = put_key(c, &b, eol);
    if (rc || b.oom) {
        free(b.p);
        return -1;
    }
    if (c->encoding == GEN_V5_UTF16) {
        rc = to_utf16_file(b.p, b.n, text, len);
        free(b.p);
        return rc;
    }
    *text = (uint8_t *)b.p;
    *len = b.n;
    return 0;
}

int generate_scenario(uint64_t seed, uint64_t index, uint8_t **text, size_t *len)
{
    struct gen_case c;
    generate_draw(seed, index, &c);
    return generate_render(&c, text, len);
}
