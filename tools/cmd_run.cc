// `ember run`: runs a model once on inputs from .npy files (or random ones) and writes every
// output as OUTPUT.npy.
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <map>
#include <set>

#include "tools/cli_common.h"
#include "tools/commands.h"
#include "tools/npy.h"

namespace ember::cli {

namespace {

// Outputs up to this many elements also get their argmax printed (e.g. class scores).
constexpr int64_t kArgmaxLimit = 1000;

std::map<std::string, std::string> parse_input_files(const ParsedArgs& args) {
  std::map<std::string, std::string> files;
  for (const std::string& spec : args.values("--input")) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      throw UsageError("--input expects NAME=FILE.npy, got '" + spec + "'");
    if (!files.emplace(spec.substr(0, eq), spec.substr(eq + 1)).second)
      throw UsageError("input '" + spec.substr(0, eq) + "' given twice");
  }
  return files;
}

std::string io_names(const std::vector<runtime::IoInfo>& ios) {
  std::string s;
  for (const auto& io : ios) s += (s.empty() ? "" : ", ") + io.name;
  return s.empty() ? "none" : s;
}

runtime::Feeds make_feeds(const runtime::Session& session, const ParsedArgs& args,
                          const std::map<std::string, std::string>& files, uint64_t seed,
                          std::ostream& out) {
  for (const auto& [name, file] : files) {
    bool known = false;
    for (const auto& io : session.inputs()) known |= io.name == name;
    EMBER_CHECK(known, InvalidArgument, "the model has no input '", name, "' (its inputs: ",
                io_names(session.inputs()), ")");
  }
  std::mt19937_64 rng(seed);
  runtime::Feeds feeds;
  std::string missing;
  out << "inputs:\n";
  for (const auto& io : session.inputs()) {
    auto it = files.find(io.name);
    if (it != files.end()) {
      feeds.emplace_back(io.name, read_npy(it->second));
      out << "  " << io.name << ": " << dtype_name(feeds.back().second.dtype()) << " "
          << dims_str(feeds.back().second.shape()) << " from " << it->second << "\n";
    } else if (args.has("--random-inputs")) {
      feeds.emplace_back(io.name, opt::random_feed(io, rng));
      out << "  " << io.name << ": " << dtype_name(feeds.back().second.dtype()) << " "
          << dims_str(feeds.back().second.shape()) << " random\n";
    } else {
      missing += (missing.empty() ? "'" : ", '") + io.name + "'";
    }
  }
  EMBER_CHECK(missing.empty(), InvalidArgument, "no value for input ", missing,
              "; pass --input NAME=FILE.npy or --random-inputs");
  return feeds;
}

// One file name per output, unique even when two names sanitise to the same string.
std::vector<std::string> output_file_names(const std::vector<runtime::IoInfo>& outputs) {
  std::vector<std::string> names;
  std::set<std::string> taken;
  for (const auto& io : outputs) {
    const std::string base = sanitize_file_name(io.name);
    std::string name = base;
    for (int k = 1; taken.count(name); ++k) name = base + "_" + std::to_string(k);
    taken.insert(name);
    names.push_back(name + ".npy");
  }
  return names;
}

void print_output(const std::string& name, const Tensor& t, const std::string& file,
                  std::ostream& out) {
  out << "  " << name << ": " << dtype_name(t.dtype()) << " " << dims_str(t.shape());
  const TensorStats s = tensor_stats(t);
  if (s.numeric && t.numel() > 0) {
    out << "  min " << s.min << "  max " << s.max << "  mean " << s.mean;
    if (t.numel() <= kArgmaxLimit) out << "  argmax " << s.argmax;
  }
  if (!file.empty()) out << "  -> " << file;
  out << "\n";
}

int run(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  // Every usage check comes before the model is opened, so a bad command line is exit 2.
  const std::string& path = model_path(args);
  const std::map<std::string, std::string> input_files = parse_input_files(args);
  const uint64_t seed = uint64_t(args.get_int("--seed", 0, 0, INT64_MAX));
  const runtime::SessionOptions opts = session_options_from(args);
  const bool save = !args.has("--no-save");
  const std::filesystem::path dir = args.get("--output-dir", ".");
  auto session = runtime::Session::from_file(path, opts);
  const runtime::Feeds feeds = make_feeds(*session, args, input_files, seed, out);

  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<Tensor> results = session->run(feeds);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  if (save) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    EMBER_CHECK(!ec, Io, "cannot create output directory '", dir.string(), "': ", ec.message());
  }
  const std::vector<std::string> files = output_file_names(session->outputs());
  out << "outputs:\n";
  for (size_t i = 0; i < results.size(); ++i) {
    std::string file;
    if (save) {
      file = (dir / files[i]).string();
      write_npy(file, results[i]);
    }
    print_output(session->outputs()[i].name, results[i], file, out);
  }
  out << "run: " << std::fixed << std::setprecision(3) << ms << " ms\n" << std::defaultfloat;
  return 0;
}

}  // namespace

Command run_command() {
  std::vector<OptionSpec> options = {
      {"--input", "NAME=FILE.npy", "value of input NAME (repeatable)", true},
      {"--random-inputs", "", "make random values for inputs not given with --input"},
      {"--seed", "N", "seed of the random inputs (default 0)"},
      {"--output-dir", "DIR", "where OUTPUT.npy files go (default: current directory)"},
      {"--no-save", "", "print the summary only; write no files"},
  };
  for (auto& o : session_option_specs()) options.push_back(o);
  return Command{
      "run", "run a model once and save its outputs as .npy",
      "usage: ember run MODEL [options]\n\n"
      "Runs MODEL once and writes each output to DIR/OUTPUT.npy (characters other than\n"
      "letters, digits, '.', '_' and '-' in output names become '_'), then prints each\n"
      "output's shape, min/max/mean and, for outputs of at most 1000 elements, the argmax.\n"
      "Random inputs are floats in [-1, 1), integers in [0, 1] and bools; dynamic\n"
      "dimensions are set to 1.\n",
      options, &run};
}

}  // namespace ember::cli
