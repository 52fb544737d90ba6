// `ember bench`: session-creation time, latency percentiles over repeated runs on random
// inputs, and the process's peak resident memory.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "tools/cli_common.h"
#include "tools/commands.h"

namespace ember::cli {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Nearest-rank percentile of sorted samples: the smallest value with at least p% at or below.
double percentile(const std::vector<double>& sorted, double p) {
  const size_t rank = size_t(std::ceil(p / 100.0 * double(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

std::string json_string(const std::string& s) {
  std::ostringstream os;
  os << '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') os << '\\' << c;
    else if (c < 0x20) os << "\\u" << std::hex << std::setw(4) << std::setfill('0') << int(c) << std::dec;
    else os << c;
  }
  os << '"';
  return os.str();
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // Linux reports kilobytes
}

int run(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  const std::string& path = model_path(args);
  const runtime::SessionOptions opts = session_options_from(args);
  const int64_t iterations = args.get_int("--iterations", 20, 1, 1000000);
  const int64_t warmup = args.get_int("--warmup", 3, 0, 1000000);

  const auto t_create = Clock::now();
  auto session = runtime::Session::from_file(path, opts);
  const double create_ms = ms_since(t_create);

  std::mt19937_64 rng(0);
  runtime::Feeds feeds;
  for (const auto& io : session->inputs()) feeds.emplace_back(io.name, random_input(io, rng));

  for (int64_t i = 0; i < warmup; ++i) session->run(feeds);
  std::vector<double> samples;
  for (int64_t i = 0; i < iterations; ++i) {
    const auto t0 = Clock::now();
    session->run(feeds);
    samples.push_back(ms_since(t0));
  }
  std::sort(samples.begin(), samples.end());
  double mean = 0;
  for (double s : samples) mean += s / double(samples.size());
  const double median = percentile(samples, 50), p90 = percentile(samples, 90);
  const double rss = peak_rss_mib();

  out << std::fixed << std::setprecision(3);
  if (args.has("--json")) {
    out << "{\"model\": " << json_string(path) << ", \"threads\": " << opts.threads
        << ", \"iterations\": " << iterations << ", \"warmup\": " << warmup
        << ", \"session_create_ms\": " << create_ms << ", \"median_ms\": " << median
        << ", \"p90_ms\": " << p90 << ", \"mean_ms\": " << mean << ", \"min_ms\": " << samples.front()
        << ", \"max_ms\": " << samples.back() << ", \"peak_rss_mib\": " << rss << "}\n";
  } else {
    out << "model:            " << path << "\n"
        << "threads:          " << (opts.threads ? std::to_string(opts.threads) : "default") << "\n"
        << "session creation: " << create_ms << " ms\n"
        << "iterations:       " << iterations << " (after " << warmup << " warm-up)\n"
        << "latency median:   " << median << " ms\n"
        << "latency p90:      " << p90 << " ms\n"
        << "latency mean:     " << mean << " ms  (min " << samples.front() << ", max "
        << samples.back() << ")\n"
        << "peak RSS:         " << std::setprecision(1) << rss << " MiB\n";
  }
  out << std::defaultfloat;
  return 0;
}

}  // namespace

Command bench_command() {
  std::vector<OptionSpec> options = {
      {"--iterations", "K", "timed runs (default 20)"},
      {"--warmup", "W", "untimed runs first (default 3)"},
      {"--json", "", "print one JSON object instead of text"},
  };
  for (auto& o : session_option_specs()) options.push_back(o);
  return Command{
      "bench", "measure session creation, latency and peak memory",
      "usage: ember bench MODEL [options]\n\n"
      "Creates a session (timed), runs MODEL W times untimed and K times timed on random\n"
      "inputs (as `ember run --random-inputs`, seed 0), and prints the median and p90\n"
      "latency and the process's peak resident memory (getrusage).\n",
      options, &run};
}

}  // namespace ember::cli
