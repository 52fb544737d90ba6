#include "tools/prune_measure.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>

#include "onnx/onnx_reader.h"
#include "onnx/onnx_writer.h"
#include "ops/graph_inference.h"
#include "ops/op_util.h"
#include "opt/prune/prune.h"
#include "runtime/flops.h"
#include "support/error.h"
#include "tools/cli_common.h"
#include "tools/npz_archive.h"

namespace ember::cli {
namespace {

namespace fs = std::filesystem;

// SparseMatMul is not in the FLOP estimator: 2 * nnz per output position.
double sparse_flops(const ir::Node& n) {
  if (n.op_type != "SparseMatMul" || n.inputs.size() < 2 || !n.inputs[1] || !n.inputs[1]->constant) return 0;
  const ir::TypeInfo& y = n.outputs[0]->type;
  if (!y.has_shape) return 0;
  double positions = 1;
  const bool nchw = n.attr_string("layout", "rows") == "nchw";
  for (size_t i = 0; i < y.dims.size(); ++i)
    if (i != (nchw ? 1 : y.dims.size() - 1)) positions *= y.dims[i].known() ? double(y.dims[i].value) : 1.0;
  return 2.0 * double(n.inputs[1]->constant->numel()) * positions;
}

std::vector<int64_t> labels_of(const Tensor& t, const std::string& what) {
  EMBER_CHECK(t.rank() == 1 && (t.dtype() == DType::Int64 || t.dtype() == DType::Int32), InvalidArgument, what,
              ": labels must be a 1-D int64 or int32 array, given ", dtype_name(t.dtype()), dims_str(t.shape()));
  std::vector<int64_t> out;
  for (double v : ops::read_doubles(t)) out.push_back(int64_t(v));
  return out;
}

}  // namespace

StaticCounts static_counts(const std::string& path) {
  StaticCounts c;
  std::shared_ptr<ir::Model> m = onnx::load_model_file(path);
  ops::infer_graph(*m->graph, ops::OpRegistry::global());
  const opt::prune::ModelCounts pc = opt::prune::count_params(*m->graph);
  c.params = pc.params;
  c.nonzero = pc.nonzero;
  for (const auto& n : m->graph->nodes()) c.flops += runtime::estimate_node_flops(*n).flops + sparse_flops(*n);
  c.file_bytes = fs::file_size(path);
  const fs::path data = fs::path(path).parent_path() / onnx::external_data_name(fs::path(path).filename().string());
  if (fs::exists(data)) c.file_bytes += fs::file_size(data);
  return c;
}

std::pair<double, double> paired_latency(const runtime::Session& a, const runtime::Session& b, int min_runs,
                                         double min_seconds) {
  std::mt19937_64 rng(0);
  runtime::Feeds feeds;
  for (const auto& io : a.inputs()) feeds.emplace_back(io.name, opt::random_feed(io, rng));
  a.run(feeds);
  b.run(feeds);  // warm-up (first-run allocations, caches)
  std::vector<double> ta, tb;
  double total = 0;
  using clock = std::chrono::steady_clock;
  while (int(ta.size()) < min_runs || total < min_seconds) {
    for (int which = 0; which < 2; ++which) {
      const auto t0 = clock::now();
      (which == 0 ? a : b).run(feeds);
      const double ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
      (which == 0 ? ta : tb).push_back(ms);
      total += ms / 1e3;
    }
    if (ta.size() > 100000) break;
  }
  std::sort(ta.begin(), ta.end());
  std::sort(tb.begin(), tb.end());
  return {ta[ta.size() / 2], tb[tb.size() / 2]};
}

int64_t EvalSet::count() const {
  int64_t n = 0;
  for (const auto& l : labels) n += int64_t(l.size());
  return n;
}

EvalSet load_eval_set(const std::string& path, const runtime::Session& s) {
  std::vector<std::string> files;
  if (fs::is_directory(path)) {
    for (const auto& e : fs::directory_iterator(path))
      if (e.path().extension() == ".npz") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    EMBER_CHECK(!files.empty(), InvalidArgument, "evaluation folder '", path, "' holds no .npz files");
  } else {
    EMBER_CHECK(fs::exists(path), Io, "evaluation set '", path, "' does not exist");
    files.push_back(path);
  }
  EvalSet set;
  for (const std::string& f : files) {
    std::map<std::string, Tensor> arrays = read_npz(f);
    const char* label_key = arrays.count("label") ? "label" : arrays.count("labels") ? "labels" : nullptr;
    EMBER_CHECK(label_key, InvalidArgument, f, ": no 'label' (or 'labels') array for --eval");
    set.labels.push_back(labels_of(arrays[label_key], f + ":" + label_key));
    arrays.erase(label_key);
    runtime::Feeds feeds;
    if (s.inputs().size() == 1 && arrays.size() == 1 && !arrays.count(s.inputs()[0].name)) {
      feeds.emplace_back(s.inputs()[0].name, arrays.begin()->second);
    } else {
      for (const auto& io : s.inputs()) {
        EMBER_CHECK(arrays.count(io.name), InvalidArgument, f, ": no array for model input '", io.name, "'");
        feeds.emplace_back(io.name, arrays[io.name]);
      }
    }
    set.batches.push_back(std::move(feeds));
  }
  return set;
}

double top1_accuracy(const runtime::Session& s, const EvalSet& set) {
  int64_t right = 0, total = 0;
  for (size_t b = 0; b < set.batches.size(); ++b) {
    const std::vector<Tensor> out = s.run(set.batches[b]);
    const Tensor& y = out.at(0);
    const std::vector<int64_t>& labels = set.labels[b];
    const int64_t classes = y.rank() ? y.dim(y.rank() - 1) : 1;
    EMBER_CHECK(y.rank() >= 1 && classes > 0 && y.numel() / classes == int64_t(labels.size()), ShapeMismatch,
                "evaluation batch ", b, ": the first output ", dims_str(y.shape()), " does not give one row per label (",
                labels.size(), " labels)");
    const std::vector<double> v = ops::read_doubles(y);
    for (size_t i = 0; i < labels.size(); ++i) {
      const auto row = v.begin() + int64_t(i) * classes;
      right += (std::max_element(row, row + classes) - row) == labels[i];
    }
    total += int64_t(labels.size());
  }
  return total ? double(right) / double(total) : 0.0;
}

}  // namespace ember::cli
