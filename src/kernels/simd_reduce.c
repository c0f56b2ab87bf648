/*
 * simd_reduce.c — sum of float32/float64 with the target's vectors.
 *
 * Compiled once per target (see simd_vec.h). A contiguous run is cut into blocks; inside a block
 * ACCUMULATORS vectors (ACCUMULATORS x lanes independent partial sums, enough to hide the add
 * latency) each add BLOCK_DEPTH elements, and the blocks' sums are combined pairwise, in a
 * binary tree grown as blocks complete. Each element so passes through at most BLOCK_DEPTH
 * sequential additions plus a logarithmic tree, the same bound as NumPy's pairwise summation
 * (8 accumulators over blocks of 128), so float32 sums are never less accurate than NumPy's.
 * Strided input uses the same recursion in portable code. The result overwrites *result. The
 * rows form (kernels.h) runs the same sum over many rows in one call.
 * Each function is written once and instantiated for float64 and float32 (suffix, element type,
 * vector type); the vec_* operations take their type from their arguments.
 */
#include <stdbool.h>

#include "simd_fill.h"
#include "simd_vec.h"

enum {
    ACCUMULATORS = 8,
    BLOCK_DEPTH = 16,         /* sequential additions per lane within one block */
    STRIDED_LEAF = 128,       /* strided runs this short are summed with 8 accumulators */
    TREE_LEVELS = 64          /* one per bit of a block count */
};

/* Inlined into each caller, where `masked` is a constant, so each caller gets its own loop. */
#define ALWAYS_INLINE __attribute__((always_inline))

_Static_assert(ACCUMULATORS == 8, "block_sum's closing tree adds eight accumulators");

/* A vector of p, with the lanes not in `keep` cleared when `masked` (a bit mask, not
 * arithmetic: the cleared elements raise no floating-point condition, and +0.0 changes no sum).
 * `masked` is a constant at every call, so the unmasked sums carry no extra instruction. */
#define DEFINE_KEPT_LOADS(sfx, T, V)                                                               \
    static inline V load_kept_##sfx(const T *p, bool masked, V keep)                               \
    {                                                                                              \
        return masked ? vec_and(vec_load(p), keep) : vec_load(p);                                  \
    }                                                                                              \
    static inline V load_kept_partial_##sfx(const T *p, int64_t count, bool masked, V keep)        \
    {                                                                                              \
        V v = vec_load_partial(p, count);                                                          \
        return masked ? vec_and(v, keep) : v;                                                      \
    }
DEFINE_KEPT_LOADS(f64, double, vf64)
DEFINE_KEPT_LOADS(f32, float, vf32)

/* Sum of n contiguous elements (those in `keep` when `masked`), at most a block
 * (ACCUMULATORS * BLOCK_DEPTH vectors), as one vector of lane sums. */
