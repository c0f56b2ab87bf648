/*
 * reduce_rows.c — the engine of sum, prod, min, max, any, all (and of mean/var's sums).
 *
 * The path is chosen from the input's strides. The axes are ordered by the input's strides
 * (nditer.c), so the innermost axis is the one that walks memory fastest:
 *
 *   - row reduction: the innermost axis is reduced (a.sum(axis=-1) of C data, or a full
 *     reduction). Each output gets one reduce-kernel call per row of its reduced elements (the
 *     row results reduced in batches by the kernel again; in order for float products), and
 *     threads take whole outputs; when there are few outputs, each output's work is cut into
 *     pieces of RP_REDUCE_PIECE_BYTES whose partial results are then reduced by the same kernel
 *     (so a float sum stays pairwise across pieces).
 *   - column sums: a sum over one reduced axis whose kept inner axis is contiguous (a.sum(axis=0)
 *     of C data), or steps a few elements at a time (of a[::2, ::2]), goes to reduce_columns.c
 *     and its register-blocked colsum kernel, unless that declines it or the row of the row
 *     accumulation below would span several kept axes.
 *   - row accumulation: the innermost axis is kept, otherwise (min/max/prod over axis 0, sums
 *     needing a cast, several reduced axes). Output rows are accumulated with the binary combine
 *     loop, out_row = out_row OP in_row, one input row after another, in blocks short enough
 *     that the accumulator block stays in L1 while the input streams past; threads take
 *     (output row, block) pairs, which never share an output element. When the output holds
 *     the kept axes in another order than the input (a transposed or Fortran-ordered 3-D array)
 *     or reversed, the row is every innermost kept axis the input steps through as one, read
 *     forwards, and each block accumulates in a contiguous buffer that is then copied to the
 *     output's places (reduce_places.c): the kernels keep unit steps, and the input is read in
 *     memory order (min/max of such views took 5-20 times NumPy's time with strided
 *     accumulators).
 *
 * Neither path depends on the thread count for its results: pieces and blocks are cut from sizes
 * only, and every output element is combined in the same order whichever thread runs it.
 */
#include <string.h>

#include "compute_internal.h"
#include "nditer.h"
#include "raptors/runtime.h"
#include "reduce_internal.h"

/* Elements per chunk when the input is cast before the kernel reads it. */
#define CAST_CHUNK 1024
/* Accumulator block of the row-accumulation path: stays in L1 next to the streaming input. */
#define ACCUMULATE_BLOCK_BYTES ((int64_t)16 * 1024)
/* Blocks are not cut finer than this many elements when making work for more threads. */
#define MIN_BLOCK_ELEMENTS 256
/* Kept inner rows shorter than this are accumulated poorly (a kernel call per few elements);
 * such reductions take the row-reduction path along their fastest reduced axis instead. */
#define MIN_ACCUMULATE_ROW 16
/* Column sums spend a vector load per row; rows narrower than this (up to four float32 or two
 * float64 columns) are summed faster column by column along the reduced axis, although that
 * reads memory once per column. */
#define MIN_COLUMN_SUM_ROW_BYTES 20
#define MAX_ITEMSIZE 8
/* Row results of one output reduced together by the acc dtype's kernel (row reduction). */
#define ROW_BATCH 64

/* The row of the row-accumulation path: the innermost kept axes that step through the input
 * like one longer axis, innermost first, with their output strides. One axis whose output is
 * contiguous too is the plain case; otherwise (the output transposed or reversed against the
 * input) each block accumulates in a contiguous buffer that is then copied out. */
typedef struct accumulation_row {
    rp_block_places places;
    bool buffered;
} accumulation_row;

