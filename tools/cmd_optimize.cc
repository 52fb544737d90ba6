// `ember optimize IN OUT`: optimize a model and save it (ai.ember fused ops, aligned external
// data, metadata ember.optimized), so loading it later skips the optimizer.
#include <cstdint>

#include "opt/save.h"
#include "tools/commands.h"

namespace ember::cli {

namespace {

int run(const ParsedArgs& args, std::ostream& out, std::ostream&) {
  if (args.positional.size() != 2)
    throw UsageError("ember optimize expects an input and an output model, got " +
                     std::to_string(args.positional.size()) + " arguments");
  opt::OptimizeFileOptions options;
  options.level = int(args.get_int("--level", 3, 0, 3));
  options.stop_after = args.get_int("--stop-after", -1, -1, INT64_MAX);
  const opt::OptimizeFileReport r = opt::optimize_file(args.positional[0], args.positional[1], options);
  opt::print_optimize_report(r, out);
  return 0;
}

}  // namespace

Command optimize_command() {
  return Command{
      "optimize", "optimize a model and save it (fused ops, aligned external data)",
      "usage: ember optimize IN OUT [--level N] [--stop-after N]\n\n"
      "Loads IN, runs the optimizer at level N (0 none, 1 clean-up, 2 fusions, 3 all; default 3)\n"
      "and saves the result to OUT: Ember's fused operators in the domain ai.ember, weights of\n"
      "1 KiB or more in OUT.data at 64-byte aligned offsets (loaded in place, without a copy),\n"
      "and metadata_props ember.optimized=N, so loading OUT skips the optimizer. OUT and\n"
      "OUT.data are written to temporary names and renamed at the end: a failure leaves\n"
      "nothing behind. Files without ai.ember nodes (level 0 or 1) also load in other ONNX\n"
      "runtimes. Prints nodes before/after, the fused operators, file sizes and times.\n",
      {OptionSpec{"--level", "N", "optimization level 0..3 (default 3)"},
       OptionSpec{"--stop-after", "N", "apply at most N rewrites, then stop (bisecting a bad rewrite)"}},
      &run};
}

}  // namespace ember::cli
