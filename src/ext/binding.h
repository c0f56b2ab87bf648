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

/* The Python object behind raptors.ndarray. */
typedef struct {
    PyObject_HEAD
    rp_array *array;        /* owned; never NULL once constructed */
    PyObject *weakreflist;
} RpArrayObject;

/* Per-module state: the heap type and the Python-side helpers the package registers. */
typedef struct {
    PyTypeObject *array_type;
    PyObject *axis_error;          /* exception class, subclass of ValueError and IndexError */
    PyObject *dtype_objects;       /* tuple of raptors.dtype objects, indexed by rp_dtype */
    PyObject *dtype_normalizer;    /* callable: any dtype-like -> int code */
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

/* ----- errors (errors.c) */
/* Sets the Python exception matching `status` with rp_last_error()'s message; returns NULL. */
PyObject *rp_raise_status(rp_module_state *state, rp_status status);


/* ----- conversions (convert.c) */
/* dtype-like (None allowed when allow_none) -> code; -1 with an exception set on failure,
 * RP_NTYPES for None. */
int rp_dtype_from_object(rp_module_state *state, PyObject *obj, int allow_none);
PyObject *rp_dtype_object(rp_module_state *state, rp_dtype dtype);
/* Any array-like (raptors array, buffer, nested sequence, scalar) -> a new rp_array. A raptors
 * array or a buffer becomes a view (no copy); `dtype` (or RP_NTYPES for "as found") casts,
 * which copies. Returns NULL with an exception set. */
rp_array *rp_array_from_object(rp_module_state *state, PyObject *obj, int dtype);
/* A shape argument (int or sequence of ints) -> ndim; -1 with an exception set. */
int rp_shape_from_object(PyObject *obj, int64_t *shape);
/* A Python scalar (bool, int, float, or NumPy scalar) as an rp_scalar; -1 with exception. */
int rp_scalar_from_object(PyObject *obj, rp_scalar *out);
PyObject *rp_scalar_to_object(const rp_scalar *value);

/* ----- method tables contributed by each binding file, gathered by module.c */
extern PyMethodDef rp_creation_functions[];
extern PyMethodDef rp_config_functions[];

/* ----- engine controls (config.c) */
/* ImportError and -1 when this CPU is below the build's baseline, else 0. */
int rp_config_check_cpu(void);


#endif
