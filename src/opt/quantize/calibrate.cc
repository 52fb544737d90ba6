#include "opt/quantize/calibrate.h"

#include "onnx/model_export.h"
#include "onnx/onnx_reader.h"
#include "support/error.h"

namespace ember::opt::quantize {

namespace {

// A copy of `model` whose outputs are exactly `tensors` (in that order).
std::shared_ptr<ir::Model> with_outputs(const ir::Model& model, const std::vector<std::string>& tensors) {
  auto bytes = std::make_shared<std::string>(onnx::encode_model(model, nullptr));
  std::shared_ptr<ir::Model> copy = onnx::load_model_memory(bytes->data(), bytes->size(), bytes);
  ir::Graph& g = *copy->graph;
  for (ir::Value* v : g.outputs) v->is_output = false;
  g.outputs.clear();
  for (const std::string& name : tensors) {
    ir::Value* v = g.find(name);
    EMBER_CHECK(v, InvalidArgument, "calibration: the model has no tensor named '", name, "'");
    v->is_output = true;
    g.outputs.push_back(v);
  }
  return copy;
}

}  // namespace

std::map<std::string, TensorStats> collect_stats(const ir::Model& model, const std::vector<std::string>& tensors,
                                                 const FeedSet& feeds, const CalibrationOptions& options) {
  EMBER_CHECK(!feeds.empty(), InvalidArgument, "calibration needs at least one feed; none were given");
  std::map<std::string, TensorStats> stats;
  if (tensors.empty()) return stats;
  runtime::SessionOptions so;
  so.threads = options.threads;
  auto session = runtime::Session::from_model(with_outputs(model, tensors), so);
  const int passes = needs_histogram(options.method) ? 2 : 1;
  for (int pass = 0; pass < passes; ++pass) {
    Progress bar(passes == 1 ? "calibrating" : pass == 0 ? "calibrating (ranges)" : "calibrating (histograms)",
                 feeds.count, options.progress);
    for (size_t i = 0; i < feeds.count; ++i) {
      const std::vector<Tensor> outs = run_feed(*session, feeds, i);
      for (size_t k = 0; k < tensors.size(); ++k) {
        const Tensor& t = outs[k];
        if (t.dtype() != DType::Float32) continue;  // only float activations are quantized
        TensorStats& s = stats[tensors[k]];
        if (pass == 0) s.add_range(t.data<float>(), t.numel());
        else s.add_histogram(t.data<float>(), t.numel());
      }
      bar.step();
    }
  }
  return stats;
}

std::map<std::string, Range> calibrate(const ir::Model& model, const std::vector<std::string>& tensors,
                                       const FeedSet& feeds, const CalibrationOptions& options) {
  std::map<std::string, Range> ranges;
  for (const auto& [name, s] : collect_stats(model, tensors, feeds, options))
    ranges[name] = calibrated_range(s, options.method, options.percentile, name);
  return ranges;
}

}  // namespace ember::opt::quantize
