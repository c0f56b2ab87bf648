/*
 * test_kernels.c — every available instruction set's kernels against plain reference loops.
 *
 * For each SIMD table this build and CPU have: add/multiply on float32/float64 must match the
 * reference bit for bit (each lane is the same single IEEE operation) for lengths 0..300, every
 * misalignment, stride-0 operands on either side, in-place on either side, strided and
 * reversed operands, with and without the streaming-store hint; sums must be exact on
 * integer-valued data (so no element is dropped or counted twice) at strides of 1 to 8
 * elements and reversed, raise no condition for the elements a strided sum skips, be within the
 * pairwise error bound on random data, and as accurate as NumPy on a classic float32 case. Operands end right
 * before an inaccessible page, so any read or write past the last element crashes the test.
 * Inputs read every few elements into a contiguous output (steps 0 to 8 and reversed, on either
 * side, in-place too) must give the reference's values and exactly its floating-point flags,
 * with signaling NaNs in every skipped element (any arithmetic on one raises invalid) and
 * operands placed against a guard page at either end, for lengths around every vector width.
 * Column sums (colsum) of every dtype are exact on integer-valued data and bit-identical to the
 * portable loop on random data, for odd row and column counts, padded and reversed rows and
 * odd alignments, and within their error bound (never worse than NumPy's axis-0 order) on long
 * float32 columns. Selection by name and by RAPTORS_SIMD is checked too.
 */
#include <fenv.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fp_flags.h"
#include "kernels/kernels.h"
#include "raptors/raptors.h"

static int failures;

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: check failed: %s [%s]\n", __FILE__, __LINE__, #cond,       \
                    current_case);                                                             \
            failures++;                                                                        \
        }                                                                                      \
    } while (0)

static char current_case[160];

enum { MAX_N = 300, MAX_STRIDE = 8 };

/* ----- guarded memory: the usable bytes lie between two inaccessible pages */

typedef struct guarded {
    char *mapping;
    size_t mapping_size;
    char *begin; /* first usable byte, right after an inaccessible page */
    char *end;   /* first inaccessible byte */
} guarded;

