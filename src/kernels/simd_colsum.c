/*
 * simd_colsum.c — column sums of float32/float64 rows with the target's vectors.
 *
 * Compiled once per target (see simd_vec.h). The same order as the portable colsum.c (the one
 * kernels.h defines: within a block of rows, each row added in turn to the block's running
 * sums), a vector of columns at a time, so every lane does exactly the additions the portable
 * loop does and the results are bit-identical. The running sums of a block of columns live in
 * an L1-resident buffer and the rows are read one after another, each from its first column to
 * its last: C-ordered rows are then a single forward stream through memory. (Reading a panel of
 * rows side by side, as this file once did, measured half the rate of a flat read on
 * L2-resident data: the hardware follows one stream at full speed, interleaved ones at half.)
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
    BLOCK = RP_COLSUM_BLOCK_ROWS,
    UNROLL = 4                  /* column vectors per step of the row loop */
};

_Static_assert(COLUMN_BLOCK_BYTES % (UNROLL * VECTOR_BYTES) == 0,
               "the block buffer holds whole steps");

/* The `lanes` first columns of a row (all of a vector, or the partial last one). */
#define DEFINE_LOAD_LANES(sfx, T, V)                                                               \
    static inline V load_lanes_##sfx(const char *p, int64_t lanes)                                 \
    {                                                                                              \
        return lanes == VEC_LANES(T) ? vec_load((const T *)p)                                      \
                                     : vec_load_partial((const T *)p, lanes);                      \
    }
DEFINE_LOAD_LANES(f64, double, vf64)
DEFINE_LOAD_LANES(f32, float, vf32)

/* block[j] = row[j] (first) or block[j] + row[j], for the `width` columns of the block. Lanes
 * of the block past `width` hold zeros, never read back. */
#define DEFINE_ADD_ROW(sfx, T, V)                                                                  \
    static inline void add_row_##sfx(T *block, const char *row, int64_t width, bool first)         \
    {                                                                                              \
        enum { LANES = VEC_LANES(T) };                                                             \
        const T *p = (const T *)row;                                                               \
        int64_t j = 0;                                                                             \
        for (; j + UNROLL * LANES <= width; j += UNROLL * LANES) {                                 \
            _Pragma("GCC unroll 4") for (int u = 0; u < UNROLL; u++) {                             \
                T *at = block + j + u * LANES;                                                     \
                V v = vec_load(p + j + u * LANES);                                                 \
                vec_store(at, first ? v : vec_add(vec_load(at), v));                               \
            }                                                                                      \
        }                                                                                          \
        for (; j < width; j += LANES) {                                                            \
            int64_t lanes = width - j < LANES ? width - j : LANES;                                 \
            V v = load_lanes_##sfx((const char *)(p + j), lanes);                                  \
            vec_store(block + j, first ? v : vec_add(vec_load(block + j), v));                     \
        }                                                                                          \
    }
DEFINE_ADD_ROW(f64, double, vf64)
DEFINE_ADD_ROW(f32, float, vf32)

/* A block of rows of a narrow strip (`vectors` <= NARROW_VECTORS vectors, the last holding
 * `last_lanes` columns) added to `total`: the block's sums stay in registers. */
#define DEFINE_NARROW_BLOCK(sfx, T, V)                                                             \
    static inline void narrow_block_##sfx(const char *first, int64_t rs, int64_t rows,             \
                                          int vectors, int64_t last_lanes, T *total)               \
    {                                                                                              \
        enum { LANES = VEC_LANES(T) };                                                             \
        const int64_t w = sizeof(T);                                                               \
        V block[NARROW_VECTORS];                                                                   \
        for (int k = 0; k < vectors; k++) {                                                        \
            int64_t lanes = k == vectors - 1 ? last_lanes : LANES;                                 \
            block[k] = load_lanes_##sfx(first + k * LANES * w, lanes);                             \
        }                                                                                          \
        for (int64_t r = 1; r < rows; r++) {                                                       \
            for (int k = 0; k < vectors; k++) {                                                    \
                int64_t lanes = k == vectors - 1 ? last_lanes : LANES;                             \
                block[k] = vec_add(block[k], load_lanes_##sfx(first + r * rs + k * LANES * w,      \
                                                              lanes));                             \
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
                for (int64_t r = 0; r < rows; r++) {                                               \
                    add_row_##sfx(block, first + r * rs, width, r == 0);                           \
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
