#include "backend_test_util.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "ops/graph_inference.h"
#include "runtime/plan.h"
#include "runtime/session.h"

namespace ember::test {

namespace {

// A model with `copies` independent nodes computing `r` (node k reads in<i>_<k>, writes out_<k>).
std::shared_ptr<ir::Model> one_node_model(const OpRun& r, int copies, runtime::Feeds* feeds) {
  auto model = std::make_shared<ir::Model>();
  model->ir_version = 8;
  model->opset_imports[""] = 17;
  model->opset_imports[r.domain] = r.opset;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  g.name = "backend_test_" + r.op_type;
  for (int k = 0; k < copies; ++k) {
    auto node = std::make_unique<ir::Node>();
    node->name = r.op_type + "_" + std::to_string(k);
    node->op_type = r.op_type;
    node->domain = r.domain;
    node->opset = r.opset;
    for (size_t i = 0; i < r.inputs.size(); ++i) {
      if (!r.inputs[i].defined()) {
        node->inputs.push_back(nullptr);
        continue;
      }
      ir::Value* v = g.add_value("in" + std::to_string(i) + "_" + std::to_string(k));
      v->type = ir::TypeInfo::tensor(r.inputs[i].dtype(), r.inputs[i].shape());
      if (std::find(r.constant_inputs.begin(), r.constant_inputs.end(), i) != r.constant_inputs.end()) {
        v->constant = r.inputs[i];
        g.initializers.push_back(v);
      } else {
        v->is_input = true;
        g.inputs.push_back(v);
        if (feeds) feeds->emplace_back(v->name, r.inputs[i]);
      }
      node->inputs.push_back(v);
    }
    ir::Value* out = g.add_value("out_" + std::to_string(k));
    out->is_output = true;
    g.outputs.push_back(out);
    node->outputs.push_back(out);
    for (const ir::Attribute& a : r.attrs) node->attrs[a.name] = a;
    g.add_node(std::move(node));
  }
  return model;
}

}  // namespace

std::vector<Tensor> run_with_backend(const OpRun& r, const std::string& backend, int threads) {
  runtime::Feeds feeds;
  auto model = one_node_model(r, 1, &feeds);
  runtime::SessionOptions opts;
  opts.threads = threads;
  opts.cpu_backend = backend;
  return runtime::Session::from_model(model, opts)->run(feeds);
}

std::vector<std::string> kernel_names(const OpRun& r, const std::string& backend, int threads, int copies) {
  auto model = one_node_model(r, copies, nullptr);
  ops::infer_graph(*model->graph, ops::OpRegistry::global());
  auto plan = runtime::Plan::build(*model->graph, runtime::find_backend("cpu"),
                                   runtime::BackendOptions{backend, threads});
  std::vector<std::string> names;
  for (const runtime::Step& s : plan->steps()) names.push_back(s.kernel->name());
  return names;
}

Tensor ref_conv(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p) {
  const size_t nd = x.rank() - 2;
  const int64_t N = x.dim(0), C = x.dim(1), M = w.dim(0), G = p.group, Cg = C / G, Mg = M / G;
  Dims in(nd), k(nd), s(nd, 1), d(nd, 1), pb(nd, 0), out(nd);
  for (size_t i = 0; i < nd; ++i) {
    in[i] = x.dim(i + 2);
    k[i] = w.dim(i + 2);
    if (!p.strides.empty()) s[i] = p.strides[i];
    if (!p.dilations.empty()) d[i] = p.dilations[i];
    if (!p.pads.empty()) pb[i] = p.pads[i];
    const int64_t pe = p.pads.empty() ? 0 : p.pads[nd + i];
    out[i] = (in[i] + pb[i] + pe - ((k[i] - 1) * d[i] + 1)) / s[i] + 1;
  }
  Dims yshape = {N, M};
  yshape.insert(yshape.end(), out.begin(), out.end());
  Tensor y(DType::Float32, yshape);
  const int64_t osz = dims_numel(out), ksz = dims_numel(k), isz = dims_numel(in);
  const float* X = x.data<float>();
  const float* W = w.data<float>();
  float* Y = y.data<float>();
  std::vector<int64_t> oc(nd), kc(nd);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t o = 0; o < osz; ++o) {
        for (int64_t r = o, i = int64_t(nd) - 1; i >= 0; --i) oc[i] = r % out[i], r /= out[i];
        double acc = b.defined() ? b.data<float>()[m] : 0.0;
        const int64_t g = m / Mg;
        for (int64_t c = 0; c < Cg; ++c)
          for (int64_t kk = 0; kk < ksz; ++kk) {
            for (int64_t r = kk, i = int64_t(nd) - 1; i >= 0; --i) kc[i] = r % k[i], r /= k[i];
            int64_t off = 0;
            bool inside = true;
            for (size_t i = 0; i < nd && inside; ++i) {
              const int64_t pos = oc[i] * s[i] - pb[i] + kc[i] * d[i];
              inside = pos >= 0 && pos < in[i];
              off = off * in[i] + pos;
            }
            if (inside) acc += double(X[(n * C + g * Cg + c) * isz + off]) * W[(m * Cg + c) * ksz + kk];
          }
        Y[(n * M + m) * osz + o] = float(acc);
      }
  return y;
}

