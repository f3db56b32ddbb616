/*
** runner.c - one scenario, from its file to its recorded verdict.
**
** See runner.h for the steps. Everything here happens inside one Wine
** process against the real registry and version APIs; nothing is mocked.
** Two rules shape the code:
**   - passwords: every string that leaves this file for the database or the
**     terminal goes through redaction first, with the scenario's @secret
**     values plus whatever the fix removed from ImagePath;
**   - the baseline: whatever a scenario changes is undone before the next
**     one (regapply's journal, and deleting the service key;
**     undo_scenario()), except the emulated files the next one may place
**     again: they are kept until its own placements are made, then what it
**     did not place goes (kmserver_retire, kmserver_sweep), so each
**     scenario still sees only its own files.
*/
#include <windows.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "runner.h"
#include "remedy.h"
#include "regwatch.h"
#include "scenario.h"
#include "regapply.h"
#include "probe.h"
#include "fix.h"
#include "keep.h"
#include "kmserver.h"
#include "split.h"
#include "redact.h"
#include "imagepath.h"
#include "winerror_text.h"
#include "text.h"
#include "shape.h"
#include "service.h"
#include "kms_link.h"

#define SERVICE_KEY L"SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS"
#define MAX_CHECKS 20
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* All values of the service key: what the built-in checks compare. */
struct value {
    WCHAR name[16384];
    DWORD type;
    BYTE *data;
    DWORD len;
};

struct value_set {
    struct value *v;
    size_t n;
    int key_exists;
};

/* One scenario's results, as they will be stored. */
struct outcome {
    struct probe_result before, after;
    struct fix_result fix;
    struct value_set values_before, values_after;
    char **secrets;          /* @secret values + the text the fix removed */
    size_t nsecrets;
    /* run --service: the KM service started before the fix, after it, and
    ** after the rollback (harness/service.h); .ran says which starts ran. */
    struct {
        struct service_state state;
        int ran;
    } service[3];
    char service_image[1024];  /* what Windows would start after the fix, unredacted */
    struct store_check checks[MAX_CHECKS];
    char *details[MAX_CHECKS];
    size_t nchecks;
    int all_ok;
};

/* Undo what one scenario did: its journal and (in case anything bypassed
** the journal) the service key; the files it placed are kept for the next
** scenario (KEEP_FILES) or removed. */
static void undo_scenario(struct undo_journal *j, int keep_files)
{
    regapply_undo_keep(j);
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, SERVICE_KEY);
    if (keep_files)
        kmserver_retire();
    else
        kmserver_clear();
}

/* Where a user's own copy of Kmserver.exe would be; a scenario's files are
** all on the placed list, so after kmserver_clear() one still there is not
** the harness's. */
static const struct {
    const WCHAR *path;
    const char *shown;
} foreign_files[] = {
    { L"C:\\Exchsrvr\\Bin\\Kmserver.exe", "C:\\Exchsrvr\\Bin\\Kmserver.exe" },
    { L"C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe",
      "C:\\Program Files\\Exchsrvr\\Bin\\Kmserver.exe" },
};

int runner_baseline(int reset, char *err, size_t n)
{
    /* Both journals are durable: this undoes what a run killed in the
    ** middle of a scenario left behind (and only that), and the originals
    ** its fix kept (in cmd_run.c's private folders) go with it. */
    regapply_recover();
    kmserver_clear();
    service_remove_leftover();
    char keep_root[4096];
    keep_default_dir(keep_root, sizeof keep_root);
    keep_remove_dead_runs(keep_root);

    /* What is left was put there by someone else: a user who imported a
    ** server's key or copied Kmserver.exe into this prefix.  A run would
    ** delete the key and test against the files: refuse instead. */
    for (size_t i = 0; i < ARRAY_SIZE(foreign_files); i++)
        if (GetFileAttributesW(foreign_files[i].path) != INVALID_FILE_ATTRIBUTES) {
            snprintf(err, n, "this prefix holds %s, which kmharness did not put there; "
                     "run in another prefix (--prefix DIR), or remove that file",
                     foreign_files[i].shown);
            return -1;
        }
    HKEY k;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, SERVICE_KEY, 0, KEY_READ, &k) == ERROR_SUCCESS) {
        RegCloseKey(k);
        if (!reset) {
            snprintf(err, n, "this prefix holds an MSExchangeKMS service key that kmharness did "
                     "not create (imported by hand?); run in another prefix (--prefix DIR), or "
                     "pass --reset-prefix to let the run delete that key");
            return -1;
        }
        RegDeleteTreeW(HKEY_LOCAL_MACHINE, SERVICE_KEY);
    }
    return 0;
}

