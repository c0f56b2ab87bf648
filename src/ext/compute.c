/*
 * compute.c — how the binding calls the compute core: operands in, one core call, results and
 * warnings out; plus the argument parser and the registration shared by the compute files.
 *
 * Sections: operands, calling the core, results and warnings, argument parsing, registration.
 * An operand that is a raptors array is used as is, a NumPy array is wrapped without a copy,
 * and a Python int/float/bool becomes a NEP 50 weak scalar. The core runs without the GIL when
 * the work is large; its warning bits become RuntimeWarnings once the GIL is back.
 */
#include "compute_binding.h"

#include <math.h>

/* ===================================================================== operands */

typedef struct py_operand {
    rp_operand operand;
    rp_array *owned;          /* converted here; freed after the call */
    int huge;                 /* a Python int beyond int64: its sign (+1 / -1), else 0 */
    PyObject *object;
} py_operand;

enum { CONVERT_OK = 0, CONVERT_ERROR = -1, CONVERT_UNSUPPORTED = 1 };

static void release_operand(py_operand *operand) { rp_array_free(operand->owned); }

/* Python floats are weak; NumPy's float64 scalars (a float subclass exposing a buffer) are not. */
static int is_weak_float(PyObject *obj)
{
    return PyFloat_CheckExact(obj) || (PyFloat_Check(obj) && !PyObject_CheckBuffer(obj));
}

/* Converts one operand. In operator mode a type we cannot read gives CONVERT_UNSUPPORTED (the
 * caller returns NotImplemented so Python may try the other operand). */
static int convert_operand(rp_module_state *state, PyObject *obj, int operator_mode,
                           py_operand *out)
{
    out->owned = NULL;
    out->huge = 0;
    out->object = obj;
    out->operand.array = NULL;
    out->operand.weak = false;
    if (rp_is_array(state, obj)) {
        out->operand.array = ((RpArrayObject *)obj)->array;
        return CONVERT_OK;
    }
    if (PyBool_Check(obj)) {
        out->operand = rp_operand_scalar((rp_scalar){.dtype = RP_BOOL, .value.b = obj == Py_True},
                                         true);
        return CONVERT_OK;
    }
    if (PyLong_Check(obj)) {
        int overflow;
        long long value = PyLong_AsLongLongAndOverflow(obj, &overflow);
        if (value == -1 && PyErr_Occurred()) {
            return CONVERT_ERROR;
        }
        out->huge = overflow;
        out->operand = rp_operand_scalar((rp_scalar){.dtype = RP_INT64, .value.i64 = value},
                                         true);
        return CONVERT_OK;
    }
    if (is_weak_float(obj)) {
        out->operand = rp_operand_scalar(
            (rp_scalar){.dtype = RP_FLOAT64, .value.f64 = PyFloat_AsDouble(obj)}, true);
        return CONVERT_OK;
    }
    out->owned = rp_array_from_object(state, obj, RP_NTYPES);
    if (out->owned == NULL) {
        if (operator_mode && PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            return CONVERT_UNSUPPORTED;
        }
        return CONVERT_ERROR;
    }
    out->operand.array = out->owned;
    return CONVERT_OK;
}

static rp_dtype operand_dtype(const py_operand *operand)
{
    return operand->operand.array != NULL ? operand->operand.array->dtype
                                          : operand->operand.scalar.dtype;
}

static bool is_comparison(rp_binary_op op)
{
    return op >= RP_BIN_EQUAL && op <= RP_BIN_GREATER_EQUAL;
}

/* A Python int beyond int64 next to `other`, as NumPy 2 treats it: its float value next to
 * floats and in true division; +-inf when compared with an integer array (which then orders
 * exactly); an OverflowError otherwise, and always in logical and/or. */
static int settle_huge_int(rp_binary_op op, py_operand *self, const py_operand *other)
{
    if (!self->huge) {
        return 0;
    }
    double value;
    rp_dtype other_dtype = operand_dtype(other);
    bool logical = op == RP_BIN_LOGICAL_AND || op == RP_BIN_LOGICAL_OR;
    if (!logical && ((rp_dtype_is_float(other_dtype) && !other->huge) || op == RP_BIN_DIVIDE)) {
        value = PyLong_AsDouble(self->object);
        if (value == -1.0 && PyErr_Occurred()) {
            return -1;
        }
    } else if (is_comparison(op) && rp_dtype_is_integer(other_dtype) && !other->huge) {
        value = self->huge > 0 ? INFINITY : -INFINITY;
    } else {
        PyLong_AsLong(self->object); /* raises CPython's own OverflowError, as NumPy does */
        return -1;
    }
    self->operand.scalar = (rp_scalar){.dtype = RP_FLOAT64, .value.f64 = value};
    return 0;
}

