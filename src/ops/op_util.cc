#include "ops/op_util.h"

#include <algorithm>
#include <type_traits>

namespace ember::ops {

int64_t normalize_axis(int64_t axis, int64_t rank, const ir::Node& node) {
  const int64_t a = axis < 0 ? axis + rank : axis;
  EMBER_CHECK(a >= 0 && a < std::max<int64_t>(rank, 1), InvalidModel, node.describe(), ": axis ", axis,
              " is out of range for rank ", rank);
  return a;
}

std::vector<int64_t> normalize_axes(const std::vector<int64_t>& axes, int64_t rank, const ir::Node& node) {
  std::vector<int64_t> out;
  for (int64_t a : axes) out.push_back(normalize_axis(a, rank, node));
  return out;
}

Dims broadcast_shapes(const Dims& a, const Dims& b) {
  const size_t r = std::max(a.size(), b.size());
  Dims out(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    EMBER_CHECK(da == db || da == 1 || db == 1, ShapeMismatch, "shapes ", dims_str(a), " and ",
                dims_str(b), " cannot be broadcast together");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

bool broadcast_types(const TypeInfo& a, const TypeInfo& b, TypeInfo& out) {
  out.kind = ir::ValueKind::Tensor;
  if (!a.has_shape || !b.has_shape) {
    out.has_shape = false;
    out.dims.clear();
    return false;
  }
  const size_t r = std::max(a.dims.size(), b.dims.size());
  out.has_shape = true;
  out.dims.assign(r, ir::Dim{});
  for (size_t i = 0; i < r; ++i) {
    const ir::Dim one = ir::Dim::of(1);
    const ir::Dim& da = i < r - a.dims.size() ? one : a.dims[i - (r - a.dims.size())];
    const ir::Dim& db = i < r - b.dims.size() ? one : b.dims[i - (r - b.dims.size())];
    if (da.known() && db.known()) {
      EMBER_CHECK(da.value == db.value || da.value == 1 || db.value == 1, ShapeMismatch,
                  "shapes ", a.str(), " and ", b.str(), " cannot be broadcast together");
      out.dims[i] = ir::Dim::of(da.value == 1 ? db.value : da.value);
    } else if (da.known() && da.value != 1) {
      out.dims[i] = da;
    } else if (db.known() && db.value != 1) {
      out.dims[i] = db;
    } else if (da.known()) {  // da == 1
      out.dims[i] = db;
    } else if (db.known()) {  // db == 1
      out.dims[i] = da;
    } else if (!da.symbol.empty() && da.symbol == db.symbol) {
      out.dims[i] = da;
    }  // else unknown
  }
  return true;
}

Dims broadcast_strides(const Dims& shape, const Dims& out_shape) {
  Dims s(out_shape.size(), 0);
  const Dims own = dims_strides(shape);
  const size_t off = out_shape.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i) s[off + i] = shape[i] == 1 ? 0 : own[i];
  return s;
}

StridedCounter::StridedCounter(const Dims& shape, std::vector<Dims> strides)
    : shape_(shape), index_(shape.size(), 0), strides_(std::move(strides)), offsets_(strides_.size(), 0) {}

void StridedCounter::next() {
  for (size_t d = shape_.size(); d-- > 0;) {
    if (++index_[d] < shape_[d]) {
      for (size_t k = 0; k < strides_.size(); ++k) offsets_[k] += strides_[k][d];
      return;
    }
    for (size_t k = 0; k < strides_.size(); ++k) offsets_[k] -= strides_[k][d] * (shape_[d] - 1);
    index_[d] = 0;
  }
}

void infer_same_as_input(InferContext& ctx) { ctx.set_output(0, ctx.input_type(0)); }

void infer_same_rank_unknown_dims(InferContext& ctx) {
  const TypeInfo& x = ctx.input_type(0);
  TypeInfo out = TypeInfo::tensor_unknown_shape(x.dtype);
  if (x.has_shape) {
    out.has_shape = true;
    out.dims.assign(x.dims.size(), ir::Dim{});
  }
  ctx.set_output(0, out);
}

void store_doubles(const double* src, Tensor& dst) {
  visit_numeric_dtype(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* d = static_cast<T*>(dst.raw());
    for (int64_t i = 0; i < dst.numel(); ++i) {
      if constexpr (std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) {
        d[i] = T(float(src[i]));
      } else {
        d[i] = static_cast<T>(src[i]);
      }
    }
  });
}

std::vector<double> read_doubles(const Tensor& t) {
  std::vector<double> out(size_t(t.numel()));
  visit_numeric_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = static_cast<const T*>(t.raw());
    for (size_t i = 0; i < out.size(); ++i) out[i] = double(p[i]);
  });
  return out;
}


TypeInfo with_dtype(TypeInfo t, DType d) {
  t.dtype = d;
  return t;
}

ir::Node node_label(const ir::Node& node) {
  ir::Node n;
  n.name = node.name;
  n.op_type = node.op_type;
  n.domain = node.domain;
  n.opset = node.opset;
  return n;
}

void require_dtype(const ir::Node& node, const char* what, DType got, std::initializer_list<DType> allowed) {
  for (DType d : allowed)
    if (d == got) return;
  fail(Status::TypeMismatch, node.describe(), ": ", what, " has unsupported type ", dtype_name(got));
}

}  // namespace ember::ops
