/*
 * simd_binary.c — add and multiply on float32/float64 with the target's vectors.
 *
 * Compiled once per target (see simd_vec.h). Covers the layouts the elementwise driver hands
 * to its inner loop in the hot cases: every operand contiguous, one input a broadcast scalar
 * (stride 0; both ops commute exactly in IEEE arithmetic, so a scalar `a` swaps sides), and
 * in-place (out == a or out == b: each vector is loaded before its own store). Anything else
 * runs the plain strided loop, as the portable kernel would. Vectors never change results:
 * each lane does the same single IEEE operation as the scalar loop. With the caller's
 * RP_LOOP_STREAM_OUTPUT hint, contiguous outputs are written with non-temporal stores, which
 * skip reading the destination lines into the cache first (a third of the memory traffic of a
 * large out-of-cache operation).
 */
#include <stdbool.h>

#include "simd_fill.h"
#include "simd_vec.h"

typedef enum { OP_ADD, OP_MULTIPLY } arith_op;

enum { UNROLL = 4 }; /* independent vectors in flight per iteration */

/* ===================================================================== float64 */

static inline vf64 apply_vf64(arith_op op, vf64 x, vf64 y)
{
    return op == OP_ADD ? vf64_add(x, y) : vf64_mul(x, y);
}

static inline double apply_f64(arith_op op, double x, double y)
{
    return op == OP_ADD ? x + y : x * y;
}

/* out[i] = a[i] op b[i], or a[i] op broadcast when b_is_scalar, for contiguous operands;
 * `stream` writes whole vectors with non-temporal stores (out aligned to VECTOR_BYTES). */
static inline void run_f64(arith_op op, const double *a, const double *b, bool b_is_scalar,
                           vf64 broadcast, double *out, int64_t n, bool stream)
{
    int64_t i = 0;
    for (; i + UNROLL * VF64_LANES <= n; i += UNROLL * VF64_LANES) {
        for (int k = 0; k < UNROLL; k++) {
            int64_t j = i + k * VF64_LANES;
            vf64 y = b_is_scalar ? broadcast : vf64_load(b + j);
            vf64 r = apply_vf64(op, vf64_load(a + j), y);
            if (stream) {
                vf64_stream(out + j, r);
            } else {
                vf64_store(out + j, r);
            }
        }
    }
    for (; i + VF64_LANES <= n; i += VF64_LANES) {
        vf64 y = b_is_scalar ? broadcast : vf64_load(b + i);
        vf64 r = apply_vf64(op, vf64_load(a + i), y);
        if (stream) {
            vf64_stream(out + i, r);
        } else {
            vf64_store(out + i, r);
        }
    }
    /* The last elements one by one: a partial vector's idle lanes would compute 0 * inf for a
     * broadcast infinity and raise an invalid-operation flag no element raised. */
    for (; i < n; i++) {
        double x, y, r;
        memcpy(&x, a + i, sizeof x);
        memcpy(&y, b_is_scalar ? b : b + i, sizeof y);
        r = apply_f64(op, x, y);
        memcpy(out + i, &r, sizeof r);
    }
}

static inline void contiguous_f64(arith_op op, const double *a, const double *b, bool b_is_scalar,
                                  double *out, int64_t n, bool stream)
{
    double b0 = 0;
    if (b_is_scalar) {
        memcpy(&b0, b, sizeof b0);
    }
    const vf64 broadcast = vf64_set1(b0);
    uintptr_t address = (uintptr_t)out;
    if (!HAS_STREAM || !stream || address % sizeof(double) != 0) {
        run_f64(op, a, b, b_is_scalar, broadcast, out, n, false);
        return;
    }
    /* Plain stores up to the first vector-aligned output element, then streaming. */
    uintptr_t misalignment = address % VECTOR_BYTES;
    int64_t head =
        misalignment == 0 ? 0 : (int64_t)((VECTOR_BYTES - misalignment) / sizeof(double));
    head = head < n ? head : n;
    run_f64(op, a, b, b_is_scalar, broadcast, out, head, false);
    run_f64(op, a + head, b_is_scalar ? b : b + head, b_is_scalar, broadcast, out + head, n - head,
           true);
    stream_fence();
}

static inline void strided_f64(arith_op op, const char *a, int64_t sa, const char *b, int64_t sb,
                               char *out, int64_t so, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        double x, y;
        memcpy(&x, a + i * sa, sizeof x);
        memcpy(&y, b + i * sb, sizeof y);
        double r = apply_f64(op, x, y);
        memcpy(out + i * so, &r, sizeof r);
    }
}

static inline void binary_f64(arith_op op, const char *a, int64_t sa, const char *b, int64_t sb,
                              char *out, int64_t so, int64_t n, const int *flags)
{
    const int64_t size = sizeof(double);
    const bool stream = flags != NULL && (*flags & RP_LOOP_STREAM_OUTPUT);
    if (n <= 0) {
        return;
    }
    if (so == size && sa == size && sb == size) {
        contiguous_f64(op, (const double *)a, (const double *)b, false, (double *)out, n, stream);
    } else if (so == size && sa == size && sb == 0) {
        contiguous_f64(op, (const double *)a, (const double *)b, true, (double *)out, n, stream);
    } else if (so == size && sa == 0 && sb == size) {
        contiguous_f64(op, (const double *)b, (const double *)a, true, (double *)out, n, stream);
    } else {
        strided_f64(op, a, sa, b, sb, out, so, n);
    }
}

static void add_f64(const char *a, int64_t sa, const char *b, int64_t sb, char *out, int64_t so,
                    int64_t n, int *flags)
{
    binary_f64(OP_ADD, a, sa, b, sb, out, so, n, flags);
}

