/*
 * test_array.c — C unit tests of array creation, views and copies, with no Python involved:
 * also 0-d arrays from a NULL shape, empty arrays reshaped to huge extents, assignment dropping
 * leading extent-1 axes, and the warnings of casts with no result (from any pool thread, and for
 * concurrent callers each its own).
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/parallel.h"
#include "fp_flags.h"
#include "raptors/raptors.h"
#include "raptors/runtime.h"

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

static void test_zero_d_and_empty_reshape(void)
{
    rp_array *scalar = NULL, *empty = NULL, *reshaped = NULL;
    CHECK(rp_array_empty(RP_FLOAT64, 0, NULL, RP_ORDER_C, &scalar) == RP_OK);
    CHECK(scalar != NULL && scalar->ndim == 0 && rp_array_size(scalar) == 1);
    rp_array_free(scalar);

    int64_t zero = 0, huge[2] = {(int64_t)1 << 62, -1}, huge_last[2] = {-1, (int64_t)1 << 62};
    CHECK(rp_array_empty(RP_FLOAT64, 1, &zero, RP_ORDER_C, &empty) == RP_OK);
    /* 2**62 float64 elements would not fit in memory: NumPy's "array is too big". */
    CHECK(rp_array_reshape(empty, 2, huge, RP_ORDER_C, &reshaped) == RP_ERR_OVERFLOW);
    rp_array_free(empty);
    CHECK(rp_array_empty(RP_BOOL, 1, &zero, RP_ORDER_C, &empty) == RP_OK);
    CHECK(rp_array_reshape(empty, 2, huge, RP_ORDER_C, &reshaped) == RP_OK);
    CHECK(reshaped->shape[0] == (int64_t)1 << 62 && reshaped->shape[1] == 0);
    CHECK(reshaped->strides[0] == 1 && reshaped->strides[1] == 1); /* as NumPy's */
    rp_array_free(reshaped);
    CHECK(rp_array_reshape(empty, 2, huge_last, RP_ORDER_C, &reshaped) == RP_OK);
    CHECK(reshaped->strides[0] == (int64_t)1 << 62 && reshaped->strides[1] == 1);
    rp_array_free(reshaped);
    rp_array_free(empty);
}

static void test_assign_drops_leading_unit_axes(void)
{
    int64_t row[3] = {1, 1, 3}, two_rows[2] = {2, 3}, three = 3;
    rp_scalar one = {.dtype = RP_FLOAT64, .value.f64 = 1.0};
    rp_array *dst = NULL, *src = NULL, *wide = NULL;
    CHECK(rp_array_full(RP_FLOAT64, 1, &three, &(rp_scalar){.dtype = RP_BOOL}, &dst) == RP_OK);
    CHECK(rp_array_full(RP_FLOAT64, 3, row, &one, &src) == RP_OK);
    CHECK(rp_array_full(RP_FLOAT64, 2, two_rows, &one, &wide) == RP_OK);
    CHECK(rp_array_assign(dst, src) == RP_OK);
    CHECK(((double *)dst->data)[2] == 1.0);
    CHECK(rp_array_assign(dst, wide) == RP_ERR_VALUE); /* (2, 3) has no leading 1 to drop */
    rp_array_free(dst);
    rp_array_free(src);
    rp_array_free(wide);
}

/* Casts `values` (float64) to `to`; returns the RP_CAST_* bits and the result in *out. */
static int cast_warnings(const double *values, int64_t n, rp_dtype to, rp_array **out)
{
    rp_array *src = NULL;
    *out = NULL;
    CHECK(rp_array_empty(RP_FLOAT64, 1, &n, RP_ORDER_C, &src) == RP_OK);
    memcpy(src->data, values, (size_t)n * sizeof *values);
    int warnings = 0;
    CHECK(rp_array_empty(to, 1, &n, RP_ORDER_C, out) == RP_OK);
    CHECK(rp_array_assign_checked(*out, src, &warnings) == RP_OK);
    rp_array_free(src);
    return warnings;
}

