// ember._ember.quantize: quantize a model file (opt::quantize::quantize_file) with feeds given
// as Python lists of dicts; ember/_quantize.py checks the arguments and wraps the result.
#include "quantize.h"

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <pybind11/stl.h>

#include "ndarray.h"
#include "opt/quantize/quantize_file.h"
#include "support/error.h"

namespace py = pybind11;

namespace ember::python {

namespace {

using opt::quantize::FeedSet;
using opt::quantize::QuantizeMode;

// The feed dicts as tensors, converted now (with the GIL); the tensors keep their arrays alive.
FeedSet feeds_from(const py::object& items, const std::string& what) {
  auto all = std::make_shared<std::vector<runtime::Feeds>>();
  if (!items.is_none()) {
    size_t i = 0;
    for (const py::handle& item : items) {
      const std::string name = what + " feed " + std::to_string(i);
      EMBER_CHECK(py::isinstance<py::dict>(item), InvalidArgument, name, ": expected a dict of input name -> array, got ",
                  py::str(py::type::of(item).attr("__name__")).cast<std::string>());
      runtime::Feeds f;
      for (const auto& [k, v] : py::reinterpret_borrow<py::dict>(item)) {
        const std::string key = py::str(k).cast<std::string>();
        py::array arr = py::array::ensure(v);
        EMBER_CHECK(arr, InvalidArgument, name, ": '", key, "' is not an array");
        f.emplace_back(key, tensor_from_array(std::move(arr), name + " '" + key + "'"));
      }
      all->push_back(std::move(f));
      ++i;
    }
  }
  FeedSet set;
  set.count = all->size();
  set.get = [all](size_t i) { return (*all)[i]; };
  set.describe = [what](size_t i) { return what + " feed " + std::to_string(i); };
  return set;
}

QuantizeMode mode_from(const std::string& m) {
  if (m == "static") return QuantizeMode::Static;
  if (m == "dynamic") return QuantizeMode::Dynamic;
  if (m == "weight-only") return QuantizeMode::WeightOnly;
  if (m == "fp16") return QuantizeMode::Fp16;
  fail(Status::InvalidArgument, "unknown quantization mode '", m, "'");
}

py::dict quantize_file(const py::object& src, const py::object& dst, const std::string& mode,
                       const py::object& calibration, const std::string& method, double percentile, bool per_channel, bool reduce_range,
                       const std::string& weight_type, int64_t block_size, const py::object& eval,
                       const std::string& label, int runs, int threads, bool progress) {
  py::module_ os = py::module_::import("os");
  const std::string in = os.attr("fsdecode")(src).cast<std::string>();
  const std::string out = os.attr("fsdecode")(dst).cast<std::string>();
  opt::quantize::QuantizeFileOptions o;
  o.mode = mode_from(mode);
  o.calibration.method = opt::quantize::parse_calibration_method(method);
  o.calibration.percentile = percentile;
  o.calibration.progress = progress;
  o.per_channel = per_channel;
  o.reduce_range = reduce_range;
  EMBER_CHECK(weight_type == "int8" || weight_type == "int4", InvalidArgument,
              "weight_only must be 'int8' or 'int4', got '", weight_type, "'");
  o.weight_type = weight_type == "int4" ? DType::Int4 : DType::Int8;
  o.block_size = block_size;
  o.label = label;
  o.latency_runs = runs;
  o.threads = threads;
  o.calibration_feeds = feeds_from(calibration, "calibration");
  o.eval_feeds = feeds_from(eval, "evaluation");
  opt::quantize::QuantizeFileReport r;
  {
    py::gil_scoped_release nogil;  // calibration and timing run the model many times
    r = opt::quantize::quantize_file(in, out, o);
  }
  std::ostringstream text;
  opt::quantize::print_quantize_report(r, text);
  const auto& m = r.measured;
  py::dict d;
  d["input_path"] = r.input_path;
  d["output_path"] = r.output_path;
  d["mode"] = std::string(opt::quantize::mode_name(r.mode));
  d["details"] = r.details;
  d["rewrites"] = r.rewrites;
  d["ops_after"] = r.ops_after;
  d["bytes_before"] = r.bytes_before;
  d["bytes_after"] = r.bytes_after();
  d["latency_before_ms"] = m.runs ? py::object(py::float_(m.latency_before_ms)) : py::object(py::none());
  d["latency_after_ms"] = m.runs ? py::object(py::float_(m.latency_after_ms)) : py::object(py::none());
  d["top1_before"] = m.has_accuracy ? py::object(py::float_(m.before.top1())) : py::object(py::none());
  d["top1_after"] = m.has_accuracy ? py::object(py::float_(m.after.top1())) : py::object(py::none());
  d["eval_rows"] = m.before.total;
  d["report"] = text.str();
  d["json"] = opt::quantize::quantize_report_json(r);
  return d;
}

}  // namespace

void bind_quantize(pybind11::module_& m) {
  m.def("quantize", &quantize_file, py::arg("src"), py::arg("dst"), py::arg("mode"), py::arg("calibration"),
        py::arg("method"), py::arg("percentile"), py::arg("per_channel"), py::arg("reduce_range"), py::arg("weight_type"),
        py::arg("block_size"), py::arg("eval"), py::arg("label"), py::arg("runs"), py::arg("threads"),
        py::arg("progress"), "Quantizes the model file src and saves it to dst; returns a summary dict.");
}

}  // namespace ember::python
