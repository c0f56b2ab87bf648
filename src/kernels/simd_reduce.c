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
 */
#include "simd_fill.h"
#include "simd_vec.h"

enum {
    ACCUMULATORS = 8,
    BLOCK_DEPTH = 16,         /* sequential additions per lane within one block */
    STRIDED_LEAF = 128,       /* strided runs this short are summed with 8 accumulators */
    TREE_LEVELS = 64          /* one per bit of a block count */
};

/* ===================================================================== float64 */

enum { BLOCK_F64 = ACCUMULATORS * BLOCK_DEPTH * VF64_LANES };

/* Sum of n <= BLOCK_F64 contiguous elements as one vector of lane sums. */
static inline vf64 block_sum_f64(const double *p, int64_t n)
{
    vf64 acc[ACCUMULATORS];
    for (int k = 0; k < ACCUMULATORS; k++) {
        acc[k] = vf64_zero();
    }
    int64_t i = 0;
    for (; i + ACCUMULATORS * VF64_LANES <= n; i += ACCUMULATORS * VF64_LANES) {
        for (int k = 0; k < ACCUMULATORS; k++) {
            acc[k] = vf64_add(acc[k], vf64_load(p + i + k * VF64_LANES));
        }
    }
    for (int k = 0; k < ACCUMULATORS; k++) { /* constant trip count: acc stays in registers */
        if (i + VF64_LANES <= n) {
            acc[k] = vf64_add(acc[k], vf64_load(p + i));
            i += VF64_LANES;
        }
    }
    if (i < n) {
        acc[ACCUMULATORS - 1] = vf64_add(acc[ACCUMULATORS - 1], vf64_load_partial(p + i, n - i));
    }
    for (int width = ACCUMULATORS / 2; width > 0; width /= 2) {
        for (int k = 0; k < width; k++) {
            acc[k] = vf64_add(acc[k], acc[k + width]);
        }
    }
    return acc[0];
}

static double contiguous_sum_f64(const double *p, int64_t n)
{
    /* tree[level] holds the sum of 2^level blocks while bit `level` of `blocks` is set. */
    vf64 tree[TREE_LEVELS];
    int64_t blocks = 0;
    int64_t i = 0;
    for (; i + BLOCK_F64 <= n; i += BLOCK_F64) {
        vf64 sum = block_sum_f64(p + i, BLOCK_F64);
        int level = 0;
        for (int64_t carry = blocks; carry & 1; carry >>= 1, level++) {
            sum = vf64_add(tree[level], sum);
        }
        tree[level] = sum;
        blocks++;
    }
    vf64 total = block_sum_f64(p + i, n - i);
    for (int level = 0; level < TREE_LEVELS && (blocks >> level) != 0; level++) {
        if ((blocks >> level) & 1) {
            total = vf64_add(tree[level], total);
        }
    }
    return vf64_sum_lanes(total);
}

static inline double load_f64(const char *p)
{
    double v;
    memcpy(&v, p, sizeof v);
    return v;
}

static double strided_sum_f64(const char *p, int64_t stride, int64_t n)
{
    if (n <= STRIDED_LEAF) {
        double acc[8] = {0};
        int64_t i = 0;
        for (; i + 8 <= n; i += 8) {
            for (int k = 0; k < 8; k++) {
                acc[k] += load_f64(p + (i + k) * stride);
            }
        }
        for (; i < n; i++) {
            acc[i % 8] += load_f64(p + i * stride);
        }
        return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    }
    int64_t half = n / 2 / 8 * 8;
    return strided_sum_f64(p, stride, half) + strided_sum_f64(p + half * stride, stride, n - half);
}

static void sum_f64(const char *in, int64_t stride, int64_t n, char *result)
{
    double sum = stride == (int64_t)sizeof(double) ? contiguous_sum_f64((const double *)in, n)
                                                   : strided_sum_f64(in, stride, n);
    memcpy(result, &sum, sizeof sum);
}

/* ===================================================================== float32 */

enum { BLOCK_F32 = ACCUMULATORS * BLOCK_DEPTH * VF32_LANES };

static inline vf32 block_sum_f32(const float *p, int64_t n)
{
    vf32 acc[ACCUMULATORS];
    for (int k = 0; k < ACCUMULATORS; k++) {
        acc[k] = vf32_zero();
    }
    int64_t i = 0;
    for (; i + ACCUMULATORS * VF32_LANES <= n; i += ACCUMULATORS * VF32_LANES) {
        for (int k = 0; k < ACCUMULATORS; k++) {
            acc[k] = vf32_add(acc[k], vf32_load(p + i + k * VF32_LANES));
        }
    }
    for (int k = 0; k < ACCUMULATORS; k++) { /* constant trip count: acc stays in registers */
        if (i + VF32_LANES <= n) {
            acc[k] = vf32_add(acc[k], vf32_load(p + i));
            i += VF32_LANES;
        }
    }
    if (i < n) {
        acc[ACCUMULATORS - 1] = vf32_add(acc[ACCUMULATORS - 1], vf32_load_partial(p + i, n - i));
    }
    for (int width = ACCUMULATORS / 2; width > 0; width /= 2) {
        for (int k = 0; k < width; k++) {
            acc[k] = vf32_add(acc[k], acc[k + width]);
        }
    }
    return acc[0];
}

static float contiguous_sum_f32(const float *p, int64_t n)
{
    vf32 tree[TREE_LEVELS];
    int64_t blocks = 0;
    int64_t i = 0;
    for (; i + BLOCK_F32 <= n; i += BLOCK_F32) {
        vf32 sum = block_sum_f32(p + i, BLOCK_F32);
        int level = 0;
        for (int64_t carry = blocks; carry & 1; carry >>= 1, level++) {
            sum = vf32_add(tree[level], sum);
        }
        tree[level] = sum;
        blocks++;
    }
    vf32 total = block_sum_f32(p + i, n - i);
    for (int level = 0; level < TREE_LEVELS && (blocks >> level) != 0; level++) {
        if ((blocks >> level) & 1) {
            total = vf32_add(tree[level], total);
        }
    }
    return vf32_sum_lanes(total);
}

static inline float load_f32(const char *p)
{
    float v;
    memcpy(&v, p, sizeof v);
    return v;
}

static float strided_sum_f32(const char *p, int64_t stride, int64_t n)
{
    if (n <= STRIDED_LEAF) {
        float acc[8] = {0};
        int64_t i = 0;
        for (; i + 8 <= n; i += 8) {
            for (int k = 0; k < 8; k++) {
                acc[k] += load_f32(p + (i + k) * stride);
            }
        }
        for (; i < n; i++) {
            acc[i % 8] += load_f32(p + i * stride);
        }
        return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    }
    int64_t half = n / 2 / 8 * 8;
    return strided_sum_f32(p, stride, half) + strided_sum_f32(p + half * stride, stride, n - half);
}

static void sum_f32(const char *in, int64_t stride, int64_t n, char *result)
{
    float sum = stride == (int64_t)sizeof(float) ? contiguous_sum_f32((const float *)in, n)
                                                 : strided_sum_f32(in, stride, n);
    memcpy(result, &sum, sizeof sum);
}

void RP_SIMD_FN(rp_simd_fill_reduce)(rp_kernel_table *table)
{
    table->reduce[RP_RED_SUM][RP_FLOAT32] = sum_f32;
    table->reduce[RP_RED_SUM][RP_FLOAT64] = sum_f64;
}
