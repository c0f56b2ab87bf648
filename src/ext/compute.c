/*
 * compute.c — elementwise operations for Python: raptors.ndarray's operators (number protocol
 * and rich comparison), the ufunc-named module functions (add, less, isnan, ...), the original
 * Raptors names (a.add, a.scale, broadcast_add, scale_inplace, broadcast_add_inplace), and the
 * shared result/warning/argument helpers of compute_binding.h.
 *
 * Sections: operands, calling the core, results and warnings, operators, module functions,
 * original names, argument parsing, registration. Each operation converts its operands (a
 * raptors array is used as is, a NumPy array is wrapped without a copy, a Python int/float/bool
 * becomes a NEP 50 weak scalar), makes one core call (without the GIL when large), then turns
 * the core's warning bits into RuntimeWarnings.
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

/* a OP b, into `out` (a raptors array object) when given. Returns a new reference, NULL with
 * an exception, or Py_NotImplemented in operator mode for unsupported operand types. */
static PyObject *binary_call(rp_module_state *state, rp_binary_op op, PyObject *a, PyObject *b,
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

static PyObject *unary_call(rp_module_state *state, rp_unary_op op, PyObject *a,
                            PyObject *out_obj)
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

static rp_module_state *state_of_operands(PyObject *a, PyObject *b)
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

/* ===================================================================== operators */

#define DEFINE_OPERATOR(NAME, OP)                                                              \
    PyObject *rp_array_##NAME(PyObject *a, PyObject *b)                                        \
    {                                                                                          \
        rp_module_state *state = state_of_operands(a, b);                                      \
        return state == NULL ? NULL : binary_call(state, OP, a, b, NULL, 1);                   \
    }                                                                                          \
    PyObject *rp_array_inplace_##NAME(PyObject *a, PyObject *b)                                \
    {                                                                                          \
        rp_module_state *state = state_of_operands(a, b);                                      \
        return state == NULL ? NULL : binary_call(state, OP, a, b, a, 1);                      \
    }

DEFINE_OPERATOR(add, RP_BIN_ADD)
DEFINE_OPERATOR(subtract, RP_BIN_SUBTRACT)
DEFINE_OPERATOR(multiply, RP_BIN_MULTIPLY)
DEFINE_OPERATOR(true_divide, RP_BIN_DIVIDE)
DEFINE_OPERATOR(floor_divide, RP_BIN_FLOOR_DIVIDE)
DEFINE_OPERATOR(remainder, RP_BIN_REMAINDER)
DEFINE_OPERATOR(and, RP_BIN_BITWISE_AND)
DEFINE_OPERATOR(or, RP_BIN_BITWISE_OR)
DEFINE_OPERATOR(xor, RP_BIN_BITWISE_XOR)

static int check_no_modulo(PyObject *modulo)
{
    if (modulo != Py_None) {
        PyErr_SetString(PyExc_TypeError, "pow() with a modulo is not supported by raptors");
        return -1;
    }
    return 0;
}

PyObject *rp_array_power(PyObject *a, PyObject *b, PyObject *modulo)
{
    rp_module_state *state = state_of_operands(a, b);
    if (state == NULL || check_no_modulo(modulo) != 0) {
        return NULL;
    }
    return binary_call(state, RP_BIN_POWER, a, b, NULL, 1);
}

PyObject *rp_array_inplace_power(PyObject *a, PyObject *b, PyObject *modulo)
{
    rp_module_state *state = state_of_operands(a, b);
    if (state == NULL || check_no_modulo(modulo) != 0) {
        return NULL;
    }
    return binary_call(state, RP_BIN_POWER, a, b, a, 1);
}

#define DEFINE_UNARY_OPERATOR(NAME, OP)                                                        \
    PyObject *rp_array_##NAME(PyObject *a)                                                     \
    {                                                                                          \
        return unary_call(rp_state_from_type(Py_TYPE(a)), OP, a, NULL);                        \
    }

DEFINE_UNARY_OPERATOR(negative, RP_UN_NEGATIVE)
DEFINE_UNARY_OPERATOR(absolute, RP_UN_ABSOLUTE)
DEFINE_UNARY_OPERATOR(invert, RP_UN_INVERT)

/* +a: a copy, as NumPy's positive (which refuses bool). */
PyObject *rp_array_positive(PyObject *a)
{
    rp_module_state *state = rp_state_from_type(Py_TYPE(a));
    rp_array *array = ((RpArrayObject *)a)->array;
    if (array->dtype == RP_BOOL) {
        PyErr_SetString(PyExc_TypeError,
                        "ufunc 'positive' did not contain a loop with signature matching types "
                        "<class 'numpy.dtypes.BoolDType'> -> None");
        return NULL;
    }
    rp_array *copy = NULL;
    rp_status status = rp_array_copy(array, array->dtype, RP_ORDER_C, &copy);
    return status != RP_OK ? rp_raise_status(state, status) : rp_compute_result(state, copy);
}

int rp_array_bool(PyObject *a)
{
    rp_array *array = ((RpArrayObject *)a)->array;
    int64_t size = rp_array_size(array);
    if (size != 1) {
        PyErr_SetString(PyExc_ValueError,
                        size == 0 ? "The truth value of an empty array is ambiguous. Use "
                                    "`array.size > 0` to check that an array is not empty."
                                  : "The truth value of an array with more than one element is "
                                    "ambiguous. Use a.any() or a.all()");
        return -1;
    }
    rp_scalar value, truth;
    rp_array_get_flat(array, 0, &value);
    rp_scalar_cast(&value, RP_BOOL, &truth);
    return truth.value.b;
}

PyObject *rp_array_richcompare(PyObject *a, PyObject *b, int op)
{
    static const rp_binary_op ops[] = {
        [Py_LT] = RP_BIN_LESS,  [Py_LE] = RP_BIN_LESS_EQUAL,    [Py_EQ] = RP_BIN_EQUAL,
        [Py_NE] = RP_BIN_NOT_EQUAL, [Py_GT] = RP_BIN_GREATER, [Py_GE] = RP_BIN_GREATER_EQUAL,
    };
    rp_module_state *state = state_of_operands(a, b);
    return state == NULL ? NULL : binary_call(state, ops[op], a, b, NULL, 1);
}

/* ===================================================================== module functions */

/* f(x1, x2, out=None) */
static PyObject *binary_function(PyObject *module, rp_binary_op op, PyObject *const *args,
                                 Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"x1", "x2", "out"};
    PyObject *values[3];
    if (rp_parse_arguments(rp_binary_op_name(op), args, nargs, kwnames, names, 3, 3, 2, values) !=
        0) {
        return NULL;
    }
    return binary_call(rp_state_from_module(module), op, values[0], values[1], values[2], 0);
}

