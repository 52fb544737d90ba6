// Keeps session creation's peak RSS down: weights memory-mapped from the model file become
// resident as soon as something reads them (the optimizer folding Conv+BatchNormalization, a
// kernel prepacking a MatMul's B), and would stay resident next to the folded or prepacked copy
// although nothing reads them again. This drops those pages at two points: after the
// optimizer (whole mappings: replaced weights are no longer reachable from the graph) and
// after each node's kernel is built (that node's constant inputs). Dropping is always safe:
// onnx::MappedFile mappings are private, read-only and never written, so a weight that is
// read again later (a bias, a Gather table) faults the same bytes back in from the page cache.
#pragma once

#include <cstddef>
#include <vector>

#include "ir/graph.h"

namespace ember::runtime {

class WeightPageReleaser {
 public:
  // Remembers the mappings `graph`'s constants live in (call before optimizing).
  explicit WeightPageReleaser(const ir::Graph& graph);
  // Drops every resident page of those mappings.
  void release_mappings();
  // Drops the pages of `node`'s mapped constant inputs.
  void release_inputs(const ir::Node& node);
  // Bytes of address range dropped so far (pages not resident count too).
  size_t released_bytes() const { return released_; }

 private:
  std::vector<const void*> mappings_;  // one address inside each mapping
  size_t released_ = 0;
};

}  // namespace ember::runtime
