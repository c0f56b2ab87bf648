/*
 * reduce.c — rp_reduce: axes, result dtypes and shapes, empty inputs, and the statistics built
 * from the engines (mean = sum / count; var = mean of squared deviations, two passes as NumPy;
 * std = sqrt(var)).
 *
 * Dtypes follow NumPy: integer and bool sums and products accumulate in int64, mean/var/std of
 * integers in float64, any/all give bool; an explicit dtype makes the input be read in that
 * dtype. Empty reductions give the identity (0, 1, False, True), raise for min/max/argmin/
 * argmax, and give NaN with NumPy's warning for mean/var/std.
 */
#include "raptors/compute.h"

#include <string.h>

#include "reduce_internal.h"

/* ===================================================================== axes and shapes */

static rp_status mark_axes(const rp_array *a, const rp_reduce_spec *spec, bool *reduced)
{
    for (int i = 0; i < a->ndim; i++) {
        reduced[i] = spec->naxes < 0;
    }
    if (spec->naxes < 0) {
        return RP_OK;
    }
    if (spec->naxes > RP_MAXDIMS) {
        return rp_error(RP_ERR_VALUE, "too many axes: %d", spec->naxes);
    }
    for (int k = 0; k < spec->naxes; k++) {
        int axis = spec->axes[k];
        if (axis < -a->ndim || axis >= a->ndim) {
            return rp_error(RP_ERR_AXIS, "axis %d is out of bounds for array of dimension %d",
                            axis, a->ndim);
        }
        if (axis < 0) {
            axis += a->ndim;
        }
        if (reduced[axis]) {
            return rp_error(RP_ERR_VALUE, "duplicate value in 'axis'");
        }
        reduced[axis] = true;
    }
    return RP_OK;
}

/* The result shape; returns its ndim. */
static int result_shape(const rp_array *a, const bool *reduced, bool keepdims, int64_t *shape)
{
    int ndim = 0;
    for (int i = 0; i < a->ndim; i++) {
        if (!reduced[i]) {
            shape[ndim++] = a->shape[i];
        } else if (keepdims) {
            shape[ndim++] = 1;
        }
    }
    return ndim;
}

static int64_t reduced_count(const rp_array *a, const bool *reduced)
{
    int64_t count = 1;
    for (int i = 0; i < a->ndim; i++) {
        if (reduced[i]) {
            count *= a->shape[i];
        }
    }
    return count;
}

/* ===================================================================== accumulating reductions */

static rp_reducer make_reducer(rp_reduction op, rp_dtype cast_to)
{
    rp_reducer reducer = {.cast_to = cast_to};
    switch (op) {
    case RP_REDUCE_PROD:
        reducer.kernel_op = RP_RED_PROD;
        reducer.combine_op = RP_BIN_MULTIPLY;
        break;
    case RP_REDUCE_MIN:
    case RP_REDUCE_ALL:
        reducer.kernel_op = RP_RED_MIN;
        reducer.combine_op = RP_BIN_MINIMUM;
        break;
    case RP_REDUCE_MAX:
    case RP_REDUCE_ANY:
        reducer.kernel_op = RP_RED_MAX;
        reducer.combine_op = RP_BIN_MAXIMUM;
        break;
    default:
        reducer.kernel_op = RP_RED_SUM;
        reducer.combine_op = RP_BIN_ADD;
        break;
    }
    bool sums = reducer.kernel_op == RP_RED_SUM || reducer.kernel_op == RP_RED_PROD;
    reducer.acc = sums && !rp_dtype_is_float(cast_to) ? RP_INT64 : cast_to;
    reducer.watch_fp = sums && rp_dtype_is_float(cast_to);
    reducer.in_order = reducer.kernel_op == RP_RED_PROD && rp_dtype_is_float(cast_to);
    return reducer;
}

