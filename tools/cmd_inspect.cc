// `ember inspect`: prints a model's interface, operators, parameters and FLOP estimate.
#include "ir/printer.h"
#include "onnx/onnx_reader.h"
#include "tools/cli_common.h"
#include "tools/commands.h"
#include "tools/model_summary.h"

namespace ember::cli {

namespace {

// Lists every node a pass fused with the names of the original nodes it replaced.
void print_fused_nodes(const ir::Graph& g, std::ostream& out) {
  int64_t count = 0;
  for (const auto& n : g.nodes()) count += !n->fused_from.empty();
  out << "\nfused nodes: " << count << "\n";
  for (const auto& n : g.nodes()) {
    if (n->fused_from.empty()) continue;
    out << "  " << (n->domain.empty() ? "" : n->domain + ".") << n->op_type << " '" << n->name << "' <- ";
    for (size_t i = 0; i < n->fused_from.size(); ++i) out << (i ? ", " : "") << n->fused_from[i];
    out << "\n";
  }
}

// `--optimized`: the graph a session at --level (default 3) runs, i.e. after the optimizer.
int run_optimized(const ParsedArgs& args, const std::string& path, std::ostream& out) {
  runtime::SessionOptions base;
  base.optimization = int(args.get_int("--level", 3, 0, 3));
  base.keep_graph_constants = true;  // the parameter counts read them
  const auto session = runtime::Session::from_file(path, session_options_from(args, base));
  out << "model:      " << path << "\n";
  out << "optimized:  level " << session->options().optimization << "\n";
  print_model_summary(summarize_model(session->model()), out);
  print_fused_nodes(*session->model().graph, out);
  if (args.has("--graph")) {
    out << "\n";
    ir::print_graph(*session->model().graph, out);
  }
  return 0;
}

int run(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  const std::string& path = model_path(args);
  if (args.has("--optimized")) return run_optimized(args, path, out);
  // Optimization level 0 by default: inspect describes the model as written, with the shapes
  // the session infers (which the FLOP estimate needs).
  runtime::SessionOptions base;
  base.optimization = 0;
  base.keep_graph_constants = true;
  const runtime::SessionOptions opts = session_options_from(args, base);
  std::unique_ptr<runtime::Session> session;
  std::shared_ptr<ir::Model> raw;
  try {
    session = runtime::Session::from_file(path, opts);
  } catch (const Error& e) {
    // A model Ember cannot run (an unsupported op, say) can still be described, just without
    // inferred shapes; every other failure (missing file, malformed model) is reported.
    if (e.status() != Status::Unsupported) throw;
    err << "ember: warning: " << e.what() << "\n"
        << "ember: warning: describing the model without inferred shapes\n";
    raw = onnx::load_model_file(path);
  }
  out << "model:      " << path << "\n";
  const ir::Model& model = session ? session->model() : *raw;
  print_model_summary(summarize_model(model), out);
  if (args.has("--graph")) {
    out << "\n";
    ir::print_graph(*model.graph, out);
  }
  return 0;
}

std::vector<OptionSpec> inspect_specs() {
  std::vector<OptionSpec> specs = session_option_specs();
  specs.push_back(OptionSpec{"--graph", "", "also print the graph, one node per line"});
  specs.push_back(OptionSpec{"--optimized", "", "describe the optimized graph; list fused nodes with their sources"});
  specs.push_back(OptionSpec{"--level", "N", "optimization level for --optimized (0-3, default 3)"});
  return specs;
}

}  // namespace

Command inspect_command() {
  return Command{
      "inspect", "describe a model: inputs, outputs, operators, parameters, FLOPs",
      "usage: ember inspect MODEL [--optimized [--level N]] [--graph] [options]\n\n"
      "Prints the producer, opsets, inputs and outputs, a histogram of operators (subgraphs\n"
      "included), the number and size of parameters (initializers) and an estimate of the\n"
      "FLOPs of one run (2 x multiply-accumulates of Conv, ConvTranspose, Gemm and MatMul;\n"
      "dynamic dimensions count as 1 and are named). The model is described as written\n"
      "(optimization level 0) unless --option says otherwise. --graph also prints every node\n"
      "with its inferred output types (%value computed, @value constant). --optimized\n"
      "describes the graph after the optimizer at --level N (default 3) instead, and lists\n"
      "every fused node with the names of the original nodes it replaced.\n",
      inspect_specs(), &run};
}

}  // namespace ember::cli
