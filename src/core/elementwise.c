/*
 * elementwise.c — the driver behind every unary and binary operation: type resolution,
 * broadcasting, the output, overlap, then one kernel call per row, split across threads.
 *
 * Operands are (pointer, byte strides) over the broadcast shape, with zero strides where an
 * input is broadcast and for scalars (converted once to the loop dtype). Inputs already in the
 * loop dtype are read where they are; others are cast chunk by chunk into a small per-worker
 * buffer, as is the output when its dtype differs from the loop's (a += b with casting). The
 * layout (nditer.c) puts the output's smallest stride innermost and merges contiguous axes, so a
 * contiguous operation is one long row; rows longer than ROW_BLOCK_BYTES are cut into blocks so
 * that threads can share even a single row. Work items are (row, block) pairs, or the layout's
 * tiles when an input crosses the output's rows (a + a.T).
 */
#include "raptors/compute.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute_internal.h"
#include "machine.h"
#include "nditer.h"
#include "raptors/runtime.h"

/* Elements per chunk when an operand is cast on the fly (fits L1 three times over). */
#define CAST_CHUNK 1024
/* Rows longer than this (bytes of the widest operand) are split into blocks of this size. */
#define ROW_BLOCK_BYTES ((int64_t)64 * 1024)
/* Widest element, for scratch sizing. */
#define MAX_ITEMSIZE 8

enum { OUT = 0, MAX_INPUTS = 2 };

typedef struct elementwise_plan {
    int nin;
    rp_binary_loop binary;                 /* exactly one of binary/unary is set */
    rp_unary_loop unary;
    rp_cast_loop cast_in[MAX_INPUTS];      /* NULL: the input is already in the loop dtype */
    rp_cast_loop cast_out;                 /* NULL: the kernel writes the output directly */
    int64_t loop_itemsize, result_itemsize;
    int64_t in_itemsize[MAX_INPUTS];       /* of each input's own dtype */
    bool buffered;                         /* any cast above */
    bool gathered;                         /* narrow rows run in gathered batches */
    bool tiled;                            /* items are the layout's tiles (nditer.h) */
    bool watch_fp;                         /* read the FP status flags (float arithmetic) */
    int hints;                             /* RP_LOOP_STREAM_OUTPUT when the output streams */
    rp_loop_layout layout;
    char *base[1 + MAX_INPUTS];
    int64_t blocks_per_row, block_len;
    rp_worker_flags flags;
} elementwise_plan;

/* What one worker carries through its rows. */
typedef struct worker_state {
    const elementwise_plan *plan;
    int flags;
    _Alignas(64) char scratch[1 + MAX_INPUTS][CAST_CHUNK * MAX_ITEMSIZE];
    char *tile;                            /* tiled plans: a gathered tile per input, or NULL */
} worker_state;

enum { TILE_BYTES = RP_TILE_ROWS * RP_TILE_COLS * MAX_ITEMSIZE };

/* ===================================================================== rows */

static void call_kernel(const elementwise_plan *plan, const char *const *in,
                        const int64_t *in_strides, char *out, int64_t out_stride, int64_t n,
                        int *flags)
{
    if (plan->nin == 2) {
        plan->binary(in[0], in_strides[0], in[1], in_strides[1], out, out_stride, n, flags);
    } else {
        plan->unary(in[0], in_strides[0], out, out_stride, n, flags);
    }
}

