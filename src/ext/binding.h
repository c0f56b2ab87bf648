/*
 * binding.h — shared declarations of the CPython extension `raptors._core`.
 *
 * The binding is a thin layer: it turns Python arguments into rp_* calls and rp_status into
 * exceptions. It never loops over array data; that is the core's and the kernels' job.
 * Free-threaded Python: not supported yet; the module declares that it needs the GIL.
 */
#ifndef RAPTORS_EXT_BINDING_H
#define RAPTORS_EXT_BINDING_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "raptors/raptors.h"

_Static_assert(sizeof(Py_ssize_t) == sizeof(int64_t), "shapes are passed to Python as-is");

/* The byte-order mark NumPy's array interface uses for this machine's native data. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define RP_NATIVE_ORDER_STR ">"
#else
#define RP_NATIVE_ORDER_STR "<"
#endif

/* The Python object behind raptors.ndarray. */
typedef struct {
    PyObject_HEAD
    rp_array *array;        /* owned; never NULL once constructed */
    PyObject *weakreflist;
    PyObject *base;         /* the raptors array a view was taken from (NumPy's .base), or NULL */
} RpArrayObject;

/* Per-module state: the heap type and the Python-side helpers the package registers. */
typedef struct {
    PyTypeObject *array_type;
    PyObject *axis_error;          /* exception class, subclass of ValueError and IndexError */
    PyObject *dtype_objects;       /* tuple of raptors.dtype objects, indexed by rp_dtype */
    PyObject *dtype_normalizer;    /* callable: any dtype-like -> int code */
    PyObject *scalar_types;        /* tuple of NumPy scalar types indexed by rp_dtype (compute) */
} rp_module_state;

extern PyModuleDef rp_module_def;

/* Module state from the module object, or from any raptors.ndarray instance or type. */
rp_module_state *rp_state_from_module(PyObject *module);
rp_module_state *rp_state_from_type(PyTypeObject *type);

/* ----- array objects (array_type.c) */
extern PyType_Spec rp_array_type_spec;
int rp_is_array(rp_module_state *state, PyObject *obj);
/* Wraps `array` in a new Python object, taking ownership (it is freed on failure). */
PyObject *rp_wrap_array(rp_module_state *state, rp_array *array);
/* rp_wrap_array for a result computed from the raptors array `source`: when it shares source's
 * memory it is a view, and its base becomes the array that memory came from (NumPy's .base). */
PyObject *rp_wrap_view_of(rp_module_state *state, rp_array *array, PyObject *source);

/* ----- errors (errors.c) */
/* Sets the Python exception matching `status` with rp_last_error()'s message; returns NULL. */
PyObject *rp_raise_status(rp_module_state *state, rp_status status);
/* NumPy's RuntimeWarnings for the RP_CAST_* bits a cast reported ("invalid value encountered in
 * cast", "overflow encountered in cast"); -1 when the warnings filter turned one into an error. */
int rp_warn_cast(int warnings);


/* ----- conversions (convert.c) */
/* dtype-like (None allowed when allow_none) -> code; -1 with an exception set on failure,
 * RP_NTYPES for None. */
int rp_dtype_from_object(rp_module_state *state, PyObject *obj, int allow_none);
PyObject *rp_dtype_object(rp_module_state *state, rp_dtype dtype);
/* Any array-like (raptors array, buffer, nested sequence, scalar) -> a new rp_array. A raptors
 * array or a buffer becomes a view (no copy); `dtype` (or RP_NTYPES for "as found") casts,
 * which copies. Returns NULL with an exception set. */
rp_array *rp_array_from_object(rp_module_state *state, PyObject *obj, int dtype);
/* rp_array_from_object that also says whether new memory was made (*copied = 1: a sequence, a
 * scalar or a cast) or the result views obj's memory (*copied = 0). */
rp_array *rp_array_convert(rp_module_state *state, PyObject *obj, int dtype, int *copied);
/* Stores `value` into every element of target with NumPy's assignment rules: scalars and nested
 * sequences are converted into target's dtype with setitem checks (OverflowError for integers
 * out of range, ValueError for NaN into integers); arrays are broadcast (leading extent-1 axes
 * dropped) and cast unsafely, with NumPy's cast warnings. A sequence deeper than target is a
 * ValueError. With `one_element` (the key named a single element, a[i, j]), anything but a
 * scalar or a 0-d array is a ValueError, as in NumPy. Returns -1 with an exception set. */
int rp_assign_from_object(rp_module_state *state, rp_array *target, PyObject *value,
                          bool one_element);
/* NumPy's order argument as 'C', 'F', 'A' or 'K' in *order (None gives `fallback`); -1 with
 * ValueError for anything else. */
