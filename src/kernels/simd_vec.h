/*
 * simd_vec.h — the few vector operations the SIMD kernels need, for the one target being built.
 *
 * Each per-ISA kernel source is compiled once per target with exactly one of RP_SIMD_AVX2,
 * RP_SIMD_AVX512 or RP_SIMD_NEON defined (and that target's compiler flags); this header maps
 * the kernels' vocabulary onto that target's intrinsics, and gives the target's entry points
 * their suffixed names through RP_SIMD_FN. The typed operations (vf64_load, vf32_add, ...) are
 * small static inline functions, those that are one intrinsic stamped out for both element
 * types by X86_SIMPLE_OPS or NEON_OPS; the kernels call them through the vec_* names at the
 * end, which pick the float64 or float32 operation from an argument's type, so that one kernel
 * body serves both element types. Loads and stores are unaligned-safe; partial ones touch only
 * `count` lanes; V_load_every(p, k, first) reads every k-th element (k = 2..4) from exactly the
 * k vectors at p, V_load_every_partial only the first `count` of those elements; vf*_stream
 * stores bypass the caches where the target can (HAS_STREAM) and need an address aligned to
 * VECTOR_BYTES, and stream_fence orders them before later stores. V_larger(a, b) is
 * a > b ? a : b and V_smaller(a, b) a < b ? a : b (b on ties and when either is NaN, x86's
 * max/min rule on every target); V_mark_unordered(seen, a, b) marks the lanes where a or b is
 * NaN, without raising a condition, and V_any_marked tells whether any lane was;
 * V_any_equal(a, b) whether some lane of a equals b's (a quiet compare); V_reversed(v) has v's
 * lanes in reverse order.
 */
#ifndef RAPTORS_KERNELS_SIMD_VEC_H
#define RAPTORS_KERNELS_SIMD_VEC_H

#include <stdint.h>
#include <string.h>

#define RP_SIMD_JOIN2(name, suffix) name##_##suffix
#define RP_SIMD_JOIN(name, suffix) RP_SIMD_JOIN2(name, suffix)
/* The target's version of an entry point: RP_SIMD_FN(rp_kernels_fill) -> rp_kernels_fill_avx2. */
#define RP_SIMD_FN(name) RP_SIMD_JOIN(name, RP_SIMD_SUFFIX)

#if defined(RP_SIMD_AVX512) || defined(RP_SIMD_AVX2)
/* The operations that are one intrinsic each, named alike by AVX2 and AVX-512, for vector type V
 * of element type T: W is the intrinsics' width prefix (_mm256, _mm512), S their element suffix
 * (pd, ps). V_stream is the non-temporal store; its p must be aligned to VECTOR_BYTES. */
#define X86_SIMPLE_OPS(V, T, W, S)                                                                 \
    static inline V V##_load(const T *p) { return W##_loadu_##S(p); }                             \
    static inline void V##_store(T *p, V v) { W##_storeu_##S(p, v); }                             \
    static inline void V##_stream(T *p, V v) { W##_stream_##S(p, v); }                            \
    static inline V V##_set1(T x) { return W##_set1_##S(x); }                                     \
    static inline V V##_zero(void) { return W##_setzero_##S(); }                                  \
    static inline V V##_add(V a, V b) { return W##_add_##S(a, b); }                               \
    static inline V V##_mul(V a, V b) { return W##_mul_##S(a, b); }                               \
    static inline V V##_and(V a, V b) { return W##_and_##S(a, b); }                               \
    static inline V V##_larger(V a, V b) { return W##_max_##S(a, b); }                            \
    static inline V V##_smaller(V a, V b) { return W##_min_##S(a, b); }
#endif

#if defined(RP_SIMD_AVX512)
/* ===================================================================== AVX-512 */
#include <immintrin.h>
#define RP_SIMD_SUFFIX avx512
#define RP_SIMD_NAME "avx512"

