/*
 * reduce.c — portable reduction kernels: sum, prod, min, max over one strided row, and the
 * argmin/argmax loops.
 *
 * Float sums are pairwise, the scheme NumPy uses: blocks of up to 128 elements summed with eight
 * interleaved accumulators, longer rows split in halves (at a multiple of 8) recursively, so the
 * rounding error grows with log(n) instead of n and a contiguous row gives NumPy's exact answer.
 * Integer and bool sums and products accumulate in int64 (wrapping); min/max keep eight
 * independent accumulators (vectorisable compare-and-select) and let a NaN win.
 */
#include <math.h>

#include "loops.h"

#define PAIRWISE_BLOCK 128

/* Float sum: block_sum for short runs, pairwise_sum recursing on halves; the _unit variant has
 * the unit stride as a constant so the eight accumulators vectorise. */
#define DEFINE_FLOAT_SUM(SUFFIX)                                                                 \
    static inline rp_##SUFFIX block_sum_##SUFFIX(const char *p, int64_t stride, int64_t n)       \
    {                                                                                            \
        rp_##SUFFIX s = 0;                                                                       \
        if (n < 8) {                                                                             \
            for (int64_t i = 0; i < n; i++) {                                                    \
                s += load_##SUFFIX(p + i * stride);                                              \
            }                                                                                    \
            return s;                                                                            \
        }                                                                                        \
        rp_##SUFFIX r[8];                                                                        \
        for (int k = 0; k < 8; k++) {                                                            \
            r[k] = load_##SUFFIX(p + k * stride);                                                \
        }                                                                                        \
        int64_t i = 8;                                                                           \
        for (; i + 8 <= n; i += 8) {                                                             \
            for (int k = 0; k < 8; k++) {                                                        \
                r[k] += load_##SUFFIX(p + (i + k) * stride);                                     \
            }                                                                                    \
        }                                                                                        \
        s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));                   \
        for (; i < n; i++) {                                                                     \
            s += load_##SUFFIX(p + i * stride);                                                  \
        }                                                                                        \
        return s;                                                                                \
    }                                                                                            \
    static rp_##SUFFIX pairwise_sum_##SUFFIX(const char *p, int64_t stride, int64_t n)           \
    {                                                                                            \
        if (n <= PAIRWISE_BLOCK) {                                                               \
            return block_sum_##SUFFIX(p, stride, n);                                             \
        }                                                                                        \
        int64_t half = n / 2;                                                                    \
        half -= half % 8;                                                                        \
        return pairwise_sum_##SUFFIX(p, stride, half) +                                          \
               pairwise_sum_##SUFFIX(p + half * stride, stride, n - half);                       \
    }                                                                                            \
    static rp_##SUFFIX pairwise_sum_unit_##SUFFIX(const char *p, int64_t n)                      \
    {                                                                                            \
        const int64_t w = (int64_t)sizeof(rp_##SUFFIX);                                          \
        if (n <= PAIRWISE_BLOCK) {                                                               \
            return block_sum_##SUFFIX(p, w, n);                                                  \
        }                                                                                        \
        int64_t half = n / 2;                                                                    \
        half -= half % 8;                                                                        \
        return pairwise_sum_unit_##SUFFIX(p, half) +                                             \
               pairwise_sum_unit_##SUFFIX(p + half * w, n - half);                               \
    }                                                                                            \
    /* Starting from the identity 0 (not from the first element) as NumPy's reduction does,      \
     * so a row of -0.0 sums to +0.0 there as here. */                                           \
    static void sum_##SUFFIX(const char *in, int64_t stride, int64_t n, char *result)            \
    {                                                                                            \
        rp_##SUFFIX s = stride == (int64_t)sizeof(rp_##SUFFIX)                                   \
                            ? pairwise_sum_unit_##SUFFIX(in, n)                                  \
                            : pairwise_sum_##SUFFIX(in, stride, n);                              \
        store_##SUFFIX(result, (rp_##SUFFIX)0 + s);                                              \
    }

DEFINE_FLOAT_SUM(f32)
DEFINE_FLOAT_SUM(f64)

/* Integer and bool sums and products into int64, wrapping (unsigned arithmetic). WIDEN turns
 * an element into the uint64 term. */
#define DEFINE_INT_REDUCE(NAME, SUFFIX, INIT, COMBINE, WIDEN)                                    \
    static void NAME(const char *in, int64_t stride, int64_t n, char *result)                    \
    {                                                                                            \
        const int64_t w = (int64_t)sizeof(rp_##SUFFIX);                                          \
        uint64_t acc = INIT;                                                                     \
        if (stride == w) {                                                                       \
            for (int64_t i = 0; i < n; i++) {                                                    \
                acc = COMBINE(acc, WIDEN(load_##SUFFIX(in + i * w)));                            \
            }                                                                                    \
        } else {                                                                                 \
            for (int64_t i = 0; i < n; i++) {                                                    \
                acc = COMBINE(acc, WIDEN(load_##SUFFIX(in + i * stride)));                       \
            }                                                                                    \
        }                                                                                        \
        store_i64(result, (rp_i64)acc);                                                          \
    }

#define PLUS(acc, v) ((acc) + (v))
#define TIMES(acc, v) ((acc) * (v))
#define WIDEN_SIGNED(v) ((uint64_t)(rp_i64)(v))
#define WIDEN_BOOL(v) ((uint64_t)((v) != 0))

DEFINE_INT_REDUCE(sum_b8, b8, 0, PLUS, WIDEN_BOOL)
DEFINE_INT_REDUCE(sum_i32, i32, 0, PLUS, WIDEN_SIGNED)
DEFINE_INT_REDUCE(sum_i64, i64, 0, PLUS, WIDEN_SIGNED)
DEFINE_INT_REDUCE(prod_b8, b8, 1, TIMES, WIDEN_BOOL)
DEFINE_INT_REDUCE(prod_i32, i32, 1, TIMES, WIDEN_SIGNED)
DEFINE_INT_REDUCE(prod_i64, i64, 1, TIMES, WIDEN_SIGNED)

/* Float products run in order, as NumPy's multiply.reduce: reassociating would change results. */
#define DEFINE_FLOAT_PROD(SUFFIX)                                                                \
    static void prod_##SUFFIX(const char *in, int64_t stride, int64_t n, char *result)           \
    {                                                                                            \
        rp_##SUFFIX acc = 1;                                                                     \
        for (int64_t i = 0; i < n; i++) {                                                        \
            acc *= load_##SUFFIX(in + i * stride);                                               \
        }                                                                                        \
        store_##SUFFIX(result, acc);                                                             \
    }

DEFINE_FLOAT_PROD(f32)
DEFINE_FLOAT_PROD(f64)

/* min/max: PICK(acc, v) keeps acc or takes v. Eight accumulators, combined at the end with the
 * same PICK; min and max are associative, and a NaN, once in an accumulator, always wins. An
 * empty row leaves the identity IDENT (the driver never asks for one). */
#define DEFINE_EXTREME(NAME, SUFFIX, PICK, IDENT)                                                \
    static void NAME(const char *in, int64_t stride, int64_t n, char *result)                    \
    {                                                                                            \
        if (n > 0 && n < 16) { /* short rows: one accumulator, nothing to set up or combine */   \
            rp_##SUFFIX m = load_##SUFFIX(in);                                                   \
            for (int64_t i = 1; i < n; i++) {                                                    \
                m = PICK(m, load_##SUFFIX(in + i * stride));                                     \
            }                                                                                    \
            store_##SUFFIX(result, m);                                                           \
            return;                                                                              \
        }                                                                                        \
        rp_##SUFFIX r[8];                                                                        \
        for (int k = 0; k < 8; k++) {                                                            \
            r[k] = IDENT;                                                                        \
        }                                                                                        \
        int64_t i = 0;                                                                           \
        if (stride == (int64_t)sizeof(rp_##SUFFIX)) {                                            \
            const int64_t w = (int64_t)sizeof(rp_##SUFFIX);                                      \
            for (; i + 8 <= n; i += 8) {                                                         \
                for (int k = 0; k < 8; k++) {                                                    \
                    r[k] = PICK(r[k], load_##SUFFIX(in + (i + k) * w));                          \
                }                                                                                \
            }                                                                                    \
        } else {                                                                                 \
            for (; i + 8 <= n; i += 8) {                                                         \
                for (int k = 0; k < 8; k++) {                                                    \
                    r[k] = PICK(r[k], load_##SUFFIX(in + (i + k) * stride));                     \
                }                                                                                \
            }                                                                                    \
        }                                                                                        \
        for (; i < n; i++) {                                                                     \
            r[0] = PICK(r[0], load_##SUFFIX(in + i * stride));                                   \
        }                                                                                        \
        rp_##SUFFIX m = PICK(PICK(PICK(r[0], r[1]), PICK(r[2], r[3])),                           \
                             PICK(PICK(r[4], r[5]), PICK(r[6], r[7])));                          \
        store_##SUFFIX(result, m);                                                               \
    }

/* Floats: the later element on ties, as NumPy's running maximum(acc, v) gives (a short row of
 * signed zeros ends like NumPy's; across accumulators ties resolve by their layout). */
#define PICK_MIN_NAN(acc, v) (((acc) < (v) || (acc) != (acc)) ? (acc) : (v))
#define PICK_MAX_NAN(acc, v) (((acc) > (v) || (acc) != (acc)) ? (acc) : (v))
#define PICK_MIN(acc, v) ((acc) <= (v) ? (acc) : (v))
#define PICK_MAX(acc, v) ((acc) >= (v) ? (acc) : (v))
#define PICK_AND(acc, v) ((rp_b8)((acc) & ((v) != 0)))
#define PICK_OR(acc, v) ((rp_b8)((acc) | ((v) != 0)))

DEFINE_EXTREME(min_b8, b8, PICK_AND, 1)
DEFINE_EXTREME(min_i32, i32, PICK_MIN, INT32_MAX)
DEFINE_EXTREME(min_i64, i64, PICK_MIN, INT64_MAX)
DEFINE_EXTREME(min_f32, f32, PICK_MIN_NAN, INFINITY)
DEFINE_EXTREME(min_f64, f64, PICK_MIN_NAN, INFINITY)
DEFINE_EXTREME(max_b8, b8, PICK_OR, 0)
DEFINE_EXTREME(max_i32, i32, PICK_MAX, INT32_MIN)
DEFINE_EXTREME(max_i64, i64, PICK_MAX, INT64_MIN)
DEFINE_EXTREME(max_f32, f32, PICK_MAX_NAN, -INFINITY)
DEFINE_EXTREME(max_f64, f64, PICK_MAX_NAN, -INFINITY)

/* argmin/argmax: first index of the extreme; BETTER(v, best) is strict so ties keep the first.
 * IS_NAN stops at the first NaN, which NumPy reports as the extreme. */
#define DEFINE_ARG_EXTREME(NAME, SUFFIX, BETTER, IS_NAN)                                         \
    static void NAME(const char *in, int64_t stride, int64_t n, int64_t *index)                  \
    {                                                                                            \
        rp_##SUFFIX best = load_##SUFFIX(in);                                                    \
        int64_t at = 0;                                                                          \
        if (!IS_NAN(best)) {                                                                     \
            for (int64_t i = 1; i < n; i++) {                                                    \
                rp_##SUFFIX v = load_##SUFFIX(in + i * stride);                                  \
                if (BETTER(v, best)) {                                                           \
                    best = v;                                                                    \
                    at = i;                                                                      \
                } else if (IS_NAN(v)) {                                                          \
                    at = i;                                                                      \
                    break;                                                                       \
                }                                                                                \
            }                                                                                    \
        }                                                                                        \
        *index = at;                                                                             \
    }

/* Contiguous integer and bool rows go block by block: a block's extreme (of KEY(v)) is a plain
 * reduction the compiler vectorises, and only a block that beats the best so far is searched,
 * while still in L1, for its first element with that key (a group of ARG_GROUP at a time).
 * Strided rows take SCAN. */
#define ARG_BLOCK 1024
#define ARG_GROUP 32
#define DEFINE_ARG_EXTREME_BLOCKED(NAME, SUFFIX, KEY, BETTER, SCAN)                              \
    static void NAME(const char *in, int64_t stride, int64_t n, int64_t *index)                  \
    {                                                                                            \
        const int64_t w = (int64_t)sizeof(rp_##SUFFIX);                                          \
        if (stride != w) {                                                                       \
            SCAN(in, stride, n, index);                                                          \
            return;                                                                              \
        }                                                                                        \
        rp_##SUFFIX best = 0;                                                                    \
        int64_t at = 0;                                                                          \
        for (int64_t start = 0; start < n; start += ARG_BLOCK) {                                 \
            const char *block = in + start * w;                                                  \
            int64_t len = n - start < ARG_BLOCK ? n - start : ARG_BLOCK;                         \
            rp_##SUFFIX extreme = KEY(load_##SUFFIX(block));                                     \
            for (int64_t i = 1; i < len; i++) {                                                  \
                rp_##SUFFIX v = KEY(load_##SUFFIX(block + i * w));                              \
                extreme = BETTER(v, extreme) ? v : extreme;                                      \
            }                                                                                    \
            if (start == 0 || BETTER(extreme, best)) {                                           \
                /* Whole groups are compared without an early exit, which vectorises. */        \
                int64_t i = 0;                                                                   \
                for (; i + ARG_GROUP <= len; i += ARG_GROUP) {                                   \
                    int hit = 0;                                                                 \
                    for (int k = 0; k < ARG_GROUP; k++) {                                        \
                        hit |= KEY(load_##SUFFIX(block + (i + k) * w)) == extreme;               \
                    }                                                                            \
                    if (hit) {                                                                   \
                        break;                                                                   \
                    }                                                                            \
                }                                                                                \
                while (KEY(load_##SUFFIX(block + i * w)) != extreme) {                           \
                    i++;                                                                         \
                }                                                                                \
                best = extreme;                                                                  \
                at = start + i;                                                                  \
            }                                                                                    \
        }                                                                                        \
        *index = at;                                                                             \
    }

#define SMALLER(v, best) ((v) < (best))
#define LARGER(v, best) ((v) > (best))
#define BOOL_SMALLER(v, best) (((v) != 0) < ((best) != 0))
#define BOOL_LARGER(v, best) (((v) != 0) > ((best) != 0))
#define NEVER_NAN(v) ((void)(v), 0)
#define FLOAT_IS_NAN(v) isnan(v)
#define SAME(v) (v)
#define TRUTH(v) ((rp_b8)((v) != 0))

DEFINE_ARG_EXTREME(scan_argmin_b8, b8, BOOL_SMALLER, NEVER_NAN)
DEFINE_ARG_EXTREME(scan_argmin_i32, i32, SMALLER, NEVER_NAN)
DEFINE_ARG_EXTREME(scan_argmin_i64, i64, SMALLER, NEVER_NAN)
DEFINE_ARG_EXTREME(argmin_f32, f32, SMALLER, FLOAT_IS_NAN)
DEFINE_ARG_EXTREME(argmin_f64, f64, SMALLER, FLOAT_IS_NAN)
DEFINE_ARG_EXTREME(scan_argmax_b8, b8, BOOL_LARGER, NEVER_NAN)
DEFINE_ARG_EXTREME(scan_argmax_i32, i32, LARGER, NEVER_NAN)
DEFINE_ARG_EXTREME(scan_argmax_i64, i64, LARGER, NEVER_NAN)
DEFINE_ARG_EXTREME(argmax_f32, f32, LARGER, FLOAT_IS_NAN)
DEFINE_ARG_EXTREME(argmax_f64, f64, LARGER, FLOAT_IS_NAN)
DEFINE_ARG_EXTREME_BLOCKED(argmin_b8, b8, TRUTH, SMALLER, scan_argmin_b8)
DEFINE_ARG_EXTREME_BLOCKED(argmin_i32, i32, SAME, SMALLER, scan_argmin_i32)
DEFINE_ARG_EXTREME_BLOCKED(argmin_i64, i64, SAME, SMALLER, scan_argmin_i64)
DEFINE_ARG_EXTREME_BLOCKED(argmax_b8, b8, TRUTH, LARGER, scan_argmax_b8)
DEFINE_ARG_EXTREME_BLOCKED(argmax_i32, i32, SAME, LARGER, scan_argmax_i32)
DEFINE_ARG_EXTREME_BLOCKED(argmax_i64, i64, SAME, LARGER, scan_argmax_i64)

static const rp_reduce_loop portable_loops[RP_NREDUCE_OPS][RP_NTYPES] = {
    [RP_RED_SUM] = {sum_b8, sum_i32, sum_i64, sum_f32, sum_f64},
    [RP_RED_PROD] = {prod_b8, prod_i32, prod_i64, prod_f32, prod_f64},
    [RP_RED_MIN] = {min_b8, min_i32, min_i64, min_f32, min_f64},
    [RP_RED_MAX] = {max_b8, max_i32, max_i64, max_f32, max_f64},
};

static const rp_arg_reduce_loop portable_arg_loops[RP_NARG_REDUCE_OPS][RP_NTYPES] = {
    [RP_ARG_MIN] = {argmin_b8, argmin_i32, argmin_i64, argmin_f32, argmin_f64},
    [RP_ARG_MAX] = {argmax_b8, argmax_i32, argmax_i64, argmax_f32, argmax_f64},
};

#ifndef RP_WIDEN /* one of each: the plain compilation's */
rp_reduce_loop rp_portable_reduce(rp_reduce_op op, rp_dtype dtype)
{
    return portable_loops[op][dtype];
}

rp_arg_reduce_loop rp_portable_arg_reduce(rp_arg_reduce_op op, rp_dtype dtype)
{
    return portable_arg_loops[op][dtype];
}
#endif

void RP_PORTABLE_FN(rp_kernels_fill_scalar_reduce)(rp_kernel_table *table)
{
    memcpy(table->reduce, portable_loops, sizeof portable_loops);
    memcpy(table->arg_reduce, portable_arg_loops, sizeof portable_arg_loops);
}

