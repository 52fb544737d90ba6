// Small constant-tensor edits the pruning rewrites share.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace ember::opt::prune {

// The entries of float32 `t` at indices `idx` along `axis` (in that order).
Tensor take(const Tensor& t, int axis, const std::vector<int64_t>& idx);

// Removes initializers nothing reads any more (after rebuild_uses); a graph output or input
// is kept.
void drop_unused_initializers(ir::Graph& g);

}  // namespace ember::opt::prune
