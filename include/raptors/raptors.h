/*
 * raptors.h — the public C API of the Raptors array core.
 *
 * Everything a C program needs to create, view, copy and compute on strided N-dimensional arrays
 * without Python. The CPython extension is only one client of this header. Conventions:
 *   - every fallible function returns rp_status; RP_OK is 0. On error *out is left untouched and
 *     rp_last_error() holds a human-readable message for the calling thread.
 *   - arrays are heap objects owned by the caller (free with rp_array_free). Views share the data
 *     through a reference-counted rp_buffer, so a view keeps its memory alive on its own.
 *   - strides are in bytes and may be negative or zero; shapes are int64_t and never negative.
 *   - nothing here aborts or exits; invariants are checked with assert().
 */
#ifndef RAPTORS_RAPTORS_H
#define RAPTORS_RAPTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RP_MAXDIMS 32

/* ===================================================================== status codes */

typedef enum rp_status {
    RP_OK = 0,
    RP_ERR_NOMEM,     /* allocation failed (MemoryError) */
    RP_ERR_VALUE,     /* bad value: shapes that do not match, bad sizes (ValueError) */
    RP_ERR_TYPE,      /* unsupported dtype or operation for a dtype (TypeError) */
    RP_ERR_INDEX,     /* index out of range, too many indices (IndexError) */
    RP_ERR_AXIS,      /* axis out of range (numpy AxisError: ValueError and IndexError) */
    RP_ERR_OVERFLOW,  /* a size computation overflowed (ValueError in NumPy's wording) */
    RP_ERR_READONLY,  /* write to a read-only array (ValueError) */
    RP_ERR_INTERNAL,  /* a broken invariant that was caught rather than asserted */
    RP_ERR_OUT_OF_RANGE /* a value does not fit the dtype it must take (OverflowError) */
} rp_status;

/* The message recorded by the last failing call on this thread ("" if none). */
const char *rp_last_error(void);
/* The generic name of a status code ("out of memory", ...). Never NULL. */
const char *rp_status_name(rp_status status);
/* Records a formatted message for this thread and returns `status`, so a caller can write
 * `return rp_error(RP_ERR_VALUE, "bad shape %d", n);`. */
