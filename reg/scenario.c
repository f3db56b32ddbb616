/*
** scenario.c - reading a scenario file: its .reg content and its directives.
**
** See scenario.h and the contract, /work/shared/spec/scenario-format.md.
** The registry content is regparse.c's job; this file decodes the file,
** reads the "; @name: value" comment lines (regedit ignores them), checks
** each value, and fills in the defaults.  When both the .reg grammar and a
** directive are wrong, the error on the earlier line is reported.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "scenario.h"
#include "imagepath.h"
#include "winerror_text.h"
#include "era.h"
#include "service_state.h"
#include "kms_protocol.h"

#define MAX_FILE_SIZE (16u << 20)
/* Registry operations (keys and values) in one scenario. Each costs up to
** about half a millisecond to apply and as much to undo (tests/bench-big.sh,
** README): the cap keeps any scenario well under a minute. */
#define MAX_OPS 65536

/* Without any @file line, the harness places Exchange 5.5's own KM server. */
static const char default_winpath[] = "C:\\Exchsrvr\\Bin\\Kmserver.exe";
const uint16_t scenario_default_version[4] = { 5, 5, 2653, 9 };

/* The state of the directive pass. */
struct dctx {
    struct scenario *s;
    struct kmh_error *err;
    int line;
    int file_none;             /* "@file: none" was given */
    size_t nkmfiles;           /* @file lines that place a Kmserver.exe (not decoys) */
    int ndirectives;           /* directives seen */
};

struct directive {
    const char *name;
    int (*fn)(struct dctx *c, const struct directive *d, const char *v, const char *end);
};

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_word(const char *p, const char *end, const char *word)
{
    return (size_t)(end - p) == strlen(word) && !memcmp(p, word, (size_t)(end - p));
}

/* Structured values ignore trailing blanks; free text keeps them. */
static const char *trim_end(const char *p, const char *end)
{
    while (end > p && is_blank(end[-1]))
        end--;
    return end;
}

/* Report FMT (with at most one %s: the directive's name) at the line. */
static int dfail(struct dctx *c, const char *fmt, const char *name)
{
    kmh_error_set(c->err, c->line, fmt, name);
    return -1;
}

static int no_memory(struct dctx *c)
{
    return dfail(c, "out of memory", NULL);
}

/* Store a copy of [V, END) in *DST: the directive may appear once. */
static int set_once(struct dctx *c, const struct directive *d, char **dst,
                    const char *v, const char *end)
{
    if (*dst)
        return dfail(c, "duplicate @%s", d->name);
    *dst = strndup(v, (size_t)(end - v));
    return *dst ? 0 : no_memory(c);
}

static int d_summary(struct dctx *c, const struct directive *d, const char *v, const char *end)
{
    return set_once(c, d, &c->s->summary, v, end);
}

static int d_image_path(struct dctx *c, const struct directive *d, const char *v, const char *end)
{
    return set_once(c, d, &c->s->expect_image_path, v, end);
}

static int d_secret(struct dctx *c, const struct directive *d, const char *v, const char *end)
{
    struct scenario *s = c->s;
    char **secrets = realloc(s->secrets, (s->nsecrets + 1) * sizeof *secrets);
    if (!secrets)
        return no_memory(c);
    s->secrets = secrets;
    if (!(secrets[s->nsecrets] = strndup(v, (size_t)(end - v))))
        return no_memory(c);
    s->nsecrets++;
    return 0;
}

/* Four dotted decimal numbers, each 0..65535. */
static int parse_version(const char *p, const char *end, uint16_t v[4])
{
    for (int i = 0; i < 4; i++) {
        unsigned long x = 0;
        size_t digits = 0;
        if (i && (p == end || *p++ != '.'))
            return -1;
        for (; p < end && *p >= '0' && *p <= '9' && digits <= 5; p++, digits++)
            x = x * 10 + (unsigned long)(*p - '0');
        if (!digits || digits > 5 || x > 65535)
            return -1;
        v[i] = (uint16_t)x;
    }
    return p == end ? 0 : -1;
}

