// The table of `ember` commands. Each cmd_*.cc file defines one Command; cli.cc dispatches,
// parses options against the command's spec and prints help and errors uniformly.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "tools/args.h"

namespace ember::cli {

struct Command {
  std::string name;
  std::string summary;      // one line for `ember --help`
  std::string usage;        // the synopsis and a short description for `ember NAME --help`
  std::vector<OptionSpec> options;
  // Does the work; throws UsageError for invocation mistakes and ember::Error for failures.
  int (*run)(const ParsedArgs& args, std::ostream& out, std::ostream& err);
};

Command run_command();
Command bench_command();
Command inspect_command();
Command ops_command();
Command optimize_command();
Command quantize_command();
Command prune_command();
Command verify_command();

}  // namespace ember::cli