static void test_cast_warnings(void)
{
    rp_array *out = NULL;
    const double fine[3] = {1.5, -2.5, 1e300};
    CHECK(cast_warnings(fine, 2, RP_INT64, &out) == 0);
    rp_array_free(out);
    CHECK(cast_warnings(fine, 3, RP_BOOL, &out) == 0);
    rp_array_free(out);

    bool flags = fp_flag_checks_apply("the cast warning checks");
    const double no_integer[4] = {NAN, 1.5, 1e300, -INFINITY};
    int warnings = cast_warnings(no_integer, 4, RP_INT64, &out);
    const int64_t *ints = (const int64_t *)out->data;
    CHECK(ints[0] == INT64_MIN && ints[1] == 1 && ints[2] == INT64_MIN && ints[3] == INT64_MIN);
    CHECK(!flags || warnings == RP_CAST_INVALID);
    rp_array_free(out);
    warnings = cast_warnings(no_integer, 2, RP_INT32, &out);
    CHECK(((const int32_t *)out->data)[0] == INT32_MIN);
    CHECK(!flags || warnings == RP_CAST_INVALID);
    rp_array_free(out);
    const double too_big[2] = {1e300, 1.0};
    warnings = cast_warnings(too_big, 2, RP_FLOAT32, &out);
    CHECK(isinf(((const float *)out->data)[0]));
    CHECK(!flags || warnings == RP_CAST_OVERFLOW);
    rp_array_free(out);

    /* A cast split across the pool: the one NaN, in a task a worker runs, is still reported. */
    enum { LONG = 1 << 22 };
    double *values = calloc(LONG, sizeof *values);
    CHECK(values != NULL && rp_set_num_threads(2) == RP_OK);
    for (int64_t position = 0; values != NULL && position < LONG; position += LONG / 8) {
        values[position] = NAN;
        uint64_t jobs = rp_parallel_jobs_run();
        warnings = cast_warnings(values, LONG, RP_INT32, &out);
        CHECK(rp_parallel_jobs_run() > jobs);
        CHECK(!flags || warnings == RP_CAST_INVALID);
        CHECK(((const int32_t *)out->data)[position] == INT32_MIN);
        rp_array_free(out);
        values[position] = 0.0;
    }
    free(values);
}

/* Callers casting at once, with the pool on: each gets the warnings of its own data only (the
 * flags are per thread and per task, never shared between jobs). */
enum { CALLERS = 6, CALLER_ROUNDS = 20, CALLER_LENGTH = 1 << 18 };
static atomic_int crossed_warnings;

static void *cast_in_a_loop(void *argument)
{
    bool spoiled = (uintptr_t)argument % 2 == 1;
    double *values = calloc(CALLER_LENGTH, sizeof *values);
    if (values == NULL) {
        atomic_fetch_add(&crossed_warnings, 1);
        return NULL;
    }
    if (spoiled) {
        values[CALLER_LENGTH / 3] = NAN;
    }
    for (int round = 0; round < CALLER_ROUNDS; round++) {
        rp_array *out = NULL;
        int warnings = cast_warnings(values, CALLER_LENGTH, RP_INT64, &out);
        if (warnings != (spoiled ? RP_CAST_INVALID : 0)) {
            atomic_fetch_add(&crossed_warnings, 1);
        }
        rp_array_free(out);
    }
    free(values);
    return NULL;
}

static void test_concurrent_cast_warnings(void)
{
    if (!fp_flag_checks_apply("the concurrent cast warning checks")) {
        return;
    }
    CHECK(rp_set_num_threads(2) == RP_OK);
    pthread_t callers[CALLERS];
    for (int i = 0; i < CALLERS; i++) {
        CHECK(pthread_create(&callers[i], NULL, cast_in_a_loop, (void *)(uintptr_t)i) == 0);
    }
    for (int i = 0; i < CALLERS; i++) {
        pthread_join(callers[i], NULL);
    }
    CHECK(atomic_load(&crossed_warnings) == 0);
}

int main(void)
{
    test_create_and_transpose();
    test_slicing_and_reshape();
    test_errors();
    test_assign_overlap();
    test_zero_d_and_empty_reshape();
    test_assign_drops_leading_unit_axes();
    test_cast_warnings();
    test_concurrent_cast_warnings();
    return check_report("test_array");
}
