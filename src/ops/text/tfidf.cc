// TfIdfVectorizer (opset 9): counts the pool's n-grams in each row of an int32/int64/string
// input ([C] or [N, C]) and weights the counts (TF, IDF or TFIDF).
//
// The pool holds the n-grams level by level: ngram_counts[k] is where the (k+1)-grams start.
// The j-th n-gram of the pool overall (counting every level, also those outside
// [min_gram_length, max_gram_length]) is reported in output column ngram_indexes[j]. An
// n-gram may skip up to max_skip_count items between its elements (the same skip all
// along); unigrams are counted once, not once per skip distance.
#include <algorithm>
#include <map>

#include "ops/op_util.h"
#include "ops/text/text_ops.h"

namespace ember::ops::text {
namespace {

enum class Mode { TF, IDF, TFIDF };

// Tokens are compared as strings for string inputs and as their decimal text otherwise,
// which keeps one map type for both pools.
using Gram = std::vector<std::string>;

struct TfIdf {
  Mode mode = Mode::TF;
  int64_t min_n = 1, max_n = 1, max_skip = 0;
  bool strings = false;
  int64_t out_size = 0;
  std::map<Gram, int64_t> column;  // n-gram -> output column (levels in [min_n, max_n])
  std::vector<float> weights;
};

TfIdf parse(const ir::Node& node) {
  TfIdf t;
  const std::string d = node.describe();
  const std::string mode = node.attr_string("mode", "");
  if (mode == "TF") t.mode = Mode::TF;
  else if (mode == "IDF") t.mode = Mode::IDF;
  else if (mode == "TFIDF") t.mode = Mode::TFIDF;
  else fail(Status::InvalidModel, d, ": mode='", mode, "' is not TF, IDF or TFIDF");
  t.min_n = node.attr_int("min_gram_length", 0);
  t.max_n = node.attr_int("max_gram_length", 0);
  t.max_skip = node.attr_int("max_skip_count", 0);
  EMBER_CHECK(t.min_n >= 1 && t.max_n >= t.min_n, InvalidModel, d, ": gram lengths [", t.min_n, ", ", t.max_n,
              "] are invalid");
  EMBER_CHECK(t.max_skip >= 0, InvalidModel, d, ": max_skip_count=", t.max_skip, " is negative");
  const std::vector<int64_t> ints = node.attr_ints("pool_int64s");
  const std::vector<std::string> strs = node.attr_strings("pool_strings");
  EMBER_CHECK(ints.empty() != strs.empty(), InvalidModel, d, ": exactly one of pool_int64s / pool_strings is needed");
  t.strings = !strs.empty();
  std::vector<std::string> pool = strs;
  for (int64_t v : ints) pool.push_back(std::to_string(v));
  const std::vector<int64_t> counts = node.attr_ints("ngram_counts");
  const std::vector<int64_t> indexes = node.attr_ints("ngram_indexes");
  t.weights = node.attr_floats("weights");
  for (int64_t ix : indexes) {
    EMBER_CHECK(ix >= 0, InvalidModel, d, ": negative ngram_indexes value ", ix);
    t.out_size = std::max(t.out_size, ix + 1);
  }
  EMBER_CHECK(t.weights.empty() || int64_t(t.weights.size()) >= t.out_size, InvalidModel, d, ": ",
              t.weights.size(), " weights for ", t.out_size, " output columns");
  int64_t gram_id = 0;
  for (size_t k = 0; k < counts.size(); ++k) {
    const int64_t n = int64_t(k) + 1;
    const int64_t begin = counts[k];
    const int64_t end = k + 1 < counts.size() ? counts[k + 1] : int64_t(pool.size());
    EMBER_CHECK(begin >= 0 && begin <= end && end <= int64_t(pool.size()) && (end - begin) % n == 0, InvalidModel,
                d, ": ngram_counts do not split the pool into whole ", n, "-grams");
    for (int64_t p = begin; p < end; p += n, ++gram_id) {
      EMBER_CHECK(gram_id < int64_t(indexes.size()), InvalidModel, d, ": ngram_indexes has ", indexes.size(),
                  " entries, the pool has more n-grams");
      if (n < t.min_n || n > t.max_n) continue;
      t.column.emplace(Gram(pool.begin() + p, pool.begin() + p + n), indexes[size_t(gram_id)]);
    }
  }
  return t;
}

class TfIdfKernel final : public Kernel {
 public:
  explicit TfIdfKernel(const ir::Node& node) : desc_(node.describe()), t_(parse(node)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const DType dt = x.dtype();
    EMBER_CHECK(dt == DType::Int32 || dt == DType::Int64 || dt == DType::String, TypeMismatch, desc_,
                ": X must be int32, int64 or string, got ", dtype_name(dt));
    EMBER_CHECK((dt == DType::String) == t_.strings, TypeMismatch, desc_, ": a ",
                t_.strings ? "string" : "int64", " pool cannot match ", dtype_name(dt), " input");
    EMBER_CHECK(x.rank() == 1 || x.rank() == 2, ShapeMismatch, desc_, ": X must be [C] or [N, C], got ",
                dims_str(x.shape()));
    const int64_t rows = x.rank() == 1 ? 1 : x.dim(0), cols = x.rank() == 1 ? x.dim(0) : x.dim(1);
    std::vector<std::string> tok(static_cast<size_t>(x.numel()));
    for (int64_t i = 0; i < x.numel(); ++i)
      tok[size_t(i)] = dt == DType::String ? x.data<std::string>()[i] : std::to_string(x.int_at(i));

    std::vector<double> freq(static_cast<size_t>(rows * t_.out_size), 0.0);
    Gram g;
    for (int64_t r = 0; r < rows; ++r) {
      const std::string* row = tok.data() + r * cols;
      double* f = freq.data() + r * t_.out_size;
      for (int64_t dist = 1; dist <= t_.max_skip + 1; ++dist) {
        const int64_t first_n = dist == 1 ? t_.min_n : std::max<int64_t>(t_.min_n, 2);
        for (int64_t start = 0; start < cols; ++start) {
          for (int64_t n = first_n; n <= t_.max_n && start + (n - 1) * dist < cols; ++n) {
            g.clear();
            for (int64_t k = 0; k < n; ++k) g.push_back(row[start + k * dist]);
            auto it = t_.column.find(g);
            if (it != t_.column.end()) f[it->second] += 1;
          }
        }
      }
    }
    Tensor& y = ctx.output(0, DType::Float32, x.rank() == 1 ? Dims{t_.out_size} : Dims{rows, t_.out_size});
    float* out = y.data<float>();
    for (size_t i = 0; i < freq.size(); ++i) {
      const double w = t_.weights.empty() ? 1.0 : t_.weights[i % size_t(t_.out_size)];
      switch (t_.mode) {
        case Mode::TF: out[i] = float(freq[i]); break;
        case Mode::IDF: out[i] = freq[i] > 0 ? float(w) : 0.0f; break;
        case Mode::TFIDF: out[i] = float(w * freq[i]); break;
      }
    }
  }

 private:
  std::string desc_;
  TfIdf t_;
};

void infer_tfidf(InferContext& ctx) {
  const TfIdf t = parse(ctx.node());
  const TypeInfo& x = ctx.input_type(0);
  TypeInfo out = TypeInfo::tensor_unknown_shape(DType::Float32);
  if (x.has_shape) {
    EMBER_CHECK(x.dims.size() == 1 || x.dims.size() == 2, ShapeMismatch, ctx.node().describe(),
                ": X must be [C] or [N, C], got ", x.str());
    out.has_shape = true;
    if (x.dims.size() == 2) out.dims.push_back(x.dims[0]);
    ir::Dim c;
    c.value = t.out_size;
    out.dims.push_back(c);
  }
  ctx.set_output(0, out);
}

std::unique_ptr<Kernel> make_tfidf(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<TfIdfKernel>(node);
}

}  // namespace

void add_tfidf_ops(OpRegistry& r) {
  r.add(OpSchema{"TfIdfVectorizer", "", 9, 1 << 30, infer_tfidf, make_tfidf,
                 {DType::Int32, DType::Int64, DType::String}});
}

}  // namespace ember::ops::text
