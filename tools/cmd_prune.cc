// `ember prune IN OUT --sparsity S`: magnitude or structured (filter) pruning, then a report of
// what it cost and bought: parameters, FLOPs, file size, latency and (with --eval) accuracy,
// before and after, as a table or as JSON (docs/pruning.md).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "opt/prune/prune_file.h"
#include "tools/cli_common.h"
#include "tools/commands.h"
#include "tools/prune_measure.h"

namespace ember::cli {

namespace {

struct Side {
  StaticCounts counts;
  double latency_ms = 0;
  double accuracy = -1;  // -1: no evaluation set
};

double sparsity_arg(const ParsedArgs& args) {
  if (!args.has("--sparsity")) throw UsageError("--sparsity S is required (a fraction in [0, 1), e.g. 0.5)");
  const std::string s = args.get("--sparsity", "");
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || !(v >= 0.0 && v < 1.0))
    throw UsageError("--sparsity expects a fraction in [0, 1), got '" + s + "'");
  return v;
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      o += ' ';
      continue;
    }
    o += c;
  }
  return o;
}

std::string side_json(const Side& s) {
  std::ostringstream os;
  os << std::setprecision(9) << "{\"params\": " << s.counts.params << ", \"nonzero_params\": " << s.counts.nonzero
     << ", \"flops\": " << s.counts.flops << ", \"file_bytes\": " << s.counts.file_bytes
     << ", \"latency_ms\": " << s.latency_ms << ", \"accuracy\": ";
  if (s.accuracy < 0) os << "null";
  else os << s.accuracy;
  os << "}";
  return os.str();
}

std::string report_json(const opt::prune::PruneFileOptions& o, const opt::prune::PruneFileReport& r, const Side& before,
                        const Side& after, int64_t eval_count) {
  std::ostringstream os;
  os << std::setprecision(9) << "{\"mode\": \"" << (o.structured ? "structured" : o.global ? "global" : "per-layer")
     << "\", \"sparsity\": " << o.sparsity << ", \"before\": " << side_json(before) << ", \"after\": " << side_json(after)
     << ", \"eval_samples\": " << eval_count << ", \"layers\": [";
  for (size_t i = 0; i < r.layers.size(); ++i)
    os << (i ? ", " : "") << "{\"name\": \"" << json_escape(r.layers[i].name) << "\", \"total\": " << r.layers[i].total
       << ", \"removed\": " << r.layers[i].removed << ", \"note\": \"" << json_escape(r.layers[i].note) << "\"}";
  os << "], \"sparse_ops\": [";
  for (size_t i = 0; i < r.sparse_nodes.size(); ++i) os << (i ? ", " : "") << "\"" << json_escape(r.sparse_nodes[i]) << "\"";
  os << "]}";
  return os.str();
}

void print_table(const opt::prune::PruneFileOptions& o, const opt::prune::PruneFileReport& r, const Side& b,
                 const Side& a, int64_t eval_count, std::ostream& out) {
  out << (o.structured ? "structured (filter) pruning" : o.global ? "magnitude pruning, global threshold"
                                                                  : "magnitude pruning, per layer")
      << ", sparsity " << o.sparsity << "\n";
  const char* unit = o.structured ? "channels" : "weights";
  for (const auto& l : r.layers) {
    out << "  " << std::left << std::setw(28) << l.name << std::right << " " << l.removed << " / " << l.total << " "
        << unit << " removed";
    if (!l.note.empty()) out << " (kept whole: " << l.note << ")";
    out << "\n";
  }
  if (!r.sparse_nodes.empty()) {
    out << "  ai.ember SparseMatMul:";
    for (const auto& n : r.sparse_nodes) out << " " << n;
    out << "\n";
  }
  auto row = [&](const std::string& what, double x, double y, int prec) {
    out << "  " << std::left << std::setw(14) << what << std::right << std::fixed << std::setprecision(prec)
        << std::setw(16) << x << std::setw(16) << y;
    if (x != 0) out << std::setw(10) << std::setprecision(3) << y / x << "x";
    out << "\n";
  };
  out << "\n  " << std::left << std::setw(14) << "" << std::right << std::setw(16) << "before" << std::setw(16) << "after"
      << std::setw(11) << "ratio" << "\n";
  row("params", double(b.counts.params), double(a.counts.params), 0);
  row("nonzero", double(b.counts.nonzero), double(a.counts.nonzero), 0);
  row("MFLOPs", b.counts.flops / 1e6, a.counts.flops / 1e6, 3);
  row("file bytes", double(b.counts.file_bytes), double(a.counts.file_bytes), 0);
  row("latency ms", b.latency_ms, a.latency_ms, 4);
  if (b.accuracy >= 0) row("top-1 %", 100.0 * b.accuracy, 100.0 * a.accuracy, 2);
  if (b.accuracy >= 0) out << "  (accuracy on " << eval_count << " samples)\n";
  out.unsetf(std::ios::floatfield);
}