typedef struct reduce_plan {
    const rp_reducer *reducer;
    rp_reduce_loop kernel;           /* reads cast_to, writes acc */
    rp_reduce_rows_loop rows_kernel; /* kernel over many rows; NULL when the table has none */
    rp_binary_loop combine;          /* acc OP acc */
    rp_cast_loop cast_in;            /* input -> cast_to (rows) or -> acc (accumulation) */
    rp_cast_loop first_row;          /* input -> acc: starts an accumulator row */
    rp_reduce_loop merge;            /* acc -> acc: reduces a batch of row results */
    int64_t cast_itemsize, acc_itemsize;
    const char *in_data;
    char *out_data;
    rp_axis_walk kept;               /* kept axes: strides[0] input, strides[1] output */
    rp_axis_walk rows;               /* reduced axes walked row by row: strides[0] input */
    int64_t row_len;                 /* elements of the innermost axis */
    int64_t row_stride_in, row_stride_out;
    /* row reduction */
    int64_t pieces_per_output, rows_per_piece, blocks_per_row, block_len;
    char *partials;                  /* pieces_per_output > 1: one acc per item */
    /* row accumulation: block_len above is the accumulator block */
    int64_t blocks_per_kept;
    accumulation_row accumulated;
    rp_worker_flags flags;
} reduce_plan;

typedef struct worker_scratch {
    _Alignas(64) char data[CAST_CHUNK * MAX_ITEMSIZE];
} worker_scratch;

/* ===================================================================== row reduction */

/* memcpy of one accumulator: sizes the compiler can see, because a library call per output
 * costs as much as summing a short row. */
static inline void copy_item(char *dest, const char *src, int64_t itemsize)
{
    switch (itemsize) {
    case 8: memcpy(dest, src, 8); break;
    case 4: memcpy(dest, src, 4); break;
    default: memcpy(dest, src, (size_t)itemsize); break;
    }
}

/* Reduces n elements at `row` into *result (acc dtype), casting in chunks when needed. */
static void reduce_row(const reduce_plan *plan, const char *row, int64_t stride, int64_t n,
                       char *result, worker_scratch *scratch, int *flags)
{
    if (plan->cast_in == NULL) {
        plan->kernel(row, stride, n, result);
        return;
    }
    for (int64_t done = 0; done < n; done += CAST_CHUNK) {
        int64_t len = n - done < CAST_CHUNK ? n - done : CAST_CHUNK;
        plan->cast_in(row + done * stride, stride, scratch->data, plan->cast_itemsize, len);
        char part[MAX_ITEMSIZE];
        plan->kernel(scratch->data, plan->cast_itemsize, len, done == 0 ? result : part);
        if (done > 0) {
            plan->combine(result, 0, part, 0, result, 0, 1, flags);
        }
    }
}

/* The rows form of a reduce loop for tables without one: a call per row. */
static void reduce_rows_by_calls(rp_reduce_loop kernel, const char *in, int64_t stride, int64_t n,
                                 int64_t count, int64_t row_step, char *out, int64_t out_step)
{
    for (int64_t k = 0; k < count; k++, in += row_step, out += out_step) {
        kernel(in, stride, n, out);
    }
}

/* Outputs [begin, end) when each is the reduction of a single row of the input's dtype (the
 * innermost axis alone is reduced, no cast): the kernel writes straight into the output. Each
 * run along the innermost kept axis is one call of the rows loop, because a call per row (and
 * the walk's offsets stored and reloaded around each) made a 512-element float32 row cost half
 * as much again as summing it. */
static void reduce_single_rows(const reduce_plan *plan, int64_t begin, int64_t end)
{
    const int inner = plan->kept.naxes - 1;
    const int64_t step_in = inner >= 0 ? plan->kept.strides[0][inner] : 0;
    const int64_t step_out = inner >= 0 ? plan->kept.strides[1][inner] : 0;
    rp_axis_walk kept;
    rp_axis_walk_start(&kept, &plan->kept, begin);
    for (int64_t item = begin; item < end;) {
        int64_t run = inner >= 0 ? kept.shape[inner] - kept.counter[inner] : 1;
        if (run > end - item) {
            run = end - item;
        }
        const char *in = plan->in_data + kept.offset[0];
        char *out = plan->out_data + kept.offset[1];
        if (plan->rows_kernel != NULL) {
            plan->rows_kernel(in, plan->row_stride_in, plan->row_len, run, step_in, out,
                              step_out);
        } else {
            reduce_rows_by_calls(plan->kernel, in, plan->row_stride_in, plan->row_len, run,
                                 step_in, out, step_out);
        }
        item += run;
        if (item < end) {
            /* The run ended its innermost axis: step the outer axes. */
            rp_axis_walk_seek(&kept, item);
        }
    }
}