/* f(x, out=None) */
static PyObject *unary_function(PyObject *module, rp_unary_op op, PyObject *const *args,
                                Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"x", "out"};
    PyObject *values[2];
    if (rp_parse_arguments(rp_unary_op_name(op), args, nargs, kwnames, names, 2, 2, 1, values) !=
        0) {
        return NULL;
    }
    return unary_call(rp_state_from_module(module), op, values[0], values[1]);
}

#define DEFINE_BINARY_FUNCTION(NAME, OP)                                                       \
    static PyObject *function_##NAME(PyObject *module, PyObject *const *args,                  \
                                     Py_ssize_t nargs, PyObject *kwnames)                      \
    {                                                                                          \
        return binary_function(module, OP, args, nargs, kwnames);                              \
    }
#define DEFINE_UNARY_FUNCTION(NAME, OP)                                                        \
    static PyObject *function_##NAME(PyObject *module, PyObject *const *args,                  \
                                     Py_ssize_t nargs, PyObject *kwnames)                      \
    {                                                                                          \
        return unary_function(module, OP, args, nargs, kwnames);                               \
    }

DEFINE_BINARY_FUNCTION(add, RP_BIN_ADD)
DEFINE_BINARY_FUNCTION(subtract, RP_BIN_SUBTRACT)
DEFINE_BINARY_FUNCTION(multiply, RP_BIN_MULTIPLY)
DEFINE_BINARY_FUNCTION(divide, RP_BIN_DIVIDE)
DEFINE_BINARY_FUNCTION(floor_divide, RP_BIN_FLOOR_DIVIDE)
DEFINE_BINARY_FUNCTION(remainder, RP_BIN_REMAINDER)
DEFINE_BINARY_FUNCTION(power, RP_BIN_POWER)
DEFINE_BINARY_FUNCTION(maximum, RP_BIN_MAXIMUM)
DEFINE_BINARY_FUNCTION(minimum, RP_BIN_MINIMUM)
DEFINE_BINARY_FUNCTION(equal, RP_BIN_EQUAL)
DEFINE_BINARY_FUNCTION(not_equal, RP_BIN_NOT_EQUAL)
DEFINE_BINARY_FUNCTION(less, RP_BIN_LESS)
DEFINE_BINARY_FUNCTION(less_equal, RP_BIN_LESS_EQUAL)
DEFINE_BINARY_FUNCTION(greater, RP_BIN_GREATER)
DEFINE_BINARY_FUNCTION(greater_equal, RP_BIN_GREATER_EQUAL)
DEFINE_BINARY_FUNCTION(logical_and, RP_BIN_LOGICAL_AND)
DEFINE_BINARY_FUNCTION(logical_or, RP_BIN_LOGICAL_OR)
DEFINE_BINARY_FUNCTION(bitwise_and, RP_BIN_BITWISE_AND)
DEFINE_BINARY_FUNCTION(bitwise_or, RP_BIN_BITWISE_OR)
DEFINE_BINARY_FUNCTION(bitwise_xor, RP_BIN_BITWISE_XOR)
DEFINE_UNARY_FUNCTION(negative, RP_UN_NEGATIVE)
DEFINE_UNARY_FUNCTION(absolute, RP_UN_ABSOLUTE)
DEFINE_UNARY_FUNCTION(isnan, RP_UN_ISNAN)
DEFINE_UNARY_FUNCTION(isfinite, RP_UN_ISFINITE)
DEFINE_UNARY_FUNCTION(logical_not, RP_UN_LOGICAL_NOT)
DEFINE_UNARY_FUNCTION(invert, RP_UN_INVERT)

