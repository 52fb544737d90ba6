#include "ops/elementwise/shape_value_infer.h"

#include <optional>
#include <string>
#include <vector>

namespace ember::ops::ew {
namespace {

struct Entry {
  bool known = false;  // value holds it (negative values included: a constant's -1)
  int64_t value = 0;
  std::string symbol;  // else the dim's name, or empty: unknown
};

// The elements of input i when it has rank <= 1: a constant's values, or the dims a
// Shape-derived tensor holds. nullopt when neither is known.
std::optional<std::vector<Entry>> entries(const InferContext& ctx, size_t i) {
  if (!ctx.has_input(i)) return std::nullopt;
  if (const Tensor* t = ctx.input_value(i)) {
    if (t->rank() > 1 || t->numel() > 64) return std::nullopt;
    const DType d = t->dtype();
    if (d != DType::Int64 && d != DType::Int32 && d != DType::Bool) return std::nullopt;
    std::vector<Entry> e;
    for (int64_t v : t->to_int64_vector()) e.push_back({true, v, {}});
    return e;
  }
  const auto dims = ctx.input_dims_value(i);
  if (!dims) return std::nullopt;
  std::vector<Entry> e;
  for (const ir::Dim& d : *dims) {
    if (is_minus_one_literal(d)) e.push_back({true, -1, {}});
    else e.push_back({d.known(), d.value, is_named_dim(d) ? d.symbol : std::string()});
  }
  return e;
}

// Output length under numpy broadcasting of 1-D lengths, or 0 when they do not broadcast.
size_t broadcast_length(std::initializer_list<size_t> lengths) {
  size_t n = 1;
  for (size_t l : lengths) {
    if (l == 1 || l == n) continue;
    if (n != 1) return 0;
    n = l;
  }
  return n;
}

bool output_is_small(InferContext& ctx) {
  const TypeInfo& t = ctx.outputs()[0];
  return t.has_shape && t.dims.size() <= 1;
}

}  // namespace

void infer_equal_values(InferContext& ctx) {
  const auto a = entries(ctx, 0), b = entries(ctx, 1);
  if (!a || !b || !output_is_small(ctx)) return;
  const size_t n = broadcast_length({a->size(), b->size()});
  if (n == 0) return;
  std::vector<ir::Dim> out;
  for (size_t i = 0; i < n; ++i) {
    const Entry& x = (*a)[a->size() == 1 ? 0 : i];
    const Entry& y = (*b)[b->size() == 1 ? 0 : i];
    if (x.known && y.known) out.push_back(ir::Dim::of(x.value == y.value));
    else if (!x.symbol.empty() && x.symbol == y.symbol) out.push_back(ir::Dim::of(1));
    else if ((!x.symbol.empty() && y.known && y.value < 0) || (!y.symbol.empty() && x.known && x.value < 0))
      out.push_back(ir::Dim::of(0));
    else
      return;
  }
  ctx.set_output_dims_value(0, std::move(out));
}

void infer_where_values(InferContext& ctx) {
  const auto c = entries(ctx, 0), x = entries(ctx, 1), y = entries(ctx, 2);
  if (!c || !x || !y || !output_is_small(ctx)) return;
  const size_t n = broadcast_length({c->size(), x->size(), y->size()});
  if (n == 0) return;
  std::vector<ir::Dim> out;
  for (size_t i = 0; i < n; ++i) {
    const Entry& k = (*c)[c->size() == 1 ? 0 : i];
    if (!k.known) return;
    const Entry& e = k.value ? (*x)[x->size() == 1 ? 0 : i] : (*y)[y->size() == 1 ? 0 : i];
    out.push_back(e.known && e.value == -1 ? minus_one_literal() : e.known ? ir::Dim{e.value, {}} : ir::Dim{-1, e.symbol});
  }
  ctx.set_output_dims_value(0, std::move(out));
}

}  // namespace ember::ops::ew