typedef __m512d vf64;
typedef __m512 vf32;
enum { VF64_LANES = 8, VF32_LANES = 16, VECTOR_BYTES = 64, HAS_STREAM = 1 };

/* Orders earlier non-temporal stores before later stores (they are weakly ordered). */
static inline void stream_fence(void) { _mm_sfence(); }

X86_SIMPLE_OPS(vf64, double, _mm512, pd)
X86_SIMPLE_OPS(vf32, float, _mm512, ps)

/* NaN tracking: a lane of `seen` becomes a NaN (all bits set) once a or b was NaN there. */
#define AVX512_NAN_OPS(V, S)                                                                       \
    static inline V V##_mark_unordered(V seen, V a, V b)                                           \
    {                                                                                              \
        return _mm512_mask_mov_##S(seen, _mm512_cmp_##S##_mask(a, b, _CMP_UNORD_Q),              \
                                   _mm512_castsi512_##S(_mm512_set1_epi32(-1)));                   \
    }                                                                                              \
    static inline int V##_any_marked(V seen)                                                       \
    {                                                                                              \
        return _mm512_cmp_##S##_mask(seen, seen, _CMP_UNORD_Q) != 0;                               \
    }                                                                                              \
    static inline int V##_any_equal(V a, V b)                                                      \
    {                                                                                              \
        return _mm512_cmp_##S##_mask(a, b, _CMP_EQ_OQ) != 0;                                       \
    }
AVX512_NAN_OPS(vf64, pd)
AVX512_NAN_OPS(vf32, ps)

static inline vf64 vf64_load_partial(const double *p, int64_t count)
{
    return _mm512_maskz_loadu_pd((__mmask8)((1u << count) - 1), p);
}
static inline void vf64_store_partial(double *p, vf64 v, int64_t count)
{
    _mm512_mask_storeu_pd(p, (__mmask8)((1u << count) - 1), v);
}
static inline double vf64_sum_lanes(vf64 v)
{
    __m256d half = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
    __m128d quarter = _mm_add_pd(_mm256_castpd256_pd128(half), _mm256_extractf128_pd(half, 1));
    return _mm_cvtsd_f64(_mm_add_sd(quarter, _mm_unpackhi_pd(quarter, quarter)));
}

static inline vf32 vf32_load_partial(const float *p, int64_t count)
{
    return _mm512_maskz_loadu_ps((__mmask16)((1u << count) - 1), p);
}
static inline void vf32_store_partial(float *p, vf32 v, int64_t count)
{
    _mm512_mask_storeu_ps(p, (__mmask16)((1u << count) - 1), v);
}
static inline float vf32_sum_lanes(vf32 v)
{
    __m256 half = _mm256_add_ps(_mm512_castps512_ps256(v),
                                _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
    __m128 quarter = _mm_add_ps(_mm256_castps256_ps128(half), _mm256_extractf128_ps(half, 1));
    __m128 eighth = _mm_add_ps(quarter, _mm_movehl_ps(quarter, quarter));
    return _mm_cvtss_f32(_mm_add_ss(eighth, _mm_movehdup_ps(eighth)));
}

/* The lanes in reverse order (a permute: bits are moved, never computed on). */
static inline vf64 vf64_reversed(vf64 v)
{
    return _mm512_permutexvar_pd(_mm512_set_epi64(0, 1, 2, 3, 4, 5, 6, 7), v);
}
static inline vf32 vf32_reversed(vf32 v)
{
    return _mm512_permutexvar_ps(
        _mm512_set_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), v);
}

/* The strided loads: lane l is p[first + l*k] (2 <= k <= 4, 0 <= first < k), read from the k
 * vectors p[0 .. k*LANES) alone. A two-source permute takes the lanes found in the first two
 * vectors, and a masked permute of each further vector those found there: every lane moves once.
 * Gather instructions would do it in one, but run slower than a scalar loop on some cores. */