/* Reduces `a` with `op` reading it as `cast_to`, into a new `result_dtype` array. */
static rp_status accumulate(rp_reduction op, const rp_array *a, const bool *reduced,
                            bool keepdims, rp_dtype cast_to, rp_dtype result_dtype,
                            rp_array **result, int *warnings)
{
    int64_t shape[RP_MAXDIMS];
    int ndim = result_shape(a, reduced, keepdims, shape);
    int64_t count = reduced_count(a, reduced);
    if (count == 0 && (op == RP_REDUCE_MIN || op == RP_REDUCE_MAX)) {
        return rp_error(RP_ERR_VALUE,
                        "zero-size array to reduction operation %s which has no identity",
                        op == RP_REDUCE_MIN ? "minimum" : "maximum");
    }
    rp_array *out = NULL;
    rp_status status = rp_array_empty(result_dtype, ndim, shape, RP_ORDER_C, &out);
    if (status != RP_OK) {
        return status;
    }
    if (rp_array_size(out) > 0 && count == 0) {
        rp_scalar identity = {.dtype = RP_INT64,
                              .value.i64 = op == RP_REDUCE_PROD || op == RP_REDUCE_ALL};
        status = rp_array_fill(out, &identity);
    } else if (rp_array_size(out) > 0) {
        rp_reducer reducer = make_reducer(op, cast_to);
        rp_array *target = out;
        if (reducer.acc != result_dtype) {
            status = rp_array_empty(reducer.acc, ndim, shape, RP_ORDER_C, &target);
        }
        int flags = 0;
        if (status == RP_OK) {
            status = rp_reduce_rows(a, reduced, &reducer, target, &flags);
        }
        if (status == RP_OK && target != out) {
            status = rp_array_assign(out, target); /* e.g. sum(dtype=int32): wraps like NumPy */
        }
        if (target != out) {
            rp_array_free(target);
        }
        *warnings |= flags;
    }
    if (status != RP_OK) {
        rp_array_free(out);
        return status;
    }
    *result = out;
    return RP_OK;
}

/* ===================================================================== statistics */

/* Divides `values` in place by a count; the division's FP conditions go to *flags.
 * NumPy divides by the count as a float64 (it is an integer, or count - ddof) and casts the
 * quotient back. For a float32 array that is what a float32 division gives whenever the
 * divisor is exact in float32 (a quotient of two float32 values rounds the same either way),
 * so the divisor is then a weak scalar and the division stays in float32; otherwise (a count
 * past 2^24, a fractional ddof) the divisor is a float64 and so is the division. */
static rp_status divide_in_place(rp_array *values, double divisor, int *flags)
{
    bool exact = values->dtype != RP_FLOAT32 || (double)(float)divisor == divisor;
    rp_operand numerator = rp_operand_array(values);
    rp_operand denominator = rp_operand_scalar((rp_scalar){.dtype = RP_FLOAT64,
                                                           .value.f64 = divisor},
                                               exact);
    return rp_binary(RP_BIN_DIVIDE, &numerator, &denominator, values, NULL, flags);
}

static rp_status mean_of(const rp_array *a, const bool *reduced, bool keepdims, rp_dtype dtype,
                         rp_array **result, int *warnings)
{
    int64_t count = reduced_count(a, reduced);
    rp_array *sum = NULL;
    rp_status status = accumulate(RP_REDUCE_SUM, a, reduced, keepdims, dtype, dtype, &sum,
                                  warnings);
    if (status != RP_OK) {
        return status;
    }
    if (count == 0) {
        *warnings |= RP_WARN_EMPTY_MEAN;
    }
    int divide_flags = 0;
    status = divide_in_place(sum, (double)count, &divide_flags);
    *warnings |= (divide_flags & RP_WARN_FP_BITS) << RP_WARN_STEP_DIVIDE;
    if (status != RP_OK) {
        rp_array_free(sum);
        return status;
    }
    *result = sum;
    return RP_OK;
}

