/*
 * test_extremes.c — the min/max and argmin/argmax loops of every instruction set against the
 * portable ones, for every dtype: the same extreme (and the same index: the first) on rows of
 * every length up to a few hundred and a few longer than an argmin/argmax block, at every
 * alignment, with ties and with the extreme anywhere (the vector loops' last vector overlaps
 * earlier elements); with NaNs anywhere, the index of the first, and for min/max the very NaN
 * the portable loop returns, bit for bit; strided rows too. The portable loops themselves are
 * checked against a plain scan.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "raptors/runtime.h"

#include "check.h"

enum { MAX_N = 260, SHIFTS = 4, STRIDES = 2 };

static char current_case[160];

/* Element i of a row of n: distinct values in a scrambled order, so the extreme falls anywhere. */
static double scrambled(int64_t i, int64_t n) { return (double)((i * 37 + n) % 101) - 50.0; }

static void put(char *p, rp_dtype dtype, double v)
{
    switch (dtype) {
    case RP_BOOL: {
        uint8_t b = v > 20.0;
        memcpy(p, &b, sizeof b);
        break;
    }
    case RP_INT32: {
        int32_t i = isinf(v) ? (v > 0 ? INT32_MAX : INT32_MIN) : (int32_t)v;
        memcpy(p, &i, sizeof i);
        break;
    }
    case RP_INT64: {
        int64_t i = isinf(v) ? (v > 0 ? INT64_MAX : INT64_MIN) : (int64_t)v;
        memcpy(p, &i, sizeof i);
        break;
    }
    case RP_FLOAT32: {
        float f = (float)v;
        memcpy(p, &f, sizeof f);
        break;
    }
    default:
        memcpy(p, &v, sizeof v);
        break;
    }
}

/* A NaN whose payload says where it was written, so "the first NaN" can be told apart. */
static void put_nan(char *p, rp_dtype dtype, int64_t tag)
{
    if (dtype == RP_FLOAT32) {
        uint32_t bits = 0x7fc00000u | (uint32_t)(tag & 0xffff);
        memcpy(p, &bits, sizeof bits);
    } else {
        uint64_t bits = 0x7ff8000000000000ull | (uint64_t)(tag & 0xffff);
        memcpy(p, &bits, sizeof bits);
    }
}

static double get(const char *p, rp_dtype dtype)
{
    switch (dtype) {
    case RP_BOOL: return *(const uint8_t *)p != 0;
    case RP_INT32: { int32_t v; memcpy(&v, p, sizeof v); return v; }
    case RP_INT64: { int64_t v; memcpy(&v, p, sizeof v); return (double)v; }
    case RP_FLOAT32: { float v; memcpy(&v, p, sizeof v); return v; }
    default: { double v; memcpy(&v, p, sizeof v); return v; }
    }
}

/* The reference: the index of the first NaN, else of the first strict extreme. */
static int64_t reference_index(bool larger, rp_dtype dtype, const char *row, int64_t stride,
                               int64_t n)
{
    int64_t at = 0;
    for (int64_t i = 0; i < n; i++) {
        double v = get(row + i * stride, dtype), best = get(row + at * stride, dtype);
        if (isnan(v)) {
            return i;
        }
        if (larger ? v > best : v < best) {
            at = i;
        }
    }
    return at;
}

/* Runs extreme `which` (0 min, 1 max, 2 argmin, 3 argmax) of `table` and of the portable table
 * on the same row; true when they agree: the same index, equal values, or the same NaN bits. */
static bool agree(const rp_kernel_table *table, const rp_kernel_table *scalar, int which,
                  rp_dtype dtype, const char *row, int64_t stride, int64_t n)
{
    if (which >= 2) {
        rp_arg_reduce_op op = which == 2 ? RP_ARG_MIN : RP_ARG_MAX;
        int64_t got = -1, want = -2;
        table->arg_reduce[op][dtype](row, stride, n, &got);
        scalar->arg_reduce[op][dtype](row, stride, n, &want);
        return got == want && want == reference_index(op == RP_ARG_MAX, dtype, row, stride, n);
    }
    rp_reduce_op op = which == 0 ? RP_RED_MIN : RP_RED_MAX;
    char got[8], want[8];
    memset(got, 0x5a, sizeof got);
    memset(want, 0x5a, sizeof want);
    table->reduce[op][dtype](row, stride, n, got);
    scalar->reduce[op][dtype](row, stride, n, want);
    size_t size = rp_dtype_size(dtype);
    int64_t at = reference_index(op == RP_RED_MAX, dtype, row, stride, n);
    if (!rp_dtype_is_float(dtype)) {
        return memcmp(got, want, size) == 0 && get(want, dtype) == get(row + at * stride, dtype);
    }
    double expected = get(row + at * stride, dtype);
    if (isnan(expected) ? !isnan(get(want, dtype)) : get(want, dtype) != expected) {
        return false; /* the portable loop's own answer is off */
    }
    double g, w;
    if (dtype == RP_FLOAT32) {
        float gf, wf;
        memcpy(&gf, got, sizeof gf);
        memcpy(&wf, want, sizeof wf);
        g = gf;
        w = wf;
    } else {
        memcpy(&g, got, sizeof g);
        memcpy(&w, want, sizeof w);
    }
    if (isnan(w)) {
        return memcmp(got, want, size) == 0;
    }
    return g == w;
}