void runner_end(void)
{
    kmserver_clear();    /* what the last scenario kept for a next one */
    regapply_recover();  /* the journal's key, empty, kept likewise */
}

/* ---- reading the service key ---------------------------------------- */

/* Value I of K into V, with a data buffer of SIZE bytes. */
static LONG enum_value(HKEY k, DWORD i, struct value *v, DWORD size)
{
    DWORD nlen = ARRAY_SIZE(v->name);
    free(v->data);
    v->data = malloc(size ? size : 1);
    v->len = size;
    LONG rc = v->data ? RegEnumValueW(k, i, v->name, &nlen, NULL, &v->type, v->data, &v->len)
                      : ERROR_OUTOFMEMORY;
    if (rc != ERROR_SUCCESS && rc != ERROR_MORE_DATA) {
        free(v->data);
        v->data = NULL;
    }
    return rc;
}

/* The values of the service key, in one pass: buffers sized from the key's
** own maximum data length, so each value is read by one call. */
static void read_values(struct value_set *set)
{
    HKEY k;
    memset(set, 0, sizeof *set);
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, SERVICE_KEY, 0, KEY_READ, &k))
        return;
    set->key_exists = 1;
    DWORD count = 0, max_data = 0;
    RegQueryInfoKeyW(k, NULL, NULL, NULL, NULL, NULL, NULL, &count, NULL, &max_data, NULL, NULL);
    set->v = calloc(count ? count : 1, sizeof *set->v);
    for (DWORD i = 0; set->v && i < count; i++) {
        struct value *v = &set->v[set->n];
        LONG rc = enum_value(k, i, v, max_data);
        if (rc == ERROR_MORE_DATA)  /* the value grew since the count */
            rc = enum_value(k, i, v, v->len);
        if (rc == ERROR_SUCCESS) {
            set->n++;
        } else {
            free(v->data);
            v->data = NULL;
        }
    }
    RegCloseKey(k);
}

static void free_values(struct value_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        SecureZeroMemory(set->v[i].data, set->v[i].len);
        free(set->v[i].data);
    }
    free(set->v);
    memset(set, 0, sizeof *set);
}

static const struct value *find_value(const struct value_set *set, const WCHAR *name)
{
    for (size_t i = 0; i < set->n; i++)
        if (!lstrcmpiW(set->v[i].name, name))
            return &set->v[i];
    return NULL;
}

/* ---- checks ----------------------------------------------------------- */

static void add_check(struct outcome *o, const char *name, int ok, const char *fmt, ...)
{
    if (o->nchecks == MAX_CHECKS)
        return;
    char buf[512] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
    }
    size_t i = o->nchecks++;
    o->details[i] = strdup(buf);
    o->checks[i].name = name;
    o->checks[i].ok = ok;
    o->checks[i].detail = o->details[i];
    if (!ok)
        o->all_ok = 0;
}

/* Does the candidate path name a file? As the fix decides it (emu/fix.c):
** REG_EXPAND_SZ candidates are expanded first, so both split alike. */
static int file_exists(void *expand, const uint16_t *path, size_t n)
{
    WCHAR buf[MAX_PATH * 4], expanded[MAX_PATH * 4];
    if (n >= ARRAY_SIZE(buf))
        return 0;
    memcpy(buf, path, n * 2);
    buf[n] = 0;
    const WCHAR *name = buf;
    if (expand) {
        DWORD got = ExpandEnvironmentStringsW(buf, expanded, ARRAY_SIZE(expanded));
        if (!got || got > ARRAY_SIZE(expanded))
            return 0;
        name = expanded;
    }
    DWORD attr = GetFileAttributesW(name);
    return attr != INVALID_FILE_ATTRIBUTES && !(attr & FILE_ATTRIBUTE_DIRECTORY);
}

/* Does NEEDLE[0..M) occur in HAY[0..N) other than wholly inside the byte
** span [SKIP_FROM, SKIP_TO)? */
static int contains_outside(const BYTE *hay, size_t n, const void *needle, size_t m,
                            size_t skip_from, size_t skip_to)
{
    if (!m || m > n)
        return 0;
    for (size_t i = 0; i + m <= n; i++)
        if (!memcmp(hay + i, needle, m) && (i < skip_from || i + m > skip_to))
            return 1;
    return 0;
}

/* The bytes of ImagePath's data that are the executable path the splitter
** recognises, as the fix and the reports see it; {0, 0} when none. */
static void path_bytes(const struct value *v, size_t span[2])
{
    const uint16_t *s;
    size_t n;
    int hidden;
    struct split_result split;
    span[0] = span[1] = 0;
    int expand = v->type == REG_EXPAND_SZ;
    if (!imagepath_decode(v->type, v->data, v->len, &s, &n, &hidden) &&
        !split_image_path(s, n, file_exists, expand ? &expand : NULL, &split)) {
        span[0] = split.path_start * 2;
        span[1] = (split.path_start + split.path_len) * 2;
    }
}