static inline vf64 vf64_load_every(const double *p, int k, int first)
{
    const __m512i element = _mm512_add_epi64(
        _mm512_mul_epu32(_mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7), _mm512_set1_epi64(k)),
        _mm512_set1_epi64(first));
    vf64 lanes = _mm512_permutex2var_pd(_mm512_loadu_pd(p), element, _mm512_loadu_pd(p + 8));
    for (int j = 2; j < k; j++) {
        __mmask8 in_j =
            _mm512_cmpeq_epi64_mask(_mm512_srli_epi64(element, 3), _mm512_set1_epi64(j));
        lanes = _mm512_mask_permutexvar_pd(lanes, in_j, element, _mm512_loadu_pd(p + 8 * j));
    }
    return lanes;
}
static inline vf32 vf32_load_every(const float *p, int k, int first)
{
    const __m512i element = _mm512_add_epi32(
        _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                           _mm512_set1_epi32(k)),
        _mm512_set1_epi32(first));
    vf32 lanes = _mm512_permutex2var_ps(_mm512_loadu_ps(p), element, _mm512_loadu_ps(p + 16));
    for (int j = 2; j < k; j++) {
        __mmask16 in_j =
            _mm512_cmpeq_epi32_mask(_mm512_srli_epi32(element, 4), _mm512_set1_epi32(j));
        lanes = _mm512_mask_permutexvar_ps(lanes, in_j, element, _mm512_loadu_ps(p + 16 * j));
    }
    return lanes;
}

/* The first `count` (1..LANES) lanes of vf*_load_every(p, k, 0), `fill` in the others, reading
 * only those elements: a masked gather (slow, but for a row's few elements only). */
static inline vf64 vf64_load_every_partial(const double *p, int k, int64_t count, double fill)
{
    const __m256i index = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                             _mm256_set1_epi32(k));
    return _mm512_mask_i32gather_pd(_mm512_set1_pd(fill), (__mmask8)((1u << count) - 1), index,
                                    p, sizeof(double));
}
static inline vf32 vf32_load_every_partial(const float *p, int k, int64_t count, float fill)
{
    const __m512i index = _mm512_mullo_epi32(
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
        _mm512_set1_epi32(k));
    return _mm512_mask_i32gather_ps(_mm512_set1_ps(fill), (__mmask16)((1u << count) - 1), index,
                                    p, sizeof(float));
}

#elif defined(RP_SIMD_AVX2)
/* ===================================================================== AVX2 + FMA */
#include <immintrin.h>
#define RP_SIMD_SUFFIX avx2
#define RP_SIMD_NAME "avx2"

typedef __m256d vf64;
typedef __m256 vf32;
enum { VF64_LANES = 4, VF32_LANES = 8, VECTOR_BYTES = 32, HAS_STREAM = 1 };

static inline void stream_fence(void) { _mm_sfence(); }

/* Lane i is enabled when i < count (the sign bit of each 64- or 32-bit mask lane). */
static inline __m256i lane_mask_64(int64_t count)
{
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(count), _mm256_setr_epi64x(0, 1, 2, 3));
}
static inline __m256i lane_mask_32(int64_t count)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

X86_SIMPLE_OPS(vf64, double, _mm256, pd)
X86_SIMPLE_OPS(vf32, float, _mm256, ps)

/* NaN tracking: a lane of `seen` gets all bits set once a or b was NaN there. */
#define AVX2_NAN_OPS(V, S)                                                                         \
    static inline V V##_mark_unordered(V seen, V a, V b)                                           \
    {                                                                                              \
        return _mm256_or_##S(seen, _mm256_cmp_##S(a, b, _CMP_UNORD_Q));                            \
    }                                                                                              \
    static inline int V##_any_marked(V seen) { return _mm256_movemask_##S(seen) != 0; }            \
    static inline int V##_any_equal(V a, V b)                                                      \
    {                                                                                              \
        return _mm256_movemask_##S(_mm256_cmp_##S(a, b, _CMP_EQ_OQ)) != 0;                         \
    }
