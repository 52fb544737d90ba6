// Helpers for the nn op tests: error capture, tolerance choice for float32 reductions, and
// row-major index arithmetic for the naive references.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "support/error.h"
#include "test_util.h"

namespace ember::test::nn {

// An OpRun for the default ONNX domain (named fields, so call sites stay short).
inline OpRun op(std::string type, std::vector<Tensor> inputs, std::vector<ir::Attribute> attrs = {},
                int opset = 17, size_t outputs = 1) {
  OpRun r;
  r.op_type = std::move(type);
  r.inputs = std::move(inputs);
  r.attrs = std::move(attrs);
  r.opset = opset;
  r.num_outputs = outputs;
  return r;
}

// Runs f and returns the status / message of the ember::Error it throws (Ok / "" if none).
template <class F>
std::pair<Status, std::string> error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return {e.status(), e.what()};
  }
  return {Status::Ok, ""};
}

// Compares a result against a double-precision reference computed over reductions of length
// k. float32 rounding grows with k (each of k accumulations rounds, relative 6e-8), so the
// absolute floor grows with k as well; double results use the Close tier.
inline void check_result(const Tensor& got, const Tensor& want, int64_t k) {
  switch (got.dtype()) {
    case DType::Float64: return check_close(got, want, Tier::Close, k, 1e-12 * double(k));
    case DType::Float16:
    case DType::BFloat16: return check_close(got, want, Tier::Approximate, 1, 2e-2 * double(k));
    default: return check_close(got, want, Tier::Approximate, k, 1e-6 * double(k));
  }
}

// Row-major offset of multi-index `idx` in `shape`.
inline int64_t offset_of(const Dims& shape, const Dims& idx) {
  int64_t off = 0;
  for (size_t i = 0; i < shape.size(); ++i) off = off * shape[i] + idx[i];
  return off;
}

// Advances a row-major multi-index over `shape`; returns false after the last one.
inline bool next_index(const Dims& shape, Dims& idx) {
  for (size_t d = shape.size(); d-- > 0;) {
    if (++idx[d] < shape[d]) return true;
    idx[d] = 0;
  }
  return false;
}

// Spec arithmetic for sliding windows, restated independently of the library: begin pads and
// output sizes for explicit pads or auto_pad, with optional ceil_mode (pools).
struct RefWindow {
  Dims pad_begin, pad_end, out;
};
inline RefWindow ref_window(const Dims& in, const Dims& k, const Dims& s, const Dims& d, const Dims& pads,
                            const std::string& auto_pad, bool ceil_mode = false) {
  RefWindow r;
  const size_t nd = in.size();
  for (size_t i = 0; i < nd; ++i) {
    const int64_t eff = (k[i] - 1) * d[i] + 1;
    int64_t pb = pads.empty() ? 0 : pads[i], pe = pads.empty() ? 0 : pads[i + nd], out;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      out = (in[i] + s[i] - 1) / s[i];
      const int64_t total = std::max<int64_t>(0, (out - 1) * s[i] + eff - in[i]);
      pb = auto_pad == "SAME_UPPER" ? total / 2 : (total + 1) / 2;
      pe = total - pb;
    } else {
      if (auto_pad == "VALID") pb = pe = 0;
      const int64_t span = in[i] + pb + pe - eff;
      out = ceil_mode ? (span + s[i] - 1) / s[i] + 1 : span / s[i] + 1;
      if (ceil_mode && (out - 1) * s[i] >= in[i] + pb) --out;
    }
    r.pad_begin.push_back(pb);
    r.pad_end.push_back(pe);
    r.out.push_back(out);
  }
  return r;
}

}  // namespace ember::test::nn
