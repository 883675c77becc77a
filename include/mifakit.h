/*
 * mifakit.h — the C ABI of MIFAKit (libMIFAKit.so): open MIFA packages and OME-Zarr images, read
 * regions, and stream training batches from the MIFAKit batch loader.
 *
 * Conventions (every function):
 *   - Objects are opaque handles, made by a *_open / *_create / mifa_loader_next call and destroyed
 *     by exactly one *_close / *_destroy / mifa_batch_release call. A handle that was destroyed,
 *     never made, or is of another kind is refused with MIFA_INVALID_ARGUMENT (never used).
 *   - Every function but mifa_version, mifa_string_free and the mifa_last_error_* accessors
 *     returns a mifa_status: MIFA_OK (0) or the class of the failure. On failure the calling
 *     thread's last error holds the error's stable code (e.g. "chunk-failed"), a message that says
 *     what was expected and how to fix it, the layer it comes from, and where: the file, the JSON
 *     pointer, the chunk or store key. Output pointers are set to NULL / 0 before any work, so they
 *     are never left undefined.
 *   - Strings passed in are NUL-terminated UTF-8. Strings returned through a `char **out` are
 *     NUL-terminated UTF-8 JSON, owned by the caller, freed with mifa_string_free.
 *   - No Swift type crosses the boundary; Swift errors are caught at it. Bad arguments and bad data
 *     return an error status: they never abort the host process.
 *   - Thread safety: functions may be called from any thread. Calls on one loader handle run one
 *     at a time (mifa_loader_next holds the loader while it waits); package and batch handles are
 *     immutable and may be read from several threads at once. The last error is per thread.
 */
#ifndef MIFAKIT_H
#define MIFAKIT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Status, errors, strings ------------------------------------------------------------ */

/** The result of a call: MIFA_OK, or the class of the failure (details in the last error). */
typedef int32_t mifa_status;
#define MIFA_OK                0 /**< success */
#define MIFA_INVALID_ARGUMENT  1 /**< a NULL or unknown handle, malformed configuration, value out of range, wrong buffer size */
#define MIFA_INVALID_DATA      2 /**< malformed metadata, a corrupt chunk, an image the loader cannot sample */
#define MIFA_NOT_FOUND         3 /**< a file, image, level, label or annotation set does not exist */
#define MIFA_IO                4 /**< reading or writing failed */
#define MIFA_MEMORY            5 /**< the memory budget cannot hold what was asked */
#define MIFA_STATE             6 /**< the call does not fit the object's state (e.g. a checkpoint of another loader) */
#define MIFA_INTERNAL          7 /**< an unclassified error (a bug: please report it) */

/** Fields of the last error, for mifa_last_error_field. */
#define MIFA_ERROR_CODE     0 /**< the stable code, e.g. "invalid-configuration", "chunk-failed" */
#define MIFA_ERROR_MESSAGE  1 /**< what was expected, what was found, how to fix it (with the place) */
#define MIFA_ERROR_LAYER    2 /**< the library layer: "BatchLoader", "Zarr", "OMEZarr", "Package", ..., or "abi" */
#define MIFA_ERROR_FILE     3 /**< the file or store path, or NULL */
#define MIFA_ERROR_POINTER  4 /**< the JSON pointer (RFC 6901) into a document or the configuration, or NULL */
#define MIFA_ERROR_KEY      5 /**< the chunk or store key, or NULL */

/** Element types of tensors (NumPy's names). */
typedef int32_t mifa_dtype;
#define MIFA_BOOL    1
#define MIFA_INT8    2
#define MIFA_INT16   3
#define MIFA_INT32   4
#define MIFA_INT64   5
#define MIFA_UINT8   6
#define MIFA_UINT16  7
#define MIFA_UINT32  8
#define MIFA_UINT64  9
#define MIFA_FLOAT32 10
#define MIFA_FLOAT64 11
#define MIFA_FLOAT16 12

/** The most axes a batch tensor has: [B, C, Z, Y, X]. */
#define MIFA_MAX_DIMS 8

/** The library's version, "MAJOR.MINOR.PATCH" (what `mifa --version` prints). Static; never free it. */
const char *mifa_version(void);

/** Frees a string returned through a `char **out` parameter. NULL is ignored. */
void mifa_string_free(char *text);

/** The status of the calling thread's last failed call (MIFA_OK if none failed yet). */
mifa_status mifa_last_error_status(void);