AVX2_NAN_OPS(vf64, pd)
AVX2_NAN_OPS(vf32, ps)

static inline vf64 vf64_load_partial(const double *p, int64_t count)
{
    return _mm256_maskload_pd(p, lane_mask_64(count));
}
static inline void vf64_store_partial(double *p, vf64 v, int64_t count)
{
    _mm256_maskstore_pd(p, lane_mask_64(count), v);
}
static inline double vf64_sum_lanes(vf64 v)
{
    __m128d half = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(half, _mm_unpackhi_pd(half, half)));
}

static inline vf32 vf32_load_partial(const float *p, int64_t count)
{
    return _mm256_maskload_ps(p, lane_mask_32(count));
}
static inline void vf32_store_partial(float *p, vf32 v, int64_t count)
{
    _mm256_maskstore_ps(p, lane_mask_32(count), v);
}
static inline float vf32_sum_lanes(vf32 v)
{
    __m128 half = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    __m128 quarter = _mm_add_ps(half, _mm_movehl_ps(half, half));
    return _mm_cvtss_f32(_mm_add_ss(quarter, _mm_movehdup_ps(quarter)));
}

/* The lanes in reverse order (a permute: bits are moved, never computed on). */
static inline vf64 vf64_reversed(vf64 v) { return _mm256_permute4x64_pd(v, 0x1B); }
static inline vf32 vf32_reversed(vf32 v)
{
    return _mm256_permutevar8x32_ps(v, _mm256_set_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* The strided loads: lane l is p[first + l*k] (2 <= k <= 4, 0 <= first < k), read from the k
 * vectors p[0 .. k*LANES) alone. Every 2nd element is one in-lane shuffle and one cross-lane
 * permute; otherwise each vector is permuted so that the lanes found in it line up, and blended
 * into place. Gather instructions would do it in one, but run slower than a scalar loop on some
 * cores. */
static inline vf32 every_by_blends(const float *p, int k, __m256i element)
{
    vf32 lanes = _mm256_permutevar8x32_ps(_mm256_loadu_ps(p), element);
    for (int j = 1; j < k; j++) {
        __m256i in_j = _mm256_cmpeq_epi32(_mm256_srli_epi32(element, 3), _mm256_set1_epi32(j));
        vf32 from_j = _mm256_permutevar8x32_ps(_mm256_loadu_ps(p + 8 * j), element);
        lanes = _mm256_blendv_ps(lanes, from_j, _mm256_castsi256_ps(in_j));
    }
    return lanes;
}
static inline vf64 vf64_load_every(const double *p, int k, int first)
{
    if (k == 2) {
        __m256d v0 = _mm256_loadu_pd(p), v1 = _mm256_loadu_pd(p + 4);
        __m256d pairs = first == 0 ? _mm256_unpacklo_pd(v0, v1) : _mm256_unpackhi_pd(v0, v1);
        return _mm256_permute4x64_pd(pairs, _MM_SHUFFLE(3, 1, 2, 0));
    }
    /* As float32 pairs: the two halves of element e are floats 2e and 2e + 1. */
    const __m256i doubles = _mm256_add_epi32(
        _mm256_mullo_epi32(_mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3), _mm256_set1_epi32(k)),
        _mm256_set1_epi32(first));
    const __m256i element =
        _mm256_add_epi32(_mm256_slli_epi32(doubles, 1), _mm256_setr_epi32(0, 1, 0, 1, 0, 1, 0, 1));
    return _mm256_castps_pd(every_by_blends((const float *)p, k, element));
}
static inline vf32 vf32_load_every(const float *p, int k, int first)
{
    if (k == 2) {
        __m256 v0 = _mm256_loadu_ps(p), v1 = _mm256_loadu_ps(p + 8);
        __m256 quads = first == 0 ? _mm256_shuffle_ps(v0, v1, _MM_SHUFFLE(2, 0, 2, 0))
                                  : _mm256_shuffle_ps(v0, v1, _MM_SHUFFLE(3, 1, 3, 1));
        return _mm256_castpd_ps(
            _mm256_permute4x64_pd(_mm256_castps_pd(quads), _MM_SHUFFLE(3, 1, 2, 0)));
    }
    const __m256i element = _mm256_add_epi32(
        _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(k)),
        _mm256_set1_epi32(first));
    return every_by_blends(p, k, element);
}

