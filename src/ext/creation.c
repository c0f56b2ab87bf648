/*
 * creation.c — module functions that make arrays: empty, full, empty_like, array, asarray, eye,
 * and the argument-checked cores of arange and linspace.
 *
 * The Python package builds the rest of NumPy's family (zeros, ones, *_like, the argument
 * juggling of arange and linspace) on these; every loop over data runs in the C core.
 */
#include "binding.h"

/* A shape argument and an order that must be 'C' or 'F' (as for NumPy's empty and full);
 * returns ndim, or -1 with an exception set. */
static int parse_shape_and_layout(PyObject *shape_obj, PyObject *order_obj, int64_t *shape,
                                  rp_order *layout)
{
    char order;
    int ndim = rp_shape_from_object(shape_obj, shape);
    if (ndim < 0 || rp_order_from_object(order_obj, 'C', &order) != 0) {
        return -1;
    }
    if (order != 'C' && order != 'F') {
        PyErr_SetString(PyExc_ValueError, "only 'C' or 'F' order is permitted");
        return -1;
    }
    *layout = order == 'F' ? RP_ORDER_F : RP_ORDER_C;
    return ndim;
}

/* empty(shape, dtype=None, order='C') */
static PyObject *create_empty(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"shape", "dtype", "order", NULL};
    PyObject *shape_obj, *dtype_obj = Py_None, *order_obj = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OO:empty", keywords, &shape_obj,
                                     &dtype_obj, &order_obj)) {
        return NULL;
    }
    rp_module_state *state = rp_state_from_module(module);
    int64_t shape[RP_MAXDIMS];
    rp_order layout;
    int ndim = parse_shape_and_layout(shape_obj, order_obj, shape, &layout);
    int dtype = ndim < 0 ? -1 : rp_dtype_from_object(state, dtype_obj, 1);
    if (dtype < 0) {
        return NULL;
    }
    rp_array *array = NULL;
    rp_status status = rp_array_empty(dtype == RP_NTYPES ? RP_FLOAT64 : (rp_dtype)dtype, ndim,
                                      shape, layout, &array);
    if (status != RP_OK) {
        return rp_raise_status(state, status);
    }
    return rp_wrap_array(state, array);
}

/* full(shape, fill_value, dtype=None, order='C'); dtype None takes the fill value's dtype. The
 * fill value may be an array that broadcasts to the shape. As NumPy's full, which is
 * copyto(empty, fill_value, casting='unsafe'), the fill value becomes an array of its own dtype
 * that is cast with NumPy's cast warnings (NaN into int32 warns and stores the minimum); only a
 * Python int is first checked against dtype (NEP 50: OverflowError when it does not fit). */
static PyObject *create_full(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"shape", "fill_value", "dtype", "order", NULL};
    PyObject *shape_obj, *fill_obj, *dtype_obj = Py_None, *order_obj = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|OO:full", keywords, &shape_obj, &fill_obj,
                                     &dtype_obj, &order_obj)) {
        return NULL;
    }
    rp_module_state *state = rp_state_from_module(module);
    int64_t shape[RP_MAXDIMS];
    rp_order layout;
    int ndim = parse_shape_and_layout(shape_obj, order_obj, shape, &layout);
    int dtype = ndim < 0 ? -1 : rp_dtype_from_object(state, dtype_obj, 1);
    if (dtype < 0) {
        return NULL;
    }
    rp_array *fill = NULL;
    bool python_int = PyLong_Check(fill_obj) && !PyBool_Check(fill_obj);
    if (dtype == RP_NTYPES || !python_int) {
        fill = rp_array_from_object(state, fill_obj, RP_NTYPES);
        if (fill == NULL) {
            return NULL;
        }
        dtype = dtype == RP_NTYPES ? (int)fill->dtype : dtype;
    }
    rp_array *array = NULL;
    rp_status status = rp_array_empty((rp_dtype)dtype, ndim, shape, layout, &array);
    int failed;
    if (status != RP_OK) {
        failed = 1;
        rp_raise_status(state, status);
    } else if (fill != NULL) {
        int warnings = 0;
        status = rp_array_assign_checked(array, fill, &warnings);
        failed = status != RP_OK;
        if (failed) {
            rp_raise_status(state, status);
        } else {
            failed = rp_warn_cast(warnings) != 0;
        }
    } else {
        failed = rp_assign_from_object(state, array, fill_obj, false) != 0;
    }
    rp_array_free(fill);
    if (failed) {
        rp_array_free(array);
        return NULL;
    }
    return rp_wrap_array(state, array);
}

