/*
 * nditer.h — the N-dimensional loop under every elementwise operation (internal to the core).
 *
 * An operation describes its operands as (base pointer, byte strides) over one shared shape; the
 * layout step drops extent-1 axes, orders axes so the innermost is the one with the smallest
 * stride of operand 0 (the output, by convention), and merges axes that are contiguous in every
 * operand. The loop then calls a 1-D inner function once per innermost row.
 */
#ifndef RAPTORS_CORE_NDITER_H
#define RAPTORS_CORE_NDITER_H

#include "raptors/raptors.h"

#define RP_NDITER_MAXOPS 4

typedef struct rp_loop_layout {
    int nop;
    int ndim;                                     /* 0 means a single element */
    int64_t shape[RP_MAXDIMS];                    /* innermost axis last */
    int64_t strides[RP_NDITER_MAXOPS][RP_MAXDIMS];
    bool empty;                                   /* some extent is 0: nothing to do */
} rp_loop_layout;

/* Called for one innermost row: ptrs[k] is operand k's first element, strides[k] its step. */
typedef void (*rp_row_fn)(char *const *ptrs, const int64_t *strides, int64_t n, void *context);

/* Builds the layout for `nop` operands whose strides (one array of `ndim` each) all index the
 * same `shape`. */
void rp_loop_layout_init(rp_loop_layout *layout, int nop, int ndim, const int64_t *shape,
                         const int64_t *const *strides);

/* Runs `fn` over the rows of outer indices [row_begin, row_end) of the layout, where rows are
 * numbered in C order over all axes but the innermost. Lets a thread pool split the work. */
void rp_loop_run_rows(const rp_loop_layout *layout, char *const *base, int64_t row_begin,
                      int64_t row_end, rp_row_fn fn, void *context);

/* Tiles, for layouts where some operand walks the innermost axis in long steps but the axis
 * outside it in short ones (a + a.T, a copy of a.T): row by row, each of its elements would sit
 * in a cache line (and often a page) of its own, read again only a whole row later. Instead the
 * last two axes are cut into tiles of RP_TILE_ROWS rows x RP_TILE_COLS columns, run a tile at a
 * time; such an operand's tile is first gathered into a small contiguous buffer, reading each of
 * its lines once (rows left in place would revisit lines a power-of-two stride apart, which
 * share a few L1 sets and evict each other). Tiles are numbered in C order: outer axes, then
 * tile rows, then tile columns. rp_loop_tiled says whether a layout wants them. */
enum { RP_TILE_ROWS = 16, RP_TILE_COLS = 128 };
bool rp_loop_tiled(const rp_loop_layout *layout);
int64_t rp_loop_tile_count(const rp_loop_layout *layout);

/* One tile: ptrs[k] is operand k's element at the tile's first row and column; it steps
 * across[k] bytes to the next row and along[k] to the next column; nrows x ncols elements. */
typedef void (*rp_tile_fn)(char *const *ptrs, const int64_t *across, const int64_t *along,
                           int64_t nrows, int64_t ncols, void *context);
/* Runs `fn` over tiles [tile_begin, tile_end). */
void rp_loop_run_tiles(const rp_loop_layout *layout, char *const *base, int64_t tile_begin,
                       int64_t tile_end, rp_tile_fn fn, void *context);
/* An operand of a tile at *ptr, stepping *across to the next row and *along to the next column,
 * with elements of `itemsize` bytes: when it crosses the tile (columns far apart, rows closer),
 * gathers it into `block` (room for a whole tile) and points *ptr, *across and *along at the
 * block's rows instead. Leaves the operand alone when it does not cross or `block` is NULL. */
void rp_tile_gather_crossing(char **ptr, int64_t *across, int64_t *along, int64_t nrows,
                             int64_t ncols, int64_t itemsize, char *block);
/* Copies nrows x ncols elements of `itemsize` bytes (1, 2, 4 or 8), element (r, c) from
 * src + r * src_across + c * src_along to dst + r * dst_across + c * dst_along, a column at a
 * time (rows innermost): a tile gathered into a contiguous block reads each source line whole
 * at once, and a block copied out to transposed places writes each destination line whole. */
void rp_copy_tile(const char *src, int64_t src_across, int64_t src_along, char *dst,
                  int64_t dst_across, int64_t dst_along, int64_t nrows, int64_t ncols,
                  int64_t itemsize);
/* Runs the row function `fn` over a tile's rows, one segment of ncols elements each. */
void rp_loop_tile_rows(int nop, char *const *ptrs, const int64_t *across, const int64_t *along,
                       int64_t nrows, int64_t ncols, rp_row_fn fn, void *context);

/* Number of innermost rows (product of all extents but the innermost; 1 for ndim <= 1). */
int64_t rp_loop_row_count(const rp_loop_layout *layout);
/* Extent of the innermost axis (1 for ndim 0). */
int64_t rp_loop_row_length(const rp_loop_layout *layout);

#endif
