/*
** generate.h - generated scenarios: `kmharness run --generate N --seed S`.
**
** The hand-written catalog in scenarios/ shows each ImagePath shape once;
** the generator combines the shapes by the thousand.  Scenario number I of
** seed S is drawn from a grammar of install paths x value types x password
** shapes x quoting and blanks x file placements (generate_draw), its
** expectations come from rules written down in generate.c (never from
** running the probe; stated for Windows XP, and mapped through the era
** table of emu/era.h into @expect-*-2000 / -nt4 lines where those differ,
** so one text serves every --windows profile), and it is rendered as the TEXT of an ordinary .reg
** scenario file (spec: scenario-format.md) with @summary, @file, @secret
** and @expect-* directives.  The harness runs that text through the same
** path as a file (runner_scenario_text), so a failing generated scenario
** saved as NAME.reg reproduces with no generator involved.
**
** Deterministic: the text depends only on S and I (not on N, the machine,
** the locale or the time): integer arithmetic and a fixed PRNG.  Names are
** gen-S-IIIIII (I from 1, at least six digits) so they sort.
**
** Pure: no Win32 headers; builds natively for the unit tests.
*/
#ifndef KMH_GENERATE_H
#define KMH_GENERATE_H

#include <stddef.h>
#include <stdint.h>

/* The value the service key holds, or why it holds none. */
enum gen_kind {
    GEN_SZ,           /* REG_SZ: "..." (hex(1) when data hides after a NUL) */
    GEN_EXPAND_SZ,    /* REG_EXPAND_SZ: hex(2) */
    GEN_DWORD,        /* REG_DWORD: not a string */
    GEN_BINARY,       /* REG_BINARY holding the path's UTF-16 bytes */
    GEN_MULTI_SZ,     /* REG_MULTI_SZ holding the path */
    GEN_NO_VALUE,     /* the key without ImagePath */
    GEN_NO_KEY,       /* no MSExchangeKMS key at all */
    GEN_KIND_COUNT
};

/* How the file is written. */
enum gen_encoding {
    GEN_REGEDIT4,     /* REGEDIT4 header, ASCII (hex(N) data as ANSI bytes) */
    GEN_V5_ANSI,      /* version 5.00 header, ASCII/UTF-8 text (hex(N) as UTF-16LE) */
    GEN_V5_UTF16,     /* version 5.00 header, UTF-16LE with BOM (regedit's export) */
    GEN_ENCODING_COUNT
};

/* Where Exchange is installed (the folder holding Kmserver.exe). */
enum gen_install {
    GEN_AT_DEFAULT,        /* C:\Exchsrvr\Bin */
    GEN_AT_DRIVE_D,        /* D:\Exchsrvr\Bin */
    GEN_AT_PROGRAM_FILES,  /* C:\Program Files\Exchsrvr\Bin (a space) */
    GEN_AT_DRIVE_E_SPACES, /* E:\Apps\Microsoft Exchange\Exchsrvr\Bin */
    GEN_AT_DEEP,           /* seven folders deep under C:\Program Files */
    GEN_AT_SYSTEMDRIVE,    /* %SystemDrive%\Exchsrvr\Bin, not expanded */
    GEN_INSTALL_COUNT
};

/* How the install path is spelled in ImagePath. */
enum gen_spelling {
    GEN_AS_IS, GEN_LOWER, GEN_UPPER, GEN_FORWARD_SLASHES, GEN_SPELLING_COUNT
};

/* What follows the executable path: the planted password's shape. */
enum gen_password {
    GEN_PW_NONE,
    GEN_PW_SIMPLE,      /* path T */
    GEN_PW_SPACES,      /* path T1 T2 T3 (one password with spaces) */
    GEN_PW_QUOTE,       /* a '"' inside T */
    GEN_PW_BACKSLASH,   /* a '\' inside T */
    GEN_PW_PERCENT,     /* '%' inside T */
    GEN_PW_NON_ASCII,   /* a non-ASCII letter inside T */
    GEN_PW_DOT_EXE,     /* T ends in ".exe" */
    GEN_PW_DASH_P,      /* path -p T */
    GEN_PW_SLASH_OPTION,/* path /password:T */
    GEN_PW_TWICE,       /* path T T */
    GEN_PASSWORD_COUNT
};

enum gen_quoting {
    GEN_UNQUOTED,       /* path args */
    GEN_QUOTED_PATH,    /* "path" args */
    GEN_QUOTED_ALL,     /* "path args" */
    GEN_QUOTING_COUNT
};

/* Where Kmserver.exe is, seen from the install folder. */
enum gen_placement {
    GEN_FILE_VERSION,     /* present, with a version resource */
    GEN_FILE_NOVERSION,   /* present, a PE without version resource */
    GEN_FILE_MISSING,     /* the folder exists (a copy in Backup\ below it) */
    GEN_FOLDER_MISSING,   /* no install folder */
    GEN_PLACEMENT_COUNT
};

#define GEN_MAX_COPIES 2

/* One drawn scenario: every choice of the grammar.  Strings are UTF-8. */
struct gen_case {
    uint64_t seed, index;
    enum gen_kind kind;
    enum gen_encoding encoding;
    int crlf;                      /* line breaks CRLF (else LF) */
    enum gen_install install;
    enum gen_spelling spelling;
    enum gen_password password;
    enum gen_quoting quoting;
    const char *lead, *trail;      /* blanks around the value (static strings) */
    char secret[64];               /* the password planted in the args ("" none) */
    char args[160];                /* the text after the path, "" for none */
    char hidden[64];               /* a password after an embedded NUL ("" none) */
    enum gen_placement placement;
    unsigned version;              /* version pool row of the installed file */
    unsigned ncopies;              /* further Kmserver.exe copies elsewhere */
    struct { unsigned where, version; } copies[GEN_MAX_COPIES];
};

/* An outcome a rule does not state (the scenario leaves it unchecked). */
#define GEN_UNSTATED (-1000L)

/* Draw case INDEX (1-based) of SEED from the grammar, constraints applied. */
void generate_draw(uint64_t seed, uint64_t index, struct gen_case *c);

/* The probe outcome the rules give before and after the fix: 0, a Win32
** code, -1 not installed, or GEN_UNSTATED. */
long generate_expect_before(const struct gen_case *c);
long generate_expect_after(const struct gen_case *c);

/* The name of case INDEX of SEED, "gen-S-000123", into BUF (CAP bytes). */
void generate_name(uint64_t seed, uint64_t index, char *buf, size_t cap);

/* Render C as the bytes of its .reg scenario file: *TEXT malloc'd (free
** it), *LEN bytes.  Returns 0, or -1 when out of memory. */
int generate_render(const struct gen_case *c, uint8_t **text, size_t *len);

/* generate_draw + generate_render: the scenario file of INDEX of SEED. */
int generate_scenario(uint64_t seed, uint64_t index, uint8_t **text, size_t *len);

#endif /* KMH_GENERATE_H */
