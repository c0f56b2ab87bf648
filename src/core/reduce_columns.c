/*
 * reduce_columns.c — sums over an outer axis whose kept inner axis walks the input in steps of
 * a whole number of elements (a.sum(axis=0) and a.mean(axis=0) of C-ordered data, or of a view
 * such as a[::2, ::2]), with the colsum kernel.
 *
 * The kernel reads a block of rows once, keeping running column sums in registers and L1, so
 * the work here is only the split: each kept outer position's rows x columns are cut into
 * tiles of (row chunk) x (column piece).
 *   - Column pieces never change a result (columns are independent), so they are sized from
 *     the thread count: whole rows when there are enough tiles, else narrower pieces (whole
 *     cache lines) so that every thread gets several.
 *   - Row chunks do change the order of additions, so they are sized from sizes only (never
 *     the thread count, so a result is the same on any number of threads): a multiple of the
 *     kernel's row block, about CHUNK_BYTES of rows. Each chunk's column sums go to a partial
 *     row, and the partial rows are then summed by the kernel again, which keeps the float
 *     sums blocked (close to pairwise) across chunks as well as within them.
 *
 * Spread columns: when the wanted columns are a few elements apart (col_step > 1), every cache
 * line of a row is fetched anyway, so the kernel sums the whole span of each row, wanted
 * columns and those between alike, into a small per-thread buffer, and every col_step-th sum
 * is copied out (to the output, or to a compact partial row). The same buffer serves an output
 * whose inner stride is not the unit one. Chunks are planned from the wanted columns only, so
 * each wanted column is summed exactly as in a contiguous copy of the view, to the bit. The
 * columns in between may raise floating-point conditions of their own; a float sum that raised
 * any is reported back undone, for the caller to redo on a path that reads only the wanted
 * elements, so warnings stay NumPy's.
 */
#include <stdint.h>
#include <stdlib.h>

#include "raptors/runtime.h"
#include "reduce_internal.h"

/* Rows of about this many bytes form one chunk, when there are few kept outputs to share. */
#define CHUNK_BYTES ((int64_t)256 * 1024)
/* The partial rows of all chunks together stay below this. */
#define MAX_PARTIAL_BYTES ((int64_t)16 * 1024 * 1024)
/* Column pieces are at least this wide, so each row of a tile is a long sequential run. */
#define MIN_PIECE_BYTES ((int64_t)2048)
#define CACHE_LINE 64
/* Tiles wanted per thread for balance when threads are offered the work. */
#define TILES_PER_THREAD 4
/* Spread columns are read whole while the step between them spans at most this many bytes of
 * input: up to a cache line, every line is fetched anyway; past it, lines are skipped that the
 * whole-span reading would fetch (measured: twice as slow as the strided path at 128 bytes). */
#define MAX_SPREAD_STEP_BYTES 64
/* A portable (scalar) kernel pays an add per column read, so its steps stay shorter: the
 * strided path costs about four times its work per wanted element (measured break-even at a
 * step of 4, a clear gain at 3). */
#define MAX_SCALAR_SPREAD_STEP 3
/* The per-thread buffer that column sums pass through before being copied out; column pieces
 * are cut to fit it. */
#define SPREAD_BUFFER_BYTES 8192

typedef struct column_plan {
    const rp_column_sum *job;           /* col_step > 0 (reversed steps are turned around) */
    rp_colsum_loop kernel;
    int64_t in_itemsize, acc_itemsize;
    int64_t span;                       /* input columns of a row read: (ncols-1)*col_step+1 */
    int64_t chunk_rows, chunks;         /* row chunks per kept position */
    int64_t piece_cols, pieces;         /* column pieces per row of the span */
    int64_t merge_pieces;               /* chunks > 1: pieces per row of wanted columns */
    char *partials;                     /* chunks > 1: [kept][chunk][wanted column] */
    rp_colsum_loop merge;               /* sums partial rows (acc dtype) */
    rp_cast_loop copy;                  /* acc -> acc at any strides: copies sums out */
    rp_worker_flags *flags;
} column_plan;

