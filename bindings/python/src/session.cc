// Binds runtime::Session as ember._ember.Session. The Python class ember.Session wraps it and
// builds the TensorInfo objects; this layer only converts values and manages the GIL.
#include "session.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/stl.h>

#include "ndarray.h"
#include "runtime/session.h"
#include "support/error.h"

namespace py = pybind11;

namespace ember::python {

namespace {

runtime::SessionOptions parse_options(const py::dict& options) {
  runtime::SessionOptions opts;
  for (auto [key, value] : options) {
    // Options travel as strings, exactly as through the C API, so both validate alike.
    std::string v = py::isinstance<py::bool_>(value) ? (value.cast<bool>() ? "1" : "0") : py::str(value).cast<std::string>();
    opts.set(py::str(key).cast<std::string>(), v);
  }
  return opts;
}

std::unique_ptr<runtime::Session> open_session(const py::object& model, const runtime::SessionOptions& opts) {
  py::module_ os = py::module_::import("os");
  if (py::isinstance<py::str>(model) || py::hasattr(model, "__fspath__")) {
    const std::string path = os.attr("fsdecode")(model).cast<std::string>();
    py::gil_scoped_release nogil;  // parsing and planning a large model takes a while
    return runtime::Session::from_file(path, opts);
  }
  if (!PyObject_CheckBuffer(model.ptr()))
    fail(Status::InvalidArgument, "Session: model must be a path (str or os.PathLike) or bytes-like, got ",
         py::str(py::type::of(model).attr("__name__")).cast<std::string>());
  py::buffer_info buf = py::reinterpret_borrow<py::buffer>(model).request();
  EMBER_CHECK(buf.ndim <= 1 && (buf.ndim == 0 || buf.strides[0] == buf.itemsize), InvalidArgument,
              "Session: model bytes must be a contiguous one-dimensional buffer");
  const size_t size = size_t(buf.size * buf.itemsize);
  py::gil_scoped_release nogil;  // `model` (an argument) keeps the buffer alive meanwhile
  return runtime::Session::from_memory(buf.ptr, size, opts);
}

py::list io_list(const std::vector<runtime::IoInfo>& infos) {
  py::list out;
  for (const auto& info : infos) {
    py::object shape = py::none();  // rank unknown
    if (info.type.has_shape) {
      py::list dims;
      for (const ir::Dim& d : info.type.dims) dims.append(d.known() ? py::object(py::int_(d.value)) : py::none());
      shape = py::tuple(dims);
    }
    out.append(py::make_tuple(info.name, dtype_for_info(info.type.dtype), shape));
  }
  return out;
}

class PySession {
 public:
  PySession(const py::object& model, const py::dict& options)
      : session_(open_session(model, parse_options(options))) {}

  py::list inputs() const { return io_list(session_->inputs()); }
  py::list outputs() const { return io_list(session_->outputs()); }

  py::list run(const py::object& output_names, const py::dict& feeds) const {
    std::vector<std::string> names;
    if (!output_names.is_none()) {
      EMBER_CHECK(!py::isinstance<py::str>(output_names), InvalidArgument,
                  "run: output_names must be a list of names or None, not a single string");
      names = output_names.cast<std::vector<std::string>>();
    }
    runtime::Feeds tensors;
    tensors.reserve(feeds.size());
    for (auto [key, value] : feeds) {
      EMBER_CHECK(py::isinstance<py::str>(key), InvalidArgument, "run: input names must be str");
      std::string name = key.cast<std::string>();
      // Array-likes (lists, scalars) become arrays; numpy chooses their dtype.
      py::array arr = py::array::ensure(value);
      EMBER_CHECK(arr, InvalidArgument, "input '", name, "': expected a numpy array or array-like");
      Tensor t = tensor_from_array(std::move(arr), "input '" + name + "'");
      tensors.emplace_back(std::move(name), std::move(t));
    }
    std::vector<Tensor> results;
    {
      py::gil_scoped_release nogil;
      results = session_->run(tensors, names);
    }
    py::list out;
    for (Tensor& t : results) out.append(array_from_tensor(std::move(t)));
    return out;
  }

 private:
  std::unique_ptr<runtime::Session> session_;
};

}  // namespace

void bind_session(py::module_& m) {
  py::class_<PySession>(m, "Session")
      .def(py::init<const py::object&, const py::dict&>(), py::arg("model"), py::arg("options") = py::dict())
      .def_property_readonly("inputs", &PySession::inputs, "[(name, dtype, shape)] of the graph inputs")
      .def_property_readonly("outputs", &PySession::outputs, "[(name, dtype, shape)] of the graph outputs")
      .def("run", &PySession::run, py::arg("output_names"), py::arg("feeds"),
           "Runs the model without the GIL; returns a list of numpy arrays.");
  // For the tests: where the data of the tensor made from `a` lives (a's own buffer when the
  // array was wrapped without a copy).
  m.def("_input_address", [](py::array a) {
    return reinterpret_cast<uintptr_t>(tensor_from_array(std::move(a), "array").raw());
  });
}

}  // namespace ember::python
