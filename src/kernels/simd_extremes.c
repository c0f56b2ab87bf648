/*
 * simd_extremes.c — min, max, argmin and argmax of contiguous float32/float64 rows with the
 * target's vectors.
 *
 * Compiled once per target (see simd_vec.h). The running extremes follow the x86 rule on every
 * target: an element replaces one only when strictly beyond it, so ties keep the earlier
 * element, as the portable loops do. NaNs are tracked on the side without raising a condition:
 * a min/max row that holds one goes to the portable loop, so the NaN returned is the one the
 * portable loop returns. argmin/argmax walk the row in blocks small enough to stay in L1: a block's
 * extreme comes from the vectors, and only a block that beats the best so far is searched for
 * the first element equal to its extreme (or, holding a NaN, for its first NaN, which is then
 * the answer). Rows too short for the vectors, and strided rows, go to the portable loops.
 * Each function is written once and instantiated for float64 and float32 (suffix, element
 * type, vector type); the vec_* operations take their type from their arguments.
 */
#include <stdbool.h>

#include "simd_fill.h"
#include "simd_vec.h"

enum {
    ACCUMULATORS = 4,         /* running extremes in flight, to hide the compare latency */
    ARG_BLOCK = 1024          /* elements per argmin/argmax block (4-8 KB: stays in L1) */
};

#define ALWAYS_INLINE __attribute__((always_inline))
#define GREATER(a, b) ((a) > (b))
#define LESS(a, b) ((a) < (b))

/* The extreme of a vector's lanes, the earliest lane on ties. */
#define DEFINE_LANES_EXTREME(name, T, V, beyond)                                                   \
    static inline T lanes_##name(V v)                                                              \
    {                                                                                              \
        T lanes[VEC_LANES(T)];                                                                     \
        vec_store(lanes, v);                                                                       \
        T best = lanes[0];                                                                         \
        for (int k = 1; k < VEC_LANES(T); k++) {                                                   \
            best = beyond(lanes[k], best) ? lanes[k] : best;                                       \
        }                                                                                          \
        return best;                                                                               \
    }
DEFINE_LANES_EXTREME(max_f64, double, vf64, GREATER)
DEFINE_LANES_EXTREME(max_f32, float, vf32, GREATER)
DEFINE_LANES_EXTREME(min_f64, double, vf64, LESS)
DEFINE_LANES_EXTREME(min_f32, float, vf32, LESS)

/* The extreme of n >= ACCUMULATORS vectors of elements at p under `pick` (vec_larger or
 * vec_smaller); false, with *extreme unset, if any is NaN. */
#define DEFINE_RUN_EXTREME(name, T, V, pick)                                                       \
    static inline ALWAYS_INLINE bool run_##name(const T *p, int64_t n, T *extreme)                 \
    {                                                                                              \
        enum { LANES = VEC_LANES(T), K = ACCUMULATORS };                                           \
        V acc[K];                                                                                  \
        _Pragma("GCC unroll 4") for (int k = 0; k < K; k++) {                                      \
            acc[k] = vec_load(p + k * LANES);                                                      \
        }                                                                                          \
        V seen = vec_mark_unordered(vec_zero(T), acc[0], acc[1]);                                  \
        seen = vec_mark_unordered(seen, acc[2], acc[3]);                                           \
        int64_t i = K * LANES;                                                                     \
        for (; i + K * LANES <= n; i += K * LANES) {                                               \
            V v[K];                                                                                \
            _Pragma("GCC unroll 4") for (int k = 0; k < K; k++) {                                  \
                v[k] = vec_load(p + i + k * LANES);                                                \
                acc[k] = pick(v[k], acc[k]);                                                       \
            }                                                                                      \
            seen = vec_mark_unordered(seen, v[0], v[1]);                                           \
            seen = vec_mark_unordered(seen, v[2], v[3]);                                           \
        }                                                                                          \
        for (; i < n; i += LANES) {                                                                \
            /* The last vector ends at the run's end, re-reading some elements: harmless for   \
             * an extreme. */                                                                      \
            V v = vec_load(p + (i + LANES <= n ? i : n - LANES));                                  \
            acc[0] = pick(v, acc[0]);                                                              \
            seen = vec_mark_unordered(seen, v, v);                                                 \
        }                                                                                          \
        if (vec_any_marked(seen)) {                                                                \
            return false;                                                                          \
        }                                                                                          \
        acc[0] = pick(acc[1], acc[0]);                                                             \
        acc[2] = pick(acc[3], acc[2]);                                                             \
        acc[0] = pick(acc[2], acc[0]);                                                             \
        *extreme = lanes_##name(acc[0]);                                                           \
        return true;                                                                               \
    }
