/*
** grow.h - room for one more element in a growable array.
**
** Every list the harness builds as it goes (parsed .reg operations,
** scenario files, journal levels, watched keys, placed files, cached
** images) is an array with a count and a capacity that doubles when full.
** grow_for() is that doubling, written once, with the size overflow check
** each copy lacked.  Pure C, no Win32.
*/
#ifndef KMH_GROW_H
#define KMH_GROW_H

#include <stddef.h>

/* The array V (CAP elements of SIZE bytes, N of them used), with room for
** element N: V itself while N < *CAP, else V reallocated to twice *CAP
** (FIRST when *CAP is 0) and *CAP updated.  NULL when out of memory or the
** size would overflow; V is then still valid and *CAP unchanged. */
void *grow_for(void *v, size_t *cap, size_t n, size_t size, size_t first);

#endif