/* ===================================================================== original names */

/* a.add(b) == a + b */
static PyObject *method_add(PyObject *self, PyObject *other)
{
    return binary_call(rp_state_from_type(Py_TYPE(self)), RP_BIN_ADD, self, other, NULL, 0);
}

/* a.scale(f) == a * f */
static PyObject *method_scale(PyObject *self, PyObject *factor)
{
    return binary_call(rp_state_from_type(Py_TYPE(self)), RP_BIN_MULTIPLY, self, factor, NULL,
                       0);
}

/* broadcast_add(a, v) == a + v */
static PyObject *function_broadcast_add(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "broadcast_add() takes exactly 2 arguments");
        return NULL;
    }
    return binary_call(rp_state_from_module(module), RP_BIN_ADD, args[0], args[1], NULL, 0);
}

/* The in-place originals write into `target`'s own memory: a raptors array, or a NumPy array
 * (or any writable buffer) through a zero-copy view. */
static PyObject *inplace_original(PyObject *module, rp_binary_op op, const char *name,
                                  PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "%s() takes exactly 2 arguments", name);
        return NULL;
    }
    rp_module_state *state = rp_state_from_module(module);
    PyObject *target = args[0];
    if (!rp_is_array(state, target) && !PyObject_CheckBuffer(target)) {
        PyErr_Format(PyExc_TypeError, "%s() needs an array to modify in place, got '%.100s'",
                     name, Py_TYPE(target)->tp_name);
        return NULL;
    }
    PyObject *result = binary_call(state, op, target, args[1], target, 0);
    if (result == NULL) {
        return NULL;
    }
    Py_DECREF(result);
    Py_RETURN_NONE;
}

/* scale_inplace(a, f): a *= f */
static PyObject *function_scale_inplace(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    return inplace_original(module, RP_BIN_MULTIPLY, "scale_inplace", args, nargs);
}

