/*
 * compute_binding.h — what the binding's compute files share (compute.c: calling the core;
 * operators.c: elementwise operators and functions; reductions.c: reductions); private to
 * src/ext.
 */
#ifndef RAPTORS_EXT_COMPUTE_BINDING_H
#define RAPTORS_EXT_COMPUTE_BINDING_H

#include "binding.h"
#include "raptors/compute.h"

/* Work (in elements) above which a core call runs with the GIL released: below it the release
 * and re-acquire would cost more than the other threads could gain. */
#define RP_GIL_RELEASE_ELEMENTS ((int64_t)32 * 1024)

/* Runs STATEMENT with the GIL released when `work` is large; STATEMENT must not touch Python. */
#define RP_WITHOUT_GIL_IF(work, STATEMENT)                                                       \
    do {                                                                                         \
        if ((work) >= RP_GIL_RELEASE_ELEMENTS) {                                                 \
            Py_BEGIN_ALLOW_THREADS STATEMENT;                                                    \
            Py_END_ALLOW_THREADS                                                                 \
        } else {                                                                                 \
            STATEMENT;                                                                           \
        }                                                                                        \
    } while (0)

/* a OP b (OP a), into `out` when given (a raptors array or a writable buffer; it is then the
 * return value). Returns a new reference, NULL with an exception, or Py_NotImplemented when
 * `operator_mode` is set and an operand has a type Raptors cannot read (so that Python may try
 * the other operand). */
PyObject *rp_binary_call(rp_module_state *state, rp_binary_op op, PyObject *a, PyObject *b,
                         PyObject *out_obj, int operator_mode);
PyObject *rp_unary_call(rp_module_state *state, rp_unary_op op, PyObject *a, PyObject *out_obj);

/* The module state from whichever operand is a raptors array (NULL with an exception if
 * neither is). */
rp_module_state *rp_state_of_operands(PyObject *a, PyObject *b);

/* A computed array as Python sees it: 0-d results become NumPy scalars (np.float32, ...), as
 * NumPy returns them; others are wrapped. Takes ownership of `array`. */
PyObject *rp_compute_result(rp_module_state *state, rp_array *array);

/* Emits NumPy's RuntimeWarnings for `warnings` (RP_WARN_* bits); `op_name` names the operation
 * in "... encountered in <op_name>", `divide_name` the closing division of mean/var/std ("divide",
 * or "scalar divide" for a 0-d result). Returns -1 when a warning was turned into an error. */
int rp_emit_warnings(int warnings, const char *op_name, const char *divide_name);

/* Keyword-aware argument parsing for METH_FASTCALL | METH_KEYWORDS functions: `names` lists the
 * parameters in order, the first `max_positional` may be positional, the first `required` must
 * be given. values[i] is NULL for a parameter not given. Returns -1 with TypeError set. */
int rp_parse_arguments(const char *function, PyObject *const *args, Py_ssize_t nargs,
                       PyObject *kwnames, const char *const *names, int nnames,
                       int max_positional, int required, PyObject **values);

/* The array an `out=` argument names: a raptors array as is, or a writable buffer (a NumPy
 * array) through a zero-copy view returned in *view for the caller to free. NULL with TypeError
 * for anything else. */
rp_array *rp_output_array(rp_module_state *state, PyObject *out, rp_array **view);

/* Tables of each compute file, registered by rp_compute_init. */
extern PyMethodDef rp_compute_functions[];
extern PyMethodDef rp_elementwise_methods[];
extern PyMethodDef rp_reduction_functions[];

/* A reduction of any array-like with NumPy's optional arguments (each may be NULL). */
PyObject *rp_reduce_object(rp_module_state *state, rp_reduction op, PyObject *array,
                           PyObject *axis, PyObject *dtype, PyObject *out, PyObject *keepdims,
                           PyObject *ddof);

#endif
