#include "opt/prune/prune_file.h"

#include "onnx/onnx_reader.h"
#include "support/error.h"

namespace ember::opt::prune {

PruneFileReport prune_file(const std::string& input, const std::string& output, const PruneFileOptions& o) {
  EMBER_CHECK(o.sparsity >= 0.0 && o.sparsity < 1.0, InvalidArgument, "sparsity must be in [0, 1), given ", o.sparsity);
  EMBER_CHECK(!(o.structured && (o.global || o.sparse_ops)), InvalidArgument,
              "global thresholds and sparse operators apply to unstructured pruning, not to --structured");
  std::shared_ptr<ir::Model> model = onnx::load_model_file(input);
  PruneFileReport r;
  if (o.structured) {
    r.layers = prune_filters(*model, {o.sparsity});
  } else {
    r.layers = prune_magnitude(*model, {o.sparsity, o.global});
    if (o.sparse_ops) r.sparse_nodes = to_sparse_ops(*model).converted;
  }
  onnx::SaveOptions save;
  // One self-contained file unless the weights are too big for protobuf's 2 GiB limit.
  uint64_t bytes = 0;
  for (const ir::Value* v : model->graph->initializers)
    if (v->constant) bytes += v->constant->nbytes();
  save.external_data = bytes > (uint64_t(1) << 30);
  r.saved = onnx::save_model_file(*model, output, save);
  return r;
}

}  // namespace ember::opt::prune