/* broadcast_add_inplace(a, v): a += v */
static PyObject *function_broadcast_add_inplace(PyObject *module, PyObject *const *args,
                                                Py_ssize_t nargs)
{
    return inplace_original(module, RP_BIN_ADD, "broadcast_add_inplace", args, nargs);
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

#define FASTCALL_KW(fn) (PyCFunction)(void (*)(void))(fn), METH_FASTCALL | METH_KEYWORDS
#define FASTCALL(fn) (PyCFunction)(void (*)(void))(fn), METH_FASTCALL

PyMethodDef rp_compute_functions[] = {
    {"add", FASTCALL_KW(function_add), "add(x1, x2, out=None): x1 + x2 elementwise."},
    {"subtract", FASTCALL_KW(function_subtract), "subtract(x1, x2, out=None)"},
    {"multiply", FASTCALL_KW(function_multiply), "multiply(x1, x2, out=None)"},
    {"divide", FASTCALL_KW(function_divide), "divide(x1, x2, out=None): true division."},
    {"true_divide", FASTCALL_KW(function_divide), "true_divide(x1, x2, out=None)"},
    {"floor_divide", FASTCALL_KW(function_floor_divide), "floor_divide(x1, x2, out=None)"},
    {"remainder", FASTCALL_KW(function_remainder), "remainder(x1, x2, out=None)"},
    {"mod", FASTCALL_KW(function_remainder), "mod(x1, x2, out=None): remainder."},
    {"power", FASTCALL_KW(function_power), "power(x1, x2, out=None)"},
    {"maximum", FASTCALL_KW(function_maximum), "maximum(x1, x2, out=None): NaN propagates."},
    {"minimum", FASTCALL_KW(function_minimum), "minimum(x1, x2, out=None): NaN propagates."},
    {"equal", FASTCALL_KW(function_equal), "equal(x1, x2, out=None)"},
    {"not_equal", FASTCALL_KW(function_not_equal), "not_equal(x1, x2, out=None)"},
    {"less", FASTCALL_KW(function_less), "less(x1, x2, out=None)"},
    {"less_equal", FASTCALL_KW(function_less_equal), "less_equal(x1, x2, out=None)"},
    {"greater", FASTCALL_KW(function_greater), "greater(x1, x2, out=None)"},
    {"greater_equal", FASTCALL_KW(function_greater_equal), "greater_equal(x1, x2, out=None)"},
    {"logical_and", FASTCALL_KW(function_logical_and), "logical_and(x1, x2, out=None)"},
    {"logical_or", FASTCALL_KW(function_logical_or), "logical_or(x1, x2, out=None)"},
    {"bitwise_and", FASTCALL_KW(function_bitwise_and), "bitwise_and(x1, x2, out=None)"},
    {"bitwise_or", FASTCALL_KW(function_bitwise_or), "bitwise_or(x1, x2, out=None)"},
    {"bitwise_xor", FASTCALL_KW(function_bitwise_xor), "bitwise_xor(x1, x2, out=None)"},
    {"negative", FASTCALL_KW(function_negative), "negative(x, out=None)"},
    {"absolute", FASTCALL_KW(function_absolute), "absolute(x, out=None)"},
    {"abs", FASTCALL_KW(function_absolute), "abs(x, out=None): absolute."},
    {"isnan", FASTCALL_KW(function_isnan), "isnan(x, out=None)"},
    {"isfinite", FASTCALL_KW(function_isfinite), "isfinite(x, out=None)"},
    {"logical_not", FASTCALL_KW(function_logical_not), "logical_not(x, out=None)"},
    {"invert", FASTCALL_KW(function_invert), "invert(x, out=None): bitwise not."},
    {"broadcast_add", FASTCALL(function_broadcast_add),
     "broadcast_add(a, v): a + v with broadcasting (original Raptors name)."},
    {"scale_inplace", FASTCALL(function_scale_inplace),
     "scale_inplace(a, f): a *= f in a's own memory (original Raptors name)."},
    {"broadcast_add_inplace", FASTCALL(function_broadcast_add_inplace),
     "broadcast_add_inplace(a, v): a += v in a's own memory (original Raptors name)."},
    {NULL, NULL, 0, NULL},
};

/* Methods of raptors.ndarray added by compute; the reductions come from reductions.c. */
static PyMethodDef elementwise_methods[] = {
    {"add", method_add, METH_O, "a.add(b) == a + b (original Raptors name)."},
    {"scale", method_scale, METH_O, "a.scale(f) == a * f (original Raptors name)."},
    {NULL, NULL, 0, NULL},
};

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
    if (add_methods(type, elementwise_methods) != 0 ||
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
