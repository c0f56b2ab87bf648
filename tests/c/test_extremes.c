/*
 * test_extremes.c — the min/max reduce loops of every instruction set against the portable
 * ones: the same extreme on rows of every length up to a few hundred, at every alignment, with
 * the extreme anywhere (the vector loops' last vector overlaps earlier elements); with a NaN
 * anywhere the very NaN the portable loop returns (its first), bit for bit; strided rows too.
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
    if (dtype == RP_FLOAT32) {
        float f = (float)v;
        memcpy(p, &f, sizeof f);
    } else {
        memcpy(p, &v, sizeof v);
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

/* Runs `op` of `table` and of the portable table on the same row; true when they agree: equal
 * values, or the same NaN bits. */
static bool agree(const rp_kernel_table *table, const rp_kernel_table *scalar, rp_reduce_op op,
                  rp_dtype dtype, const char *row, int64_t stride, int64_t n)
{
    char got[8], want[8];
    memset(got, 0x5a, sizeof got);
    memset(want, 0x5a, sizeof want);
    table->reduce[op][dtype](row, stride, n, got);
    scalar->reduce[op][dtype](row, stride, n, want);
    size_t size = rp_dtype_size(dtype);
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

static void test_table(const rp_kernel_table *table, const rp_kernel_table *scalar)
{
    static const rp_dtype dtypes[] = {RP_FLOAT32, RP_FLOAT64};
    static const rp_reduce_op ops[] = {RP_RED_MIN, RP_RED_MAX};
    char *buffer = malloc((size_t)(MAX_N * STRIDES + SHIFTS) * 8);
    CHECK(buffer != NULL);
    if (buffer == NULL) {
        return;
    }
    for (int d = 0; d < 2; d++) {
        rp_dtype dtype = dtypes[d];
        int64_t size = (int64_t)rp_dtype_size(dtype);
        for (int o = 0; o < 2; o++) {
            for (int64_t step = 1; step <= STRIDES; step++) {
                for (int64_t shift = 0; shift < SHIFTS; shift++) {
                    for (int64_t n = 1; n <= MAX_N; n++) {
                        char *row = buffer + shift * size;
                        int64_t stride = step * size;
                        for (int64_t i = 0; i < n; i++) {
                            put(row + i * stride, dtype, scrambled(i, n));
                        }
                        snprintf(current_case, sizeof current_case, "%s %s %s n=%lld step=%lld",
                                 table->isa_name, ops[o] == RP_RED_MIN ? "min" : "max",
                                 rp_dtype_name(dtype), (long long)n, (long long)step);
                        CHECK_AGREE(table, scalar, ops[o], dtype, row, stride, n);
                        /* The extreme at the very end, then infinities at both ends. */
                        put(row + (n - 1) * stride, dtype, ops[o] == RP_RED_MAX ? 1e6 : -1e6);
                        CHECK_AGREE(table, scalar, ops[o], dtype, row, stride, n);
                        put(row, dtype, INFINITY);
                        put(row + (n - 1) * stride, dtype, -INFINITY);
                        CHECK_AGREE(table, scalar, ops[o], dtype, row, stride, n);
                        /* A NaN at each position (and a second, later one, for long rows). */
                        for (int64_t at = 0; at < n; at += n > 64 ? 7 : 1) {
                            for (int64_t i = 0; i < n; i++) {
                                put(row + i * stride, dtype, scrambled(i, n));
                            }
                            put_nan(row + at * stride, dtype, at + 1);
                            if (at + 5 < n) {
                                put_nan(row + (at + 5) * stride, dtype, at + 6);
                            }
                            CHECK_AGREE(table, scalar, ops[o], dtype, row, stride, n);
                        }
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
