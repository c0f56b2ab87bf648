/*
 * index.c — basic indexing: integers, slices, ellipsis and new axes, each producing a view.
 *
 * Slice bounds follow Python's rules (clipped, negative counts from the end); an integer out of
 * range is an error, as in NumPy.
 */
#include "raptors/raptors.h"

/* Python's slice.indices(): clip start/stop for `length`, return the element count. */
static int64_t adjust_slice(int64_t length, const rp_index *item, int64_t *start_out)
{
    int64_t step = item->step, start, stop;
    if (step > 0) {
        start = item->has_start ? item->start : 0;
        stop = item->has_stop ? item->stop : length;
        if (start < 0) {
            start = start + length < 0 ? 0 : start + length;
        } else if (start > length) {
            start = length;
        }
        if (stop < 0) {
            stop = stop + length < 0 ? 0 : stop + length;
        } else if (stop > length) {
            stop = length;
        }
        *start_out = start;
        return stop > start ? (stop - start - 1) / step + 1 : 0;
    }
    start = item->has_start ? item->start : length - 1;
    stop = item->has_stop ? item->stop : -1 - length; /* "past the front" */
    if (start < 0) {
        start = start + length < 0 ? -1 : start + length;
    } else if (start >= length) {
        start = length - 1;
    }
    if (stop < 0) {
        stop = stop + length < 0 ? -1 : stop + length;
    } else if (stop >= length) {
        stop = length - 1;
    }
    *start_out = start;
    return start > stop ? (start - stop - 1) / (-step) + 1 : 0;
}

rp_status rp_array_index(const rp_array *a, const rp_index *items, int nitems, rp_array **out)
{
    int consumed = 0, ellipses = 0;
    for (int i = 0; i < nitems; i++) {
        if (items[i].kind == RP_INDEX_INTEGER || items[i].kind == RP_INDEX_SLICE) {
            consumed++;
        } else if (items[i].kind == RP_INDEX_ELLIPSIS) {
            ellipses++;
        }
    }
    if (ellipses > 1) {
        return rp_error(RP_ERR_INDEX, "an index can only have a single ellipsis ('...')");
    }
    if (consumed > a->ndim) {
        return rp_error(RP_ERR_INDEX,
                        "too many indices for array: array is %d-dimensional, but %d were indexed",
                        a->ndim, consumed);
    }
    int64_t shape[RP_MAXDIMS], strides[RP_MAXDIMS];
    int out_ndim = 0, axis = 0;
    char *data = a->data;
    for (int i = 0; i < nitems; i++) {
        const rp_index *item = &items[i];
        switch (item->kind) {
        case RP_INDEX_ELLIPSIS: {
            int skip = a->ndim - consumed;
            if (out_ndim + skip > RP_MAXDIMS) {
                return rp_error(RP_ERR_INDEX, "too many dimensions in index result");
            }
            for (int k = 0; k < skip; k++, axis++) {
                shape[out_ndim] = a->shape[axis];
                strides[out_ndim++] = a->strides[axis];
            }
            break;
        }
        case RP_INDEX_NEWAXIS:
            if (out_ndim >= RP_MAXDIMS) {
                return rp_error(RP_ERR_INDEX, "number of dimensions must be within [0, %d]",
                                RP_MAXDIMS);
            }
            shape[out_ndim] = 1;
            strides[out_ndim++] = 0;
            break;
        case RP_INDEX_INTEGER: {
            int64_t length = a->shape[axis], position = item->integer;
            if (position < -length || position >= length) {
                return rp_error(RP_ERR_INDEX,
                                "index %lld is out of bounds for axis %d with size %lld",
                                (long long)position, axis, (long long)length);
            }
            if (position < 0) {
                position += length;
            }
            data += position * a->strides[axis];
            axis++;
            break;
        }
        case RP_INDEX_SLICE: {
            if (item->step == 0) {
                return rp_error(RP_ERR_VALUE, "slice step cannot be zero");
            }
            if (out_ndim >= RP_MAXDIMS) {
                return rp_error(RP_ERR_INDEX, "too many dimensions in index result");
            }
            int64_t start, count = adjust_slice(a->shape[axis], item, &start);
            if (count > 0) {
                data += start * a->strides[axis];
            }
            shape[out_ndim] = count;
            strides[out_ndim++] = a->strides[axis] * item->step;
            axis++;
            break;
        }
        }
    }
    /* Axes not named by the index are kept whole, as if the index ended with "...". */
    for (; axis < a->ndim; axis++) {
        if (out_ndim >= RP_MAXDIMS) {
            return rp_error(RP_ERR_INDEX, "too many dimensions in index result");
        }
        shape[out_ndim] = a->shape[axis];
        strides[out_ndim++] = a->strides[axis];
    }
    return rp_array_from_buffer(a->buffer, data, a->dtype, out_ndim, shape, strides, a->flags,
                                out);
}