/* Does any value of the key (name or data, as UTF-16LE or UTF-8) carry
** SECRET? Data after an embedded NUL counts: a password must be gone, not
** merely hidden from the probe.  Inside the executable path that
** ImagePath still names it does not: a password equal to a word of the
** path ("Bin") is not left behind by a fix that keeps the path. */
static int key_carries(const struct value_set *set, const char *secret)
{
    size_t n8 = strlen(secret), n16 = 0;
    uint16_t *w = NULL;
    text_utf8_to_utf16(secret, n8, &w, &n16);
    int found = 0;
    for (size_t i = 0; !found && i < set->n; i++) {
        const struct value *v = &set->v[i];
        size_t path[2] = { 0, 0 };
        if (!lstrcmpiW(v->name, L"ImagePath"))
            path_bytes(v, path);
        found = contains_outside(v->data, v->len, secret, n8, path[0], path[1]) ||
                (w && contains_outside(v->data, v->len, w, n16 * 2, path[0], path[1])) ||
                (w && contains_outside((const BYTE *)v->name, lstrlenW(v->name) * 2, w,
                                       n16 * 2, 0, 0));
    }
    free(w);
    return found;
}

static void check_secrets(struct outcome *o)
{
    size_t hits = 0;
    for (size_t i = 0; i < o->nsecrets; i++)
        hits += key_carries(&o->values_after, o->secrets[i]);
    add_check(o, "secrets-removed", hits == 0,
              hits ? "%zu of %zu secrets still in the service key's values" :
                     "none of %zu secrets left in the service key's values",
              hits ? hits : o->nsecrets, o->nsecrets);
}

/* Every value but ImagePath must come out of the fix exactly as it went in. */
static void check_other_values(struct outcome *o)
{
    const struct value_set *b = &o->values_before, *a = &o->values_after;
    size_t changed = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (!lstrcmpiW(b->v[i].name, L"ImagePath"))
            continue;
        /* The registry lists a key's values in the same order each time:
        ** look at the same place first, so a big key costs linear time. */
        const struct value *v = i < a->n && !lstrcmpiW(a->v[i].name, b->v[i].name)
                                ? &a->v[i] : find_value(a, b->v[i].name);
        if (!v || v->type != b->v[i].type || v->len != b->v[i].len ||
            memcmp(v->data, b->v[i].data, v->len))
            changed++;
    }
    int added = (int)a->n - (int)b->n;
    add_check(o, "other-values-unchanged", !changed && !added && a->key_exists == b->key_exists,
              "%zu changed, %d added, key %s", changed, added,
              a->key_exists == b->key_exists ? "kept as it was" : "created or deleted");
}

static void check_image_path(struct outcome *o)
{
    const struct value *b = find_value(&o->values_before, L"ImagePath");
    const struct value *a = find_value(&o->values_after, L"ImagePath");
    if (!b) {
        add_check(o, "image-path-untouched", !a, a ? "the fix created ImagePath" : NULL);
        return;
    }
    if (!a) {
        add_check(o, "type-unchanged", 0, "the fix deleted ImagePath");
        return;
    }
    add_check(o, "type-unchanged", a->type == b->type, "%s before, %s after",
              reg_type_name(b->type), reg_type_name(a->type));

    const uint16_t *bs, *as;
    size_t bn, an;
    int bhidden, ahidden;
    if (imagepath_decode(b->type, b->data, b->len, &bs, &bn, &bhidden) ||
        imagepath_decode(a->type, a->data, a->len, &as, &an, &ahidden))
        return; /* not a string: the fix must have left it alone (checked above) */
    add_check(o, "no-hidden-tail", !ahidden,
              ahidden ? "ImagePath still carries data after its terminator" : NULL);

    /* The fixed value must be the path the old value started with (after
    ** blanks and an opening quote), followed there (after any dots, which
    ** Windows drops from a file name: emu/split.h) by a blank, a quote or
    ** the end: the fix may remove, never invent. */
    size_t i = 0;
    while (i < bn && (bs[i] == ' ' || bs[i] == '\t'))
        i++;
    if (i < bn && bs[i] == '"')
        i++;
    int unchanged = a->len == b->len && !memcmp(a->data, b->data, a->len);
    size_t j = i + an;
    while (an > 0 && j < bn && bs[j] == '.')
        j++;
    int same = unchanged ||
               (an > 0 && bn - i >= an && !memcmp(bs + i, as, an * 2) &&
                (j == bn || bs[j] == ' ' || bs[j] == '\t' || bs[j] == '"'));
    add_check(o, "same-file", same,
              same ? NULL : "the fixed ImagePath is not the path the old value started with");
}

