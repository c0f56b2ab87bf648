/*
 * simd_binary.c — add and multiply on float32/float64 with the target's vectors.
 *
 * Compiled once per target (see simd_vec.h). Covers the layouts the elementwise driver hands
 * to its inner loop in the hot cases: every operand contiguous, one input a broadcast scalar
 * (stride 0; both ops commute exactly in IEEE arithmetic, so a scalar `a` swaps sides), and
 * in-place (out == a or out == b: each vector is loaded before its own store). Anything else
 * runs the plain strided loop, as the portable kernel would. Vectors never change results:
 * each lane does the same single IEEE operation as the scalar loop.
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

/* out[i] = a[i] op b[i], or a[i] op b[0] when b_is_scalar; a, b and out contiguous. */
static inline void contiguous_f64(arith_op op, const double *a, const double *b, bool b_is_scalar,
                                  double *out, int64_t n)
{
    double b0 = 0.0;
    if (b_is_scalar) {
        memcpy(&b0, b, sizeof b0);
    }
    const vf64 broadcast = vf64_set1(b0);
    int64_t i = 0;
    for (; i + UNROLL * VF64_LANES <= n; i += UNROLL * VF64_LANES) {
        for (int k = 0; k < UNROLL; k++) {
            int64_t j = i + k * VF64_LANES;
            vf64 y = b_is_scalar ? broadcast : vf64_load(b + j);
            vf64_store(out + j, apply_vf64(op, vf64_load(a + j), y));
        }
    }
    for (; i + VF64_LANES <= n; i += VF64_LANES) {
        vf64 y = b_is_scalar ? broadcast : vf64_load(b + i);
        vf64_store(out + i, apply_vf64(op, vf64_load(a + i), y));
    }
    if (i < n) {
        vf64 y = b_is_scalar ? broadcast : vf64_load_partial(b + i, n - i);
        vf64_store_partial(out + i, apply_vf64(op, vf64_load_partial(a + i, n - i), y), n - i);
    }
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
                              char *out, int64_t so, int64_t n)
{
    const int64_t size = sizeof(double);
    if (n <= 0) {
        return;
    }
    if (so == size && sa == size && sb == size) {
        contiguous_f64(op, (const double *)a, (const double *)b, false, (double *)out, n);
    } else if (so == size && sa == size && sb == 0) {
        contiguous_f64(op, (const double *)a, (const double *)b, true, (double *)out, n);
    } else if (so == size && sa == 0 && sb == size) {
        contiguous_f64(op, (const double *)b, (const double *)a, true, (double *)out, n);
    } else {
        strided_f64(op, a, sa, b, sb, out, so, n);
    }
}

static void add_f64(const char *a, int64_t sa, const char *b, int64_t sb, char *out, int64_t so,
                    int64_t n, int *flags)
{
    (void)flags;
    binary_f64(OP_ADD, a, sa, b, sb, out, so, n);
}

static void multiply_f64(const char *a, int64_t sa, const char *b, int64_t sb, char *out,
                         int64_t so, int64_t n, int *flags)
{
    (void)flags;
    binary_f64(OP_MULTIPLY, a, sa, b, sb, out, so, n);
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

static inline void contiguous_f32(arith_op op, const float *a, const float *b, bool b_is_scalar,
                                  float *out, int64_t n)
{
    float b0 = 0.0f;
    if (b_is_scalar) {
        memcpy(&b0, b, sizeof b0);
    }
    const vf32 broadcast = vf32_set1(b0);
    int64_t i = 0;
    for (; i + UNROLL * VF32_LANES <= n; i += UNROLL * VF32_LANES) {
        for (int k = 0; k < UNROLL; k++) {
            int64_t j = i + k * VF32_LANES;
            vf32 y = b_is_scalar ? broadcast : vf32_load(b + j);
            vf32_store(out + j, apply_vf32(op, vf32_load(a + j), y));
        }
    }
    for (; i + VF32_LANES <= n; i += VF32_LANES) {
        vf32 y = b_is_scalar ? broadcast : vf32_load(b + i);
        vf32_store(out + i, apply_vf32(op, vf32_load(a + i), y));
    }
    if (i < n) {
        vf32 y = b_is_scalar ? broadcast : vf32_load_partial(b + i, n - i);
        vf32_store_partial(out + i, apply_vf32(op, vf32_load_partial(a + i, n - i), y), n - i);
    }
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
                              char *out, int64_t so, int64_t n)
{
    const int64_t size = sizeof(float);
    if (n <= 0) {
        return;
    }
    if (so == size && sa == size && sb == size) {
        contiguous_f32(op, (const float *)a, (const float *)b, false, (float *)out, n);
    } else if (so == size && sa == size && sb == 0) {
        contiguous_f32(op, (const float *)a, (const float *)b, true, (float *)out, n);
    } else if (so == size && sa == 0 && sb == size) {
        contiguous_f32(op, (const float *)b, (const float *)a, true, (float *)out, n);
    } else {
        strided_f32(op, a, sa, b, sb, out, so, n);
    }
}

static void add_f32(const char *a, int64_t sa, const char *b, int64_t sb, char *out, int64_t so,
                    int64_t n, int *flags)
{
    (void)flags;
    binary_f32(OP_ADD, a, sa, b, sb, out, so, n);
}

static void multiply_f32(const char *a, int64_t sa, const char *b, int64_t sb, char *out,
                         int64_t so, int64_t n, int *flags)
{
    (void)flags;
    binary_f32(OP_MULTIPLY, a, sa, b, sb, out, so, n);
}

void RP_SIMD_FN(rp_simd_fill_binary)(rp_kernel_table *table)
{
    table->binary[RP_BIN_ADD][RP_FLOAT32] = add_f32;
    table->binary[RP_BIN_ADD][RP_FLOAT64] = add_f64;
    table->binary[RP_BIN_MULTIPLY][RP_FLOAT32] = multiply_f32;
    table->binary[RP_BIN_MULTIPLY][RP_FLOAT64] = multiply_f64;
}