#define DEFINE_BLOCK_SUM(sfx, T, V)                                                                \
    static inline ALWAYS_INLINE V block_sum_##sfx(const T *p, int64_t n, bool masked, V keep)      \
    {                                                                                              \
        enum { LANES = VEC_LANES(T) };                                                             \
        /* Every loop over k is unrolled so acc[] lives in registers: left as an array in memory,  \
         * it costs a stack clear and spills per call, as much as summing a short row. */          \
        V acc[ACCUMULATORS];                                                                       \
        _Pragma("GCC unroll 8") for (int k = 0; k < ACCUMULATORS; k++) {                           \
            acc[k] = vec_zero(T);                                                                  \
        }                                                                                          \
        int64_t i = 0;                                                                             \
        for (; i + ACCUMULATORS * LANES <= n; i += ACCUMULATORS * LANES) {                         \
            _Pragma("GCC unroll 8") for (int k = 0; k < ACCUMULATORS; k++) {                       \
                acc[k] = vec_add(acc[k], load_kept_##sfx(p + i + k * LANES, masked, keep));        \
            }                                                                                      \
        }                                                                                          \
        _Pragma("GCC unroll 8") for (int k = 0; k < ACCUMULATORS; k++) {                           \
            if (i + LANES <= n) {                                                                  \
                acc[k] = vec_add(acc[k], load_kept_##sfx(p + i, masked, keep));                    \
                i += LANES;                                                                        \
            }                                                                                      \
        }                                                                                          \
        if (i < n) {                                                                               \
            acc[ACCUMULATORS - 1] = vec_add(acc[ACCUMULATORS - 1],                                 \
                                            load_kept_partial_##sfx(p + i, n - i, masked, keep));  \
        }                                                                                          \
        /* Halve the accumulators three times: acc[k] += acc[k + 4], then + 2, then + 1. */        \
        _Pragma("GCC unroll 4") for (int k = 0; k < 4; k++) {                                      \
            acc[k] = vec_add(acc[k], acc[k + 4]);                                                  \
        }                                                                                          \
        acc[0] = vec_add(acc[0], acc[2]);                                                          \
        acc[1] = vec_add(acc[1], acc[3]);                                                          \
        return vec_add(acc[0], acc[1]);                                                            \
    }
DEFINE_BLOCK_SUM(f64, double, vf64)
DEFINE_BLOCK_SUM(f32, float, vf32)

/* Sum of n contiguous elements (those in `keep` when `masked`): blocks summed pairwise. */
#define DEFINE_BLOCKED_SUM(sfx, T, V)                                                              \
    static inline ALWAYS_INLINE T blocked_sum_##sfx(const T *p, int64_t n, bool masked, V keep)    \
    {                                                                                              \
        enum { BLOCK = ACCUMULATORS * BLOCK_DEPTH * VEC_LANES(T) };                                \
        /* tree[level] holds the sum of 2^level blocks while bit `level` of `blocks` is set. */    \
        V tree[TREE_LEVELS];                                                                       \
        int64_t blocks = 0;                                                                        \
        int64_t i = 0;                                                                             \
        for (; i + BLOCK <= n; i += BLOCK) {                                                       \
            V sum = block_sum_##sfx(p + i, BLOCK, masked, keep);                                   \
            int level = 0;                                                                         \
            for (int64_t carry = blocks; carry & 1; carry >>= 1, level++) {                        \
                sum = vec_add(tree[level], sum);                                                   \
            }                                                                                      \
            tree[level] = sum;                                                                     \
            blocks++;                                                                              \
        }                                                                                          \
        V total = block_sum_##sfx(p + i, n - i, masked, keep);                                     \
        for (int level = 0; level < TREE_LEVELS && (blocks >> level) != 0; level++) {              \
            if ((blocks >> level) & 1) {                                                           \
                total = vec_add(tree[level], total);                                               \
            }                                                                                      \
        }                                                                                          \
        return vec_sum_lanes(total);                                                               \
    }
DEFINE_BLOCKED_SUM(f64, double, vf64)
DEFINE_BLOCKED_SUM(f32, float, vf32)

/* Sums of contiguous runs, and of runs at a stride of `step` elements where step divides the
 * lanes: those read whole vectors over the run's span and keep every step-th lane, which is the
 * same lanes in every vector (vectors start at multiples of the lane count), so a load carries
 * lanes/step elements where a scalar loop would load one. */
#define DEFINE_VECTOR_SUMS(sfx, T, V)                                                              \
    static T contiguous_sum_##sfx(const T *p, int64_t n)                                           \
    {                                                                                              \
        return blocked_sum_##sfx(p, n, false, vec_zero(T));                                        \
    }                                                                                              \
    static T spread_sum_##sfx(const T *p, int64_t step, int64_t n)                                 \
    {                                                                                              \
        enum { LANES = VEC_LANES(T) };                                                             \
        T pattern[LANES];                                                                          \
        for (int lane = 0; lane < LANES; lane++) {                                                 \
            T ones; /* every bit set: an and keeps the lane */                                     \
            memset(&ones, lane % step == 0 ? 0xff : 0, sizeof ones);                               \
            pattern[lane] = ones;                                                                  \
        }                                                                                          \
        return blocked_sum_##sfx(p, (n - 1) * step + 1, true, vec_load(pattern));                  \
    }
DEFINE_VECTOR_SUMS(f64, double, vf64)
DEFINE_VECTOR_SUMS(f32, float, vf32)

#define DEFINE_STRIDED_SUM(sfx, T)                                                                 \
    static inline T load_##sfx(const char *p)                                                      \
    {                                                                                              \
        T v;                                                                                       \
        memcpy(&v, p, sizeof v);                                                                   \
        return v;                                                                                  \
    }                                                                                              \
    static T strided_sum_##sfx(const char *p, int64_t stride, int64_t n)                           \
    {                                                                                              \
        if (n <= STRIDED_LEAF) {                                                                   \
            T acc[8] = {0};                                                                        \
            int64_t i = 0;                                                                         \
            for (; i + 8 <= n; i += 8) {                                                           \
                for (int k = 0; k < 8; k++) {                                                      \
                    acc[k] += load_##sfx(p + (i + k) * stride);                                    \
                }                                                                                  \
            }                                                                                      \
            for (; i < n; i++) {                                                                   \
                acc[i % 8] += load_##sfx(p + i * stride);                                          \
            }                                                                                      \
            return ((acc[0] + acc[1]) + (acc[2] + acc[3])) +                                       \
                   ((acc[4] + acc[5]) + (acc[6] + acc[7]));                                        \
        }                                                                                          \
        int64_t half = n / 2 / 8 * 8;                                                              \
        return strided_sum_##sfx(p, stride, half) +                                                \
               strided_sum_##sfx(p + half * stride, stride, n - half);                             \
    }
DEFINE_STRIDED_SUM(f64, double)
DEFINE_STRIDED_SUM(f32, float)

/* The table's entry: contiguous input and small power-of-two steps take the vector paths (a
 * step of at most half the lanes, so that each load keeps at least two elements). */
#define DEFINE_SUM(sfx, T)                                                                         \
    static inline ALWAYS_INLINE void sum_one_##sfx(const char *in, int64_t stride, int64_t n,      \
                                                   char *result)                                   \
    {                                                                                              \
        enum { LANES = VEC_LANES(T) };                                                             \
        const int64_t size = (int64_t)sizeof(T);                                                   \
        int64_t step = stride > 0 && stride % size == 0 ? stride / size : 0;                       \
        T sum;                                                                                     \
        if (step == 1) {                                                                           \
            sum = contiguous_sum_##sfx((const T *)in, n);                                          \
        } else if (step > 1 && step <= LANES / 2 && LANES % step == 0 && n > 0) {                  \
            sum = spread_sum_##sfx((const T *)in, step, n);                                        \
        } else {                                                                                   \
            sum = strided_sum_##sfx(in, stride, n);                                                \
        }                                                                                          \
        memcpy(result, &sum, sizeof sum);                                                          \
    }                                                                                              \
    static void sum_##sfx(const char *in, int64_t stride, int64_t n, char *result)                 \
    {                                                                                              \
        sum_one_##sfx(in, stride, n, result);                                                      \
    }                                                                                              \
    static void sum_rows_##sfx(const char *in, int64_t stride, int64_t n, int64_t count,           \
                               int64_t row_step, char *out, int64_t out_step)                      \
    {                                                                                              \
        for (int64_t k = 0; k < count; k++, in += row_step, out += out_step) {                     \
            sum_one_##sfx(in, stride, n, out);                                                     \
        }                                                                                          \
    }
DEFINE_SUM(f64, double)
DEFINE_SUM(f32, float)

void RP_SIMD_FN(rp_simd_fill_reduce)(rp_kernel_table *table)
{
    table->reduce[RP_RED_SUM][RP_FLOAT32] = sum_f32;
    table->reduce[RP_RED_SUM][RP_FLOAT64] = sum_f64;
    table->reduce_rows[RP_RED_SUM][RP_FLOAT32] = sum_rows_f32;
    table->reduce_rows[RP_RED_SUM][RP_FLOAT64] = sum_rows_f64;
}