/* empty_like(prototype, dtype=None, order='K', shape=None) */
static PyObject *create_empty_like(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"prototype", "dtype", "order", "shape", NULL};
    PyObject *prototype_obj, *dtype_obj = Py_None, *order_obj = NULL, *shape_obj = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OOO:empty_like", keywords, &prototype_obj,
                                     &dtype_obj, &order_obj, &shape_obj)) {
        return NULL;
    }
    rp_module_state *state = rp_state_from_module(module);
    char order;
    int dtype = rp_dtype_from_object(state, dtype_obj, 1);
    if (dtype < 0 || rp_order_from_object(order_obj, 'K', &order) != 0) {
        return NULL;
    }
    int64_t shape[RP_MAXDIMS];
    int ndim = shape_obj == Py_None ? 0 : rp_shape_from_object(shape_obj, shape);
    if (ndim < 0) {
        return NULL;
    }
    rp_array *prototype = rp_array_from_object(state, prototype_obj, RP_NTYPES);
    if (prototype == NULL) {
        return NULL;
    }
    rp_dtype target = dtype == RP_NTYPES ? prototype->dtype : (rp_dtype)dtype;
    rp_array *array = NULL;
    rp_status status;
    if (shape_obj == Py_None && order == 'K') {
        status = rp_array_empty_like(prototype, target, &array);
    } else if (shape_obj == Py_None) {
        status = rp_array_empty(target, prototype->ndim, prototype->shape,
                                rp_resolve_order(prototype, order), &array);
    } else {
        status = rp_array_empty(target, ndim, shape, rp_resolve_order(prototype, order), &array);
    }
    rp_array_free(prototype);
    if (status != RP_OK) {
        return rp_raise_status(state, status);
    }
    return rp_wrap_array(state, array);
}

/* The shared body of array() and asarray(), with NumPy 2's copy semantics: copy=True always
 * copies, copy=None copies only when needed, copy=False raises ValueError when it would have to. */
static PyObject *convert_with_copy(PyObject *module, PyObject *obj, PyObject *dtype_obj,
                                   int copy, PyObject *order_obj, int ndmin)
{
    rp_module_state *state = rp_state_from_module(module);
    char order;
    int dtype = rp_dtype_from_object(state, dtype_obj, 1);
    if (dtype < 0 || rp_order_from_object(order_obj, 'K', &order) != 0) {
        return NULL;
    }
    if (ndmin < 0 || ndmin > RP_MAXDIMS) {
        PyErr_Format(PyExc_ValueError, "ndmin must be between 0 and %d", RP_MAXDIMS);
        return NULL;
    }
    int copied;
    rp_array *array = rp_array_convert(state, obj, dtype, &copied);
    if (array == NULL) {
        return NULL;
    }
    if (copy == 0 && copied) {
        rp_array_free(array);
        PyErr_SetString(PyExc_ValueError,
                        "Unable to avoid copy while creating an array as requested.");
        return NULL;
    }
    bool layout_ok = order == 'C'   ? rp_array_is_c_contiguous(array)
                     : order == 'F' ? rp_array_is_f_contiguous(array)
                                    : true;
    if (!layout_ok && copy == 0) {
        rp_array_free(array);
        PyErr_SetString(PyExc_ValueError,
                        "Unable to avoid copy while creating an array as requested.");
        return NULL;
    }
    if (!layout_ok || (copy == 1 && !copied)) {
        rp_array *relaid;
        int no_cast = 0;
        rp_status status = rp_copy_in_order(array, array->dtype, order, &relaid, &no_cast);
        rp_array_free(array);
        if (status != RP_OK) {
            return rp_raise_status(state, status);
        }
        array = relaid;
        copied = 1;
    }
    if (array->ndim < ndmin) {
        rp_index items[RP_MAXDIMS + 1];
        int added = ndmin - array->ndim;
        for (int i = 0; i < added; i++) {
            items[i] = (rp_index){.kind = RP_INDEX_NEWAXIS};
        }
        items[added] = (rp_index){.kind = RP_INDEX_ELLIPSIS};
        rp_array *expanded;
        rp_status status = rp_array_index(array, items, added + 1, &expanded);
        rp_array_free(array);
        if (status != RP_OK) {
            return rp_raise_status(state, status);
        }
        array = expanded;
    }
    if (!copied && rp_is_array(state, obj)) {
        /* Nothing changed: NumPy hands back the very same object. */
        const rp_array *source = ((RpArrayObject *)obj)->array;
        if (array->ndim == source->ndim) {
            rp_array_free(array);
            return Py_NewRef(obj);
        }
        return rp_wrap_view_of(state, array, obj);
    }
    return rp_wrap_array(state, array);
}

