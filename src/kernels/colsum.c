/*
 * colsum.c — portable column sums (the colsum entries of the kernel table): the sum over rows
 * of a block of rows with contiguous columns, as a.sum(axis=0) of C-ordered data needs.
 *
 * Float sums follow the fixed order kernels.h defines (panels of rows summed as a tree, panels
 * into a block, blocks into the result), which the SIMD variants (simd_colsum.c) repeat lane by
 * lane, so every variant gives the same bits. The running sums of a block of columns live in a
 * small buffer that stays in L1 while the rows stream past; each panel adds
 * RP_COLSUM_PANEL_ROWS rows to it at once, so the buffer is read and written once per panel,
 * not once per row. Integer and bool columns accumulate in int64 (wrapping), where order does
 * not matter.
 */
#include "loops.h"

/* Columns whose running sums are kept together: small enough for L1 beside the input. */
#define COLUMN_BLOCK_BYTES 8192

_Static_assert(RP_COLSUM_PANEL_ROWS == 8, "the panel tree below adds eight rows");
_Static_assert(RP_COLSUM_BLOCK_ROWS % RP_COLSUM_PANEL_ROWS == 0,
               "only the last panel of the last block may be short");

#define DEFINE_FLOAT_COLSUM(SUFFIX)                                                              \
    /* Sum of the 8 rows of a panel in column p, as a balanced tree. */                         \
    static inline rp_##SUFFIX panel_tree_##SUFFIX(const char *p, int64_t rs)                     \
    {                                                                                            \
        rp_##SUFFIX r01 = load_##SUFFIX(p) + load_##SUFFIX(p + rs);                              \
        rp_##SUFFIX r23 = load_##SUFFIX(p + 2 * rs) + load_##SUFFIX(p + 3 * rs);                 \
        rp_##SUFFIX r45 = load_##SUFFIX(p + 4 * rs) + load_##SUFFIX(p + 5 * rs);                 \
        rp_##SUFFIX r67 = load_##SUFFIX(p + 6 * rs) + load_##SUFFIX(p + 7 * rs);                 \
        return (r01 + r23) + (r45 + r67);                                                        \
    }                                                                                            \
    /* Sum of a short panel (1..7 rows) in row order. */                                         \
    static inline rp_##SUFFIX panel_short_##SUFFIX(const char *p, int64_t rs, int64_t rows)      \
    {                                                                                            \
        rp_##SUFFIX s = load_##SUFFIX(p);                                                        \
        for (int64_t r = 1; r < rows; r++) {                                                     \
            s += load_##SUFFIX(p + r * rs);                                                      \
        }                                                                                        \
        return s;                                                                                \
    }                                                                                            \
    /* block[j] = (or +=, when `add`) the panel of `rows` rows starting at p, for j < width. */  \
    static inline void panel_##SUFFIX(rp_##SUFFIX *block, const char *p, int64_t rs,            \
                                      int64_t rows, int64_t width, bool add)                     \
    {                                                                                            \
        const int64_t w = (int64_t)sizeof(rp_##SUFFIX);                                          \
        if (rows == RP_COLSUM_PANEL_ROWS) {                                                      \
            for (int64_t j = 0; j < width; j++) {                                                \
                rp_##SUFFIX s = panel_tree_##SUFFIX(p + j * w, rs);                              \
                block[j] = add ? block[j] + s : s;                                               \
            }                                                                                    \
        } else {                                                                                 \
            for (int64_t j = 0; j < width; j++) {                                                \
                rp_##SUFFIX s = panel_short_##SUFFIX(p + j * w, rs, rows);                       \
                block[j] = add ? block[j] + s : s;                                               \
            }                                                                                    \
        }                                                                                        \
    }                                                                                            \
    static void colsum_##SUFFIX(const char *in, int64_t rs, int64_t nrows, int64_t ncols,        \
                                char *out)                                                       \
    {                                                                                            \
        enum { COLUMNS = COLUMN_BLOCK_BYTES / sizeof(rp_##SUFFIX) };                             \
        const int64_t w = (int64_t)sizeof(rp_##SUFFIX);                                          \
        rp_##SUFFIX block[COLUMNS];                                                              \
        for (int64_t c0 = 0; c0 < ncols; c0 += COLUMNS) {                                        \
            int64_t width = ncols - c0 < COLUMNS ? ncols - c0 : COLUMNS;                         \
            const char *column = in + c0 * w;                                                    \
            char *total = out + c0 * w;                                                          \
            for (int64_t j = 0; j < width; j++) {                                                \
                store_##SUFFIX(total + j * w, 0);                                                \
            }                                                                                    \
            for (int64_t b0 = 0; b0 < nrows; b0 += RP_COLSUM_BLOCK_ROWS) {                       \
                int64_t rows = nrows - b0 < RP_COLSUM_BLOCK_ROWS ? nrows - b0                    \
                                                                 : RP_COLSUM_BLOCK_ROWS;         \
                const char *first = column + b0 * rs;                                            \
                for (int64_t r = 0; r < rows; r += RP_COLSUM_PANEL_ROWS) {                       \
                    int64_t panel_rows = rows - r < RP_COLSUM_PANEL_ROWS ? rows - r              \
                                                                         : RP_COLSUM_PANEL_ROWS; \
                    panel_##SUFFIX(block, first + r * rs, rs, panel_rows, width, r > 0);         \
                }                                                                                \
                for (int64_t j = 0; j < width; j++) {                                            \
                    store_##SUFFIX(total + j * w, load_##SUFFIX(total + j * w) + block[j]);      \
                }                                                                                \
            }                                                                                    \
        }                                                                                        \
    }

DEFINE_FLOAT_COLSUM(f32)
DEFINE_FLOAT_COLSUM(f64)

/* Integer and bool columns into int64, wrapping (unsigned arithmetic); WIDEN turns an element
 * into its uint64 term. The int64 sums of a block of columns stay in L1 while rows go by. */
#define DEFINE_INT_COLSUM(SUFFIX, WIDEN)                                                         \
    static void colsum_##SUFFIX(const char *in, int64_t rs, int64_t nrows, int64_t ncols,        \
                                char *out)                                                       \
    {                                                                                            \
        enum { COLUMNS = COLUMN_BLOCK_BYTES / sizeof(uint64_t) };                                \
        const int64_t w = (int64_t)sizeof(rp_##SUFFIX);                                          \
        uint64_t sums[COLUMNS];                                                                  \
        for (int64_t c0 = 0; c0 < ncols; c0 += COLUMNS) {                                        \
            int64_t width = ncols - c0 < COLUMNS ? ncols - c0 : COLUMNS;                         \
            for (int64_t j = 0; j < width; j++) {                                                \
                sums[j] = 0;                                                                     \
            }                                                                                    \
            for (int64_t r = 0; r < nrows; r++) {                                                \
                const char *row = in + r * rs + c0 * w;                                          \
                for (int64_t j = 0; j < width; j++) {                                            \
                    sums[j] += WIDEN(load_##SUFFIX(row + j * w));                                \
                }                                                                                \
            }                                                                                    \
            for (int64_t j = 0; j < width; j++) {                                                \
                store_i64(out + (c0 + j) * (int64_t)sizeof(rp_i64), (rp_i64)sums[j]);            \
            }                                                                                    \
        }                                                                                        \
    }

#define WIDEN_SIGNED(v) ((uint64_t)(rp_i64)(v))
#define WIDEN_BOOL(v) ((uint64_t)((v) != 0))

DEFINE_INT_COLSUM(b8, WIDEN_BOOL)
DEFINE_INT_COLSUM(i32, WIDEN_SIGNED)
DEFINE_INT_COLSUM(i64, WIDEN_SIGNED)

void RP_PORTABLE_FN(rp_kernels_fill_scalar_colsum)(rp_kernel_table *table)
{
    table->colsum[RP_BOOL] = colsum_b8;
    table->colsum[RP_INT32] = colsum_i32;
    table->colsum[RP_INT64] = colsum_i64;
    table->colsum[RP_FLOAT32] = colsum_f32;
    table->colsum[RP_FLOAT64] = colsum_f64;
}
