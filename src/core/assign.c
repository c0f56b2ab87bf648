/*
 * assign.c — moving values between arrays: assign (broadcast + cast), copy, fill, element read.
 *
 * All of them reduce to one strided cast loop run over a two-operand layout (in tiles when the
 * source crosses the destination's rows, as a copy of a.T does), split across the thread pool
 * when large; overlapping source and destination go through a temporary so that
 * a[1:] = a[:-1] behaves as in NumPy. Casts that can meet a value with no representation
 * (float -> int, float64 -> float32) report it through the floating-point status flags, as
 * NumPy's do: each task clears and reads its own thread's flags.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "fp_status.h"
#include "kernels/kernels.h"
#include "nditer.h"
#include "parallel.h"

static void cast_row(char *const *ptrs, const int64_t *strides, int64_t n, void *context)
{
    const rp_cast_loop *loop = context;
    (*loop)(ptrs[1], strides[1], ptrs[0], strides[0], n);
}

_Static_assert((int)RP_CAST_OVERFLOW == (int)RP_LOOP_OVERFLOW &&
                   (int)RP_CAST_INVALID == (int)RP_LOOP_INVALID,
               "cast warnings and loop flags share values");

/* One copy split across the pool: by rows, by elements when the layout is a single row, or by
 * tiles when the source crosses the destination's rows. */
typedef struct copy_job {
    const rp_loop_layout *layout;
    char *base[2];
    rp_cast_loop loop;
    int64_t src_itemsize;
    bool watch;                   /* the cast can meet a value it cannot represent */
    atomic_int met;               /* RP_CAST_* bits, from every task */
} copy_job;

static void start_watching(const copy_job *job)
{
    if (job->watch) {
        rp_fp_clear();
    }
}

static void stop_watching(copy_job *job)
{
    if (!job->watch) {
        return;
    }
    int raised = rp_fp_collect();
    int met = ((raised & RP_LOOP_OVERFLOW) ? RP_CAST_OVERFLOW : 0) |
              ((raised & RP_LOOP_INVALID) ? RP_CAST_INVALID : 0);
    if (met != 0) {
        atomic_fetch_or(&job->met, met);
    }
}

static void copy_rows(int64_t begin, int64_t end, int worker, void *context)
{
    (void)worker;
    copy_job *job = context;
    start_watching(job);
    rp_loop_run_rows(job->layout, job->base, begin, end, cast_row, &job->loop);
    stop_watching(job);
}

/* A tile of a copy whose source crosses the destination's rows: gathered, then cast row by
 * row from the gathered block. */
typedef struct tile_copy {
    const copy_job *job;
    char *block;                  /* on the heap; NULL (out of memory): rows read in place */
} tile_copy;

static void cast_tile(char *const *ptrs, const int64_t *across, const int64_t *along,
                      int64_t nrows, int64_t ncols, void *context)
{
    tile_copy *tile = context;
    char *first[2] = {ptrs[0], ptrs[1]};
    int64_t steps[2] = {across[0], across[1]}, strides[2] = {along[0], along[1]};
    rp_tile_gather_crossing(&first[1], &steps[1], &strides[1], nrows, ncols,
                            tile->job->src_itemsize, tile->block);
    rp_loop_tile_rows(2, first, steps, strides, nrows, ncols, cast_row, (void *)&tile->job->loop);
}

static void copy_tiles(int64_t begin, int64_t end, int worker, void *context)
{
    (void)worker;
    copy_job *job = context;
    tile_copy tile = {.job = job};
    tile.block = malloc((size_t)RP_TILE_ROWS * RP_TILE_COLS * (size_t)job->src_itemsize);
    start_watching(job);
    rp_loop_run_tiles(job->layout, job->base, begin, end, cast_tile, &tile);
    stop_watching(job);
    free(tile.block);
}

static void copy_elements(int64_t begin, int64_t end, int worker, void *context)
{
    (void)worker;
    copy_job *job = context;
    int64_t dst_stride = 0, src_stride = 0;
    if (job->layout->ndim > 0) {
        dst_stride = job->layout->strides[0][job->layout->ndim - 1];
        src_stride = job->layout->strides[1][job->layout->ndim - 1];
    }
    start_watching(job);
    job->loop(job->base[1] + begin * src_stride, src_stride, job->base[0] + begin * dst_stride,
              dst_stride, end - begin);
    stop_watching(job);
}

/* True for the casts that can meet a value with no representation in the target. */
static bool cast_can_fail(rp_dtype from, rp_dtype to)
{
    return rp_dtype_is_float(from) && (rp_dtype_is_integer(to) ||
                                       (from == RP_FLOAT64 && to == RP_FLOAT32));
}

/* dst <- src where src already has dst's shape (strides may be 0) and no harmful overlap;
 * returns the RP_CAST_* bits of what the cast met. */
