#include "backends/onednn/primitive_kernel.h"

#include <omp.h>

#include <algorithm>
#include <cstring>

namespace ember::backends::onednn {

using dnnl::algorithm;
using dnnl::memory;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

void use_threads(int threads) {
  const int want = std::max(1, threads);
  if (omp_get_max_threads() != want) omp_set_num_threads(want);
}

memory::dims to_dnnl(const Dims& d) { return memory::dims(d.begin(), d.end()); }

memory::dims row_major_strides(const Dims& d) {
  const Dims s = dims_strides(d);
  return memory::dims(s.begin(), s.end());
}

memory::desc plain_desc(const Dims& d) {
  return memory::desc(to_dnnl(d), memory::data_type::f32, row_major_strides(d));
}

dnnl::primitive_attr make_attr(const dnnl::post_ops& ops) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  attr.set_post_ops(ops);
  return attr;
}

bool append_activation(const ir::Node& node, dnnl::post_ops& ops) {
  const ir::Attribute* a = node.attr("activation");
  const ir::Attribute* p = node.attr("activation_params");
  if ((a && a->type != ir::AttrType::String) || (p && p->type != ir::AttrType::Floats)) return false;
  const std::string act = a ? a->s : "";
  const std::vector<float> params = p ? p->floats : std::vector<float>{};
  auto want = [&](size_t n) { return params.size() == n; };
  if (act.empty()) return want(0);
  if (act == "Relu" && want(0)) {
    ops.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f);
  } else if (act == "LeakyRelu" && want(1)) {
    ops.append_eltwise(1.0f, algorithm::eltwise_relu, params[0], 0.0f);
  } else if (act == "Clip" && want(2) && params[0] <= params[1]) {
    ops.append_eltwise(1.0f, algorithm::eltwise_clip, params[0], params[1]);
  } else if (act == "Sigmoid" && want(0)) {
    ops.append_eltwise(1.0f, algorithm::eltwise_logistic, 0.0f, 0.0f);
  } else if (act == "HardSigmoid" && want(2)) {  // max(0, min(1, alpha*x + beta))
    ops.append_eltwise(1.0f, algorithm::eltwise_linear, params[0], params[1]);
    ops.append_eltwise(1.0f, algorithm::eltwise_clip, 0.0f, 1.0f);
  } else if (act == "HardSwish" && want(0)) {  // x * relu6(x + 3) / 6, ONNX's definition
    ops.append_eltwise(1.0f, algorithm::eltwise_hardswish, 0.0f, 0.0f);
  } else if (act == "Silu" && want(0)) {
    ops.append_eltwise(1.0f, algorithm::eltwise_swish, 1.0f, 0.0f);
  } else if (act == "Gelu" && want(0)) {
    ops.append_eltwise(1.0f, algorithm::eltwise_gelu_erf, 0.0f, 0.0f);
  } else if (act == "GeluTanh" && want(0)) {
    ops.append_eltwise(1.0f, algorithm::eltwise_gelu_tanh, 0.0f, 0.0f);
  } else {
    return false;
  }
  return true;
}

namespace {

// One stream per calling thread: a session may run from several threads at once.
dnnl::stream& thread_stream() {
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

// The scratchpad of the calling thread, grown on demand (user scratchpad mode: concurrent
// runs of one primitive must not share the library's).
void* thread_scratch(size_t bytes) {
  thread_local Tensor buffer;
  if (bytes == 0) return nullptr;
  if (!buffer.defined() || buffer.nbytes() < bytes) buffer = Tensor(DType::UInt8, {int64_t(bytes)});
  return buffer.raw();
}

}  // namespace

memory prepare_constant(const Tensor& t, const memory::desc& plain, const memory::desc& want, float scale) {
  EMBER_CHECK(t.dtype() == DType::Float32, Runtime, "oneDNN constant must be float32");
  Tensor staged = t;
  if (scale != 1.0f) {
    staged = t.clone();
    float* d = staged.data<float>();
    for (int64_t i = 0; i < staged.numel(); ++i) d[i] *= scale;
  }
  memory src(plain, cpu_engine(), const_cast<void*>(staged.raw()));
  memory dst(want, cpu_engine());  // owned by oneDNN, lives as long as the kernel
  dnnl::stream& s = thread_stream();
  dnnl::reorder(src, dst).execute(s, src, dst);
  s.wait();
  return dst;
}

void PrimitiveKernel::run(ops::KernelContext& ctx) const {
  for (const auto& [i, shape] : s_.input_shapes) {
    const Tensor& t = ctx.input(size_t(i));
    EMBER_CHECK(t.dtype() == DType::Float32, TypeMismatch, s_.node, ": input ", i, " must be float32, given ",
                dtype_name(t.dtype()));
    EMBER_CHECK(t.shape() == shape, ShapeMismatch, s_.node, ": input ", i, " has shape ", dims_str(t.shape()),
                "; the kernel was built for ", dims_str(shape));
  }
  Tensor& y = ctx.output(0, DType::Float32, s_.out_shape);
  if (s_.sum_input >= 0) {
    const Tensor& z = ctx.input(size_t(s_.sum_input));
    if (z.raw() != y.raw()) std::memcpy(y.raw(), z.raw(), y.nbytes());
  }
  dnnl::engine& eng = cpu_engine();
  std::unordered_map<int, memory> args;
  for (const Arg& a : s_.args) {
    if (a.input < 0) {
      args.emplace(a.dnnl_arg, a.constant);
    } else {
      args.emplace(a.dnnl_arg, memory(a.desc, eng, const_cast<void*>(ctx.input(size_t(a.input)).raw())));
    }
  }
  args.emplace(DNNL_ARG_DST, memory(s_.dst, eng, y.raw()));
  args.emplace(DNNL_ARG_SCRATCHPAD, memory(s_.scratchpad, eng, thread_scratch(s_.scratchpad.get_size())));
  use_threads(s_.threads);
  dnnl::stream& stream = thread_stream();
  s_.primitive.execute(stream, args);
  stream.wait();
}

}  // namespace ember::backends::onednn
