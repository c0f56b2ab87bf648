/*
 * module.c — the `raptors._core` extension module: state, initialisation, registration.
 *
 * Multi-phase initialisation with module state (no C globals), so sub-interpreters each get
 * their own type objects. Function tables come from the other binding files.
 */
#include "binding.h"

rp_module_state *rp_state_from_module(PyObject *module)
{
    return (rp_module_state *)PyModule_GetState(module);
}

rp_module_state *rp_state_from_type(PyTypeObject *type)
{
    PyObject *module = PyType_GetModuleByDef(type, &rp_module_def);
    return module == NULL ? NULL : rp_state_from_module(module);
}

/* _register(dtype_objects, dtype_normalizer, axis_error): the package hands its Python-level
 * helpers to C once at import. */
static PyObject *module_register(PyObject *module, PyObject *args)
{
    PyObject *dtypes, *normalizer, *axis_error;
    if (!PyArg_ParseTuple(args, "O!OO:_register", &PyTuple_Type, &dtypes, &normalizer,
                          &axis_error)) {
        return NULL;
    }
    if (PyTuple_GET_SIZE(dtypes) != RP_NTYPES) {
        PyErr_SetString(PyExc_ValueError, "expected one dtype object per raptors dtype");
        return NULL;
    }
    rp_module_state *state = rp_state_from_module(module);
    Py_XSETREF(state->dtype_objects, Py_NewRef(dtypes));
    Py_XSETREF(state->dtype_normalizer, Py_NewRef(normalizer));
    Py_XSETREF(state->axis_error, Py_NewRef(axis_error));
    Py_RETURN_NONE;
}

static PyObject *module_live_buffers(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    return PyLong_FromLongLong(rp_buffer_live_count());
}

static PyMethodDef module_functions[] = {
    {"_register", module_register, METH_VARARGS, "Register the package's Python helpers."},
    {"_live_buffers", module_live_buffers, METH_NOARGS,
     "Number of data buffers owned by Raptors that are alive (for leak tests)."},
    {NULL, NULL, 0, NULL},
};

static int add_functions(PyObject *module, PyMethodDef *functions)
{
    return PyModule_AddFunctions(module, functions);
}

static int module_exec(PyObject *module)
{
    if (rp_config_check_cpu() != 0) {
        return -1;
    }
    rp_module_state *state = rp_state_from_module(module);
    state->array_type =
        (PyTypeObject *)PyType_FromModuleAndSpec(module, &rp_array_type_spec, NULL);
    if (state->array_type == NULL) {
        return -1;
    }
    if (PyModule_AddObjectRef(module, "ndarray", (PyObject *)state->array_type) != 0) {
        return -1;
    }
    if (add_functions(module, module_functions) != 0 ||
        add_functions(module, rp_creation_functions) != 0 ||
        add_functions(module, rp_config_functions) != 0 ||
        add_functions(module, rp_interop_functions) != 0 || rp_compute_init(module) != 0) {
        return -1;
    }
    return PyModule_AddIntConstant(module, "MAXDIMS", RP_MAXDIMS);
}

static int module_traverse(PyObject *module, visitproc visit, void *arg)
{
    rp_module_state *state = rp_state_from_module(module);
    Py_VISIT(state->array_type);
    Py_VISIT(state->axis_error);
    Py_VISIT(state->dtype_objects);
    Py_VISIT(state->dtype_normalizer);
    Py_VISIT(state->scalar_types);
    return 0;
}

static int module_clear(PyObject *module)
{
    rp_module_state *state = rp_state_from_module(module);
    Py_CLEAR(state->array_type);
    Py_CLEAR(state->axis_error);
    Py_CLEAR(state->dtype_objects);
    Py_CLEAR(state->dtype_normalizer);
    Py_CLEAR(state->scalar_types);
    return 0;
}

static void module_free(void *module) { module_clear((PyObject *)module); }

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, module_exec},
#ifdef Py_mod_gil
    {Py_mod_gil, Py_MOD_GIL_USED},
#endif
    {0, NULL},
};

PyModuleDef rp_module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "raptors._core",
    .m_doc = "The CPython binding of the Raptors C array core.",
    .m_size = sizeof(rp_module_state),
    .m_methods = NULL,
    .m_slots = module_slots,
    .m_traverse = module_traverse,
    .m_clear = module_clear,
    .m_free = module_free,
};

PyMODINIT_FUNC PyInit__core(void) { return PyModuleDef_Init(&rp_module_def); }
