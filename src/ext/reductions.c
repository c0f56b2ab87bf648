/*
 * reductions.c — reductions for Python: the ndarray methods (a.sum(axis=0), a.mean(), ...,
 * plus the original Raptors a.sum_axis(k) and a.mean_axis(k)) and the module functions
 * (raptors.sum(a, axis=None), ...), all METH_FASTCALL with NumPy's parameter names and order.
 *
 * One path for all: parse axis/dtype/keepdims/ddof, one rp_reduce call (without the GIL when
 * large), warnings, then a NumPy scalar for a 0-d result or an array; `out` receives a copy of
 * the result.
 */
#include "compute_binding.h"

#include <limits.h>

/* ===================================================================== arguments */

/* axis: None, an integer, or a tuple of integers (argmin/argmax: no tuple). NumPy lets a bare
 * axis 0 or -1 stand for "all" on a 0-d array, except in mean/var/std. */
static int parse_axis(PyObject *axis, rp_reduction op, int ndim, rp_reduce_spec *spec)
{
    spec->naxes = -1;
    if (axis == NULL || axis == Py_None) {
        return 0;
    }
    bool arg = op == RP_REDUCE_ARGMIN || op == RP_REDUCE_ARGMAX;
    if (arg && PyTuple_Check(axis)) {
        PyErr_SetString(PyExc_TypeError, "'tuple' object cannot be interpreted as an integer");
        return -1;
    }
    bool statistic = op == RP_REDUCE_MEAN || op == RP_REDUCE_VAR || op == RP_REDUCE_STD;
    if (ndim == 0 && !arg && !statistic && PyIndex_Check(axis) && !PyBool_Check(axis)) {
        Py_ssize_t value = PyNumber_AsSsize_t(axis, NULL);
        if (value == -1 && PyErr_Occurred()) {
            return -1;
        }
        if (value == 0 || value == -1) {
            return 0;
        }
    }
    PyObject *items = PyTuple_Check(axis) ? Py_NewRef(axis) : PyTuple_Pack(1, axis);
    if (items == NULL) {
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(items);
    if (n > RP_MAXDIMS) {
        Py_DECREF(items);
        PyErr_SetString(PyExc_ValueError, "duplicate value in 'axis'");
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(items, i);
        if (PyBool_Check(item) || !PyIndex_Check(item)) {
            Py_DECREF(items);
            PyErr_Format(PyExc_TypeError, PyBool_Check(item)
                                              ? "an integer is required"
                                              : "'%.100s' object cannot be interpreted as an "
                                                "integer",
                         Py_TYPE(item)->tp_name);
            return -1;
        }
        Py_ssize_t value = PyNumber_AsSsize_t(item, NULL);
        if (value == -1 && PyErr_Occurred()) {
            Py_DECREF(items);
            return -1;
        }
        /* Far out-of-range values keep their meaning (out of bounds) without overflowing int. */
        if (value > INT_MAX / 2 || value < INT_MIN / 2) {
            value = value > 0 ? INT_MAX / 2 : INT_MIN / 2;
        }
        spec->axes[i] = (int)value;
    }
    spec->naxes = (int)n;
    Py_DECREF(items);
    return 0;
}

/* ===================================================================== the call */

static int64_t reduction_work(const rp_array *a, rp_reduction op)
{
    /* var/std read their input twice and write a temporary of the same size. */
    int64_t size = rp_array_size(a);
    return op == RP_REDUCE_VAR || op == RP_REDUCE_STD ? 3 * size : size;
}

PyObject *rp_reduce_object(rp_module_state *state, rp_reduction op, PyObject *array,
                           PyObject *axis, PyObject *dtype, PyObject *out, PyObject *keepdims,
                           PyObject *ddof)
{
    rp_reduce_spec spec = rp_reduce_all_axes();
    if (keepdims != NULL) {
        int truth = PyObject_IsTrue(keepdims);
        if (truth < 0) {
            return NULL;
        }
        spec.keepdims = truth;
    }
    if (ddof != NULL) {
        spec.ddof = PyFloat_AsDouble(ddof);
        if (spec.ddof == -1.0 && PyErr_Occurred()) {
            return NULL;
        }
    }
    if (dtype != NULL && dtype != Py_None) {
        spec.dtype = rp_dtype_from_object(state, dtype, 0);
        if (spec.dtype < 0) {
            return NULL;
        }
    }
    rp_array *owned = NULL, *input;
    if (rp_is_array(state, array)) {
        input = ((RpArrayObject *)array)->array;
    } else {
        input = owned = rp_array_from_object(state, array, RP_NTYPES);
        if (input == NULL) {
            return NULL;
        }
    }
    if (parse_axis(axis, op, input->ndim, &spec) != 0) {
        rp_array_free(owned);
        return NULL;
    }
    rp_array *result = NULL;
    int warnings = 0;
    rp_status status;
    RP_WITHOUT_GIL_IF(reduction_work(input, op),
                      status = rp_reduce(op, input, &spec, &result, &warnings));
    rp_array_free(owned);
    if (status != RP_OK) {
        return rp_raise_status(state, status);
    }
    /* NumPy finishes a float64 0-d mean with scalar arithmetic, and names it so. */
    bool scalar_divide = result->ndim == 0 && result->dtype == RP_FLOAT64;
    if (rp_emit_warnings(warnings, "reduce", scalar_divide ? "scalar divide" : "divide") != 0) {
        rp_array_free(result);
        return NULL;
    }
    if (out != NULL && out != Py_None) {
        rp_array *view = NULL, *target = rp_output_array(state, out, &view);
        status = target != NULL ? rp_array_assign(target, result) : RP_OK;
        rp_array_free(result);
        rp_array_free(view);
        if (target == NULL) {
            return NULL;
        }
        return status != RP_OK ? rp_raise_status(state, status) : Py_NewRef(out);
    }
    return rp_compute_result(state, result);
}

/* ===================================================================== signatures */

enum { ARG_AXIS, ARG_DTYPE, ARG_OUT, ARG_DDOF, ARG_KEEPDIMS, NARGS };

/* NumPy's parameter lists, by reduction family; `slot` maps each name to an ARG_* value. */
typedef struct signature {
    const char *const *names;
    const int *slots;
    int count;
} signature;

static const char *const sum_names[] = {"axis", "dtype", "out", "keepdims"};
static const int sum_slots[] = {ARG_AXIS, ARG_DTYPE, ARG_OUT, ARG_KEEPDIMS};
static const char *const min_names[] = {"axis", "out", "keepdims"};
static const int min_slots[] = {ARG_AXIS, ARG_OUT, ARG_KEEPDIMS};
static const char *const var_names[] = {"axis", "dtype", "out", "ddof", "keepdims"};
static const int var_slots[] = {ARG_AXIS, ARG_DTYPE, ARG_OUT, ARG_DDOF, ARG_KEEPDIMS};

static signature signature_of(rp_reduction op)
{
    switch (op) {
    case RP_REDUCE_SUM:
    case RP_REDUCE_PROD:
    case RP_REDUCE_MEAN: return (signature){sum_names, sum_slots, 4};
    case RP_REDUCE_VAR:
    case RP_REDUCE_STD: return (signature){var_names, var_slots, 5};
    default: return (signature){min_names, min_slots, 3};
    }
}

/* a.<op>(axis=None, ...) when `self` is given, else raptors.<op>(a, axis=None, ...). */
static PyObject *reduce_entry(rp_module_state *state, PyObject *self, rp_reduction op,
                              PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    signature sig = signature_of(op);
    const char *names[1 + NARGS];
    PyObject *values[1 + NARGS];
    int first = self == NULL; /* functions take the array as their first parameter */
    names[0] = "a";
    for (int i = 0; i < sig.count; i++) {
        names[1 + i] = sig.names[i];
    }
    if (rp_parse_arguments(rp_reduction_name(op), args, nargs, kwnames, first ? names : names + 1,
                           first + sig.count, first + sig.count, first,
                           first ? values : values + 1) != 0) {
        return NULL;
    }
    PyObject *by_slot[NARGS] = {NULL};
    for (int i = 0; i < sig.count; i++) {
        by_slot[sig.slots[i]] = values[1 + i];
    }
    return rp_reduce_object(state, op, first ? values[0] : self, by_slot[ARG_AXIS],
                            by_slot[ARG_DTYPE], by_slot[ARG_OUT], by_slot[ARG_KEEPDIMS],
                            by_slot[ARG_DDOF]);
}

#define DEFINE_REDUCTION(NAME, OP)                                                               \
    static PyObject *method_##NAME(PyObject *self, PyObject *const *args, Py_ssize_t nargs,      \
                                   PyObject *kwnames)                                            \
    {                                                                                            \
        return reduce_entry(rp_state_from_type(Py_TYPE(self)), self, OP, args, nargs,            \
                            kwnames);                                                            \
    }                                                                                            \
    static PyObject *function_##NAME(PyObject *module, PyObject *const *args,                    \
                                     Py_ssize_t nargs, PyObject *kwnames)                        \
    {                                                                                            \
        return reduce_entry(rp_state_from_module(module), NULL, OP, args, nargs, kwnames);       \
    }