/* array(object, dtype=None, *, copy=True, order='K', ndmin=0) */
static PyObject *create_array(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"object", "dtype", "copy", "order", "ndmin", NULL};
    PyObject *obj, *dtype_obj = Py_None, *copy_obj = Py_True, *order_obj = NULL;
    int ndmin = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O$OOi:array", keywords, &obj, &dtype_obj,
                                     &copy_obj, &order_obj, &ndmin)) {
        return NULL;
    }
    int copy = rp_copy_from_object(copy_obj);
    return copy == -2 ? NULL : convert_with_copy(module, obj, dtype_obj, copy, order_obj, ndmin);
}

/* asarray(a, dtype=None, order=None, *, copy=None) */
static PyObject *create_asarray(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"a", "dtype", "order", "copy", NULL};
    PyObject *obj, *dtype_obj = Py_None, *order_obj = NULL, *copy_obj = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OO$O:asarray", keywords, &obj, &dtype_obj,
                                     &order_obj, &copy_obj)) {
        return NULL;
    }
    int copy = rp_copy_from_object(copy_obj);
    return copy == -2 ? NULL : convert_with_copy(module, obj, dtype_obj, copy, order_obj, 0);
}

/* eye(N, M=None, k=0, dtype=float, order='C') */
static PyObject *create_eye(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"N", "M", "k", "dtype", "order", NULL};
    Py_ssize_t n, k = 0;
    PyObject *m_obj = Py_None, *dtype_obj = Py_None, *order_obj = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "n|OnOO:eye", keywords, &n, &m_obj, &k,
                                     &dtype_obj, &order_obj)) {
        return NULL;
    }
    Py_ssize_t m = m_obj == Py_None ? n : PyNumber_AsSsize_t(m_obj, PyExc_ValueError);
    if (m == -1 && PyErr_Occurred()) {
        return NULL;
    }
    rp_module_state *state = rp_state_from_module(module);
    char order;
    int dtype = rp_dtype_from_object(state, dtype_obj, 1);
    if (dtype < 0 || rp_order_from_object(order_obj, 'C', &order) != 0) {
        return NULL;
    }
    rp_array *array = NULL;
    rp_status status = rp_array_eye(dtype == RP_NTYPES ? RP_FLOAT64 : (rp_dtype)dtype, n, m, k,
                                    order == 'F' ? RP_ORDER_F : RP_ORDER_C, &array);
    if (status != RP_OK) {
        return rp_raise_status(state, status);
    }
    return rp_wrap_array(state, array);
}

/* _arange(first, second, length, dtype): NumPy's arange once the package has worked out the
 * length and the first two values (second is ignored below length 2). */