static void multiply_f64(const char *a, int64_t sa, const char *b, int64_t sb, char *out,
                         int64_t so, int64_t n, int *flags)
{
    binary_f64(OP_MULTIPLY, a, sa, b, sb, out, so, n, flags);
}

/* ===================================================================== float32 */

static inline vf32 apply_vf32(arith_op op, vf32 x, vf32 y)
{
    return op == OP_ADD ? vf32_add(x, y) : vf32_mul(x, y);
}

static inline float apply_f32(arith_op op, float x, float y)
{
    return op == OP_ADD ? x + y : x * y;
}

/* out[i] = a[i] op b[i], or a[i] op broadcast when b_is_scalar, for contiguous operands;
 * `stream` writes whole vectors with non-temporal stores (out aligned to VECTOR_BYTES). */
static inline void run_f32(arith_op op, const float *a, const float *b, bool b_is_scalar,
                           vf32 broadcast, float *out, int64_t n, bool stream)
{
    int64_t i = 0;
    for (; i + UNROLL * VF32_LANES <= n; i += UNROLL * VF32_LANES) {
        for (int k = 0; k < UNROLL; k++) {
            int64_t j = i + k * VF32_LANES;
            vf32 y = b_is_scalar ? broadcast : vf32_load(b + j);
            vf32 r = apply_vf32(op, vf32_load(a + j), y);
            if (stream) {
                vf32_stream(out + j, r);
            } else {
                vf32_store(out + j, r);
            }
        }
    }
    for (; i + VF32_LANES <= n; i += VF32_LANES) {
        vf32 y = b_is_scalar ? broadcast : vf32_load(b + i);
        vf32 r = apply_vf32(op, vf32_load(a + i), y);
        if (stream) {
            vf32_stream(out + i, r);
        } else {
            vf32_store(out + i, r);
        }
    }
    /* The last elements one by one: a partial vector's idle lanes would compute 0 * inf for a
     * broadcast infinity and raise an invalid-operation flag no element raised. */
    for (; i < n; i++) {
        float x, y, r;
        memcpy(&x, a + i, sizeof x);
        memcpy(&y, b_is_scalar ? b : b + i, sizeof y);
        r = apply_f32(op, x, y);
        memcpy(out + i, &r, sizeof r);
    }
}

static inline void contiguous_f32(arith_op op, const float *a, const float *b, bool b_is_scalar,
                                  float *out, int64_t n, bool stream)
{
    float b0 = 0;
    if (b_is_scalar) {
        memcpy(&b0, b, sizeof b0);
    }
    const vf32 broadcast = vf32_set1(b0);
    uintptr_t address = (uintptr_t)out;
    if (!HAS_STREAM || !stream || address % sizeof(float) != 0) {
        run_f32(op, a, b, b_is_scalar, broadcast, out, n, false);
        return;
    }
    /* Plain stores up to the first vector-aligned output element, then streaming. */
    uintptr_t misalignment = address % VECTOR_BYTES;
    int64_t head =
        misalignment == 0 ? 0 : (int64_t)((VECTOR_BYTES - misalignment) / sizeof(float));
    head = head < n ? head : n;
    run_f32(op, a, b, b_is_scalar, broadcast, out, head, false);
    run_f32(op, a + head, b_is_scalar ? b : b + head, b_is_scalar, broadcast, out + head, n - head,
           true);
    stream_fence();
}

static inline void strided_f32(arith_op op, const char *a, int64_t sa, const char *b, int64_t sb,
                               char *out, int64_t so, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        float x, y;
        memcpy(&x, a + i * sa, sizeof x);
        memcpy(&y, b + i * sb, sizeof y);
        float r = apply_f32(op, x, y);
        memcpy(out + i * so, &r, sizeof r);
    }
}

static inline void binary_f32(arith_op op, const char *a, int64_t sa, const char *b, int64_t sb,
                              char *out, int64_t so, int64_t n, const int *flags)
{
    const int64_t size = sizeof(float);
    const bool stream = flags != NULL && (*flags & RP_LOOP_STREAM_OUTPUT);
    if (n <= 0) {
        return;
    }
    if (so == size && sa == size && sb == size) {
        contiguous_f32(op, (const float *)a, (const float *)b, false, (float *)out, n, stream);
    } else if (so == size && sa == size && sb == 0) {
        contiguous_f32(op, (const float *)a, (const float *)b, true, (float *)out, n, stream);
    } else if (so == size && sa == 0 && sb == size) {
        contiguous_f32(op, (const float *)b, (const float *)a, true, (float *)out, n, stream);
    } else {
        strided_f32(op, a, sa, b, sb, out, so, n);
    }
}

static void add_f32(const char *a, int64_t sa, const char *b, int64_t sb, char *out, int64_t so,
                    int64_t n, int *flags)
{
    binary_f32(OP_ADD, a, sa, b, sb, out, so, n, flags);
}

static void multiply_f32(const char *a, int64_t sa, const char *b, int64_t sb, char *out,
                         int64_t so, int64_t n, int *flags)
{
    binary_f32(OP_MULTIPLY, a, sa, b, sb, out, so, n, flags);
}

void RP_SIMD_FN(rp_simd_fill_binary)(rp_kernel_table *table)
{
    table->binary[RP_BIN_ADD][RP_FLOAT32] = add_f32;
    table->binary[RP_BIN_ADD][RP_FLOAT64] = add_f64;
    table->binary[RP_BIN_MULTIPLY][RP_FLOAT32] = multiply_f32;
    table->binary[RP_BIN_MULTIPLY][RP_FLOAT64] = multiply_f64;
}