/* The first `count` (1..LANES) lanes of vf*_load_every(p, k, 0), `fill` in the others, reading
 * only those elements: a masked gather (slow, but for a row's few elements only). */
static inline vf64 vf64_load_every_partial(const double *p, int k, int64_t count, double fill)
{
    const __m128i index = _mm_mullo_epi32(_mm_setr_epi32(0, 1, 2, 3), _mm_set1_epi32(k));
    return _mm256_mask_i32gather_pd(_mm256_set1_pd(fill), p, index,
                                    _mm256_castsi256_pd(lane_mask_64(count)), sizeof(double));
}
static inline vf32 vf32_load_every_partial(const float *p, int k, int64_t count, float fill)
{
    const __m256i index = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                             _mm256_set1_epi32(k));
    return _mm256_mask_i32gather_ps(_mm256_set1_ps(fill), p, index,
                                    _mm256_castsi256_ps(lane_mask_32(count)), sizeof(float));
}

#elif defined(RP_SIMD_NEON)
/* ===================================================================== aarch64 NEON */
#include <arm_neon.h>
#define RP_SIMD_SUFFIX neon
#define RP_SIMD_NAME "neon"

typedef float64x2_t vf64;
typedef float32x4_t vf32;
/* No non-temporal vector store worth having here: streaming requests use plain stores. */
enum { VF64_LANES = 2, VF32_LANES = 4, VECTOR_BYTES = 16, HAS_STREAM = 0 };

static inline void stream_fence(void) {}

/* The operations for vector type V of element type T (S: the intrinsics' suffix, f64 or f32).
 * V_stream is a plain store. NEON has no masked memory access: partial vectors go through a
 * small zeroed buffer. */
#define NEON_OPS(V, T, S)                                                                          \
    static inline V V##_load(const T *p) { return vld1q_##S(p); }                                 \
    static inline void V##_store(T *p, V v) { vst1q_##S(p, v); }                                  \
    static inline void V##_stream(T *p, V v) { vst1q_##S(p, v); }                                 \
    static inline V V##_set1(T x) { return vdupq_n_##S(x); }                                      \
    static inline V V##_zero(void) { return vdupq_n_##S(0); }                                     \
    static inline V V##_add(V a, V b) { return vaddq_##S(a, b); }                                 \
    static inline V V##_mul(V a, V b) { return vmulq_##S(a, b); }                                 \
    static inline V V##_load_partial(const T *p, int64_t count)                                   \
    {                                                                                              \
        T lanes[VECTOR_BYTES / sizeof(T)] = {0};                                                   \
        memcpy(lanes, p, (size_t)count * sizeof(T));                                               \
        return vld1q_##S(lanes);                                                                   \
    }                                                                                              \
    static inline void V##_store_partial(T *p, V v, int64_t count)                                \
    {                                                                                              \
        T lanes[VECTOR_BYTES / sizeof(T)];                                                         \
        vst1q_##S(lanes, v);                                                                       \
        memcpy(p, lanes, (size_t)count * sizeof(T));                                               \
    }
NEON_OPS(vf64, double, f64)
NEON_OPS(vf32, float, f32)

/* a > b ? a : b and a < b ? a : b, lane by lane (b on ties and NaN), as x86's max and min;
 * NEON's own max and min differ (they return a NaN operand), so these compare and select. */