/* CHECK of agree(), naming the case when it fails. */
#define CHECK_AGREE(...)                                                                          \
    do {                                                                                           \
        bool agreed = agree(__VA_ARGS__);                                                          \
        if (!agreed) {                                                                             \
            fprintf(stderr, "disagreement: %s\n", current_case);                                   \
        }                                                                                          \
        CHECK(agreed);                                                                             \
    } while (0)

static const char *const which_names[] = {"min", "max", "argmin", "argmax"};

/* Every check on one row length: plain values, the extreme at the end, infinities (or the
 * integer limits) at both ends, and for floats a NaN at positions through the row. */
static void check_row(const rp_kernel_table *table, const rp_kernel_table *scalar, int which,
                      rp_dtype dtype, char *row, int64_t stride, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        put(row + i * stride, dtype, scrambled(i, n));
    }
    CHECK_AGREE(table, scalar, which, dtype, row, stride, n);
    bool larger = which % 2 == 1;
    put(row + (n - 1) * stride, dtype, larger ? 1e6 : -1e6);
    CHECK_AGREE(table, scalar, which, dtype, row, stride, n);
    put(row, dtype, INFINITY);
    put(row + (n - 1) * stride, dtype, -INFINITY);
    CHECK_AGREE(table, scalar, which, dtype, row, stride, n);
    if (!rp_dtype_is_float(dtype)) {
        return;
    }
    put(row + (n / 2) * stride, dtype, larger ? -0.0 : 0.0); /* a signed-zero tie */
    put(row + (n / 3) * stride, dtype, larger ? 0.0 : -0.0);
    CHECK_AGREE(table, scalar, which, dtype, row, stride, n);
    for (int64_t at = 0; at < n; at += n > 64 ? 1 + n / 16 : 1) {
        for (int64_t i = 0; i < n; i++) {
            put(row + i * stride, dtype, scrambled(i, n));
        }
        put_nan(row + at * stride, dtype, at + 1);
        if (at + 5 < n) {
            put_nan(row + (at + 5) * stride, dtype, at + 6);
        }
        CHECK_AGREE(table, scalar, which, dtype, row, stride, n);
    }
}

static void test_table(const rp_kernel_table *table, const rp_kernel_table *scalar)
{
    static const rp_dtype dtypes[] = {RP_BOOL, RP_INT32, RP_INT64, RP_FLOAT32, RP_FLOAT64};
    /* Short rows of every length, then rows across the argmin/argmax blocks of 1024. */
    static const int64_t long_rows[] = {1023, 1024, 1025, 2047, 3000, 5001};
    enum { LONGEST = 5001 };
    char *buffer = malloc((size_t)(LONGEST * STRIDES + SHIFTS) * 8);
    CHECK(buffer != NULL);
    if (buffer == NULL) {
        return;
    }
    for (int d = 0; d < 5; d++) {
        rp_dtype dtype = dtypes[d];
        int64_t size = (int64_t)rp_dtype_size(dtype);
        for (int which = 0; which < 4; which++) {
            for (int64_t step = 1; step <= STRIDES; step++) {
                for (int64_t shift = 0; shift < SHIFTS; shift++) {
                    for (int64_t k = 1; k <= MAX_N + 6; k++) {
                        int64_t n = k <= MAX_N ? k : long_rows[k - MAX_N - 1];
                        snprintf(current_case, sizeof current_case, "%s %s %s n=%lld step=%lld "
                                 "shift=%lld", table->isa_name, which_names[which],
                                 rp_dtype_name(dtype), (long long)n, (long long)step,
                                 (long long)shift);
                        check_row(table, scalar, which, dtype, buffer + shift * size,
                                  step * size, n);
                    }
                }
            }
        }
    }
    free(buffer);
}

int main(void)
{
    const char *names[8];
    int count = rp_simd_available(names, 8);
    const rp_kernel_table *scalar = rp_kernels_for_isa("scalar");
    for (int i = 0; i < count; i++) {
        const rp_kernel_table *table = rp_kernels_for_isa(names[i]);
        CHECK(table != NULL);
        if (table != NULL) {
            test_table(table, scalar);
        }
    }
    return check_report("test_extremes");
}
