/*
 * simd_vec.h — the few vector operations the SIMD kernels need, for the one target being built.
 *
 * Each per-ISA kernel source is compiled once per target with exactly one of RP_SIMD_AVX2,
 * RP_SIMD_AVX512 or RP_SIMD_NEON defined (and that target's compiler flags); this header maps
 * the kernel's vocabulary (vf64_load, vf32_add, ...) onto that target's intrinsics as small
 * static inline functions, and gives the target's entry points their suffixed names through
 * RP_SIMD_FN. Loads and stores are unaligned-safe; partial ones touch only `count` lanes;
 * vf*_stream stores bypass the caches where the target can (HAS_STREAM) and need an address
 * aligned to VECTOR_BYTES, and stream_fence orders them before later stores.
 */
#ifndef RAPTORS_KERNELS_SIMD_VEC_H
#define RAPTORS_KERNELS_SIMD_VEC_H

#include <stdint.h>
#include <string.h>

#define RP_SIMD_JOIN2(name, suffix) name##_##suffix
#define RP_SIMD_JOIN(name, suffix) RP_SIMD_JOIN2(name, suffix)
/* The target's version of an entry point: RP_SIMD_FN(rp_kernels_fill) -> rp_kernels_fill_avx2. */
#define RP_SIMD_FN(name) RP_SIMD_JOIN(name, RP_SIMD_SUFFIX)

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

static inline vf64 vf64_load(const double *p) { return _mm512_loadu_pd(p); }
static inline void vf64_store(double *p, vf64 v) { _mm512_storeu_pd(p, v); }
static inline vf64 vf64_set1(double x) { return _mm512_set1_pd(x); }
static inline vf64 vf64_zero(void) { return _mm512_setzero_pd(); }
static inline vf64 vf64_add(vf64 a, vf64 b) { return _mm512_add_pd(a, b); }
static inline vf64 vf64_mul(vf64 a, vf64 b) { return _mm512_mul_pd(a, b); }
static inline vf64 vf64_load_partial(const double *p, int64_t count)
{
    return _mm512_maskz_loadu_pd((__mmask8)((1u << count) - 1), p);
}
static inline void vf64_store_partial(double *p, vf64 v, int64_t count)
{
    _mm512_mask_storeu_pd(p, (__mmask8)((1u << count) - 1), v);
}
/* Non-temporal store; p must be aligned to VECTOR_BYTES. */
static inline void vf64_stream(double *p, vf64 v) { _mm512_stream_pd(p, v); }
static inline double vf64_sum_lanes(vf64 v)
{
    __m256d half = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
    __m128d quarter = _mm_add_pd(_mm256_castpd256_pd128(half), _mm256_extractf128_pd(half, 1));
    return _mm_cvtsd_f64(_mm_add_sd(quarter, _mm_unpackhi_pd(quarter, quarter)));
}

static inline vf32 vf32_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void vf32_store(float *p, vf32 v) { _mm512_storeu_ps(p, v); }
static inline vf32 vf32_set1(float x) { return _mm512_set1_ps(x); }
static inline vf32 vf32_zero(void) { return _mm512_setzero_ps(); }
static inline vf32 vf32_add(vf32 a, vf32 b) { return _mm512_add_ps(a, b); }
static inline vf32 vf32_mul(vf32 a, vf32 b) { return _mm512_mul_ps(a, b); }
static inline vf32 vf32_load_partial(const float *p, int64_t count)
{
    return _mm512_maskz_loadu_ps((__mmask16)((1u << count) - 1), p);
}
static inline void vf32_store_partial(float *p, vf32 v, int64_t count)
{
    _mm512_mask_storeu_ps(p, (__mmask16)((1u << count) - 1), v);
}
static inline void vf32_stream(float *p, vf32 v) { _mm512_stream_ps(p, v); }
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

