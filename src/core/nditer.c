/*
 * nditer.c — axis ordering, merging and the outer loop for elementwise operations.
 *
 * Keeping the innermost loop unit-stride (when any order allows it) is what lets the 1-D
 * kernels run at full speed on transposed and Fortran-ordered inputs, as NumPy's iterator does.
 * When no order gives every operand short steps (a + a.T), the loop runs in tiles instead.
 */
#include "nditer.h"

#include <stdlib.h>
#include <string.h>

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

void rp_loop_layout_init(rp_loop_layout *layout, int nop, int ndim, const int64_t *shape,
                         const int64_t *const *strides)
{
    layout->nop = nop;
    layout->empty = false;
    int axes[RP_MAXDIMS], kept = 0;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] == 0) {
            layout->empty = true;
        }
        if (shape[i] != 1) {
            axes[kept++] = i;
        }
    }
    /* Stable insertion sort: larger |stride| of operand 0 goes outward; ties are broken by the
     * other operands in turn, and full ties keep C order. */
    for (int i = 1; i < kept; i++) {
        int axis = axes[i], j = i - 1;
        while (j >= 0) {
            int other = axes[j], cmp = 0;
            for (int k = 0; k < nop && cmp == 0; k++) {
                int64_t sa = abs64(strides[k][axis]), so = abs64(strides[k][other]);
                if (sa != so) {
                    cmp = sa > so ? -1 : 1; /* -1: axis belongs before other */
                }
            }
            if (cmp >= 0) {
                break;
            }
            axes[j + 1] = axes[j];
            j--;
        }
        axes[j + 1] = axis;
    }
    /* Merge axis pairs (outer, inner) that step like one longer axis in every operand. */
    int out = 0;
    for (int i = 0; i < kept; i++) {
        int axis = axes[i];
        if (out > 0) {
            bool mergeable = true;
            for (int k = 0; k < nop && mergeable; k++) {
                int64_t inner_stride = strides[k][axis];
                mergeable = layout->strides[k][out - 1] == inner_stride * shape[axis];
            }
            if (mergeable) {
                layout->shape[out - 1] *= shape[axis];
                for (int k = 0; k < nop; k++) {
                    layout->strides[k][out - 1] = strides[k][axis];
                }
                continue;
            }
        }
        layout->shape[out] = shape[axis];
        for (int k = 0; k < nop; k++) {
            layout->strides[k][out] = strides[k][axis];
        }
        out++;
    }
    layout->ndim = out;
}

int64_t rp_loop_row_count(const rp_loop_layout *layout)
{
    int64_t rows = 1;
    for (int i = 0; i + 1 < layout->ndim; i++) {
        rows *= layout->shape[i];
    }
    return rows;
}

int64_t rp_loop_row_length(const rp_loop_layout *layout)
{
    return layout->ndim > 0 ? layout->shape[layout->ndim - 1] : 1;
}

void rp_loop_run_rows(const rp_loop_layout *layout, char *const *base, int64_t row_begin,
                      int64_t row_end, rp_row_fn fn, void *context)
{
    if (layout->empty || row_begin >= row_end) {
        return;
    }
    int nop = layout->nop, outer = layout->ndim - 1;
    int64_t inner_strides[RP_NDITER_MAXOPS];
    char *ptrs[RP_NDITER_MAXOPS];
    int64_t counter[RP_MAXDIMS];
    int64_t n = rp_loop_row_length(layout);
    for (int k = 0; k < nop; k++) {
        inner_strides[k] = layout->ndim > 0 ? layout->strides[k][layout->ndim - 1] : 0;
    }
    /* Decompose row_begin into a multi-index over the outer axes. */
    int64_t rest = row_begin;
    for (int d = outer - 1; d >= 0; d--) {
        counter[d] = rest % layout->shape[d];
        rest /= layout->shape[d];
    }
    for (int k = 0; k < nop; k++) {
        ptrs[k] = base[k];
        for (int d = 0; d < outer; d++) {
            ptrs[k] += counter[d] * layout->strides[k][d];
        }
    }
    for (int64_t row = row_begin; row < row_end; row++) {
        fn(ptrs, inner_strides, n, context);
        for (int d = outer - 1; d >= 0; d--) {
            if (++counter[d] < layout->shape[d]) {
                for (int k = 0; k < nop; k++) {
                    ptrs[k] += layout->strides[k][d];
                }
                break;
            }
            counter[d] = 0;
            for (int k = 0; k < nop; k++) {
                ptrs[k] -= (layout->shape[d] - 1) * layout->strides[k][d];
            }
        }
    }
}

/* An operand steps at least this far along the innermost axis for tiles to pay: every element
 * on a cache line of its own, with room to spare. */
#define TILE_MIN_STEP_BYTES 256

static bool tile_crosses(int64_t across, int64_t along)
{
    return abs64(along) >= TILE_MIN_STEP_BYTES && abs64(across) < abs64(along);
}

