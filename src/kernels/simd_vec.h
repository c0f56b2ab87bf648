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
 * `count` lanes; vf*_stream stores bypass the caches where the target can (HAS_STREAM) and need
 * an address aligned to VECTOR_BYTES, and stream_fence orders them before later stores.
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
    static inline V V##_and(V a, V b) { return W##_and_##S(a, b); }
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

/* Bitwise and (no arithmetic: raises no floating-point condition). */
static inline vf64 vf64_and(vf64 a, vf64 b)
{
    return vreinterpretq_f64_u64(vandq_u64(vreinterpretq_u64_f64(a), vreinterpretq_u64_f64(b)));
}
static inline vf32 vf32_and(vf32 a, vf32 b)
{
    return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b)));
}

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
#define vec_sum_lanes(v) _Generic((v), vf64: vf64_sum_lanes, vf32: vf32_sum_lanes)(v)
#define vec_load(p) _Generic(*(p), double: vf64_load, float: vf32_load)(p)
#define vec_store(p, v) _Generic(*(p), double: vf64_store, float: vf32_store)(p, v)
#define vec_stream(p, v) _Generic(*(p), double: vf64_stream, float: vf32_stream)(p, v)
#define vec_load_partial(p, count)                                                                 \
    _Generic(*(p), double: vf64_load_partial, float: vf32_load_partial)(p, count)
#define vec_store_partial(p, v, count)                                                             \
    _Generic(*(p), double: vf64_store_partial, float: vf32_store_partial)(p, v, count)

#endif
