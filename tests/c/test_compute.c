/*
 * test_compute.c — C unit tests of the compute API (raptors/compute.h) with no Python involved:
 * promotion, broadcasting, in-place and overlapping outputs, warnings, both reduction paths,
 * pairwise accuracy, argmin/argmax, error statuses, and that nothing leaks.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fp_flags.h"
#include "raptors/compute.h"

#include "check.h"


/* A C-ordered float64 array holding 0, 1, 2, ... */
static rp_array *iota(rp_dtype dtype, int ndim, const int64_t *shape)
{
    rp_array *a = NULL, *f64 = NULL;
    if (rp_array_empty(RP_FLOAT64, ndim, shape, RP_ORDER_C, &f64) != RP_OK) {
        return NULL;
    }
    int64_t n = rp_array_size(f64);
    for (int64_t i = 0; i < n; i++) {
        ((double *)f64->data)[i] = (double)i;
    }
    if (rp_array_copy(f64, dtype, RP_ORDER_C, &a) != RP_OK) {
        a = NULL;
    }
    rp_array_free(f64);
    return a;
}

static double get(const rp_array *a, int64_t flat)
{
    rp_scalar value, as_double;
    rp_array_get_flat(a, flat, &value);
    rp_scalar_cast(&value, RP_FLOAT64, &as_double);
    return as_double.value.f64;
}

static rp_scalar weak_int(int64_t v) { return (rp_scalar){.dtype = RP_INT64, .value.i64 = v}; }
static rp_scalar weak_float(double v) { return (rp_scalar){.dtype = RP_FLOAT64, .value.f64 = v}; }

static void test_promotion(void)
{
    int64_t shape[1] = {3};
    rp_array *f32 = iota(RP_FLOAT32, 1, shape), *i32 = iota(RP_INT32, 1, shape);
    rp_operand a = rp_operand_array(f32), b = rp_operand_array(i32);
    rp_operand two = rp_operand_scalar(weak_float(2.0), true);
    rp_operand strong_two = rp_operand_scalar(weak_float(2.0), false);
    rp_operand big = rp_operand_scalar(weak_int(3000000000LL), true);
    rp_binary_types types;
    CHECK(rp_binary_types_resolve(RP_BIN_MULTIPLY, &a, &two, &types) == RP_OK &&
          types.result == RP_FLOAT32);
    CHECK(rp_binary_types_resolve(RP_BIN_MULTIPLY, &a, &strong_two, &types) == RP_OK &&
          types.result == RP_FLOAT64);
    CHECK(rp_binary_types_resolve(RP_BIN_ADD, &a, &b, &types) == RP_OK &&
          types.result == RP_FLOAT64);
    CHECK(rp_binary_types_resolve(RP_BIN_DIVIDE, &b, &b, &types) == RP_OK &&
          types.result == RP_FLOAT64);
    CHECK(rp_binary_types_resolve(RP_BIN_LESS, &b, &big, &types) == RP_OK &&
          types.loop == RP_INT64 && types.result == RP_BOOL);
    CHECK(rp_binary_types_resolve(RP_BIN_ADD, &b, &big, &types) == RP_ERR_OUT_OF_RANGE);
    CHECK(strcmp(rp_last_error(), "Python integer 3000000000 out of bounds for int32") == 0);
    CHECK(rp_binary_types_resolve(RP_BIN_BITWISE_AND, &a, &a, &types) == RP_ERR_TYPE);
    CHECK(rp_can_cast_same_kind(RP_FLOAT64, RP_FLOAT32) &&
          !rp_can_cast_same_kind(RP_FLOAT64, RP_INT64) &&
          !rp_can_cast_same_kind(RP_INT32, RP_BOOL));
    rp_array_free(f32);
    rp_array_free(i32);
}

