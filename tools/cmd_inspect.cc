// `ember inspect`: prints a model's interface, operators, parameters and FLOP estimate.
#include "ir/printer.h"
#include "onnx/onnx_reader.h"
#include "tools/cli_common.h"
#include "tools/commands.h"
#include "tools/model_summary.h"

namespace ember::cli {

namespace {

int run(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  const std::string& path = model_path(args);
  // Optimization level 0 by default: inspect describes the model as written, with the shapes
  // the session infers (which the FLOP estimate needs).
  runtime::SessionOptions base;
  base.optimization = 0;
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
  return specs;
}

}  // namespace

Command inspect_command() {
  return Command{
      "inspect", "describe a model: inputs, outputs, operators, parameters, FLOPs",
      "usage: ember inspect MODEL [options]\n\n"
      "Prints the producer, opsets, inputs and outputs, a histogram of operators (subgraphs\n"
      "included), the number and size of parameters (initializers) and an estimate of the\n"
      "FLOPs of one run (2 x multiply-accumulates of Conv, ConvTranspose, Gemm and MatMul;\n"
      "dynamic dimensions count as 1 and are named). The model is described as written\n"
      "(optimization level 0) unless --option says otherwise. --graph also prints every node\n"
      "with its inferred output types (%value computed, @value constant).\n",
      inspect_specs(), &run};
}

}  // namespace ember::cli