typedef struct spread_buffer {
    _Alignas(64) char data[SPREAD_BUFFER_BYTES];
} spread_buffer;

/* Column sums of `rows` rows x `cols` span columns from span column c0 at `in`, into the wanted
 * columns of `dest` (the whole row of wanted columns, byte stride dest_stride): directly when
 * the two coincide, else through `buffer`. */
static void sum_piece(const column_plan *plan, const char *in, int64_t rows, int64_t c0,
                      int64_t cols, char *dest, int64_t dest_stride, spread_buffer *buffer)
{
    const rp_column_sum *job = plan->job;
    if (job->col_step == 1 && dest_stride == plan->acc_itemsize) {
        plan->kernel(in, job->row_stride, rows, cols, dest + c0 * plan->acc_itemsize);
        return;
    }
    plan->kernel(in, job->row_stride, rows, cols, buffer->data);
    int64_t first = rp_ceil_div(c0, job->col_step), last = (c0 + cols - 1) / job->col_step;
    if (last >= first) {
        plan->copy(buffer->data + (first * job->col_step - c0) * plan->acc_itemsize,
                   job->col_step * plan->acc_itemsize, dest + first * dest_stride, dest_stride,
                   last - first + 1);
    }
}

/* Tiles: item = (kept * pieces + piece) * chunks + chunk. */
static void sum_tiles(int64_t begin, int64_t end, int worker, void *context)
{
    const column_plan *plan = context;
    const rp_column_sum *job = plan->job;
    spread_buffer buffer;
    if (job->watch_fp) {
        rp_fp_clear();
    }
    rp_axis_walk kept;
    int64_t per_kept = plan->pieces * plan->chunks;
    rp_axis_walk_start(&kept, &job->kept, begin / per_kept);
    for (int64_t item = begin; item < end; item++) {
        if (item != begin && item % per_kept == 0) {
            rp_axis_walk_next(&kept);
        }
        int64_t k = item / per_kept, piece = item % per_kept / plan->chunks;
        int64_t chunk = item % plan->chunks;
        int64_t c0 = piece * plan->piece_cols, r0 = chunk * plan->chunk_rows;
        int64_t cols = plan->span - c0 < plan->piece_cols ? plan->span - c0 : plan->piece_cols;
        int64_t rows = job->nrows - r0 < plan->chunk_rows ? job->nrows - r0 : plan->chunk_rows;
        const char *in = job->in + kept.offset[0] + r0 * job->row_stride + c0 * plan->in_itemsize;
        int64_t partial_row = job->ncols * plan->acc_itemsize;
        if (plan->chunks == 1) {
            sum_piece(plan, in, rows, c0, cols, job->out + kept.offset[1], job->out_col_stride,
                      &buffer);
        } else {
            sum_piece(plan, in, rows, c0, cols,
                      plan->partials + (k * plan->chunks + chunk) * partial_row,
                      plan->acc_itemsize, &buffer);
        }
    }
    if (job->watch_fp) {
        rp_worker_flags_add(plan->flags, worker, rp_fp_collect());
    }
}

/* Sums each kept position's partial rows (wanted columns only) into the output:
 * item = kept * merge_pieces + piece. */
