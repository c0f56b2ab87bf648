/*
 * array.c — array headers: creation, destruction and the views that only rewrite
 * shape/strides (view, transpose, reshape, broadcast_to).
 *
 * A header is cheap; the memory lives in an rp_buffer shared by every view of it.
 */
#include "raptors/raptors.h"

#include <stdlib.h>
#include <string.h>

/* A header pointing at `data` inside `buffer` (one reference taken). Shape/strides not set. */
static rp_status new_header(rp_buffer *buffer, char *data, rp_dtype dtype, int ndim, int flags,
                            rp_array **out)
{
    rp_array *array = malloc(sizeof *array);
    if (array == NULL) {
        return rp_error(RP_ERR_NOMEM, "cannot allocate an array header");
    }
    array->data = data;
    array->dtype = dtype;
    array->ndim = ndim;
    array->flags = flags;
    array->buffer = buffer;
    rp_buffer_incref(buffer);
    *out = array;
    return RP_OK;
}

/* Strides of a fresh contiguous array; extent-0 axes count as 1, as in NumPy. The shape must
 * have passed rp_shape_size, which bounds every product computed here. */
static void fill_contiguous_strides(int ndim, const int64_t *shape, size_t itemsize,
                                    rp_order order, int64_t *strides)
{
    int64_t stride = (int64_t)itemsize;
    for (int k = 0; k < ndim; k++) {
        int i = order == RP_ORDER_C ? ndim - 1 - k : k;
        strides[i] = stride;
        stride *= shape[i] > 0 ? shape[i] : 1;
    }
}

rp_status rp_array_empty(rp_dtype dtype, int ndim, const int64_t *shape, rp_order order,
                         rp_array **out)
{
    if ((unsigned)dtype >= RP_NTYPES) {
        return rp_error(RP_ERR_TYPE, "invalid dtype code %d", (int)dtype);
    }
    int64_t size;
    rp_status status = rp_shape_size(ndim, shape, rp_dtype_size(dtype), &size);
    if (status != RP_OK) {
        return status;
    }
    rp_buffer *buffer;
    status = rp_buffer_new((size_t)size * rp_dtype_size(dtype), &buffer);
    if (status != RP_OK) {
        return status;
    }
    rp_array *array = NULL;
    status = new_header(buffer, rp_buffer_data(buffer), dtype, ndim,
                        RP_ARRAY_WRITEABLE | RP_ARRAY_OWNDATA, &array);
    rp_buffer_decref(buffer); /* the header holds the only reference now */
    if (status != RP_OK) {
        return status;
    }
    if (ndim > 0) { /* a 0-d shape may be NULL, and memcpy from NULL is undefined even for 0 */
        memcpy(array->shape, shape, (size_t)ndim * sizeof *shape);
    }
    fill_contiguous_strides(ndim, shape, rp_dtype_size(dtype), order, array->strides);
    *out = array;
    return RP_OK;
}

rp_status rp_array_full(rp_dtype dtype, int ndim, const int64_t *shape, const rp_scalar *fill,
                        rp_array **out)
{
    rp_array *array = NULL;
    rp_status status = rp_array_empty(dtype, ndim, shape, RP_ORDER_C, &array);
    if (status == RP_OK) {
        status = rp_array_fill(array, fill);
    }
    if (status != RP_OK) {
        rp_array_free(array);
        return status;
    }
    *out = array;
    return RP_OK;
}

rp_status rp_array_from_buffer(rp_buffer *buffer, char *data, rp_dtype dtype, int ndim,
                               const int64_t *shape, const int64_t *strides, int flags,
                               rp_array **out)
{
    if ((unsigned)dtype >= RP_NTYPES) {
        return rp_error(RP_ERR_TYPE, "invalid dtype code %d", (int)dtype);
    }
    int64_t size;
    rp_status status = rp_shape_size(ndim, shape, rp_dtype_size(dtype), &size);
    if (status != RP_OK) {
        return status;
    }
    rp_array *array = NULL;
    /* Only the header rp_array_empty made owns its data; every other header is a view. */
    status = new_header(buffer, data, dtype, ndim, flags & ~RP_ARRAY_OWNDATA, &array);
    if (status != RP_OK) {
        return status;
    }
    if (ndim > 0) {
        memcpy(array->shape, shape, (size_t)ndim * sizeof *shape);
        memcpy(array->strides, strides, (size_t)ndim * sizeof *strides);
    }
    *out = array;
    return RP_OK;
}

void rp_array_free(rp_array *array)
{
    if (array == NULL) {
        return;
    }
    rp_buffer_decref(array->buffer);
    free(array);
}

rp_status rp_array_view(const rp_array *a, rp_array **out)
{
    return rp_array_from_buffer(a->buffer, a->data, a->dtype, a->ndim, a->shape, a->strides,
                                a->flags, out);
}