static int64_t operand_size(const py_operand *operand)
{
    return operand->operand.array != NULL ? rp_array_size(operand->operand.array) : 1;
}

/* ===================================================================== calling the core */

PyObject *rp_binary_call(rp_module_state *state, rp_binary_op op, PyObject *a, PyObject *b,
                         PyObject *out_obj, int operator_mode)
{
    py_operand x, y;
    int converted = convert_operand(state, a, operator_mode, &x);
    if (converted != CONVERT_OK) {
        return converted == CONVERT_UNSUPPORTED ? Py_NewRef(Py_NotImplemented) : NULL;
    }
    converted = convert_operand(state, b, operator_mode, &y);
    if (converted != CONVERT_OK) {
        release_operand(&x);
        return converted == CONVERT_UNSUPPORTED ? Py_NewRef(Py_NotImplemented) : NULL;
    }
    rp_array *out = NULL, *out_view = NULL;
    if (out_obj != NULL && out_obj != Py_None) {
        out = rp_output_array(state, out_obj, &out_view);
        if (out == NULL) {
            goto fail;
        }
    }
    if (settle_huge_int(op, &x, &y) != 0 || settle_huge_int(op, &y, &x) != 0) {
        rp_array_free(out_view);
        goto fail;
    }
    rp_array *result = NULL;
    int warnings = 0;
    rp_status status;
    int64_t work = operand_size(&x) > operand_size(&y) ? operand_size(&x) : operand_size(&y);
    RP_WITHOUT_GIL_IF(work, status = rp_binary(op, &x.operand, &y.operand, out, &result,
                                               &warnings));
    release_operand(&x);
    release_operand(&y);
    rp_array_free(out_view);
    if (status != RP_OK) {
        return rp_raise_status(state, status);
    }
    if (rp_emit_warnings(warnings, rp_binary_op_name(op), "divide") != 0) {
        rp_array_free(result);
        return NULL;
    }
    return out != NULL ? Py_NewRef(out_obj) : rp_compute_result(state, result);

fail:
    release_operand(&x);
    release_operand(&y);
    return NULL;
}

PyObject *rp_unary_call(rp_module_state *state, rp_unary_op op, PyObject *a, PyObject *out_obj)
{
    rp_array *owned = NULL, *input;
    if (rp_is_array(state, a)) {
        input = ((RpArrayObject *)a)->array;
    } else {
        input = owned = rp_array_from_object(state, a, RP_NTYPES);
        if (input == NULL) {
            return NULL;
        }
    }
    rp_array *out = NULL, *out_view = NULL;
    if (out_obj != NULL && out_obj != Py_None) {
        out = rp_output_array(state, out_obj, &out_view);
        if (out == NULL) {
            rp_array_free(owned);
            return NULL;
        }
    }
    rp_array *result = NULL;
    int warnings = 0;
    rp_status status;
    RP_WITHOUT_GIL_IF(rp_array_size(input),
                      status = rp_unary(op, input, out, &result, &warnings));
    rp_array_free(owned);
    rp_array_free(out_view);
    if (status != RP_OK) {
        return rp_raise_status(state, status);
    }
    if (rp_emit_warnings(warnings, rp_unary_op_name(op), "divide") != 0) {
        rp_array_free(result);
        return NULL;
    }
    return out != NULL ? Py_NewRef(out_obj) : rp_compute_result(state, result);
}

rp_array *rp_output_array(rp_module_state *state, PyObject *out, rp_array **view)
{
    *view = NULL;
    if (rp_is_array(state, out)) {
        return ((RpArrayObject *)out)->array;
    }
    if (PyObject_CheckBuffer(out) && !PyBytes_Check(out)) {
        *view = rp_array_from_object(state, out, RP_NTYPES);
        return *view;
    }
    PyErr_SetString(PyExc_TypeError, "return arrays must be of ArrayType");
    return NULL;
}

rp_module_state *rp_state_of_operands(PyObject *a, PyObject *b)
{
    PyModuleDef *def = &rp_module_def;
    PyObject *module = PyType_GetModuleByDef(Py_TYPE(a), def);
    if (module == NULL) {
        PyErr_Clear();
        module = PyType_GetModuleByDef(Py_TYPE(b), def);
    }
    return module != NULL ? rp_state_from_module(module) : NULL;
}

/* ===================================================================== results and warnings */

PyObject *rp_compute_result(rp_module_state *state, rp_array *array)
{
    if (array->ndim != 0 || state->scalar_types == NULL) {
        return rp_wrap_array(state, array);
    }
    rp_scalar value;
    rp_array_get_flat(array, 0, &value);
    rp_array_free(array);
    PyObject *plain = rp_scalar_to_object(&value);
    if (plain == NULL) {
        return NULL;
    }
    PyObject *scalar = PyObject_CallOneArg(PyTuple_GET_ITEM(state->scalar_types, value.dtype),
                                           plain);
    Py_DECREF(plain);
    return scalar;
}

