#include "opt/verify.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>

#include "onnx/onnx_reader.h"
#include "opt/random_feed.h"
#include "ops/op_util.h"
#include "support/error.h"

namespace ember::opt {

namespace {

// No limit, and explicitly so: EMBER_OPT_STOP_AFTER must not cut the runs verify compares.
constexpr int64_t kAllRewrites = std::numeric_limits<int64_t>::max();

runtime::Feeds complete_feeds(const runtime::Session& s, const runtime::Feeds& given, uint64_t seed) {
  std::mt19937_64 rng(seed);
  runtime::Feeds feeds;
  for (const runtime::IoInfo& io : s.inputs()) {
    const Tensor* found = nullptr;
    for (const auto& [name, t] : given)
      if (name == io.name) found = &t;
    feeds.emplace_back(io.name, found ? *found : random_feed(io, rng));
  }
  for (const auto& [name, t] : given) {
    bool known = false;
    for (const auto& io : s.inputs()) known = known || io.name == name;
    EMBER_CHECK(known, InvalidArgument, "the model has no input '", name, "'");
  }
  return feeds;
}

OutputComparison compare(const std::string& name, const Tensor& got, const Tensor& want, const VerifyOptions& o) {
  OutputComparison c;
  c.name = name;
  const Tolerance tier = tolerance_for(want.dtype());
  c.tier = o.rtol >= 0 || o.atol >= 0 ? "given" : tier.tier;
  c.rtol = o.rtol >= 0 ? o.rtol : tier.rtol;
  c.atol = o.atol >= 0 ? o.atol : tier.atol;
  if (got.dtype() != want.dtype() || got.shape() != want.shape()) {
    c.problem = std::string("optimized output is ") + dtype_name(got.dtype()) + " " + dims_str(got.shape()) +
                ", unoptimized " + dtype_name(want.dtype()) + " " + dims_str(want.shape());
    return c;
  }
  if (want.dtype() == DType::String || dtype_is_narrow(want.dtype())) {
    const bool same = want.dtype() == DType::String
                          ? std::equal(got.data<std::string>(), got.data<std::string>() + got.numel(), want.data<std::string>())
                          : std::memcmp(got.raw(), want.raw(), want.nbytes()) == 0;
    c.mismatches = same ? 0 : 1;
    return c;
  }
  const std::vector<double> a = ops::read_doubles(got), b = ops::read_doubles(want);
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) && std::isnan(b[i])) continue;
    const double d = std::fabs(a[i] - b[i]);
    if (std::isnan(d) || d > c.atol + c.rtol * std::fabs(b[i])) ++c.mismatches;
    if (std::isnan(d)) {
      c.max_abs = c.max_rel = std::numeric_limits<double>::infinity();
      continue;
    }
    c.max_abs = std::max(c.max_abs, d);
    if (b[i] != 0) c.max_rel = std::max(c.max_rel, d / std::fabs(b[i]));
  }
  return c;
}

struct Runner {
  const ModelLoader& load;
  const VerifyOptions& options;
  runtime::Feeds feeds;
  std::vector<runtime::IoInfo> output_names;
  std::vector<Tensor> reference;

  runtime::SessionOptions session_options() const {
    runtime::SessionOptions s;
    s.threads = options.threads;
    s.optimization = 0;  // the model handed over is already optimized as far as wanted
    // cpu_backend=auto times oneDNN against the native kernels per session and may pick
    // differently from run to run (different rounding): verify compares optimizations, so
    // every run uses the same, deterministic kernels.
    s.cpu_backend = "native";
    return s;
  }

  // Optimizes a fresh copy with at most `budget` rewrites, runs it and compares with level 0.
  std::vector<OutputComparison> run(int64_t budget, std::vector<std::string>* applied) const {
    std::vector<OutputComparison> out;
    try {
      auto m = load();
      OptimizeOptions oo{options.level, budget};
      oo.extra_passes = options.extra_passes;
      OptimizeReport report = optimize(*m, oo);
      if (applied) *applied = report.applied;
      auto s = runtime::Session::from_model(m, session_options());
      const std::vector<Tensor> got = s->run(feeds);
      for (size_t k = 0; k < reference.size(); ++k) out.push_back(compare(output_names[k].name, got[k], reference[k], options));
    } catch (const Error& e) {
      // A rewrite that makes the model fail is a difference like any other.
      OutputComparison c;
      c.name = "(run)";
      c.problem = e.what();
      out.assign(1, c);
    }
    return out;
  }
};

bool all_ok(const std::vector<OutputComparison>& cs) {
  for (const auto& c : cs)
    if (!c.ok()) return false;
  return true;
}

std::string json_string(const std::string& s) {
  std::string o = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') o += '\\', o += ch;
    else if (ch == '\n') o += "\\n";
    else if (static_cast<unsigned char>(ch) < 0x20) o += ' ';
    else o += ch;
  }
  return o + "\"";
}

std::string json_number(double v) {
  if (std::isinf(v)) return "1e999";
  std::ostringstream os;
  os.precision(6);
  os << v;
  return os.str();
}

