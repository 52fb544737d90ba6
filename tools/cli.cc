// Dispatch, help texts and the error barrier of the `ember` command line.
#include "tools/cli.h"

#include <new>

#include "runtime/session_options.h"
#include "support/error.h"
#include "tools/commands.h"

namespace ember::cli {

namespace {

const std::vector<Command>& all_commands() {
  static const std::vector<Command> kCommands = {run_command(), bench_command(), inspect_command(),
                                                 ops_command(), optimize_command(), quantize_command(),
                                                 prune_command(), verify_command()};
  return kCommands;
}

void print_main_usage(std::ostream& os) {
  os << "usage: ember COMMAND [options]\n\n"
        "Runs, benchmarks and inspects ONNX models with the Ember inference library.\n\n"
        "Commands:\n";
  for (const auto& c : all_commands()) os << "  " << c.name << std::string(10 - c.name.size(), ' ') << c.summary << "\n";
  os << "\nOptions:\n"
        "  --help     show this help (or `ember COMMAND --help`)\n"
        "  --version  print the version\n";
}

void print_command_usage(const Command& c, std::ostream& os) {
  os << c.usage << "\n" << format_options(c.options);
  for (const auto& o : c.options)
    if (o.name == "--option")
      os << "\nSession option keys (--option KEY=VALUE):\n" << runtime::SessionOptions::keys_help();
}

std::vector<OptionSpec> with_help(std::vector<OptionSpec> spec) {
  spec.push_back({"--help", "", "show this help"});
  return spec;
}

int run_command_line(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    print_main_usage(err);
    return 2;
  }
  const std::string& name = args[0];
  if (name == "--help" || name == "-h" || name == "help") {
    print_main_usage(out);
    return 0;
  }
  if (name == "--version") {
    out << "ember " << EMBER_VERSION_STRING << "\n";
    return 0;
  }
  const Command* cmd = nullptr;
  for (const auto& c : all_commands())
    if (c.name == name) cmd = &c;
  if (!cmd) {
    err << "ember: error: unknown command '" << name << "'\n\n";
    print_main_usage(err);
    return 2;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    const ParsedArgs parsed = parse_args(rest, with_help(cmd->options));
    if (parsed.has("--help")) {
      print_command_usage(*cmd, out);
      return 0;
    }
    return cmd->run(parsed, out, err);
  } catch (const UsageError& e) {
    err << "ember " << cmd->name << ": error: " << e.what() << "\n\n";
    print_command_usage(*cmd, err);
    return 2;
  }
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  try {
    return run_command_line(args, out, err);
  } catch (const Error& e) {
    err << "ember: error: " << e.what() << "\n";
  } catch (const std::bad_alloc&) {
    err << "ember: error: out of memory\n";
  } catch (const std::exception& e) {
    err << "ember: error: internal error: " << e.what() << "\n";
  } catch (...) {
    err << "ember: error: internal error (unknown exception)\n";
  }
  return 1;
}

}  // namespace ember::cli