DEFINE_REDUCTION(sum, RP_REDUCE_SUM)
DEFINE_REDUCTION(prod, RP_REDUCE_PROD)
DEFINE_REDUCTION(min, RP_REDUCE_MIN)
DEFINE_REDUCTION(max, RP_REDUCE_MAX)
DEFINE_REDUCTION(argmin, RP_REDUCE_ARGMIN)
DEFINE_REDUCTION(argmax, RP_REDUCE_ARGMAX)
DEFINE_REDUCTION(mean, RP_REDUCE_MEAN)
DEFINE_REDUCTION(var, RP_REDUCE_VAR)
DEFINE_REDUCTION(std, RP_REDUCE_STD)
DEFINE_REDUCTION(any, RP_REDUCE_ANY)
DEFINE_REDUCTION(all, RP_REDUCE_ALL)

/* a.sum_axis(k) == a.sum(axis=k); a.mean_axis(k) == a.mean(axis=k) (original Raptors names) */
static PyObject *method_sum_axis(PyObject *self, PyObject *axis)
{
    return rp_reduce_object(rp_state_from_type(Py_TYPE(self)), RP_REDUCE_SUM, self, axis, NULL,
                            NULL, NULL, NULL);
}

static PyObject *method_mean_axis(PyObject *self, PyObject *axis)
{
    return rp_reduce_object(rp_state_from_type(Py_TYPE(self)), RP_REDUCE_MEAN, self, axis, NULL,
                            NULL, NULL, NULL);
}