std::string json_outputs(const std::vector<OutputComparison>& cs) {
  std::string s = "[";
  for (size_t k = 0; k < cs.size(); ++k) {
    const auto& c = cs[k];
    s += std::string(k ? ", " : "") + "{\"name\": " + json_string(c.name) + ", \"ok\": " + (c.ok() ? "true" : "false") +
         ", \"max_abs\": " + json_number(c.max_abs) + ", \"max_rel\": " + json_number(c.max_rel) +
         ", \"mismatches\": " + std::to_string(c.mismatches) + ", \"tier\": " + json_string(c.tier) +
         ", \"rtol\": " + json_number(c.rtol) + ", \"atol\": " + json_number(c.atol) +
         ", \"problem\": " + json_string(c.problem) + "}";
  }
  return s + "]";
}

void print_outputs(std::ostringstream& os, const std::vector<OutputComparison>& cs) {
  for (const auto& c : cs) {
    os << "  " << c.name << ": " << (c.ok() ? "ok" : "DIFFERS");
    if (!c.problem.empty()) {
      os << " (" << c.problem << ")\n";
      continue;
    }
    os << "  max abs " << c.max_abs << "  max rel " << c.max_rel << "  (" << c.tier << " tolerance: rtol " << c.rtol
       << ", atol " << c.atol;
    if (c.mismatches) os << "; " << c.mismatches << " elements outside";
    os << ")\n";
  }
}

}  // namespace

Tolerance tolerance_for(DType dtype) {
  switch (dtype) {
    case DType::Float32: return {"float32", 1e-4, 1e-5};
    case DType::Float16:
    case DType::BFloat16: return {"float16", 1e-2, 1e-3};
    case DType::Float64: return {"float64", 1e-9, 1e-12};
    default: return {"exact", 0, 0};
  }
}

VerifyResult verify(const ModelLoader& load, const runtime::Feeds& given, const VerifyOptions& options) {
  EMBER_CHECK(options.level >= 1 && options.level <= 3, InvalidArgument, "verify level ", options.level,
              " is out of range (1..3)");
  Runner runner{load, options, {}, {}, {}};
  {
    runtime::SessionOptions s = runner.session_options();
    auto reference_session = runtime::Session::from_model(load(), s);
    runner.feeds = complete_feeds(*reference_session, given, options.seed);
    runner.output_names = reference_session->outputs();
    runner.reference = reference_session->run(runner.feeds);
  }
  VerifyResult r;
  r.outputs = runner.run(kAllRewrites, &r.applied);
  r.ok = all_ok(r.outputs);
  if (r.ok) return r;
  // Smallest k such that the first k rewrites make the outputs differ; k = 0 is level 0 itself.
  int64_t lo = 0, hi = int64_t(r.applied.size());
  std::vector<OutputComparison> at_hi = r.outputs;
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    std::vector<OutputComparison> c = runner.run(mid, nullptr);
    ++r.bisect_runs;
    if (all_ok(c)) {
      lo = mid;
    } else {
      hi = mid;
      at_hi = std::move(c);
    }
  }
  if (hi >= 1 && hi <= int64_t(r.applied.size())) {
    r.first_bad = hi - 1;
    r.first_bad_label = r.applied[size_t(hi - 1)];
    r.first_bad_outputs = std::move(at_hi);
  }
  return r;
}

VerifyResult verify_file(const std::string& path, const runtime::Feeds& feeds, const VerifyOptions& options) {
  return verify([&] { return onnx::load_model_file(path); }, feeds, options);
}

std::string format_report(const VerifyResult& r) {
  std::ostringstream os;
  os << "rewrites applied: " << r.applied.size() << "\n";
  os << "outputs (optimized vs level 0):\n";
  print_outputs(os, r.outputs);
  if (r.ok) {
    os << "verify: OK\n";
    return os.str();
  }
  if (r.first_bad >= 0) {
    os << "first bad rewrite: #" << (r.first_bad + 1) << " '" << r.first_bad_label << "' (" << r.bisect_runs
       << " bisection runs)\n";
    os << "outputs with rewrites 1.." << (r.first_bad + 1) << " applied:\n";
    print_outputs(os, r.first_bad_outputs);
  } else {
    os << "no single rewrite prefix isolates the difference\n";
  }
  os << "verify: MISMATCH\n";
  return os.str();
}

std::string format_json(const VerifyResult& r) {
  std::string s = "{\"ok\": " + std::string(r.ok ? "true" : "false") + ", \"rewrites\": " + std::to_string(r.applied.size()) +
                  ", \"outputs\": " + json_outputs(r.outputs);
  if (!r.ok) {
    s += ", \"first_bad_index\": " + std::to_string(r.first_bad) + ", \"first_bad_rewrite\": " +
         (r.first_bad >= 0 ? json_string(r.first_bad_label) : "null") + ", \"bisect_runs\": " +
         std::to_string(r.bisect_runs) + ", \"first_bad_outputs\": " + json_outputs(r.first_bad_outputs);
  }
  return s + "}";
}

}  // namespace ember::opt