int rp_emit_warnings(int warnings, const char *op_name, const char *divide_name)
{
    static const char *const conditions[] = {"divide by zero", "overflow", "invalid value"};
    /* NumPy's order: the notices of mean/var, then the steps as they run. */
    const struct {
        int shift;
        const char *name;
    } steps[] = {
        {RP_WARN_STEP_MEAN_DIVIDE, "divide"}, {RP_WARN_STEP_SUBTRACT, "subtract"},
        {RP_WARN_STEP_SQUARE, "square"},      {0, op_name},
        {RP_WARN_STEP_DIVIDE, divide_name},
    };
    if ((warnings & RP_WARN_EMPTY_MEAN) &&
        PyErr_WarnEx(PyExc_RuntimeWarning, "Mean of empty slice", 1) != 0) {
        return -1;
    }
    if ((warnings & RP_WARN_DEGREES_OF_FREEDOM) &&
        PyErr_WarnEx(PyExc_RuntimeWarning, "Degrees of freedom <= 0 for slice", 1) != 0) {
        return -1;
    }
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        int bits = (warnings >> steps[s].shift) & RP_WARN_FP_BITS;
        for (int c = 0; c < 3; c++) {
            if (!(bits & (1 << c))) {
                continue;
            }
            char text[128];
            PyOS_snprintf(text, sizeof text, "%s encountered in %s", conditions[c],
                          steps[s].name);
            if (PyErr_WarnEx(PyExc_RuntimeWarning, text, 1) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* ===================================================================== argument parsing */

int rp_parse_arguments(const char *function, PyObject *const *args, Py_ssize_t nargs,
                       PyObject *kwnames, const char *const *names, int nnames,
                       int max_positional, int required, PyObject **values)
{
    if (nargs > max_positional) {
        PyErr_Format(PyExc_TypeError, "%s() takes at most %d positional arguments (%zd given)",
                     function, max_positional, nargs);
        return -1;
    }
    for (int i = 0; i < nnames; i++) {
        values[i] = i < nargs ? args[i] : NULL;
    }
    Py_ssize_t nkw = kwnames != NULL ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t k = 0; k < nkw; k++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, k);
        int found = -1;
        for (int i = 0; i < nnames && found < 0; i++) {
            if (PyUnicode_CompareWithASCIIString(key, names[i]) == 0) {
                found = i;
            }
        }
        if (found < 0) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%U'",
                         function, key);
            return -1;
        }
        if (values[found] != NULL) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", function,
                         names[found]);
            return -1;
        }
        values[found] = args[nargs + k];
    }
    for (int i = 0; i < required; i++) {
        if (values[i] == NULL) {
            PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s'", function,
                         names[i]);
            return -1;
        }
    }
    return 0;
}

/* ===================================================================== registration */

static int add_methods(PyTypeObject *type, PyMethodDef *methods)
{
    for (PyMethodDef *def = methods; def->ml_name != NULL; def++) {
        PyObject *descriptor = PyDescr_NewMethod(type, def);
        if (descriptor == NULL) {
            return -1;
        }
        int failed = PyObject_SetAttrString((PyObject *)type, def->ml_name, descriptor);
        Py_DECREF(descriptor);
        if (failed) {
            return -1;
        }
    }
    return 0;
}

int rp_compute_init(PyObject *module)
{
    rp_module_state *state = rp_state_from_module(module);
    PyTypeObject *type = state->array_type;
    if (add_methods(type, rp_elementwise_methods) != 0 ||
        add_methods(type, rp_array_compute_methods) != 0) {
        return -1;
    }
    PyObject *numpy = PyImport_ImportModule("numpy");
    if (numpy == NULL) {
        return -1;
    }
    static const char *const scalar_names[RP_NTYPES] = {"bool_", "int32", "int64", "float32",
                                                        "float64"};
    PyObject *types = PyTuple_New(RP_NTYPES);
    for (int t = 0; types != NULL && t < RP_NTYPES; t++) {
        PyObject *scalar_type = PyObject_GetAttrString(numpy, scalar_names[t]);
        if (scalar_type == NULL) {
            Py_CLEAR(types);
            break;
        }
        PyTuple_SET_ITEM(types, t, scalar_type);
    }
    Py_DECREF(numpy);
    if (types == NULL) {
        return -1;
    }
    Py_XSETREF(state->scalar_types, types);
    if (PyModule_AddFunctions(module, rp_compute_functions) != 0) {
        return -1;
    }
    return PyModule_AddFunctions(module, rp_reduction_functions);
}
