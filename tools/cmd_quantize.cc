// `ember quantize IN OUT`: static INT8 with calibration, dynamic INT8, weight-only int8/int4
// or fp16 weight storage (src/opt/quantize), then a before/after report.
#include <cstdint>
#include <iostream>

#include "opt/quantize/quantize_file.h"
#include "tools/commands.h"
#include "tools/npz_archive.h"

namespace ember::cli {

namespace {

using opt::quantize::QuantizeMode;

QuantizeMode mode_of(const ParsedArgs& args) {
  int n = 0;
  QuantizeMode m = QuantizeMode::Static;
  if (args.has("--calibration")) ++n, m = QuantizeMode::Static;
  if (args.has("--dynamic")) ++n, m = QuantizeMode::Dynamic;
  if (args.has("--weight-only")) ++n, m = QuantizeMode::WeightOnly;
  if (args.has("--fp16")) ++n, m = QuantizeMode::Fp16;
  if (n != 1)
    throw UsageError("give exactly one of --calibration DIR, --dynamic, --weight-only int8|int4, --fp16");
  return m;
}

int run(const ParsedArgs& args, std::ostream& out, std::ostream&) {
  if (args.positional.size() != 2)
    throw UsageError("ember quantize expects an input and an output model, got " +
                     std::to_string(args.positional.size()) + " arguments");
  opt::quantize::QuantizeFileOptions o;
  o.mode = mode_of(args);
  const std::string method = args.get("--method", "minmax");
  if (method != "minmax" && method != "percentile" && method != "entropy")
    throw UsageError("--method must be minmax, percentile or entropy, got '" + method + "'");
  if (args.has("--method") && o.mode != QuantizeMode::Static)
    throw UsageError("--method applies to static quantization (--calibration DIR)");
  o.calibration.method = opt::quantize::parse_calibration_method(method);
  if (args.has("--percentile")) {
    const std::string p = args.get("--percentile", "");
    try {
      size_t used = 0;
      o.calibration.percentile = std::stod(p, &used);
      if (used != p.size()) throw std::invalid_argument(p);
    } catch (const std::exception&) {
      throw UsageError("--percentile expects a number, got '" + p + "'");
    }
    if (!(o.calibration.percentile > 0 && o.calibration.percentile <= 100))
      throw UsageError("--percentile must be in (0, 100], got '" + p + "'");
  }
  o.calibration.progress = !args.has("--quiet");
  o.per_channel = args.has("--per-channel");
  o.reduce_range = args.has("--reduce-range");
  if (o.mode == QuantizeMode::WeightOnly) {
    const std::string t = args.get("--weight-only", "");
    if (t != "int8" && t != "int4") throw UsageError("--weight-only expects int8 or int4, got '" + t + "'");
    o.weight_type = t == "int4" ? DType::Int4 : DType::Int8;
  }
  o.block_size = args.get_int("--block-size", 32, 2, 1 << 20);
  o.latency_runs = int(args.get_int("--runs", 10, 0, 100000));
  o.threads = int(args.get_int("--threads", 0, 0, 1024));
  if (o.mode == QuantizeMode::Static) o.calibration_feeds = npz_directory_feeds(args.get("--calibration", ""), "calibration");
  if (args.has("--eval")) o.eval_feeds = npz_directory_feeds(args.get("--eval", ""), "evaluation");
  const auto r = opt::quantize::quantize_file(args.positional[0], args.positional[1], o);
  if (args.has("--json")) out << opt::quantize::quantize_report_json(r) << "\n";
  else opt::quantize::print_quantize_report(r, out);
  return 0;
}

}  // namespace

Command quantize_command() {
  return Command{
      "quantize", "quantize a model (static/dynamic INT8, weight-only int8/int4, fp16) and report",
      "usage: ember quantize IN OUT (--calibration DIR | --dynamic | --weight-only int8|int4 | --fp16)\n"
      "                      [--method minmax|percentile|entropy] [--percentile P] [--per-channel]\n"
      "                      [--reduce-range] [--block-size N] [--eval DIR] [--runs N] [--threads N] [--json] [--quiet]\n\n"
      "Loads IN, cleans it up (optimizer level 1, batch norms folded into convolutions), compresses\n"
      "it and saves OUT as a standard ONNX file (onnxruntime runs it too), atomically:\n"
      "  --calibration DIR  static INT8: runs the model on every DIR/*.npz (np.savez of one feed\n"
      "                     dict each) to calibrate activation ranges; Conv -> QLinearConv,\n"
      "                     MatMul/Gemm -> MatMulInteger; uint8 activations, int8 weights\n"
      "  --dynamic          dynamic INT8 for MatMul/Gemm (DynamicQuantizeLinear + MatMulInteger)\n"
      "  --weight-only T    MatMul/Gemm weights as int8 or int4 blocks (DequantizeLinear, opset 21)\n"
      "  --fp16             float32 weights stored as float16 with a Cast to float32\n"
      "Then prints file size and median latency (Ember, before and after) and, with --eval DIR\n"
      "(.npz files with the inputs and a 'label' array), top-1 accuracy before and after.\n",
      {OptionSpec{"--calibration", "DIR", "static INT8, calibrated on DIR/*.npz"},
       OptionSpec{"--dynamic", "", "dynamic INT8 for MatMul/Gemm"},
       OptionSpec{"--weight-only", "T", "weight-only int8 or int4 (block-wise)"},
       OptionSpec{"--fp16", "", "store float32 weights as float16"},
       OptionSpec{"--method", "M", "calibration method: minmax (default), percentile, entropy"},
       OptionSpec{"--percentile", "P", "percentile of |x| kept by --method percentile (default 99.99)"},
       OptionSpec{"--per-channel", "", "one weight scale per output channel / column (default: per tensor)"},
       OptionSpec{"--reduce-range", "", "7-bit int8 weights (for u8 x s8 kernels that saturate, e.g. onnxruntime on AVX2)"},
       OptionSpec{"--block-size", "N", "weight-only block size along the reduction axis (default 32)"},
       OptionSpec{"--eval", "DIR", "top-1 accuracy before/after on DIR/*.npz (inputs + 'label')"},
       OptionSpec{"--runs", "N", "timed runs per model for the latency median (default 10; 0 skips)"},
       OptionSpec{"--threads", "N", "threads for calibration and measurement (default: all cores)"},
       OptionSpec{"--json", "", "print the report as one JSON object"},
       OptionSpec{"--quiet", "", "no progress bar"}},
      &run};
}

}  // namespace ember::cli