static int d_expect_version(struct dctx *c, const struct directive *d, const char *v,
                            const char *end)
{
    if (c->s->has_expect_version)
        return dfail(c, "duplicate @%s", d->name);
    if (parse_version(v, trim_end(v, end), c->s->expect_version))
        return dfail(c, "@%s must be four dotted numbers from 0 to 65535", d->name);
    c->s->has_expect_version = 1;
    return 0;
}

static int is_drive_path(const char *p, const char *end)
{
    int letter = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z');
    return end - p > 3 && letter && p[1] == ':' && p[2] == '\\';
}

static int add_file(struct dctx *c, const struct kmfile *f)
{
    struct scenario *s = c->s;
    struct kmfile *files = realloc(s->files, (s->nfiles + 1) * sizeof *files);
    if (!files) {
        free(f->winpath);
        return no_memory(c);
    }
    s->files = files;
    files[s->nfiles] = *f;
    files[s->nfiles++].line = c->line;
    return 0;
}

/* What the last word of an @file line names, when it is not a version. */
static const struct { const char *word; enum kmfile_kind kind; int has_version; } file_words[] = {
    { "noversion", KMFILE_PE, 0 },
    { "folder", KMFILE_FOLDER, 0 },
    { "text", KMFILE_TEXT, 0 },
    { "decoy", KMFILE_DECOY, 0 },
};

/* Set F's kind from WORD: a version, or one of file_words. */
static int parse_file_kind(const char *word, const char *end, struct kmfile *f)
{
    for (size_t i = 0; i < sizeof file_words / sizeof *file_words; i++)
        if (is_word(word, end, file_words[i].word)) {
            f->kind = file_words[i].kind;
            f->has_version = file_words[i].has_version;
            return 0;
        }
    f->kind = KMFILE_PE;
    f->has_version = 1;
    return parse_version(word, end, f->version);
}

/* "WINPATH VERSION", "WINPATH noversion|folder|text" or "none"; WINPATH may
** hold blanks. */
static int d_file(struct dctx *c, const struct directive *d, const char *v, const char *end)
{
    struct kmfile f = { 0 };
    end = trim_end(v, end);
    int none = is_word(v, end, "none");
    if (none && (c->file_none || c->nkmfiles))
        return dfail(c, "@file: none cannot be combined with other @file lines", NULL);
    c->file_none |= none;
    if (none)
        return 0;
    const char *word = end;
    while (word > v && !is_blank(word[-1]))
        word--;
    const char *path_end = trim_end(v, word);
    if (path_end == v)
        return dfail(c, "@file needs WINPATH and VERSION (or noversion)", NULL);
    if (!is_drive_path(v, path_end))
        return dfail(c, "@file WINPATH must be an absolute path such as C:\\dir\\Kmserver.exe",
                     NULL);
    if (parse_file_kind(word, end, &f))
        return dfail(c, "@file VERSION must be four dotted numbers from 0 to 65535, "
                     "or noversion", NULL);
    /* A decoy is not a Kmserver.exe: it goes beside "@file: none" and
    ** beside the default file (scenario.h). */
    if (f.kind != KMFILE_DECOY && c->file_none)
        return dfail(c, "@file: none cannot be combined with other @file lines", NULL);
    c->nkmfiles += f.kind != KMFILE_DECOY;
    if (!(f.winpath = strndup(v, (size_t)(path_end - v))))
        return no_memory(c);
    return add_file(c, &f);
}

