/*
 * test_create.c — C unit tests of the filled constructors (arange, linspace, eye), empty_like's
 * memory order, ravel's view-or-copy rule and the buffer counters, with no Python involved.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "raptors/raptors.h"

#include "check.h"


static void test_arange(void)
{
    rp_array *a = NULL;
    rp_scalar first = {.dtype = RP_FLOAT64, .value.f64 = 0.1};
    rp_scalar second = {.dtype = RP_FLOAT64, .value.f64 = 0.1 + 0.3};
    CHECK(rp_array_arange(RP_FLOAT64, &first, &second, 10, &a) == RP_OK);
    const double *v = (const double *)a->data;
    double delta = (0.1 + 0.3) - 0.1; /* NumPy steps by the difference of the first two */
    CHECK(a->ndim == 1 && a->shape[0] == 10);
    CHECK(v[0] == 0.1 && v[1] == 0.4 && v[7] == 0.1 + 7.0 * delta);
    rp_array_free(a);

    /* int32 arithmetic wraps as NumPy's does. */
    rp_scalar big = {.dtype = RP_INT64, .value.i64 = INT32_MAX - 1};
    rp_scalar next = {.dtype = RP_INT64, .value.i64 = INT32_MAX};
    CHECK(rp_array_arange(RP_INT32, &big, &next, 4, &a) == RP_OK);
    const int32_t *w = (const int32_t *)a->data;
    CHECK(w[1] == INT32_MAX && w[2] == INT32_MIN && w[3] == INT32_MIN + 1);
    rp_array_free(a);

    /* A float step truncated into an integer dtype: NumPy steps by int(0.5) - int(0) = 0. */
    rp_scalar zero = {.dtype = RP_FLOAT64, .value.f64 = 0.0};
    rp_scalar half = {.dtype = RP_FLOAT64, .value.f64 = 0.5};
    CHECK(rp_array_arange(RP_INT64, &zero, &half, 5, &a) == RP_OK);
    CHECK(((const int64_t *)a->data)[4] == 0);
    rp_array_free(a);

    a = NULL;
    CHECK(rp_array_arange(RP_BOOL, &zero, &half, 3, &a) == RP_ERR_TYPE && a == NULL);
    CHECK(rp_array_arange(RP_FLOAT64, &zero, &half, -1, &a) == RP_ERR_VALUE && a == NULL);
    CHECK(rp_array_arange(RP_FLOAT64, &zero, &half, 0, &a) == RP_OK && a->shape[0] == 0);
    rp_array_free(a);
}

static void test_linspace(void)
{
    rp_array *a = NULL;
    CHECK(rp_array_linspace(RP_FLOAT64, 0.0, 1.0, 5, true, &a) == RP_OK);
    const double *v = (const double *)a->data;
    CHECK(v[0] == 0.0 && v[1] == 0.25 && v[4] == 1.0);
    rp_array_free(a);

    CHECK(rp_array_linspace(RP_FLOAT64, 0.0, 1.0, 4, false, &a) == RP_OK);
    CHECK(((const double *)a->data)[3] == 0.75);
    rp_array_free(a);

    /* The last value is stop exactly even when start + i * step rounds elsewhere. */
    CHECK(rp_array_linspace(RP_FLOAT64, 0.1, 0.7, 7, true, &a) == RP_OK);
    CHECK(((const double *)a->data)[6] == 0.7);
    rp_array_free(a);

    CHECK(rp_array_linspace(RP_INT64, 0.0, 10.0, 5, true, &a) == RP_OK);
    const int64_t *w = (const int64_t *)a->data;
    CHECK(w[1] == 2 && w[2] == 5 && w[3] == 7 && w[4] == 10);
    rp_array_free(a);

    CHECK(rp_array_linspace(RP_INT64, -1.0, 0.0, 3, true, &a) == RP_OK);
    CHECK(((const int64_t *)a->data)[1] == -1); /* floor(-0.5), not truncation */
    rp_array_free(a);

    CHECK(rp_array_linspace(RP_FLOAT64, 3.0, 9.0, 1, true, &a) == RP_OK);
    CHECK(a->shape[0] == 1 && ((const double *)a->data)[0] == 3.0);
    rp_array_free(a);

    a = NULL;
    CHECK(rp_array_linspace(RP_FLOAT64, 0.0, 1.0, -1, true, &a) == RP_ERR_VALUE && a == NULL);
}

static double at2(const rp_array *a, int64_t i, int64_t j)
{
    double v;
    memcpy(&v, a->data + i * a->strides[0] + j * a->strides[1], sizeof v);
    return v;
}

