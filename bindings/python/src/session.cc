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

bool is_string_kind(const py::dtype& dt) {
  const char k = dt.kind();
  return k == 'O' || k == 'U' || k == 'S';
}

// numpy str/bytes/object arrays become string tensors (UTF-8); ndarray.cc handles numbers.
Tensor tensor_from_strings(const py::array& a, const std::string& what) {
  py::module_ np = py::module_::import("numpy");
  Dims shape(a.shape(), a.shape() + a.ndim());
  Tensor t(DType::String, shape);
  std::string* out = t.data<std::string>();
  py::list flat = np.attr("ravel")(a).attr("tolist")();
  for (size_t i = 0; i < flat.size(); ++i) {
    py::handle e = flat[i];
    if (py::isinstance<py::str>(e)) out[i] = e.cast<std::string>();
    else if (py::isinstance<py::bytes>(e)) out[i] = std::string(py::reinterpret_borrow<py::bytes>(e));
    else
      fail(Status::TypeMismatch, what, ": element ", i, " of a string array is ",
           py::str(py::type::of(e).attr("__name__")).cast<std::string>(), ", expected str or bytes");
  }
  return t;
}

Tensor tensor_from_object(const py::handle& value, const std::string& what) {
  // Array-likes (nested lists, scalars) become arrays; numpy chooses their dtype.
  py::array arr = py::array::ensure(value);
  EMBER_CHECK(arr, InvalidArgument, what, ": expected a numpy array or array-like");
  if (is_string_kind(arr.dtype())) return tensor_from_strings(arr, what);
  return tensor_from_array(std::move(arr), what);
}

// String tensors come back as object arrays of str (bytes where the data is not UTF-8), as
// onnx and onnxruntime return them.
py::object array_from_any(Tensor t) {
  if (t.dtype() != DType::String) return array_from_tensor(std::move(t));
  py::list items;
  const std::string* s = t.data<std::string>();
  for (int64_t i = 0; i < t.numel(); ++i) {
    PyObject* u = PyUnicode_DecodeUTF8(s[i].data(), py::ssize_t(s[i].size()), "strict");
    if (u) {
      items.append(py::reinterpret_steal<py::object>(u));
    } else {
      PyErr_Clear();
      items.append(py::bytes(s[i]));
    }
  }
  py::module_ np = py::module_::import("numpy");
  py::object arr = np.attr("empty")(py::int_(t.numel()), py::arg("dtype") = "object");
  for (size_t i = 0; i < items.size(); ++i) arr.attr("__setitem__")(py::int_(i), items[i]);
  std::vector<py::ssize_t> shape(t.shape().begin(), t.shape().end());
  return arr.attr("reshape")(py::tuple(py::cast(shape)));
}

// A feed for an input of declared type `type`: None is an empty optional, a list or tuple fed
// to a sequence input is a sequence of tensors, anything else one tensor.
ops::RtValue value_from_object(const py::handle& value, const ir::TypeInfo& type, const std::string& what) {
  ops::RtValue v;
  if (value.is_none()) {
    v.is_none = true;  // the runtime refuses it for a non-optional input
    return v;
  }
  const ir::TypeInfo* inner = &type;
  if (type.kind == ir::ValueKind::Optional && type.elem) inner = type.elem.get();
  if (inner->kind == ir::ValueKind::Sequence) {
    EMBER_CHECK(py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value), InvalidArgument, what,
                ": a sequence input takes a list of arrays, got ",
                py::str(py::type::of(value).attr("__name__")).cast<std::string>());
    std::vector<Tensor> elems;
    size_t j = 0;
    for (py::handle e : value) {
      const std::string ew = what + "[" + std::to_string(j++) + "]";
      EMBER_CHECK(!e.is_none(), InvalidArgument, ew, ": a sequence element cannot be None");
      elems.push_back(tensor_from_object(e, ew));
    }
    v.sequence = std::make_shared<const std::vector<Tensor>>(std::move(elems));
    return v;
  }
  v.tensor = tensor_from_object(value, what);
  return v;
}

// A result: a list for a sequence, None for an empty optional, else an array.
py::object object_from_value(ops::RtValue v) {
  if (v.is_none) return py::none();
  if (v.is_sequence()) {
    py::list out;
    for (const Tensor& t : *v.sequence) out.append(array_from_any(t));
    return out;
  }
  return array_from_any(std::move(v.tensor));
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
    runtime::ValueFeeds values;
    values.reserve(feeds.size());
    for (auto [key, value] : feeds) {
      EMBER_CHECK(py::isinstance<py::str>(key), InvalidArgument, "run: input names must be str");
      std::string name = key.cast<std::string>();
      // An unknown name gets its error from the runtime; its value is taken as a tensor.
      static const ir::TypeInfo kTensor;
      const ir::TypeInfo* type = &kTensor;
      for (const runtime::IoInfo& info : session_->inputs())
        if (info.name == name) type = &info.type;
      ops::RtValue v = value_from_object(value, *type, "input '" + name + "'");
      values.emplace_back(std::move(name), std::move(v));
    }
    std::vector<ops::RtValue> results;
    {
      py::gil_scoped_release nogil;
      results = session_->run_values(values, names);
    }
    py::list out;
    for (ops::RtValue& r : results) out.append(object_from_value(std::move(r)));
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
           "Runs the model without the GIL; returns a list of numpy arrays (lists for sequences, None for empty optionals).");
  // For the tests: where the data of the tensor made from `a` lives (a's own buffer when the
  // array was wrapped without a copy).
  m.def("_input_address", [](py::array a) {
    return reinterpret_cast<uintptr_t>(tensor_from_array(std::move(a), "array").raw());
  });
}

}  // namespace ember::python