static int assign_same_shape(rp_array *dst, const rp_array *src)
{
    const int64_t *strides[2] = {dst->strides, src->strides};
    rp_loop_layout layout;
    rp_loop_layout_init(&layout, 2, dst->ndim, dst->shape, strides);
    if (layout.empty) {
        return 0;
    }
    copy_job job = {.layout = &layout, .base = {dst->data, src->data},
                    .loop = rp_kernels()->cast[src->dtype][dst->dtype],
                    .src_itemsize = (int64_t)rp_dtype_size(src->dtype),
                    .watch = cast_can_fail(src->dtype, dst->dtype)};
    atomic_init(&job.met, 0);
    int64_t rows = rp_loop_row_count(&layout), length = rp_loop_row_length(&layout);
    int64_t item_bytes = (int64_t)(rp_dtype_size(dst->dtype) + rp_dtype_size(src->dtype));
    int threads;
    if (rp_loop_tiled(&layout)) {
        int64_t tile_bytes = (int64_t)RP_TILE_ROWS * RP_TILE_COLS * item_bytes;
        threads = rp_parallel_for(rp_loop_tile_count(&layout), rp_parallel_min_items(tile_bytes),
                                  copy_tiles, &job);
    } else if (rows == 1) {
        threads = rp_parallel_for(length, rp_parallel_min_items(item_bytes), copy_elements, &job);
    } else {
        int64_t row_bytes = length > INT64_MAX / item_bytes ? INT64_MAX : length * item_bytes;
        threads = rp_parallel_for(rows, rp_parallel_min_items(row_bytes), copy_rows, &job);
    }
    rp_stats_record(RP_STATS_COPY, 0, rp_backend_for(false, threads));
    return atomic_load(&job.met);
}

rp_status rp_array_assign_checked(rp_array *dst, const rp_array *src, int *warnings)
{
    if (!(dst->flags & RP_ARRAY_WRITEABLE)) {
        return rp_error(RP_ERR_READONLY, "assignment destination is read-only");
    }
    /* NumPy's assignment drops leading extent-1 axes of a source with more axes than dst. */
    rp_array stripped = *src;
    while (stripped.ndim > dst->ndim && stripped.shape[0] == 1) {
        stripped.ndim--;
        memmove(stripped.shape, stripped.shape + 1, (size_t)stripped.ndim * sizeof(int64_t));
        memmove(stripped.strides, stripped.strides + 1, (size_t)stripped.ndim * sizeof(int64_t));
    }
    rp_array *broadcast;
    rp_status status = rp_array_broadcast_to(stripped.ndim < src->ndim ? &stripped : src,
                                             dst->ndim, dst->shape, &broadcast);
    if (status != RP_OK) {
        return status;
    }
    if (rp_arrays_may_overlap(dst, broadcast) &&
        !(dst->data == broadcast->data && dst->dtype == broadcast->dtype &&
          memcmp(dst->strides, broadcast->strides, (size_t)dst->ndim * sizeof(int64_t)) == 0)) {
        rp_array *temporary;
        status = rp_array_copy(broadcast, broadcast->dtype, RP_ORDER_C, &temporary);
        rp_array_free(broadcast);
        if (status != RP_OK) {
            return status;
        }
        broadcast = temporary;
    }
    *warnings |= assign_same_shape(dst, broadcast);
    rp_array_free(broadcast);
    return RP_OK;
}

rp_status rp_array_assign(rp_array *dst, const rp_array *src)
{
    int ignored = 0;
    return rp_array_assign_checked(dst, src, &ignored);
}

rp_status rp_array_copy(const rp_array *a, rp_dtype dtype, rp_order order, rp_array **out)
{
    rp_array *copy;
    rp_status status = rp_array_empty(dtype, a->ndim, a->shape, order, &copy);
    if (status != RP_OK) {
        return status;
    }
    assign_same_shape(copy, a);
    *out = copy;
    return RP_OK;
}

rp_status rp_array_fill(rp_array *dst, const rp_scalar *value)
{
    if (!(dst->flags & RP_ARRAY_WRITEABLE)) {
        return rp_error(RP_ERR_READONLY, "assignment destination is read-only");
    }
    /* A 0-stride view of the scalar broadcast over dst. */
    rp_array source = {0};
    source.data = (char *)&value->value;
    source.dtype = value->dtype;
    source.ndim = dst->ndim;
    for (int i = 0; i < dst->ndim; i++) {
        source.shape[i] = dst->shape[i];
        source.strides[i] = 0;
    }
    assign_same_shape(dst, &source);
    return RP_OK;
}

rp_status rp_array_get_flat(const rp_array *a, int64_t index, rp_scalar *out)
{
    int64_t size = rp_array_size(a);
    if (index < 0 || index >= size) {
        return rp_error(RP_ERR_INDEX, "index %lld is out of bounds for size %lld",
                        (long long)index, (long long)size);
    }
    const char *p = a->data;
    for (int i = a->ndim - 1; i >= 0; i--) {
        p += (index % a->shape[i]) * a->strides[i];
        index /= a->shape[i];
    }
    out->dtype = a->dtype;
    memcpy(&out->value, p, rp_dtype_size(a->dtype));
    return RP_OK;
}

void rp_scalar_cast(const rp_scalar *in, rp_dtype to, rp_scalar *out)
{
    rp_scalar result = {.dtype = to};
    rp_kernels()->cast[in->dtype][to]((const char *)&in->value, 0, (char *)&result.value, 0, 1);
    *out = result;
}