rp_status rp_array_transpose(const rp_array *a, const int *axes, rp_array **out)
{
    int permutation[RP_MAXDIMS];
    bool seen[RP_MAXDIMS] = {false};
    for (int i = 0; i < a->ndim; i++) {
        int axis = axes ? axes[i] : a->ndim - 1 - i;
        if (axis < -a->ndim || axis >= a->ndim) {
            return rp_error(RP_ERR_AXIS, "axis %d is out of bounds for array of dimension %d",
                            axis, a->ndim);
        }
        if (axis < 0) {
            axis += a->ndim;
        }
        if (seen[axis]) {
            return rp_error(RP_ERR_VALUE, "repeated axis in transpose");
        }
        seen[axis] = true;
        permutation[i] = axis;
    }
    rp_array *view;
    rp_status status = rp_array_view(a, &view);
    if (status != RP_OK) {
        return status;
    }
    for (int i = 0; i < a->ndim; i++) {
        view->shape[i] = a->shape[permutation[i]];
        view->strides[i] = a->strides[permutation[i]];
    }
    *out = view;
    return RP_OK;
}

/* Resolves a single -1 in `shape` against `size`; RP_ERR_VALUE if the sizes cannot match. */
static rp_status resolve_reshape(const rp_array *a, int ndim, const int64_t *shape,
                                 int64_t *resolved)
{
    int64_t size = rp_array_size(a), known = 1;
    int unknown = -1;
    if (ndim < 0 || ndim > RP_MAXDIMS) {
        return rp_error(RP_ERR_VALUE, "maximum supported dimension for an ndarray is %d",
                        RP_MAXDIMS);
    }
    for (int i = 0; i < ndim; i++) {
        resolved[i] = shape[i];
        if (shape[i] == -1) {
            if (unknown >= 0) {
                return rp_error(RP_ERR_VALUE, "can only specify one unknown dimension");
            }
            unknown = i;
        } else if (shape[i] < 0) {
            return rp_error(RP_ERR_VALUE, "negative dimensions not allowed");
        } else if (__builtin_mul_overflow(known, shape[i], &known)) {
            return rp_error(RP_ERR_VALUE, "array is too big");
        }
    }
    if (unknown >= 0) {
        if (known == 0 || size % known != 0) {
            char buf[256];
            return rp_error(RP_ERR_VALUE, "cannot reshape array of size %lld into shape %s",
                            (long long)size, rp_format_shape(ndim, shape, buf, sizeof buf));
        }
        resolved[unknown] = size / known;
        known = size;
    }
    if (known != size) {
        char buf[256];
        return rp_error(RP_ERR_VALUE, "cannot reshape array of size %lld into shape %s",
                        (long long)size, rp_format_shape(ndim, shape, buf, sizeof buf));
    }
    /* An empty array takes any shape with a 0 in it, but not one whose other extents would not
     * fit in memory (NumPy's "array is too big"). */
    int64_t checked;
    return rp_shape_size(ndim, resolved, rp_dtype_size(a->dtype), &checked);
}

/* Strides for viewing `a` (in C order of traversal) with `new_shape`, or false if the data is
 * not laid out regularly enough. Works group by group: a run of old axes whose extents multiply
 * to a run of new axes, where the old run is itself contiguous, can be re-split freely. */
static bool reshape_strides_c(const rp_array *a, int new_ndim, const int64_t *new_shape,
                              int64_t *new_strides)
{
    int64_t old_shape[RP_MAXDIMS], old_strides[RP_MAXDIMS];
    int old_ndim = 0;
    for (int i = 0; i < a->ndim; i++) {
        if (a->shape[i] != 1) {
            old_shape[old_ndim] = a->shape[i];
            old_strides[old_ndim] = a->strides[i];
            old_ndim++;
        }
    }
    int oi = 0, ni = 0;
    while (oi < old_ndim && ni < new_ndim) {
        int oj = oi + 1, nj = ni + 1;
        int64_t old_product = old_shape[oi], new_product = new_shape[ni];
        while (old_product != new_product) {
            if (old_product < new_product) {
                old_product *= old_shape[oj++];
            } else {
                new_product *= new_shape[nj++];
            }
        }
        for (int k = oi; k < oj - 1; k++) {
            if (old_strides[k] != old_shape[k + 1] * old_strides[k + 1]) {
                return false;
            }
        }
        new_strides[nj - 1] = old_strides[oj - 1];
        for (int k = nj - 1; k > ni; k--) {
            new_strides[k - 1] = new_strides[k] * new_shape[k];
        }
        oi = oj;
        ni = nj;
    }
    /* Trailing extent-1 axes of the new shape get any stride; use the item size. */
    for (int k = ni; k < new_ndim; k++) {
        new_strides[k] = (int64_t)rp_dtype_size(a->dtype);
    }
    return true;
}

