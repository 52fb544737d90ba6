// Quantize a model file and save it: the entry `ember quantize` and ember.quantize() share.
// Loads the model, cleans it up (optimizer level 1, batch norms folded into convolutions),
// applies one compression (static INT8 with calibration, dynamic INT8, weight-only int8/int4,
// or fp16 weight storage), saves it atomically as a standard ONNX file (metadata
// ember.quantized=<mode>) and measures size, latency and, with an evaluation set, top-1
// accuracy before and after.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "onnx/onnx_writer.h"
#include "opt/quantize/calibrate.h"
#include "opt/quantize/measure.h"

namespace ember::opt::quantize {

enum class QuantizeMode { Static, Dynamic, WeightOnly, Fp16 };
const char* mode_name(QuantizeMode m);  // "static", "dynamic", "weight-only", "fp16"

// The metadata key a quantized file carries; its value is the mode.
inline constexpr const char* kQuantizedKey = "ember.quantized";

struct QuantizeFileOptions {
  QuantizeMode mode = QuantizeMode::Static;
  CalibrationOptions calibration;   // method, percentile, threads, progress bar
  FeedSet calibration_feeds;        // required for Static
  bool per_channel = false;         // weights: one scale per output channel / column
  bool reduce_range = false;        // Static / Dynamic: 7-bit int8 weights (see quant_params.h)
  DType weight_type = DType::Int8;  // WeightOnly: Int8 or Int4
  int64_t block_size = 32;          // WeightOnly
  size_t fp16_min_bytes = 1024;     // Fp16: smaller float32 initializers stay as they are
  FeedSet eval_feeds;               // optional: inputs + `label`
  std::string label = "label";
  int latency_runs = 10;            // 0: no latency measurement
  int threads = 0;
  onnx::SaveOptions save;
};

struct QuantizeFileReport {
  std::string input_path, output_path;
  QuantizeMode mode = QuantizeMode::Static;
  std::string details;               // "method entropy, per-channel" / "int4, block 32"
  std::vector<std::string> rewrites;  // labels, in order
  std::map<std::string, size_t> ops_after;  // op type -> count in the saved graph
  size_t calibration_feeds = 0, calibrated_tensors = 0;
  uint64_t bytes_before = 0;          // input model file (+ "<input>.data" when present)
  onnx::SaveResult saved;
  uint64_t bytes_after() const { return saved.model_bytes + saved.data_bytes; }
  Comparison measured;
  double load_ms = 0, calibrate_ms = 0, quantize_ms = 0, save_ms = 0;
};

// Throws InvalidArgument for a missing calibration set, bad options, or a model with nothing
// to quantize; errors in a feed name the feed. Nothing is left at `output` on failure.
QuantizeFileReport quantize_file(const std::string& input, const std::string& output, const QuantizeFileOptions& o);

// The table `ember quantize` prints, and the same as one JSON object.
void print_quantize_report(const QuantizeFileReport& r, std::ostream& os);
std::string quantize_report_json(const QuantizeFileReport& r);

}  // namespace ember::opt::quantize