int rp_order_from_object(PyObject *obj, char fallback, char *order);
/* The concrete layout an order letter asks for given a: 'F' is F; 'A' and 'K' are F when a is
 * Fortran- but not C-contiguous; everything else is C. */
rp_order rp_resolve_order(const rp_array *a, char order);
/* A copy of a cast to dtype in NumPy's order letter ('K' keeps a's memory order); ORs the
 * RP_CAST_* bits of what the cast met into *warnings. */
rp_status rp_copy_in_order(const rp_array *a, rp_dtype dtype, char order, rp_array **out,
                           int *warnings);
/* A copy= argument: None -> -1, false -> 0, true -> 1; -2 with an exception set. */
int rp_copy_from_object(PyObject *obj);
/* obj.<name> into *value: 1 when found, 0 (and *value NULL) when obj has no such attribute,
 * -1 with an exception set on any other error. */
int rp_optional_attribute(PyObject *obj, const char *name, PyObject **value);
/* A shape argument (int or sequence of ints) -> ndim; -1 with an exception set. */
int rp_shape_from_object(PyObject *obj, int64_t *shape);
/* The inverse: a tuple of Python ints (shape, strides); NULL with an exception set. */
PyObject *rp_int64_tuple(int n, const int64_t *values);
/* A Python scalar (bool, int, float, or NumPy scalar) as an rp_scalar; -1 with exception. */
int rp_scalar_from_object(PyObject *obj, rp_scalar *out);
/* obj (a Python or NumPy scalar, or a 0-d array) converted to `dtype` the way NumPy stores a
 * scalar into an array; -1 with an exception set. */
int rp_scalar_from_object_as(PyObject *obj, rp_dtype dtype, rp_scalar *out);
PyObject *rp_scalar_to_object(const rp_scalar *value);

/* ----- interop (interop.c): DLPack and the array interface */
PyObject *rp_array_dlpack(PyObject *self, PyObject *args, PyObject *kwargs);
PyObject *rp_array_dlpack_device(PyObject *self, PyObject *unused);
PyObject *rp_array_interface(PyObject *self, void *closure);

/* ----- method tables contributed by each binding file, gathered by module.c */
extern PyMethodDef rp_creation_functions[];
extern PyMethodDef rp_config_functions[];
extern PyMethodDef rp_interop_functions[];

/* ----- engine controls (config.c) */
/* ImportError and -1 when this CPU is below the build's baseline, else 0. */
int rp_config_check_cpu(void);

/* ----- compute (compute.c, reductions.c) */
/* Adds the compute methods (rp_array_compute_methods) and the compute functions to the module
 * and its ndarray type; -1 with an exception on failure. */
int rp_compute_init(PyObject *module);
extern PyMethodDef rp_array_compute_methods[];
/* Number protocol and rich comparison slots of raptors.ndarray. */
PyObject *rp_array_add(PyObject *a, PyObject *b);
PyObject *rp_array_subtract(PyObject *a, PyObject *b);
PyObject *rp_array_multiply(PyObject *a, PyObject *b);
PyObject *rp_array_true_divide(PyObject *a, PyObject *b);
PyObject *rp_array_floor_divide(PyObject *a, PyObject *b);
PyObject *rp_array_remainder(PyObject *a, PyObject *b);
PyObject *rp_array_power(PyObject *a, PyObject *b, PyObject *modulo);
PyObject *rp_array_and(PyObject *a, PyObject *b);
PyObject *rp_array_or(PyObject *a, PyObject *b);
PyObject *rp_array_xor(PyObject *a, PyObject *b);
PyObject *rp_array_inplace_add(PyObject *a, PyObject *b);
PyObject *rp_array_inplace_subtract(PyObject *a, PyObject *b);
PyObject *rp_array_inplace_multiply(PyObject *a, PyObject *b);
PyObject *rp_array_inplace_true_divide(PyObject *a, PyObject *b);
PyObject *rp_array_inplace_floor_divide(PyObject *a, PyObject *b);
PyObject *rp_array_inplace_remainder(PyObject *a, PyObject *b);
PyObject *rp_array_inplace_power(PyObject *a, PyObject *b, PyObject *modulo);
PyObject *rp_array_inplace_and(PyObject *a, PyObject *b);
PyObject *rp_array_inplace_or(PyObject *a, PyObject *b);
PyObject *rp_array_inplace_xor(PyObject *a, PyObject *b);
PyObject *rp_array_negative(PyObject *a);
PyObject *rp_array_positive(PyObject *a);
PyObject *rp_array_absolute(PyObject *a);
PyObject *rp_array_invert(PyObject *a);
int rp_array_bool(PyObject *a);
PyObject *rp_array_richcompare(PyObject *a, PyObject *b, int op);


#endif