rp_status rp_array_reshape_view(const rp_array *a, int ndim, const int64_t *shape, rp_order order,
                                rp_array **out)
{
    int64_t new_shape[RP_MAXDIMS], new_strides[RP_MAXDIMS];
    rp_status status = resolve_reshape(a, ndim, shape, new_shape);
    if (status != RP_OK) {
        return status;
    }
    bool ok;
    if (rp_array_size(a) == 0) {
        fill_contiguous_strides(ndim, new_shape, rp_dtype_size(a->dtype), order, new_strides);
        ok = true;
    } else if (order == RP_ORDER_C) {
        ok = reshape_strides_c(a, ndim, new_shape, new_strides);
    } else {
        /* Fortran order is C order on the reversed axes of both shapes. */
        rp_array reversed = *a;
        int64_t reversed_shape[RP_MAXDIMS] = {0}, reversed_strides[RP_MAXDIMS] = {0};
        for (int i = 0; i < a->ndim; i++) {
            reversed.shape[i] = a->shape[a->ndim - 1 - i];
            reversed.strides[i] = a->strides[a->ndim - 1 - i];
        }
        for (int i = 0; i < ndim; i++) {
            reversed_shape[i] = new_shape[ndim - 1 - i];
        }
        ok = reshape_strides_c(&reversed, ndim, reversed_shape, reversed_strides);
        for (int i = 0; ok && i < ndim; i++) {
            new_strides[i] = reversed_strides[ndim - 1 - i];
        }
    }
    if (!ok) {
        *out = NULL;
        return RP_OK;
    }
    rp_array *view;
    status = rp_array_view(a, &view);
    if (status != RP_OK) {
        return status;
    }
    view->ndim = ndim;
    memcpy(view->shape, new_shape, (size_t)ndim * sizeof *new_shape);
    memcpy(view->strides, new_strides, (size_t)ndim * sizeof *new_strides);
    *out = view;
    return RP_OK;
}

rp_status rp_array_reshape(const rp_array *a, int ndim, const int64_t *shape, rp_order order,
                           rp_array **out)
{
    rp_array *view;
    rp_status status = rp_array_reshape_view(a, ndim, shape, order, &view);
    if (status != RP_OK || view != NULL) {
        *out = view;
        return status;
    }
    /* Copy in the requested order, then the copy is contiguous and the view always works. */
    rp_array *copy;
    status = rp_array_copy(a, a->dtype, order, &copy);
    if (status != RP_OK) {
        return status;
    }
    status = rp_array_reshape_view(copy, ndim, shape, order, &view);
    rp_array_free(copy);
    if (status != RP_OK) {
        return status;
    }
    *out = view;
    return RP_OK;
}

rp_status rp_array_ravel(const rp_array *a, rp_order order, rp_array **out)
{
    int64_t length = rp_array_size(a);
    bool contiguous = order == RP_ORDER_C ? rp_array_is_c_contiguous(a)
                                          : rp_array_is_f_contiguous(a);
    if (contiguous) {
        /* Contiguous in the reading order: one unit stride covers every element. */
        int64_t stride = (int64_t)rp_dtype_size(a->dtype);
        return rp_array_from_buffer(a->buffer, a->data, a->dtype, 1, &length, &stride, a->flags,
                                    out);
    }
    /* A fresh copy in the reading order is contiguous, so it can be relabelled as 1-D. */
    rp_array *copy;
    rp_status status = rp_array_copy(a, a->dtype, order, &copy);
    if (status != RP_OK) {
        return status;
    }
    copy->ndim = 1;
    copy->shape[0] = length;
    copy->strides[0] = (int64_t)rp_dtype_size(a->dtype);
    *out = copy;
    return RP_OK;
}

rp_status rp_array_broadcast_to(const rp_array *a, int ndim, const int64_t *shape, rp_array **out)
{
    if (ndim < a->ndim) {
        char sa[256], sb[256];
        return rp_error(RP_ERR_VALUE, "could not broadcast input array from shape %s into shape %s",
                        rp_format_shape(a->ndim, a->shape, sa, sizeof sa),
                        rp_format_shape(ndim, shape, sb, sizeof sb));
    }
    int64_t strides[RP_MAXDIMS];
    for (int i = 0; i < ndim; i++) {
        int j = i - (ndim - a->ndim);
        if (j < 0) {
            strides[i] = 0;
        } else if (a->shape[j] == shape[i]) {
            strides[i] = a->strides[j];
        } else if (a->shape[j] == 1) {
            strides[i] = 0;
        } else {
            char sa[256], sb[256];
            return rp_error(RP_ERR_VALUE,
                            "could not broadcast input array from shape %s into shape %s",
                            rp_format_shape(a->ndim, a->shape, sa, sizeof sa),
                            rp_format_shape(ndim, shape, sb, sizeof sb));
        }
    }
    /* A broadcast view is read-only, as NumPy's broadcast_to. */
    return rp_array_from_buffer(a->buffer, a->data, a->dtype, ndim, shape, strides,
                                a->flags & ~RP_ARRAY_WRITEABLE, out);
}
