/*
 * simd_colsum.c — column sums of float32/float64 rows with the target's vectors.
 *
 * Compiled once per target (see simd_vec.h). The same order as the portable colsum.c (the one
 * kernels.h defines), one vector of columns at a time, so every lane does exactly the
 * additions the portable loop does and the results are bit-identical. A panel of eight rows is
 * loaded and summed in registers (eight sequential streams through memory, which prefetchers
 * follow), then added to the running sums of a block of columns in an L1-resident buffer, so
 * each input element is read once and the buffer is touched once per panel, not once per row.
 * Rows of at most NARROW_VECTORS vectors keep even the block's sums in registers. The last
 * columns of a row take partial (masked) vectors.
 */
#include <stdbool.h>

#include "simd_fill.h"
#include "simd_vec.h"

/* Columns whose running sums are kept together: small enough for L1 beside the input. */
enum {
    COLUMN_BLOCK_BYTES = 8192,
    NARROW_VECTORS = 4,         /* strips this narrow keep their block sums in registers */
    PANEL = RP_COLSUM_PANEL_ROWS,
    BLOCK = RP_COLSUM_BLOCK_ROWS
};

_Static_assert(PANEL == 8, "the panel tree below adds eight rows");
_Static_assert(COLUMN_BLOCK_BYTES % VECTOR_BYTES == 0, "the block buffer holds whole vectors");

/* ===================================================================== float64 */

static inline vf64 load_lanes_f64(const char *p, int64_t lanes)
{
    return lanes == VF64_LANES ? vf64_load((const double *)p)
                               : vf64_load_partial((const double *)p, lanes);
}

/* The panel of `rows` rows (8: a balanced tree; fewer: in row order) at p, `lanes` columns. */
static inline vf64 panel_sum_f64(const char *p, int64_t rs, int64_t rows, int64_t lanes)
{
    if (rows == PANEL) {
        vf64 r01 = vf64_add(load_lanes_f64(p, lanes), load_lanes_f64(p + rs, lanes));
        vf64 r23 = vf64_add(load_lanes_f64(p + 2 * rs, lanes), load_lanes_f64(p + 3 * rs, lanes));
        vf64 r45 = vf64_add(load_lanes_f64(p + 4 * rs, lanes), load_lanes_f64(p + 5 * rs, lanes));
        vf64 r67 = vf64_add(load_lanes_f64(p + 6 * rs, lanes), load_lanes_f64(p + 7 * rs, lanes));
        return vf64_add(vf64_add(r01, r23), vf64_add(r45, r67));
    }
    vf64 s = load_lanes_f64(p, lanes);
    for (int64_t r = 1; r < rows; r++) {
        s = vf64_add(s, load_lanes_f64(p + r * rs, lanes));
    }
    return s;
}

/* block[j] = (or +=, when `add`) the panel at p, for the `width` columns of the block. */
static inline void panel_f64(double *block, const char *p, int64_t rs, int64_t rows,
                             int64_t width, bool add)
{
    const int64_t w = sizeof(double);
    int64_t j = 0;
    for (; j + VF64_LANES <= width; j += VF64_LANES) {
        vf64 s = panel_sum_f64(p + j * w, rs, rows, VF64_LANES);
        vf64_store(block + j, add ? vf64_add(vf64_load(block + j), s) : s);
    }
    if (j < width) { /* lanes past `width` hold zeros, never read back */
        vf64 s = panel_sum_f64(p + j * w, rs, rows, width - j);
        vf64_store(block + j, add ? vf64_add(vf64_load(block + j), s) : s);
    }
}


/* A block of rows of a narrow strip (`vectors` <= NARROW_VECTORS vectors, the last holding
 * `last_lanes` columns) added to `total`: the block's sums stay in registers across its panels
 * (the strip's rows are short and adjacent, so memory is still read in order). */
static inline void narrow_block_f64(const char *first, int64_t rs, int64_t rows, int vectors,
                                    int64_t last_lanes, double *total)
{
    const int64_t w = sizeof(double);
    vf64 block[NARROW_VECTORS];
    int64_t panel_rows = rows < PANEL ? rows : PANEL;
    for (int k = 0; k < vectors; k++) {
        int64_t lanes = k == vectors - 1 ? last_lanes : VF64_LANES;
        block[k] = panel_sum_f64(first + k * VF64_LANES * w, rs, panel_rows, lanes);
    }
    for (int64_t r = PANEL; r < rows; r += PANEL) {
        panel_rows = rows - r < PANEL ? rows - r : PANEL;
        for (int k = 0; k < vectors; k++) {
            int64_t lanes = k == vectors - 1 ? last_lanes : VF64_LANES;
            block[k] = vf64_add(block[k], panel_sum_f64(first + r * rs + k * VF64_LANES * w, rs,
                                                          panel_rows, lanes));
        }
    }
    for (int k = 0; k < vectors; k++) {
        int64_t lanes = k == vectors - 1 ? last_lanes : VF64_LANES;
        double *at = total + k * VF64_LANES;
        vf64_store_partial(at, vf64_add(vf64_load_partial(at, lanes), block[k]), lanes);
    }
}