/* Items are (output, piece) pairs: item = output * pieces_per_output + piece. */
static void reduce_items(int64_t begin, int64_t end, int worker, void *context)
{
    reduce_plan *plan = context;
    worker_scratch scratch;
    int flags = 0;
    if (plan->reducer->watch_fp) {
        rp_fp_clear();
    }
    if (plan->pieces_per_output == 1 && plan->rows.naxes == 0 && plan->cast_in == NULL) {
        reduce_single_rows(plan, begin, end);
        if (plan->reducer->watch_fp) {
            flags |= rp_fp_collect();
        }
        rp_worker_flags_add(&plan->flags, worker, flags);
        return;
    }
    rp_axis_walk kept, rows;
    rp_axis_walk_start(&kept, &plan->kept, begin / plan->pieces_per_output);
    rp_axis_walk_start(&rows, &plan->rows, 0);
    for (int64_t item = begin; item < end; item++) {
        int64_t piece = item % plan->pieces_per_output;
        if (item != begin && piece == 0) {
            rp_axis_walk_next(&kept);
        }
        int64_t first_row, last_row, start = 0, stop = plan->row_len;
        if (plan->blocks_per_row > 1) {
            first_row = piece / plan->blocks_per_row;
            last_row = first_row + 1;
            start = (piece % plan->blocks_per_row) * plan->block_len;
            stop = start + plan->block_len < plan->row_len ? start + plan->block_len
                                                           : plan->row_len;
        } else {
            first_row = piece * plan->rows_per_piece;
            last_row = first_row + plan->rows_per_piece;
            int64_t total_rows = rp_axis_walk_size(&rows);
            if (last_row > total_rows) {
                last_row = total_rows;
            }
        }
        const char *base = plan->in_data + kept.offset[0] + start * plan->row_stride_in;
        char acc[MAX_ITEMSIZE], part[MAX_ITEMSIZE];
        rp_axis_walk_seek(&rows, first_row);
        if (plan->reducer->in_order) {
            for (int64_t r = first_row; r < last_row; r++) {
                reduce_row(plan, base + rows.offset[0], plan->row_stride_in, stop - start,
                           r == first_row ? acc : part, &scratch, &flags);
                if (r != first_row) {
                    plan->combine(acc, 0, part, 0, acc, 0, 1, &flags);
                }
                rp_axis_walk_next(&rows);
            }
        } else {
            /* Row results gather in a batch that the acc dtype's kernel reduces (a float sum
             * stays blocked), so short rows cost one kernel call each, not two; batches are
             * combined in order. Narrow rows without a cast are first gathered into scratch,
             * up to CAST_CHUNK elements per kernel call. */
            _Alignas(64) char batch[ROW_BATCH * MAX_ITEMSIZE];
            int64_t len = stop - start, filled = 0, gathered = 0;
            bool gather = plan->cast_in == NULL && len <= RP_GATHER_MAX_ROW;
            bool have_acc = false;
            for (int64_t r = first_row; r < last_row; r++) {
                const char *row = base + rows.offset[0];
                rp_axis_walk_next(&rows);
                bool last = r + 1 == last_row;
                char *result = batch + filled * plan->acc_itemsize;
                if (!gather) {
                    reduce_row(plan, row, plan->row_stride_in, len, result, &scratch, &flags);
                } else {
                    rp_gather_rows(scratch.data + gathered * plan->cast_itemsize, row, 0,
                                   plan->row_stride_in, 1, len, plan->cast_itemsize);
                    gathered += len;
                    if (!last && gathered + len <= CAST_CHUNK) {
                        continue;
                    }
                    plan->kernel(scratch.data, plan->cast_itemsize, gathered, result);
                    gathered = 0;
                }
                if (++filled < ROW_BATCH && !last) {
                    continue;
                }
                char *target = have_acc ? part : acc;
                if (filled == 1) {
                    copy_item(target, batch, plan->acc_itemsize);
                } else {
                    plan->merge(batch, plan->acc_itemsize, filled, target);
                }
                if (have_acc) {
                    plan->combine(acc, 0, part, 0, acc, 0, 1, &flags);
                }
                have_acc = true;
                filled = 0;
            }
        }
        char *dest = plan->pieces_per_output == 1 ? plan->out_data + kept.offset[1]
                                                  : plan->partials + item * plan->acc_itemsize;
        copy_item(dest, acc, plan->acc_itemsize);
    }
    if (plan->reducer->watch_fp) {
        flags |= rp_fp_collect();
    }
    rp_worker_flags_add(&plan->flags, worker, flags);
}