static const char *outcome_word(long code, char *buf, size_t n)
{
    const char *name = winerr_name(code);
    if (name)
        snprintf(buf, n, "%ld %s", code, name);
    else
        snprintf(buf, n, "%ld", code);
    return buf;
}

static void check_expectations(struct outcome *o, const struct scenario *s, enum era era)
{
    char want[96], got[96];
    const struct expectation *before = scenario_expect_before(s, era);
    const struct expectation *after = scenario_expect_after(s, era);
    if (before->set)
        add_check(o, "expect-before", o->before.code == before->code, "expected %s, got %s",
                  outcome_word(before->code, want, sizeof want),
                  outcome_word(o->before.code, got, sizeof got));
    if (after->set)
        add_check(o, "expect-after", o->after.code == after->code, "expected %s, got %s",
                  outcome_word(after->code, want, sizeof want),
                  outcome_word(o->after.code, got, sizeof got));
    if (s->has_expect_version) {
        int ok = o->after.code == 0 &&
                 !memcmp(o->after.version, s->expect_version, sizeof s->expect_version);
        add_check(o, "expect-version", ok, "expected %u.%u.%u.%u, got %u.%u.%u.%u",
                  s->expect_version[0], s->expect_version[1], s->expect_version[2],
                  s->expect_version[3], o->after.version[0], o->after.version[1],
                  o->after.version[2], o->after.version[3]);
    }
    if (s->expect_image_path) {
        const struct value *a = find_value(&o->values_after, L"ImagePath");
        const uint16_t *as;
        size_t an;
        int hidden;
        char *text = NULL;
        size_t len;
        if (a && !imagepath_decode(a->type, a->data, a->len, &as, &an, &hidden))
            text_utf16_to_utf8(as, an, &text, &len);
        int ok = text && !strcmp(text, s->expect_image_path);
        add_check(o, "expect-image-path", ok,
                  ok ? NULL : "ImagePath after the fix is not the expected text");
        free(text);
    }
}

enum { SERVICE_BEFORE, SERVICE_AFTER, SERVICE_RESTORED };
static const char *const service_check_names[] = {
    "expect-service-before", "expect-service-after", "expect-service-restored",
};

/* The scenario's @expect-service-* lines, for the starts that ran. */
static void check_service_expectations(struct outcome *o, const struct scenario *s)
{
    const struct service_expectation *want[] = {
        &s->service_before, &s->service_after, &s->service_restored,
    };
    for (int i = 0; i < 3; i++) {
        if (!want[i]->set || !o->service[i].ran)
            continue;
        char w[SERVICE_STATE_TEXT_MAX], g[SERVICE_STATE_TEXT_MAX];
        service_state_format(&want[i]->state, w, sizeof w);
        service_state_format(&o->service[i].state, g, sizeof g);
        add_check(o, service_check_names[i],
                  service_state_equal(&want[i]->state, &o->service[i].state),
                  "expected %s, got %s", w, g);
    }
}

/* ---- secrets and redaction -------------------------------------------- */

/* The scenario's @secret values, plus every piece the fix removed (each
** piece is followed by a NUL in fix.removed): all of them are passwords. */
static void collect_secrets(struct outcome *o, const struct scenario *s)
{
    size_t pieces = 0;
    for (size_t i = 0; i < o->fix.removed_len; i++)
        pieces += o->fix.removed[i] == 0;
    o->secrets = calloc(s->nsecrets + pieces + 1, sizeof *o->secrets);
    if (!o->secrets)
        return;
    for (size_t i = 0; i < s->nsecrets; i++)
        o->secrets[o->nsecrets++] = strdup(s->secrets[i]);
    const uint16_t *piece = o->fix.removed;
    for (size_t i = 0; i < o->fix.removed_len; i++) {
        if (o->fix.removed[i])
            continue;
        size_t n = &o->fix.removed[i] - piece, len;
        if (n && text_utf16_to_utf8(piece, n, &o->secrets[o->nsecrets], &len) == TEXT_OK)
            o->nsecrets++;
        piece = &o->fix.removed[i + 1];
    }
}

static void free_secrets(struct outcome *o)
{
    for (size_t i = 0; i < o->nsecrets; i++) {
        if (o->secrets[i])
            SecureZeroMemory(o->secrets[i], strlen(o->secrets[i]));
        free(o->secrets[i]);
    }
    free(o->secrets);
}