static void test_broadcast_and_inplace(void)
{
    int64_t shape[2] = {3, 4}, row[1] = {4}, bad[1] = {5};
    rp_array *a = iota(RP_FLOAT64, 2, shape), *v = iota(RP_INT32, 1, row);
    rp_array *w = iota(RP_FLOAT64, 1, bad), *sum = NULL;
    rp_operand x = rp_operand_array(a), y = rp_operand_array(v), z = rp_operand_array(w);
    int warnings = 0;
    CHECK(rp_binary(RP_BIN_ADD, &x, &y, NULL, &sum, &warnings) == RP_OK);
    CHECK(sum->dtype == RP_FLOAT64 && sum->ndim == 2 && get(sum, 11) == 11.0 + 3.0);
    CHECK(rp_binary(RP_BIN_ADD, &x, &z, NULL, &sum, &warnings) == RP_ERR_VALUE);
    CHECK(strcmp(rp_last_error(),
                 "operands could not be broadcast together with shapes (3,4) (5,) ") == 0);

    /* a += a[::-1]: the partly overlapping input is read as it was before any write. */
    rp_index reverse = {.kind = RP_INDEX_SLICE, .step = -1};
    rp_array *flipped = NULL;
    CHECK(rp_array_index(a, &reverse, 1, &flipped) == RP_OK);
    rp_operand f = rp_operand_array(flipped);
    CHECK(rp_binary(RP_BIN_ADD, &x, &f, a, NULL, &warnings) == RP_OK);
    CHECK(get(a, 0) == 0.0 + 8.0 && get(a, 8) == 8.0 + 0.0 && get(a, 5) == 5.0 + 5.0);

    /* In place with the same_kind rule: int32 += float64 is refused and leaves a intact. */
    rp_operand half = rp_operand_scalar(weak_float(0.5), true);
    CHECK(rp_binary(RP_BIN_ADD, &y, &half, v, NULL, &warnings) == RP_ERR_TYPE);
    CHECK(get(v, 3) == 3.0);
    CHECK(warnings == 0);
    rp_array_free(flipped);
    rp_array_free(sum);
    rp_array_free(a);
    rp_array_free(v);
    rp_array_free(w);
}

static void test_integer_division_and_warnings(void)
{
    int64_t shape[1] = {4};
    rp_array *a = iota(RP_INT32, 1, shape), *q = NULL, *r = NULL, *d = NULL;
    ((int32_t *)a->data)[0] = INT32_MIN;
    rp_operand x = rp_operand_array(a), minus_one = rp_operand_scalar(weak_int(-1), true);
    rp_operand zero = rp_operand_scalar(weak_int(0), true);
    rp_operand minus_three = rp_operand_scalar(weak_int(-3), true);
    int warnings = 0;
    CHECK(rp_binary(RP_BIN_FLOOR_DIVIDE, &x, &minus_one, NULL, &q, &warnings) == RP_OK);
    CHECK(get(q, 0) == (double)INT32_MIN && get(q, 3) == -3.0 && warnings == RP_WARN_OVERFLOW);
    rp_array_free(q);
    warnings = 0;
    CHECK(rp_binary(RP_BIN_FLOOR_DIVIDE, &x, &zero, NULL, &q, &warnings) == RP_OK);
    CHECK(get(q, 2) == 0.0 && warnings == RP_WARN_DIVIDE_BY_ZERO);
    /* Python's signs: 2 // -3 == -1 and 2 % -3 == -1. */
    CHECK(rp_binary(RP_BIN_REMAINDER, &x, &minus_three, NULL, &r, &warnings) == RP_OK);
    rp_array_free(q);
    CHECK(rp_binary(RP_BIN_FLOOR_DIVIDE, &x, &minus_three, NULL, &q, &warnings) == RP_OK);
    CHECK(get(q, 2) == -1.0 && get(r, 2) == -1.0);
    /* Float division by zero reports through the FP status flags. */
    warnings = 0;
    CHECK(rp_binary(RP_BIN_DIVIDE, &x, &zero, NULL, &d, &warnings) == RP_OK);
    CHECK(isinf(get(d, 1)));
    if (fp_flag_checks_apply("the float divide-by-zero warning check")) {
        CHECK(warnings & RP_WARN_DIVIDE_BY_ZERO);
    }
    rp_operand negative = rp_operand_scalar(weak_int(-2), true);
    rp_array *p = NULL;
    CHECK(rp_binary(RP_BIN_POWER, &x, &negative, NULL, &p, &warnings) == RP_ERR_VALUE);
    rp_array_free(a);
    rp_array_free(q);
    rp_array_free(r);
    rp_array_free(d);
}

/* Sums over each axis of a C-contiguous block, which take the two engine paths (row reduction
 * for the last axis, row accumulation for the first), agree with direct arithmetic. */