int run(const ParsedArgs& args, std::ostream& out, std::ostream&) {
  if (args.positional.size() != 2)
    throw UsageError("ember prune expects an input and an output model, got " + std::to_string(args.positional.size()) +
                     " arguments");
  opt::prune::PruneFileOptions o;
  o.sparsity = sparsity_arg(args);
  o.structured = args.has("--structured");
  o.global = args.has("--global");
  o.sparse_ops = args.has("--sparse-ops");
  if (o.structured && (o.global || o.sparse_ops))
    throw UsageError("--global and --sparse-ops apply to unstructured pruning, not with --structured");
  const std::string& in = args.positional[0];
  const std::string& dst = args.positional[1];
  // A missing evaluation set is reported before anything is written.
  if (args.has("--eval") && !std::filesystem::exists(args.get("--eval", "")))
    throw Error(Status::Io, "evaluation set '" + args.get("--eval", "") + "' does not exist");
  const opt::prune::PruneFileReport r = opt::prune::prune_file(in, dst, o);

  Side before, after;
  before.counts = static_counts(in);
  after.counts = static_counts(dst);
  runtime::SessionOptions so = session_options_from(args);
  auto sb = runtime::Session::from_file(in, so);
  auto sa = runtime::Session::from_file(dst, so);
  const int runs = int(args.get_int("--runs", 20, 1, 1000000));
  std::tie(before.latency_ms, after.latency_ms) = paired_latency(*sb, *sa, runs, 0.5);
  int64_t eval_count = 0;
  if (args.has("--eval")) {
    const EvalSet set = load_eval_set(args.get("--eval", ""), *sb);
    eval_count = set.count();
    before.accuracy = top1_accuracy(*sb, set);
    after.accuracy = top1_accuracy(*sa, set);
  }
  const std::string json = report_json(o, r, before, after, eval_count);
  if (args.has("--json-file")) {
    std::ofstream f(args.get("--json-file", ""));
    f << json << "\n";
    if (!f) throw Error(Status::Io, "cannot write '" + args.get("--json-file", "") + "'");
  }
  if (args.has("--json")) out << json << "\n";
  else print_table(o, r, before, after, eval_count, out);
  return 0;
}

}  // namespace

Command prune_command() {
  std::vector<OptionSpec> opts = {
      OptionSpec{"--sparsity", "S", "fraction to remove, in [0, 1): of each layer's weights (or of all, with --global), "
                                    "or of each Conv's output channels with --structured"},
      OptionSpec{"--structured", "", "remove whole Conv output channels by L1 norm and rewire their consumers"},
      OptionSpec{"--global", "", "one magnitude threshold over all layers instead of per layer"},
      OptionSpec{"--sparse-ops", "", "store sparse enough MatMul/Gemm/1x1 Conv weights as ai.ember SparseMatMul (CSR; "
                                     "runs on Ember only)"},
      OptionSpec{"--eval", "PATH", "an .npz (or a folder of them) with the inputs and `label`: accuracy before/after"},
      OptionSpec{"--runs", "N", "at least N timed runs of each model for the latency (default 20)"},
      OptionSpec{"--json", "", "print the report as one JSON object"},
      OptionSpec{"--json-file", "PATH", "also write the JSON report to PATH"}};
  for (const OptionSpec& s : session_option_specs()) opts.push_back(s);
  return Command{
      "prune", "prune a model (magnitude or filters) and report the cost and gain",
      "usage: ember prune IN OUT --sparsity S [--structured] [--global] [--sparse-ops] [--eval PATH] [--json]\n\n"
      "Unstructured (default): the smallest |w| of every Conv / Gemm / MatMul weight become zeros;\n"
      "OUT stays plain ONNX that any runtime loads. --sparse-ops also stores weights sparse enough\n"
      "for Ember's sparse kernels to beat the dense ones as ai.ember SparseMatMul (Ember only).\n"
      "--structured removes whole Conv output channels with the smallest L1 norms and rewires\n"
      "BatchNormalization, depthwise and following Convs, Concat, residual Adds (tied channels\n"
      "are pruned together) and Flatten -> Gemm; output shapes never change.\n"
      "Reports parameters, FLOPs, file size, latency and (with --eval) top-1 accuracy, before\n"
      "and after. Exit status 0 on success, 1 on an error, 2 on a usage error.\n",
      opts, &run};
}

}  // namespace ember::cli