/* Splits each output's reduction into pieces when there are too few outputs to share out. */
static void plan_pieces(reduce_plan *plan, int64_t in_itemsize)
{
    int64_t outputs = rp_axis_walk_size(&plan->kept), rows = rp_axis_walk_size(&plan->rows);
    int64_t piece_elements = RP_REDUCE_PIECE_BYTES / in_itemsize;
    plan->pieces_per_output = 1;
    plan->rows_per_piece = rows;
    plan->blocks_per_row = 1;
    plan->block_len = plan->row_len;
    if (outputs >= RP_REDUCE_MANY_OUTPUTS || rows * plan->row_len <= piece_elements ||
        plan->reducer->in_order) {
        return;
    }
    if (plan->row_len >= piece_elements) {
        plan->blocks_per_row = rp_ceil_div(plan->row_len, piece_elements);
        plan->block_len = piece_elements;
        plan->rows_per_piece = 1;
        plan->pieces_per_output = rows * plan->blocks_per_row;
    } else {
        plan->rows_per_piece = rp_ceil_div(piece_elements, plan->row_len);
        plan->pieces_per_output = rp_ceil_div(rows, plan->rows_per_piece);
    }
}

static rp_status run_row_reduction(reduce_plan *plan, int64_t in_itemsize, int *flags)
{
    const rp_kernel_table *kernels = rp_kernels();
    plan_pieces(plan, in_itemsize);
    int64_t outputs = rp_axis_walk_size(&plan->kept);
    int64_t items = outputs * plan->pieces_per_output;
    if (plan->pieces_per_output > 1) {
        plan->partials = malloc((size_t)(items * plan->acc_itemsize));
        if (plan->partials == NULL) {
            return rp_error(RP_ERR_NOMEM, "cannot allocate reduction partials");
        }
    }
    int64_t item_elements = plan->pieces_per_output > 1
                                ? (plan->blocks_per_row > 1 ? plan->block_len
                                                            : plan->rows_per_piece * plan->row_len)
                                : rp_axis_walk_size(&plan->rows) * plan->row_len;
    int threads = rp_parallel_for_upto(items, rp_parallel_min_items(item_elements * in_itemsize),
                                       plan->flags.count, reduce_items, plan);
    if (plan->pieces_per_output > 1) {
        /* Each output's partials are contiguous: reduce them with the kernel of the acc dtype,
         * which for float sums is pairwise again. */
        rp_reduce_loop merge = kernels->reduce[plan->reducer->kernel_op][plan->reducer->acc];
        rp_axis_walk kept;
        rp_axis_walk_start(&kept, &plan->kept, 0);
        int fp_flags = 0;
        if (plan->reducer->watch_fp) {
            rp_fp_clear();
        }
        for (int64_t o = 0; o < outputs; o++) {
            rp_axis_walk_seek(&kept, o);
            merge(plan->partials + o * plan->pieces_per_output * plan->acc_itemsize,
                  plan->acc_itemsize, plan->pieces_per_output, plan->out_data + kept.offset[1]);
        }
        if (plan->reducer->watch_fp) {
            fp_flags = rp_fp_collect();
        }
        *flags |= fp_flags;
        free(plan->partials);
    }
    rp_reduce_op op = plan->reducer->kernel_op;
    rp_stats_record(RP_STATS_REDUCE, op,
                    rp_backend_for(rp_kernel_reduce_is_simd(op, plan->reducer->cast_to), threads));
    return RP_OK;
}

/* ===================================================================== row accumulation */