/* All blocks of a narrow strip; the vector count is made a constant for each case so the
 * block's sums are registers. */
static void narrow_f64(const char *in, int64_t rs, int64_t nrows, int64_t ncols, double *total)
{
    int vectors = (int)((ncols + VF64_LANES - 1) / VF64_LANES);
    int64_t last_lanes = ncols - (int64_t)(vectors - 1) * VF64_LANES;
    for (int k = 0; k < vectors; k++) {
        int64_t lanes = k == vectors - 1 ? last_lanes : VF64_LANES;
        vf64_store_partial(total + k * VF64_LANES, vf64_zero(), lanes);
    }
    for (int64_t b0 = 0; b0 < nrows; b0 += BLOCK) {
        int64_t rows = nrows - b0 < BLOCK ? nrows - b0 : BLOCK;
        const char *first = in + b0 * rs;
        switch (vectors) {
        case 1: narrow_block_f64(first, rs, rows, 1, last_lanes, total); break;
        case 2: narrow_block_f64(first, rs, rows, 2, last_lanes, total); break;
        case 3: narrow_block_f64(first, rs, rows, 3, last_lanes, total); break;
        default: narrow_block_f64(first, rs, rows, 4, last_lanes, total); break;
        }
    }
}

static void colsum_f64(const char *in, int64_t rs, int64_t nrows, int64_t ncols, char *out)
{
    if (ncols <= NARROW_VECTORS * VF64_LANES) {
        if (ncols > 0) {
            narrow_f64(in, rs, nrows, ncols, (double *)out);
        }
        return;
    }
    enum { COLUMNS = COLUMN_BLOCK_BYTES / sizeof(double) };
    const int64_t w = sizeof(double);
    _Alignas(64) double block[COLUMNS];
    for (int64_t c0 = 0; c0 < ncols; c0 += COLUMNS) {
        int64_t width = ncols - c0 < COLUMNS ? ncols - c0 : COLUMNS;
        const char *column = in + c0 * w;
        double *total = (double *)(out + c0 * w);
        for (int64_t j = 0; j < width; j += VF64_LANES) {
            int64_t lanes = width - j < VF64_LANES ? width - j : VF64_LANES;
            vf64_store_partial(total + j, vf64_zero(), lanes);
        }
        for (int64_t b0 = 0; b0 < nrows; b0 += BLOCK) {
            int64_t rows = nrows - b0 < BLOCK ? nrows - b0 : BLOCK;
            const char *first = column + b0 * rs;
            int64_t panel_rows = rows < PANEL ? rows : PANEL;
            panel_f64(block, first, rs, panel_rows, width, false);
            for (int64_t r = PANEL; r < rows; r += PANEL) {
                panel_rows = rows - r < PANEL ? rows - r : PANEL;
                panel_f64(block, first + r * rs, rs, panel_rows, width, true);
            }
            int64_t j = 0;
            for (; j + VF64_LANES <= width; j += VF64_LANES) {
                vf64_store(total + j, vf64_add(vf64_load(total + j), vf64_load(block + j)));
            }
            if (j < width) {
                vf64 sum = vf64_add(vf64_load_partial(total + j, width - j), vf64_load(block + j));
                vf64_store_partial(total + j, sum, width - j);
            }
        }
    }
}

/* ===================================================================== float32 */

static inline vf32 load_lanes_f32(const char *p, int64_t lanes)
{
    return lanes == VF32_LANES ? vf32_load((const float *)p)
                               : vf32_load_partial((const float *)p, lanes);
}

static inline vf32 panel_sum_f32(const char *p, int64_t rs, int64_t rows, int64_t lanes)
{
    if (rows == PANEL) {
        vf32 r01 = vf32_add(load_lanes_f32(p, lanes), load_lanes_f32(p + rs, lanes));
        vf32 r23 = vf32_add(load_lanes_f32(p + 2 * rs, lanes), load_lanes_f32(p + 3 * rs, lanes));
        vf32 r45 = vf32_add(load_lanes_f32(p + 4 * rs, lanes), load_lanes_f32(p + 5 * rs, lanes));
        vf32 r67 = vf32_add(load_lanes_f32(p + 6 * rs, lanes), load_lanes_f32(p + 7 * rs, lanes));
        return vf32_add(vf32_add(r01, r23), vf32_add(r45, r67));
    }
    vf32 s = load_lanes_f32(p, lanes);
    for (int64_t r = 1; r < rows; r++) {
        s = vf32_add(s, load_lanes_f32(p + r * rs, lanes));
    }
    return s;
}

static inline void panel_f32(float *block, const char *p, int64_t rs, int64_t rows,
                             int64_t width, bool add)
{
    const int64_t w = sizeof(float);
    int64_t j = 0;
    for (; j + VF32_LANES <= width; j += VF32_LANES) {
        vf32 s = panel_sum_f32(p + j * w, rs, rows, VF32_LANES);
        vf32_store(block + j, add ? vf32_add(vf32_load(block + j), s) : s);
    }
    if (j < width) {
        vf32 s = panel_sum_f32(p + j * w, rs, rows, width - j);
        vf32_store(block + j, add ? vf32_add(vf32_load(block + j), s) : s);
    }
}


