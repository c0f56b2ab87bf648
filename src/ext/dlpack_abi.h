/*
 * dlpack_abi.h — the DLPack tensor-exchange structures, written from the published ABI
 * (DLPack 1.x, with the pre-1.0 "legacy" managed tensor that older consumers still use).
 *
 * Only the layout matters for interoperability: field order, types and enum values are those of
 * the specification; names are Raptors' own. Capsule names are part of the protocol too.
 */
#ifndef RAPTORS_EXT_DLPACK_ABI_H
#define RAPTORS_EXT_DLPACK_ABI_H

#include <stdint.h>

/* Capsule names: a producer hands out the first; a consumer renames it to the second so the
 * capsule's destructor knows ownership moved. */
#define RP_DLPACK_CAPSULE "dltensor"
#define RP_DLPACK_CAPSULE_USED "used_dltensor"
#define RP_DLPACK_VERSIONED_CAPSULE "dltensor_versioned"
#define RP_DLPACK_VERSIONED_CAPSULE_USED "used_dltensor_versioned"

/* The version this binding implements (and puts in the tensors it exports). */
enum { RP_DLPACK_MAJOR = 1, RP_DLPACK_MINOR = 0 };

/* Device kinds (DLDeviceType); Raptors only ever deals in host memory. */
enum { RP_DL_DEVICE_CPU = 1 };

/* Element kinds (DLDataTypeCode). */
enum { RP_DL_INT = 0, RP_DL_UINT = 1, RP_DL_FLOAT = 2, RP_DL_BOOL = 6 };

/* Bits of rp_dl_managed_versioned.flags. */
#define RP_DL_FLAG_READ_ONLY ((uint64_t)1 << 0)
#define RP_DL_FLAG_IS_COPIED ((uint64_t)1 << 1)

typedef struct {
    uint32_t major;
    uint32_t minor;
} rp_dl_version;

typedef struct {
    int32_t device_type;
    int32_t device_id;
} rp_dl_device;

typedef struct {
    uint8_t code;     /* element kind */
    uint8_t bits;     /* bits per lane */
    uint16_t lanes;   /* 1 for scalars */
} rp_dl_dtype;

typedef struct {
    void *data;             /* base address; elements start at data + byte_offset */
    rp_dl_device device;
    int32_t ndim;
    rp_dl_dtype dtype;
    int64_t *shape;
    int64_t *strides;       /* in elements, not bytes; NULL means compact row-major */
    uint64_t byte_offset;
} rp_dl_tensor;

/* Pre-1.0 managed tensor, capsule name "dltensor". */
typedef struct rp_dl_managed {
    rp_dl_tensor tensor;
    void *manager_ctx;
    void (*deleter)(struct rp_dl_managed *self);
} rp_dl_managed;

/* 1.x managed tensor, capsule name "dltensor_versioned". */
typedef struct rp_dl_managed_versioned {
    rp_dl_version version;
    void *manager_ctx;
    void (*deleter)(struct rp_dl_managed_versioned *self);
    uint64_t flags;
    rp_dl_tensor tensor;
} rp_dl_managed_versioned;

#endif