static guarded guarded_new(size_t usable)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data_pages = (usable + page - 1) / page + 1;
    guarded g;
    g.mapping_size = (data_pages + 2) * page;
    g.mapping = mmap(NULL, g.mapping_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    if (g.mapping == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    g.begin = g.mapping + page;
    g.end = g.begin + data_pages * page;
    mprotect(g.mapping, page, PROT_NONE);
    mprotect(g.end, page, PROT_NONE);
    return g;
}

static void guarded_free(guarded *g) { munmap(g->mapping, g->mapping_size); }

/* Start of an operand of `n` elements of `size` bytes at `stride`, placed so that its last
 * element ends `shift` bytes before the guard page (shift < size gives odd alignments). */
static char *place(const guarded *g, int64_t n, int64_t size, int64_t stride, int64_t shift)
{
    int64_t span = n == 0 ? size : (n - 1) * (stride < 0 ? -stride : stride) + size;
    char *low = g->end - shift - span;
    return stride < 0 ? low + (n - 1) * -stride : low;
}

/* The same, with its lowest element starting `shift` bytes after the front guard page. */
static char *place_low(const guarded *g, int64_t n, int64_t stride, int64_t shift)
{
    char *low = g->begin + shift;
    return stride < 0 && n > 0 ? low + (n - 1) * -stride : low;
}

/* ----- reference loops */

static double value_at(int64_t i, int seed)
{
    /* Integer-valued and small, so sums are exact in float32 for these lengths. */
    return (double)((i * 7 + seed * 13) % 23) - 11.0;
}

static void write_value(char *p, rp_dtype dtype, double v)
{
    if (dtype == RP_FLOAT32) {
        float f = (float)v;
        memcpy(p, &f, sizeof f);
    } else {
        memcpy(p, &v, sizeof v);
    }
}

static double read_value(const char *p, rp_dtype dtype)
{
    if (dtype == RP_FLOAT32) {
        float f;
        memcpy(&f, p, sizeof f);
        return f;
    }
    double d;
    memcpy(&d, p, sizeof d);
    return d;
}

static double reference_op(rp_binary_op op, rp_dtype dtype, double x, double y)
{
    if (dtype == RP_FLOAT32) {
        float fx = (float)x, fy = (float)y;
        return op == RP_BIN_ADD ? (double)(fx + fy) : (double)(fx * fy);
    }
    return op == RP_BIN_ADD ? x + y : x * y;
}

/* ----- binary loops */

typedef enum { LAYOUT_CONTIGUOUS, LAYOUT_B_SCALAR, LAYOUT_A_SCALAR, LAYOUT_IN_PLACE_A,
               LAYOUT_IN_PLACE_B, LAYOUT_STRIDED, LAYOUT_REVERSED, NLAYOUTS } layout;

static const char *const layout_names[NLAYOUTS] = {
    "contiguous", "b scalar", "a scalar", "in-place a", "in-place b", "strided", "reversed",
};

static void check_binary_case(const rp_kernel_table *table, rp_binary_op op, rp_dtype dtype,
                              layout kind, int64_t n, int64_t shift, int hint, guarded *ga,
                              guarded *gb, guarded *go)
{
    int64_t size = (int64_t)rp_dtype_size(dtype);
    int64_t sa = size, sb = size, so = size;
    if (kind == LAYOUT_B_SCALAR) {
        sb = 0;
    } else if (kind == LAYOUT_A_SCALAR) {
        sa = 0;
    } else if (kind == LAYOUT_STRIDED) {
        sa = 2 * size;
        sb = 3 * size;
        so = 2 * size;
    } else if (kind == LAYOUT_REVERSED) {
        sa = -size;
        so = -2 * size;
    }
    char *a = place(ga, n, size, sa, shift);
    char *b = place(gb, n, size, sb, (shift * 3) % size);
    char *out = place(go, n, size, so, (shift * 5) % size);
    if (kind == LAYOUT_IN_PLACE_A) {
        out = a;
    } else if (kind == LAYOUT_IN_PLACE_B) {
        out = b;
    }
    double expected[MAX_N];
    for (int64_t i = 0; i < n; i++) {
        write_value(a + i * sa, dtype, value_at(i, 1) / 4.0);
        write_value(b + i * sb, dtype, value_at(i, 2) / 8.0 + 0.125);
    }
    for (int64_t i = 0; i < n; i++) {
        expected[i] = reference_op(op, dtype, read_value(a + i * sa, dtype),
                                   read_value(b + i * sb, dtype));
    }
    int flags = hint;
    table->binary[op][dtype](a, sa, b, sb, out, so, n, &flags);
    int wrong = 0;
    for (int64_t i = 0; i < n; i++) {
        wrong += read_value(out + i * so, dtype) != expected[i];
    }
    snprintf(current_case, sizeof current_case, "%s %s %s %s n=%lld shift=%lld%s",
             table->isa_name, op == RP_BIN_ADD ? "add" : "multiply", rp_dtype_name(dtype),
             layout_names[kind], (long long)n, (long long)shift, hint ? " streaming" : "");
    CHECK(wrong == 0);
    CHECK(flags == hint); /* no warnings raised, the hint left alone */
}

static void test_binary(const rp_kernel_table *table)
{
    size_t bytes = (size_t)(MAX_N + 1) * MAX_STRIDE * sizeof(double) + 64;
    guarded ga = guarded_new(bytes), gb = guarded_new(bytes), go = guarded_new(bytes);
    static const rp_binary_op ops[] = {RP_BIN_ADD, RP_BIN_MULTIPLY};
    static const rp_dtype dtypes[] = {RP_FLOAT32, RP_FLOAT64};
    for (int o = 0; o < 2; o++) {
        for (int d = 0; d < 2; d++) {
            snprintf(current_case, sizeof current_case, "%s entry", table->isa_name);
            CHECK(table->binary[ops[o]][dtypes[d]] != NULL);
            if (table->binary[ops[o]][dtypes[d]] == NULL) {
                continue;
            }
            int64_t size = (int64_t)rp_dtype_size(dtypes[d]);
            for (int kind = 0; kind < NLAYOUTS; kind++) {
                for (int64_t n = 0; n <= MAX_N; n++) {
                    for (int64_t shift = 0; shift < size; shift += n < 40 ? 1 : size / 2) {
                        for (int hint = 0; hint <= RP_LOOP_STREAM_OUTPUT;
                             hint += RP_LOOP_STREAM_OUTPUT) {
                            check_binary_case(table, ops[o], dtypes[d], (layout)kind, n, shift,
                                              hint, &ga, &gb, &go);
                        }
                    }
                }
            }
        }
    }
    guarded_free(&ga);
    guarded_free(&gb);
    guarded_free(&go);
}

/* The floating-point conditions a loop raises must be exactly those of its elements: idle lanes
 * of a partial vector may not compute 0 * inf (invalid) or anything else that raises. */
static void test_binary_flags(const rp_kernel_table *table)
{
    enum { N = 40 };
    static const double specials[] = {INFINITY, -INFINITY, NAN, 0.0, 1e300, 3e38, -2.5};
    static const rp_binary_op ops[] = {RP_BIN_ADD, RP_BIN_MULTIPLY};
    static const rp_dtype dtypes[] = {RP_FLOAT32, RP_FLOAT64};
    _Alignas(64) char a[N * 8], b[N * 8], out[N * 8];
    for (int o = 0; o < 2; o++) {
        for (int d = 0; d < 2; d++) {
            rp_dtype dtype = dtypes[d];
            int64_t size = (int64_t)rp_dtype_size(dtype);
            for (size_t k = 0; k < sizeof specials / sizeof *specials; k++) {
                for (int64_t n = 0; n <= N; n++) {
                    /* side 0: b is a broadcast special; 1: a is; 2: b is an array of it */
                    for (int side = 0; side < 3; side++) {
                        for (int64_t i = 0; i < n; i++) {
                            write_value(a + i * size, dtype, (double)(i % 3 + 1)); /* 1, 2, 3 */
                            write_value(b + i * size, dtype, specials[k]);
                        }
                        write_value(b, dtype, specials[k]);
                        const char *x = side == 1 ? b : a, *y = side == 1 ? a : b;
                        int64_t sa = side == 1 ? 0 : size, sb = side == 0 ? 0 : size;
                        feclearexcept(FE_ALL_EXCEPT);
                        for (int64_t i = 0; i < n; i++) {
                            volatile double r = reference_op(ops[o], dtype,
                                                             read_value(x + i * sa, dtype),
                                                             read_value(y + i * sb, dtype));
                            (void)r;
                        }
                        int expected = fetestexcept(FE_INVALID | FE_OVERFLOW | FE_DIVBYZERO);
                        feclearexcept(FE_ALL_EXCEPT);
                        int flags = 0;
                        table->binary[ops[o]][dtype](x, sa, y, sb, out, size, n, &flags);
                        int raised = fetestexcept(FE_INVALID | FE_OVERFLOW | FE_DIVBYZERO);
                        snprintf(current_case, sizeof current_case,
                                 "%s %s %s flags special=%g n=%lld side=%d", table->isa_name,
                                 ops[o] == RP_BIN_ADD ? "add" : "multiply",
                                 rp_dtype_name(dtype), specials[k], (long long)n, side);
                        CHECK(raised == expected);
                    }
                }
            }
        }
    }
    feclearexcept(FE_ALL_EXCEPT);
}

/* ----- inputs read every few elements, into a contiguous output */

/* Steps (in elements) at which an input is read: 0 broadcast, 1 contiguous, 2..4 what the
 * vector loops gather, 5 and 8 beyond them, negative ones reversed. */
static const int64_t input_steps[] = {0, 1, 2, 3, 4, 5, 8, -1, -2};
enum { NSTEPS = sizeof input_steps / sizeof *input_steps, WIDEST_STEP = 8 };

/* A signaling NaN: any arithmetic on it raises FE_INVALID (loads and moves do not), so an
 * element a loop should have skipped shows in the flags if it enters an operation. */
static void write_signaling_nan(char *p, rp_dtype dtype)
{
    if (dtype == RP_FLOAT32) {
        uint32_t bits = 0x7fa00000u;
        memcpy(p, &bits, sizeof bits);
    } else {
        uint64_t bits = 0x7ff4000000000000u;
        memcpy(p, &bits, sizeof bits);
    }
}

/* Mostly small exact values, with quiet NaN, infinities, signed zeros, values whose products
 * overflow (in either dtype) and subnormals mixed in. */
static double mixed_value(unsigned *seed)
{
    static const double specials[] = {NAN,  INFINITY, -INFINITY, 0.0,   -0.0,
                                      1e300, -3e38,   1e-310,    1e-42, 2.5e-39};
    enum { NSPECIALS = sizeof specials / sizeof *specials };
    *seed = *seed * 1664525u + 1013904223u;
    unsigned r = *seed >> 8;
    if (r % 6 == 0) {
        return specials[(r / 6) % NSPECIALS];
    }
    return (double)(int)(r % 2001) / 64.0 - 15.0;
}

static bool same_value(double got, double want)
{
    return (isnan(got) && isnan(want)) || (got == want && signbit(got) == signbit(want));
}

/* An input's elements at `stride`, placed at the end or the start (low) of its guarded region,
 * with every byte of its span that is not an element holding signaling NaNs. */
static char *place_input(guarded *g, rp_dtype dtype, int64_t n, int64_t stride, bool low,
                         int64_t shift, unsigned *seed)
{
    int64_t size = (int64_t)rp_dtype_size(dtype);
    char *p = low ? place_low(g, n, stride, shift) : place(g, n, size, stride, shift);
    int64_t reach = stride < 0 ? -stride : stride;
    char *lowest = stride < 0 && n > 0 ? p + (n - 1) * stride : p;
    int64_t span = n == 0 ? 0 : (n - 1) * reach + size;
    for (int64_t offset = 0; offset + size <= span; offset += size) {
        write_signaling_nan(lowest + offset, dtype);
    }
    for (int64_t i = 0; i < n; i++) {
        write_value(p + i * stride, dtype, mixed_value(seed));
    }
    return p;
}

/* One case: values exactly the reference's (NaN for NaN), the floating-point conditions exactly
 * those of the elements' own operations, nothing read or written outside the operands (they end
 * or start at guard pages), out == b when in_place. */
static void check_steps_case(const rp_kernel_table *table, rp_binary_op op, rp_dtype dtype,
                             int64_t step_a, int64_t step_b, int64_t n, bool low, bool in_place,
                             int hint, guarded *ga, guarded *gb, guarded *go, unsigned *seed)
{
    int64_t size = (int64_t)rp_dtype_size(dtype);
    int64_t shift = low ? 0 : (n % 2) * (size / 2);
    char *a = place_input(ga, dtype, n, step_a * size, low, shift, seed);
    char *b = place_input(gb, dtype, n, step_b * size, low, 0, seed);
    char *out = in_place ? b : low ? place_low(go, n, size, 0) : place(go, n, size, size, 0);
    double expected[MAX_N];
    feclearexcept(FE_ALL_EXCEPT);
    for (int64_t i = 0; i < n; i++) {
        volatile double r = reference_op(op, dtype, read_value(a + i * step_a * size, dtype),
                                         read_value(b + i * step_b * size, dtype));
        expected[i] = r;
    }
    int expected_flags = fetestexcept(FE_INVALID | FE_OVERFLOW | FE_DIVBYZERO);
    feclearexcept(FE_ALL_EXCEPT);
    int flags = hint;
    table->binary[op][dtype](a, step_a * size, b, step_b * size, out, size, n, &flags);
    int raised = fetestexcept(FE_INVALID | FE_OVERFLOW | FE_DIVBYZERO);
    int wrong = 0;
    for (int64_t i = 0; i < n; i++) {
        wrong += !same_value(read_value(out + i * size, dtype), expected[i]);
    }
    snprintf(current_case, sizeof current_case,
             "%s %s %s steps a=%lld b=%lld n=%lld%s%s%s", table->isa_name,
             op == RP_BIN_ADD ? "add" : "multiply", rp_dtype_name(dtype), (long long)step_a,
             (long long)step_b, (long long)n, low ? " low" : "", in_place ? " in-place" : "",
             hint ? " streaming" : "");
    CHECK(wrong == 0);
    CHECK(raised == expected_flags);
    CHECK(flags == hint);
}

static void test_binary_steps(const rp_kernel_table *table)
{
    static const int64_t long_lengths[] = {95, 96, 97, 127, 128, 129, 255, 256, 257, MAX_N};
    enum { NLONG = sizeof long_lengths / sizeof *long_lengths, SHORT = 70 };
    size_t bytes = (size_t)MAX_N * WIDEST_STEP * sizeof(double) + 64;
    guarded ga = guarded_new(bytes), gb = guarded_new(bytes), go = guarded_new(bytes);
    static const rp_binary_op ops[] = {RP_BIN_ADD, RP_BIN_MULTIPLY};
    static const rp_dtype dtypes[] = {RP_FLOAT32, RP_FLOAT64};
    unsigned seed = 2024;
    for (int o = 0; o < 2; o++) {
        for (int d = 0; d < 2; d++) {
            for (int x = 0; x < NSTEPS; x++) {
                for (int y = 0; y < NSTEPS; y++) {
                    for (int64_t c = 0; c <= SHORT + NLONG; c++) {
                        int64_t n = c <= SHORT ? c : long_lengths[c - SHORT - 1];
                        /* at the end or the start of the guarded regions; without, then
                         * with the streaming hint; then in-place on a contiguous b */
                        for (int variant = 0; variant < 6; variant++) {
                            bool low = variant % 2, in_place = variant >= 4;
                            int hint = variant / 2 == 1 ? RP_LOOP_STREAM_OUTPUT : 0;
                            if (in_place && input_steps[y] != 1) {
                                continue;
                            }
                            check_steps_case(table, ops[o], dtypes[d], input_steps[x],
                                             input_steps[y], n, low, in_place, hint, &ga, &gb,
                                             &go, &seed);
                        }
                    }
                }
            }
        }
    }
    feclearexcept(FE_ALL_EXCEPT);
    guarded_free(&ga);
    guarded_free(&gb);
    guarded_free(&go);
}

/* ----- sums */

static double run_sum(const rp_kernel_table *table, rp_dtype dtype, const char *in,
                      int64_t stride, int64_t n)
{
    char result[8];
    memset(result, 0xFF, sizeof result); /* a NaN: the loop overwrites *result, never reads it */
    table->reduce[RP_RED_SUM][dtype](in, stride, n, result);
    return read_value(result, dtype);
}

static void test_sum_exact(const rp_kernel_table *table)
{
    size_t bytes = (size_t)(MAX_N + 1) * MAX_STRIDE * sizeof(double) + 64;
    guarded g = guarded_new(bytes);
    static const rp_dtype dtypes[] = {RP_FLOAT32, RP_FLOAT64};
    for (int d = 0; d < 2; d++) {
        rp_dtype dtype = dtypes[d];
        int64_t size = (int64_t)rp_dtype_size(dtype);
        snprintf(current_case, sizeof current_case, "%s sum entry", table->isa_name);
        CHECK(table->reduce[RP_RED_SUM][dtype] != NULL);
        if (table->reduce[RP_RED_SUM][dtype] == NULL) {
            continue;
        }
        static const int64_t stride_factors[] = {1, 2, 3, 4, 8, -1, -2};
        for (int s = 0; s < 7; s++) {
            int64_t stride = stride_factors[s] * size;
            for (int64_t n = 0; n <= MAX_N; n++) {
                for (int64_t shift = 0; shift < size; shift += n < 40 ? 1 : size / 2) {
                    char *in = place(&g, n, size, stride, shift);
                    double expected = 0.0;
                    for (int64_t i = 0; i < n; i++) {
                        write_value(in + i * stride, dtype, value_at(i, (int)n));
                        expected += value_at(i, (int)n);
                    }
                    snprintf(current_case, sizeof current_case,
                             "%s sum %s stride=%lld n=%lld shift=%lld", table->isa_name,
                             rp_dtype_name(dtype), (long long)stride, (long long)n,
                             (long long)shift);
                    CHECK(run_sum(table, dtype, in, stride, n) == expected);
                }
            }
        }
    }
    guarded_free(&g);
}

/* A rows loop must give, for every row, the bits the reduce loop gives for that row alone: rows
 * of several lengths (vector-length multiples and not), element strides, forward, backward and
 * overlapping row steps, outputs written at a step; every output it should not write keeps its
 * sentinel. */
static void test_reduce_rows(const rp_kernel_table *table)
{
    enum { ROWS = 7, MAX_ROW = 300, SENTINEL = 0x5A };
    static const rp_dtype dtypes[] = {RP_FLOAT32, RP_FLOAT64};
    double data[ROWS * MAX_ROW * 2];
    for (int op = 0; op < RP_NREDUCE_OPS; op++) {
        for (int d = 0; d < 2; d++) {
            rp_dtype dtype = dtypes[d];
            rp_reduce_rows_loop rows = table->reduce_rows[op][dtype];
            rp_reduce_loop one = table->reduce[op][dtype];
            if (rows == NULL) {
                continue;
            }
            int64_t size = (int64_t)rp_dtype_size(dtype);
            char *base = (char *)data + size; /* off the vector alignment, as NumPy's data is */
            int64_t elements = (int64_t)sizeof data / size - 1;
            for (int64_t i = 0; i < elements; i++) {
                write_value(base + i * size, dtype, value_at(i, op + 3 * d) * (i % 3 ? 1 : -1));
            }
            static const int64_t lengths[] = {0, 1, 15, 16, 17, 64, 255, 256, 299};
            for (int l = 0; l < 9; l++) {
                int64_t n = lengths[l];
                for (int s = 1; s <= 2; s++) {
                    int64_t stride = s * size, span = n * s < 1 ? 1 : n * s;
                    int64_t row_steps[] = {span * size, -span * size, size};
                    for (int r = 0; r < 3; r++) {
                        int64_t step = row_steps[r];
                        int64_t reach = (ROWS - 1) * (step < 0 ? -step : step) + span * size;
                        if (reach > elements * size) {
                            continue;
                        }
                        const char *first = step < 0 ? base + (ROWS - 1) * -step : base;
                        char got[ROWS * 2 * 8], want[ROWS * 2 * 8];
                        memset(got, SENTINEL, sizeof got);
                        memset(want, SENTINEL, sizeof want);
                        rows(first, stride, n, ROWS, step, got, 2 * size);
                        for (int k = 0; k < ROWS; k++) {
                            one(first + k * step, stride, n, want + 2 * k * size);
                        }
                        snprintf(current_case, sizeof current_case,
                                 "%s reduce_rows op=%d %s n=%lld stride=%lld step=%lld",
                                 table->isa_name, op, rp_dtype_name(dtype), (long long)n,
                                 (long long)stride, (long long)step);
                        CHECK(memcmp(got, want, sizeof got) == 0);
                    }
                }
            }
        }
    }
}

/* Sums at a stride of a few elements read whole vectors over the span and keep every k-th lane:
 * the skipped elements must raise no floating-point condition and change nothing, while the
 * kept ones raise what they would in any order. */
static void test_sum_flags(const rp_kernel_table *table)
{
    enum { N = 70, STEPS = 3 };
    static const double skipped_values[] = {INFINITY, -INFINITY, NAN, 1e300, -0.0};
    static const int64_t steps[STEPS] = {2, 4, 8};
    static const rp_dtype dtypes[] = {RP_FLOAT32, RP_FLOAT64};
    _Alignas(64) char data[N * 8 * 8];
    for (int d = 0; d < 2; d++) {
        rp_dtype dtype = dtypes[d];
        int64_t size = (int64_t)rp_dtype_size(dtype);
        for (int s = 0; s < STEPS; s++) {
            int64_t step = steps[s];
            for (size_t v = 0; v < sizeof skipped_values / sizeof *skipped_values; v++) {
                for (int64_t n = 1; n <= N; n++) {
                    int64_t span = (n - 1) * step + 1;
                    for (int64_t i = 0; i < span; i++) {
                        write_value(data + i * size, dtype, i % step == 0 ? 1.0 : skipped_values[v]);
                    }
                    snprintf(current_case, sizeof current_case,
                             "%s %s sum step %lld skipped %g n=%lld", table->isa_name,
                             rp_dtype_name(dtype), (long long)step, skipped_values[v],
                             (long long)n);
                    feclearexcept(FE_ALL_EXCEPT);
                    double got = run_sum(table, dtype, data, step * size, n);
                    CHECK(fetestexcept(FE_INVALID | FE_OVERFLOW) == 0);
                    CHECK(got == (double)n);
                    if (n < 2) {
                        continue;
                    }
                    /* inf and -inf among the kept elements: invalid, and a NaN sum. */
                    write_value(data, dtype, INFINITY);
                    write_value(data + (n - 1) * step * size, dtype, -INFINITY);
                    feclearexcept(FE_ALL_EXCEPT);
                    got = run_sum(table, dtype, data, step * size, n);
                    bool invalid = fetestexcept(FE_INVALID) != 0;
                    bool observable = fp_flag_checks_apply("the sum flag checks");
                    CHECK(isnan(got) && (invalid || !observable));
                }
            }
        }
    }
    feclearexcept(FE_ALL_EXCEPT);
}

/* NumPy's float32 pairwise summation, as the accuracy bar. */
static float numpy_pairwise_f32(const float *p, int64_t n)
{
    if (n < 8) {
        float r = 0.0f;
        for (int64_t i = 0; i < n; i++) {
            r += p[i];
        }
        return r;
    }
    if (n <= 128) {
        float r[8];
        for (int k = 0; k < 8; k++) {
            r[k] = p[k];
        }
        int64_t i = 8;
        for (; i < n - n % 8; i += 8) {
            for (int k = 0; k < 8; k++) {
                r[k] += p[i + k];
            }
        }
        float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) {
            res += p[i];
        }
        return res;
    }
    int64_t half = n / 2 - (n / 2) % 8;
    return numpy_pairwise_f32(p, half) + numpy_pairwise_f32(p + half, n - half);
}

