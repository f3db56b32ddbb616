/*
** shape.c: the ImagePath shape classifier (labels and rules in shape.h).
**
** The string is what the probe sees (imagepath_decode) and the path is
** where the splitter ends it (split_image_path with no file lookups), so
** the shape names exactly the text Update.exe was handed.
*/
#include "shape.h"
#include "imagepath.h"
#include "split.h"

static const char *const shape_names[SHAPE_COUNT] = {
    [SHAPE_NO_KEY] = "no-key",           [SHAPE_NO_VALUE] = "no-value",
    [SHAPE_NON_STRING] = "non-string",   [SHAPE_HIDDEN_TAIL] = "hidden-tail",
    [SHAPE_EMPTY] = "empty",             [SHAPE_NO_EXE] = "no-exe",
    [SHAPE_QUOTED] = "quoted",           [SHAPE_QUOTED_ARGS] = "quoted+args",
    [SHAPE_ENV_VAR] = "env-var",         [SHAPE_ENV_VAR_ARGS] = "env-var+args",
    [SHAPE_NT_PREFIX] = "nt-prefix",     [SHAPE_NT_PREFIX_ARGS] = "nt-prefix+args",
    [SHAPE_PATH] = "path",               [SHAPE_PATH_ARGS] = "path+args",
    [SHAPE_SPACES] = "spaces",           [SHAPE_SPACES_ARGS] = "spaces+args",
    [SHAPE_RELATIVE] = "relative",       [SHAPE_RELATIVE_ARGS] = "relative+args",
};

const char *shape_name(enum shape shape)
{
    return (unsigned)shape < SHAPE_COUNT ? shape_names[shape] : "unknown";
}

static int is_blank(uint16_t c)
{
    return c == ' ' || c == '\t';
}

static uint16_t ascii_lower(uint16_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint16_t)(c + ('a' - 'A')) : c;
}

/* Does P[0..N) begin with the ASCII text PREFIX, in any case? */
static int starts_with(const uint16_t *p, size_t n, const char *prefix)
{
    size_t i = 0;
    for (; prefix[i]; i++)
        if (i >= n || ascii_lower(p[i]) != (uint16_t)ascii_lower((uint8_t)prefix[i]))
            return 0;
    return 1;
}

static int is_slash(uint16_t c)
{
    return c == '\\' || c == '/';
}

/* %NAME% with a non-empty name and no blank in it. */
static int starts_with_variable(const uint16_t *p, size_t n)
{
    if (n < 3 || p[0] != '%')
        return 0;
    for (size_t i = 1; i < n && !is_blank(p[i]); i++)
        if (p[i] == '%')
            return i > 1;
    return 0;
}

static int starts_with_nt_prefix(const uint16_t *p, size_t n)
{
    return starts_with(p, n, "\\??\\") || starts_with(p, n, "\\\\?\\") ||
           starts_with(p, n, "\\\\.\\") || starts_with(p, n, "\\systemroot\\");
}

/* X:\ or X:/ (drive-absolute), or \\server (UNC). */
static int is_absolute(const uint16_t *p, size_t n)
{
    int letter = n >= 3 && ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z'));
    if (letter && p[1] == ':' && is_slash(p[2]))
        return 1;
    return n >= 3 && is_slash(p[0]) && is_slash(p[1]);
}

static int has_blank(const uint16_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (is_blank(p[i]))
            return 1;
    return 0;
}

static int is_all_blank(const uint16_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_blank(p[i]))
            return 0;
    return 1;
}

/* The base shape of the executable path P[0..N) (unquoted value); the
** "+args" variant of each directly follows it in enum shape. */
static enum shape path_shape(const uint16_t *p, size_t n)
{
    if (starts_with_variable(p, n))
        return SHAPE_ENV_VAR;
    if (starts_with_nt_prefix(p, n))
        return SHAPE_NT_PREFIX;
    if (is_absolute(p, n))
        return has_blank(p, n) ? SHAPE_SPACES : SHAPE_PATH;
    return SHAPE_RELATIVE;
}

/* The shape of the visible string S[0..N). */
static enum shape string_shape(const uint16_t *s, size_t n)
{
    struct split_result sp;
    if (is_all_blank(s, n))
        return SHAPE_EMPTY;
    if (split_image_path(s, n, NULL, NULL, &sp) != 0)
        return SHAPE_NO_EXE;
    enum shape base = sp.quoted ? SHAPE_QUOTED : path_shape(s + sp.path_start, sp.path_len);
    return sp.tail_len ? (enum shape)(base + 1) : base;
}

enum shape shape_classify(int key_exists, int value_present, uint32_t type,
                          const uint8_t *data, size_t len)
{
    const uint16_t *s;
    size_t n;
    int hidden;
    if (!key_exists)
        return SHAPE_NO_KEY;
    if (!value_present)
        return SHAPE_NO_VALUE;
    if (imagepath_decode(type, data, len, &s, &n, &hidden) != 0)
        return SHAPE_NON_STRING;
    if (hidden)
        return SHAPE_HIDDEN_TAIL;
    return string_shape(s, n);
}