/* ===================================================================== tables */

#define FASTCALL_KW(fn) (PyCFunction)(void (*)(void))(fn), METH_FASTCALL | METH_KEYWORDS

PyMethodDef rp_array_compute_methods[] = {
    {"sum", FASTCALL_KW(method_sum), "a.sum(axis=None, dtype=None, out=None, keepdims=False)"},
    {"prod", FASTCALL_KW(method_prod), "a.prod(axis=None, dtype=None, out=None, keepdims=False)"},
    {"min", FASTCALL_KW(method_min), "a.min(axis=None, out=None, keepdims=False)"},
    {"max", FASTCALL_KW(method_max), "a.max(axis=None, out=None, keepdims=False)"},
    {"argmin", FASTCALL_KW(method_argmin), "a.argmin(axis=None, out=None, keepdims=False)"},
    {"argmax", FASTCALL_KW(method_argmax), "a.argmax(axis=None, out=None, keepdims=False)"},
    {"mean", FASTCALL_KW(method_mean), "a.mean(axis=None, dtype=None, out=None, keepdims=False)"},
    {"var", FASTCALL_KW(method_var),
     "a.var(axis=None, dtype=None, out=None, ddof=0, keepdims=False)"},
    {"std", FASTCALL_KW(method_std),
     "a.std(axis=None, dtype=None, out=None, ddof=0, keepdims=False)"},
    {"any", FASTCALL_KW(method_any), "a.any(axis=None, out=None, keepdims=False)"},
    {"all", FASTCALL_KW(method_all), "a.all(axis=None, out=None, keepdims=False)"},
    {"sum_axis", method_sum_axis, METH_O, "a.sum_axis(k) == a.sum(axis=k) (original name)."},
    {"mean_axis", method_mean_axis, METH_O, "a.mean_axis(k) == a.mean(axis=k) (original name)."},
    {NULL, NULL, 0, NULL},
};

PyMethodDef rp_reduction_functions[] = {
    {"sum", FASTCALL_KW(function_sum), "sum(a, axis=None, dtype=None, out=None, keepdims=False)"},
    {"prod", FASTCALL_KW(function_prod),
     "prod(a, axis=None, dtype=None, out=None, keepdims=False)"},
    {"min", FASTCALL_KW(function_min), "min(a, axis=None, out=None, keepdims=False)"},
    {"max", FASTCALL_KW(function_max), "max(a, axis=None, out=None, keepdims=False)"},
    {"argmin", FASTCALL_KW(function_argmin), "argmin(a, axis=None, out=None, keepdims=False)"},
    {"argmax", FASTCALL_KW(function_argmax), "argmax(a, axis=None, out=None, keepdims=False)"},
    {"mean", FASTCALL_KW(function_mean),
     "mean(a, axis=None, dtype=None, out=None, keepdims=False)"},
    {"var", FASTCALL_KW(function_var),
     "var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False)"},
    {"std", FASTCALL_KW(function_std),
     "std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False)"},
    {"any", FASTCALL_KW(function_any), "any(a, axis=None, out=None, keepdims=False)"},
    {"all", FASTCALL_KW(function_all), "all(a, axis=None, out=None, keepdims=False)"},
    {NULL, NULL, 0, NULL},
};