/* A running sum to about twice double precision (Neumaier's compensated summation): the exact
 * reference for the sum checks. Not long double, which is plain double on some targets and under
 * valgrind, where a long double reference would be less accurate than the kernel it checks. */
typedef struct exact_sum {
    double high, low;
} exact_sum;

static void exact_add(exact_sum *sum, double x)
{
    double total = sum->high + x;
    sum->low += fabs(sum->high) >= fabs(x) ? (sum->high - total) + x : (x - total) + sum->high;
    sum->high = total;
}

static double error_from(double got, exact_sum exact)
{
    return fabs((got - exact.high) - exact.low);
}

static void test_sum_accuracy(const rp_kernel_table *table)
{
    enum { LONG_N = 3000017 };
    float *data = malloc(LONG_N * sizeof *data);
    double *data64 = malloc(LONG_N * sizeof *data64);
    unsigned seed = 12345;
    for (int trial = 0; trial < 3; trial++) {
        double magnitude = 0.0;
        for (int64_t i = 0; i < LONG_N; i++) {
            seed = seed * 1664525u + 1013904223u;
            /* Positive values of varied size, or a constant 0.1 (the classic float32 trap). */
            float scale = trial == 1 ? 1.0f : 1000.0f;
            data[i] = trial == 0 ? 0.1f : (float)(seed >> 8) / 16777216.0f * scale;
            data64[i] = (double)data[i] * (1.0 + 1e-9 * (double)(seed & 255));
            magnitude += fabs((double)data[i]);
        }
        for (int s = 0; s < 3; s++) {
            int64_t stride = s == 0 ? 1 : s == 1 ? 2 : 3;
            int64_t n = LONG_N / stride;
            exact_sum exact32 = {0.0, 0.0}, exact64 = {0.0, 0.0};
            for (int64_t i = 0; i < n; i++) {
                exact_add(&exact32, data[i * stride]);
                exact_add(&exact64, data64[i * stride]);
            }
            double got32 = run_sum(table, RP_FLOAT32, (const char *)data,
                                   stride * (int64_t)sizeof(float), n);
            double got64 = run_sum(table, RP_FLOAT64, (const char *)data64,
                                   stride * (int64_t)sizeof(double), n);
            double error32 = error_from(got32, exact32);
            double error64 = error_from(got64, exact64);
            snprintf(current_case, sizeof current_case, "%s sum accuracy trial %d stride %lld",
                     table->isa_name, trial, (long long)stride);
            /* Pairwise bound: (block depth + tree depth) ulps of the magnitude. */
            double bound32 = (16.0 + 24.0) * 5.96e-8 * magnitude;
            CHECK(error32 <= bound32);
            CHECK(error64 <= 40.0 * 1.12e-16 * magnitude);
            if (stride == 1) {
                float numpy = numpy_pairwise_f32(data, n);
                double numpy_error = error_from(numpy, exact32);
                /* Never worse than NumPy's algorithm by more than one rounding of the result. */
                CHECK(error32 <= numpy_error + 1.2e-7 * fabs(exact32.high));
            }
        }
    }
    free(data);
    free(data64);
}

