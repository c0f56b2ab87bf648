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
 * large out-of-cache operation). Each function is written once and instantiated for float64
 * and float32 (suffix, element type, vector type); the vec_* operations take their type from
 * their arguments.
 */
#include <stdbool.h>

#include "simd_fill.h"
#include "simd_vec.h"

typedef enum { OP_ADD, OP_MULTIPLY } arith_op;

enum { UNROLL = 4 }; /* independent vectors in flight per iteration */

/* The operation on whole vectors and on single elements. */
#define DEFINE_APPLY(sfx, T, V)                                                                    \
    static inline V apply_v##sfx(arith_op op, V x, V y)                                            \
    {                                                                                              \
        return op == OP_ADD ? vec_add(x, y) : vec_mul(x, y);                                       \
    }                                                                                              \
    static inline T apply_##sfx(arith_op op, T x, T y)                                             \
    {                                                                                              \
        return op == OP_ADD ? x + y : x * y;                                                       \
    }
DEFINE_APPLY(f64, double, vf64)
DEFINE_APPLY(f32, float, vf32)

/* out[i] = a[i] op b[i], or a[i] op broadcast when b_is_scalar, for contiguous operands;
 * `stream` writes whole vectors with non-temporal stores (out aligned to VECTOR_BYTES). */
#define DEFINE_RUN(sfx, T, V)                                                                      \
    static inline void run_##sfx(arith_op op, const T *a, const T *b, bool b_is_scalar,            \
                                 V broadcast, T *out, int64_t n, bool stream)                      \
    {                                                                                              \
        enum { LANES = VEC_LANES(T) };                                                             \
        int64_t i = 0;                                                                             \
        for (; i + UNROLL * LANES <= n; i += UNROLL * LANES) {                                     \
            for (int k = 0; k < UNROLL; k++) {                                                     \
                int64_t j = i + k * LANES;                                                         \
                V y = b_is_scalar ? broadcast : vec_load(b + j);                                   \
                V r = apply_v##sfx(op, vec_load(a + j), y);                                        \
                if (stream) {                                                                      \
                    vec_stream(out + j, r);                                                        \
                } else {                                                                           \
                    vec_store(out + j, r);                                                         \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
        for (; i + LANES <= n; i += LANES) {                                                       \
            V y = b_is_scalar ? broadcast : vec_load(b + i);                                       \
            V r = apply_v##sfx(op, vec_load(a + i), y);                                            \
            if (stream) {                                                                          \
                vec_stream(out + i, r);                                                            \
            } else {                                                                               \
                vec_store(out + i, r);                                                             \
            }                                                                                      \
        }                                                                                          \
        /* The last elements one by one: a partial vector's idle lanes would compute 0 * inf       \
         * for a broadcast infinity and raise an invalid-operation flag no element raised. */      \
        for (; i < n; i++) {                                                                       \
            T x, y, r;                                                                             \
            memcpy(&x, a + i, sizeof x);                                                           \
            memcpy(&y, b_is_scalar ? b : b + i, sizeof y);                                         \
            r = apply_##sfx(op, x, y);                                                             \
            memcpy(out + i, &r, sizeof r);                                                         \
        }                                                                                          \
    }
DEFINE_RUN(f64, double, vf64)
DEFINE_RUN(f32, float, vf32)

#define DEFINE_CONTIGUOUS(sfx, T, V)                                                               \
    static inline void contiguous_##sfx(arith_op op, const T *a, const T *b, bool b_is_scalar,     \
                                        T *out, int64_t n, bool stream)                            \
    {                                                                                              \
        T b0 = 0;                                                                                  \
        if (b_is_scalar) {                                                                         \
            memcpy(&b0, b, sizeof b0);                                                             \
        }                                                                                          \
        const V broadcast = vec_set1(b0);                                                          \
        uintptr_t address = (uintptr_t)out;                                                        \
        if (!HAS_STREAM || !stream || address % sizeof(T) != 0) {                                  \
            run_##sfx(op, a, b, b_is_scalar, broadcast, out, n, false);                            \
            return;                                                                                \
        }                                                                                          \
        /* Plain stores up to the first vector-aligned output element, then streaming. */          \
        uintptr_t misalignment = address % VECTOR_BYTES;                                           \
        int64_t head =                                                                             \
            misalignment == 0 ? 0 : (int64_t)((VECTOR_BYTES - misalignment) / sizeof(T));          \
        head = head < n ? head : n;                                                                \
        run_##sfx(op, a, b, b_is_scalar, broadcast, out, head, false);                             \
        run_##sfx(op, a + head, b_is_scalar ? b : b + head, b_is_scalar, broadcast, out + head,    \
                  n - head, true);                                                                 \
        stream_fence();                                                                            \
    }
DEFINE_CONTIGUOUS(f64, double, vf64)
DEFINE_CONTIGUOUS(f32, float, vf32)

#define DEFINE_STRIDED(sfx, T)                                                                     \
    static inline void strided_##sfx(arith_op op, const char *a, int64_t sa, const char *b,        \
                                     int64_t sb, char *out, int64_t so, int64_t n)                 \
    {                                                                                              \
        for (int64_t i = 0; i < n; i++) {                                                          \
            T x, y;                                                                                \
            memcpy(&x, a + i * sa, sizeof x);                                                      \
            memcpy(&y, b + i * sb, sizeof y);                                                      \
            T r = apply_##sfx(op, x, y);                                                           \
            memcpy(out + i * so, &r, sizeof r);                                                    \
        }                                                                                          \
    }
