/*
** grow.c - room for one more element in a growable array.  See grow.h.
*/
#include <stdint.h>
#include <stdlib.h>
#include "grow.h"

void *grow_for(void *v, size_t *cap, size_t n, size_t size, size_t first)
{
    if (n < *cap)
        return v;
    size_t more = *cap ? 2 * *cap : first;
    if (more <= *cap || size == 0 || more > SIZE_MAX / size)
        return NULL;
    void *grown = realloc(v, more * size);
    if (grown)
        *cap = more;
    return grown;
}
