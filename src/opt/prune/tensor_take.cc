#include "opt/prune/tensor_take.h"

#include <algorithm>

#include "support/error.h"

namespace ember::opt::prune {

Tensor take(const Tensor& t, int axis, const std::vector<int64_t>& idx) {
  EMBER_CHECK(t.dtype() == DType::Float32 && axis >= 0 && size_t(axis) < t.rank(), Runtime,
              "take: float32 tensor with an axis ", axis, " expected, given rank ", t.rank());
  Dims shape = t.shape();
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= shape[size_t(i)];
  for (size_t i = size_t(axis) + 1; i < shape.size(); ++i) inner *= shape[i];
  const int64_t n = shape[size_t(axis)];
  shape[size_t(axis)] = int64_t(idx.size());
  Tensor out(DType::Float32, shape);
  const float* src = t.data<float>();
  float* dst = out.data<float>();
  for (int64_t o = 0; o < outer; ++o)
    for (size_t k = 0; k < idx.size(); ++k) {
      EMBER_CHECK(idx[k] >= 0 && idx[k] < n, Runtime, "take: index ", idx[k], " outside [0, ", n, ")");
      std::copy_n(src + (o * n + idx[k]) * inner, inner, dst + (o * int64_t(idx.size()) + int64_t(k)) * inner);
    }
  return out;
}

void drop_unused_initializers(ir::Graph& g) {
  auto& inits = g.initializers;
  inits.erase(std::remove_if(inits.begin(), inits.end(),
                             [](const ir::Value* v) { return v->consumers.empty() && !v->is_output && !v->is_input; }),
              inits.end());
}

}  // namespace ember::opt::prune
