// Transpose and the two block rearrangements that are a reshape + transpose in disguise
// (DepthToSpace, SpaceToDepth). All three end in movement::transpose_into.
#include <numeric>

#include "ops/op_util.h"
#include "ops/tensor/movement.h"
#include "ops/tensor/tensor_ops.h"

namespace ember::ops {
namespace {

using namespace movement;

// The permutation for rank r: the attribute, or reversed axes by default; validated.
std::vector<int64_t> perm_for(const ir::Node& n, size_t r) {
  std::vector<int64_t> p = n.attr_ints("perm");
  if (!n.has_attr("perm")) {
    p.resize(r);
    std::iota(p.rbegin(), p.rend(), 0);
  }
  EMBER_CHECK(p.size() == r, InvalidModel, n.describe(), ": perm ", dims_str(p), " has ", p.size(),
              " entries but the input has rank ", r);
  std::vector<bool> seen(r);
  for (int64_t& a : p) {
    a = normalize_axis(a, int64_t(r), n);
    EMBER_CHECK(!seen[size_t(a)], InvalidModel, n.describe(), ": perm ", dims_str(n.attr_ints("perm")),
                " repeats axis ", a);
    seen[size_t(a)] = true;
  }
  return p;
}

void infer_transpose(InferContext& ctx) {
  const TypeInfo& in = ctx.input_type(0);
  if (!in.has_shape) {
    const size_t r = ctx.node().attr_ints("perm").size();
    return ctx.set_output(0, r ? unknown_dims(in.dtype, r) : TypeInfo::tensor_unknown_shape(in.dtype));
  }
  const auto p = perm_for(ctx.node(), in.dims.size());
  std::vector<ir::Dim> d;
  for (int64_t a : p) d.push_back(in.dims[size_t(a)]);
  ctx.set_output(0, type_from_dims(in.dtype, d));
}

class TransposeKernel : public Kernel {
 public:
  explicit TransposeKernel(const ir::Node& n) : node_(n) {}
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    const auto p = perm_for(node_, in.rank());
    Dims shape;
    for (int64_t a : p) shape.push_back(in.dim(size_t(a)));
    Tensor& out = ctx.output(0, in.dtype(), shape);
    transpose_into(&ctx.pool(), in, in.shape(), p, out);
  }
 private:
  ir::Node node_;
};

// DepthToSpace / SpaceToDepth on [N, C, H, W] with block size b.
struct BlockLayout {
  Dims out;                   // output dims
  Dims view;                  // 6-D view of the input
  std::vector<int64_t> perm;  // permutation of the view giving the output order
};

BlockLayout block_layout(const ir::Node& n, const Dims& in, bool to_space) {
  const int64_t b = n.attr_int("blocksize");
  EMBER_CHECK(b > 0, InvalidModel, n.describe(), ": blocksize must be positive, got ", b);
  EMBER_CHECK(in.size() == 4, ShapeMismatch, n.describe(), ": expected a 4-D input, got ", dims_str(in));
  const int64_t N = in[0], C = in[1], H = in[2], W = in[3];
  if (to_space) {
    EMBER_CHECK(C % (b * b) == 0, ShapeMismatch, n.describe(), ": channels ", C,
                " of input ", dims_str(in), " are not divisible by blocksize^2 = ", b * b);
    const int64_t c = C / (b * b);
    const std::string mode = n.attr_string("mode", "DCR");
    if (mode == "DCR") return {{N, c, H * b, W * b}, {N, b, b, c, H, W}, {0, 3, 4, 1, 5, 2}};
    if (mode == "CRD") return {{N, c, H * b, W * b}, {N, c, b, b, H, W}, {0, 1, 4, 2, 5, 3}};
    fail(Status::Unsupported, n.describe(), ": mode '", mode, "' is not supported (DCR or CRD)");
  }
  EMBER_CHECK(H % b == 0 && W % b == 0, ShapeMismatch, n.describe(), ": spatial dims of input ",
              dims_str(in), " are not divisible by blocksize ", b);
  // SpaceToDepth gained `mode` in opset 28; DCR (block offsets outermost) is the older layout.
  const std::string mode = n.attr_string("mode", "DCR");
  const Dims out = {N, C * b * b, H / b, W / b}, view = {N, C, H / b, b, W / b, b};
  if (mode == "DCR") return {out, view, {0, 3, 5, 1, 2, 4}};
  if (mode == "CRD") return {out, view, {0, 1, 3, 5, 2, 4}};
  fail(Status::Unsupported, n.describe(), ": mode '", mode, "' is not supported (DCR or CRD)");
}

template <bool ToSpace>
void infer_block(InferContext& ctx) {
  const TypeInfo& in = ctx.input_type(0);
  if (auto d = known_dims(in)) return ctx.set_output(0, TypeInfo::tensor(in.dtype, block_layout(ctx.node(), *d, ToSpace).out));
  ctx.set_output(0, unknown_dims(in.dtype, 4));
}

template <bool ToSpace>
class BlockKernel : public Kernel {
 public:
  explicit BlockKernel(const ir::Node& n) : node_(n) {}
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    const BlockLayout l = block_layout(node_, in.shape(), ToSpace);
    Tensor& out = ctx.output(0, in.dtype(), l.out);
    transpose_into(&ctx.pool(), in, l.view, l.perm, out);
  }
 private:
  ir::Node node_;
};

}  // namespace

void add_transpose_ops(OpRegistry& r) {
  add_schema(r, "Transpose", 1, kMaxOpset, infer_transpose, make_kernel<TransposeKernel>);
  add_schema(r, "DepthToSpace", 1, kMaxOpset, infer_block<true>, make_kernel<BlockKernel<true>>);
  add_schema(r, "SpaceToDepth", 1, kMaxOpset, infer_block<false>, make_kernel<BlockKernel<false>>);
}

}  // namespace ember::ops