/* ----- column sums */

/* Start of an nrows x ncols block (rows `rs` bytes apart, columns contiguous) whose last byte
 * ends `shift` bytes before g's guard page. */
static char *place_rows(const guarded *g, int64_t nrows, int64_t ncols, int64_t size, int64_t rs,
                        int64_t shift)
{
    int64_t row_bytes = ncols * size;
    int64_t span = (nrows > 0 ? (nrows - 1) * (rs < 0 ? -rs : rs) : 0) + row_bytes;
    char *low = g->end - shift - span;
    return rs < 0 && nrows > 0 ? low + (nrows - 1) * -rs : low;
}

static double random_value(unsigned *seed)
{
    *seed = *seed * 1664525u + 1013904223u;
    return ((double)(*seed >> 8) / 16777216.0 - 0.3) * 1000.0;
}

static void write_int(char *p, rp_dtype dtype, int64_t v)
{
    if (dtype == RP_BOOL) {
        uint8_t b = (uint8_t)(v != 0);
        memcpy(p, &b, 1);
    } else if (dtype == RP_INT32) {
        int32_t i = (int32_t)v;
        memcpy(p, &i, sizeof i);
    } else {
        memcpy(p, &v, sizeof v);
    }
}

/* Every dtype of one table's colsum against plain loops: exact for integers and for
 * integer-valued floats, bit-identical to the portable kernel on random floats (the order is
 * fixed by kernels.h), +0.0 for columns of -0.0, and never a byte read or written outside the
 * block (both end at a guard page). */