/* One row: ptrs/strides are [out, in0, in1]. */
static void run_row(char *const *ptrs, const int64_t *strides, int64_t n, void *context)
{
    worker_state *state = context;
    const elementwise_plan *plan = state->plan;
    if (!plan->buffered) {
        const char *in[MAX_INPUTS] = {ptrs[1], plan->nin == 2 ? ptrs[2] : NULL};
        int64_t in_strides[MAX_INPUTS] = {strides[1], plan->nin == 2 ? strides[2] : 0};
        call_kernel(plan, in, in_strides, ptrs[OUT], strides[OUT], n, &state->flags);
        return;
    }
    for (int64_t done = 0; done < n; done += CAST_CHUNK) {
        int64_t len = n - done < CAST_CHUNK ? n - done : CAST_CHUNK;
        const char *in[MAX_INPUTS] = {NULL, NULL};
        int64_t in_strides[MAX_INPUTS] = {0, 0};
        for (int k = 0; k < plan->nin; k++) {
            const char *source = ptrs[1 + k] + done * strides[1 + k];
            in[k] = source;
            in_strides[k] = strides[1 + k];
            if (plan->cast_in[k] != NULL) {
                /* A broadcast input (stride 0) needs one converted element, not len. */
                bool broadcast = strides[1 + k] == 0;
                plan->cast_in[k](source, strides[1 + k], state->scratch[1 + k],
                                 plan->loop_itemsize, broadcast ? 1 : len);
                in[k] = state->scratch[1 + k];
                in_strides[k] = broadcast ? 0 : plan->loop_itemsize;
            }
        }
        char *out = ptrs[OUT] + done * strides[OUT];
        if (plan->cast_out != NULL) {
            call_kernel(plan, in, in_strides, state->scratch[OUT], plan->result_itemsize, len,
                        &state->flags);
            plan->cast_out(state->scratch[OUT], plan->result_itemsize, out, strides[OUT], len);
        } else {
            call_kernel(plan, in, in_strides, out, strides[OUT], len, &state->flags);
        }
    }
}

/* Narrow rows: the rows of a 2-D layout at most RP_GATHER_MAX_ROW elements long, when the output's
 * rows are adjacent (a fresh output, so no input overlaps it). A kernel call per row would cost
 * more than the row's work, so the rows run in batches: each input's rows are gathered into
 * the worker's scratch (plain copies, which raise nothing), and the kernel is called once per
 * batch on contiguous operands. */
static bool gathering_pays(const elementwise_plan *plan)
{
    const rp_loop_layout *layout = &plan->layout;
    if (plan->buffered || layout->empty || layout->ndim != 2) {
        return false;
    }
    int64_t len = layout->shape[1];
    return layout->shape[0] >= 2 && len <= RP_GATHER_MAX_ROW &&
           layout->strides[OUT][1] == plan->result_itemsize &&
           layout->strides[OUT][0] == len * plan->result_itemsize;
}

static void run_gathered(const elementwise_plan *plan, int64_t begin, int64_t end,
                         worker_state *state)
{
    const rp_loop_layout *layout = &plan->layout;
    int64_t len = layout->shape[1], size = plan->loop_itemsize;
    int64_t batch = CAST_CHUNK / len;
    for (int64_t first = begin; first < end; first += batch) {
        int64_t rows = end - first < batch ? end - first : batch;
        const char *in[MAX_INPUTS] = {NULL, NULL};
        int64_t in_strides[MAX_INPUTS] = {0, 0};
        for (int k = 0; k < plan->nin; k++) {
            const int64_t row_stride = layout->strides[1 + k][0];
            const int64_t stride = layout->strides[1 + k][1];
            const char *source = plan->base[1 + k] + first * row_stride;
            if (row_stride == 0 && stride == 0) { /* a scalar */
                in[k] = source;
            } else if (stride == size && row_stride == len * size) { /* rows already adjacent */
                in[k] = source;
                in_strides[k] = size;
            } else {
                rp_gather_rows(state->scratch[1 + k], source, row_stride, stride, rows, len, size);
                in[k] = state->scratch[1 + k];
                in_strides[k] = size;
            }
        }
        call_kernel(plan, in, in_strides, plan->base[OUT] + first * layout->strides[OUT][0],
                    plan->result_itemsize, rows * len, &state->flags);
    }
}

/* Rows [begin, end) of a 2-D layout with no casts: the kernel straight on each row. The generic
 * walk (a callback per row that rebuilds its operand arrays) cost a sixth of a 512-element
 * float32 row's time. */
static void run_plain_rows(const elementwise_plan *plan, int64_t begin, int64_t end,
                           worker_state *state)
{
    const rp_loop_layout *layout = &plan->layout;
    const int64_t n = layout->shape[1];
    const int64_t step_out = layout->strides[OUT][0], stride_out = layout->strides[OUT][1];
    char *out = plan->base[OUT] + begin * step_out;
    const char *in[MAX_INPUTS] = {NULL, NULL};
    int64_t steps[MAX_INPUTS] = {0, 0}, strides[MAX_INPUTS] = {0, 0};
    for (int k = 0; k < plan->nin; k++) {
        steps[k] = layout->strides[1 + k][0];
        strides[k] = layout->strides[1 + k][1];
        in[k] = plan->base[1 + k] + begin * steps[k];
    }
    for (int64_t row = begin; row < end; row++) {
        call_kernel(plan, in, strides, out, stride_out, n, &state->flags);
        out += step_out;
        in[0] += steps[0];
        in[1] = in[1] == NULL ? NULL : in[1] + steps[1];
    }
}