static void test_eye(void)
{
    rp_array *a = NULL;
    CHECK(rp_array_eye(RP_FLOAT64, 3, 4, 1, RP_ORDER_C, &a) == RP_OK);
    for (int64_t i = 0; i < 3; i++) {
        for (int64_t j = 0; j < 4; j++) {
            CHECK(at2(a, i, j) == (j == i + 1 ? 1.0 : 0.0));
        }
    }
    rp_array_free(a);

    CHECK(rp_array_eye(RP_FLOAT64, 4, 3, -2, RP_ORDER_F, &a) == RP_OK);
    CHECK(rp_array_is_f_contiguous(a));
    for (int64_t i = 0; i < 4; i++) {
        for (int64_t j = 0; j < 3; j++) {
            CHECK(at2(a, i, j) == (i == j + 2 ? 1.0 : 0.0));
        }
    }
    rp_array_free(a);

    /* Diagonals outside the matrix leave it all zeros, even for extreme k. */
    CHECK(rp_array_eye(RP_FLOAT64, 2, 2, INT64_MIN, RP_ORDER_C, &a) == RP_OK);
    CHECK(at2(a, 0, 0) == 0.0 && at2(a, 1, 1) == 0.0);
    rp_array_free(a);

    a = NULL;
    CHECK(rp_array_eye(RP_FLOAT64, -1, 2, 0, RP_ORDER_C, &a) == RP_ERR_VALUE && a == NULL);
}

static void test_empty_like_and_ravel(void)
{
    int64_t shape[3] = {2, 3, 4};
    rp_array *a = NULL, *t = NULL, *like = NULL, *flat = NULL;
    CHECK(rp_array_empty(RP_INT32, 3, shape, RP_ORDER_C, &a) == RP_OK);
    CHECK(a->flags & RP_ARRAY_OWNDATA);
    for (int i = 0; i < 24; i++) {
        ((int32_t *)a->data)[i] = i;
    }
    int axes[3] = {1, 2, 0};
    CHECK(rp_array_transpose(a, axes, &t) == RP_OK);
    CHECK(!(t->flags & RP_ARRAY_OWNDATA));
    int order[3];
    rp_array_memory_order(t, order);
    CHECK(order[0] == 2 && order[1] == 0 && order[2] == 1);
    CHECK(rp_array_empty_like(t, RP_FLOAT64, &like) == RP_OK);
    CHECK(like->shape[0] == 3 && like->shape[1] == 4 && like->shape[2] == 2);
    CHECK(like->strides[2] == 96 && like->strides[0] == 32 && like->strides[1] == 8);

    /* A C-contiguous array ravels to a view, a transposed one to a copy in reading order. */
    CHECK(rp_array_ravel(a, RP_ORDER_C, &flat) == RP_OK);
    CHECK(flat->data == a->data && flat->shape[0] == 24);
    rp_array_free(flat);
    CHECK(rp_array_ravel(t, RP_ORDER_C, &flat) == RP_OK);
    CHECK(flat->data != a->data && ((int32_t *)flat->data)[1] == 12);
    CHECK(flat->flags & RP_ARRAY_OWNDATA);
    rp_array_free(flat);
    CHECK(rp_array_ravel(a, RP_ORDER_F, &flat) == RP_OK);
    CHECK(((int32_t *)flat->data)[1] == 12);
    rp_array_free(flat);
    rp_array_free(like);
    rp_array_free(t);
    rp_array_free(a);
}

static int released;

static void count_release(void *context)
{
    (void)context;
    released++;
}

static void test_buffer_counters(void)
{
    static double memory[4];
    int64_t owned_before = rp_buffer_live_count();
    int64_t wrapped_before = rp_buffer_wrapped_live_count();
    rp_buffer *buffer;
    CHECK(rp_buffer_wrap(memory, sizeof memory, count_release, NULL, &buffer) == RP_OK);
    CHECK(rp_buffer_wrapped_live_count() == wrapped_before + 1);
    int64_t shape[1] = {4}, strides[1] = {sizeof(double)};
    rp_array *a = NULL;
    CHECK(rp_array_from_buffer(buffer, (char *)memory, RP_FLOAT64, 1, shape, strides,
                               RP_ARRAY_WRITEABLE | RP_ARRAY_OWNDATA, &a) == RP_OK);
    CHECK(!(a->flags & RP_ARRAY_OWNDATA));
    rp_buffer_decref(buffer);
    CHECK(released == 0);
    rp_array_free(a);
    CHECK(released == 1);
    CHECK(rp_buffer_wrapped_live_count() == wrapped_before);
    CHECK(rp_buffer_live_count() == owned_before);
}

int main(void)
{
    test_arange();
    test_linspace();
    test_eye();
    test_empty_like_and_ravel();
    test_buffer_counters();
    CHECK(rp_buffer_live_count() == 0);
    return check_report("test_create");
}
