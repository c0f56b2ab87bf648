/*
 * test_array.c — C unit tests of array creation, views and copies, with no Python involved.
 */
#include <stdio.h>
#include <string.h>

#include "raptors/raptors.h"

#include "check.h"


static double at2(const rp_array *a, int64_t i, int64_t j)
{
    double v;
    memcpy(&v, a->data + i * a->strides[0] + j * a->strides[1], sizeof v);
    return v;
}

static void test_create_and_transpose(void)
{
    int64_t shape[2] = {3, 4};
    rp_scalar seven = {.dtype = RP_INT64, .value.i64 = 7};
    rp_array *a = NULL, *t = NULL;
    CHECK(rp_array_full(RP_FLOAT64, 2, shape, &seven, &a) == RP_OK);
    CHECK(rp_array_is_c_contiguous(a) && !rp_array_is_f_contiguous(a));
    CHECK(at2(a, 2, 3) == 7.0);
    CHECK(rp_array_transpose(a, NULL, &t) == RP_OK);
    CHECK(t->shape[0] == 4 && t->shape[1] == 3 && rp_array_is_f_contiguous(t));
    rp_array_free(a); /* the view keeps the buffer alive */
    CHECK(at2(t, 3, 2) == 7.0);
    rp_array_free(t);
    CHECK(rp_buffer_live_count() == 0);
}

static void test_slicing_and_reshape(void)
{
    int64_t shape[1] = {12};
    rp_array *a = NULL, *b = NULL, *c = NULL;
    CHECK(rp_array_empty(RP_FLOAT64, 1, shape, RP_ORDER_C, &a) == RP_OK);
    for (int i = 0; i < 12; i++) {
        ((double *)a->data)[i] = i;
    }
    int64_t shape2[2] = {3, -1};
    CHECK(rp_array_reshape(a, 2, shape2, RP_ORDER_C, &b) == RP_OK);
    CHECK(b->shape[1] == 4 && b->data == a->data);
    rp_index items[2] = {
        {.kind = RP_INDEX_SLICE, .step = -1},
        {.kind = RP_INDEX_SLICE, .start = 1, .has_start = true, .step = 2},
    };
    CHECK(rp_array_index(b, items, 2, &c) == RP_OK);
    CHECK(c->shape[0] == 3 && c->shape[1] == 2);
    CHECK(at2(c, 0, 0) == 9.0 && at2(c, 2, 1) == 3.0);
    rp_array *flat = NULL;
    int64_t minus_one = -1;
    CHECK(rp_array_reshape_view(c, 1, &minus_one, RP_ORDER_C, &flat) == RP_OK && flat == NULL);
    CHECK(rp_array_reshape(c, 1, &minus_one, RP_ORDER_C, &flat) == RP_OK);
    CHECK(flat->data != a->data && ((double *)flat->data)[1] == 11.0);
    rp_index out_of_range = {.kind = RP_INDEX_INTEGER, .integer = 5};
    rp_array *bad = NULL;
    CHECK(rp_array_index(b, &out_of_range, 1, &bad) == RP_ERR_INDEX && bad == NULL);
    rp_array_free(flat);
    rp_array_free(c);
    rp_array_free(b);
    rp_array_free(a);
}

static void test_errors(void)
{
    int64_t negative[2] = {2, -3}, huge[2] = {INT64_MAX / 2, 4};
    rp_array *a = NULL;
    CHECK(rp_array_empty(RP_FLOAT64, 2, negative, RP_ORDER_C, &a) == RP_ERR_VALUE);
    CHECK(rp_array_empty(RP_FLOAT64, 2, huge, RP_ORDER_C, &a) == RP_ERR_OVERFLOW);
    int64_t sa[2] = {2, 3}, sb[1] = {4}, out[RP_MAXDIMS];
    int ndim;
    CHECK(rp_broadcast_shapes(2, sa, 1, sb, &ndim, out) == RP_ERR_VALUE);
    CHECK(strstr(rp_last_error(), "(2, 3) (4,)") != NULL);
    CHECK(a == NULL);
}

static void test_assign_overlap(void)
{
    int64_t shape[1] = {6};
    rp_array *a = NULL, *head = NULL, *tail = NULL;
    CHECK(rp_array_empty(RP_INT64, 1, shape, RP_ORDER_C, &a) == RP_OK);
    for (int i = 0; i < 6; i++) {
        ((int64_t *)a->data)[i] = i;
    }
    rp_index first = {.kind = RP_INDEX_SLICE, .stop = 5, .has_stop = true, .step = 1};
    rp_index last = {.kind = RP_INDEX_SLICE, .start = 1, .has_start = true, .step = 1};
    CHECK(rp_array_index(a, &first, 1, &head) == RP_OK);
    CHECK(rp_array_index(a, &last, 1, &tail) == RP_OK);
    CHECK(rp_array_assign(tail, head) == RP_OK); /* a[1:] = a[:-1] */
    const int64_t *v = (const int64_t *)a->data;
    CHECK(v[0] == 0 && v[1] == 0 && v[2] == 1 && v[5] == 4);
    rp_array_free(head);
    rp_array_free(tail);
    rp_array_free(a);
}

int main(void)
{
    test_create_and_transpose();
    test_slicing_and_reshape();
    test_errors();
    test_assign_overlap();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("test_array: all checks passed\n");
    return 0;
}