/* One tile (nditer.h): inputs that cross it are gathered into the worker's tile buffers (on the
 * heap, to keep a worker's stack small; without them the rows read in place), then its rows
 * run as usual. */
static void run_tile(char *const *ptrs, const int64_t *across, const int64_t *along,
                     int64_t nrows, int64_t ncols, void *context)
{
    worker_state *state = context;
    const elementwise_plan *plan = state->plan;
    char *first[1 + MAX_INPUTS] = {ptrs[OUT]};
    int64_t steps[1 + MAX_INPUTS] = {across[OUT]}, strides[1 + MAX_INPUTS] = {along[OUT]};
    for (int k = 0; k < plan->nin; k++) {
        first[1 + k] = ptrs[1 + k];
        steps[1 + k] = across[1 + k];
        strides[1 + k] = along[1 + k];
        rp_tile_gather_crossing(&first[1 + k], &steps[1 + k], &strides[1 + k], nrows, ncols,
                                plan->in_itemsize[k],
                                state->tile == NULL ? NULL : state->tile + k * TILE_BYTES);
    }
    rp_loop_tile_rows(1 + plan->nin, first, steps, strides, nrows, ncols, run_row, state);
}

/* Items [begin, end) where item = row * blocks_per_row + block. */
static void run_items(int64_t begin, int64_t end, int worker, void *context)
{
    elementwise_plan *plan = context;
    worker_state state;
    state.plan = plan;
    state.tile = NULL;
    state.flags = plan->hints;
    if (plan->watch_fp) {
        rp_fp_clear();
    }
    if (plan->gathered) {
        run_gathered(plan, begin, end, &state);
    } else if (plan->tiled) {
        state.tile = malloc((size_t)MAX_INPUTS * TILE_BYTES);
        rp_loop_run_tiles(&plan->layout, plan->base, begin, end, run_tile, &state);
        free(state.tile);
    } else if (plan->blocks_per_row == 1 && !plan->buffered && plan->layout.ndim == 2) {
        run_plain_rows(plan, begin, end, &state);
    } else if (plan->blocks_per_row == 1) {
        rp_loop_run_rows(&plan->layout, plan->base, begin, end, run_row, &state);
    } else {
        /* A copy of the layout whose innermost extent is one stretch of blocks of a row. */
        rp_loop_layout segment = plan->layout;
        int inner = segment.ndim - 1, nop = segment.nop;
        int64_t row_len = plan->layout.shape[inner];
        for (int64_t item = begin; item < end;) {
            int64_t row = item / plan->blocks_per_row, first = item % plan->blocks_per_row;
            int64_t last = first + (end - item);
            if (last > plan->blocks_per_row) {
                last = plan->blocks_per_row;
            }
            int64_t start = first * plan->block_len, stop = last * plan->block_len;
            if (stop > row_len) {
                stop = row_len;
            }
            char *shifted[1 + MAX_INPUTS];
            for (int k = 0; k < nop; k++) {
                shifted[k] = plan->base[k] + start * plan->layout.strides[k][inner];
            }
            segment.shape[inner] = stop - start;
            rp_loop_run_rows(&segment, shifted, row, row + 1, run_row, &state);
            item += last - first;
        }
    }
    if (plan->watch_fp) {
        state.flags |= rp_fp_collect();
    }
    rp_worker_flags_add(&plan->flags, worker, state.flags & ~RP_LOOP_STREAM_OUTPUT);
}

/* ===================================================================== operands */

/* One prepared input: where it is, in which dtype, strides over the broadcast shape. */
typedef struct prepared_input {
    const char *data;
    rp_dtype dtype;
    int64_t strides[RP_MAXDIMS];
    rp_array *copy;                        /* owned temporary when out overlapped the input */
    rp_scalar scalar;                      /* storage for a scalar in the loop dtype */
} prepared_input;

/* Strides of `array` broadcast (right-aligned) to `ndim` axes of `shape`. */
static void broadcast_strides(const rp_array *array, int ndim, const int64_t *shape,
                              int64_t *strides)
{
    for (int i = 0; i < ndim; i++) {
        int j = i - (ndim - array->ndim);
        strides[i] = (j < 0 || (array->shape[j] == 1 && shape[i] != 1)) ? 0 : array->strides[j];
    }
}