DEFINE_RUN_EXTREME(max_f64, double, vf64, vec_larger)
DEFINE_RUN_EXTREME(max_f32, float, vf32, vec_larger)
DEFINE_RUN_EXTREME(min_f64, double, vf64, vec_smaller)
DEFINE_RUN_EXTREME(min_f32, float, vf32, vec_smaller)

/* The reduce[op] entry: the vector run, or the portable loop for short, strided and NaN rows. */
#define DEFINE_EXTREME(name, op, T, dtype)                                                         \
    static void name(const char *in, int64_t stride, int64_t n, char *result)                      \
    {                                                                                              \
        T extreme;                                                                                 \
        if (stride == (int64_t)sizeof(T) && n >= ACCUMULATORS * VEC_LANES(T) &&                    \
            run_##name((const T *)in, n, &extreme)) {                                              \
            memcpy(result, &extreme, sizeof extreme);                                              \
            return;                                                                                \
        }                                                                                          \
        rp_portable_reduce(op, dtype)(in, stride, n, result);                                      \
    }
DEFINE_EXTREME(max_f64, RP_RED_MAX, double, RP_FLOAT64)
DEFINE_EXTREME(max_f32, RP_RED_MAX, float, RP_FLOAT32)
DEFINE_EXTREME(min_f64, RP_RED_MIN, double, RP_FLOAT64)
DEFINE_EXTREME(min_f32, RP_RED_MIN, float, RP_FLOAT32)

/* One argmin/argmax block: the n elements at p, CHUNK <= n <= ARG_BLOCK, that start at index
 * `offset` of the row; false if it holds a NaN. Otherwise, when the block's extreme beats *best
 * (or the block is the row's first), sets *best to it and *at to its first index in the row.
 * Each chunk of ACCUMULATORS vectors leaves its lane-wise extreme in chunks[], so the search
 * looks at those first and then at one chunk's elements only (the last chunk ends at the
 * block's end, overlapping the one before: the search still meets the first match first). */
#define DEFINE_ARG_BLOCK(name, run, T, V, pick, beyond)                                            \
    static inline ALWAYS_INLINE bool block_##name(const T *p, int64_t n, int64_t offset,           \
                                                  T *best, int64_t *at)                            \
    {                                                                                              \
        enum { LANES = VEC_LANES(T), CHUNK = ACCUMULATORS * LANES };                               \
        _Static_assert(ACCUMULATORS == 4, "a chunk is four vectors");                              \
        V chunks[ARG_BLOCK / CHUNK + 1];                                                           \
        int64_t count = (n + CHUNK - 1) / CHUNK;                                                   \
        V acc[2], seen = vec_zero(T);                                                              \
        for (int64_t c = 0; c < count; c++) {                                                      \
            const T *q = p + (c * CHUNK + CHUNK <= n ? c * CHUNK : n - CHUNK);                     \
            V v0 = vec_load(q), v1 = vec_load(q + LANES);                                          \
            V v2 = vec_load(q + 2 * LANES), v3 = vec_load(q + 3 * LANES);                          \
            seen = vec_mark_unordered(seen, v0, v1);                                               \
            seen = vec_mark_unordered(seen, v2, v3);                                               \
            V m = pick(pick(v3, v2), pick(v1, v0));                                                \
            chunks[c] = m;                                                                         \
            acc[c & 1] = c < 2 ? m : pick(m, acc[c & 1]);                                          \
        }                                                                                          \
        if (vec_any_marked(seen)) {                                                                \
            return false;                                                                          \
        }                                                                                          \
        T extreme = lanes_##run(count > 1 ? pick(acc[1], acc[0]) : acc[0]);                        \
        if (offset != 0 && !beyond(extreme, *best)) {                                              \
            return true;                                                                           \
        }                                                                                          \
        const V wanted = vec_set1(extreme);                                                        \
        int64_t c = 0;                                                                             \
        while (!vec_any_equal(chunks[c], wanted)) {                                                \
            c++;                                                                                   \
        }                                                                                          \
        int64_t i = c * CHUNK + CHUNK <= n ? c * CHUNK : n - CHUNK;                                \
        while (!vec_any_equal(vec_load(p + i), wanted)) {                                          \
            i += LANES;                                                                            \
        }                                                                                          \
        while (!(p[i] == extreme)) {                                                               \
            i++;                                                                                   \
        }                                                                                          \
        *best = extreme;                                                                           \
        *at = offset + i;                                                                          \
        return true;                                                                               \
    }
