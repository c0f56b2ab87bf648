/*
 * create.c — arrays born with content: empty_like (NumPy's order='K' layout), arange, linspace
 * and eye.
 *
 * The fills reproduce NumPy's arithmetic exactly (the same operations in the same precision and
 * order), so results compare equal element for element, not just approximately.
 */
#include <math.h>
#include <string.h>

#include "kernels/kernels.h"

rp_status rp_array_empty_like(const rp_array *a, rp_dtype dtype, rp_array **out)
{
    int axes[RP_MAXDIMS];
    int64_t permuted_shape[RP_MAXDIMS];
    rp_array_memory_order(a, axes);
    for (int i = 0; i < a->ndim; i++) {
        permuted_shape[i] = a->shape[axes[i]];
    }
    rp_array *permuted;
    rp_status status = rp_array_empty(dtype, a->ndim, permuted_shape, RP_ORDER_C, &permuted);
    if (status != RP_OK) {
        return status;
    }
    /* Undo the permutation on the header only: axis axes[i] of the result is axis i here. */
    int64_t shape[RP_MAXDIMS], strides[RP_MAXDIMS];
    for (int i = 0; i < a->ndim; i++) {
        shape[axes[i]] = permuted->shape[i];
        strides[axes[i]] = permuted->strides[i];
    }
    memcpy(permuted->shape, shape, (size_t)a->ndim * sizeof *shape);
    memcpy(permuted->strides, strides, (size_t)a->ndim * sizeof *strides);
    *out = permuted;
    return RP_OK;
}

/* ===================================================================== arange */

/* NumPy's fill step: element i = v[0] + i * (v[1] - v[0]) in the element type. Integer types
 * compute in unsigned 64-bit arithmetic, which wraps exactly as NumPy's signed code does on
 * every platform it runs on, without the undefined behaviour. */
static void ramp_int32(char *data, int64_t n)
{
    int32_t *v = (int32_t *)data;
    uint32_t delta32 = (uint32_t)v[1] - (uint32_t)v[0];
    uint64_t start = (uint64_t)(int64_t)v[0], delta = (uint64_t)(int64_t)(int32_t)delta32;
    for (int64_t i = 2; i < n; i++) {
        v[i] = (int32_t)(uint32_t)(start + (uint64_t)i * delta);
    }
}

static void ramp_int64(char *data, int64_t n)
{
    int64_t *v = (int64_t *)data;
    uint64_t start = (uint64_t)v[0], delta = (uint64_t)v[1] - (uint64_t)v[0];
    for (int64_t i = 2; i < n; i++) {
        v[i] = (int64_t)(start + (uint64_t)i * delta);
    }
}

#define DEFINE_FLOAT_RAMP(NAME, T)                                                             \
    static void NAME(char *data, int64_t n)                                                    \
    {                                                                                          \
        T *v = (T *)data;                                                                      \
        T start = v[0], delta = v[1] - v[0];                                                   \
        for (int64_t i = 2; i < n; i++) {                                                      \
            v[i] = start + (T)i * delta;                                                       \
        }                                                                                      \
    }

DEFINE_FLOAT_RAMP(ramp_float32, float)
DEFINE_FLOAT_RAMP(ramp_float64, double)

rp_status rp_array_arange(rp_dtype dtype, const rp_scalar *first, const rp_scalar *second,
                          int64_t length, rp_array **out)
{
    if (length < 0) {
        return rp_error(RP_ERR_VALUE, "arange: negative length %lld", (long long)length);
    }
    if (dtype == RP_BOOL && length > 2) {
        return rp_error(RP_ERR_TYPE, "arange() is only supported for booleans when the result "
                                     "has at most length 2.");
    }
    rp_array *array;
    rp_status status = rp_array_empty(dtype, 1, &length, RP_ORDER_C, &array);
    if (status != RP_OK) {
        return status;
    }
    size_t itemsize = rp_dtype_size(dtype);
    rp_scalar converted;
    if (length >= 1) {
        rp_scalar_cast(first, dtype, &converted);
        memcpy(array->data, &converted.value, itemsize);
    }
    if (length >= 2) {
        rp_scalar_cast(second, dtype, &converted);
        memcpy(array->data + itemsize, &converted.value, itemsize);
    }
    switch (dtype) {
    case RP_INT32: ramp_int32(array->data, length); break;
    case RP_INT64: ramp_int64(array->data, length); break;
    case RP_FLOAT32: ramp_float32(array->data, length); break;
    case RP_FLOAT64: ramp_float64(array->data, length); break;
    default: break; /* bool: at most the two elements already written */
    }
    *out = array;
    return RP_OK;
}