/* True when reading `strides`/`data` and writing out walk the same elements in step. */
static bool same_walk(const rp_array *out, const char *data, rp_dtype dtype,
                      const int64_t *strides)
{
    if (data != out->data || dtype != out->dtype) {
        return false;
    }
    for (int i = 0; i < out->ndim; i++) {
        if (out->shape[i] > 1 && strides[i] != out->strides[i]) {
            return false;
        }
    }
    return true;
}

static rp_status prepare_input(const rp_operand *operand, rp_dtype loop, int ndim,
                               const int64_t *shape, const rp_array *out, prepared_input *input)
{
    input->copy = NULL;
    if (operand->array == NULL) {
        rp_scalar_cast(&operand->scalar, loop, &input->scalar);
        input->data = (const char *)&input->scalar.value;
        input->dtype = loop;
        memset(input->strides, 0, sizeof input->strides);
        return RP_OK;
    }
    const rp_array *array = operand->array;
    broadcast_strides(array, ndim, shape, input->strides);
    input->data = array->data;
    input->dtype = array->dtype;
    if (out != NULL && rp_arrays_may_overlap(out, array) &&
        !same_walk(out, array->data, array->dtype, input->strides)) {
        /* Partial overlap: read from a private copy so no input sees a half-written output. */
        rp_status status = rp_array_copy(array, array->dtype, RP_ORDER_C, &input->copy);
        if (status != RP_OK) {
            return status;
        }
        broadcast_strides(input->copy, ndim, shape, input->strides);
        input->data = input->copy->data;
    }
    return RP_OK;
}

static int operand_ndim(const rp_operand *operand)
{
    return operand->array != NULL ? operand->array->ndim : 0;
}

static const int64_t *operand_shape(const rp_operand *operand)
{
    return operand->array != NULL ? operand->array->shape : NULL;
}

/* NumPy's spelling of a shape inside broadcast messages: "(2,3)", "(4,)", "()". */
static const char *compact_shape(int ndim, const int64_t *shape, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "(");
    for (int i = 0; i < ndim && used < size; i++) {
        used += (size_t)snprintf(buf + used, size - used, "%s%lld", i ? "," : "",
                                 (long long)shape[i]);
    }
    if (used < size) {
        snprintf(buf + used, size - used, ndim == 1 ? ",)" : ")");
    }
    return buf;
}

/* Broadcast shape of the inputs; with `out`, the inputs must broadcast to exactly its shape. */
static rp_status broadcast_all(int nin, const rp_operand *const *inputs, const rp_array *out,
                               int *ndim_out, int64_t *shape)
{
    int ndim = 0;
    for (int k = 0; k < nin; k++) {
        if (operand_ndim(inputs[k]) > ndim) {
            ndim = operand_ndim(inputs[k]);
        }
    }
    for (int i = 0; i < ndim; i++) {
        shape[i] = 1;
    }
    bool mismatch = false;
    for (int k = 0; k < nin; k++) {
        int n = operand_ndim(inputs[k]);
        const int64_t *extents = operand_shape(inputs[k]);
        for (int j = 0; j < n; j++) {
            int64_t *target = &shape[ndim - n + j];
            if (*target == 1) {
                *target = extents[j];
            } else if (extents[j] != 1 && extents[j] != *target) {
                mismatch = true;
            }
        }
    }
    if (mismatch) {
        char text[2 * RP_MAXDIMS * 24 + 8];
        size_t used = 0;
        for (int k = 0; k < nin && used < sizeof text; k++) {
            char one[RP_MAXDIMS * 24];
            used += (size_t)snprintf(text + used, sizeof text - used, "%s ",
                                     compact_shape(operand_ndim(inputs[k]),
                                                   operand_shape(inputs[k]), one, sizeof one));
        }
        return rp_error(RP_ERR_VALUE, "operands could not be broadcast together with shapes %s",
                        text);
    }
    if (out != NULL) {
        bool fits = ndim <= out->ndim;
        for (int j = 0; fits && j < ndim; j++) {
            int64_t extent = shape[ndim - 1 - j], target = out->shape[out->ndim - 1 - j];
            fits = extent == target || extent == 1;
        }
        if (!fits) {
            char a[RP_MAXDIMS * 24], b[RP_MAXDIMS * 24];
            return rp_error(RP_ERR_VALUE,
                            "non-broadcastable output operand with shape %s doesn't match the "
                            "broadcast shape %s",
                            compact_shape(out->ndim, out->shape, a, sizeof a),
                            compact_shape(ndim, shape, b, sizeof b));
        }
        ndim = out->ndim;
        memcpy(shape, out->shape, (size_t)ndim * sizeof *shape);
    }
    *ndim_out = ndim;
    return RP_OK;
}