/* The ImagePath of a probe result as it may be shown and stored. */
static char *redacted_image_path(const struct probe_result *p, const struct outcome *o)
{
    const uint16_t *s;
    size_t n;
    int hidden;
    if (!p->value_present || imagepath_decode(p->value_type, p->raw, p->raw_len, &s, &n, &hidden))
        return NULL;
    struct split_result split;
    int expand = p->value_type == REG_EXPAND_SZ;
    int have_split = split_image_path(s, n, file_exists, expand ? &expand : NULL, &split) == 0;
    return redact_image_path(s, n, hidden, imagepath_hidden_units(p->raw_len, n), have_split ? &split : NULL,
                             o->secrets, o->nsecrets, NULL);
}

/* ---- one scenario ------------------------------------------------------ */

static const char *type_of(const struct probe_result *p)
{
    return p->value_present ? reg_type_name(p->value_type) : NULL;
}

static void fill_probe(struct store_probe *sp, const struct probe_result *p, char *version, size_t n)
{
    sp->ran = 1;
    sp->code = p->code;
    sp->message = winerr_text(p->code);
    sp->version = NULL;
    sp->rule = p->rule ? p->rule->id : NULL;
    sp->assumed = p->assumed;
    if (p->code == 0) {
        snprintf(version, n, "%u.%u.%u.%u", p->version[0], p->version[1], p->version[2],
                 p->version[3]);
        sp->version = version;
    }
}

/* Start WHICH's state as stored: the spec's word into BUF, or NULL when
** that start did not run. */
static const char *service_word(const struct outcome *o, int which, char *buf, size_t n)
{
    if (!o->service[which].ran)
        return NULL;
    service_state_format(&o->service[which].state, buf, n);
    return buf;
}

static void record(struct runner *r, const struct scenario *s, const char *path,
                   struct outcome *o, double ms)
{
    char sb[64], sa[64], sr[64];
    char vb[32], va[32];
    char *before = redacted_image_path(&o->before, o);
    char *after = redacted_image_path(&o->after, o);
    char fix_message[sizeof o->fix.message];
    snprintf(fix_message, sizeof fix_message, "%s", o->fix.message);
    redact_text_inplace(fix_message, o->secrets, o->nsecrets);
    /* The summary is the author's free text: it may name the password. */
    char *summary = s->summary ? strdup(s->summary) : NULL;
    if (summary)
        redact_text_inplace(summary, o->secrets, o->nsecrets);

    struct store_scenario row = {
        .name = s->name, .source_file = path, .summary = summary,
        /* An export states no expectation: it is observed, not passed. */
        .verdict = !o->all_ok ? "fail" : s->is_export ? "observed" : "pass",
        .image_path_before = before, .image_path_after = after,
        .type_before = type_of(&o->before), .type_after = type_of(&o->after),
        .fix_action = fix_status_name(o->fix.status), .fix_message = fix_message,
        /* The findings report's label for the value before the fix (emu/shape.h). */
        .shape_before = shape_name(shape_classify(o->values_before.key_exists,
                                                  o->before.value_present, o->before.value_type,
                                                  o->before.raw, o->before.raw_len)),
        .checks = o->checks, .nchecks = o->nchecks, .elapsed_ms = ms,
        .service_before = service_word(o, SERVICE_BEFORE, sb, sizeof sb),
        .service_after = service_word(o, SERVICE_AFTER, sa, sizeof sa),
        .service_restored = service_word(o, SERVICE_RESTORED, sr, sizeof sr),
        .service_image = o->service_image[0] ? o->service_image : NULL,
    };
    redact_text_inplace(o->service_image, o->secrets, o->nsecrets);
    fill_probe(&row.before, &o->before, vb, sizeof vb);
    fill_probe(&row.after, &o->after, va, sizeof va);
    if (store_add_scenario(r->db, r->run_id, r->seq, &row))
        fprintf(stderr, "kmharness: cannot record %s: %s\n", s->name, store_error(r->db));
    if (o->all_ok)
        r->passed++;
    else
        r->failed++;
    free(before);
    free(after);
    free(summary);
}

static void record_error(struct runner *r, const char *path, const char *name,
                         const char *message)
{
    struct store_scenario row = {
        .name = name, .source_file = path, .verdict = "error", .error_text = message,
    };
    fprintf(stderr, "%s\n", message);
    if (store_add_scenario(r->db, r->run_id, r->seq, &row))
        fprintf(stderr, "kmharness: cannot record %s: %s\n", name, store_error(r->db));
    r->errors++;
}

