// What Scan-8 (batched) and Scan-9+ share: slicing a scan input, and the iteration loop that
// feeds one sequence through the body.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ops/control/control_util.h"

namespace ember::ops::control {

// Slice `index` of `x` along `axis`, without that axis (a view when nothing precedes `axis`).
Tensor slice_along(const Tensor& x, int64_t axis, int64_t index);

// A compiled Scan body and how it is fed.
struct ScanBody {
  std::string desc;                   // the node, for messages
  size_t states = 0, scan_inputs = 0, scan_outputs = 0;
  std::shared_ptr<const Subgraph> graph;
  std::vector<size_t> captures;       // node inputs feeding the body's captures
  std::vector<TypeInfo> input_types;  // the body's formal inputs as inferred (run-time check)
  std::vector<ElemShape> elems;       // per scan output, for shaping empty results

  ScanBody(const ir::Node& node, const ir::Graph& body, KernelFactoryContext& f, size_t n_states,
           size_t n_scan_inputs);

  // Runs the body `len` times. `states` go in and come back updated; scan input j is sliced
  // from xs[j] along axes[j], last slice first when reverse[j]; the per-iteration scan outputs
  // are appended to outs[k].
  void iterate(KernelContext& ctx, std::vector<RtValue>& states, const std::vector<Tensor>& xs,
               const std::vector<int64_t>& axes, const std::vector<int64_t>& reverse, int64_t len,
               std::vector<std::vector<Tensor>>& outs) const;

  // dtype and per-element shape of scan output k: the first element's, else the static one
  // (Unsupported when that is not known).
  std::pair<DType, Dims> elem_type(size_t k, const std::vector<Tensor>& elems) const;
};

// Scan-8's body input typing (scan8_op.cc); Scan's typer picks it for opset 8.
void type_scan8_body_inputs(ir::Node& node);

}  // namespace ember::ops::control
