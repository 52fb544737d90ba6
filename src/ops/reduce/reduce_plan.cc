#include "ops/reduce/reduce_plan.h"

#include "ops/op_util.h"

namespace ember::ops::reduce {

AxesSpec AxesSpec::parse(const ir::Node& node) {
  AxesSpec s;
  if (node.has_attr("axes")) s.attr_axes = node.attr_ints("axes");
  s.keepdims = node.attr_int("keepdims", 1) != 0;
  s.noop_with_empty_axes = node.attr_int("noop_with_empty_axes", 0) != 0;
  return s;
}

std::vector<bool> reduce_mask(const std::vector<int64_t>& axes, bool noop_with_empty_axes, int64_t rank,
                              const ir::Node& node) {
  if (axes.empty()) return std::vector<bool>(size_t(rank), !noop_with_empty_axes);
  std::vector<bool> mask(size_t(rank), false);
  for (int64_t a : axes) {
    // A scalar has no axis to name; normalize_axis would accept 0 for rank 0, so check here.
    EMBER_CHECK(rank > 0, InvalidModel, node.describe(), ": axes given for a scalar input");
    const int64_t n = normalize_axis(a, rank, node);
    EMBER_CHECK(!mask[size_t(n)], InvalidModel, node.describe(), ": axis ", a, " is listed twice in axes");
    mask[size_t(n)] = true;
  }
  return mask;
}

Dims reduced_shape(const Dims& in, const std::vector<bool>& mask, bool keepdims) {
  Dims out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (!mask[i]) out.push_back(in[i]);
    else if (keepdims) out.push_back(1);
  }
  return out;
}

ReducePlan ReducePlan::make(const Dims& in, const std::vector<bool>& mask, bool keepdims) {
  ReducePlan p;
  p.out_shape = reduced_shape(in, mask, keepdims);
  p.out_count = dims_numel(p.out_shape);
  p.reduce_count = 1;
  for (size_t i = 0; i < in.size(); ++i)
    if (mask[i]) p.reduce_count *= in[i];
  // Merge from the innermost dimension outwards so strides are plain products.
  int64_t stride = 1;
  for (size_t k = in.size(); k-- > 0;) {
    if (in[k] == 1) continue;
    if (!p.sizes.empty() && p.reduced.front() == mask[k]) {
      p.sizes.front() *= in[k];
    } else {
      p.sizes.insert(p.sizes.begin(), in[k]);
      p.reduced.insert(p.reduced.begin(), mask[k]);
      p.strides.insert(p.strides.begin(), stride);
    }
    stride *= in[k];
  }
  return p;
}

int ReducePlan::single_reduced_group() const {
  int found = -1;
  for (size_t g = 0; g < reduced.size(); ++g) {
    if (!reduced[g]) continue;
    if (found >= 0) return -1;
    found = int(g);
  }
  return found;
}

}  // namespace ember::ops::reduce