static PyObject *create_arange(PyObject *module, PyObject *args)
{
    PyObject *first_obj, *second_obj, *dtype_obj;
    Py_ssize_t length;
    if (!PyArg_ParseTuple(args, "OOnO:_arange", &first_obj, &second_obj, &length, &dtype_obj)) {
        return NULL;
    }
    rp_module_state *state = rp_state_from_module(module);
    int dtype = rp_dtype_from_object(state, dtype_obj, 0);
    if (dtype < 0) {
        return NULL;
    }
    rp_scalar first = {.dtype = (rp_dtype)dtype}, second = {.dtype = (rp_dtype)dtype};
    if (length >= 1 && rp_scalar_from_object_as(first_obj, (rp_dtype)dtype, &first) != 0) {
        return NULL;
    }
    if (length >= 2 && rp_scalar_from_object_as(second_obj, (rp_dtype)dtype, &second) != 0) {
        return NULL;
    }
    rp_array *array = NULL;
    rp_status status = rp_array_arange((rp_dtype)dtype, &first, &second, length, &array);
    if (status != RP_OK) {
        return rp_raise_status(state, status);
    }
    return rp_wrap_array(state, array);
}

/* _linspace(start, stop, num, endpoint, dtype) with start and stop already floats. */
static PyObject *create_linspace(PyObject *module, PyObject *args)
{
    double start, stop;
    Py_ssize_t num;
    int endpoint;
    PyObject *dtype_obj;
    if (!PyArg_ParseTuple(args, "ddnpO:_linspace", &start, &stop, &num, &endpoint, &dtype_obj)) {
        return NULL;
    }
    rp_module_state *state = rp_state_from_module(module);
    int dtype = rp_dtype_from_object(state, dtype_obj, 0);
    if (dtype < 0) {
        return NULL;
    }
    rp_array *array = NULL;
    rp_status status = rp_array_linspace((rp_dtype)dtype, start, stop, num, endpoint, &array);
    if (status != RP_OK) {
        return rp_raise_status(state, status);
    }
    return rp_wrap_array(state, array);
}

PyMethodDef rp_creation_functions[] = {
    {"empty", (PyCFunction)(void (*)(void))create_empty, METH_VARARGS | METH_KEYWORDS,
     "empty(shape, dtype=None, order='C'): a new array with uninitialised contents."},
    {"full", (PyCFunction)(void (*)(void))create_full, METH_VARARGS | METH_KEYWORDS,
     "full(shape, fill_value, dtype=None, order='C'): a new array filled with fill_value."},
    {"empty_like", (PyCFunction)(void (*)(void))create_empty_like, METH_VARARGS | METH_KEYWORDS,
     "empty_like(prototype, dtype=None, order='K', shape=None): an uninitialised array shaped "
     "like prototype."},
    {"asarray", (PyCFunction)(void (*)(void))create_asarray, METH_VARARGS | METH_KEYWORDS,
     "asarray(a, dtype=None, order=None, *, copy=None): a as a raptors array, without copying "
     "when possible."},
    {"array", (PyCFunction)(void (*)(void))create_array, METH_VARARGS | METH_KEYWORDS,
     "array(object, dtype=None, *, copy=True, order='K', ndmin=0): a new array (NumPy 2 copy "
     "semantics: copy=None copies only if needed, copy=False never)."},
    {"eye", (PyCFunction)(void (*)(void))create_eye, METH_VARARGS | METH_KEYWORDS,
     "eye(N, M=None, k=0, dtype=float, order='C'): ones on diagonal k, zeros elsewhere."},
    {"_arange", create_arange, METH_VARARGS,
     "_arange(first, second, length, dtype): the core of raptors.arange."},
    {"_linspace", create_linspace, METH_VARARGS,
     "_linspace(start, stop, num, endpoint, dtype): the core of raptors.linspace."},
    {NULL, NULL, 0, NULL},
};
