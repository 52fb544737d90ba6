// Helpers for the tensor-op tests: small tensor builders, index arithmetic for naive
// references, and an error check that asserts both the status and part of the message.
#pragma once

#include <doctest/doctest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "ir/tensor.h"
#include "support/error.h"
#include "test_util.h"

namespace ember::test::tensor_ops {

// OpRun without aggregate initialisation (which warns about the fields left out).
inline OpRun op(std::string type, std::vector<Tensor> inputs, std::vector<ir::Attribute> attrs = {},
                size_t outputs = 1, int opset = 17) {
  OpRun r;
  r.op_type = std::move(type);
  r.inputs = std::move(inputs);
  r.attrs = std::move(attrs);
  r.num_outputs = outputs;
  r.opset = opset;
  return r;
}

inline Tensor i64(const Dims& shape, const std::vector<int64_t>& v) {
  Tensor t(DType::Int64, shape);
  REQUIRE(int64_t(v.size()) == t.numel());
  for (size_t i = 0; i < v.size(); ++i) t.data<int64_t>()[i] = v[i];
  return t;
}
inline Tensor i64v(const std::vector<int64_t>& v) { return i64({int64_t(v.size())}, v); }
inline Tensor f32(const Dims& shape, const std::vector<double>& v) { return make_tensor(DType::Float32, shape, v); }

// 0, 1, 2, ... in the given dtype (strings "0", "1", ...).
inline Tensor iota(DType dt, const Dims& shape) {
  Tensor t(dt, shape);
  if (dt == DType::String) {
    for (int64_t i = 0; i < t.numel(); ++i) t.data<std::string>()[i] = std::to_string(i);
    return t;
  }
  std::vector<double> v(size_t(t.numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = double(i % 100);
  return make_tensor(dt, shape, v);
}

inline Dims unravel(int64_t i, const Dims& shape) {
  Dims idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = i % shape[d];
    i /= shape[d];
  }
  return idx;
}
inline int64_t ravel(const Dims& idx, const Dims& shape) {
  int64_t o = 0;
  for (size_t d = 0; d < shape.size(); ++d) o = o * shape[d] + idx[d];
  return o;
}

// want[i] = src[map(unravel(i, want_shape))]: builds naive references for data movement.
inline Tensor remap(const Tensor& src, const Dims& want_shape, const std::function<Dims(const Dims&)>& map) {
  Tensor out(src.dtype(), want_shape);
  const size_t es = dtype_size(src.dtype());
  for (int64_t i = 0; i < out.numel(); ++i) {
    const int64_t s = ravel(map(unravel(i, want_shape)), src.shape());
    if (src.dtype() == DType::String) out.data<std::string>()[i] = src.data<std::string>()[s];
    else std::memcpy(static_cast<char*>(out.raw()) + i * es, static_cast<const char*>(src.raw()) + s * es, es);
  }
  return out;
}

inline void check_equal(const Tensor& got, const Tensor& want) { check_close(got, want, Tier::Exact); }

// Runs fn and checks it throws ember::Error with `status` and a message containing `needle`.
inline void check_error(const std::function<void()>& fn, Status status, const std::string& needle) {
  try {
    fn();
    FAIL("expected an error containing '" << needle << "'");
  } catch (const Error& e) {
    CHECK_MESSAGE(e.status() == status, "status ", status_name(e.status()), ": ", e.what());
    CHECK_MESSAGE(std::string(e.what()).find(needle) != std::string::npos, "message: ", e.what());
  }
}

}  // namespace ember::test::tensor_ops