/* NumPy's order 'K' for a new output, simplified: Fortran order when every input that spans
 * the whole result is Fortran-contiguous and at least one of them is not C-contiguous. */
static rp_order output_order(int nin, const rp_operand *const *inputs, int ndim,
                             const int64_t *shape)
{
    bool any_full = false, all_f = true, any_not_c = false;
    for (int k = 0; k < nin; k++) {
        const rp_array *array = inputs[k]->array;
        if (array == NULL || array->ndim != ndim ||
            memcmp(array->shape, shape, (size_t)ndim * sizeof *shape) != 0) {
            continue;
        }
        any_full = true;
        all_f = all_f && rp_array_is_f_contiguous(array);
        any_not_c = any_not_c || !rp_array_is_c_contiguous(array);
    }
    return any_full && all_f && any_not_c ? RP_ORDER_F : RP_ORDER_C;
}

/* ===================================================================== the driver */

/* The ops whose float loops can raise FP conditions NumPy reports (comparisons and min/max
 * may touch the invalid flag on NaN, but NumPy stays silent for them). */
static bool is_arithmetic(rp_binary_op op)
{
    return op <= RP_BIN_POWER;
}

/* Integer power refuses negative exponents before anything is written, as NumPy raises. */
static rp_status check_integer_exponent(const rp_operand *exponent)
{
    bool negative;
    if (exponent->array == NULL) {
        rp_scalar value;
        rp_scalar_cast(&exponent->scalar, RP_INT64, &value);
        negative = value.value.i64 < 0;
    } else if (!rp_dtype_is_integer(exponent->array->dtype) ||
               rp_array_size(exponent->array) == 0) {
        negative = false;
    } else {
        rp_reduce_spec spec = rp_reduce_all_axes();
        rp_array *smallest = NULL;
        int ignored = 0;
        rp_status status = rp_reduce(RP_REDUCE_MIN, exponent->array, &spec, &smallest, &ignored);
        if (status != RP_OK) {
            return status;
        }
        rp_scalar value;
        rp_array_get_flat(smallest, 0, &value);
        rp_scalar_cast(&value, RP_INT64, &value);
        negative = value.value.i64 < 0;
        rp_array_free(smallest);
    }
    return negative ? rp_error(RP_ERR_VALUE, "Integers to negative integer powers are not allowed.")
                    : RP_OK;
}

/* RP_LOOP_STREAM_OUTPUT when the kernel writes the output directly, no input shares its memory
 * (streaming stores would evict what the loop is about to read), and the bytes the operation
 * touches exceed the machine's streaming threshold: the output cannot stay cached for the next
 * operation then, so writing it around the caches saves reading its lines in first. */
static int output_hints(const elementwise_plan *plan, const rp_array *target,
                        const prepared_input *prepared)
{
    if (plan->cast_out != NULL) {
        return 0;
    }
    int64_t bytes = rp_array_size(target) * (int64_t)rp_dtype_size(target->dtype);
    for (int k = 0; k < plan->nin; k++) {
        const char *data = prepared[k].data;
        if (data == target->data) {
            return 0;
        }
        if (data != (const char *)&prepared[k].scalar.value) {
            /* The bytes this input spans (a broadcast input counts once). */
            int64_t span = (int64_t)rp_dtype_size(prepared[k].dtype);
            for (int i = 0; i < plan->layout.ndim; i++) {
                int64_t stride = plan->layout.strides[1 + k][i];
                span += (plan->layout.shape[i] - 1) * (stride < 0 ? -stride : stride);
            }
            bytes += span;
        }
    }
    return bytes > rp_machine_stream_threshold() ? RP_LOOP_STREAM_OUTPUT : 0;
}

