#include "backends/cpu/gemm_conv/conv_kernel.h"

#include <algorithm>

#include "backends/cpu/gemm_conv/gemm_runner.h"
#include "backends/cpu/gemm_conv/node_util.h"
#include "kernels/dispatch/kernel_table.h"
#include "backends/cpu/gemm_conv/im2col_2d.h"

namespace ember::backends::gemm_conv {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t round_up(int64_t a, int64_t b) { return ceil_div(a, b) * b; }

// The im2col tile (kernel rows x columns) is kept under this many floats: 384 KB, so it is
// still in L2 when the GEMM packs it.
constexpr int64_t kColBudget = 96 * 1024;

class GemmConvKernel final : public ops::Kernel {
 public:
  GemmConvKernel(const ConvSetup& s, const kernels::F32GemmKernels& k) : s_(s), k_(k) {
    s_.weight = nullptr;  // creation only
    const Tensor& w = *s.weight;
    mg_ = s.c_out / s.group;
    kd_ = (s.c_in / s.group) * s.kh * s.kw;
    for (int64_t g = 0; g < s.group; ++g) packed_.emplace_back(k, w, g * mg_, mg_);
    // The name promises the GEMM form only when the attributes guarantee it; run() decides
    // per call from the resolved window (auto_pad SAME on a 1x1 kernel also pads nothing).
    auto all_eq = [](const Dims& v, int64_t x) { return std::all_of(v.begin(), v.end(), [&](int64_t e) { return e == x; }); };
    pointwise_ = s.kh == 1 && s.kw == 1 && all_eq(s.window.strides, 1) && all_eq(s.window.pads, 0);
    name_1x1_ = path_name("f32_conv1x1_gemm", k);
    name_ = path_name("f32_conv_im2col", k);
  }
  const char* name() const override { return pointwise_ ? name_1x1_.c_str() : name_.c_str(); }
  // W was packed (copied) at creation; run() reads X, B and Z only.
  bool prepacked_input(size_t i) const override { return i == 1; }

  void run(ops::KernelContext& ctx) const override {
    const ConvRun r = begin_conv_run(s_, ctx);
    const int64_t S = r.out_h * r.out_w;
    if (r.batch == 0 || S == 0 || s_.c_out == 0) return;
    if (r.geom.is_pointwise()) return run_pointwise(ctx, r, S);
    run_im2col(ctx, r, S);
  }

 private:
  GemmEpilogue epilogue(const ConvRun& r, int64_t n, int64_t g, int64_t S) const {
    GemmEpilogue ep;
    set_activation(ep, s_.act);
    if (r.bias) ep.bias = r.bias + g * mg_;
    ep.bias_per_row = true;
    if (r.residual) ep.residual = r.residual + (n * s_.c_out + g * mg_) * S;
    ep.ldr = S;
    return ep;
  }
  const float* image(const ConvRun& r, int64_t n, int64_t g) const {
    const int64_t cg = s_.c_in / s_.group;
    return r.x + (n * s_.c_in + g * cg) * r.in_h * r.in_w;
  }
  float* out(const ConvRun& r, int64_t n, int64_t g, int64_t S) const { return r.y + (n * s_.c_out + g * mg_) * S; }