static void test_reduction_paths(void)
{
    int64_t shape[2] = {300, 70};
    rp_array *a = iota(RP_INT32, 2, shape), *rows = NULL, *cols = NULL, *all = NULL;
    rp_reduce_spec spec = rp_reduce_all_axes();
    int warnings = 0;
    spec.naxes = 1;
    spec.axes[0] = 0;
    CHECK(rp_reduce(RP_REDUCE_SUM, a, &spec, &cols, &warnings) == RP_OK);
    spec.axes[0] = -1;
    CHECK(rp_reduce(RP_REDUCE_SUM, a, &spec, &rows, &warnings) == RP_OK);
    CHECK(cols->dtype == RP_INT64 && cols->shape[0] == 70 && rows->shape[0] == 300);
    /* column j: sum_i (70 i + j); row i: sum_j (70 i + j) */
    CHECK(get(cols, 5) == 70.0 * (299.0 * 300.0 / 2) + 5.0 * 300.0);
    CHECK(get(rows, 7) == 70.0 * 7 * 70 + 69.0 * 70.0 / 2);
    spec = rp_reduce_all_axes();
    CHECK(rp_reduce(RP_REDUCE_MEAN, a, &spec, &all, &warnings) == RP_OK);
    CHECK(all->ndim == 0 && all->dtype == RP_FLOAT64 && get(all, 0) == (21000.0 - 1) / 2);
    rp_array_free(all);
    spec.keepdims = true;
    CHECK(rp_reduce(RP_REDUCE_ARGMAX, a, &spec, &all, &warnings) == RP_OK);
    CHECK(all->ndim == 2 && get(all, 0) == 20999.0);
    CHECK(warnings == 0);
    rp_array_free(all);
    rp_array_free(rows);
    rp_array_free(cols);
    rp_array_free(a);
}

/* A float32 sum of a million 0.1f: a running sum drifts by percents, pairwise stays close. */
static void test_pairwise_accuracy(void)
{
    int64_t shape[1] = {1 << 20};
    rp_array *a = NULL, *sum = NULL;
    rp_scalar tenth = {.dtype = RP_FLOAT32, .value.f32 = 0.1f};
    CHECK(rp_array_full(RP_FLOAT32, 1, shape, &tenth, &a) == RP_OK);
    rp_reduce_spec spec = rp_reduce_all_axes();
    int warnings = 0;
    CHECK(rp_reduce(RP_REDUCE_SUM, a, &spec, &sum, &warnings) == RP_OK);
    double exact = (double)0.1f * (double)(1 << 20);
    CHECK(sum->dtype == RP_FLOAT32 && fabs(get(sum, 0) - exact) / exact < 1e-6);
    rp_array_free(sum);
    rp_array_free(a);
}

static void test_reduction_errors(void)
{
    int64_t shape[2] = {2, 0};
    rp_array *a = NULL, *out = NULL;
    CHECK(rp_array_empty(RP_FLOAT64, 2, shape, RP_ORDER_C, &a) == RP_OK);
    rp_reduce_spec spec = rp_reduce_all_axes();
    int warnings = 0;
    spec.naxes = 1;
    spec.axes[0] = 2;
    CHECK(rp_reduce(RP_REDUCE_SUM, a, &spec, &out, &warnings) == RP_ERR_AXIS);
    CHECK(strcmp(rp_last_error(), "axis 2 is out of bounds for array of dimension 2") == 0);
    spec.axes[0] = 1;
    CHECK(rp_reduce(RP_REDUCE_MIN, a, &spec, &out, &warnings) == RP_ERR_VALUE);
    CHECK(strcmp(rp_last_error(),
                 "zero-size array to reduction operation minimum which has no identity") == 0);
    CHECK(rp_reduce(RP_REDUCE_MEAN, a, &spec, &out, &warnings) == RP_OK);
    CHECK(isnan(get(out, 1)) && (warnings & RP_WARN_EMPTY_MEAN));
    rp_array_free(out);
    CHECK(rp_reduce(RP_REDUCE_PROD, a, &spec, &out, &warnings) == RP_OK && get(out, 0) == 1.0);
    rp_array_free(out);
    rp_array_free(a);
}

int main(void)
{
    test_promotion();
    test_broadcast_and_inplace();
    test_integer_division_and_warnings();
    test_reduction_paths();
    test_pairwise_accuracy();
    test_reduction_errors();
    CHECK(rp_buffer_live_count() == 0);
    return check_report("test_compute");
}