/**
 * One field (MIFA_ERROR_*) of the calling thread's last error, or NULL when unknown. The string is
 * owned by the library and valid until the thread's next failing call; copy it to keep it.
 */
const char *mifa_last_error_field(int32_t field);

/** The number of live package, loader and batch handles (for leak checks). */
mifa_status mifa_live_handles(int64_t *packages, int64_t *loaders, int64_t *batches);

/* ---- Packages and images ---------------------------------------------------------------- */

/** An open MIFA package, OME-Zarr image or folder of OME-Zarr images. Immutable. */
typedef struct mifa_package mifa_package;

/**
 * Opens `path`: a MIFA package (its images are images/<id>), one OME-Zarr image (its id is the
 * last path component), or a folder of OME-Zarr images (each child's name is its id). Reads the
 * metadata of every image. On success *out is a new handle; close it with mifa_package_close.
 */
mifa_status mifa_package_open(const char *path, mifa_package **out);

/** Closes a package handle (the handle is invalid afterwards). */
mifa_status mifa_package_close(mifa_package *package);

/**
 * The package's images and annotation sets as JSON:
 * {"kind": "package"|"image"|"folder", "root": path, "annotation_sets": [id, ...],
 *  "images": [{"id", "path", "axes": [{"name", "type", "unit"}], "labels": [name, ...],
 *              "levels": [{"path", "shape", "chunks", "dtype", "pixel_size", "origin"}]}]}.
 * pixel_size and origin are the level's scale and translation, one per axis.
 */
mifa_status mifa_package_info(mifa_package *package, char **out);

/**
 * One document of a MIFA package as JSON: "metadata" (mifa.json), "versions" (the version records,
 * oldest first, as versions/<v>.json) or "audit" (the audit report, as `mifa audit --json`).
 * MIFA_STATE for an image or a folder of images.
 */
mifa_status mifa_package_document(mifa_package *package, const char *name, char **out);

/**
 * Reads the region [starts[i], stops[i]) of each of the `rank` axes of level `level` of image
 * `image_id` (or of its label image `label`, when not NULL) into `buffer`: C order, native byte
 * order, `buffer_size` bytes exactly (the region's element count times the element size).
 * *dtype (if not NULL) receives the element type, also on a size mismatch, so a caller can ask with
 * buffer_size 0 first.
 */
mifa_status mifa_package_read(mifa_package *package, const char *image_id, const char *label, int64_t level,
                              const int64_t *starts, const int64_t *stops, int64_t rank,
                              void *buffer, int64_t buffer_size, mifa_dtype *dtype);

/* ---- The batch loader ------------------------------------------------------------------- */

/** A streaming batch loader (worker threads, prefetch, one memory budget). */
typedef struct mifa_loader mifa_loader;
/** One delivered batch; holds a pooled buffer of its loader until released. */
typedef struct mifa_batch mifa_batch;

/**
 * Creates a loader from a JSON object (an unknown key is an error):
 *   "inputs": [{"path": p, "weight": w}, ...]   datasets: packages, OME-Zarr images, folders (required)
 *   "patch": [y, x] | [z, y, x]                   patch extent (required but for sampler "whole")
 *   "batch_size": n                               samples per batch (required)
 *   "sampler": "random" | "label_aware" | "grid" | "whole" | "list"   (default "random")
 *   "samples_per_epoch": n                        random and label_aware (default 64 per image)
 *   "foreground_fraction": f, "balance_classes": b            label_aware (default 0.5, false)
 *   "overlap": [...]                              grid (default 0 per axis)
 *   "patches": [[image, y, x] | [image, z, y, x], ...]        list: image = index among all images or id
 *   "level": n, "label": name, "annotations": [set, ...], "images": [id, ...] (only these images)
 *   "workers", "prefetch", "read_ahead", "seed", "memory_budget" (bytes), "dtype": "native" | "float32",
 *   "channels": [c, ...], "normalize": {"mean": [...], "std": [...]}, "flips", "rotations",
 *   "crop": [y, x] | [z, y, x], "drop_last", "shuffle" (default true; false for grid and whole),
 *   "rank", "world_size" (default: RANK and WORLD_SIZE from the environment, else 0 and 1).
 * Opening the inputs and checking the budget happen here; errors name the key (JSON pointer).
 */