DEFINE_ARG_BLOCK(argmax_f64, max_f64, double, vf64, vec_larger, GREATER)
DEFINE_ARG_BLOCK(argmax_f32, max_f32, float, vf32, vec_larger, GREATER)
DEFINE_ARG_BLOCK(argmin_f64, min_f64, double, vf64, vec_smaller, LESS)
DEFINE_ARG_BLOCK(argmin_f32, min_f32, float, vf32, vec_smaller, LESS)

/* The arg_reduce[op] entry, block by block (see the top of the file); a block with a NaN, or
 * too short for a chunk, is the portable loop's, which finds its first NaN or extreme. */
#define DEFINE_ARG_EXTREME(name, op, T, dtype, beyond)                                             \
    static void name(const char *in, int64_t stride, int64_t n, int64_t *index)                    \
    {                                                                                              \
        enum { CHUNK = ACCUMULATORS * VEC_LANES(T) };                                              \
        if (stride != (int64_t)sizeof(T) || n < CHUNK) {                                           \
            rp_portable_arg_reduce(op, dtype)(in, stride, n, index);                               \
            return;                                                                                \
        }                                                                                          \
        const T *p = (const T *)in;                                                                \
        T best = p[0];                                                                             \
        int64_t at = 0;                                                                            \
        for (int64_t start = 0; start < n; start += ARG_BLOCK) {                                   \
            int64_t len = n - start < ARG_BLOCK ? n - start : ARG_BLOCK;                           \
            if (len >= CHUNK && block_##name(p + start, len, start, &best, &at)) {            \
                continue;                                                                          \
            }                                                                                      \
            int64_t found;                                                                         \
            rp_portable_arg_reduce(op, dtype)((const char *)(p + start), stride, len, &found);     \
            T extreme = p[start + found];                                                          \
            if (extreme != extreme) {                                                              \
                *index = start + found;                                                            \
                return;                                                                            \
            }                                                                                      \
            if (start == 0 || beyond(extreme, best)) {                                             \
                best = extreme;                                                                    \
                at = start + found;                                                                \
            }                                                                                      \
        }                                                                                          \
        *index = at;                                                                               \
    }
DEFINE_ARG_EXTREME(argmax_f64, RP_ARG_MAX, double, RP_FLOAT64, GREATER)
DEFINE_ARG_EXTREME(argmax_f32, RP_ARG_MAX, float, RP_FLOAT32, GREATER)
DEFINE_ARG_EXTREME(argmin_f64, RP_ARG_MIN, double, RP_FLOAT64, LESS)
DEFINE_ARG_EXTREME(argmin_f32, RP_ARG_MIN, float, RP_FLOAT32, LESS)

void RP_SIMD_FN(rp_simd_fill_extremes)(rp_kernel_table *table)
{
    table->reduce[RP_RED_MAX][RP_FLOAT32] = max_f32;
    table->reduce[RP_RED_MAX][RP_FLOAT64] = max_f64;
    table->reduce[RP_RED_MIN][RP_FLOAT32] = min_f32;
    table->reduce[RP_RED_MIN][RP_FLOAT64] = min_f64;
    table->arg_reduce[RP_ARG_MAX][RP_FLOAT32] = argmax_f32;
    table->arg_reduce[RP_ARG_MAX][RP_FLOAT64] = argmax_f64;
    table->arg_reduce[RP_ARG_MIN][RP_FLOAT32] = argmin_f32;
    table->arg_reduce[RP_ARG_MIN][RP_FLOAT64] = argmin_f64;
}