static void check_colsum_case(const rp_kernel_table *table, const rp_kernel_table *scalar,
                              rp_dtype dtype, int64_t nrows, int64_t ncols, int64_t rs_extra,
                              int64_t shift, guarded *gin, guarded *gout, unsigned *seed)
{
    int64_t size = (int64_t)rp_dtype_size(dtype);
    bool is_float = dtype == RP_FLOAT32 || dtype == RP_FLOAT64;
    int64_t acc_size = is_float ? size : 8;
    int64_t rs = rs_extra < 0 ? -(ncols * size - rs_extra) : ncols * size + rs_extra;
    char *in = place_rows(gin, nrows, ncols, size, rs, shift);
    char *out = gout->end - ncols * acc_size;
    char *expected_out = gout->begin;
    snprintf(current_case, sizeof current_case,
             "%s colsum %s rows=%lld cols=%lld stride=%lld shift=%lld", table->isa_name,
             rp_dtype_name(dtype), (long long)nrows, (long long)ncols, (long long)rs,
             (long long)shift);
    for (int pass = 0; pass < (is_float ? 3 : 1); pass++) {
        /* pass 0: integer values (any order exact); 1: random; 2: all -0.0 */
        for (int64_t j = 0; j < ncols; j++) {
            double exact = 0.0;
            int64_t exact_int = 0;
            for (int64_t r = 0; r < nrows; r++) {
                char *p = in + r * rs + j * size;
                if (!is_float) {
                    int64_t v = dtype == RP_BOOL ? (r + j) % 3 == 0
                                                 : (int64_t)value_at(r * 31 + j, 5) * 1000003;
                    write_int(p, dtype, v);
                    exact_int += v;
                } else if (pass == 0) {
                    write_value(p, dtype, value_at(r * 31 + j, 5));
                    exact += value_at(r * 31 + j, 5);
                } else {
                    write_value(p, dtype, pass == 1 ? random_value(seed) : -0.0);
                }
            }
            if (is_float) {
                write_value(expected_out + j * acc_size, dtype, exact);
            } else {
                memcpy(expected_out + j * acc_size, &exact_int, sizeof exact_int);
            }
        }
        memset(out, 0xA5, (size_t)(ncols * acc_size)); /* overwritten, never read */
        table->colsum[dtype](in, rs, nrows, ncols, out);
        int wrong = 0;
        if (pass == 1) {
            scalar->colsum[dtype](in, rs, nrows, ncols, expected_out);
        }
        for (int64_t j = 0; j < ncols; j++) {
            const char *got = out + j * acc_size, *want = expected_out + j * acc_size;
            if (pass == 2) {
                wrong += read_value(got, dtype) != 0.0 || signbit(read_value(got, dtype));
            } else {
                wrong += memcmp(got, want, (size_t)acc_size) != 0;
            }
        }
        CHECK(wrong == 0);
    }
}

