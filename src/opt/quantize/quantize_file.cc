#include "opt/quantize/quantize_file.h"

#include <chrono>
#include <filesystem>

#include "onnx/onnx_reader.h"
#include "opt/optimizer.h"
#include "opt/pattern.h"
#include "opt/quantize/rewrites.h"
#include "support/error.h"

namespace ember::opt::quantize {

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

uint64_t model_bytes(const std::string& path) {
  namespace fs = std::filesystem;
  uint64_t n = fs::file_size(path);
  const fs::path data = path + ".data";
  std::error_code ec;
  if (fs::is_regular_file(data, ec)) n += fs::file_size(data);
  return n;
}

// The level-1 clean-up plus batch norms folded into their convolutions (still plain Conv), so
// the rewrites see constant weights and no BatchNormalization between a Conv and its Relu.
void prepare(ir::Model& m) {
  OptimizeOptions oo;
  oo.level = 1;
  oo.extra_passes.push_back(make_fuse_conv_bn());
  optimize(m, oo);
}

void check_options(const QuantizeFileOptions& o) {
  if (o.mode == QuantizeMode::Static)
    EMBER_CHECK(!o.calibration_feeds.empty(), InvalidArgument,
                "static quantization needs calibration data (a directory of .npz feeds, or feed dicts); none were given");
  EMBER_CHECK(o.mode != QuantizeMode::WeightOnly || o.weight_type == DType::Int8 || o.weight_type == DType::Int4,
              InvalidArgument, "weight-only quantization stores int8 or int4");
  EMBER_CHECK(o.latency_runs >= 0, InvalidArgument, "latency runs must be >= 0, got ", o.latency_runs);
}

std::string details_of(const QuantizeFileOptions& o) {
  switch (o.mode) {
    case QuantizeMode::Static:
      return std::string("method ") + calibration_method_name(o.calibration.method) +
             (o.calibration.method == CalibrationMethod::Percentile ? " " + std::to_string(o.calibration.percentile) : "") +
             (o.per_channel ? ", per-channel" : ", per-tensor") + (o.reduce_range ? " 7-bit weights" : " weights");
    case QuantizeMode::Dynamic:
      return std::string(o.per_channel ? "per-channel" : "per-tensor") + (o.reduce_range ? " 7-bit weights" : " weights");
    case QuantizeMode::WeightOnly:
      return std::string(o.weight_type == DType::Int4 ? "int4" : "int8") + ", blocks of " + std::to_string(o.block_size);
    case QuantizeMode::Fp16: return "float32 initializers of " + std::to_string(o.fp16_min_bytes) + " bytes or more";
  }
  return "";
}

}  // namespace

const char* mode_name(QuantizeMode m) {
  switch (m) {
    case QuantizeMode::Static: return "static";
    case QuantizeMode::Dynamic: return "dynamic";
    case QuantizeMode::WeightOnly: return "weight-only";
    case QuantizeMode::Fp16: return "fp16";
  }
  return "?";
}

QuantizeFileReport quantize_file(const std::string& input, const std::string& output, const QuantizeFileOptions& o) {
  check_options(o);
  {
    // The report loads both files afterwards: writing over the input would compare the
    // quantized model with itself.
    std::error_code ec;
    EMBER_CHECK(!std::filesystem::equivalent(input, output, ec), InvalidArgument, "the output '", output,
                "' is the input model; write the quantized model to another file");
  }
  QuantizeFileReport r;
  r.input_path = input;
  r.output_path = output;
  r.mode = o.mode;
  r.details = details_of(o);
  auto t0 = std::chrono::steady_clock::now();
  std::shared_ptr<ir::Model> model = onnx::load_model_file(input);
  r.bytes_before = model_bytes(input);
  prepare(*model);
  r.load_ms = ms_since(t0);
  // The float model's accuracy first: an evaluation set the model rejects (or without
  // labels) fails before anything is written.
  Accuracy before;
  if (!o.eval_feeds.empty()) {
    runtime::SessionOptions so;
    so.threads = o.threads;
    before = top1_accuracy(*runtime::Session::from_file(input, so), o.eval_feeds, o.label, o.calibration.progress);
  }

  switch (o.mode) {
    case QuantizeMode::Static: {
      t0 = std::chrono::steady_clock::now();
      const std::vector<std::string> tensors = static_calibration_tensors(*model->graph);
      CalibrationOptions co = o.calibration;
      co.threads = o.threads;
      const std::map<std::string, Range> ranges = calibrate(*model, tensors, o.calibration_feeds, co);
      r.calibration_feeds = o.calibration_feeds.count;
      r.calibrated_tensors = ranges.size();
      r.calibrate_ms = ms_since(t0);
      t0 = std::chrono::steady_clock::now();
      r.rewrites = quantize_static(*model, ranges, o.per_channel, o.reduce_range ? 63 : 127);
      break;
    }
    case QuantizeMode::Dynamic:
      t0 = std::chrono::steady_clock::now();
      r.rewrites = quantize_dynamic(*model, o.per_channel, o.reduce_range ? 63 : 127);
      break;
    case QuantizeMode::WeightOnly:
      t0 = std::chrono::steady_clock::now();
      r.rewrites = quantize_weight_only(*model, o.weight_type, o.block_size);
      break;
    case QuantizeMode::Fp16:
      t0 = std::chrono::steady_clock::now();
      r.rewrites = store_weights_fp16(*model, o.fp16_min_bytes);
      break;
  }
  r.quantize_ms = ms_since(t0);
  EMBER_CHECK(!r.rewrites.empty(), InvalidArgument, "nothing to quantize in '", input, "' (", mode_name(o.mode),
              o.mode == QuantizeMode::Fp16 ? "): no float32 initializer is large enough"
                                           : "): no Conv / MatMul / Gemm with constant float32 weights "
                                             "(a file saved by `ember optimize` at level 2 or 3 holds fused "
                                             "ai.ember ops instead; quantize the original model)");
  for (const auto& n : model->graph->nodes()) ++r.ops_after[n->op_type];
  model->metadata_props[kQuantizedKey] = mode_name(o.mode);

  t0 = std::chrono::steady_clock::now();
  r.saved = onnx::save_model_file(*model, output, o.save);
  r.save_ms = ms_since(t0);
  model.reset();  // the measurement loads both files afresh

  MeasureOptions mo;
  mo.runs = o.latency_runs;
  mo.threads = o.threads;
  mo.latency_feeds = !o.calibration_feeds.empty() ? &o.calibration_feeds : &o.eval_feeds;
  mo.eval = &o.eval_feeds;
  mo.label = o.label;
  mo.progress = o.calibration.progress;
  mo.before_accuracy = &before;
  r.measured = compare_models(input, output, mo);
  return r;
}

}  // namespace ember::opt::quantize