static void merge_partials(int64_t begin, int64_t end, int worker, void *context)
{
    const column_plan *plan = context;
    const rp_column_sum *job = plan->job;
    spread_buffer buffer;
    if (job->watch_fp) {
        rp_fp_clear();
    }
    rp_axis_walk kept;
    rp_axis_walk_start(&kept, &job->kept, begin / plan->merge_pieces);
    int64_t partial_row = job->ncols * plan->acc_itemsize;
    for (int64_t item = begin; item < end; item++) {
        if (item != begin && item % plan->merge_pieces == 0) {
            rp_axis_walk_next(&kept);
        }
        int64_t k = item / plan->merge_pieces, c0 = item % plan->merge_pieces * plan->piece_cols;
        int64_t cols = job->ncols - c0 < plan->piece_cols ? job->ncols - c0 : plan->piece_cols;
        const char *rows =
            plan->partials + k * plan->chunks * partial_row + c0 * plan->acc_itemsize;
        char *out = job->out + kept.offset[1] + c0 * job->out_col_stride;
        if (job->out_col_stride == plan->acc_itemsize) {
            plan->merge(rows, partial_row, plan->chunks, cols, out);
        } else {
            plan->merge(rows, partial_row, plan->chunks, cols, buffer.data);
            plan->copy(buffer.data, plan->acc_itemsize, out, job->out_col_stride, cols);
        }
    }
    if (job->watch_fp) {
        rp_worker_flags_add(plan->flags, worker, rp_fp_collect());
    }
}

/* Row chunks from sizes only: a whole number of kernel row blocks of about CHUNK_BYTES, and
 * only while the partial rows stay small. */
static void plan_chunks(column_plan *plan, int64_t kept_count)
{
    const rp_column_sum *job = plan->job;
    int64_t row_bytes = job->ncols * plan->in_itemsize;
    int64_t partial_row = job->ncols * plan->acc_itemsize;
    int64_t blocks = CHUNK_BYTES / ((int64_t)RP_COLSUM_BLOCK_ROWS * row_bytes);
    plan->chunk_rows = (blocks > 1 ? blocks : 1) * RP_COLSUM_BLOCK_ROWS;
    plan->chunks = 1;
    if (kept_count >= RP_REDUCE_MANY_OUTPUTS || job->nrows <= plan->chunk_rows) {
        plan->chunk_rows = job->nrows;
        return;
    }
    int64_t chunks = rp_ceil_div(job->nrows, plan->chunk_rows);
    int64_t affordable = MAX_PARTIAL_BYTES / (kept_count * partial_row);
    if (affordable < 2) {
        plan->chunk_rows = job->nrows;
        return;
    }
    if (chunks > affordable) {
        chunks = affordable;
        plan->chunk_rows = rp_ceil_div(rp_ceil_div(job->nrows, chunks), RP_COLSUM_BLOCK_ROWS) *
                           RP_COLSUM_BLOCK_ROWS;
        chunks = rp_ceil_div(job->nrows, plan->chunk_rows);
    }
    if (chunks < 2) {
        plan->chunk_rows = job->nrows;
        return;
    }
    plan->chunks = chunks;
}

/* Column pieces from the thread count: whole rows unless that leaves threads without tiles;
 * no wider than the spread buffer when sums pass through it. */
static void plan_pieces(column_plan *plan, int64_t kept_count, int threads)
{
    const rp_column_sum *job = plan->job;
    int64_t row_bytes = plan->span * plan->in_itemsize;
    int64_t tiles = kept_count * plan->chunks;
    int64_t wanted = threads > 1 ? (int64_t)threads * TILES_PER_THREAD : 1;
    int64_t pieces = 1;
    if (tiles < wanted) {
        pieces = rp_ceil_div(wanted, tiles);
        int64_t most = row_bytes / MIN_PIECE_BYTES;
        pieces = pieces < most ? pieces : most < 1 ? 1 : most;
    }
    int64_t line_cols = CACHE_LINE / plan->in_itemsize;
    plan->piece_cols = rp_ceil_div(rp_ceil_div(plan->span, pieces), line_cols) * line_cols;
    if (job->col_step != 1 || job->out_col_stride != plan->acc_itemsize) {
        int64_t widest = SPREAD_BUFFER_BYTES / plan->acc_itemsize / line_cols * line_cols;
        plan->piece_cols = plan->piece_cols < widest ? plan->piece_cols : widest;
    }
    plan->pieces = rp_ceil_div(plan->span, plan->piece_cols);
    plan->merge_pieces = rp_ceil_div(job->ncols, plan->piece_cols);
}

/* The job with a positive column step: a reversed one starts from its last column, which is
 * its lowest address, and writes the output backwards. False when the step is too long to read
 * the span of a row whole (or the span's bytes would not fit in int64). */