mifa_status mifa_loader_create(const char *configuration, mifa_loader **out);

/**
 * Stops the loader's work and destroys the handle. Batches still held stay valid (their memory
 * goes when they are released).
 */
mifa_status mifa_loader_destroy(mifa_loader *loader);

/** Sets the epoch the next iteration reads (every random choice depends on seed and epoch); stops the epoch being read. */
mifa_status mifa_loader_set_epoch(mifa_loader *loader, int64_t epoch);

/** Starts reading the epoch: from where mifa_loader_restore pointed, else from its first batch. */
mifa_status mifa_loader_begin(mifa_loader *loader);

/** One tensor of a batch: C-order elements in native byte order. */
typedef struct mifa_tensor {
    const void *data;               /**< the first element, valid until the batch is released; NULL when absent */
    int64_t shape[MIFA_MAX_DIMS];   /**< the extents of the first `ndim` axes */
    int32_t ndim;                   /**< the number of axes; 0 when absent */
    mifa_dtype dtype;               /**< the element type; 0 when absent */
} mifa_tensor;

/** What a caller needs to use a batch, filled by mifa_loader_next in the call that delivers it. */
typedef struct mifa_batch_view {
    mifa_tensor image;  /**< the images: [B, C, (Z,) Y, X] */
    mifa_tensor mask;   /**< the masks: [B, (Z,) Y, X]; absent (ndim 0) when the loader reads no label */
    int64_t epoch;      /**< the batch's epoch */
    int64_t index;      /**< the batch's number in the epoch */
} mifa_batch_view;

/**
 * Blocks until the next batch of the epoch is ready (starting the epoch if need be). On success
 * *out is a new batch handle, or NULL at the end of the epoch; when `view` is not NULL it receives
 * the batch's tensors and position (all zero at the end of the epoch or on failure). A failure
 * returns an error status (e.g. MIFA_INVALID_DATA with the chunk's key) and ends the epoch.
 * Holding more batches than `prefetch` while asking for another can exhaust the budget:
 * MIFA_MEMORY, never a hang.
 */
mifa_status mifa_loader_next(mifa_loader *loader, mifa_batch **out, mifa_batch_view *view);

/**
 * The loader as JSON: {"batches_per_epoch", "samples_per_epoch", "batch_size", "patch_shape" ([z, y, x]),
 * "channels", "image_dtype", "mask_dtype" (absent without masks), "rank", "world_size", "seed", "memory_budget",
 * "workers", "prefetch", "image_ids", "paths"} (image_ids and paths by source number).
 */
mifa_status mifa_loader_info(mifa_loader *loader, char **out);

/** The loader's counters as JSON (bytes read, chunks decoded, cache hits, waits, peak memory, ...). */
mifa_status mifa_loader_metrics(mifa_loader *loader, char **out);

/** Where the loader is, as JSON {"seed", "epoch", "batch"} (batches of the epoch delivered). */
mifa_status mifa_loader_state(mifa_loader *loader, char **out);

/** Continues from a state mifa_loader_state gave: the next iteration yields exactly the batches that came next. */
mifa_status mifa_loader_restore(mifa_loader *loader, const char *state);

/**
 * What each sample of the batch is, as a JSON array, one object per sample:
 * {"image_id", "path" (the OME-Zarr image), "level", "t", "sample" (its number in the epoch),
 *  "region": [[start, stop), ...] one pair per spatial axis of the level (z if it has one, y, x), in
 *  the level's pixels (may reach outside the image: read as zeros),
 *  "augmentation": {"flip_x", "flip_y", "quarter_turns"},
 *  "boxes": [{"box": [x, y, width, height], ...}], "points": [{"point": [x, y], ...}],
 *  "polygons": [{"polygon": [ring, ...], ...}] (rings of [x, y]; exterior first)}.
 * Shapes are in patch pixels (origin at the patch's top-left corner), clipped to the patch and
 * augmented; each carries "set" (its annotation set), "id" (its id there), "category", "track"
 * and "annotation" (its position in the image's list).
 */
mifa_status mifa_batch_samples(mifa_batch *batch, char **out);

/** Releases a batch handle: its buffer returns to the loader's pool (the data pointers are invalid afterwards). */
mifa_status mifa_batch_release(mifa_batch *batch);

#ifdef __cplusplus
}
#endif

#endif /* MIFAKIT_H */
