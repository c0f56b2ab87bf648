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
 * columns of a row take partial (masked) vectors. Each function is written once and
 * instantiated for float64 and float32 (suffix, element type, vector type); the vec_*
 * operations take their type from their arguments.
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

/* The `lanes` first columns of a row (all of a vector, or the partial last one). */
#define DEFINE_LOAD_LANES(sfx, T, V)                                                               \
    static inline V load_lanes_##sfx(const char *p, int64_t lanes)                                 \
    {                                                                                              \
        return lanes == VEC_LANES(T) ? vec_load((const T *)p)                                      \
                                     : vec_load_partial((const T *)p, lanes);                      \
    }
DEFINE_LOAD_LANES(f64, double, vf64)
DEFINE_LOAD_LANES(f32, float, vf32)

/* The panel of `rows` rows (8: a balanced tree; fewer: in row order) at p, `lanes` columns. */
#define DEFINE_PANEL_SUM(sfx, V)                                                                   \
    static inline V panel_sum_##sfx(const char *p, int64_t rs, int64_t rows, int64_t lanes)        \
    {                                                                                              \
        if (rows == PANEL) {                                                                       \
            V r01 = vec_add(load_lanes_##sfx(p, lanes), load_lanes_##sfx(p + rs, lanes));          \
            V r23 = vec_add(load_lanes_##sfx(p + 2 * rs, lanes),                                   \
                            load_lanes_##sfx(p + 3 * rs, lanes));                                  \
            V r45 = vec_add(load_lanes_##sfx(p + 4 * rs, lanes),                                   \
                            load_lanes_##sfx(p + 5 * rs, lanes));                                  \
            V r67 = vec_add(load_lanes_##sfx(p + 6 * rs, lanes),                                   \
                            load_lanes_##sfx(p + 7 * rs, lanes));                                  \
            return vec_add(vec_add(r01, r23), vec_add(r45, r67));                                  \
        }                                                                                          \
        V s = load_lanes_##sfx(p, lanes);                                                          \
        for (int64_t r = 1; r < rows; r++) {                                                       \
            s = vec_add(s, load_lanes_##sfx(p + r * rs, lanes));                                   \
        }                                                                                          \
        return s;                                                                                  \
    }
DEFINE_PANEL_SUM(f64, vf64)
DEFINE_PANEL_SUM(f32, vf32)

/* block[j] = (or +=, when `add`) the panel at p, for the `width` columns of the block. */
#define DEFINE_PANEL(sfx, T, V)                                                                    \
    static inline void panel_##sfx(T *block, const char *p, int64_t rs, int64_t rows,              \
                                   int64_t width, bool add)                                        \
    {                                                                                              \
        enum { LANES = VEC_LANES(T) };                                                             \
        const int64_t w = sizeof(T);                                                               \
        int64_t j = 0;                                                                             \
        for (; j + LANES <= width; j += LANES) {                                                   \
            V s = panel_sum_##sfx(p + j * w, rs, rows, LANES);                                     \
            vec_store(block + j, add ? vec_add(vec_load(block + j), s) : s);                       \
        }                                                                                          \
        if (j < width) { /* lanes past `width` hold zeros, never read back */                      \
            V s = panel_sum_##sfx(p + j * w, rs, rows, width - j);                                 \
            vec_store(block + j, add ? vec_add(vec_load(block + j), s) : s);                       \
        }                                                                                          \
    }
DEFINE_PANEL(f64, double, vf64)
DEFINE_PANEL(f32, float, vf32)

/* A block of rows of a narrow strip (`vectors` <= NARROW_VECTORS vectors, the last holding
 * `last_lanes` columns) added to `total`: the block's sums stay in registers across its panels
 * (the strip's rows are short and adjacent, so memory is still read in order). */
#define DEFINE_NARROW_BLOCK(sfx, T, V)                                                             \
    static inline void narrow_block_##sfx(const char *first, int64_t rs, int64_t rows,             \
                                          int vectors, int64_t last_lanes, T *total)               \
    {                                                                                              \
        enum { LANES = VEC_LANES(T) };                                                             \
        const int64_t w = sizeof(T);                                                               \
        V block[NARROW_VECTORS];                                                                   \
        int64_t panel_rows = rows < PANEL ? rows : PANEL;                                          \
        for (int k = 0; k < vectors; k++) {                                                        \
            int64_t lanes = k == vectors - 1 ? last_lanes : LANES;                                 \
            block[k] = panel_sum_##sfx(first + k * LANES * w, rs, panel_rows, lanes);              \
        }                                                                                          \
        for (int64_t r = PANEL; r < rows; r += PANEL) {                                            \
            panel_rows = rows - r < PANEL ? rows - r : PANEL;                                      \
            for (int k = 0; k < vectors; k++) {                                                    \
                int64_t lanes = k == vectors - 1 ? last_lanes : LANES;                             \
                block[k] = vec_add(block[k], panel_sum_##sfx(first + r * rs + k * LANES * w,       \
                                                             rs, panel_rows, lanes));              \
            }                                                                                      \
        }                                                                                          \
        for (int k = 0; k < vectors; k++) {                                                        \
            int64_t lanes = k == vectors - 1 ? last_lanes : LANES;                                 \
            T *at = total + k * LANES;                                                             \
            vec_store_partial(at, vec_add(vec_load_partial(at, lanes), block[k]), lanes);          \
        }                                                                                          \
    }
DEFINE_NARROW_BLOCK(f64, double, vf64)
DEFINE_NARROW_BLOCK(f32, float, vf32)

/* All blocks of a narrow strip; the vector count is made a constant for each case so the
 * block's sums are registers. */
#define DEFINE_NARROW(sfx, T)                                                                      \
    static void narrow_##sfx(const char *in, int64_t rs, int64_t nrows, int64_t ncols, T *total)   \
    {                                                                                              \
        enum { LANES = VEC_LANES(T) };                                                             \
        int vectors = (int)((ncols + LANES - 1) / LANES);                                          \
        int64_t last_lanes = ncols - (int64_t)(vectors - 1) * LANES;                               \
        for (int k = 0; k < vectors; k++) {                                                        \
            int64_t lanes = k == vectors - 1 ? last_lanes : LANES;                                 \
            vec_store_partial(total + k * LANES, vec_zero(T), lanes);                              \
        }                                                                                          \
        for (int64_t b0 = 0; b0 < nrows; b0 += BLOCK) {                                            \
            int64_t rows = nrows - b0 < BLOCK ? nrows - b0 : BLOCK;                                \
            const char *first = in + b0 * rs;                                                      \
            switch (vectors) {                                                                     \
            case 1: narrow_block_##sfx(first, rs, rows, 1, last_lanes, total); break;              \
            case 2: narrow_block_##sfx(first, rs, rows, 2, last_lanes, total); break;              \
            case 3: narrow_block_##sfx(first, rs, rows, 3, last_lanes, total); break;              \
            default: narrow_block_##sfx(first, rs, rows, 4, last_lanes, total); break;             \
            }                                                                                      \
        }                                                                                          \
    }
DEFINE_NARROW(f64, double)
DEFINE_NARROW(f32, float)

/* The table's entry: narrow strips in registers, wider rows a block of columns at a time. */
#define DEFINE_COLSUM(sfx, T, V)                                                                   \
    static void colsum_##sfx(const char *in, int64_t rs, int64_t nrows, int64_t ncols, char *out)  \
    {                                                                                              \
        enum { LANES = VEC_LANES(T), COLUMNS = COLUMN_BLOCK_BYTES / sizeof(T) };                   \
        if (ncols <= NARROW_VECTORS * LANES) {                                                     \
            if (ncols > 0) {                                                                       \
                narrow_##sfx(in, rs, nrows, ncols, (T *)out);                                      \
            }                                                                                      \
            return;                                                                                \
        }                                                                                          \
        const int64_t w = sizeof(T);                                                               \
        _Alignas(64) T block[COLUMNS];                                                             \
        for (int64_t c0 = 0; c0 < ncols; c0 += COLUMNS) {                                          \
            int64_t width = ncols - c0 < COLUMNS ? ncols - c0 : COLUMNS;                           \
            const char *column = in + c0 * w;                                                      \
            T *total = (T *)(out + c0 * w);                                                        \
            for (int64_t j = 0; j < width; j += LANES) {                                           \
                int64_t lanes = width - j < LANES ? width - j : LANES;                             \
                vec_store_partial(total + j, vec_zero(T), lanes);                                  \
            }                                                                                      \
            for (int64_t b0 = 0; b0 < nrows; b0 += BLOCK) {                                        \
                int64_t rows = nrows - b0 < BLOCK ? nrows - b0 : BLOCK;                            \
                const char *first = column + b0 * rs;                                              \
                int64_t panel_rows = rows < PANEL ? rows : PANEL;                                  \
                panel_##sfx(block, first, rs, panel_rows, width, false);                           \
                for (int64_t r = PANEL; r < rows; r += PANEL) {                                    \
                    panel_rows = rows - r < PANEL ? rows - r : PANEL;                              \
                    panel_##sfx(block, first + r * rs, rs, panel_rows, width, true);               \
                }                                                                                  \
                int64_t j = 0;                                                                     \
                for (; j + LANES <= width; j += LANES) {                                           \
                    vec_store(total + j, vec_add(vec_load(total + j), vec_load(block + j)));       \
                }                                                                                  \
                if (j < width) {                                                                   \
                    V sum = vec_add(vec_load_partial(total + j, width - j), vec_load(block + j));  \
                    vec_store_partial(total + j, sum, width - j);                                  \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }
DEFINE_COLSUM(f64, double, vf64)
DEFINE_COLSUM(f32, float, vf32)

void RP_SIMD_FN(rp_simd_fill_colsum)(rp_kernel_table *table)
{
    table->colsum[RP_FLOAT32] = colsum_f32;
    table->colsum[RP_FLOAT64] = colsum_f64;
}