rp_status rp_error(rp_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ===================================================================== dtypes */

typedef enum rp_dtype {
    RP_BOOL = 0,
    RP_INT32,
    RP_INT64,
    RP_FLOAT32,
    RP_FLOAT64,
    RP_NTYPES
} rp_dtype;

/* Bytes per element. */
size_t rp_dtype_size(rp_dtype dtype);
/* NumPy's name for the dtype ("bool", "int32", ...); "?" for an invalid code. */
const char *rp_dtype_name(rp_dtype dtype);
/* Looks a dtype up by NumPy name; returns false if the name is unknown. */
bool rp_dtype_from_name(const char *name, rp_dtype *out);
bool rp_dtype_is_float(rp_dtype dtype);
bool rp_dtype_is_integer(rp_dtype dtype);

/* NumPy's promote_types for two dtypes (e.g. int32 + float32 -> float64). */
rp_dtype rp_dtype_promote(rp_dtype a, rp_dtype b);

/* A typed scalar, used to fill arrays and to pass Python scalars into computations. */
typedef struct rp_scalar {
    rp_dtype dtype;
    union {
        bool b;
        int32_t i32;
        int64_t i64;
        float f32;
        double f64;
    } value;
} rp_scalar;

/* `in` converted to `to` with NumPy's unsafe-cast rules. */
void rp_scalar_cast(const rp_scalar *in, rp_dtype to, rp_scalar *out);

/* ===================================================================== buffers */

/* A reference-counted block of memory that arrays point into. Opaque. */
typedef struct rp_buffer rp_buffer;

/* Called once when the last reference to a wrapped buffer goes away. */
typedef void (*rp_release_fn)(void *context);

/* A new owned, 64-byte aligned, uninitialised buffer of `nbytes` (0 is allowed). */
rp_status rp_buffer_new(size_t nbytes, rp_buffer **out);
/* Wraps foreign memory; `release(context)` runs when the last reference is dropped.
 * `release` may be NULL for memory that outlives every array. */
rp_status rp_buffer_wrap(void *data, size_t nbytes, rp_release_fn release, void *context,
                         rp_buffer **out);
void rp_buffer_incref(rp_buffer *buffer);
void rp_buffer_decref(rp_buffer *buffer);
void *rp_buffer_data(const rp_buffer *buffer);
size_t rp_buffer_size(const rp_buffer *buffer);
/* Number of owned (not wrapped) buffers alive in this process: a leak detector for tests. */
int64_t rp_buffer_live_count(void);
/* Number of wrapped buffers (foreign memory) alive in this process: the same, for imports. */
int64_t rp_buffer_wrapped_live_count(void);

/* ===================================================================== arrays */

enum {
    RP_ARRAY_WRITEABLE = 1 << 0,
    RP_ARRAY_OWNDATA = 1 << 1        /* set only by rp_array_empty: the header that allocated */
};

typedef struct rp_array {
    char *data;                      /* address of element [0, 0, ...] */
    rp_dtype dtype;
    int ndim;
    int flags;                       /* RP_ARRAY_* bits */
    int64_t shape[RP_MAXDIMS];
    int64_t strides[RP_MAXDIMS];     /* bytes; may be negative or zero */
    rp_buffer *buffer;               /* owner of the memory; one reference held */
} rp_array;

typedef enum rp_order { RP_ORDER_C = 0, RP_ORDER_F = 1 } rp_order;

/* Product of `shape`, checked: RP_ERR_OVERFLOW if it or its byte size exceeds the address space,
 * RP_ERR_VALUE for a negative extent. */
rp_status rp_shape_size(int ndim, const int64_t *shape, size_t itemsize, int64_t *out_size);

/* A new uninitialised array with its own buffer, C or Fortran ordered. */
rp_status rp_array_empty(rp_dtype dtype, int ndim, const int64_t *shape, rp_order order,
                         rp_array **out);
/* Same, with every element set to `fill` (cast to `dtype`). */
rp_status rp_array_full(rp_dtype dtype, int ndim, const int64_t *shape, const rp_scalar *fill,
                        rp_array **out);
/* An array over existing memory held by `buffer` (a reference is taken). The caller vouches that
 * every element addressed by data/shape/strides lies inside the buffer. */
rp_status rp_array_from_buffer(rp_buffer *buffer, char *data, rp_dtype dtype, int ndim,
                               const int64_t *shape, const int64_t *strides, int flags,
                               rp_array **out);
/* A new uninitialised array of a's shape in `dtype`, laid out in a's memory order (NumPy's
 * order='K'): axes follow rp_array_memory_order(a), each stepping forward through memory. */
rp_status rp_array_empty_like(const rp_array *a, rp_dtype dtype, rp_array **out);
/* Writes into axes[0..ndim) the permutation that orders a's axes by decreasing |stride| (ties
 * keep their order): the axis order in which NumPy's order='K' lays out and visits elements. */
void rp_array_memory_order(const rp_array *a, int *axes);

/* ----- filled creation (NumPy's arange, linspace, eye) */

/* NumPy's arange fill: a 1-D array of `length` elements where element 0 is `first` and element
 * 1 is `second` (each converted to dtype as rp_scalar_cast does), and element i >= 2 is
 * first + i * (second - first) evaluated in the dtype's own arithmetic (integers wrap). The
 * caller computes first = start, second = start + step and length = ceil((stop - start) / step)
 * in whatever precision its inputs have. Errors: RP_ERR_VALUE (negative length), RP_ERR_TYPE
 * (bool with length > 2, which has no arithmetic). `second` is ignored when length < 2. */
rp_status rp_array_arange(rp_dtype dtype, const rp_scalar *first, const rp_scalar *second,
                          int64_t length, rp_array **out);
/* NumPy's linspace: `num` values from start towards stop, computed in double as
 * start + i * step with step = (stop - start) / div, where div = num - 1 with `endpoint` and num
 * otherwise; when step underflows to 0 the value is start + (i / div) * (stop - start); with
 * div == 0 it is start + i * (stop - start). With `endpoint` and num > 1 the last value is stop
 * exactly. Integer dtypes take the floor before the (unsafe) cast. Errors: RP_ERR_VALUE
 * (num < 0). */
rp_status rp_array_linspace(rp_dtype dtype, double start, double stop, int64_t num,
                            bool endpoint, rp_array **out);
/* An n x m array, zero except for ones on diagonal k (k > 0 above the main diagonal, k < 0
 * below). Errors: RP_ERR_VALUE (negative n or m), RP_ERR_OVERFLOW. */
rp_status rp_array_eye(rp_dtype dtype, int64_t n, int64_t m, int64_t k, rp_order order,
                       rp_array **out);

/* Drops the array and its buffer reference. NULL is ignored. */
void rp_array_free(rp_array *array);

int64_t rp_array_size(const rp_array *array);
size_t rp_array_itemsize(const rp_array *array);
bool rp_array_is_c_contiguous(const rp_array *array);
bool rp_array_is_f_contiguous(const rp_array *array);
/* True if the two arrays may address a common byte (a cheap, conservative bounds test). */
bool rp_arrays_may_overlap(const rp_array *a, const rp_array *b);

/* ----- views: each returns a new header sharing a's buffer */

/* An identical view. */
rp_status rp_array_view(const rp_array *a, rp_array **out);
/* Axes permuted; `axes` NULL reverses them. Errors: RP_ERR_AXIS, RP_ERR_VALUE (not a permutation). */
rp_status rp_array_transpose(const rp_array *a, const int *axes, rp_array **out);
/* A view with a new shape if the strides allow it, otherwise sets *out to NULL and returns RP_OK;
 * one entry of `shape` may be -1. Errors: RP_ERR_VALUE when sizes differ. */
rp_status rp_array_reshape_view(const rp_array *a, int ndim, const int64_t *shape, rp_order order,
                                rp_array **out);
/* View when possible, copy otherwise (NumPy's reshape). */
rp_status rp_array_reshape(const rp_array *a, int ndim, const int64_t *shape, rp_order order,
                           rp_array **out);
/* The elements of a as a 1-D array read in `order`: a view when a is contiguous in that order,
 * otherwise a new contiguous copy (NumPy's ravel with order 'C' or 'F'). */
rp_status rp_array_ravel(const rp_array *a, rp_order order, rp_array **out);
/* A view with `shape`, broadcasting a's dimensions (zero strides). */
rp_status rp_array_broadcast_to(const rp_array *a, int ndim, const int64_t *shape, rp_array **out);

/* One item of a basic index: a[i], a[start:stop:step], a[...], a[None]. */
typedef enum rp_index_kind {
    RP_INDEX_INTEGER,
    RP_INDEX_SLICE,
    RP_INDEX_ELLIPSIS,
    RP_INDEX_NEWAXIS
} rp_index_kind;

typedef struct rp_index {
    rp_index_kind kind;
    int64_t integer;                 /* RP_INDEX_INTEGER: may be negative */
    int64_t start, stop, step;       /* RP_INDEX_SLICE; step != 0 */
    bool has_start, has_stop;        /* false means "omitted", as in a[:3] */
} rp_index;

/* The view selected by a basic index, NumPy semantics (negative integers count from the end,
 * slice bounds are clipped). Errors: RP_ERR_INDEX (out of range, too many indices, two
 * ellipses), RP_ERR_VALUE (zero step). */
rp_status rp_array_index(const rp_array *a, const rp_index *items, int nitems, rp_array **out);

/* ----- copies and casts */

/* A new array with a's values cast to `dtype`, laid out in `order`. */
rp_status rp_array_copy(const rp_array *a, rp_dtype dtype, rp_order order, rp_array **out);
/* Writes src into dst, broadcasting src to dst's shape and casting (unsafe casting, as NumPy's
 * assignment). As in NumPy, leading extent-1 axes of a src with more axes than dst are dropped
 * first. Handles overlapping memory. Errors: RP_ERR_VALUE (shapes), RP_ERR_READONLY. */
rp_status rp_array_assign(rp_array *dst, const rp_array *src);

/* What a cast met that NumPy reports as a RuntimeWarning ("... encountered in cast"); the same
 * bit values as RP_WARN_OVERFLOW and RP_WARN_INVALID in raptors/compute.h. */
enum {
    RP_CAST_OVERFLOW = 1 << 1,  /* a finite float64 became an infinite float32 */
    RP_CAST_INVALID = 1 << 2    /* a float had no integer value (NaN, infinity, out of range);
                                   the integer minimum was stored, as NumPy does on x86 */
};
/* rp_array_assign that also ORs the RP_CAST_* bits of what the cast met into *warnings. */
rp_status rp_array_assign_checked(rp_array *dst, const rp_array *src, int *warnings);
/* Sets every element of dst to `value` cast to dst's dtype. Errors: RP_ERR_READONLY. */
rp_status rp_array_fill(rp_array *dst, const rp_scalar *value);
/* Reads element `index` (a C-order flat position) as a scalar of the array's dtype. */
rp_status rp_array_get_flat(const rp_array *a, int64_t index, rp_scalar *out);

/* ----- broadcasting */

/* NumPy's broadcast of two shapes. Errors: RP_ERR_VALUE naming both shapes. */
rp_status rp_broadcast_shapes(int ndim_a, const int64_t *shape_a, int ndim_b,
                              const int64_t *shape_b, int *out_ndim, int64_t *out_shape);
/* Writes "(2, 3)" into buf (NumPy's tuple formatting) and returns buf. */
const char *rp_format_shape(int ndim, const int64_t *shape, char *buf, size_t buflen);

#ifdef __cplusplus
}
#endif

/* Threads, the buffer cache, SIMD selection and backend counters. */
#include "raptors/runtime.h"

#endif /* RAPTORS_RAPTORS_H */
