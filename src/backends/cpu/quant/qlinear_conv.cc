// Native ConvInteger (int32 out) and QLinearConv (requantized 8-bit out): uint8 X [N, C, D...]
// (any number of spatial dimensions), constant int8/uint8 W [M, C/group, k...] with per-tensor
// or per-channel zero points (and scales), any group. Each group is one GEMM per image:
//   Y^T[S, Mg] = col(X)^T[S, Cg*k] x W_g^T[Cg*k, Mg]
// with W_g packed once at creation, col(X) read transposed (the kernels' transA) and Y written
// transposed (trans_c) straight into NCHW. A pointwise convolution (1x1, stride 1, no padding)
// packs X's planes directly; a strided or padded 2-D one with wide output rows packs column rows
// straight from a padded image (padded_columns.h); otherwise im2col (gemm_conv/im2col_2d.h for 2-D, else
// kernels/generic/im2col.h) fills column blocks,
// padding with the input's zero point, and blocks of output positions run on different threads.
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "backends/cpu/gemm_conv/gemm_runner.h"
#include "backends/cpu/gemm_conv/im2col_2d.h"
#include "backends/cpu/gemm_conv/node_util.h"
#include "backends/cpu/quant/padded_columns.h"
#include "backends/cpu/quant/quant_dwconv.h"
#include "backends/cpu/quant/quant_ops.h"
#include "kernels/generic/im2col.h"
#include "ops/nn/window.h"
#include "support/error.h"

namespace ember::backends::quant {
namespace {

using gemm_conv::constant_input;
using gemm_conv::has_input;
using kernels::QuantOut;

// gemm_conv::thread_scratch slot for im2col blocks (quant_gemm.cc packs into slot 1).
constexpr int kColSlot = 3;
// An im2col block of about this many bytes stays in L2 while it is packed.
constexpr int64_t kColBlockBytes = 256 * 1024;

// Per-thread byte buffers of this file (the padded image, the extended output), kept between
// runs so a run allocates nothing once they have grown. Distinct from gemm_conv's slots, which
// the blocks use on the same thread.
uint8_t* local_scratch(int slot, size_t bytes) {
  thread_local std::vector<uint8_t> buffers[2];
  std::vector<uint8_t>& b = buffers[slot];
  if (b.size() < bytes) b.resize(bytes);
  return b.data();
}

// Per-thread room for the K row pointers of A^T that pack_a_rows reads.
const uint8_t** row_pointers(int64_t K) {
  thread_local std::vector<const uint8_t*> rows;
  if (rows.size() < size_t(K)) rows.resize(size_t(K));
  return rows.data();
}

class QuantConvKernel final : public ops::Kernel {
 public:
  QuantConvKernel(const ir::Node& node, bool qlinear, const U8S8GemmKernels& k, const Tensor& w, const Tensor* w_zp,
                  std::vector<float> w_scale)
      : who_(node.describe()), qlinear_(qlinear), window_(ops::nn::WindowAttrs::parse(node, false)),
        group_(node.attr_int("group", 1)), M_(w.dim(0)), Cg_(w.dim(1)), w_scale_(std::move(w_scale)) {
    kernel_.assign(w.shape().begin() + 2, w.shape().end());
    const int64_t Mg = M_ / group_, K = w.numel() / std::max<int64_t>(M_, 1);
    const std::vector<int32_t> zp = zero_points(w_zp, w.dtype(), M_, who_, "w_zero_point");
    const auto* bytes = static_cast<const uint8_t*>(w.raw());
    for (int64_t g = 0; g < group_; ++g) {
      // This group's slice of per-channel zero points (or the one per-tensor value).
      std::vector<int32_t> zg = zp.size() > 1 ? std::vector<int32_t>(zp.begin() + g * Mg, zp.begin() + (g + 1) * Mg) : zp;
      groups_.emplace_back(k, K, Mg, w.dtype(), bytes + g * Mg * K, K, true, zg);
    }
    // Each group's weights choose their entry; the first one names the path.
    name_ = path_name(qlinear ? "qlinear_conv" : "conv_integer", groups_.empty() ? k : groups_[0].kernels());
  }
  const char* name() const override { return name_.c_str(); }

