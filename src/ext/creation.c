/*
 * creation.c — module functions that make arrays: empty, full, asarray, array.
 *
 * The Python package builds the NumPy-named family (zeros, ones, *_like, arange, ...) on these.
 */
#include "binding.h"

static int parse_order_char(PyObject *obj, rp_order *order)
{
    *order = RP_ORDER_C;
    if (obj == NULL || obj == Py_None) {
        return 0;
    }
    const char *text = PyUnicode_Check(obj) ? PyUnicode_AsUTF8(obj) : NULL;
    if (text != NULL && (text[0] == 'C' || text[0] == 'F') && text[1] == '\0') {
        *order = text[0] == 'F' ? RP_ORDER_F : RP_ORDER_C;
        return 0;
    }
    PyErr_SetString(PyExc_ValueError, "order must be 'C' or 'F'");
    return -1;
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
    rp_order order;
    int ndim = rp_shape_from_object(shape_obj, shape);
    if (ndim < 0 || parse_order_char(order_obj, &order) != 0) {
        return NULL;
    }
    int dtype = rp_dtype_from_object(state, dtype_obj, 1);
    if (dtype < 0) {
        return NULL;
    }
    rp_array *array = NULL;
    rp_status status = rp_array_empty(dtype == RP_NTYPES ? RP_FLOAT64 : (rp_dtype)dtype, ndim,
                                      shape, order, &array);
    if (status != RP_OK) {
        return rp_raise_status(state, status);
    }
    return rp_wrap_array(state, array);
}

/* full(shape, fill_value, dtype=None, order='C'); dtype None takes the fill value's type. */
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
    rp_order order;
    int ndim = rp_shape_from_object(shape_obj, shape);
    if (ndim < 0 || parse_order_char(order_obj, &order) != 0) {
        return NULL;
    }
    int dtype = rp_dtype_from_object(state, dtype_obj, 1);
    if (dtype < 0) {
        return NULL;
    }
    /* The fill value may itself be an array that broadcasts to the shape. */
    rp_array *fill = rp_array_from_object(state, fill_obj, RP_NTYPES);
    if (fill == NULL) {
        return NULL;
    }
    rp_array *array = NULL;
    rp_status status = rp_array_empty(dtype == RP_NTYPES ? fill->dtype : (rp_dtype)dtype, ndim,
                                      shape, order, &array);
    if (status == RP_OK) {
        status = rp_array_assign(array, fill);
        if (status != RP_OK) {
            rp_array_free(array);
        }
    }
    rp_array_free(fill);
    if (status != RP_OK) {
        return rp_raise_status(state, status);
    }
    return rp_wrap_array(state, array);
}

/* asarray(obj, dtype=None) — no copy when obj is already an array of that dtype. */
static PyObject *create_asarray(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"obj", "dtype", NULL};
    PyObject *obj, *dtype_obj = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:asarray", keywords, &obj, &dtype_obj)) {
        return NULL;
    }
    rp_module_state *state = rp_state_from_module(module);
    int dtype = rp_dtype_from_object(state, dtype_obj, 1);
    if (dtype < 0) {
        return NULL;
    }
    if (rp_is_array(state, obj) &&
        (dtype == RP_NTYPES || (rp_dtype)dtype == ((RpArrayObject *)obj)->array->dtype)) {
        return Py_NewRef(obj);
    }
    rp_array *array = rp_array_from_object(state, obj, dtype);
    return array == NULL ? NULL : rp_wrap_array(state, array);
}

/* array(obj, dtype=None, copy=True) — copy=False refuses to copy, as in NumPy 2. */
static PyObject *create_array(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"obj", "dtype", "copy", NULL};
    PyObject *obj, *dtype_obj = Py_None, *copy_obj = Py_True;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OO:array", keywords, &obj, &dtype_obj,
                                     &copy_obj)) {
        return NULL;
    }
    rp_module_state *state = rp_state_from_module(module);
    int dtype = rp_dtype_from_object(state, dtype_obj, 1);
    if (dtype < 0) {
        return NULL;
    }
    rp_array *array = rp_array_from_object(state, obj, dtype);
    if (array == NULL) {
        return NULL;
    }
    int copy = copy_obj == Py_None ? -1 : PyObject_IsTrue(copy_obj);
    if (copy < 0 && copy_obj != Py_None) {
        rp_array_free(array);
        return NULL;
    }
    /* A view of existing memory must be copied when asked (copy=True); copy=False forbids the
     * copies a sequence or a cast needs, which NumPy reports as ValueError. */
    bool is_view = rp_is_array(state, obj) || PyObject_CheckBuffer(obj);
    bool made_copy = !is_view || (dtype != RP_NTYPES && array->data != NULL &&
                                  !(rp_is_array(state, obj) &&
                                    ((RpArrayObject *)obj)->array->data == array->data));
    if (copy == 0 && made_copy) {
        rp_array_free(array);
        PyErr_SetString(PyExc_ValueError,
                        "Unable to avoid copy while creating an array as requested.");
        return NULL;
    }
    if (copy == 1 && !made_copy) {
        rp_array *copied;
        rp_status status = rp_array_copy(array, array->dtype, RP_ORDER_C, &copied);
        rp_array_free(array);
        if (status != RP_OK) {
            return rp_raise_status(state, status);
        }
        array = copied;
    }
    return rp_wrap_array(state, array);
}

PyMethodDef rp_creation_functions[] = {
    {"empty", (PyCFunction)(void (*)(void))create_empty, METH_VARARGS | METH_KEYWORDS,
     "empty(shape, dtype=None, order='C')"},
    {"full", (PyCFunction)(void (*)(void))create_full, METH_VARARGS | METH_KEYWORDS,
     "full(shape, fill_value, dtype=None, order='C')"},
    {"asarray", (PyCFunction)(void (*)(void))create_asarray, METH_VARARGS | METH_KEYWORDS,
     "asarray(obj, dtype=None)"},
    {"array", (PyCFunction)(void (*)(void))create_array, METH_VARARGS | METH_KEYWORDS,
     "array(obj, dtype=None, copy=True)"},
    {NULL, NULL, 0, NULL},
};
