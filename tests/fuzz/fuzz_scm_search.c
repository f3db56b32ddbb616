/*
** fuzz_scm_search.c - libFuzzer target for the service manager's search
** (emu/scm_search.c scm_candidates, scm_candidate_path, scm_pick).
**
** Input: byte 0 chooses the simulated disk (a candidate is "a file" when
** its length in units is congruent to the low 3 bits modulo 8, bit 3 set:
** nothing is); the rest is the command line as UTF-16LE, in an exact-size
** heap buffer, NULs and all.
**
** Invariants from scm_search.h: every candidate lies inside the command
** line before its first NUL and is not empty; an unquoted one neither
** starts nor ends with a blank (a quoted name is taken as it is); unquoted candidates share their start and grow strictly; a
** quoted line has at most one; ".exe" is added exactly when the name's
** last component has no period; the path written is the span plus ".exe"
** as promised; scm_pick chooses the first candidate the disk accepts, and
** asks about none after it.  Built by `make fuzz` / `make check-fuzz`.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "scm_search.h"

struct disk {
    unsigned rule;       /* low 3 bits: the accepted length mod 8; 8: none */
    size_t asked;
};

static int by_length(void *ctx, const uint16_t *path, size_t n)
{
    struct disk *d = ctx;
    if (path[n] != 0)
        abort();
    d->asked++;
    return d->rule < 8 && (n & 7) == d->rule;
}

static int blank(uint16_t c)
{
    return c == ' ' || c == '\t';
}

static int has_period_in_last_component(const uint16_t *s, size_t n)
{
    for (; n && s[n - 1] != '\\' && s[n - 1] != '/'; n--)
        if (s[n - 1] == '.')
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t n = (size - 1) / 2;
    uint16_t *s = malloc((n ? n : 1) * sizeof *s);
    if (!s)
        return 0;
    for (size_t i = 0; i < n; i++)
        s[i] = (uint16_t)(data[1 + 2 * i] | data[2 + 2 * i] << 8);
    size_t c_len = 0;
    while (c_len < n && s[c_len])
        c_len++;

    size_t count = scm_candidates(s, n, NULL, 0);
    struct scm_candidate *c = malloc((count ? count : 1) * sizeof *c);
    uint16_t *path = malloc((n + 5) * sizeof *path);
    if (!c || !path)
        goto out;
    if (scm_candidates(s, n, c, count) != count || count > c_len)
        abort();
    int quoted = 0;
    for (size_t i = 0; i < c_len && !quoted; i++)
        if (!blank(s[i]))
            quoted = s[i] == '"' ? 1 : -1;
    if (quoted == 1 && count > 1)
        abort();
    for (size_t i = 0; i < count; i++) {
        if (!c[i].len || c[i].start > c_len || c[i].len > c_len - c[i].start)
            abort();
        if (quoted != 1 && (blank(s[c[i].start]) || blank(s[c[i].start + c[i].len - 1])))
            abort();
        if (i && (c[i].start != c[0].start || c[i].len <= c[i - 1].len))
            abort();
        if (c[i].add_exe == has_period_in_last_component(s + c[i].start, c[i].len))
            abort();
        size_t plen = scm_candidate_path(s, &c[i], path, n + 5);
        if (plen != c[i].len + (c[i].add_exe ? 4 : 0) || path[plen] != 0 ||
            memcmp(path, s + c[i].start, c[i].len * sizeof *s))
            abort();
    }
    struct disk d = { data[0] & 15, 0 };
    struct scm_candidate chosen;
    int picked = scm_pick(s, n, by_length, &d, &chosen);
    size_t want = count;
    for (size_t i = 0; i < count && want == count; i++)
        if (d.rule < 8 && ((c[i].len + (c[i].add_exe ? 4 : 0)) & 7) == d.rule)
            want = i;
    if (want == count ? picked != SCM_NONE
                      : picked != (int)want || chosen.start != c[want].start ||
                            chosen.len != c[want].len || d.asked != want + 1)
        abort();
out:
    free(c);
    free(path);
    free(s);
    return 0;
}