static bool forward_job(const rp_column_sum *job, int64_t in_itemsize, rp_column_sum *forward)
{
    int64_t step = job->col_step < 0 ? -job->col_step : job->col_step;
    int64_t longest = MAX_SPREAD_STEP_BYTES / in_itemsize;
    if (!rp_kernel_colsum_is_simd(job->dtype) && longest > MAX_SCALAR_SPREAD_STEP) {
        longest = MAX_SCALAR_SPREAD_STEP;
    }
    if (step == 0 || step > longest || job->ncols - 1 > INT64_MAX / in_itemsize / step) {
        return false;
    }
    *forward = *job;
    if (job->col_step < 0) {
        forward->in += (job->ncols - 1) * job->col_step * in_itemsize;
        forward->out += (job->ncols - 1) * job->out_col_stride;
        forward->col_step = step;
        forward->out_col_stride = -job->out_col_stride;
    }
    return true;
}

rp_status rp_sum_columns(const rp_column_sum *requested, int *flags, bool *done)
{
    const rp_kernel_table *kernels = rp_kernels();
    int64_t in_itemsize = (int64_t)rp_dtype_size(requested->dtype);
    rp_column_sum job;
    *done = forward_job(requested, in_itemsize, &job);
    if (!*done) {
        return RP_OK;
    }
    column_plan plan = {.job = &job, .kernel = kernels->colsum[job.dtype]};
    plan.in_itemsize = in_itemsize;
    plan.acc_itemsize = (int64_t)rp_dtype_size(job.acc);
    plan.merge = kernels->colsum[job.acc];
    plan.copy = kernels->cast[job.acc][job.acc];
    plan.span = (job.ncols - 1) * job.col_step + 1;
    int64_t kept_count = rp_axis_walk_size(&job.kept);

    rp_worker_flags worker_flags;
    rp_status status = rp_worker_flags_init(&worker_flags);
    if (status != RP_OK) {
        return status;
    }
    plan.flags = &worker_flags;
    plan_chunks(&plan, kept_count);
    plan_pieces(&plan, kept_count, worker_flags.count);
    if (plan.chunks > 1) {
        /* plan_chunks bounds this by MAX_PARTIAL_BYTES, so it cannot overflow. */
        size_t bytes = (size_t)(kept_count * plan.chunks * job.ncols * plan.acc_itemsize);
        plan.partials = malloc(bytes);
        if (plan.partials == NULL) {
            rp_worker_flags_finish(&worker_flags);
            return rp_error(RP_ERR_NOMEM, "cannot allocate column-sum partials");
        }
    }
    int64_t tiles = kept_count * plan.pieces * plan.chunks;
    /* Saturates: a broadcast input (row stride 0) may have more rows than memory could hold. */
    int64_t piece_bytes = plan.piece_cols * plan.in_itemsize;
    int64_t tile_bytes = plan.chunk_rows > INT64_MAX / piece_bytes ? INT64_MAX
                                                                   : plan.chunk_rows * piece_bytes;
    int threads = rp_parallel_for_upto(tiles, rp_parallel_min_items(tile_bytes),
                                       worker_flags.count, sum_tiles, &plan);
    if (plan.chunks > 1) {
        int64_t merges = kept_count * plan.merge_pieces;
        int64_t merge_bytes = plan.chunks * plan.piece_cols * plan.acc_itemsize;
        rp_parallel_for_upto(merges, rp_parallel_min_items(merge_bytes), worker_flags.count,
                             merge_partials, &plan);
        free(plan.partials);
    }
    int raised = rp_worker_flags_finish(&worker_flags);
    if (job.watch_fp && job.col_step != 1 && raised != 0) {
        *done = false;
        return RP_OK;
    }
    *flags |= raised;
    rp_stats_record(RP_STATS_REDUCE, RP_RED_SUM,
                    rp_backend_for(rp_kernel_colsum_is_simd(job.dtype), threads));
    return RP_OK;
}