static void test_colsum(const rp_kernel_table *table, const rp_kernel_table *scalar)
{
    enum { MAX_ROWS = 300, MAX_COLS = 2100, MAX_EXTRA = 40 };
    size_t bytes = (size_t)MAX_ROWS * (MAX_COLS + MAX_EXTRA) * sizeof(double) + 64;
    guarded gin = guarded_new(bytes), gout = guarded_new(2 * MAX_COLS * sizeof(double));
    unsigned seed = 99;
    static const int64_t row_counts[] = {0, 1, 2, 7, 8, 9, 15, 127, 128, 129, 136, 263, 300};
    static const int64_t col_counts[] = {1, 2, 3, 5, 7, 8, 15, 16, 17, 31, 33, 64, 65, 1023,
                                         1025, 2047, 2049, 2100};
    static const int64_t extras[] = {0, 8, 40, -8};   /* row padding in bytes; < 0: reversed */
    for (int d = 0; d < RP_NTYPES; d++) {
        rp_dtype dtype = (rp_dtype)d;
        snprintf(current_case, sizeof current_case, "%s colsum entry", table->isa_name);
        CHECK(table->colsum[dtype] != NULL);
        if (table->colsum[dtype] == NULL) {
            continue;
        }
        int64_t size = (int64_t)rp_dtype_size(dtype);
        for (size_t r = 0; r < sizeof row_counts / sizeof *row_counts; r++) {
            for (size_t c = 0; c < sizeof col_counts / sizeof *col_counts; c++) {
                bool wide = col_counts[c] > 100;
                for (size_t e = 0; e < sizeof extras / sizeof *extras; e++) {
                    if (wide && (e == 2 || row_counts[r] > 136)) {
                        continue; /* keep the wide cases few */
                    }
                    for (int64_t shift = 0; shift < size; shift += wide ? size : 1) {
                        check_colsum_case(table, scalar, dtype, row_counts[r], col_counts[c],
                                          extras[e], shift, &gin, &gout, &seed);
                    }
                }
            }
        }
        /* A stride of 0 (a broadcast row) sums the one row nrows times. */
        if (dtype == RP_FLOAT64) {
            double row[3] = {0.5, -1.25, 3.0}, sums[3];
            table->colsum[dtype]((const char *)row, 0, 1000, 3, (char *)sums);
            snprintf(current_case, sizeof current_case, "%s colsum stride 0", table->isa_name);
            CHECK(sums[0] == 500.0 && sums[1] == -1250.0 && sums[2] == 3000.0);
        }
    }
    guarded_free(&gin);
    guarded_free(&gout);
}