/* Inputs whose rows step through memory other than one element at a time (a[:, ::2],
 * a[::-1]) go through the worker's scratch, copied there by the copy loop (on vectors for
 * small steps and reversed rows), when the loop has no vector form for such steps: it would
 * otherwise run element by element (np.maximum(a[::-1, ::-1], b) and np.negative(a[::-1])
 * took 1.3 to 1.5 times NumPy's time). */
static void compact_strided_inputs(elementwise_plan *plan, rp_stats_family family, int op,
                                   rp_dtype loop)
{
    const rp_loop_layout *layout = &plan->layout;
    if (layout->ndim == 0) {
        return;
    }
    for (int k = 0; k < plan->nin; k++) {
        int64_t stride = layout->strides[1 + k][layout->ndim - 1];
        /* No unary loop has a strided vector form. */
        bool read_in_place = stride == plan->loop_itemsize ||
                             (family == RP_STATS_BINARY &&
                              rp_kernel_binary_reads_stride((rp_binary_op)op, loop, stride));
        if (plan->cast_in[k] == NULL && stride != 0 && !read_in_place) {
            plan->cast_in[k] = rp_kernels()->cast[loop][loop];
            plan->buffered = true;
        }
    }
}

/* Checks out, creates the result if needed, then runs the loop. `binary`/`unary` is the loop
 * for types.loop; `watch_fp` asks for float conditions to be reported; `integer_exponent`, when
 * set, must hold no negative value (checked only when there is something to compute, as
 * NumPy's loop raises); `stats_op` of `family` names the operation in the backend counters. */
static rp_status run_elementwise(int nin, const rp_operand *const *inputs, rp_binary_types types,
                                 rp_binary_loop binary, rp_unary_loop unary, bool watch_fp,
                                 const rp_operand *integer_exponent, const char *name,
                                 rp_stats_family family, int stats_op, rp_array *out,
                                 rp_array **result, int *warnings)
{
    /* NumPy's order of checks: the output's dtype, then shapes, then writeability. */
    if (out != NULL && !rp_can_cast_same_kind(types.result, out->dtype)) {
        return rp_error(RP_ERR_TYPE,
                        "Cannot cast ufunc '%s' output from dtype('%s') to dtype('%s') with "
                        "casting rule 'same_kind'",
                        name, rp_dtype_name(types.result), rp_dtype_name(out->dtype));
    }
    int64_t shape[RP_MAXDIMS];
    int ndim = 0;
    rp_status status = broadcast_all(nin, inputs, out, &ndim, shape);
    if (status != RP_OK) {
        return status;
    }
    if (out != NULL && !(out->flags & RP_ARRAY_WRITEABLE)) {
        return rp_error(RP_ERR_READONLY, "output array is read-only");
    }
    if (integer_exponent != NULL) {
        int64_t size = 1;
        for (int i = 0; i < ndim; i++) {
            size *= shape[i];
        }
        status = size > 0 ? check_integer_exponent(integer_exponent) : RP_OK;
        if (status != RP_OK) {
            return status;
        }
    }
    const rp_kernel_table *kernels = rp_kernels();
    prepared_input prepared[MAX_INPUTS];
    int ready = 0;
    for (; ready < nin && status == RP_OK; ready++) {
        status = prepare_input(inputs[ready], types.loop, ndim, shape, out, &prepared[ready]);
    }
    rp_array *target = out;
    if (status == RP_OK && target == NULL) {
        status = rp_array_empty(types.result, ndim, shape, output_order(nin, inputs, ndim, shape),
                                &target);
    }
    elementwise_plan plan = {.nin = nin, .binary = binary, .unary = unary};
    if (status == RP_OK) {
        status = rp_worker_flags_init(&plan.flags);
    }
    if (status != RP_OK) {
        for (int k = 0; k < ready; k++) {
            rp_array_free(prepared[k].copy);
        }
        if (target != out) {
            rp_array_free(target);
        }
        return status;
    }

    plan.loop_itemsize = (int64_t)rp_dtype_size(types.loop);
    plan.result_itemsize = (int64_t)rp_dtype_size(types.result);
    plan.watch_fp = watch_fp;
    const int64_t *strides[1 + MAX_INPUTS] = {target->strides};
    plan.base[OUT] = target->data;
    int64_t bytes_per_element = (int64_t)rp_dtype_size(target->dtype);
    for (int k = 0; k < nin; k++) {
        strides[1 + k] = prepared[k].strides;
        plan.base[1 + k] = (char *)prepared[k].data;
        plan.in_itemsize[k] = (int64_t)rp_dtype_size(prepared[k].dtype);
        bytes_per_element += (int64_t)rp_dtype_size(prepared[k].dtype);
        if (prepared[k].dtype != types.loop) {
            plan.cast_in[k] = kernels->cast[prepared[k].dtype][types.loop];
            plan.buffered = true;
        }
    }
    if (target->dtype != types.result) {
        plan.cast_out = kernels->cast[types.result][target->dtype];
        plan.buffered = true;
    }
    rp_loop_layout_init(&plan.layout, 1 + nin, ndim, shape, strides);
    compact_strided_inputs(&plan, family, stats_op, types.loop);
    plan.gathered = out == NULL && gathering_pays(&plan);
    plan.tiled = !plan.gathered && rp_loop_tiled(&plan.layout);

    int threads = 1;
    if (!plan.layout.empty) {
        int64_t rows = rp_loop_row_count(&plan.layout), row_len = rp_loop_row_length(&plan.layout);
        int64_t block_len = ROW_BLOCK_BYTES / MAX_ITEMSIZE;
        plan.blocks_per_row = row_len > block_len ? rp_ceil_div(row_len, block_len) : 1;
        plan.block_len = plan.blocks_per_row > 1 ? block_len : row_len;
        int64_t items = rows * plan.blocks_per_row;
        int64_t item_elements = plan.block_len;
        if (plan.tiled) {
            plan.blocks_per_row = 1;
            items = rp_loop_tile_count(&plan.layout);
            item_elements = (int64_t)RP_TILE_ROWS * RP_TILE_COLS;
        }
        plan.hints = output_hints(&plan, target, prepared);
        threads = rp_parallel_for_upto(items,
                                       rp_parallel_min_items(item_elements * bytes_per_element),
                                       plan.flags.count, run_items, &plan);
    }
    bool simd = family == RP_STATS_BINARY ? rp_kernel_binary_is_simd(stats_op, types.loop)
                                          : rp_kernel_unary_is_simd(stats_op, types.loop);
    rp_stats_record(family, stats_op, rp_backend_for(simd, threads));
    *warnings |= rp_worker_flags_finish(&plan.flags);
    for (int k = 0; k < nin; k++) {
        rp_array_free(prepared[k].copy);
    }
    if (out == NULL) {
        *result = target;
    }
    return RP_OK;
}