  void run(ops::KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    EMBER_CHECK(x.dtype() == DType::UInt8, TypeMismatch, who_, ": x must be uint8, given ", dtype_name(x.dtype()));
    EMBER_CHECK(size_t(x.rank()) == kernel_.size() + 2 && x.dim(1) == Cg_ * group_, ShapeMismatch, who_,
                ": input x of shape ", dims_str(x.shape()), " does not match the weights (", M_, " x ", Cg_,
                " channels, group ", group_, ", ", kernel_.size(), " spatial dimensions)");
    const Dims in(x.shape().begin() + 2, x.shape().end());
    const ops::nn::Window win = ops::nn::resolve_window(window_, in, kernel_);
    const kernels::ConvGeom geom = ops::nn::to_geom(win, in);
    Dims out_shape = {x.dim(0), M_};
    out_shape.insert(out_shape.end(), win.out.begin(), win.out.end());

    U8S8Epilogue ep;
    std::vector<float> mult;
    DType out = DType::Int32;
    if (qlinear_) {
      const float xs = scalar_scale(ctx, 1, who_, "x_scale"), ys = scalar_scale(ctx, 6, who_, "y_scale");
      EMBER_CHECK(ys != 0.0f && std::isfinite(ys), InvalidArgument, who_, ": y_scale must be finite and non-zero");
      out = ctx.input(7).dtype();
      EMBER_CHECK(out == DType::UInt8 || out == DType::Int8, TypeMismatch, who_, ": y_zero_point must be int8 or uint8");
      mult = requant_multipliers(xs, w_scale_, ys);
      ep.out = out == DType::UInt8 ? QuantOut::UInt8 : QuantOut::Int8;
      ep.scale = mult.data();
      ep.y_zero_point = scalar_zero_point(ctx, 7, who_, "y_zero_point");
      if (ctx.has_input(8)) {
        const Tensor& b = ctx.input(8);
        EMBER_CHECK(b.dtype() == DType::Int32 && b.rank() == 1 && b.dim(0) == M_, ShapeMismatch, who_,
                    ": B must be int32 of shape [", M_, "], given ", dtype_name(b.dtype()), " ", dims_str(b.shape()));
        ep.bias_i32 = b.data<int32_t>();
      }
    }
    EMBER_CHECK(!ctx.has_input(2) || ctx.input(2).dtype() == DType::UInt8, TypeMismatch, who_, ": x_zero_point must be uint8 like the input, given ",
                dtype_name(ctx.input(2).dtype()));
    ep.a_zero_point = scalar_zero_point(ctx, 2, who_, "x_zero_point");
    Tensor& y = ctx.output(0, out, out_shape);
    if (y.numel() == 0) return;
    const int64_t S = geom.out_size(), I = geom.in_size(), Mg = M_ / group_, esz = out == DType::Int32 ? 4 : 1;
    ep.trans_c = true;
    ep.ldc = S;
    PaddedGeom padded;
    const bool use_padded = !geom.is_pointwise() && padded_geom(geom, padded);
    for (int64_t n = 0; n < x.dim(0); ++n)
      for (int64_t g = 0; g < group_; ++g) {
        const uint8_t* img = x.data<uint8_t>() + (n * x.dim(1) + g * Cg_) * I;
        U8S8Epilogue e = ep;
        e.c = static_cast<uint8_t*>(y.raw()) + (n * M_ + g * Mg) * S * esz;
        if (e.bias_i32) e.bias_i32 += g * Mg;
        if (e.scale) e.scale += g * Mg;
        if (geom.is_pointwise()) pointwise(ctx, img, S, groups_[size_t(g)], e);
        else if (use_padded) padded_blocks(ctx, img, geom, padded, groups_[size_t(g)], e, esz);
        else im2col_blocks(ctx, img, geom, groups_[size_t(g)], e, esz);
      }
  }