/* ===================================================================== linspace */

typedef struct {
    double start, stop, delta, step;
    int64_t div, num;
    bool endpoint, step_underflows, floor_values;
} linspace_plan;

static double linspace_value(const linspace_plan *plan, int64_t i)
{
    double position = (double)i, value;
    if (plan->endpoint && plan->num > 1 && i == plan->num - 1) {
        value = plan->stop;
    } else if (plan->div == 0) {
        value = position * plan->delta + plan->start;
    } else if (plan->step_underflows) {
        /* NumPy's path for steps that underflow (denormal ranges): divide first. */
        value = position / (double)plan->div * plan->delta + plan->start;
    } else {
        value = position * plan->step + plan->start;
    }
    return plan->floor_values ? floor(value) : value;
}

rp_status rp_array_linspace(rp_dtype dtype, double start, double stop, int64_t num,
                            bool endpoint, rp_array **out)
{
    if (num < 0) {
        return rp_error(RP_ERR_VALUE, "Number of samples, %lld, must be non-negative.",
                        (long long)num);
    }
    rp_array *array;
    rp_status status = rp_array_empty(dtype, 1, &num, RP_ORDER_C, &array);
    if (status != RP_OK) {
        return status;
    }
    linspace_plan plan = {
        .start = start,
        .stop = stop,
        .delta = stop - start,
        .div = endpoint ? num - 1 : num,
        .num = num,
        .endpoint = endpoint,
        .floor_values = rp_dtype_is_integer(dtype),
    };
    if (plan.div > 0) {
        plan.step = plan.delta / (double)plan.div;
        plan.step_underflows = plan.step == 0;
    }
    /* Values are made in double, a block at a time, and cast with the shared cast loop so that
     * NaN and out-of-range handling match astype. */
    enum { BLOCK = 256 };
    double block[BLOCK];
    rp_cast_loop cast = rp_kernels()->cast[RP_FLOAT64][dtype];
    int64_t itemsize = (int64_t)rp_dtype_size(dtype);
    for (int64_t begin = 0; begin < num; begin += BLOCK) {
        int64_t count = num - begin < BLOCK ? num - begin : BLOCK;
        for (int64_t j = 0; j < count; j++) {
            block[j] = linspace_value(&plan, begin + j);
        }
        cast((const char *)block, sizeof(double), array->data + begin * itemsize, itemsize,
             count);
    }
    *out = array;
    return RP_OK;
}

/* ===================================================================== eye */

rp_status rp_array_eye(rp_dtype dtype, int64_t n, int64_t m, int64_t k, rp_order order,
                       rp_array **out)
{
    int64_t shape[2] = {n, m};
    rp_array *array;
    rp_status status = rp_array_empty(dtype, 2, shape, order, &array);
    if (status != RP_OK) {
        return status;
    }
    rp_scalar zero = {.dtype = RP_BOOL, .value.b = false};
    rp_scalar one = {.dtype = RP_BOOL, .value.b = true};
    rp_array_fill(array, &zero);
    /* The diagonal is a 1-D view stepping one row and one column at a time. Checking k against
     * the extents first keeps -k from overflowing. */
    if (k < m && k > -n) {
        int64_t row = k < 0 ? -k : 0, column = k > 0 ? k : 0;
        int64_t length = n - row < m - column ? n - row : m - column;
        int64_t stride = array->strides[0] + array->strides[1];
        rp_array diagonal = *array;
        diagonal.data = array->data + row * array->strides[0] + column * array->strides[1];
        diagonal.ndim = 1;
        diagonal.shape[0] = length;
        diagonal.strides[0] = stride;
        rp_array_fill(&diagonal, &one);
    }
    *out = array;
    return RP_OK;
}
