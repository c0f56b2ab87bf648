/*
 * simd_reduce.c — sum of float32/float64 with the target's vectors.
 *
 * Compiled once per target (see simd_vec.h). A contiguous run is cut into blocks; inside a block
 * ACCUMULATORS vectors (ACCUMULATORS x lanes independent partial sums, enough to hide the add
 * latency) each add BLOCK_DEPTH elements, and the blocks' sums are combined pairwise, in a
 * binary tree grown as blocks complete. Each element so passes through at most BLOCK_DEPTH
 * sequential additions plus a logarithmic tree, the same bound as NumPy's pairwise summation
 * (8 accumulators over blocks of 128), so float32 sums are never less accurate than NumPy's.
 * Strided input uses the same recursion in portable code. The result overwrites *result.
 * Each function is written once and instantiated for float64 and float32 (suffix, element type,
 * vector type); the vec_* operations take their type from their arguments.
 */
#include "simd_fill.h"
#include "simd_vec.h"

enum {
    ACCUMULATORS = 8,
    BLOCK_DEPTH = 16,         /* sequential additions per lane within one block */
    STRIDED_LEAF = 128,       /* strided runs this short are summed with 8 accumulators */
    TREE_LEVELS = 64          /* one per bit of a block count */
};

_Static_assert(ACCUMULATORS == 8, "block_sum's closing tree adds eight accumulators");

/* Sum of n contiguous elements, at most a block (ACCUMULATORS * BLOCK_DEPTH vectors), as one
 * vector of lane sums. */
#define DEFINE_BLOCK_SUM(sfx, T, V)                                                                \
    static inline V block_sum_##sfx(const T *p, int64_t n)                                         \
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
                acc[k] = vec_add(acc[k], vec_load(p + i + k * LANES));                             \
            }                                                                                      \
        }                                                                                          \
        _Pragma("GCC unroll 8") for (int k = 0; k < ACCUMULATORS; k++) {                           \
            if (i + LANES <= n) {                                                                  \
                acc[k] = vec_add(acc[k], vec_load(p + i));                                         \
                i += LANES;                                                                        \
            }                                                                                      \
        }                                                                                          \
        if (i < n) {                                                                               \
            acc[ACCUMULATORS - 1] =                                                                \
                vec_add(acc[ACCUMULATORS - 1], vec_load_partial(p + i, n - i));                    \
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

#define DEFINE_CONTIGUOUS_SUM(sfx, T, V)                                                           \
    static T contiguous_sum_##sfx(const T *p, int64_t n)                                           \
    {                                                                                              \
        enum { BLOCK = ACCUMULATORS * BLOCK_DEPTH * VEC_LANES(T) };                                \
        /* tree[level] holds the sum of 2^level blocks while bit `level` of `blocks` is set. */    \
        V tree[TREE_LEVELS];                                                                       \
        int64_t blocks = 0;                                                                        \
        int64_t i = 0;                                                                             \
        for (; i + BLOCK <= n; i += BLOCK) {                                                       \
            V sum = block_sum_##sfx(p + i, BLOCK);                                                 \
            int level = 0;                                                                         \
            for (int64_t carry = blocks; carry & 1; carry >>= 1, level++) {                        \
                sum = vec_add(tree[level], sum);                                                   \
            }                                                                                      \
            tree[level] = sum;                                                                     \
            blocks++;                                                                              \
        }                                                                                          \
        V total = block_sum_##sfx(p + i, n - i);                                                   \
        for (int level = 0; level < TREE_LEVELS && (blocks >> level) != 0; level++) {              \
            if ((blocks >> level) & 1) {                                                           \
                total = vec_add(tree[level], total);                                               \
            }                                                                                      \
        }                                                                                          \
        return vec_sum_lanes(total);                                                               \
    }
DEFINE_CONTIGUOUS_SUM(f64, double, vf64)
DEFINE_CONTIGUOUS_SUM(f32, float, vf32)

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

/* The table's entry: contiguous input takes the vector path. */
#define DEFINE_SUM(sfx, T)                                                                         \
    static void sum_##sfx(const char *in, int64_t stride, int64_t n, char *result)                 \
    {                                                                                              \
        T sum = stride == (int64_t)sizeof(T) ? contiguous_sum_##sfx((const T *)in, n)              \
                                             : strided_sum_##sfx(in, stride, n);                   \
        memcpy(result, &sum, sizeof sum);                                                          \
    }
DEFINE_SUM(f64, double)
DEFINE_SUM(f32, float)

void RP_SIMD_FN(rp_simd_fill_reduce)(rp_kernel_table *table)
{
    table->reduce[RP_RED_SUM][RP_FLOAT32] = sum_f32;
    table->reduce[RP_RED_SUM][RP_FLOAT64] = sum_f64;
}