namespace {

// Element offset in a tensor of shape `shape` for the output index `idx` of shape `out`,
// broadcasting size-1 (or missing leading) dims.
int64_t broadcast_offset(const Dims& shape, const Dims& out, const std::vector<int64_t>& idx) {
  int64_t off = 0;
  const size_t lead = out.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i) off = off * shape[i] + (shape[i] == 1 ? 0 : idx[lead + i]);
  return off;
}

}  // namespace

Tensor ref_matmul(const Tensor& a, const Tensor& b, bool ta, bool tb, double alpha) {
  const size_t r = std::max(a.rank(), b.rank());
  const int64_t M = ta ? a.dim(a.rank() - 1) : a.dim(a.rank() - 2);
  const int64_t K = ta ? a.dim(a.rank() - 2) : a.dim(a.rank() - 1);
  const int64_t N = tb ? b.dim(b.rank() - 2) : b.dim(b.rank() - 1);
  Dims abatch(a.shape().begin(), a.shape().end() - 2), bbatch(b.shape().begin(), b.shape().end() - 2);
  abatch.insert(abatch.begin(), r - a.rank(), 1);
  bbatch.insert(bbatch.begin(), r - b.rank(), 1);
  Dims batch(r - 2);
  for (size_t i = 0; i < r - 2; ++i) batch[i] = std::max(abatch[i], bbatch[i]);
  Dims yshape = batch;
  yshape.push_back(M);
  yshape.push_back(N);
  Tensor y(DType::Float32, yshape);
  const int64_t nb = dims_numel(batch);
  std::vector<int64_t> idx(r - 2);
  for (int64_t q = 0; q < nb; ++q) {
    for (int64_t t = q, i = int64_t(r) - 3; i >= 0; --i) idx[i] = t % batch[i], t /= batch[i];
    const float* A = a.data<float>() + broadcast_offset(abatch, batch, idx) * M * K;
    const float* B = b.data<float>() + broadcast_offset(bbatch, batch, idx) * K * N;
    float* Y = y.data<float>() + q * M * N;
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        double acc = 0;
        for (int64_t k = 0; k < K; ++k)
          acc += double(ta ? A[k * M + m] : A[m * K + k]) * (tb ? B[n * K + k] : B[k * N + n]);
        Y[m * N + n] = float(alpha * acc);
      }
  }
  return y;
}

void ref_add(Tensor& y, const Tensor& c, double beta) {
  const Dims& out = y.shape();
  std::vector<int64_t> idx(out.size());
  float* Y = y.data<float>();
  for (int64_t e = 0; e < y.numel(); ++e) {
    for (int64_t t = e, i = int64_t(out.size()) - 1; i >= 0; --i) idx[i] = t % out[i], t /= out[i];
    Y[e] = float(double(Y[e]) + beta * c.data<float>()[broadcast_offset(c.shape(), out, idx)]);
  }
}

void ref_activation(Tensor& y, const std::string& act, const std::vector<float>& p) {
  float* Y = y.data<float>();
  for (int64_t i = 0; i < y.numel(); ++i) {
    const double x = Y[i];
    double v = x;
    if (act == "Relu") v = std::max(x, 0.0);
    else if (act == "LeakyRelu") v = x >= 0 ? x : p[0] * x;
    else if (act == "Clip") v = std::min(std::max(x, double(p[0])), double(p[1]));
    else if (act == "Sigmoid") v = 1.0 / (1.0 + std::exp(-x));
    else if (act == "HardSigmoid") v = std::min(1.0, std::max(0.0, p[0] * x + p[1]));
    else if (act == "HardSwish") v = x * std::min(1.0, std::max(0.0, x / 6.0 + 0.5));
    else if (act == "Silu") v = x / (1.0 + std::exp(-x));
    else if (act == "Gelu") v = 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
    else if (act == "GeluTanh") v = 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
    else REQUIRE_MESSAGE(act.empty(), "unknown activation ", act);
    Y[i] = float(v);
  }
}

}  // namespace ember::test
