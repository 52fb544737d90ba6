// ember.verify: the optimizer's verify mode (src/opt/verify.h) from Python. Returns a plain
// dict; ember/_verify.py wraps it in a VerifyResult.
#include <cstring>

#include <pybind11/stl.h>

#include "ndarray.h"
#include "onnx/onnx_reader.h"
#include "optimize.h"
#include "opt/verify.h"

namespace py = pybind11;

namespace ember::python {

namespace {

opt::ModelLoader loader_for(const py::object& model) {
  if (py::isinstance<py::str>(model) || py::hasattr(model, "__fspath__")) {
    const std::string path = py::module_::import("os").attr("fsdecode")(model).cast<std::string>();
    return [path] { return onnx::load_model_file(path); };
  }
  if (!PyObject_CheckBuffer(model.ptr()))
    fail(Status::InvalidArgument, "verify: model must be a path (str or os.PathLike) or bytes-like, got ",
         py::str(py::type::of(model).attr("__name__")).cast<std::string>());
  py::buffer_info buf = py::reinterpret_borrow<py::buffer>(model).request();
  EMBER_CHECK(buf.ndim <= 1 && (buf.ndim == 0 || buf.strides[0] == buf.itemsize), InvalidArgument,
              "verify: model bytes must be a contiguous one-dimensional buffer");
  // One aligned copy, shared by every load (initializers are used in place).
  auto bytes = std::make_shared<Tensor>(DType::UInt8, Dims{int64_t(buf.size * buf.itemsize)});
  if (bytes->nbytes()) std::memcpy(bytes->raw(), buf.ptr, bytes->nbytes());
  return [bytes] { return onnx::load_model_memory(bytes->raw(), bytes->nbytes(), bytes); };
}

py::list outputs_list(const std::vector<opt::OutputComparison>& cs) {
  py::list l;
  for (const auto& c : cs) {
    py::dict d;
    d["name"] = c.name;
    d["ok"] = c.ok();
    d["max_abs"] = c.max_abs;
    d["max_rel"] = c.max_rel;
    d["mismatches"] = c.mismatches;
    d["tier"] = c.tier;
    d["rtol"] = c.rtol;
    d["atol"] = c.atol;
    d["problem"] = c.problem;
    l.append(d);
  }
  return l;
}

py::dict verify_py(const py::object& model, const py::object& inputs, int level, double rtol, double atol, int threads,
                   uint64_t seed) {
  runtime::Feeds feeds;
  if (!inputs.is_none()) {
    EMBER_CHECK(py::isinstance<py::dict>(inputs), InvalidArgument, "verify: inputs must be a dict of name -> array");
    for (const auto& [k, v] : py::reinterpret_borrow<py::dict>(inputs)) {
      EMBER_CHECK(py::isinstance<py::str>(k), InvalidArgument, "verify: input names must be str");
      const std::string name = k.cast<std::string>();
      feeds.emplace_back(name, tensor_from_array(py::array::ensure(v), "input '" + name + "'"));
    }
  }
  opt::VerifyOptions o;
  o.level = level;
  o.rtol = rtol;
  o.atol = atol;
  o.threads = threads;
  o.seed = seed;
  const opt::ModelLoader load = loader_for(model);
  opt::VerifyResult r;
  {
    py::gil_scoped_release nogil;  // several full runs of the model
    r = opt::verify(load, feeds, o);
  }
  py::dict d;
  d["ok"] = r.ok;
  d["rewrites"] = r.applied;
  d["outputs"] = outputs_list(r.outputs);
  d["first_bad_index"] = r.first_bad >= 0 ? py::object(py::int_(r.first_bad)) : py::object(py::none());
  d["first_bad_rewrite"] = r.first_bad >= 0 ? py::object(py::str(r.first_bad_label)) : py::object(py::none());
  d["first_bad_outputs"] = outputs_list(r.first_bad_outputs);
  d["bisect_runs"] = r.bisect_runs;
  d["report"] = opt::format_report(r);
  return d;
}

}  // namespace

void bind_verify(py::module_& m) {
  m.def("_verify", &verify_py, py::arg("model"), py::arg("inputs"), py::arg("level"), py::arg("rtol"), py::arg("atol"),
        py::arg("threads"), py::arg("seed"));
}

}  // namespace ember::python
