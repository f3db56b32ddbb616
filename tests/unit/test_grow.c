/*
** test_grow.c - grow_for(): first capacity, doubling, no move while there
** is room, and refusal (array intact) when the size would overflow.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "grow.h"

static void starts_at_first_then_doubles(void **state)
{
    int *v = NULL;
    size_t cap = 0;
    for (size_t n = 0; n < 40; n++) {
        int *g = grow_for(v, &cap, n, sizeof *v, 8);
        assert_non_null(g);
        v = g;
        v[n] = (int)n;
        assert_true(cap > n);
    }
    assert_int_equal(cap, 64);  /* 8, 16, 32, 64 */
    for (size_t n = 0; n < 40; n++)
        assert_int_equal(v[n], (int)n);
    free(v);
}

static void room_left_returns_the_same_array(void **state)
{
    size_t cap = 0;
    char *v = grow_for(NULL, &cap, 0, 1, 4);
    assert_non_null(v);
    assert_int_equal(cap, 4);
    assert_ptr_equal(grow_for(v, &cap, 3, 1, 4), v);
    assert_int_equal(cap, 4);
    free(v);
}

static void overflow_is_refused_and_the_array_kept(void **state)
{
    size_t cap = SIZE_MAX / 16 + 1;  /* doubling it times 8 bytes overflows */
    char keep[1] = { 'k' };
    assert_null(grow_for(keep, &cap, cap, 8, 16));
    assert_int_equal(cap, SIZE_MAX / 16 + 1);
    assert_int_equal(keep[0], 'k');
    size_t top = SIZE_MAX / 2 + 1;  /* doubling wraps to 0 */
    assert_null(grow_for(keep, &top, top, 1, 16));
    assert_int_equal(top, SIZE_MAX / 2 + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(starts_at_first_then_doubles),
        cmocka_unit_test(room_left_returns_the_same_array),
        cmocka_unit_test(overflow_is_refused_and_the_array_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