bool rp_loop_tiled(const rp_loop_layout *layout)
{
    if (layout->empty || layout->ndim < 2) {
        return false;
    }
    int inner = layout->ndim - 1;
    if (layout->shape[inner] <= RP_TILE_COLS || layout->shape[inner - 1] < 2) {
        return false;
    }
    for (int k = 0; k < layout->nop; k++) {
        if (tile_crosses(layout->strides[k][inner - 1], layout->strides[k][inner])) {
            return true;
        }
    }
    return false;
}

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int64_t rp_loop_tile_count(const rp_loop_layout *layout)
{
    int inner = layout->ndim - 1;
    int64_t outer = 1;
    for (int i = 0; i + 2 < layout->ndim; i++) {
        outer *= layout->shape[i];
    }
    return outer * ceil_div(layout->shape[inner - 1], RP_TILE_ROWS) *
           ceil_div(layout->shape[inner], RP_TILE_COLS);
}

void rp_loop_run_tiles(const rp_loop_layout *layout, char *const *base, int64_t tile_begin,
                       int64_t tile_end, rp_tile_fn fn, void *context)
{
    const int nop = layout->nop, inner = layout->ndim - 1, across = inner - 1;
    const int64_t rows = layout->shape[across], cols = layout->shape[inner];
    const int64_t row_tiles = ceil_div(rows, RP_TILE_ROWS);
    const int64_t col_tiles = ceil_div(cols, RP_TILE_COLS);
    int64_t across_strides[RP_NDITER_MAXOPS], along_strides[RP_NDITER_MAXOPS];
    for (int k = 0; k < nop; k++) {
        across_strides[k] = layout->strides[k][across];
        along_strides[k] = layout->strides[k][inner];
    }
    for (int64_t tile = tile_begin; tile < tile_end; tile++) {
        int64_t col_tile = tile % col_tiles, row_tile = tile / col_tiles % row_tiles;
        int64_t rest = tile / col_tiles / row_tiles;
        int64_t r0 = row_tile * RP_TILE_ROWS, c0 = col_tile * RP_TILE_COLS;
        int64_t nrows = rows - r0 < RP_TILE_ROWS ? rows - r0 : RP_TILE_ROWS;
        int64_t ncols = cols - c0 < RP_TILE_COLS ? cols - c0 : RP_TILE_COLS;
        char *ptrs[RP_NDITER_MAXOPS];
        for (int k = 0; k < nop; k++) {
            ptrs[k] = base[k] + r0 * across_strides[k] + c0 * along_strides[k];
        }
        for (int d = across - 1; d >= 0; d--) {
            int64_t index = rest % layout->shape[d];
            rest /= layout->shape[d];
            for (int k = 0; k < nop; k++) {
                ptrs[k] += index * layout->strides[k][d];
            }
        }
        fn(ptrs, across_strides, along_strides, nrows, ncols, context);
    }
}

#define DEFINE_COPY_TILE(name, T)                                                                  \
    static void name(const char *src, int64_t src_across, int64_t src_along, char *dst,           \
                     int64_t dst_across, int64_t dst_along, int64_t nrows, int64_t ncols)          \
    {                                                                                              \
        for (int64_t c = 0; c < ncols; c++) {                                                      \
            const char *from = src + c * src_along;                                                \
            char *to = dst + c * dst_along;                                                        \
            for (int64_t r = 0; r < nrows; r++) {                                                  \
                T value;                                                                           \
                memcpy(&value, from + r * src_across, sizeof value);                               \
                memcpy(to + r * dst_across, &value, sizeof value);                                 \
            }                                                                                      \
        }                                                                                          \
    }
DEFINE_COPY_TILE(copy_tile_8, uint64_t)
DEFINE_COPY_TILE(copy_tile_4, uint32_t)
DEFINE_COPY_TILE(copy_tile_2, uint16_t)
DEFINE_COPY_TILE(copy_tile_1, uint8_t)

void rp_copy_tile(const char *src, int64_t src_across, int64_t src_along, char *dst,
                  int64_t dst_across, int64_t dst_along, int64_t nrows, int64_t ncols,
                  int64_t itemsize)
{
    switch (itemsize) {
    case 8:
        copy_tile_8(src, src_across, src_along, dst, dst_across, dst_along, nrows, ncols);
        break;
    case 4:
        copy_tile_4(src, src_across, src_along, dst, dst_across, dst_along, nrows, ncols);
        break;
    case 2:
        copy_tile_2(src, src_across, src_along, dst, dst_across, dst_along, nrows, ncols);
        break;
    default:
        copy_tile_1(src, src_across, src_along, dst, dst_across, dst_along, nrows, ncols);
        break;
    }
}

void rp_tile_gather_crossing(char **ptr, int64_t *across, int64_t *along, int64_t nrows,
                             int64_t ncols, int64_t itemsize, char *block)
{
    if (block == NULL || !tile_crosses(*across, *along)) {
        return;
    }
    rp_copy_tile(*ptr, *across, *along, block, ncols * itemsize, itemsize, nrows, ncols, itemsize);
    *ptr = block;
    *across = ncols * itemsize;
    *along = itemsize;
}

void rp_loop_tile_rows(int nop, char *const *ptrs, const int64_t *across, const int64_t *along,
                       int64_t nrows, int64_t ncols, rp_row_fn fn, void *context)
{
    char *row[RP_NDITER_MAXOPS];
    for (int k = 0; k < nop; k++) {
        row[k] = ptrs[k];
    }
    for (int64_t r = 0; r < nrows; r++) {
        fn(row, along, ncols, context);
        for (int k = 0; k < nop; k++) {
            row[k] += across[k];
        }
    }
}