#define NEON_PICK_OPS(V, S)                                                                        \
    static inline V V##_larger(V a, V b) { return vbslq_##S(vcgtq_##S(a, b), a, b); }             \
    static inline V V##_smaller(V a, V b) { return vbslq_##S(vcltq_##S(a, b), a, b); }
NEON_PICK_OPS(vf64, f64)
NEON_PICK_OPS(vf32, f32)

/* NaN tracking: a lane of `seen` gets all bits set once a or b was NaN there (the equality
 * compares are quiet: a NaN raises no condition). */
static inline vf64 vf64_mark_unordered(vf64 seen, vf64 a, vf64 b)
{
    uint64x2_t ordered = vandq_u64(vceqq_f64(a, a), vceqq_f64(b, b));
    uint64x2_t marked = vorrq_u64(vreinterpretq_u64_f64(seen), veorq_u64(ordered,
                                                                           vdupq_n_u64(~0ull)));
    return vreinterpretq_f64_u64(marked);
}
static inline int vf64_any_marked(vf64 seen)
{
    return vmaxvq_u32(vreinterpretq_u32_f64(seen)) != 0;
}
static inline vf32 vf32_mark_unordered(vf32 seen, vf32 a, vf32 b)
{
    uint32x4_t ordered = vandq_u32(vceqq_f32(a, a), vceqq_f32(b, b));
    return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(seen), vmvnq_u32(ordered)));
}
static inline int vf32_any_marked(vf32 seen)
{
    return vmaxvq_u32(vreinterpretq_u32_f32(seen)) != 0;
}
static inline int vf64_any_equal(vf64 a, vf64 b)
{
    return vmaxvq_u32(vreinterpretq_u32_u64(vceqq_f64(a, b))) != 0;
}
static inline int vf32_any_equal(vf32 a, vf32 b) { return vmaxvq_u32(vceqq_f32(a, b)) != 0; }

/* Bitwise and (no arithmetic: raises no floating-point condition). */
static inline vf64 vf64_and(vf64 a, vf64 b)
{
    return vreinterpretq_f64_u64(vandq_u64(vreinterpretq_u64_f64(a), vreinterpretq_u64_f64(b)));
}
static inline vf32 vf32_and(vf32 a, vf32 b)
{
    return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b)));
}

/* The lanes in reverse order (bits are moved, never computed on). */
static inline vf64 vf64_reversed(vf64 v) { return vextq_f64(v, v, 1); }
static inline vf32 vf32_reversed(vf32 v)
{
    float32x4_t pairs = vrev64q_f32(v); /* l1 l0 l3 l2 */
    return vextq_f32(pairs, pairs, 2);  /* l3 l2 l1 l0 */
}

/* The strided loads: lane l is p[first + l*k] (2 <= k <= 4, 0 <= first < k), read from the k
 * vectors p[0 .. k*LANES) alone by one de-interleaving load (vld2q, vld3q, vld4q), which splits
 * them into k vectors of every k-th element. */
#define NEON_LOAD_EVERY(V, T, S)                                                                   \
    static inline V V##_load_every(const T *p, int k, int first)                                  \
    {                                                                                              \
        if (k == 2) {                                                                              \
            return vld2q_##S(p).val[first];                                                        \
        }                                                                                          \
        if (k == 3) {                                                                              \
            return vld3q_##S(p).val[first];                                                        \
        }                                                                                          \
        return vld4q_##S(p).val[first];                                                            \
    }
NEON_LOAD_EVERY(vf64, double, f64)
NEON_LOAD_EVERY(vf32, float, f32)

/* The first `count` (1..LANES) lanes of V_load_every(p, k, 0), `fill` in the others, reading only
 * those elements: through a small buffer. */
