#include "errors.h"

#include <array>
#include <new>

#include "support/error.h"

namespace py = pybind11;

namespace ember::python {

namespace {

constexpr size_t kStatusCount = size_t(Status::Runtime) + 1;

// Borrowed-forever references (deliberately never released): a translator may run during
// interpreter shutdown, when destroying Python objects from a static destructor is unsafe.
std::array<PyObject*, kStatusCount> g_classes{};

PyObject* class_for(Status s) {
  const size_t i = size_t(s);
  if (i < kStatusCount && g_classes[i]) return g_classes[i];
  return PyExc_RuntimeError;  // `ember` package not imported: still raise something sensible
}

void register_errors(const py::dict& by_status) {
  for (auto [key, cls] : by_status) {
    const int status = key.cast<int>();
    if (status <= 0 || size_t(status) >= kStatusCount)
      throw py::value_error("_register_errors: status code out of range: " + std::to_string(status));
    if (!PyExceptionClass_Check(cls.ptr())) throw py::type_error("_register_errors: not an exception class");
    Py_XDECREF(g_classes[status]);
    g_classes[status] = cls.inc_ref().ptr();
  }
}

}  // namespace

void bind_errors(py::module_& m) {
  m.def("_register_errors", &register_errors,
        "Internal: maps Status codes to the exception classes of ember._errors.");
  m.def("_raise_status", [](int status, const std::string& msg) { throw Error(Status(status), msg); },
        "Internal, for tests: throws ember::Error(status, msg) through the translator.");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      PyErr_SetString(class_for(e.status()), e.what());
    } catch (const std::bad_alloc&) {
      PyErr_SetString(class_for(Status::OutOfMemory), "out of memory");
    }
  });
}

}  // namespace ember::python