static inline vf64 vf64_load(const double *p) { return _mm256_loadu_pd(p); }
static inline void vf64_store(double *p, vf64 v) { _mm256_storeu_pd(p, v); }
static inline vf64 vf64_set1(double x) { return _mm256_set1_pd(x); }
static inline vf64 vf64_zero(void) { return _mm256_setzero_pd(); }
static inline vf64 vf64_add(vf64 a, vf64 b) { return _mm256_add_pd(a, b); }
static inline vf64 vf64_mul(vf64 a, vf64 b) { return _mm256_mul_pd(a, b); }
static inline vf64 vf64_load_partial(const double *p, int64_t count)
{
    return _mm256_maskload_pd(p, lane_mask_64(count));
}
static inline void vf64_store_partial(double *p, vf64 v, int64_t count)
{
    _mm256_maskstore_pd(p, lane_mask_64(count), v);
}
static inline void vf64_stream(double *p, vf64 v) { _mm256_stream_pd(p, v); }
static inline double vf64_sum_lanes(vf64 v)
{
    __m128d half = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(half, _mm_unpackhi_pd(half, half)));
}

static inline vf32 vf32_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void vf32_store(float *p, vf32 v) { _mm256_storeu_ps(p, v); }
static inline vf32 vf32_set1(float x) { return _mm256_set1_ps(x); }
static inline vf32 vf32_zero(void) { return _mm256_setzero_ps(); }
static inline vf32 vf32_add(vf32 a, vf32 b) { return _mm256_add_ps(a, b); }
static inline vf32 vf32_mul(vf32 a, vf32 b) { return _mm256_mul_ps(a, b); }
static inline vf32 vf32_load_partial(const float *p, int64_t count)
{
    return _mm256_maskload_ps(p, lane_mask_32(count));
}
static inline void vf32_store_partial(float *p, vf32 v, int64_t count)
{
    _mm256_maskstore_ps(p, lane_mask_32(count), v);
}
static inline void vf32_stream(float *p, vf32 v) { _mm256_stream_ps(p, v); }
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

static inline vf64 vf64_load(const double *p) { return vld1q_f64(p); }
static inline void vf64_store(double *p, vf64 v) { vst1q_f64(p, v); }
static inline vf64 vf64_set1(double x) { return vdupq_n_f64(x); }
static inline vf64 vf64_zero(void) { return vdupq_n_f64(0.0); }
static inline vf64 vf64_add(vf64 a, vf64 b) { return vaddq_f64(a, b); }
static inline vf64 vf64_mul(vf64 a, vf64 b) { return vmulq_f64(a, b); }
/* NEON has no masked memory access: partial vectors go through a small zeroed buffer. */
static inline vf64 vf64_load_partial(const double *p, int64_t count)
{
    double lanes[VF64_LANES] = {0};
    memcpy(lanes, p, (size_t)count * sizeof(double));
    return vld1q_f64(lanes);
}
static inline void vf64_store_partial(double *p, vf64 v, int64_t count)
{
    double lanes[VF64_LANES];
    vst1q_f64(lanes, v);
    memcpy(p, lanes, (size_t)count * sizeof(double));
}
static inline void vf64_stream(double *p, vf64 v) { vst1q_f64(p, v); }
static inline double vf64_sum_lanes(vf64 v) { return vaddvq_f64(v); }

static inline vf32 vf32_load(const float *p) { return vld1q_f32(p); }
static inline void vf32_store(float *p, vf32 v) { vst1q_f32(p, v); }
static inline vf32 vf32_set1(float x) { return vdupq_n_f32(x); }
static inline vf32 vf32_zero(void) { return vdupq_n_f32(0.0f); }
static inline vf32 vf32_add(vf32 a, vf32 b) { return vaddq_f32(a, b); }
static inline vf32 vf32_mul(vf32 a, vf32 b) { return vmulq_f32(a, b); }
static inline vf32 vf32_load_partial(const float *p, int64_t count)
{
    float lanes[VF32_LANES] = {0};
    memcpy(lanes, p, (size_t)count * sizeof(float));
    return vld1q_f32(lanes);
}
static inline void vf32_store_partial(float *p, vf32 v, int64_t count)
{
    float lanes[VF32_LANES];
    vst1q_f32(lanes, v);
    memcpy(p, lanes, (size_t)count * sizeof(float));
}
static inline void vf32_stream(float *p, vf32 v) { vst1q_f32(p, v); }
static inline float vf32_sum_lanes(vf32 v)
{
    /* Pairwise: (l0 + l2) + (l1 + l3). */
    float32x2_t half = vadd_f32(vget_low_f32(v), vget_high_f32(v));
    return vget_lane_f32(vpadd_f32(half, half), 0);
}

#else
#error "compile a SIMD kernel source with exactly one of RP_SIMD_AVX2, RP_SIMD_AVX512, RP_SIMD_NEON"
#endif

#endif
