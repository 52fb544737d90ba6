// LabelEncoder (ai.onnx.ml 2 and 4): maps each input element through a key -> value table.
// Keys and values come from keys_{floats,int64s,strings} / values_{...} or, from opset 4,
// keys_tensor / values_tensor; unmatched elements get the default (default_tensor, or
// default_{float,int64,string}, whose own defaults are -0.0, -1 and "_Unused").
// Float keys match by value, and a NaN key matches NaN inputs.
#include <cmath>
#include <cstring>
#include <map>

#include "ops/ml/ml_ops.h"
#include "ops/op_util.h"

namespace ember::ops::ml {
namespace {

enum class KeyKind { Float, Int, String };

KeyKind kind_of(DType t, const std::string& desc) {
  if (t == DType::String) return KeyKind::String;
  if (t == DType::Float32 || t == DType::Float64 || t == DType::Float16) return KeyKind::Float;
  if (dtype_is_integer(t)) return KeyKind::Int;
  fail(Status::Unsupported, desc, ": keys/values of type ", dtype_name(t), " are not supported");
}

// The keys or values as a tensor, from whichever attribute holds them.
Tensor table(const ir::Node& node, const char* prefix, bool required) {
  const std::string p = prefix, d = node.describe();
  std::vector<Tensor> found;
  if (const ir::Attribute* a = node.attr(p + "_tensor")) found.push_back(a->t);
  if (const ir::Attribute* a = node.attr(p + "_floats")) {
    Tensor t(DType::Float32, {int64_t(a->floats.size())});
    std::copy(a->floats.begin(), a->floats.end(), t.data<float>());
    found.push_back(t);
  }
  if (const ir::Attribute* a = node.attr(p + "_int64s")) {
    Tensor t(DType::Int64, {int64_t(a->ints.size())});
    std::copy(a->ints.begin(), a->ints.end(), t.data<int64_t>());
    found.push_back(t);
  }
  if (const ir::Attribute* a = node.attr(p + "_strings")) {
    Tensor t(DType::String, {int64_t(a->strings.size())});
    std::copy(a->strings.begin(), a->strings.end(), t.data<std::string>());
    found.push_back(t);
  }
  EMBER_CHECK(found.size() == 1 || (!required && found.empty()), InvalidModel, d, ": exactly one ", p,
              "_* attribute is needed, got ", found.size());
  return found.empty() ? Tensor{} : found[0];
}

Tensor default_value(const ir::Node& node, DType value_type) {
  const std::string d = node.describe();
  if (const ir::Attribute* a = node.attr("default_tensor")) {
    EMBER_CHECK(a->t.numel() == 1 && a->t.dtype() == value_type, InvalidModel, d,
                ": default_tensor must be one element of the values' type ", dtype_name(value_type));
    return a->t;
  }
  Tensor t(value_type, {1});
  switch (kind_of(value_type, d)) {
    case KeyKind::String: t.data<std::string>()[0] = node.attr_string("default_string", "_Unused"); break;
    case KeyKind::Int: {
      const int64_t v = node.attr_int("default_int64", -1);
      visit_numeric_dtype(value_type, [&](auto tag) {
        using T = decltype(tag);
        if constexpr (std::is_integral_v<T>) t.data<T>()[0] = T(v);
      });
      break;
    }
    case KeyKind::Float: {
      const float v = node.attr_float("default_float", -0.0f);
      if (value_type == DType::Float32) t.data<float>()[0] = v;
      else if (value_type == DType::Float64) t.data<double>()[0] = v;
      else fail(Status::Unsupported, d, ": float16 values are not supported");
      break;
    }
  }
  return t;
}

class LabelEncoderKernel final : public Kernel {
 public:
  explicit LabelEncoderKernel(const ir::Node& node) : desc_(node.describe()) {
    keys_ = table(node, "keys", true);
    values_ = table(node, "values", true);
    EMBER_CHECK(keys_.numel() == values_.numel(), InvalidModel, desc_, ": ", keys_.numel(), " keys but ",
                values_.numel(), " values");
    key_kind_ = kind_of(keys_.dtype(), desc_);
    kind_of(values_.dtype(), desc_);
    default_ = default_value(node, values_.dtype());
    // First occurrence wins for repeated keys.
    for (int64_t i = 0; i < keys_.numel(); ++i) {
      switch (key_kind_) {
        case KeyKind::String: str_.emplace(keys_.data<std::string>()[i], i); break;
        case KeyKind::Int: int_.emplace(keys_.int_at(i), i); break;
        case KeyKind::Float: {
          const double k = float_at(keys_, i);
          if (std::isnan(k)) { if (nan_index_ < 0) nan_index_ = i; }
          else flt_.emplace(k, i);
          break;
        }
      }
    }
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    EMBER_CHECK(kind_of(x.dtype(), desc_) == key_kind_, TypeMismatch, desc_, ": input of type ",
                dtype_name(x.dtype()), " does not match keys of type ", dtype_name(keys_.dtype()));
    Tensor& y = ctx.output(0, values_.dtype(), x.shape());
    for (int64_t i = 0; i < x.numel(); ++i) copy_value(y, i, lookup(x, i));
  }

  DType value_type() const { return values_.dtype(); }

 private:
  // Index into values_, or -1 for the default.
  int64_t lookup(const Tensor& x, int64_t i) const {
    switch (key_kind_) {
      case KeyKind::String: {
        auto it = str_.find(x.data<std::string>()[i]);
        return it == str_.end() ? -1 : it->second;
      }
      case KeyKind::Int: {
        auto it = int_.find(x.int_at(i));
        return it == int_.end() ? -1 : it->second;
      }
      case KeyKind::Float: {
        const double v = float_at(x, i);
        if (std::isnan(v)) return nan_index_;
        auto it = flt_.find(v);
        return it == flt_.end() ? -1 : it->second;
      }
    }
    return -1;
  }

  void copy_value(Tensor& y, int64_t dst, int64_t src) const {
    const Tensor& from = src < 0 ? default_ : values_;
    const int64_t at = src < 0 ? 0 : src;
    if (y.dtype() == DType::String) {
      y.data<std::string>()[dst] = from.data<std::string>()[at];
      return;
    }
    const size_t es = dtype_size(y.dtype());
    std::memcpy(static_cast<char*>(y.raw()) + dst * es, static_cast<const char*>(from.raw()) + at * es, es);
  }

  std::string desc_;
  Tensor keys_, values_, default_;
  KeyKind key_kind_ = KeyKind::String;
  std::map<std::string, int64_t> str_;
  std::map<int64_t, int64_t> int_;
  std::map<double, int64_t> flt_;
  int64_t nan_index_ = -1;
};

void infer_label_encoder(InferContext& ctx) {
  LabelEncoderKernel k(ctx.node());  // validates the tables
  TypeInfo out = ctx.input_type(0);
  out.dtype = k.value_type();
  ctx.set_output(0, out);
}

std::unique_ptr<Kernel> make_label_encoder(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<LabelEncoderKernel>(node);
}

}  // namespace

// Opset 1 (classes_strings, string <-> int only) has different attributes and is not covered.
void add_label_encoder_ops(OpRegistry& r) {
  r.add(OpSchema{"LabelEncoder", kDomain, 2, 1 << 30, infer_label_encoder, make_label_encoder,
                 {DType::String, DType::Int64, DType::Float32, DType::Float64, DType::Int32, DType::Int16}});
}

}  // namespace ember::ops::ml