/* NumPy's two-pass variance: mean (kept dims), deviations, their squares, their sum, divided by
 * count - ddof; each step's warnings are reported under its own step. */
static rp_status variance_of(const rp_array *a, const bool *reduced, bool keepdims,
                             rp_dtype dtype, double ddof, bool take_root, rp_array **result,
                             int *warnings)
{
    int64_t count = reduced_count(a, reduced);
    double divisor = (double)count - ddof;
    if (divisor <= 0) {
        *warnings |= RP_WARN_DEGREES_OF_FREEDOM;
        divisor = 0;
    }
    rp_array *mean = NULL, *deviations = NULL, *sum = NULL;
    int mean_flags = 0, subtract_flags = 0, square_flags = 0, divide_flags = 0;
    rp_status status = mean_of(a, reduced, true, dtype, &mean, &mean_flags);
    /* NumPy's var reports the degrees of freedom rather than an empty mean. */
    *warnings |= (mean_flags & RP_WARN_FP_BITS) |
                 (((mean_flags >> RP_WARN_STEP_DIVIDE) & RP_WARN_FP_BITS)
                  << RP_WARN_STEP_MEAN_DIVIDE);
    if (status == RP_OK) {
        rp_operand x = rp_operand_array(a), m = rp_operand_array(mean);
        status = rp_binary(RP_BIN_SUBTRACT, &x, &m, NULL, &deviations, &subtract_flags);
    }
    if (status == RP_OK) {
        rp_operand d = rp_operand_array(deviations);
        status = rp_binary(RP_BIN_MULTIPLY, &d, &d, deviations, NULL, &square_flags);
    }
    if (status == RP_OK) {
        status = accumulate(RP_REDUCE_SUM, deviations, reduced, keepdims, dtype, dtype, &sum,
                            warnings);
    }
    if (status == RP_OK) {
        status = divide_in_place(sum, divisor, &divide_flags);
    }
    if (status == RP_OK && take_root) {
        int ignored = 0;
        status = rp_unary(RP_UN_SQRT, sum, sum, NULL, &ignored);
    }
    *warnings |= (subtract_flags & RP_WARN_FP_BITS) << RP_WARN_STEP_SUBTRACT |
                 (square_flags & RP_WARN_FP_BITS) << RP_WARN_STEP_SQUARE |
                 (divide_flags & RP_WARN_FP_BITS) << RP_WARN_STEP_DIVIDE;
    rp_array_free(mean);
    rp_array_free(deviations);
    if (status != RP_OK) {
        rp_array_free(sum);
        return status;
    }
    *result = sum;
    return RP_OK;
}

/* ===================================================================== argmin / argmax */