/* Items are (kept output row, block) pairs: item = kept_index * blocks_per_kept + block. */
static void accumulate_items(int64_t begin, int64_t end, int worker, void *context)
{
    reduce_plan *plan = context;
    worker_scratch scratch;
    _Alignas(64) char buffer[ACCUMULATE_BLOCK_BYTES];
    int flags = 0;
    if (plan->reducer->watch_fp) {
        rp_fp_clear();
    }
    rp_axis_walk kept, rows;
    rp_axis_walk_start(&rows, &plan->rows, 0);
    int64_t nrows = rp_axis_walk_size(&rows);
    rp_axis_walk_start(&kept, &plan->kept, begin / plan->blocks_per_kept);
    for (int64_t item = begin; item < end; item++) {
        int64_t block = item % plan->blocks_per_kept;
        if (item != begin && block == 0) {
            rp_axis_walk_next(&kept);
        }
        int64_t start = block * plan->block_len;
        int64_t len = plan->row_len - start < plan->block_len ? plan->row_len - start
                                                              : plan->block_len;
        const char *in = plan->in_data + kept.offset[0] + start * plan->row_stride_in;
        bool buffered = plan->accumulated.buffered;
        char *acc = plan->out_data + kept.offset[1] + start * plan->row_stride_out;
        int64_t si = plan->row_stride_in, so = plan->row_stride_out;
        if (buffered) {
            acc = buffer;
            so = plan->acc_itemsize;
        }
        rp_axis_walk_seek(&rows, 0);
        plan->first_row(in + rows.offset[0], si, acc, so, len);
        for (int64_t r = 1; r < nrows; r++) {
            rp_axis_walk_next(&rows);
            const char *row = in + rows.offset[0];
            if (plan->cast_in == NULL) {
                plan->combine(acc, so, row, si, acc, so, len, &flags);
                continue;
            }
            for (int64_t done = 0; done < len; done += CAST_CHUNK) {
                int64_t n = len - done < CAST_CHUNK ? len - done : CAST_CHUNK;
                plan->cast_in(row + done * si, si, scratch.data, plan->acc_itemsize, n);
                plan->combine(acc + done * so, so, scratch.data, plan->acc_itemsize,
                              acc + done * so, so, n, &flags);
            }
        }
        if (buffered) {
            rp_copy_block_out(&plan->accumulated.places, buffer, start, len,
                              plan->out_data + kept.offset[1]);
        }
    }
    if (plan->reducer->watch_fp) {
        flags |= rp_fp_collect();
    }
    rp_worker_flags_add(&plan->flags, worker, flags);
}

static void run_accumulation(reduce_plan *plan, int64_t in_itemsize)
{
    int64_t kept_rows = rp_axis_walk_size(&plan->kept);
    int64_t block = ACCUMULATE_BLOCK_BYTES / plan->acc_itemsize;
    if (block > plan->row_len) {
        block = plan->row_len;
    }
    /* With several threads, cut finer (never below MIN_BLOCK_ELEMENTS) until each can get a
     * few items. */
    int threads = plan->flags.count;
    int64_t wanted = threads > 1 ? 4 * (int64_t)threads : 1;
    if (kept_rows * rp_ceil_div(plan->row_len, block) < wanted &&
        plan->row_len > MIN_BLOCK_ELEMENTS) {
        int64_t splits = rp_ceil_div(wanted, kept_rows);
        int64_t finer = rp_ceil_div(rp_ceil_div(plan->row_len, splits), 16) * 16;
        block = finer < MIN_BLOCK_ELEMENTS ? MIN_BLOCK_ELEMENTS : finer < block ? finer : block;
    }
    plan->block_len = block;
    plan->blocks_per_kept = rp_ceil_div(plan->row_len, block);
    int64_t items = kept_rows * plan->blocks_per_kept;
    int64_t item_bytes = block * rp_axis_walk_size(&plan->rows) * in_itemsize;
    threads = rp_parallel_for_upto(items, rp_parallel_min_items(item_bytes), plan->flags.count,
                                   accumulate_items, plan);
    rp_reduce_op op = plan->reducer->kernel_op;
    rp_stats_record(RP_STATS_REDUCE, op,
                    rp_backend_for(rp_kernel_binary_is_simd(plan->reducer->combine_op,
                                                            plan->reducer->acc),
                                   threads));
}

