// `ember verify`: runs a model at level 0 and optimized on the same inputs, compares every
// output and, when they differ, names the first rewrite that makes them differ (opt/verify.h).
// Exit status: 0 outputs match, 1 they differ, 2 usage or any other error.
#include <cstdlib>
#include <map>

#include "opt/verify.h"
#include "tools/cli_common.h"
#include "tools/commands.h"
#include "tools/npy.h"
#include "tools/npz_archive.h"

namespace ember::cli {

namespace {

double tolerance_arg(const ParsedArgs& args, const std::string& name) {
  if (!args.has(name)) return -1;
  const std::string s = args.get(name, "");
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || !(v >= 0)) throw UsageError(name + " expects a non-negative number, got '" + s + "'");
  return v;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// --input NAME=FILE.npy (one input) or --input FILE.npz (every array of the archive, by name).
runtime::Feeds read_inputs(const ParsedArgs& args) {
  runtime::Feeds feeds;
  std::map<std::string, bool> seen;
  auto add = [&](const std::string& name, Tensor t) {
    if (seen[name]) throw UsageError("input '" + name + "' given twice");
    seen[name] = true;
    feeds.emplace_back(name, std::move(t));
  };
  for (const std::string& spec : args.values("--input")) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos && ends_with(spec, ".npz")) {
      for (auto& [name, t] : read_npz(spec)) add(name, std::move(t));
      continue;
    }
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      throw UsageError("--input expects NAME=FILE.npy or FILE.npz, got '" + spec + "'");
    add(spec.substr(0, eq), read_npy(spec.substr(eq + 1)));
  }
  return feeds;
}

int run(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  const std::string& path = model_path(args);
  opt::VerifyOptions o;
  o.level = int(args.get_int("--level", 3, 1, 3));
  o.rtol = tolerance_arg(args, "--rtol");
  o.atol = tolerance_arg(args, "--atol");
  o.threads = int(args.get_int("--threads", 0, 0, 1024));
  o.seed = uint64_t(args.get_int("--seed", 0, 0, INT64_MAX));
  try {
    const runtime::Feeds feeds = read_inputs(args);
    const opt::VerifyResult r = opt::verify_file(path, feeds, o);
    out << (args.has("--json") ? opt::format_json(r) + "\n" : opt::format_report(r));
    return r.ok ? 0 : 1;
  } catch (const Error& e) {
    err << "ember verify: error: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace

Command verify_command() {
  return Command{
      "verify", "check that the optimizer leaves a model's outputs unchanged",
      "usage: ember verify MODEL [options]\n\n"
      "Runs MODEL unoptimized (level 0) and optimized at --level on the same inputs and compares\n"
      "every output: an element passes when |optimized - reference| <= atol + rtol*|reference|.\n"
      "Tolerance tiers by dtype: float32 rtol 1e-4 atol 1e-5, float16/bfloat16 1e-2 / 1e-3,\n"
      "float64 1e-9 / 1e-12, others exact; --rtol/--atol replace them. When outputs differ,\n"
      "bisects on the number of applied rewrites and prints the first rewrite whose inclusion\n"
      "makes them differ. Inputs not given are random (floats in [-1, 1), integers in [0, 1],\n"
      "dynamic dimensions 1). Exit status: 0 match, 1 mismatch, 2 usage or other error.\n",
      {
          {"--input", "NAME=FILE.npy|FILE.npz",
           "value of input NAME, or every array of an .npz by name (repeatable)", true},
          {"--level", "N", "optimization level to check, 1..3 (default 3)"},
          {"--rtol", "R", "relative tolerance (default: the output dtype's tier)"},
          {"--atol", "A", "absolute tolerance (default: the output dtype's tier)"},
          {"--seed", "N", "seed of the random inputs (default 0)"},
          {"--threads", "N", "worker threads (0 = one per core)"},
          {"--json", "", "print the result as one JSON object"},
      },
      &run};
}

}  // namespace ember::cli