 private:
  // 1x1, stride 1, no padding: the image's channel planes are A^T's rows.
  void pointwise(ops::KernelContext& ctx, const uint8_t* img, int64_t S, const PackedWeights& w,
                 const U8S8Epilogue& ep) const {
    const uint8_t** rows = row_pointers(w.K());
    for (int64_t k = 0; k < w.K(); ++k) rows[k] = img + k * S;
    u8s8_multiply_rows(ctx.pool(), S, rows, w, ep);
  }

  // Columns [0, S) in blocks of whole micro-kernel tiles, block(s0, s1) on the pool's threads.
  template <class Block>
  void block_ranges(ops::KernelContext& ctx, int64_t S, const PackedWeights& w, const Block& block_fn) const {
    const int64_t K = w.K(), mr = w.kernels().mr;
    const int64_t threads = ctx.pool().threads();
    int64_t block = std::min((S + threads - 1) / threads, std::max<int64_t>(kColBlockBytes / std::max<int64_t>(K, 1), 1));
    block = std::max<int64_t>(mr, (block + mr - 1) / mr * mr);
    const int64_t blocks = (S + block - 1) / block;
    ctx.pool().parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) block_fn(b * block, std::min(S, (b + 1) * block));
    });
  }

  // Output positions [s0, s1) of Y^T from the K row pointers of their A^T block.
  static void multiply_rows(const uint8_t* const* rows, int64_t s0, int64_t s1, const PackedWeights& w,
                            const U8S8Epilogue& ep, int64_t esz) {
    U8S8Epilogue e = ep;
    e.c = static_cast<uint8_t*>(ep.c) + s0 * esz;  // trans_c: position s is column s of Y
    u8s8_multiply_rows_here(s1 - s0, rows, w, e);
  }
  // The same from an im2col block col [K][s1 - s0].
  static void multiply_rows(const uint8_t* col, int64_t s0, int64_t s1, const PackedWeights& w, const U8S8Epilogue& ep,
                            int64_t esz) {
    const uint8_t** rows = row_pointers(w.K());
    for (int64_t k = 0; k < w.K(); ++k) rows[k] = col + k * (s1 - s0);
    multiply_rows(rows, s0, s1, w, ep, esz);
  }

  // One fill(s0, s1, col) of an im2col block + GEMM per block.
  template <class Fill>
  void column_blocks(ops::KernelContext& ctx, int64_t S, const PackedWeights& w, const U8S8Epilogue& ep, int64_t esz,
                     const Fill& fill) const {
    const int64_t K = w.K();
    block_ranges(ctx, S, w, [&](int64_t s0, int64_t s1) {
      auto* col = reinterpret_cast<uint8_t*>(gemm_conv::thread_scratch(kColSlot, size_t(K * (s1 - s0) + 3) / 4 + 1));
      fill(s0, s1, col);
      multiply_rows(col, s0, s1, w, ep, esz);
    });
  }

  void im2col_blocks(ops::KernelContext& ctx, const uint8_t* img, const kernels::ConvGeom& geom, const PackedWeights& w,
                     const U8S8Epilogue& ep, int64_t esz) const {
    const auto pad = uint8_t(ep.a_zero_point);
    column_blocks(ctx, geom.out_size(), w, ep, esz, [&](int64_t s0, int64_t s1, uint8_t* col) {
      if (geom.nd == 2) gemm_conv::im2col_2d<uint8_t>(img, Cg_, geom, s0, s1, col, pad);
      else kernels::im2col<uint8_t>(img, Cg_, geom, s0, s1, col, pad);
    });
  }

  // The GEMM over the extended positions of a padded image (padded_columns.h) into a buffer,
  // then the valid columns into Y.
  void padded_blocks(ops::KernelContext& ctx, const uint8_t* img, const kernels::ConvGeom& geom, const PaddedGeom& p,
                     const PackedWeights& w, const U8S8Epilogue& ep, int64_t esz) const {
    uint8_t* planes = local_scratch(0, size_t(Cg_ * p.channel_size()));
    pad_image(img, Cg_, geom, p, uint8_t(ep.a_zero_point), planes);
    uint8_t* y_ext = local_scratch(1, size_t(w.N() * p.ext * esz));
    U8S8Epilogue e = ep;
    e.c = y_ext;
    e.ldc = p.ext;
    block_ranges(ctx, p.ext, w, [&](int64_t s0, int64_t s1) {
      const uint8_t** rows = row_pointers(w.K());
      padded_rows(planes, Cg_, p, s0, rows);
      multiply_rows(rows, s0, s1, w, e, esz);
    });
    drop_extra_columns(y_ext, w.N(), p, esz, static_cast<uint8_t*>(ep.c));
  }

  std::string who_;
  bool qlinear_;
  ops::nn::WindowAttrs window_;
  int64_t group_, M_, Cg_;
  Dims kernel_;
  std::vector<float> w_scale_;  // per output channel (QLinearConv)
  std::vector<PackedWeights> groups_;
  std::string name_;
};