/* ===================================================================== entry */

/* The accumulation's row from layout axes [first, innermost]: read forwards (a reversed row is
 * turned around, input and output alike, so the kernels see a unit or positive step), and
 * buffered unless it is one axis with a contiguous output. */
static void plan_accumulation_row(reduce_plan *plan, const rp_loop_layout *layout, int first)
{
    rp_block_places *places = &plan->accumulated.places;
    int inner = layout->ndim - 1;
    bool reversed = layout->strides[0][inner] < 0;
    places->naxes = 0;
    plan->row_len = 1;
    for (int i = inner; i >= first; i--) {
        int64_t in_stride = layout->strides[0][i], out_stride = layout->strides[1][i];
        if (reversed) {
            plan->in_data += (layout->shape[i] - 1) * in_stride;
            plan->out_data += (layout->shape[i] - 1) * out_stride;
            out_stride = -out_stride;
        }
        places->shape[places->naxes] = layout->shape[i];
        places->out_strides[places->naxes++] = out_stride;
        plan->row_len *= layout->shape[i];
    }
    plan->row_stride_in = reversed ? -layout->strides[0][inner] : layout->strides[0][inner];
    plan->row_stride_out = places->out_strides[0];
    plan->accumulated.buffered = places->naxes > 1 || plan->row_stride_out != plan->acc_itemsize;
    places->itemsize = plan->acc_itemsize;
    places->copy = rp_kernels()->cast[plan->reducer->acc][plan->reducer->acc];
    places->transposed = rp_block_places_transposed(places);
}

/* a's axis strides for the output: 0 on reduced axes, out's stride on kept ones. */
static void output_strides(const rp_array *a, const bool *reduced, const rp_array *out,
                           int64_t *strides)
{
    for (int i = 0, j = 0; i < a->ndim; i++) {
        if (out->ndim == a->ndim) {
            strides[i] = reduced[i] ? 0 : out->strides[i];
        } else {
            strides[i] = reduced[i] ? 0 : out->strides[j++];
        }
    }
}