static rp_status arg_reduce(rp_reduction op, const rp_array *a, const rp_reduce_spec *spec,
                            rp_array **result)
{
    if (spec->naxes > 1) {
        return rp_error(RP_ERR_TYPE, "'tuple' object cannot be interpreted as an integer");
    }
    rp_arg_reduce_op which = op == RP_REDUCE_ARGMIN ? RP_ARG_MIN : RP_ARG_MAX;
    const char *name = op == RP_REDUCE_ARGMIN ? "argmin" : "argmax";
    rp_reduce_spec spec_for_a = *spec;
    if (a->ndim == 0 && spec->naxes == 1) {
        /* NumPy treats a 0-d array as the one element of a 1-d array here. */
        if (spec->axes[0] < -1 || spec->axes[0] > 0) {
            return rp_error(RP_ERR_AXIS, "axis %d is out of bounds for array of dimension 1",
                            spec->axes[0]);
        }
        spec_for_a.naxes = -1;
    }
    spec = &spec_for_a;
    bool reduced[RP_MAXDIMS];
    rp_status status = mark_axes(a, spec, reduced);
    if (status != RP_OK) {
        return status;
    }
    int64_t shape[RP_MAXDIMS];
    int ndim = result_shape(a, reduced, spec->keepdims, shape);
    if (reduced_count(a, reduced) == 0) {
        return rp_error(RP_ERR_VALUE, "attempt to get %s of an empty sequence", name);
    }
    rp_array *out = NULL;
    status = rp_array_empty(RP_INT64, ndim, shape, RP_ORDER_C, &out);
    if (status != RP_OK || rp_array_size(out) == 0) {
        *result = out;
        return status;
    }
    int axis = 0;
    for (int i = 0; i < a->ndim; i++) {
        if (reduced[i]) {
            axis = i;
        }
    }
    if (spec->naxes < 0 && a->ndim > 1) {
        /* The index is into the C-order flattening: reduce a 1-D view (or copy) of a. */
        int64_t size = rp_array_size(a);
        rp_array *flat = NULL;
        status = rp_array_reshape(a, 1, &size, RP_ORDER_C, &flat);
        rp_array *single = NULL;
        int64_t none = 0;
        if (status == RP_OK) {
            status = rp_array_reshape_view(out, 0, &none, RP_ORDER_C, &single);
        }
        if (status == RP_OK) {
            status = rp_arg_reduce_axis(which, flat, 0, single);
        }
        rp_array_free(single);
        rp_array_free(flat);
    } else {
        status = rp_arg_reduce_axis(which, a, axis, out);
    }
    if (status != RP_OK) {
        rp_array_free(out);
        return status;
    }
    *result = out;
    return RP_OK;
}

/* ===================================================================== entry */

rp_status rp_reduce(rp_reduction op, const rp_array *a, const rp_reduce_spec *spec,
                    rp_array **result, int *warnings)
{
    if ((unsigned)op >= RP_NREDUCTIONS) {
        return rp_error(RP_ERR_VALUE, "invalid reduction code %d", (int)op);
    }
    if (spec->dtype >= RP_NTYPES) {
        return rp_error(RP_ERR_TYPE, "invalid dtype code %d", spec->dtype);
    }
    if (op == RP_REDUCE_ARGMIN || op == RP_REDUCE_ARGMAX) {
        return arg_reduce(op, a, spec, result);
    }
    bool reduced[RP_MAXDIMS];
    rp_status status = mark_axes(a, spec, reduced);
    if (status != RP_OK) {
        return status;
    }
    bool has_dtype = spec->dtype >= 0;
    rp_dtype requested = has_dtype ? (rp_dtype)spec->dtype : a->dtype;
    switch (op) {
    case RP_REDUCE_SUM:
    case RP_REDUCE_PROD: {
        rp_dtype natural = rp_dtype_is_float(requested) ? requested : RP_INT64;
        return accumulate(op, a, reduced, spec->keepdims, requested,
                          has_dtype ? requested : natural, result, warnings);
    }
    case RP_REDUCE_MIN:
    case RP_REDUCE_MAX:
        return accumulate(op, a, reduced, spec->keepdims, a->dtype, a->dtype, result, warnings);
    case RP_REDUCE_ANY:
    case RP_REDUCE_ALL:
        return accumulate(op, a, reduced, spec->keepdims, RP_BOOL, RP_BOOL, result, warnings);
    default:
        break;
    }
    /* mean, var, std: in the float dtype asked for, else float64 for bool and integers. */
    rp_dtype dtype = rp_dtype_is_float(requested) ? requested : RP_FLOAT64;
    if (has_dtype && !rp_dtype_is_float(requested)) {
        return rp_error(RP_ERR_TYPE, "raptors computes %s in a float dtype, not %s",
                        rp_reduction_name(op), rp_dtype_name(requested));
    }
    if (op == RP_REDUCE_MEAN) {
        return mean_of(a, reduced, spec->keepdims, dtype, result, warnings);
    }
    return variance_of(a, reduced, spec->keepdims, dtype, spec->ddof, op == RP_REDUCE_STD, result,
                       warnings);
}