DEFINE_STRIDED(f64, double)
DEFINE_STRIDED(f32, float)

/* Picks the loop for the operands' layout. */
#define DEFINE_BINARY(sfx, T)                                                                      \
    static inline void binary_##sfx(arith_op op, const char *a, int64_t sa, const char *b,         \
                                    int64_t sb, char *out, int64_t so, int64_t n,                  \
                                    const int *flags)                                              \
    {                                                                                              \
        const int64_t size = sizeof(T);                                                            \
        const bool stream = flags != NULL && (*flags & RP_LOOP_STREAM_OUTPUT);                     \
        if (n <= 0) {                                                                              \
            return;                                                                                \
        }                                                                                          \
        if (so == size && sa == size && sb == size) {                                              \
            contiguous_##sfx(op, (const T *)a, (const T *)b, false, (T *)out, n, stream);          \
        } else if (so == size && sa == size && sb == 0) {                                          \
            contiguous_##sfx(op, (const T *)a, (const T *)b, true, (T *)out, n, stream);           \
        } else if (so == size && sa == 0 && sb == size) {                                          \
            contiguous_##sfx(op, (const T *)b, (const T *)a, true, (T *)out, n, stream);           \
        } else {                                                                                   \
            strided_##sfx(op, a, sa, b, sb, out, so, n);                                           \
        }                                                                                          \
    }
DEFINE_BINARY(f64, double)
DEFINE_BINARY(f32, float)

/* The table's entries: name_sfx does operation `op` on that dtype. */
#define DEFINE_ENTRY(name, op, sfx)                                                                \
    static void name##_##sfx(const char *a, int64_t sa, const char *b, int64_t sb, char *out,      \
                             int64_t so, int64_t n, int *flags)                                    \
    {                                                                                              \
        binary_##sfx(op, a, sa, b, sb, out, so, n, flags);                                         \
    }
DEFINE_ENTRY(add, OP_ADD, f64)
DEFINE_ENTRY(multiply, OP_MULTIPLY, f64)
DEFINE_ENTRY(add, OP_ADD, f32)
DEFINE_ENTRY(multiply, OP_MULTIPLY, f32)

void RP_SIMD_FN(rp_simd_fill_binary)(rp_kernel_table *table)
{
    table->binary[RP_BIN_ADD][RP_FLOAT32] = add_f32;
    table->binary[RP_BIN_ADD][RP_FLOAT64] = add_f64;
    table->binary[RP_BIN_MULTIPLY][RP_FLOAT32] = multiply_f32;
    table->binary[RP_BIN_MULTIPLY][RP_FLOAT64] = multiply_f64;
}
