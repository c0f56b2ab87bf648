/*
 * shape.c — shape arithmetic: checked sizes, broadcasting, contiguity tests, formatting.
 *
 * Every size that later becomes an allocation goes through rp_shape_size, which refuses
 * products that overflow instead of wrapping to a small number.
 */
#include "raptors/raptors.h"

#include <stdio.h>

rp_status rp_shape_size(int ndim, const int64_t *shape, size_t itemsize, int64_t *out_size)
{
    if (ndim < 0 || ndim > RP_MAXDIMS) {
        return rp_error(RP_ERR_VALUE, "maximum supported dimension for an ndarray is %d, found %d",
                        RP_MAXDIMS, ndim);
    }
    int64_t size = 1;
    bool has_zero = false;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) {
            return rp_error(RP_ERR_VALUE, "negative dimensions are not allowed");
        }
        if (shape[i] == 0) {
            has_zero = true;
        }
    }
    /* With a zero extent the size is 0, but NumPy still rejects shapes whose other extents
     * overflow, so multiply the non-zero extents regardless. */
    for (int i = 0; i < ndim; i++) {
        int64_t extent = shape[i] == 0 ? 1 : shape[i];
        if (__builtin_mul_overflow(size, extent, &size)) {
            return rp_error(RP_ERR_OVERFLOW, "array is too big; `arr.size * arr.dtype.itemsize` "
                                             "is larger than the maximum possible size.");
        }
    }
    int64_t nbytes;
    if (__builtin_mul_overflow(size, (int64_t)(itemsize ? itemsize : 1), &nbytes) ||
        (uint64_t)nbytes > (uint64_t)PTRDIFF_MAX) {
        return rp_error(RP_ERR_OVERFLOW, "array is too big; `arr.size * arr.dtype.itemsize` is "
                                         "larger than the maximum possible size.");
    }
    *out_size = has_zero ? 0 : size;
    return RP_OK;
}

const char *rp_format_shape(int ndim, const int64_t *shape, char *buf, size_t buflen)
{
    size_t used = 0;
    buf[0] = '\0';
    used += (size_t)snprintf(buf, buflen, "(");
    for (int i = 0; i < ndim && used < buflen; i++) {
        used += (size_t)snprintf(buf + used, buflen - used, "%s%lld", i ? ", " : "",
                                 (long long)shape[i]);
    }
    if (used < buflen) {
        snprintf(buf + used, buflen - used, ndim == 1 ? ",)" : ")");
    }
    return buf;
}

rp_status rp_broadcast_shapes(int ndim_a, const int64_t *shape_a, int ndim_b,
                              const int64_t *shape_b, int *out_ndim, int64_t *out_shape)
{
    int ndim = ndim_a > ndim_b ? ndim_a : ndim_b;
    int64_t result[RP_MAXDIMS];
    for (int i = 0; i < ndim; i++) {
        int ia = i - (ndim - ndim_a), ib = i - (ndim - ndim_b);
        int64_t ea = ia >= 0 ? shape_a[ia] : 1;
        int64_t eb = ib >= 0 ? shape_b[ib] : 1;
        if (ea == eb || eb == 1) {
            result[i] = ea;
        } else if (ea == 1) {
            result[i] = eb;
        } else {
            char sa[256], sb[256];
            return rp_error(RP_ERR_VALUE,
                            "operands could not be broadcast together with shapes %s %s",
                            rp_format_shape(ndim_a, shape_a, sa, sizeof sa),
                            rp_format_shape(ndim_b, shape_b, sb, sizeof sb));
        }
    }
    for (int i = 0; i < ndim; i++) {
        out_shape[i] = result[i];
    }
    *out_ndim = ndim;
    return RP_OK;
}

int64_t rp_array_size(const rp_array *array)
{
    int64_t size = 1;
    for (int i = 0; i < array->ndim; i++) {
        size *= array->shape[i];
    }
    return size;
}

size_t rp_array_itemsize(const rp_array *array) { return rp_dtype_size(array->dtype); }

/* Contiguity ignores the strides of extent-1 axes and anything about empty arrays, as NumPy. */
static bool is_contiguous_in_order(const rp_array *a, bool c_order)
{
    int64_t expected = (int64_t)rp_dtype_size(a->dtype);
    for (int k = 0; k < a->ndim; k++) {
        if (a->shape[k] == 0) {
            return true;
        }
    }
    for (int k = 0; k < a->ndim; k++) {
        int i = c_order ? a->ndim - 1 - k : k;
        if (a->shape[i] != 1) {
            if (a->strides[i] != expected) {
                return false;
            }
            expected *= a->shape[i];
        }
    }
    return true;
}

bool rp_array_is_c_contiguous(const rp_array *array) { return is_contiguous_in_order(array, true); }

bool rp_array_is_f_contiguous(const rp_array *array)
{
    return is_contiguous_in_order(array, false);
}

/* The byte range [lo, hi) an array can touch. */
static void array_extent(const rp_array *a, const char **lo, const char **hi)
{
    const char *low = a->data, *high = a->data;
    for (int i = 0; i < a->ndim; i++) {
        if (a->shape[i] == 0) {
            *lo = *hi = a->data;
            return;
        }
        int64_t span = a->strides[i] * (a->shape[i] - 1);
        if (span < 0) {
            low += span;
        } else {
            high += span;
        }
    }
    *lo = low;
    *hi = high + rp_dtype_size(a->dtype);
}

bool rp_arrays_may_overlap(const rp_array *a, const rp_array *b)
{
    const char *alo, *ahi, *blo, *bhi;
    array_extent(a, &alo, &ahi);
    array_extent(b, &blo, &bhi);
    if (alo == ahi || blo == bhi) {
        return false;
    }
    return alo < bhi && blo < ahi;
}

void rp_array_memory_order(const rp_array *a, int *axes)
{
    /* Stable insertion sort on |stride|, largest first; RP_MAXDIMS is small. */
    for (int i = 0; i < a->ndim; i++) {
        int axis = i, j = i;
        int64_t stride = a->strides[axis] < 0 ? -a->strides[axis] : a->strides[axis];
        while (j > 0) {
            int64_t before = a->strides[axes[j - 1]];
            if ((before < 0 ? -before : before) >= stride) {
                break;
            }
            axes[j] = axes[j - 1];
            j--;
        }
        axes[j] = axis;
    }
}