  // Y_g = W_g * X_g: X is already the [Cin/group, S] right-hand side; blocks of rows x columns.
  void run_pointwise(ops::KernelContext& ctx, const ConvRun& r, int64_t S) const {
    const int64_t units = r.batch * s_.group;
    const int threads = ctx.pool().threads();
    const Split sp = units >= threads ? Split{mg_, S, 1, 1}
                                      : plan_split(mg_, S, kd_, k_.mr, k_.nr, true, true, threads);
    const int64_t per = sp.tasks();
    auto task = [&](int64_t t) {
      const int64_t u = t / per, b = t % per, n = u / s_.group, g = u % s_.group;
      const int64_t m0 = (b / sp.nt) * sp.mb, n0 = (b % sp.nt) * sp.nb;
      const int64_t m1 = std::min(mg_, m0 + sp.mb), n1 = std::min(S, n0 + sp.nb);
      packed_[size_t(g)].multiply(k_, m0, m1, n1 - n0, image(r, n, g) + n0, S, out(r, n, g, S) + n0, S,
                                  block_epilogue(epilogue(r, n, g, S), 0, n0));
    };
    if (units * per == 1) return task(0);
    ctx.pool().parallel_for(units * per, 1, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) task(t);
    });
  }

  void run_im2col(ops::KernelContext& ctx, const ConvRun& r, int64_t S) const {
    const int64_t units = r.batch * s_.group, cg = s_.c_in / s_.group;
    const int threads = ctx.pool().threads();
    const int64_t nr = std::max(k_.nr, 8);
    // Every tile streams all of W (from DRAM inside a network): a layer a little wider than the
    // budget is one tile, a quarter over it, not a full tile and a sliver. ResNet-50's layer3.0
    // downsample (S = 196, 512 -> 1024) was cut 192 + 4 and read its 2 MB of weights twice;
    // one tile: 0.88x / 0.95x its time (per-node medians, two runs, load 13). Not for wider
    // layers: layer2.0's (S = 784) as 2 x 392 instead of 384 + 384 + 16 was 1.17x / 1.6x slower.
    const int64_t budget = std::max<int64_t>(4 * nr, round_up(kColBudget / std::max<int64_t>(kd_, 1), nr));
    int64_t tw = S <= budget + budget / 4 ? S : budget;
    int64_t tiles = ceil_div(S, tw);
    if (threads > 1 && tiles < 4 * threads && units < threads && S >= threads * 2 * nr) {
      // Few tiles: a multiple of the thread count, of equal widths, so none idles at the end
      // (ResNet-50's layer3.0 downsample, S = 196, was cut 192 + 4: 1.23x on 2 threads).
      tiles = round_up(tiles, threads);
      tw = round_up(ceil_div(S, tiles), 8);
      tiles = ceil_div(S, tw);
    }
    const double macs = double(mg_) * double(S) * double(kd_) * double(units);
    if (threads > 1 && units * tiles < threads && macs > 1.0e6) {
      // Too few column tiles to go round (deep layers, 7x7 outputs): one column matrix per
      // image and group, its rows of output channels split across the threads.
      for (int64_t u = 0; u < units; ++u) {
        const int64_t n = u / s_.group, g = u % s_.group;
        float* col = thread_scratch(1, size_t(kd_ * S));
        im2col_2d(image(r, n, g), cg, r.geom, 0, S, col);
        const Split sp = plan_split(mg_, S, kd_, k_.mr, k_.nr, true, false, threads);
        const GemmEpilogue ep = epilogue(r, n, g, S);
        ctx.pool().parallel_for(sp.tasks(), 1, [&](int64_t t0, int64_t t1) {
          for (int64_t t = t0; t < t1; ++t) {
            const int64_t m0 = (t / sp.nt) * sp.mb, n0 = (t % sp.nt) * sp.nb;
            const int64_t m1 = std::min(mg_, m0 + sp.mb), n1 = std::min(S, n0 + sp.nb);
            packed_[size_t(g)].multiply(k_, m0, m1, n1 - n0, col + n0, S, out(r, n, g, S) + n0, S,
                                        block_epilogue(ep, 0, n0));
          }
        });
      }
      return;
    }
    auto task = [&](int64_t t) {
      const int64_t u = t / tiles, n = u / s_.group, g = u % s_.group;
      const int64_t s0 = (t % tiles) * tw, len = std::min(tw, S - s0);
      float* col = thread_scratch(1, size_t(kd_ * len));
      im2col_2d(image(r, n, g), cg, r.geom, s0, s0 + len, col);
      packed_[size_t(g)].multiply(k_, 0, mg_, len, col, len, out(r, n, g, S) + s0, S,
                                  block_epilogue(epilogue(r, n, g, S), 0, s0));
    };
    if (units * tiles == 1 || threads == 1) {
      for (int64_t t = 0; t < units * tiles; ++t) task(t);
      return;
    }
    ctx.pool().parallel_for(units * tiles, 1, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) task(t);
    });
  }

  ConvSetup s_;
  const kernels::F32GemmKernels& k_;
  int64_t mg_ = 0, kd_ = 0;
  std::vector<PackedA> packed_;
  bool pointwise_ = false;
  std::string name_1x1_, name_;
};

std::unique_ptr<ops::Kernel> make(const ir::Node& node, bool fused) {
  if (!f32_with_rank(node, 0) || node.inputs[0]->type.dims.size() != 4) return nullptr;
  const Tensor* w = constant_input(node, 1);
  if (!w || w->dtype() != DType::Float32 || w->rank() != 4) return nullptr;
  for (size_t i = 2; i < node.inputs.size(); ++i)
    if (has_input(node, i) && node.inputs[i]->type.dtype != DType::Float32) return nullptr;
  if (!fused && node.inputs.size() > 3) return nullptr;
  ConvSetup s;
  s.node = node.describe();
  s.group = node.attr_int("group", 1);
  EMBER_CHECK(s.group >= 1, InvalidModel, s.node, ": group must be >= 1, given ", s.group);
  s.window = ops::nn::WindowAttrs::parse(node, false);
  s.c_out = w->dim(0);
  s.c_in = w->dim(1) * s.group;
  s.kh = w->dim(2);
  s.kw = w->dim(3);
  EMBER_CHECK(s.c_out % s.group == 0, ShapeMismatch, s.node, ": output channels M=", s.c_out,
              " of W are not divisible by group=", s.group);
  const ir::Dim& c = node.inputs[0]->type.dims[1];
  EMBER_CHECK(!c.known() || c.value == s.c_in, ShapeMismatch, s.node, ": input channels mismatch: W ",
              dims_str(w->shape()), " with group=", s.group, " expects C=", s.c_in, ", given ", c.value);
  s.weight = w;
  s.fused = fused;
  const auto& out = node.outputs[0]->type.dims;
  if (out.size() == 4 && out[2].known() && out[3].known()) s.out_positions = out[2].value * out[3].value;
  const auto& in = node.inputs[0]->type.dims;
  if (in.size() == 4 && in[2].known() && in[3].known()) {
    s.in_h = in[2].value;
    s.in_w = in[3].value;
  }
  if (fused) s.act = parse_activation(node);
  if (s.group > 1 && s.group == s.c_in && s.group == s.c_out) return make_depthwise_conv(s);
  if (auto k = make_gemv_conv(s)) return k;
  if (auto k = make_smallk_conv(s)) return k;
  if (const DirectForm form = choose_direct_form(s); form != DirectForm::None) return make_direct_conv(s, form);
  const kernels::F32GemmKernels& k = *kernels::kernel_table().f32_gemm;
  return std::make_unique<GemmConvKernel>(s, k);
}

}  // namespace

std::unique_ptr<ops::Kernel> make_conv(const ir::Node& node, const runtime::BackendOptions&) {
  return make(node, false);
}

std::unique_ptr<ops::Kernel> make_fused_conv(const ir::Node& node, const runtime::BackendOptions&) {
  return make(node, true);
}

}  // namespace ember::backends::gemm_conv
