// Command-line option parsing shared by every `ember` command: `--name value`, `--name=value`,
// flags, repeatable options and positionals, with errors reported as UsageError (exit 2).
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace ember::cli {

// A mistake in how the command was invoked (as opposed to a failure doing the work).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OptionSpec {
  std::string name;        // "--threads"
  std::string value_name;  // "N"; empty for a flag
  std::string help;
  bool repeatable = false;
};

class ParsedArgs {
 public:
  std::vector<std::string> positional;

  bool has(const std::string& name) const { return options_.count(name) > 0; }
  // Every value given for a repeatable option, in order (empty when absent).
  const std::vector<std::string>& values(const std::string& name) const;
  std::string get(const std::string& name, const std::string& dflt) const;
  // An integer option in [min, max]; a malformed or out-of-range value is a UsageError.
  int64_t get_int(const std::string& name, int64_t dflt, int64_t min, int64_t max) const;

 private:
  friend ParsedArgs parse_args(const std::vector<std::string>&, const std::vector<OptionSpec>&);
  std::map<std::string, std::vector<std::string>> options_;
};

ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& spec);
// The "Options:" block of a help text, one aligned line per option.
std::string format_options(const std::vector<OptionSpec>& spec);

}  // namespace ember::cli