static int all_digits(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

/* OUTCOME: 0, ok, not-installed, a decimal Win32 code, or an ERROR_ name. */
static int parse_outcome(struct dctx *c, const struct directive *d, const char *v,
                         const char *end, long *code)
{
    char word[80];
    size_t n = (size_t)(end - v);
    if (is_word(v, end, "ok")) {
        *code = 0;
        return 0;
    }
    if (is_word(v, end, "not-installed")) {
        *code = KMH_NOT_INSTALLED;
        return 0;
    }
    if (is_word(v, end, "no-error-code")) {
        *code = KMH_NO_ERROR_CODE;
        return 0;
    }
    if (n >= sizeof word)
        n = 0;   /* no valid outcome is that long */
    memcpy(word, v, n);
    word[n] = 0;
    if (n && n <= 10 && all_digits(v, end)) {
        unsigned long long x = strtoull(word, NULL, 10);
        *code = (long)x;
        return x <= 0xFFFFFFFFull ? 0 : dfail(c, "@%s: error code above 4294967295", d->name);
    }
    if (n > 6 && !strncasecmp(word, "ERROR_", 6))
        return winerr_from_name(word, code) ? 0 : dfail(c, "unknown error name in @%s", d->name);
    return dfail(c, "@%s must be 0, ok, not-installed, a Win32 error code or an ERROR_ name",
                 d->name);
}

static int set_expectation(struct dctx *c, const struct directive *d, struct expectation *e,
                           const char *v, const char *end)
{
    if (e->set)
        return dfail(c, "duplicate @%s", d->name);
    if (parse_outcome(c, d, v, trim_end(v, end), &e->code))
        return -1;
    e->set = 1;
    return 0;
}

static int d_expect_before(struct dctx *c, const struct directive *d, const char *v,
                           const char *end)
{
    return set_expectation(c, d, &c->s->before, v, end);
}

static int d_expect_after(struct dctx *c, const struct directive *d, const char *v,
                          const char *end)
{
    return set_expectation(c, d, &c->s->after, v, end);
}

/* "@expect-before-PROFILE" / "@expect-after-PROFILE": the outcome under
** one era profile (emu/era.h), instead of the plain line's. */
static int d_expect_era(struct dctx *c, const struct directive *d, const char *v,
                        const char *end)
{
    int before = !strncmp(d->name, "expect-before-", 14);
    enum era era;
    era_parse(strrchr(d->name, '-') + 1, &era);  /* the table names only real profiles */
    struct expectation *e = before ? &c->s->before_in[era] : &c->s->after_in[era];
    return set_expectation(c, d, e, v, end);
}

static int d_skip(struct dctx *c, const struct directive *d, const char *v, const char *end)
{
    return set_once(c, d, &c->s->skip_reason, v, end);
}

/* The KM server's startup password (issue 10).  It must fit the one
** message the emulated server sends the harness (emu/kms_protocol.h). */
static int d_password(struct dctx *c, const struct directive *d, const char *v, const char *end)
{
    /* UTF-16 units of the (already decoded, valid) UTF-8: one per
    ** character, two for one beyond U+FFFF (a 4-byte sequence). */
    size_t units = 0;
    for (const unsigned char *p = (const unsigned char *)v; p < (const unsigned char *)end; p++)
        units += (*p & 0xC0) != 0x80 ? 1 + ((*p & 0xF8) == 0xF0) : 0;
    if (units > KMS_MAX_PASSWORD)
        return dfail(c, "@%s is longer than 256 characters", d->name);
    return set_once(c, d, &c->s->password, v, end);
}

/* Windows file names compare case-blind, so any spelling of Kmspwd.ini. */
static int d_floppy(struct dctx *c, const struct directive *d, const char *v, const char *end)
{
    end = trim_end(v, end);
    if (c->s->floppy)
        return dfail(c, "duplicate @%s", d->name);
    if ((size_t)(end - v) != strlen(SCENARIO_FLOPPY_FILE) ||
        strncasecmp(v, SCENARIO_FLOPPY_FILE, (size_t)(end - v)))
        return dfail(c, "@%s must be kmspwd.ini, the only file the KM server reads from a floppy",
                     d->name);
    c->s->floppy = 1;
    return 0;
}

/* "@expect-service-before|after|restored: STATE" (emu/service_state.h). */
static int d_expect_service(struct dctx *c, const struct directive *d, const char *v,
                            const char *end)
{
    const char *which = d->name + strlen("expect-service-");
    struct service_expectation *e = !strcmp(which, "before") ? &c->s->service_before
                                    : !strcmp(which, "after") ? &c->s->service_after
                                                              : &c->s->service_restored;
    char word[SERVICE_STATE_TEXT_MAX + 40];
    end = trim_end(v, end);
    if (e->set)
        return dfail(c, "duplicate @%s", d->name);
    if ((size_t)(end - v) >= sizeof word || memchr(v, 0, (size_t)(end - v)))
        v = end;   /* no valid state is that long (or holds a NUL) */
    snprintf(word, sizeof word, "%.*s", (int)(end - v), v);
    if (service_state_parse(word, &e->state))
        return dfail(c, "@%s must be running, stopped:N, not-started:CODE or decoy", d->name);
    e->set = 1;
    e->line = c->line;
    return 0;
}

static const struct directive directives[] = {
    { "summary", d_summary },
    { "file", d_file },
    { "expect-before", d_expect_before },
    { "expect-after", d_expect_after },
    { "expect-before-nt4", d_expect_era },
    { "expect-before-2000", d_expect_era },
    { "expect-before-xp", d_expect_era },
    { "expect-after-nt4", d_expect_era },
    { "expect-after-2000", d_expect_era },
    { "expect-after-xp", d_expect_era },
    { "skip", d_skip },
    { "expect-version", d_expect_version },
    { "expect-image-path", d_image_path },
    { "secret", d_secret },
    { "password", d_password },
    { "floppy", d_floppy },
    { "expect-service-before", d_expect_service },
    { "expect-service-after", d_expect_service },
    { "expect-service-restored", d_expect_service },
};

static const struct directive *find_directive(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof directives / sizeof *directives; i++)
        if (strlen(directives[i].name) == n && !strncasecmp(directives[i].name, name, n))
            return &directives[i];
    return NULL;
}

