#include "ops/nn/nn_util.h"

#include "ops/op_util.h"

namespace ember::ops::nn {

Dims broadcast_named(const Dims& a, const Dims& b, const std::string& node) {
  try {
    return broadcast_shapes(a, b);
  } catch (const Error& e) {
    fail(e.status(), node, ": ", e.what());
  }
}

std::vector<float> read_floats(const Tensor& t) {
  std::vector<float> out(size_t(t.numel()));
  visit_numeric_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = static_cast<const T*>(t.raw());
    for (size_t i = 0; i < out.size(); ++i) out[i] = float(p[i]);
  });
  return out;
}

Tensor to_f32(const Tensor& t) {
  Tensor out(DType::Float32, t.shape());
  float* o = out.data<float>();
  visit_numeric_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = static_cast<const T*>(t.raw());
    for (int64_t i = 0; i < t.numel(); ++i) o[i] = float(p[i]);
  });
  return out;
}

void store_f32(const Tensor& src, Tensor& dst) {
  const float* s = src.data<float>();
  visit_numeric_dtype(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* d = static_cast<T*>(dst.raw());
    for (int64_t i = 0; i < dst.numel(); ++i) d[i] = T(s[i]);
  });
}

}  // namespace ember::ops::nn
