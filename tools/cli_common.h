// Pieces several `ember` commands share: the session options every command accepts, opening
// the model named on the command line, random inputs, and short tensor summaries.
#pragma once

#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "opt/random_feed.h"
#include "runtime/session.h"
#include "tools/args.h"

namespace ember::cli {

// --threads N and --option KEY=VALUE.
std::vector<OptionSpec> session_option_specs();
// Applies those options on top of `base`; a bad key or value is an ember::Error.
runtime::SessionOptions session_options_from(const ParsedArgs& args,
                                             runtime::SessionOptions base = {});
// The single MODEL positional; a UsageError when there is none or more than one.
const std::string& model_path(const ParsedArgs& args);

// A file name for a tensor name: characters other than [A-Za-z0-9._-] become '_', and names
// that would be empty or hidden ("", ".", "..", ".x") get a leading '_'.
std::string sanitize_file_name(const std::string& name);

struct TensorStats {
  double min = 0, max = 0, mean = 0;
  int64_t argmax = -1;  // flat index of the first maximum; -1 for an empty tensor
  bool numeric = false;
};
TensorStats tensor_stats(const Tensor& t);

}  // namespace ember::cli
