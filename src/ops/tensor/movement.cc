#include "ops/tensor/movement.h"

#include <algorithm>

#include "kernels/dispatch/f32_transpose.h"

namespace ember::ops::movement {

void copy_elems(DType t, void* dst, int64_t doff, const void* src, int64_t soff, int64_t n) {
  if (n <= 0) return;
  if (t == DType::String) {
    auto* d = static_cast<std::string*>(dst) + doff;
    const auto* s = static_cast<const std::string*>(src) + soff;
    for (int64_t i = 0; i < n; ++i) d[i] = s[i];
    return;
  }
  const size_t es = dtype_size(t);
  std::memcpy(static_cast<char*>(dst) + size_t(doff) * es,
              static_cast<const char*>(src) + size_t(soff) * es, size_t(n) * es);
}

namespace {

// Drops size-1 dimensions and merges neighbours that are contiguous in the source, so a
// transpose of [N, C, H, W] touching only N and C still copies whole H*W rows.
void coalesce(Dims& shape, Dims& strides) {
  Dims s, st;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    if (!s.empty() && st.back() == strides[i] * shape[i]) {
      s.back() *= shape[i];
      st.back() = strides[i];
    } else {
      s.push_back(shape[i]);
      st.push_back(strides[i]);
    }
  }
  shape = std::move(s);
  strides = std::move(st);
}

template <class S>
void copy_rows(S* dst, const S* src, int64_t src_offset, const Dims& shape, const Dims& strides,
               int64_t row_begin, int64_t row_end) {
  const size_t r = shape.size();
  const int64_t inner = shape[r - 1];
  const int64_t istride = strides[r - 1];
  // Multi-index of the first row over the outer r-1 dimensions.
  Dims idx(r - 1, 0);
  int64_t rem = row_begin, off = src_offset;
  for (size_t d = r - 1; d-- > 0;) {
    idx[d] = rem % shape[d];
    rem /= shape[d];
    off += idx[d] * strides[d];
  }
  for (int64_t row = row_begin; row < row_end; ++row) {
    S* o = dst + row * inner;
    const S* s = src + off;
    if constexpr (!std::is_same_v<S, std::string>) {
      if (istride == 1) {
        std::memcpy(o, s, size_t(inner) * sizeof(S));
      } else {
        for (int64_t j = 0; j < inner; ++j) o[j] = s[j * istride];
      }
    } else {
      for (int64_t j = 0; j < inner; ++j) o[j] = s[j * istride];
    }
    for (size_t d = r - 1; d-- > 0;) {  // advance the outer multi-index
      off += strides[d];
      if (++idx[d] < shape[d]) break;
      off -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

// Copies that are batches of 2-D transposes of 4-byte elements: the source's contiguous axis
// k is not the last output axis (NCHW <-> NHWC, [.., a, b] -> [.., b, a], full reversals). For
// each index of the other axes, output plane (k, last) is the transpose of a source matrix
// with rows along the last axis: the transpose kernel moves 8x8 tiles where copy_rows does one
// scattered 4-byte read per element. Returns false for any other pattern.
bool copy_as_transposes(ThreadPool* pool, DType t, void* dst, const void* src, int64_t src_offset,
                        const Dims& shape, const Dims& strides) {
  const size_t r = shape.size();
  if (r < 2 || t == DType::String || dtype_size(t) != 4) return false;
  const size_t k = size_t(std::find(strides.begin(), strides.end() - 1, 1) - strides.begin());
  if (k == r - 1) return false;
  const int64_t A = shape[k], B = shape[r - 1], ld = strides[r - 1];
  if (A < 8 || B < 8 || ld <= 0) return false;  // small: the plain loop does it as well
  const Dims out_strides = dims_strides(shape);
  const int64_t outer = dims_numel(shape) / (A * B), chunks = (B + 31) / 32;
  const kernels::F32TransposeFn fn = kernels::f32_transpose().fn;
  const auto* s = static_cast<const float*>(src) + src_offset;
  auto* d = static_cast<float*>(dst);
  // Item i: source rows [32 * (i % chunks), +32) of plane i / chunks (planes numbered over the
  // axes other than k and the last, in order).
  auto body = [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      int64_t o = i / chunks, soff = 0, doff = 0;
      for (size_t j = r - 1; j-- > 0;) {
        if (j == k) continue;
        const int64_t idx = o % shape[j];
        o /= shape[j];
        soff += idx * strides[j];
        doff += idx * out_strides[j];
      }
      const int64_t b0 = 32 * (i % chunks), b1 = std::min(B, b0 + 32);
      fn(b1 - b0, A, s + soff + b0 * ld, ld, d + doff + b0, out_strides[k]);
    }
  };
  const int64_t items = outer * chunks;
  if (pool && outer * A * B >= (1 << 16) && items > 1) {
    pool->parallel_for(items, std::max<int64_t>(1, (1 << 15) / (32 * A)), body);
  } else {
    body(0, items);
  }
  return true;
}

}  // namespace

void copy_strided(ThreadPool* pool, DType t, void* dst, const void* src, int64_t src_offset,
                  const Dims& shape_in, const Dims& strides_in) {
  const int64_t n = dims_numel(shape_in);
  if (n == 0) return;
  Dims shape = shape_in, strides = strides_in;
  coalesce(shape, strides);
  if (shape.empty()) {  // a single element
    copy_elems(t, dst, 0, src, src_offset, 1);
    return;
  }
  if (copy_as_transposes(pool, t, dst, src, src_offset, shape, strides)) return;
  const int64_t inner = shape.back();
  const int64_t rows = n / inner;
  visit_storage(t, [&](auto tag) {
    using S = decltype(tag);
    auto* d = static_cast<S*>(dst);
    const auto* s = static_cast<const S*>(src);
    auto body = [&](int64_t b, int64_t e) { copy_rows(d, s, src_offset, shape, strides, b, e); };
    // Parallel only when there is enough work to amortise the hand-off.
    if (pool && n >= (1 << 16) && rows > 1) {
      pool->parallel_for(rows, std::max<int64_t>(1, (1 << 15) / inner), body);
    } else {
      body(0, rows);
    }
  });
}

void transpose_into(ThreadPool* pool, const Tensor& in, const Dims& view,
                    const std::vector<int64_t>& perm, Tensor& out) {
  const Dims st = dims_strides(view);
  Dims shape(perm.size()), strides(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) {
    shape[i] = view[size_t(perm[i])];
    strides[i] = st[size_t(perm[i])];
  }
  copy_strided(pool, in.dtype(), out.raw(), in.raw(), 0, shape, strides);
}

namespace {

// One piece of an output row: `len` elements copied from consecutive source positions starting
// at `src` (the input is dense: its innermost stride is 1), or the fill value where `src` is -1.
struct RowSegment {
  int64_t begin, len, src;
};

// The innermost map cut into runs, once per call instead of once per element: a constant Pad
// is at most three runs per row (fill, copy, fill), moved with copy_n / fill_n instead of an
// index lookup per element. Pad [1, 64, 112, 112] -> [1, 64, 113, 113]: 1.91 -> 0.19 ms per run
// (`ember bench` on Pad + GlobalAveragePool, one core, medians of 5 alternated runs of 200).
std::vector<RowSegment> row_segments(const std::vector<int64_t>& last) {
  std::vector<RowSegment> segs;
  for (int64_t j = 0; j < int64_t(last.size()); ++j) {
    const int64_t s = last[size_t(j)];
    if (!segs.empty()) {
      RowSegment& p = segs.back();
      const bool extends = s < 0 ? p.src < 0 : p.src >= 0 && s == p.src + p.len;
      if (extends) {
        ++p.len;
        continue;
      }
    }
    segs.push_back({j, 1, s < 0 ? -1 : s});
  }
  return segs;
}

template <class S>
void gather_rows(S* o, const S* src, const S& value, const Dims& in_shape, const Dims& out_shape,
                 const std::vector<std::vector<int64_t>>& maps) {
  const size_t r = out_shape.size();
  if (r == 0) {
    o[0] = src[0];
    return;
  }
  const Dims st = dims_strides(in_shape);
  const int64_t inner = out_shape.back(), rows = dims_numel(out_shape) / inner;
  const std::vector<RowSegment> segs = row_segments(maps.back());
  Dims idx(r - 1, 0);
  for (int64_t row = 0; row < rows; ++row) {
    int64_t base = 0;
    bool inside = true;
    for (size_t d = 0; d + 1 < r; ++d) {
      const int64_t s = maps[d][size_t(idx[d])];
      inside &= s >= 0;
      base += s * st[d];
    }
    S* orow = o + row * inner;
    if (!inside) {
      std::fill_n(orow, inner, value);
    } else {
      for (const RowSegment& g : segs) {
        if (g.src < 0) std::fill_n(orow + g.begin, g.len, value);
        else std::copy_n(src + base + g.src, g.len, orow + g.begin);
      }
    }
    for (size_t d = r - 1; d-- > 0;) {
      if (++idx[d] < out_shape[d]) break;
      idx[d] = 0;
    }
  }
}

}  // namespace

void gather_mapped(const Tensor& in, const Tensor& fill, const std::vector<std::vector<int64_t>>& maps, Tensor& out) {
  if (out.numel() == 0) return;
  visit_storage(in.dtype(), [&](auto tag) {
    using S = decltype(tag);
    gather_rows(static_cast<S*>(out.raw()), static_cast<const S*>(in.raw()), *static_cast<const S*>(fill.raw()),
                in.shape(), out.shape(), maps);
  });
}

std::optional<std::vector<int64_t>> const_ints(const InferContext& ctx, size_t i) {
  const Tensor* t = ctx.has_input(i) ? ctx.input_value(i) : nullptr;
  if (!t || !dtype_is_integer(t->dtype())) return std::nullopt;
  return t->to_int64_vector();
}

std::vector<int64_t> input_ints(const KernelContext& ctx, size_t i, const ir::Node* node) {
  const Tensor& t = ctx.input(i);
  EMBER_CHECK(dtype_is_integer(t.dtype()), TypeMismatch, node ? node->describe() + ": " : std::string(),
              "input ", i, " must be an integer tensor, got ", dtype_name(t.dtype()));
  return t.to_int64_vector();
}

std::optional<Dims> known_dims(const TypeInfo& t) {
  if (t.kind != ir::ValueKind::Tensor || !t.has_shape) return std::nullopt;
  Dims d;
  for (const ir::Dim& x : t.dims) {
    if (!x.known()) return std::nullopt;
    d.push_back(x.value);
  }
  return d;
}

TypeInfo unknown_dims(DType d, size_t rank) {
  TypeInfo t = TypeInfo::tensor_unknown_shape(d);
  t.has_shape = true;
  t.dims.assign(rank, ir::Dim{});
  return t;
}

std::vector<ir::Dim> to_dimvec(const Dims& d) {
  std::vector<ir::Dim> v;
  for (int64_t x : d) v.push_back(ir::Dim::of(x));
  return v;
}

Dims from_dimvec(const std::vector<ir::Dim>& d) {
  Dims v;
  for (const ir::Dim& x : d) v.push_back(x.value);
  return v;
}

TypeInfo type_from_dims(DType d, std::vector<ir::Dim> dims) {
  TypeInfo t = TypeInfo::tensor_unknown_shape(d);
  t.has_shape = true;
  t.dims = std::move(dims);
  return t;
}

void add_schema(OpRegistry& r, const char* op, int since, int last, InferFn infer, MakeKernelFn make,
                std::vector<DType> dtypes) {
  OpSchema s;
  s.op_type = op;
  s.since_version = since;
  s.last_version = last;
  s.infer = infer;
  s.make = make;
  s.dtypes = dtypes.empty() ? all_dtypes() : std::move(dtypes);
  r.add(std::move(s));
}

std::vector<DType> all_dtypes() {
  return {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64, DType::Int8,
          DType::UInt8,   DType::Int16,   DType::UInt16,   DType::Int32,   DType::UInt32,
          DType::Int64,   DType::UInt64,  DType::Bool,     DType::String};
}

}  // namespace ember::ops::movement
