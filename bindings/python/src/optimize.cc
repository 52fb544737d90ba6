// ember._ember.optimize: optimize a model file and save it (opt::optimize_file). The Python
// wrapper ember.optimize (ember/_optimize.py) turns the returned dict into a result object.
#include "optimize.h"

#include <string>

#include <pybind11/stl.h>

#include "opt/save.h"

namespace py = pybind11;

namespace ember::python {

namespace {

py::dict optimize_file(const py::object& src, const py::object& dst, int level, int64_t stop_after) {
  py::module_ os = py::module_::import("os");
  const std::string in = os.attr("fsdecode")(src).cast<std::string>();
  const std::string out = os.attr("fsdecode")(dst).cast<std::string>();
  opt::OptimizeFileOptions options;
  options.level = level;
  options.stop_after = stop_after;
  opt::OptimizeFileReport r;
  {
    py::gil_scoped_release nogil;  // loading, optimizing and writing a large model takes a while
    r = opt::optimize_file(in, out, options);
  }
  py::dict d;
  d["input_path"] = r.input_path;
  d["output_path"] = r.output_path;
  d["data_path"] = r.saved.data_path.empty() ? py::object(py::none()) : py::object(py::str(r.saved.data_path));
  d["level"] = r.level;
  d["was_optimized"] = r.was_optimized;
  d["nodes_before"] = r.nodes_before;
  d["nodes_after"] = r.nodes_after;
  d["rewrites"] = r.rewrites;
  d["fused_ops"] = r.fused_ops;
  d["input_bytes"] = r.input_bytes;
  d["model_bytes"] = r.saved.model_bytes;
  d["data_bytes"] = r.saved.data_bytes;
  d["external_tensors"] = r.saved.external_tensors;
  d["load_ms"] = r.load_ms;
  d["optimize_ms"] = r.optimize_ms;
  d["save_ms"] = r.save_ms;
  return d;
}

}  // namespace

void bind_optimize(pybind11::module_& m) {
  m.def("optimize", &optimize_file, py::arg("src"), py::arg("dst"), py::arg("level") = 3,
        py::arg("stop_after") = -1, "Optimizes the model file src and saves it to dst; returns a summary dict.");
}

}  // namespace ember::python