static int is_name_char(char c)
{
    return c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A comment line ";  @name: value" is a directive; other lines are not ours. */
static int parse_directive(struct dctx *c, const char *p, const char *end)
{
    char name[48];
    p = text_skip_blanks(p, end);
    if (p == end || *p != ';')
        return 0;
    p = text_skip_blanks(p + 1, end);
    if (p == end || *p != '@')
        return 0;
    const char *start = ++p;
    while (p < end && is_name_char(*p))
        p++;
    if (p == start || p == end || *p != ':' || (p + 1 < end && !is_blank(p[1])))
        return dfail(c, "malformed directive: write ; @name: value", NULL);
    const struct directive *d = find_directive(start, (size_t)(p - start));
    if (!d) {
        snprintf(name, sizeof name, "%.*s", (int)(p - start), start);
        return dfail(c, "unknown directive @%s", name);
    }
    const char *v = text_skip_blanks(p + 1, end);
    if (v == end)
        return dfail(c, "directive @%s needs a value", d->name);
    c->ndirectives++;
    return d->fn(c, d, v, end);
}

static int parse_directives(struct scenario *s, const char *text, size_t len,
                            struct kmh_error *err)
{
    struct dctx c = { .s = s, .err = err };
    struct text_lines it;
    const char *line;
    size_t n;
    text_lines_init(&it, text, len);
    while (text_next_line(&it, &line, &n)) {
        c.line = it.line;
        if (parse_directive(&c, line, line + n))
            return -1;
    }
    /* The password is a secret too (spec), listed once however often an
    ** @secret repeats it. */
    if (s->password) {
        size_t i = 0;
        while (i < s->nsecrets && strcmp(s->secrets[i], s->password))
            i++;
        c.line = 1;
        if (i == s->nsecrets && d_secret(&c, NULL, s->password, s->password + strlen(s->password)))
            return -1;
    }
    /* Only a decoy file can be started instead of the service: expecting
    ** one without it is a mistake the run could only report as a failure. */
    const struct service_expectation *se[] = { &s->service_before, &s->service_after,
                                               &s->service_restored };
    const char *se_name[] = { "before", "after", "restored" };
    int has_decoy = 0;
    for (size_t i = 0; i < s->nfiles; i++)
        has_decoy |= s->files[i].kind == KMFILE_DECOY;
    for (size_t i = 0; i < 3 && !has_decoy; i++)
        if (se[i]->set && se[i]->state.kind == SERVICE_STATE_DECOY) {
            c.line = se[i]->line;
            return dfail(&c, "@expect-service-%s: decoy needs an @file: WINPATH decoy",
                         se_name[i]);
        }
    /* No directive at all: a server's own export (spec).  Its Kmserver.exe
    ** goes where its ImagePath points, which only the registry can say:
    ** the runner places it. */
    s->is_export = c.ndirectives == 0;
    if (c.nkmfiles || c.file_none || s->is_export)
        return 0;
    struct kmfile f = { .winpath = strdup(default_winpath), .has_version = 1 };
    memcpy(f.version, scenario_default_version, sizeof f.version);
    c.line = 1; /* the default file is the header's doing */
    return f.winpath ? add_file(&c, &f) : no_memory(&c);
}

/* ---- the registry's reach ------------------------------------------- */

/* Is KEY (below HKLM) ROOT, or below it when BELOW is set? ASCII letters
** compare case-blind, as the registry compares them. */
static int key_in(const char *key, const char *root, int below)
{
    size_t n = strlen(root);
    if (strncasecmp(key, root, n))
        return 0;
    return below ? key[n] == '\\' : key[n] == 0 || key[n] == '\\';
}

/* The keys a scenario may not delete ([-KEY]); anything else below
** HKEY_LOCAL_MACHINE it may, up to the cap on what its deletions copy aside
** (harness/regapply.c, measured where the subtree's size is known). HKLM
** itself is refused by the parser.
**  - The roots of the machine's hives: HARDWARE, SAM, SECURITY, SOFTWARE,
**    SYSTEM. On Windows they cannot be deleted (regedit reports an error),
**    so a [-KEY] naming one never deletes it there; in Wine they are plain
**    keys. SOFTWARE also holds the harness's undo journal: deleting it would
**    first copy SOFTWARE into the journal, that is into itself (the copy
**    grows with what it copies: minutes), and then delete the journal that
**    was to undo it.
**  - The control set: SYSTEM\CurrentControlSet and SYSTEM\ControlSetNNN,
**    which it names on Windows. It holds every service's key, Wine's own
**    and the ones the harness holds back at boot (harness/cmd_boot.c), the
**    code pages and the environment every process starts from; on Windows
**    part of it (Enum) only the system account may change, so regedit
**    cannot delete it either, and in Wine 8 deleting it stops half-way
**    (`wine reg delete` fails there), leaving a machine no scenario means.
** Keys below these stay deletable: a vendor's key, a service's key, even
** SYSTEM\CurrentControlSet\Services as a whole (232 keys and values). */
static int vital(const char *key)
{
    static const char *const roots[] = {
        "HARDWARE", "SAM", "SECURITY", "SOFTWARE", "SYSTEM", "SYSTEM\\CurrentControlSet",
    };
    for (size_t i = 0; i < sizeof roots / sizeof *roots; i++)
        if (!strcasecmp(key, roots[i]))
            return 1;
    /* SYSTEM\ControlSet followed by three digits and nothing else. */
    static const char cs[] = "SYSTEM\\ControlSet";
    if (strncasecmp(key, cs, sizeof cs - 1))
        return 0;
    const char *n = key + sizeof cs - 1;
    return n[0] >= '0' && n[0] <= '9' && n[1] >= '0' && n[1] <= '9' && n[2] >= '0' &&
           n[2] <= '9' && !n[3];
}

/* The harness keeps its undo journal and its list of placed files below
** HKLM\Software\kmharness-...: a scenario writing there could forge what
** the clean-up undoes or deletes. */
static int harness_own(const char *key)
{
    return key_in(key, "Software", 1) && !strncasecmp(key + strlen("Software\\"), "kmharness", 9);
}

/* Refuse, at its line, an operation outside a scenario's reach (see above),
** and any operation past the MAX_OPS-th. */
static int check_reach(const struct reg_ops *ops, struct kmh_error *err)
{
    for (size_t i = 0; i < ops->n; i++) {
        const struct reg_op *op = &ops->ops[i];
        const char *why = NULL;
        if (i == MAX_OPS)
            why = "more than 65536 keys and values in one scenario";
        else if (harness_own(op->key))
            why = "keys below HKEY_LOCAL_MACHINE\\Software\\kmharness are the harness's own";
        else if (op->kind == REG_OP_DELETE_KEY && vital(op->key))
            why = "cannot delete a hive root or the control set "
                  "(HKEY_LOCAL_MACHINE\\SOFTWARE, SYSTEM, SYSTEM\\CurrentControlSet, ...): "
                  "delete the keys below it";
        if (why) {
            kmh_error_set(err, op->line, "%s", why);
            return -1;
        }
    }
    return 0;
}

int scenario_parse(const char *name, const uint8_t *bytes, size_t len, struct scenario *s,
                   struct kmh_error *err)
{
    struct kmh_error reg_err, dir_err;
    struct reg_ops ops;
    char *text;
    size_t tlen;
    int utf16;
    memset(s, 0, sizeof *s);
    if (text_decode_file(bytes, len, &text, &tlen, &utf16, err))
        return -1;
    int reg_rc = reg_parse(text, tlen, utf16, &ops, &reg_err);
    if (!reg_rc && (reg_rc = check_reach(&ops, &reg_err)))
        reg_ops_free(&ops);
    int dir_rc = parse_directives(s, text, tlen, &dir_err);
    free(text);
    s->ops = ops.ops;
    s->nops = ops.n;
    if (!reg_rc && !dir_rc && (s->name = strdup(name)))
        return 0;
    if (!reg_rc && !dir_rc)
        kmh_error_set(err, 0, "out of memory");
    else
        *err = !dir_rc || (reg_rc && reg_err.line <= dir_err.line) ? reg_err : dir_err;
    scenario_free(s);
    return -1;
}

int scenario_load(const char *unix_path, struct scenario *s, struct kmh_error *err)
{
    uint8_t *bytes;
    size_t len;
    memset(s, 0, sizeof *s);
    if (text_read_file(unix_path, MAX_FILE_SIZE, &bytes, &len, err))
        return -1;
    char name[1024]; /* a path component is at most NAME_MAX (255) bytes */
    scenario_name_of(unix_path, name, sizeof name);
    int rc = scenario_parse(name, bytes, len, s, err);
    free(bytes);
    return rc;
}

int scenario_is_file_name(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && !strcasecmp(name + n - 4, ".reg");
}

void scenario_name_of(const char *path, char *buf, size_t n)
{
    const char *base = strrchr(path, '/');
    snprintf(buf, n, "%s", base ? base + 1 : path);
    if (scenario_is_file_name(buf))
        buf[strlen(buf) - 4] = '\0';
}

void scenario_free(struct scenario *s)
{
    struct reg_ops ops = { s->ops, s->nops, s->nops };
    reg_ops_free(&ops);
    for (size_t i = 0; i < s->nfiles; i++)
        free(s->files[i].winpath);
    for (size_t i = 0; i < s->nsecrets; i++)
        free(s->secrets[i]);
    free(s->files);
    free(s->secrets);
    free(s->name);
    free(s->summary);
    free(s->expect_image_path);
    free(s->skip_reason);
    free(s->password);
    memset(s, 0, sizeof *s);
}

const struct expectation *scenario_expect_before(const struct scenario *s, enum era era)
{
    return (unsigned)era < ERA_COUNT && s->before_in[era].set ? &s->before_in[era] : &s->before;
}

const struct expectation *scenario_expect_after(const struct scenario *s, enum era era)
{
    return (unsigned)era < ERA_COUNT && s->after_in[era].set ? &s->after_in[era] : &s->after;
}