#define NEON_LOAD_EVERY_PARTIAL(V, T, S)                                                           \
    static inline V V##_load_every_partial(const T *p, int k, int64_t count, T fill)              \
    {                                                                                              \
        T lanes[VECTOR_BYTES / sizeof(T)];                                                         \
        for (int64_t l = 0; l < (int64_t)(VECTOR_BYTES / sizeof(T)); l++) {                        \
            lanes[l] = fill;                                                                       \
        }                                                                                          \
        for (int64_t l = 0; l < count; l++) {                                                      \
            memcpy(&lanes[l], p + l * k, sizeof(T));                                               \
        }                                                                                          \
        return vld1q_##S(lanes);                                                                   \
    }
NEON_LOAD_EVERY_PARTIAL(vf64, double, f64)
NEON_LOAD_EVERY_PARTIAL(vf32, float, f32)

static inline double vf64_sum_lanes(vf64 v) { return vaddvq_f64(v); }

static inline float vf32_sum_lanes(vf32 v)
{
    /* Pairwise: (l0 + l2) + (l1 + l3). */
    float32x2_t half = vadd_f32(vget_low_f32(v), vget_high_f32(v));
    return vget_lane_f32(vpadd_f32(half, half), 0);
}

#else
#error "compile a SIMD kernel source with exactly one of RP_SIMD_AVX2, RP_SIMD_AVX512, RP_SIMD_NEON"
#endif

/* The operations above under one name for both element types, chosen at compile time by the
 * type of an argument (of the element a pointer points to, for memory operations), so that one
 * kernel body serves float64 and float32: vec_add(a, b) is vf64_add for vf64 operands. */
#define VEC_LANES(T) ((int)(VECTOR_BYTES / sizeof(T)))
#define vec_zero(T) _Generic((T)0, double: vf64_zero, float: vf32_zero)()
#define vec_set1(x) _Generic((x), double: vf64_set1, float: vf32_set1)(x)
#define vec_add(a, b) _Generic((a), vf64: vf64_add, vf32: vf32_add)(a, b)
#define vec_mul(a, b) _Generic((a), vf64: vf64_mul, vf32: vf32_mul)(a, b)
#define vec_and(a, b) _Generic((a), vf64: vf64_and, vf32: vf32_and)(a, b)
#define vec_larger(a, b) _Generic((a), vf64: vf64_larger, vf32: vf32_larger)(a, b)
#define vec_smaller(a, b) _Generic((a), vf64: vf64_smaller, vf32: vf32_smaller)(a, b)
#define vec_mark_unordered(seen, a, b)                                                             \
    _Generic((seen), vf64: vf64_mark_unordered, vf32: vf32_mark_unordered)(seen, a, b)
#define vec_any_marked(seen) _Generic((seen), vf64: vf64_any_marked, vf32: vf32_any_marked)(seen)
#define vec_any_equal(a, b) _Generic((a), vf64: vf64_any_equal, vf32: vf32_any_equal)(a, b)
#define vec_sum_lanes(v) _Generic((v), vf64: vf64_sum_lanes, vf32: vf32_sum_lanes)(v)
#define vec_load(p) _Generic(*(p), double: vf64_load, float: vf32_load)(p)
#define vec_store(p, v) _Generic(*(p), double: vf64_store, float: vf32_store)(p, v)
#define vec_stream(p, v) _Generic(*(p), double: vf64_stream, float: vf32_stream)(p, v)
#define vec_reversed(v) _Generic((v), vf64: vf64_reversed, vf32: vf32_reversed)(v)
#define vec_load_every(p, k, first)                                                                \
    _Generic(*(p), double: vf64_load_every, float: vf32_load_every)(p, k, first)
#define vec_load_every_partial(p, k, count, fill)                                                  \
    _Generic(*(p), double: vf64_load_every_partial, float: vf32_load_every_partial)(p, k, count,  \
                                                                                    fill)
#define vec_load_partial(p, count)                                                                 \
    _Generic(*(p), double: vf64_load_partial, float: vf32_load_partial)(p, count)
#define vec_store_partial(p, v, count)                                                             \
    _Generic(*(p), double: vf64_store_partial, float: vf32_store_partial)(p, v, count)

#endif
