/*
 * reduce_places.c — copies a block of accumulators, contiguous in the order the input is read,
 * to their places in an output that holds the same axes in another order (the buffered row
 * accumulation of reduce_rows.c: reductions of transposed or Fortran-ordered views).
 *
 * Run by run along the row's innermost axis is the plain way, but when the output steps
 * further along that axis than along the next one (a transposed output), each element of a
 * run lands in its own cache line, lines a fixed power-of-two apart that share a handful of
 * L1 sets, so every store misses: (8, 256, 512).T reduced over its last axis took three times
 * NumPy's time in these stores alone. The whole inner runs of a block are therefore copied
 * across instead: for each position along the inner axis, the block's runs give consecutive
 * elements along the output's faster axis, written together.
 */
#include "nditer.h"
#include "reduce_internal.h"

/* Byte offset in the output of row element `index`; coord receives its coordinates. */
static int64_t place_of(const rp_block_places *places, int64_t index, int64_t *coord)
{
    int64_t offset = 0;
    for (int k = 0; k < places->naxes; k++) {
        coord[k] = index % places->shape[k];
        index /= places->shape[k];
        offset += coord[k] * places->out_strides[k];
    }
    return offset;
}

/* Elements [start, start + len) run by run along the innermost axis. */
static void copy_runs(const rp_block_places *places, const char *block, int64_t start,
                      int64_t len, char *out)
{
    int64_t coord[RP_MAXDIMS];
    int64_t offset = place_of(places, start, coord);
    const int64_t *shape = places->shape, *strides = places->out_strides;
    while (len > 0) {
        int64_t run = shape[0] - coord[0] < len ? shape[0] - coord[0] : len;
        places->copy(block, places->itemsize, out + offset, strides[0], run);
        block += run * places->itemsize;
        len -= run;
        coord[0] += run;
        offset += run * strides[0];
        for (int k = 0; k + 1 < places->naxes && coord[k] == shape[k]; k++) {
            offset += strides[k + 1] - coord[k] * strides[k];
            coord[k] = 0;
            coord[k + 1]++;
        }
    }
}

/* `runs` whole runs of the block copied across: element c of run r goes to
 * out + c * out_strides[0] + r * out_strides[1]. */
static void copy_across(const rp_block_places *places, const char *block, int64_t runs,
                        char *out)
{
    int64_t width = places->shape[0], size = places->itemsize;
    rp_copy_tile(block, width * size, size, out, places->out_strides[1], places->out_strides[0],
                 runs, width, size);
}

bool rp_block_places_transposed(const rp_block_places *places)
{
    if (places->naxes < 2) {
        return false;
    }
    int64_t along = places->out_strides[0], across = places->out_strides[1];
    along = along < 0 ? -along : along;
    across = across < 0 ? -across : across;
    return across < along && (places->itemsize == 1 || places->itemsize == 2 ||
                              places->itemsize == 4 || places->itemsize == 8);
}

void rp_copy_block_out(const rp_block_places *places, const char *block, int64_t start,
                       int64_t len, char *out)
{
    if (!places->transposed) {
        copy_runs(places, block, start, len, out);
        return;
    }
    const int64_t width = places->shape[0], size = places->itemsize;
    /* A partial run first, then whole runs (never past the next axis's end, where the output
     * steps by another stride), then a partial run. */
    int64_t lead = start % width == 0 ? 0 : width - start % width;
    lead = lead < len ? lead : len;
    if (lead > 0) {
        copy_runs(places, block, start, lead, out);
        block += lead * size;
        start += lead;
        len -= lead;
    }
    while (len >= width) {
        int64_t coord[RP_MAXDIMS];
        int64_t offset = place_of(places, start, coord);
        int64_t runs = len / width;
        if (runs > places->shape[1] - coord[1]) {
            runs = places->shape[1] - coord[1];
        }
        copy_across(places, block, runs, out + offset);
        block += runs * width * size;
        start += runs * width;
        len -= runs * width;
    }
    if (len > 0) {
        copy_runs(places, block, start, len, out);
    }
}
