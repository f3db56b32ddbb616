/*
** shape.h: the "shape" of an ImagePath value, for the findings report.
**
** Issue 3 asks which ImagePath shapes (arguments after the executable,
** quotes, %VAR% paths, \??\ prefixes, hidden data after a NUL, ...) produce
** which probe outcome before and after the Q235418 fix.  The harness
** classifies the value it found BEFORE the fix into one short label and
** stores only that label (scenario_result.shape_before): never the value,
** which may hold a password.  `kmharness report --by-shape` groups by it.
**
** The labels are a stable public vocabulary (reports and README tables
** use them): a label is never renamed or given a new meaning; new ones
** may be added.  The first rule that matches wins:
**
**   no-key          no MSExchangeKMS service key
**   no-value        the key has no ImagePath value
**   non-string      ImagePath is neither REG_SZ nor REG_EXPAND_SZ
**   hidden-tail     the value holds data the string does not show: text
**                   after an embedded NUL, or an odd trailing byte
**   empty           the string is empty or only blanks
**   no-exe          nothing in it ends in ".exe" (the fix has no path to keep)
**   quoted          begins with a double quote (after blanks)
**   env-var         the path begins with %NAME%
**   nt-prefix       the path begins with \??\, \\?\, \\.\ or \SystemRoot\
**   path            a drive-absolute (X:\ or X:/) or UNC (\\server) path
**   spaces          such a path with a blank inside it, unquoted
**   relative        anything else (relative, or rooted without a drive)
**
** and "+args" is appended to quoted, env-var, nt-prefix, path, spaces and
** relative when text follows the executable path (inside the quotes or
** after them): "path+args" is the KB's own case.
**
** The path is where emu/split.h ends it without looking at files (the
** shortest prefix ending in ".exe"): a shape is a property of the text
** alone, the same on every machine.
**
** Pure: no Win32 headers; builds natively for the unit tests.
*/
#ifndef KMH_SHAPE_H
#define KMH_SHAPE_H

#include <stddef.h>
#include <stdint.h>

enum shape {
    SHAPE_NO_KEY,
    SHAPE_NO_VALUE,
    SHAPE_NON_STRING,
    SHAPE_HIDDEN_TAIL,
    SHAPE_EMPTY,
    SHAPE_NO_EXE,
    SHAPE_QUOTED,
    SHAPE_QUOTED_ARGS,
    SHAPE_ENV_VAR,
    SHAPE_ENV_VAR_ARGS,
    SHAPE_NT_PREFIX,
    SHAPE_NT_PREFIX_ARGS,
    SHAPE_PATH,
    SHAPE_PATH_ARGS,
    SHAPE_SPACES,
    SHAPE_SPACES_ARGS,
    SHAPE_RELATIVE,
    SHAPE_RELATIVE_ARGS,
    SHAPE_COUNT
};

/* Classify an ImagePath by the rules above.  KEY_EXISTS: the service key
** was there; VALUE_PRESENT: it had an ImagePath, of registry type TYPE
** (KMH_REG_* numbers) with bytes DATA[0..LEN) (2-byte aligned, as malloc
** gives; may be NULL when LEN is 0).  Reads DATA only; keeps nothing. */
enum shape shape_classify(int key_exists, int value_present, uint32_t type,
                          const uint8_t *data, size_t len);

/* The label of SHAPE ("path+args"); "unknown" for a number out of range. */
const char *shape_name(enum shape shape);

#endif /* KMH_SHAPE_H */
