#include "ops/elementwise/broadcast_loop.h"

#include <sstream>

namespace ember::ops::ew {

void BroadcastPlan::row_offsets(int64_t row, std::array<int64_t, kMaxOperands>& offs) const {
  offs.fill(0);
  for (size_t d = outer.size(); d-- > 0;) {
    const int64_t i = row % outer[d];
    row /= outer[d];
    for (size_t k = 0; k < operands; ++k) offs[k] += i * outer_strides[k][d];
  }
}

static std::string shapes_str(const std::vector<Dims>& shapes) {
  std::ostringstream os;
  for (size_t i = 0; i < shapes.size(); ++i) os << (i ? ", " : "") << dims_str(shapes[i]);
  return os.str();
}

BroadcastPlan plan_broadcast(const std::vector<Dims>& shapes, const std::string& who) {
  EMBER_CHECK(!shapes.empty() && shapes.size() <= kMaxOperands, Runtime, who,
              ": broadcast of ", shapes.size(), " operands");
  BroadcastPlan p;
  p.operands = shapes.size();
  p.out_shape = shapes[0];
  try {
    for (size_t k = 1; k < shapes.size(); ++k) p.out_shape = broadcast_shapes(p.out_shape, shapes[k]);
  } catch (const Error&) {
    fail(Status::ShapeMismatch, who, ": input shapes ", shapes_str(shapes),
         " cannot be broadcast together");
  }
  p.numel = dims_numel(p.out_shape);

  // Keep only output dimensions larger than 1; merge a dimension into the previous kept one
  // when every operand's stride continues contiguously across the boundary.
  std::vector<Dims> full(p.operands);
  for (size_t k = 0; k < p.operands; ++k) full[k] = broadcast_strides(shapes[k], p.out_shape);
  Dims dims;
  std::vector<Dims> strides(p.operands);
  for (size_t d = 0; d < p.out_shape.size(); ++d) {
    const int64_t n = p.out_shape[d];
    if (n == 1) continue;
    bool merge = !dims.empty();
    for (size_t k = 0; merge && k < p.operands; ++k)
      merge = strides[k].back() == full[k][d] * n;
    if (merge) {
      dims.back() *= n;
      for (size_t k = 0; k < p.operands; ++k) strides[k].back() = full[k][d];
    } else {
      dims.push_back(n);
      for (size_t k = 0; k < p.operands; ++k) strides[k].push_back(full[k][d]);
    }
  }
  if (dims.empty()) {  // scalar (or all-ones) output
    dims.push_back(1);
    for (size_t k = 0; k < p.operands; ++k) strides[k].push_back(0);
  }
  p.inner = dims.back();
  for (size_t k = 0; k < p.operands; ++k) {
    p.inner_stride[k] = strides[k].back();
    p.outer_strides[k].assign(strides[k].begin(), strides[k].end() - 1);
  }
  p.outer.assign(dims.begin(), dims.end() - 1);
  if (p.inner == 0) p.inner = 1;  // empty output: numel is 0, no segment runs
  return p;
}

}  // namespace ember::ops::ew