/* Float32 column sums against the exact sum: within the bound of kernels.h's order, and
 * never worse than NumPy's axis-0 sum (rows added one after another) on the classic 0.1 case. */
static void test_colsum_accuracy(const rp_kernel_table *table)
{
    enum { ROWS = 200003, COLS = 5 };
    float *data = malloc((size_t)ROWS * COLS * sizeof *data);
    unsigned seed = 7;
    for (int trial = 0; trial < 2; trial++) {
        for (int64_t i = 0; i < (int64_t)ROWS * COLS; i++) {
            seed = seed * 1664525u + 1013904223u;
            data[i] = trial == 0 ? 0.1f : (float)(seed >> 8) / 16777216.0f * 1000.0f;
        }
        float sums[COLS];
        table->colsum[RP_FLOAT32]((const char *)data, COLS * (int64_t)sizeof(float), ROWS, COLS,
                                  (char *)sums);
        for (int j = 0; j < COLS; j++) {
            long double exact = 0.0L, magnitude = 0.0L;
            float sequential = 0.0f;
            for (int64_t r = 0; r < ROWS; r++) {
                exact += data[r * COLS + j];
                magnitude += fabsl((long double)data[r * COLS + j]);
                sequential += data[r * COLS + j];
            }
            double error = fabs((double)((long double)sums[j] - exact));
            double rounds = 3.0 + RP_COLSUM_BLOCK_ROWS / RP_COLSUM_PANEL_ROWS +
                            (double)ROWS / RP_COLSUM_BLOCK_ROWS + 1.0;
            snprintf(current_case, sizeof current_case, "%s colsum accuracy trial %d column %d",
                     table->isa_name, trial, j);
            CHECK(error <= rounds * 5.96e-8 * (double)magnitude);
            if (trial == 0) {
                CHECK(error <= fabs((double)((long double)sequential - exact)));
            }
        }
    }
    free(data);
}