/* A server's export names no file: the default Kmserver.exe goes where its
** ImagePath points, as the fix reads it (%VARIABLES% expanded, a \??\
** prefix dropped).  A value that points nowhere placeable (relative, no
** ".exe", another drive kind) gets no file, as such a server would not
** have one there either.  Refusals of emu/winpath.h and kmserver.c hold:
** an export pointing at Z: places nothing on the host. */
static void place_where_image_path_points(void)
{
    HKEY k;
    WCHAR value[2048], expanded[2048];
    DWORD type, size = sizeof value - sizeof(WCHAR);
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, SERVICE_KEY, 0, KEY_READ, &k))
        return;
    LONG rc = RegQueryValueExW(k, L"ImagePath", NULL, &type, (BYTE *)value, &size);
    RegCloseKey(k);
    if (rc || (type != REG_SZ && type != REG_EXPAND_SZ))
        return;
    value[size / sizeof(WCHAR)] = 0;
    struct split_result split;
    int expand = type == REG_EXPAND_SZ;
    if (split_image_path(value, (size_t)lstrlenW(value), file_exists, expand ? &expand : NULL,
                         &split))
        return;
    value[split.path_start + split.path_len] = 0;
    const WCHAR *path = value + split.path_start;
    if (ExpandEnvironmentStringsW(path, expanded, ARRAY_SIZE(expanded)) - 1 >= ARRAY_SIZE(expanded))
        return;
    int nt_prefix = expanded[0] == '\\' && expanded[1] == '?' && expanded[2] == '?' &&
                    expanded[3] == '\\';
    /* "C:\WINNT\..\Exchsrvr" names C:\Exchsrvr: resolve the dots first. */
    WCHAR full[2048];
    DWORD got = GetFullPathNameW(nt_prefix ? expanded + 4 : expanded, ARRAY_SIZE(full), full, NULL);
    if (!got || got >= ARRAY_SIZE(full))
        return;
    path = full;
    char *utf8 = NULL;
    size_t len;
    if (text_utf16_to_utf8((const uint16_t *)path, (size_t)lstrlenW(path), &utf8, &len) != TEXT_OK)
        return;
    struct kmserver_image image = { .kind = KMSERVER_PE_VERSION };
    memcpy(image.version, scenario_default_version, sizeof image.version);
    kmserver_place(utf8, &image, NULL);
    free(utf8);
}

/* Set the scenario up; returns 0, or writes "FILE:LINE: message" to err. */
static int set_up(const struct scenario *s, const char *path, struct undo_journal *j,
                  char *err, size_t n)
{
    int line = 0;
    long rc = regapply_run(s->ops, s->nops, j, &line);
    if (rc) {
        const char *why = regapply_refusal(rc);
        if (why)
            snprintf(err, n, "%s:%d: %s", path, line, why);
        else
            snprintf(err, n, "%s:%d: the registry refused this operation: %s", path, line,
                     winerr_text(rc));
        return -1;
    }
    for (size_t i = 0; i < s->nfiles; i++) {
        static const enum kmserver_kind kinds[] = {
            [KMFILE_FOLDER] = KMSERVER_FOLDER, [KMFILE_TEXT] = KMSERVER_TEXT,
            [KMFILE_DECOY] = KMSERVER_DECOY,
        };
        struct kmserver_image image = {
            .kind = s->files[i].kind != KMFILE_PE ? kinds[s->files[i].kind]
                    : s->files[i].has_version ? KMSERVER_PE_VERSION : KMSERVER_PE_NOVERSION,
        };
        memcpy(image.version, s->files[i].version, sizeof image.version);
        const char *why;
        rc = kmserver_place(s->files[i].winpath, &image, &why);
        if (rc) {
            snprintf(err, n, "%s:%d: cannot place Kmserver.exe: %s", path, s->files[i].line,
                     why ? why : winerr_text(rc));
            return -1;
        }
    }
    if (s->is_export)
        place_where_image_path_points();
    kmserver_sweep();  /* what the scenario before placed and this one did not */
    return 0;
}

/* run --service: start the scenario's service as the next boot would
** (harness/service.h) and record the outcome as start WHICH. */
static void start_service(const struct runner *r, const struct scenario *s, const char *token,
                          struct outcome *o, int which)
{
    if (!r->service)
        return;
    char image[sizeof o->service_image];
    service_start_once(r->service, s->password, token, &o->service[which].state, image,
                       sizeof image);
    if (which == SERVICE_AFTER)
        memcpy(o->service_image, image, sizeof image);
    o->service[which].ran = 1;
}