rp_status rp_binary(rp_binary_op op, const rp_operand *a, const rp_operand *b, rp_array *out,
                    rp_array **result, int *warnings)
{
    rp_binary_types types;
    rp_status status = rp_binary_types_resolve(op, a, b, &types);
    if (status != RP_OK) {
        return status;
    }
    rp_binary_loop loop = rp_kernels()->binary[op][types.loop];
    if (loop == NULL) {
        return rp_error(RP_ERR_TYPE, "ufunc '%s' has no loop for dtype %s",
                        rp_binary_op_name(op), rp_dtype_name(types.loop));
    }
    const rp_operand *inputs[2] = {a, b};
    bool watch_fp = rp_dtype_is_float(types.loop) && is_arithmetic(op);
    const rp_operand *exponent = op == RP_BIN_POWER && rp_dtype_is_integer(types.loop) ? b : NULL;
    return run_elementwise(2, inputs, types, loop, NULL, watch_fp, exponent, rp_binary_op_name(op),
                           RP_STATS_BINARY, (int)op, out, result, warnings);
}

rp_status rp_unary(rp_unary_op op, const rp_array *a, rp_array *out, rp_array **result,
                   int *warnings)
{
    rp_binary_types types;
    rp_status status = rp_unary_types_resolve(op, a->dtype, &types);
    if (status != RP_OK) {
        return status;
    }
    rp_unary_loop loop = rp_kernels()->unary[op][types.loop];
    if (loop == NULL) {
        return rp_error(RP_ERR_TYPE, "ufunc '%s' has no loop for dtype %s", rp_unary_op_name(op),
                        rp_dtype_name(types.loop));
    }
    rp_operand operand = rp_operand_array(a);
    const rp_operand *inputs[1] = {&operand};
    return run_elementwise(1, inputs, types, NULL, loop, op == RP_UN_SQRT, NULL,
                           rp_unary_op_name(op), RP_STATS_UNARY, (int)op, out, result, warnings);
}