// uint8 X of known rank >= 3 and constant 8-bit W of the same rank with a valid group count.
const Tensor* conv_weights(const ir::Node& node, size_t w_index) {
  if (!has_input(node, 0) || !node.inputs[0]->type.has_shape) return nullptr;
  const ir::TypeInfo& x = node.inputs[0]->type;
  const Tensor* w = constant_input(node, w_index);
  if (x.dtype != DType::UInt8 || x.dims.size() < 3 || !w || size_t(w->rank()) != x.dims.size()) return nullptr;
  if (w->dtype() != DType::Int8 && w->dtype() != DType::UInt8) return nullptr;
  const int64_t group = node.attr_int("group", 1);
  if (group < 1 || w->dim(0) % group != 0) return nullptr;  // the reference reports it
  return w;
}

// Depthwise (group == C == M), 2-D, not too many taps: the per-plane kernel.
bool depthwise(const ir::Node& node, const Tensor& w) {
  const ir::TypeInfo& x = node.inputs[0]->type;
  const int64_t group = node.attr_int("group", 1);
  return w.rank() == 4 && w.dim(1) == 1 && group > 1 && w.dim(0) == group && x.dims[1].value == group &&
         w.dim(2) * w.dim(3) <= kMaxDwTaps;
}

}  // namespace

std::unique_ptr<ops::Kernel> make_conv_integer(const ir::Node& node, const runtime::BackendOptions&) {
  const Tensor* w = conv_weights(node, 1);
  if (!w || (has_input(node, 3) && !constant_input(node, 3))) return nullptr;
  if (depthwise(node, *w)) return make_quant_dwconv(node, false, *w, constant_input(node, 3), {});
  return std::make_unique<QuantConvKernel>(node, false, kernels::u8s8_gemm_kernels(), *w, constant_input(node, 3),
                                           std::vector<float>());
}

std::unique_ptr<ops::Kernel> make_qlinear_conv(const ir::Node& node, const runtime::BackendOptions&) {
  const Tensor* w = conv_weights(node, 3);
  const Tensor* ws = constant_input(node, 4);
  if (node.inputs.size() < 8 || !w || !ws || !constant_input(node, 5) || ws->dtype() != DType::Float32) return nullptr;
  const int64_t M = w->dim(0);
  if (ws->numel() != 1 && !(ws->rank() == 1 && ws->dim(0) == M)) return nullptr;  // the reference reports it
  if (depthwise(node, *w))
    return make_quant_dwconv(node, true, *w, constant_input(node, 5), channel_scales(*ws, M, node.describe(), "w_scale"));
  return std::make_unique<QuantConvKernel>(node, true, kernels::u8s8_gemm_kernels(), *w, constant_input(node, 5),
                                           channel_scales(*ws, M, node.describe(), "w_scale"));
}

}  // namespace ember::backends::quant
