// `ember bench`: session-creation time, latency percentiles over repeated runs on random
// inputs, and the process's peak resident memory; with --profile, where the time goes.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include "runtime/profiler.h"
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

// `s` cut or padded to `width` characters, plus a separating space.
std::string fit(const std::string& s, size_t width) {
  std::string r = s.substr(0, width);
  return r + std::string(width - r.size() + 1, ' ');
}

// One table of profile totals (per op type or per node), slowest first.
void print_profile_table(std::ostream& out, const std::vector<runtime::ProfileTotal>& rows, bool by_node,
                         int64_t top, int64_t runs, int64_t run_ns) {
  size_t width = by_node ? 4 : 7;
  for (size_t i = 0; i < rows.size() && int64_t(i) < top; ++i) width = std::max(width, rows[i].name.size());
  width = std::min<size_t>(width, 40);
  char line[512];
  std::snprintf(line, sizeof line, "  %-*s %s%10s %9s %7s %8s %9s  %s\n", int(width), by_node ? "node" : "op type",
                by_node ? fit("op", 20).c_str() : "", "total ms", "ms/run", "% run", "calls", "GFLOP/s", "kernel");
  out << line;
  for (size_t i = 0; i < rows.size() && int64_t(i) < top; ++i) {
    const runtime::ProfileTotal& r = rows[i];
    const double total_ms = double(r.total_ns) / 1e6;
    char gflops[32] = "-";
    if (r.flops > 0) std::snprintf(gflops, sizeof gflops, "%.2f", r.gflops_per_s());
    std::snprintf(line, sizeof line, "  %-*s %s%10.3f %9.3f %6.1f%% %8lld %9s  %s\n", int(width),
                  r.name.substr(0, width).c_str(),
                  by_node ? fit(r.op, 20).c_str() : "",
                  total_ms, total_ms / double(std::max<int64_t>(runs, 1)),
                  run_ns > 0 ? 100.0 * double(r.total_ns) / double(run_ns) : 0.0, (long long)r.calls, gflops,
                  r.kernel.c_str());
    out << line;
  }
  if (int64_t(rows.size()) > top) out << "  ... " << rows.size() - size_t(top) << " more (--top N)\n";
}

void print_profile(std::ostream& out, const runtime::Profiler& prof, int64_t top) {
  const int64_t runs = prof.runs(), run_ns = prof.run_ns();
  const auto by_op = prof.totals_by_op();
  int64_t step_ns = 0;
  for (const auto& r : by_op) step_ns += r.total_ns;
  out << std::fixed << std::setprecision(3) << "\nprofile: " << runs << " more runs, each step timed; mean "
      << double(run_ns) / 1e6 / double(std::max<int64_t>(runs, 1)) << " ms per run, of which steps "
      << std::setprecision(1) << (run_ns > 0 ? 100.0 * double(step_ns) / double(run_ns) : 0.0) << "%\n";
  out << "by op type:\n";
  print_profile_table(out, by_op, false, top, runs, run_ns);
  out << "by node:\n";
  print_profile_table(out, prof.totals_by_node(), true, top, runs, run_ns);
}

std::string profile_json(const runtime::Profiler& prof) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(3) << "{\"runs\": " << prof.runs() << ", \"run_ms\": " << double(prof.run_ns()) / 1e6
     << ", \"by_op\": [";
  bool first = true;
  for (const auto& r : prof.totals_by_op()) {
    os << (first ? "" : ", ") << "{\"op\": " << json_string(r.op) << ", \"total_ms\": " << double(r.total_ns) / 1e6
       << ", \"calls\": " << r.calls << ", \"gflops_per_s\": " << r.gflops_per_s()
       << ", \"kernel\": " << json_string(r.kernel) << "}";
    first = false;
  }
  os << "]}";
  return os.str();
}

int run(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  // With --profile a second positional is the trace path: `ember bench MODEL --profile T.json`.
  const bool profile = args.has("--profile");
  ParsedArgs model_only = args;
  std::string trace_path;
  if (profile && args.positional.size() == 2) {
    trace_path = args.positional[1];
    model_only.positional.pop_back();
  }
  const std::string& path = model_path(model_only);
  const runtime::SessionOptions opts = session_options_from(args);
  if (profile && !opts.profile_path.empty())
    throw UsageError("give the trace path once: --profile PATH or --option profile=PATH");
  const int64_t iterations = args.get_int("--iterations", 20, 1, 1000000);
  const int64_t warmup = args.get_int("--warmup", 3, 0, 1000000);
  const int64_t top = args.get_int("--top", 10, 1, 1000000);
  if (!trace_path.empty()) runtime::Profiler check_writable(trace_path);  // fail before the runs

  const auto t_create = Clock::now();
  auto session = runtime::Session::from_file(path, opts);
  const double create_ms = ms_since(t_create);

  std::mt19937_64 rng(0);
  runtime::Feeds feeds;
  for (const auto& io : session->inputs()) feeds.emplace_back(io.name, opt::random_feed(io, rng));

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
  // Profiled runs come after the timed ones, so timing every step does not inflate the
  // latencies above.
  if (profile) {
    runtime::Profiler& prof = session->enable_profiling(trace_path);
    for (int64_t i = 0; i < iterations; ++i) session->run(feeds);
    if (args.has("--json")) {
      out << "{\"profile\": " << profile_json(prof) << "}\n";
    } else {
      print_profile(out, prof, top);
    }
    prof.flush();  // reports a write error here, with an exit code
    if (!trace_path.empty() && !args.has("--json")) out << "trace: " << trace_path << " (open in ui.perfetto.dev or chrome://tracing)\n";
  }
  out << std::defaultfloat;
  return 0;
}

}  // namespace

Command bench_command() {
  std::vector<OptionSpec> options = {
      {"--iterations", "K", "timed runs (default 20)"},
      {"--warmup", "W", "untimed runs first (default 3)"},
      {"--json", "", "print one JSON object instead of text (a second one for --profile)"},
      {"--profile", "", "then K more runs timing every step: slowest op types and nodes; "
                        "a second positional TRACE.json also gets a Chrome trace"},
      {"--top", "N", "rows per --profile table (default 10)"},
  };
  for (auto& o : session_option_specs()) options.push_back(o);
  return Command{
      "bench", "measure session creation, latency and peak memory",
      "usage: ember bench MODEL [options]\n"
      "       ember bench MODEL --profile [TRACE.json] [options]\n\n"
      "Creates a session (timed), runs MODEL W times untimed and K times timed on random\n"
      "inputs (as `ember run --random-inputs`, seed 0), and prints the median and p90\n"
      "latency and the process's peak resident memory (getrusage).\n\n"
      "--profile then runs it K more times with every step timed (kept out of the latencies\n"
      "above) and prints, per op type and per node, the total time, ms per run, share of the\n"
      "run, calls, GFLOP/s (Conv/Gemm/MatMul and fused forms) and kernel. With TRACE.json it\n"
      "also writes those runs as a Chrome trace (see docs/profiling.md).\n",
      options, &run};
}

}  // namespace ember::cli