static void exercise(const struct runner *r, const struct scenario *s, const char *token,
                     struct outcome *o)
{
    struct fix_options opt = { .dry_run = 0, .keep_dir = r->keep_dir };
    start_service(r, s, token, o, SERVICE_BEFORE);
    probe_run_as(r->era, &o->before);
    read_values(&o->values_before);
    fix_apply(&opt, &o->fix);
    probe_run_as(r->era, &o->after);
    read_values(&o->values_after);
    start_service(r, s, token, o, SERVICE_AFTER);
    collect_secrets(o, s);

    o->all_ok = 1;
    check_secrets(o);
    check_other_values(o);
    check_image_path(o);
    check_expectations(o, s, r->era);
    if (o->fix.status == FIX_CHANGED) {
        char why[256];
        int ok = fix_rollback(r->keep_dir, why, sizeof why) == 0;
        const struct value *b = find_value(&o->values_before, L"ImagePath");
        struct value_set now;
        read_values(&now);
        const struct value *v = find_value(&now, L"ImagePath");
        ok = ok && b && v && v->type == b->type && v->len == b->len &&
             !memcmp(v->data, b->data, v->len);
        add_check(o, "rollback-restores", ok,
                  ok ? NULL : "--rollback did not restore the original bytes");
        free_values(&now);
        start_service(r, s, token, o, SERVICE_RESTORED);
    } else if (o->service[SERVICE_AFTER].ran) {
        /* Nothing to roll back: the service stays as it was after the fix. */
        o->service[SERVICE_RESTORED] = o->service[SERVICE_AFTER];
    }
    check_service_expectations(o, s);
}

static void free_outcome(struct outcome *o)
{
    probe_result_free(&o->before);
    probe_result_free(&o->after);
    fix_result_free(&o->fix);
    free_values(&o->values_before);
    free_values(&o->values_after);
    free_secrets(o);
    for (size_t i = 0; i < o->nchecks; i++)
        free(o->details[i]);
}

/* A scenario whose @skip says Wine cannot reproduce it: recorded with the
** reason, not run (nothing is set up, so nothing needs undoing). */
static enum verdict record_skipped(struct runner *r, const struct scenario *s,
                                   const char *source)
{
    if (store_add_skipped(r->db, r->run_id, r->seq, s->name, source, s->skip_reason))
        fprintf(stderr, "kmharness: cannot record %s: %s\n", s->name, store_error(r->db));
    r->skipped++;
    return VERDICT_SKIPPED;
}

/* Run a parsed scenario S from SOURCE (its file, for messages) and record it. */
/* The names of the checks of O that failed, blank-separated, into BUF;
** NULL when none did. */
static const char *failed_checks(const struct outcome *o, char *buf, size_t n)
{
    buf[0] = 0;
    for (size_t i = 0; i < o->nchecks; i++)
        if (!o->checks[i].ok && strlen(buf) + strlen(o->checks[i].name) + 2 < n) {
            if (buf[0])
                strcat(buf, " ");
            strcat(buf, o->checks[i].name);
        }
    return buf[0] ? buf : NULL;
}

static void copy_secrets(struct outcome *to, const struct outcome *from)
{
    to->secrets = calloc(from->nsecrets + 1, sizeof *to->secrets);
    for (size_t i = 0; to->secrets && i < from->nsecrets; i++)
        if ((to->secrets[to->nsecrets] = strdup(from->secrets[i])) != NULL)
            to->nsecrets++;
}

static void record_remedy(struct runner *r, const struct scenario *s, const struct outcome *o,
                          const struct outcome *fix, enum remedy_end end, unsigned long code,
                          const char *outside)
{
    char ended[64], failed[256];
    enum remedy_verdict v = remedy_compare(end, o->all_ok, outside[0] != 0, o->after.code == 0,
                                           fix->after.code == 0);
    char *after = redacted_image_path(&o->after, o);
    struct store_remedy row = {
        .scenario = s->name,
        .ended = remedy_end_text(end, code, r->remedy->timeout_s, ended, sizeof ended),
        .after_code = o->after.code, .image_path_after = after,
        .fix_after_code = fix->after.code, .failed_checks = failed_checks(o, failed, sizeof failed),
        .wrote_outside = outside[0] ? outside : NULL, .verdict = remedy_verdict_name(v),
    };
    if (store_add_remedy(r->db, r->run_id, r->seq, &row))
        fprintf(stderr, "kmharness: cannot record %s: %s\n", s->name, store_error(r->db));
    if (v == REMEDY_WORSE || v == REMEDY_BROKEN)
        r->remedy_worse_or_broken++;
    free(after);
}

