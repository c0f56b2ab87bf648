/*
 * test_kernels.c — every available instruction set's kernels against plain reference loops.
 *
 * For each SIMD table this build and CPU have: add/multiply on float32/float64 must match the
 * reference bit for bit (each lane is the same single IEEE operation) for lengths 0..300, every
 * misalignment, stride-0 operands on either side, in-place on either side, strided and
 * reversed operands, with and without the streaming-store hint; sums must be exact on
 * integer-valued data (so no element is dropped or counted twice), within the pairwise error
 * bound on random data, and as accurate as NumPy on a classic float32 case. Operands end right
 * before an inaccessible page, so any read or write past the last element crashes the test.
 * Selection by name and by RAPTORS_SIMD is checked too.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

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

enum { MAX_N = 300, MAX_STRIDE = 3 };

/* ----- guarded memory: the usable bytes end exactly at an inaccessible page */

typedef struct guarded {
    char *mapping;
    size_t mapping_size;
    char *end; /* first inaccessible byte */
} guarded;

static guarded guarded_new(size_t usable)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data_pages = (usable + page - 1) / page + 1;
    guarded g;
    g.mapping_size = (data_pages + 1) * page;
    g.mapping = mmap(NULL, g.mapping_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    if (g.mapping == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    g.end = g.mapping + data_pages * page;
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

/* ----- sums */

static double run_sum(const rp_kernel_table *table, rp_dtype dtype, const char *in,
                      int64_t stride, int64_t n)
{
    char result[8];
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
        static const int64_t stride_factors[] = {1, 2, 3, -1, -2};
        for (int s = 0; s < 5; s++) {
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
        for (int s = 0; s < 2; s++) {
            int64_t stride = s == 0 ? 1 : 3;
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
        CHECK(!rp_kernel_binary_is_simd(RP_BIN_SUBTRACT, RP_INT64));
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
    for (int i = 1; i < count; i++) { /* scalar's loops belong to the portable kernels */
        const rp_kernel_table *table = rp_kernels_for_isa(names[i]);
        snprintf(current_case, sizeof current_case, "table %s", names[i]);
        CHECK(table != NULL && strcmp(table->isa_name, names[i]) == 0);
        if (table == NULL) {
            continue;
        }
        test_binary(table);
        test_sum_exact(table);
        test_sum_accuracy(table);
    }
    test_selection();
    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all kernel tests passed\n");
    return 0;
}