/* A block of rows of a narrow strip (`vectors` <= NARROW_VECTORS vectors, the last holding
 * `last_lanes` columns) added to `total`: the block's sums stay in registers across its panels
 * (the strip's rows are short and adjacent, so memory is still read in order). */
static inline void narrow_block_f32(const char *first, int64_t rs, int64_t rows, int vectors,
                                    int64_t last_lanes, float *total)
{
    const int64_t w = sizeof(float);
    vf32 block[NARROW_VECTORS];
    int64_t panel_rows = rows < PANEL ? rows : PANEL;
    for (int k = 0; k < vectors; k++) {
        int64_t lanes = k == vectors - 1 ? last_lanes : VF32_LANES;
        block[k] = panel_sum_f32(first + k * VF32_LANES * w, rs, panel_rows, lanes);
    }
    for (int64_t r = PANEL; r < rows; r += PANEL) {
        panel_rows = rows - r < PANEL ? rows - r : PANEL;
        for (int k = 0; k < vectors; k++) {
            int64_t lanes = k == vectors - 1 ? last_lanes : VF32_LANES;
            block[k] = vf32_add(block[k], panel_sum_f32(first + r * rs + k * VF32_LANES * w, rs,
                                                          panel_rows, lanes));
        }
    }
    for (int k = 0; k < vectors; k++) {
        int64_t lanes = k == vectors - 1 ? last_lanes : VF32_LANES;
        float *at = total + k * VF32_LANES;
        vf32_store_partial(at, vf32_add(vf32_load_partial(at, lanes), block[k]), lanes);
    }
}

/* All blocks of a narrow strip; the vector count is made a constant for each case so the
 * block's sums are registers. */
static void narrow_f32(const char *in, int64_t rs, int64_t nrows, int64_t ncols, float *total)
{
    int vectors = (int)((ncols + VF32_LANES - 1) / VF32_LANES);
    int64_t last_lanes = ncols - (int64_t)(vectors - 1) * VF32_LANES;
    for (int k = 0; k < vectors; k++) {
        int64_t lanes = k == vectors - 1 ? last_lanes : VF32_LANES;
        vf32_store_partial(total + k * VF32_LANES, vf32_zero(), lanes);
    }
    for (int64_t b0 = 0; b0 < nrows; b0 += BLOCK) {
        int64_t rows = nrows - b0 < BLOCK ? nrows - b0 : BLOCK;
        const char *first = in + b0 * rs;
        switch (vectors) {
        case 1: narrow_block_f32(first, rs, rows, 1, last_lanes, total); break;
        case 2: narrow_block_f32(first, rs, rows, 2, last_lanes, total); break;
        case 3: narrow_block_f32(first, rs, rows, 3, last_lanes, total); break;
        default: narrow_block_f32(first, rs, rows, 4, last_lanes, total); break;
        }
    }
}

static void colsum_f32(const char *in, int64_t rs, int64_t nrows, int64_t ncols, char *out)
{
    if (ncols <= NARROW_VECTORS * VF32_LANES) {
        if (ncols > 0) {
            narrow_f32(in, rs, nrows, ncols, (float *)out);
        }
        return;
    }
    enum { COLUMNS = COLUMN_BLOCK_BYTES / sizeof(float) };
    const int64_t w = sizeof(float);
    _Alignas(64) float block[COLUMNS];
    for (int64_t c0 = 0; c0 < ncols; c0 += COLUMNS) {
        int64_t width = ncols - c0 < COLUMNS ? ncols - c0 : COLUMNS;
        const char *column = in + c0 * w;
        float *total = (float *)(out + c0 * w);
        for (int64_t j = 0; j < width; j += VF32_LANES) {
            int64_t lanes = width - j < VF32_LANES ? width - j : VF32_LANES;
            vf32_store_partial(total + j, vf32_zero(), lanes);
        }
        for (int64_t b0 = 0; b0 < nrows; b0 += BLOCK) {
            int64_t rows = nrows - b0 < BLOCK ? nrows - b0 : BLOCK;
            const char *first = column + b0 * rs;
            int64_t panel_rows = rows < PANEL ? rows : PANEL;
            panel_f32(block, first, rs, panel_rows, width, false);
            for (int64_t r = PANEL; r < rows; r += PANEL) {
                panel_rows = rows - r < PANEL ? rows - r : PANEL;
                panel_f32(block, first + r * rs, rs, panel_rows, width, true);
            }
            int64_t j = 0;
            for (; j + VF32_LANES <= width; j += VF32_LANES) {
                vf32_store(total + j, vf32_add(vf32_load(total + j), vf32_load(block + j)));
            }
            if (j < width) {
                vf32 sum = vf32_add(vf32_load_partial(total + j, width - j), vf32_load(block + j));
                vf32_store_partial(total + j, sum, width - j);
            }
        }
    }
}

void RP_SIMD_FN(rp_simd_fill_colsum)(rp_kernel_table *table)
{
    table->colsum[RP_FLOAT32] = colsum_f32;
    table->colsum[RP_FLOAT64] = colsum_f64;
}
