// ember_tensor_*: dense tensors that either borrow the caller's buffer or own zeroed storage.
#include <limits>

#include "bindings/c/c_api_internal.h"

using ember::DType;
using ember::capi::guard;
using ember::capi::require;

namespace ember::capi {

// The numeric element types the C API accepts: every ONNX code Ember stores except strings
// (a C caller cannot hand us std::string objects).
DType checked_dtype(ember_dtype d, const char* fn) {
  const int code = int(d);
  EMBER_CHECK(dtype_is_valid(code) && code != int(DType::Undefined) && code != int(DType::String),
              InvalidArgument, fn, ": dtype code ", code, " is not a supported element type");
  // Narrow types (float8, int4, ...) are stored unpacked inside Ember, which a C caller
  // holding ONNX's packed layout would not expect; the C API does not offer them (yet).
  EMBER_CHECK(!dtype_is_narrow(DType(code)), Unsupported, fn, ": dtype ", dtype_name(DType(code)),
              " (code ", code, ") is not supported by the C API");
  return DType(code);
}

}  // namespace ember::capi

extern "C" {

ember_status ember_tensor_create(ember_dtype dtype, const int64_t* shape, size_t rank, void* data,
                                 ember_tensor** out) {
  return guard([&] {
    const char* fn = "ember_tensor_create";
    require(out, "out", fn);
    if (rank > 0) require(shape, "shape", fn);
    const DType dt = ember::capi::checked_dtype(dtype, fn);
    ember::Dims dims(shape, shape + rank);
    // Reject sizes whose byte count would overflow size_t before anything is allocated.
    uint64_t bytes = ember::dtype_size(dt);
    for (size_t i = 0; i < rank; ++i) {
      EMBER_CHECK(dims[i] >= 0, InvalidArgument, fn, ": dimension ", i, " of ",
                  ember::dims_str(dims), " is negative");
      EMBER_CHECK(dims[i] == 0 || bytes <= std::numeric_limits<size_t>::max() / uint64_t(dims[i]),
                  InvalidArgument, fn, ": shape ", ember::dims_str(dims), " is too large");
      bytes *= uint64_t(dims[i]);
    }
    auto t = std::make_unique<ember_tensor>();
    t->tensor = data ? ember::Tensor::wrap(dt, std::move(dims), data)
                     : ember::Tensor::zeros(dt, std::move(dims));
    *out = t.release();
  });
}

void ember_tensor_destroy(ember_tensor* t) { delete t; }

void* ember_tensor_data(ember_tensor* t) { return t ? t->tensor.raw() : nullptr; }

ember_dtype ember_tensor_dtype(const ember_tensor* t) {
  return t ? ember_dtype(int(t->tensor.dtype())) : ember_dtype(0);
}

size_t ember_tensor_rank(const ember_tensor* t) { return t ? t->tensor.rank() : 0; }

const int64_t* ember_tensor_shape(const ember_tensor* t) {
  return t && t->tensor.rank() > 0 ? t->tensor.shape().data() : nullptr;
}

size_t ember_tensor_element_count(const ember_tensor* t) {
  return t ? size_t(t->tensor.numel()) : 0;
}

size_t ember_tensor_byte_size(const ember_tensor* t) { return t ? t->tensor.nbytes() : 0; }

}  // extern "C"
