/* Ember C API: load an ONNX model, describe its inputs and outputs, run it.
 *
 * Conventions (they never change between versions; functions are only ever added):
 *  - Objects are opaque handles made by *_create and released by *_destroy; every destroy
 *    accepts NULL.
 *  - Every call that can fail returns an ember_status. On failure its out-parameters are left
 *    untouched and ember_last_error() returns a message naming the problem. The message is
 *    per thread, and stays until the next failure on that thread.
 *  - NULL for a required pointer argument gives EMBER_ERR_INVALID_ARGUMENT. The one optional
 *    pointer is the options argument of ember_session_create*: NULL means default options.
 *  - No C++ exception ever leaves a call.
 *  - A session may be run from several threads at once; options and tensors may not be
 *    modified concurrently.
 * The header is valid C99 and C++. See docs/c-api.md for a walk-through. */
#ifndef EMBER_EMBER_H_
#define EMBER_EMBER_H_

#include <stddef.h>
#include <stdint.h>

#define EMBER_API_VERSION 1

/* Only the library build exports symbols; everything else in libember.so is hidden. */
#if defined(EMBER_BUILDING_LIBRARY)
#define EMBER_API __attribute__((visibility("default")))
#else
#define EMBER_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  EMBER_OK = 0,
  EMBER_ERR_INVALID_ARGUMENT,
  EMBER_ERR_INVALID_MODEL,
  EMBER_ERR_UNSUPPORTED,
  EMBER_ERR_SHAPE_MISMATCH,
  EMBER_ERR_TYPE_MISMATCH,
  EMBER_ERR_OUT_OF_MEMORY,
  EMBER_ERR_IO,
  EMBER_ERR_DEVICE,
  EMBER_ERR_RUNTIME
} ember_status;

/* Element types, numbered as ONNX's TensorProto.DataType. A model may also report other
 * numeric ONNX codes (e.g. 5 = int16, 16 = bfloat16); those are accepted everywhere a dtype
 * is, they just have no name here. */
typedef enum {
  EMBER_FLOAT32 = 1,
  EMBER_UINT8 = 2,
  EMBER_INT8 = 3,
  EMBER_INT32 = 6,
  EMBER_INT64 = 7,
  EMBER_BOOL = 9,
  EMBER_FLOAT16 = 10,
  EMBER_FLOAT64 = 11,
  /* Not a type. Makes every int a valid ember_dtype value, so the library can reject an
     unknown code from a caller instead of invoking undefined behaviour by reading it. */
  EMBER_DTYPE_FORCE_INT32 = 0x7FFFFFFF
} ember_dtype;

typedef struct ember_options ember_options;
typedef struct ember_session ember_session;
typedef struct ember_tensor ember_tensor;

/* Library version, e.g. "0.1.0". */
EMBER_API const char* ember_version(void);
/* Thread-local message of the last failure on this thread ("" if none yet). */
EMBER_API const char* ember_last_error(void);
/* Short name of a status, e.g. "shape mismatch". Never NULL. */
EMBER_API const char* ember_status_string(ember_status status);

/* ---- options: key/value strings, so adding an option never changes the ABI ----
 * Keys include "threads" (0 = one per core), "optimization" ("0".."3"), "device" ("cpu",
 * "cuda:0"), "profile" (path of a Chrome-trace JSON written when the session is destroyed).
 * An unknown key or a bad value gives EMBER_ERR_INVALID_ARGUMENT. */
EMBER_API ember_status ember_options_create(ember_options** out);
EMBER_API ember_status ember_options_set(ember_options* o, const char* key, const char* value);
EMBER_API void ember_options_destroy(ember_options* o);

/* ---- sessions ----
 * A session is a loaded, planned model. The options are copied; `o` may be destroyed (or be
 * NULL for defaults). create_from_memory copies the bytes. */
EMBER_API ember_status ember_session_create(const char* model_path, const ember_options* o,
                                            ember_session** out);
EMBER_API ember_status ember_session_create_from_memory(const void* data, size_t size,
                                                        const ember_options* o,
                                                        ember_session** out);
EMBER_API void ember_session_destroy(ember_session* s);

/* 0 when s is NULL. */
EMBER_API size_t ember_session_input_count(const ember_session* s);
EMBER_API size_t ember_session_output_count(const ember_session* s);
/* NULL when s is NULL or i is out of range. The string lives as long as the session. */
EMBER_API const char* ember_session_input_name(const ember_session* s, size_t i);
EMBER_API const char* ember_session_output_name(const ember_session* s, size_t i);

/* Marks a rank the model does not know (the dims are then not written). */
#define EMBER_RANK_UNKNOWN ((size_t)-1)

/* Type of input/output i: its dtype, rank and dims (-1 for a dynamic dimension). `dims` may
 * be NULL only when dims_capacity is 0; a rank above dims_capacity gives
 * EMBER_ERR_INVALID_ARGUMENT (nothing written). A value that is not a tensor (a sequence or
 * an optional) gives EMBER_ERR_UNSUPPORTED. */
EMBER_API ember_status ember_session_input_info(const ember_session* s, size_t i,
                                                ember_dtype* dtype, size_t* rank,
                                                int64_t* dims, size_t dims_capacity);
EMBER_API ember_status ember_session_output_info(const ember_session* s, size_t i,
                                                 ember_dtype* dtype, size_t* rank,
                                                 int64_t* dims, size_t dims_capacity);

/* ---- tensors: dense, row-major ----
 * `data` is borrowed (it must stay valid, and suitably aligned for the dtype, while the tensor
 * is used) or NULL, in which case zero-filled storage is allocated. `shape` may be NULL only
 * when rank is 0 (a scalar); every dim must be >= 0. */
EMBER_API ember_status ember_tensor_create(ember_dtype dtype, const int64_t* shape, size_t rank,
                                           void* data, ember_tensor** out);
EMBER_API void ember_tensor_destroy(ember_tensor* t);
/* NULL when t is NULL; may be NULL for a tensor with no elements. */
EMBER_API void* ember_tensor_data(ember_tensor* t);
/* 0 when t is NULL. */
EMBER_API ember_dtype ember_tensor_dtype(const ember_tensor* t);
EMBER_API size_t ember_tensor_rank(const ember_tensor* t);
/* `rank` dims; NULL when t is NULL or rank is 0. */
EMBER_API const int64_t* ember_tensor_shape(const ember_tensor* t);
/* Number of elements (1 for a scalar) and of bytes; 0 when t is NULL. */
EMBER_API size_t ember_tensor_element_count(const ember_tensor* t);
EMBER_API size_t ember_tensor_byte_size(const ember_tensor* t);

/* ---- running ----
 * Feeds input_count named inputs and computes output_count named outputs (>= 1).
 * outputs[i] == NULL: Ember allocates the tensor and the caller destroys it. A caller-provided
 * outputs[i] must have the output's dtype and shape and is filled in place. On failure no
 * output is allocated and outputs[] is unchanged (caller-provided tensors are not written).
 * Unknown input/output names, missing inputs and wrong dtypes/shapes are reported as
 * EMBER_ERR_INVALID_ARGUMENT / EMBER_ERR_TYPE_MISMATCH / EMBER_ERR_SHAPE_MISMATCH. */
EMBER_API ember_status ember_session_run(ember_session* s, const char* const* input_names,
                                         const ember_tensor* const* inputs, size_t input_count,
                                         const char* const* output_names, ember_tensor** outputs,
                                         size_t output_count);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* EMBER_EMBER_H_ */