rp_status rp_reduce_rows(const rp_array *a, const bool *reduced, const rp_reducer *reducer,
                         rp_array *out, int *flags)
{
    const rp_kernel_table *kernels = rp_kernels();
    int64_t out_strides[RP_MAXDIMS];
    output_strides(a, reduced, out, out_strides);
    const int64_t *strides[2] = {a->strides, out_strides};
    rp_loop_layout layout;
    rp_loop_layout_init(&layout, 2, a->ndim, a->shape, strides);

    reduce_plan plan = {.reducer = reducer, .in_data = a->data, .out_data = out->data};
    plan.kernel = kernels->reduce[reducer->kernel_op][reducer->cast_to];
    plan.rows_kernel = kernels->reduce_rows[reducer->kernel_op][reducer->cast_to];
    plan.merge = kernels->reduce[reducer->kernel_op][reducer->acc];
    plan.combine = kernels->binary[reducer->combine_op][reducer->acc];
    plan.cast_itemsize = (int64_t)rp_dtype_size(reducer->cast_to);
    plan.acc_itemsize = (int64_t)rp_dtype_size(reducer->acc);
    int64_t in_itemsize = (int64_t)rp_dtype_size(a->dtype);

    int inner = layout.ndim - 1;
    bool inner_kept = layout.ndim > 0 && layout.strides[1][inner] != 0;
    /* Kept axes [first_kept, inner] step through the input as one row (their order in the
     * output differs, or the layout would have merged them). */
    int first_kept = inner;
    int64_t kept_row = inner_kept ? layout.shape[inner] : 0;
    while (inner_kept && first_kept > 0 && layout.strides[1][first_kept - 1] != 0 &&
           layout.strides[0][first_kept - 1] ==
               layout.shape[first_kept] * layout.strides[0][first_kept]) {
        first_kept--;
        kept_row *= layout.shape[first_kept];
    }
    if (inner_kept && first_kept == inner && reducer->kernel_op == RP_RED_SUM &&
        reducer->cast_to == a->dtype &&
        layout.strides[0][inner] % in_itemsize == 0 &&
        layout.shape[inner] * in_itemsize >= MIN_COLUMN_SUM_ROW_BYTES) {
        rp_column_sum job = {.in = a->data, .out = out->data, .ncols = layout.shape[inner],
                             .col_step = layout.strides[0][inner] / in_itemsize,
                             .out_col_stride = layout.strides[1][inner], .dtype = a->dtype,
                             .acc = reducer->acc, .watch_fp = reducer->watch_fp};
        int reduced_axes = 0;
        for (int i = 0; i < inner; i++) {
            if (layout.strides[1][i] == 0) {
                reduced_axes++;
                job.nrows = layout.shape[i];
                job.row_stride = layout.strides[0][i];
            } else {
                rp_axis_walk_add(&job.kept, layout.shape[i], layout.strides[0][i],
                                 layout.strides[1][i]);
            }
        }
        if (reduced_axes == 1) {
            bool done;
            rp_status status = rp_sum_columns(&job, flags, &done);
            if (status != RP_OK || done) {
                return status;
            }
        }
    }
    bool two_casts = reducer->cast_to != a->dtype && reducer->acc != reducer->cast_to;
    bool accumulate = inner_kept && kept_row >= MIN_ACCUMULATE_ROW && !two_casts;

    /* Row reduction walks kept axes outside and reduced axes inside, its row being the reduced
     * axis of smallest stride; accumulation's row is the innermost kept axes (from first_kept). */
    int row_axis = -1;
    for (int i = 0; i < layout.ndim; i++) {
        if (accumulate ? i == inner : layout.strides[1][i] == 0) {
            row_axis = i;
        }
    }
    int row_from = accumulate ? first_kept : row_axis;
    for (int i = 0; i < layout.ndim; i++) {
        if (i >= row_from && i <= row_axis) {
            continue;
        }
        if (layout.strides[1][i] != 0) {
            rp_axis_walk_add(&plan.kept, layout.shape[i], layout.strides[0][i],
                             layout.strides[1][i]);
        } else {
            rp_axis_walk_add(&plan.rows, layout.shape[i], layout.strides[0][i], 0);
        }
    }
    if (accumulate) {
        plan_accumulation_row(&plan, &layout, first_kept);
    } else {
        plan.row_len = row_axis >= 0 ? layout.shape[row_axis] : 1;
        plan.row_stride_in = row_axis >= 0 ? layout.strides[0][row_axis] : 0;
        plan.row_stride_out = row_axis >= 0 ? layout.strides[1][row_axis] : 0;
    }

    rp_status status = rp_worker_flags_init(&plan.flags);
    if (status != RP_OK) {
        return status;
    }
    if (accumulate) {
        plan.first_row = kernels->cast[a->dtype][reducer->acc];
        /* A strided row whose combine loop would read it element by element is compacted
         * first (by the copy loop, on vectors), as a cast would be. */
        bool compact = plan.row_stride_in != in_itemsize &&
                       !rp_kernel_binary_reads_stride(reducer->combine_op, reducer->acc,
                                                      plan.row_stride_in);
        plan.cast_in = a->dtype != reducer->acc || compact ? plan.first_row : NULL;
        run_accumulation(&plan, in_itemsize);
    } else {
        plan.cast_in = a->dtype != reducer->cast_to ? kernels->cast[a->dtype][reducer->cast_to]
                                                    : NULL;
        /* min/max read strided rows (a[::-1], a[:, ::2]) element by element; compacted first,
         * they run on vectors. Their chunk results combine in order, so the result (the first
         * NaN included) is the same. Narrow rows are gathered instead, and sums keep their own
         * strided loops, whose order of additions compaction would change. */
        bool extreme = reducer->kernel_op == RP_RED_MIN || reducer->kernel_op == RP_RED_MAX;
        if (plan.cast_in == NULL && extreme && plan.row_stride_in != in_itemsize &&
            plan.row_len > RP_GATHER_MAX_ROW) {
            plan.cast_in = kernels->cast[a->dtype][a->dtype];
        }
        status = run_row_reduction(&plan, in_itemsize, flags);
    }
    *flags |= rp_worker_flags_finish(&plan.flags);
    return status;
}