/* ----- selection */

static void test_selection(void)
{
    const char *names[8];
    int count = rp_simd_available(names, 8);
    snprintf(current_case, sizeof current_case, "selection");
    CHECK(count >= 1 && strcmp(names[0], "scalar") == 0);
    for (int i = 0; i < count; i++) {
        CHECK(rp_simd_select(names[i]) == RP_OK);
        CHECK(strcmp(rp_simd_isa(), names[i]) == 0);
        CHECK(strcmp(rp_kernels()->isa_name, names[i]) == 0);
        bool simd = strcmp(names[i], "scalar") != 0;
        CHECK(rp_kernel_binary_is_simd(RP_BIN_ADD, RP_FLOAT64) == simd);
        CHECK(rp_kernel_binary_is_simd(RP_BIN_MULTIPLY, RP_FLOAT32) == simd);
        CHECK(rp_kernel_reduce_is_simd(RP_RED_SUM, RP_FLOAT32) == simd);
        CHECK(rp_kernel_colsum_is_simd(RP_FLOAT64) == simd);
        CHECK(rp_kernel_reduce_is_simd(RP_RED_MAX, RP_FLOAT64) == simd);
#if defined(__x86_64__)
        /* The rest are the portable loops compiled with the target's flags. */
        CHECK(rp_kernel_colsum_is_simd(RP_INT32) == simd);
        CHECK(rp_kernel_binary_is_simd(RP_BIN_SUBTRACT, RP_INT64) == simd);
#else
        /* NEON is aarch64's baseline: the rest are the portable loops themselves. */
        CHECK(!rp_kernel_colsum_is_simd(RP_INT32));
        CHECK(!rp_kernel_binary_is_simd(RP_BIN_SUBTRACT, RP_INT64));
#endif
    }
    CHECK(rp_simd_select("sse9") == RP_ERR_VALUE);
    CHECK(rp_kernels_for_isa("sse9") == NULL);
#if defined(__x86_64__)
    CHECK(rp_simd_select("neon") == RP_ERR_VALUE);
#endif
    CHECK(rp_simd_select(names[count - 1]) == RP_OK);
    CHECK(rp_simd_check_baseline() == RP_OK);
}

/* The instruction set a fresh process starts with under RAPTORS_SIMD=value: a forked child
 * sets the variable before anything builds the kernel tables (so this test runs first). */
static void isa_in_child(const char *value, char *out, size_t size)
{
    int ends[2];
    out[0] = '\0';
    if (pipe(ends) != 0) {
        return;
    }
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        setenv("RAPTORS_SIMD", value, 1);
        const char *isa = rp_simd_isa();
        ssize_t written = write(ends[1], isa, strlen(isa));
        _exit(written > 0 ? 0 : 1);
    }
    close(ends[1]);
    ssize_t got = read(ends[0], out, size - 1);
    out[got > 0 ? got : 0] = '\0';
    close(ends[0]);
    waitpid(child, NULL, 0);
}

static void test_environment(void)
{
    static const char *const values[] = {"0", "scalar", "off", "none", "", "1", "auto", "bogus",
                                         "avx2", "avx512"};
    enum { NVALUES = sizeof values / sizeof *values };
    char isa[NVALUES][32];
    for (int i = 0; i < NVALUES; i++) {
        isa_in_child(values[i], isa[i], sizeof isa[i]);
    }
    /* Only now may this process build its tables. */
    const char *names[8];
    int count = rp_simd_available(names, 8);
    const char *best = names[count - 1];
#if defined(__x86_64__)
    /* A cap allows its set and the lesser ones of its architecture. */
    const char *capped_avx2 = rp_kernels_for_isa("avx2") != NULL ? "avx2" : "scalar";
#else
    const char *capped_avx2 = best; /* another architecture's name means "best" */
#endif
    for (int i = 0; i < NVALUES; i++) {
        const char *expected = i < 4 ? "scalar" : i < 8 ? best : i == 8 ? capped_avx2 : best;
        snprintf(current_case, sizeof current_case, "RAPTORS_SIMD=%.16s gave %.16s",
                 values[i], isa[i]);
        CHECK(strcmp(isa[i], expected) == 0);
    }
}

int main(void)
{
    test_environment();
    const char *names[8];
    int count = rp_simd_available(names, 8);
    printf("instruction sets:");
    for (int i = 0; i < count; i++) {
        printf(" %s", names[i]);
    }
    printf("\n");
    const rp_kernel_table *scalar = rp_kernels_for_isa("scalar");
    test_binary_steps(scalar); /* the reference checks itself on the portable loops */
    test_colsum(scalar, scalar);
    test_colsum_accuracy(scalar);
    for (int i = 1; i < count; i++) { /* scalar's loops belong to the portable kernels */
        const rp_kernel_table *table = rp_kernels_for_isa(names[i]);
        snprintf(current_case, sizeof current_case, "table %s", names[i]);
        CHECK(table != NULL && strcmp(table->isa_name, names[i]) == 0);
        if (table == NULL) {
            continue;
        }
        test_binary(table);
        test_binary_flags(table);
        test_binary_steps(table);
        test_sum_exact(table);
        test_sum_flags(table);
        test_sum_accuracy(table);
        test_reduce_rows(table);
        test_colsum(table, scalar);
        test_colsum_accuracy(table);
    }
    test_selection();
    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all kernel tests passed\n");
    return 0;
}
