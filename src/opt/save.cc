#include "opt/save.h"

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "onnx/onnx_reader.h"
#include "opt/optimizer.h"

namespace ember::opt {

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::string size_str(uint64_t bytes) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(bytes >= (1u << 20) ? 1 : 0);
  if (bytes >= (1u << 20)) os << double(bytes) / (1 << 20) << " MiB";
  else if (bytes >= 1024) os << double(bytes) / 1024 << " KiB";
  else os << bytes << " B";
  return os.str();
}

}  // namespace

size_t count_nodes(const ir::Graph& g) {
  size_t n = 0;
  ir::for_each_graph(g, [&](const ir::Graph& sg) { n += sg.nodes().size(); });
  return n;
}

OptimizeFileReport optimize_file(const std::string& input, const std::string& output,
                                 const OptimizeFileOptions& options) {
  EMBER_CHECK(options.level >= 0 && options.level <= 3, InvalidArgument, "optimization level ",
              options.level, " is out of range (0..3)");
  OptimizeFileReport r;
  r.input_path = input;
  r.output_path = output;
  r.level = options.level;
  auto t0 = std::chrono::steady_clock::now();
  std::shared_ptr<ir::Model> model = onnx::load_model_file(input);
  r.load_ms = ms_since(t0);
  r.input_bytes = std::filesystem::file_size(input);
  r.nodes_before = count_nodes(*model->graph);
  r.was_optimized = model->metadata_props.count(kOptimizedKey) > 0;

  t0 = std::chrono::steady_clock::now();
  OptimizeOptions oo;
  oo.level = options.level;
  oo.stop_after = options.stop_after;
  // optimize() leaves a model already marked as optimized as it is.
  const OptimizeReport report = optimize(*model, oo);
  r.optimize_ms = ms_since(t0);
  r.rewrites = report.applied.size();
  if (!r.was_optimized) model->metadata_props[kOptimizedKey] = std::to_string(options.level);
  r.nodes_after = count_nodes(*model->graph);
  ir::for_each_graph(*model->graph, [&](const ir::Graph& g) {
    for (const auto& n : g.nodes())
      if (n->domain == "ai.ember") ++r.fused_ops[n->op_type];
  });

  t0 = std::chrono::steady_clock::now();
  r.saved = onnx::save_model_file(*model, output, options.save);
  r.save_ms = ms_since(t0);
  return r;
}

void print_optimize_report(const OptimizeFileReport& r, std::ostream& os) {
  os << "optimized:  " << r.input_path << " -> " << r.output_path << " (level " << r.level << ")\n";
  if (r.was_optimized)
    os << "note:       the input was already optimized (metadata ember.optimized); saved as it is\n";
  os << "nodes:      " << r.nodes_before << " -> " << r.nodes_after << " (" << r.rewrites << " rewrites)\n";
  os << "fused ops:  ";
  if (r.fused_ops.empty()) os << "none";
  bool first = true;
  for (const auto& [op, n] : r.fused_ops) {
    os << (first ? "" : ", ") << op << " x" << n;
    first = false;
  }
  os << "\nfiles:      input " << size_str(r.input_bytes) << "; model " << size_str(r.saved.model_bytes);
  if (!r.saved.data_path.empty())
    os << " + " << std::filesystem::path(r.saved.data_path).filename().string() << " "
       << size_str(r.saved.data_bytes) << " (" << r.saved.external_tensors << " tensors, 64-byte aligned)";
  os << "\n" << std::fixed << std::setprecision(1) << "time:       load " << r.load_ms << " ms, optimize "
     << r.optimize_ms << " ms, save " << r.save_ms << " ms\n";
}

}  // namespace ember::opt
