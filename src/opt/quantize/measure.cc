#include "opt/quantize/measure.h"

#include <algorithm>
#include <chrono>
#include <random>

#include "ops/op_util.h"
#include "support/error.h"

namespace ember::opt::quantize {

namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double time_run(const runtime::Session& s, const runtime::Feeds& f) {
  const auto t0 = std::chrono::steady_clock::now();
  s.run(f);
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// The feed without the label array.
runtime::Feeds without(runtime::Feeds f, const std::string& name) {
  f.erase(std::remove_if(f.begin(), f.end(), [&](const auto& p) { return p.first == name; }), f.end());
  return f;
}

}  // namespace

runtime::Feeds random_feeds(const runtime::Session& s, uint64_t seed) {
  std::mt19937_64 rng(seed);
  runtime::Feeds feeds;
  for (const runtime::IoInfo& io : s.inputs()) {
    const ir::TypeInfo& t = io.type;
    EMBER_CHECK(t.kind == ir::ValueKind::Tensor && t.has_shape, Unsupported, "input '", io.name,
                "' has no fixed rank: give a calibration or evaluation feed to time the model with");
    Dims dims;
    for (const ir::Dim& d : t.dims) dims.push_back(d.known() ? d.value : 1);
    Tensor x = Tensor::zeros(t.dtype, dims);
    if (dtype_is_float(t.dtype)) {
      std::vector<double> v(size_t(x.numel()));
      std::uniform_real_distribution<double> u(-1.0, 1.0);
      for (double& e : v) e = u(rng);
      ops::store_doubles(v, x);
    }
    feeds.emplace_back(io.name, std::move(x));
  }
  return feeds;
}

Accuracy top1_accuracy(const runtime::Session& s, const FeedSet& eval, const std::string& label, bool progress) {
  Accuracy acc;
  Progress bar("evaluating", eval.count, progress);
  for (size_t i = 0; i < eval.count; ++i) {
    runtime::Feeds f = eval.get(i);
    const auto it = std::find_if(f.begin(), f.end(), [&](const auto& p) { return p.first == label; });
    EMBER_CHECK(it != f.end(), InvalidArgument, eval.name_of(i), ": no '", label,
                "' array (evaluation feeds hold the inputs and the labels)");
    const std::vector<int64_t> labels = it->second.to_int64_vector();
    std::vector<Tensor> outs;
    try {
      outs = s.run(without(f, label), {s.outputs().at(0).name});
    } catch (const Error& e) {
      fail(e.status(), eval.name_of(i), ": ", e.what());
    }
    const Tensor& y = outs.at(0);
    EMBER_CHECK(y.rank() >= 1 && dtype_is_float(y.dtype()), InvalidArgument, "top-1 accuracy needs class scores: output '",
                s.outputs()[0].name, "' is ", dtype_name(y.dtype()), dims_str(y.shape()));
    const int64_t classes = y.dim(y.rank() - 1), rows = classes ? y.numel() / classes : 0;
    EMBER_CHECK(rows == int64_t(labels.size()), ShapeMismatch, eval.name_of(i), ": ", labels.size(), " labels for ",
                rows, " rows of output '", s.outputs()[0].name, "' ", dims_str(y.shape()));
    const std::vector<double> v = ops::read_doubles(y);
    for (int64_t r = 0; r < rows; ++r) {
      const auto row = v.begin() + r * classes;
      acc.correct += int64_t(std::max_element(row, row + classes) - row) == labels[size_t(r)];
      ++acc.total;
    }
    bar.step();
  }
  return acc;
}

Comparison compare_models(const std::string& before_path, const std::string& after_path, const MeasureOptions& o) {
  runtime::SessionOptions so;
  so.threads = o.threads;
  const auto before = runtime::Session::from_file(before_path, so);
  const auto after = runtime::Session::from_file(after_path, so);
  Comparison c;
  if (o.eval && !o.eval->empty()) {
    c.has_accuracy = true;
    c.before = o.before_accuracy ? *o.before_accuracy : top1_accuracy(*before, *o.eval, o.label, o.progress);
    c.after = top1_accuracy(*after, *o.eval, o.label, o.progress);
  }
  if (o.runs <= 0) return c;
  runtime::Feeds feed;
  if (o.latency_feeds && !o.latency_feeds->empty()) {
    feed = without(o.latency_feeds->get(0), o.label);
    c.latency_feed = o.latency_feeds->name_of(0);
  } else {
    feed = random_feeds(*before, 0);
    c.latency_feed = "random inputs";
  }
  time_run(*before, feed);  // warm-up: first-run allocations and caches
  time_run(*after, feed);
  std::vector<double> tb, ta;
  for (int r = 0; r < o.runs; ++r) {
    tb.push_back(time_run(*before, feed));
    ta.push_back(time_run(*after, feed));
  }
  c.runs = o.runs;
  c.latency_before_ms = median(tb);
  c.latency_after_ms = median(ta);
  return c;
}

}  // namespace ember::opt::quantize