/* run --remedy: the admin's remediation on a fresh copy of scenario S,
** probed before and after, held to the built-in checks that make sense for
** any remediation (the secrets gone, the other values, the type, the same
** file, no hidden tail), and compared with FIX, the KB fix's outcome. */
static void remedy_pass(struct runner *r, const struct scenario *s, const char *source,
                        const struct outcome *fix)
{
    struct undo_journal journal = { 0 };
    char err[1024];
    struct outcome o;
    memset(&o, 0, sizeof o);
    if (set_up(s, source, &journal, err, sizeof err) == 0) {
        enum remedy_end end;
        unsigned long code;
        char outside[1024];
        probe_run_as(r->era, &o.before);
        read_values(&o.values_before);
        regwatch_arm(r->watch);
        remedy_run(r->remedy, &journal, &end, &code);
        /* Put back what it wrote elsewhere, now: the probe and the next
        ** scenario see only the service key changed. */
        regwatch_settle(r->watch, s->ops, s->nops, outside, sizeof outside);
        redact_text_inplace(outside, fix->secrets, fix->nsecrets);
        probe_run_as(r->era, &o.after);
        read_values(&o.values_after);
        copy_secrets(&o, fix);
        o.all_ok = 1;
        check_secrets(&o);
        check_other_values(&o);
        check_image_path(&o);
        record_remedy(r, s, &o, fix, end, code, outside);
    }
    free_outcome(&o);
    undo_scenario(&journal, 0);  /* the remediation may have changed the files */
}

/* run --service and @floppy: A:\Kmspwd.ini holds a fresh token standing
** for the password (emu/kms_protocol.h: no password is written to disk).
** Returns 0, or -1 with "SOURCE: why" in ERR. */
static int place_floppy(const struct runner *r, const struct scenario *s,
                        char token[KMS_TOKEN_SIZE], char *err, size_t en)
{
    if (!r->service || !s->floppy)
        return 0;
    const char *why = NULL;
    long rc = kms_make_token(token);
    if (!rc)
        rc = kmserver_place_file("A:\\Kmspwd.ini", token, strlen(token), &why);
    if (rc)
        snprintf(err, en, "%s: cannot place the floppy's Kmspwd.ini: %s", s->name,
                 why ? why : winerr_text(rc));
    return rc ? -1 : 0;
}

static enum verdict run_parsed(struct runner *r, struct scenario *s, const char *source)
{
    if (s->skip_reason)
        return record_skipped(r, s, source);
    LARGE_INTEGER t0, t1, f;
    QueryPerformanceCounter(&t0);
    char err[1024];
    enum verdict v = VERDICT_ERROR;
    struct undo_journal journal = { 0 };
    char token[KMS_TOKEN_SIZE] = "";
    /* The floppy first: set_up's sweep then keeps it with the other files. */
    if (place_floppy(r, s, token, err, sizeof err) ||
        set_up(s, source, &journal, err, sizeof err)) {
        record_error(r, source, s->name, err);
    } else {
        struct outcome o;
        memset(&o, 0, sizeof o);
        exercise(r, s, token[0] ? token : NULL, &o);
        QueryPerformanceCounter(&t1);
        QueryPerformanceFrequency(&f);
        record(r, s, source, &o, (t1.QuadPart - t0.QuadPart) * 1000.0 / f.QuadPart);
        v = o.all_ok ? VERDICT_PASS : VERDICT_FAIL;
        undo_scenario(&journal, 1);
        if (r->remedy)
            remedy_pass(r, s, source, &o);
        free_outcome(&o);
        return v;
    }
    undo_scenario(&journal, 1);
    return v;
}

/* The common end of both entry points: PARSE_FAILED (with PERR) records an
** input error as SOURCE:LINE; otherwise S runs. Counts the scenario. */
static enum verdict run_or_refuse(struct runner *r, int parse_failed, struct scenario *s,
                                  const struct kmh_error *perr, const char *source,
                                  const char *name)
{
    r->seq++;
    if (parse_failed) {
        char err[1024];
        snprintf(err, sizeof err, "%s:%d: %s", source, perr->line, perr->msg);
        record_error(r, source, name, err);
        return VERDICT_ERROR;
    }
    enum verdict v = run_parsed(r, s, source);
    scenario_free(s);
    return v;
}

enum verdict runner_scenario(struct runner *r, const char *path)
{
    char name[512];
    scenario_name_of(path, name, sizeof name);
    struct scenario s;
    struct kmh_error perr;
    int failed = scenario_load(path, &s, &perr) != 0;
    return run_or_refuse(r, failed, &s, &perr, path, name);
}

enum verdict runner_scenario_text(struct runner *r, const char *name, const char *source,
                                  const uint8_t *bytes, size_t len)
{
    struct scenario s;
    struct kmh_error perr;
    int failed = scenario_parse(name, bytes, len, &s, &perr) != 0;
    return run_or_refuse(r, failed, &s, &perr, source, name);
}
