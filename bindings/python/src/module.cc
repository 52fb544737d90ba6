// Entry point of the ember._ember extension module.
#include <iostream>
#include <string>
#include <vector>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "errors.h"
#include "session.h"
#include "optimize.h"
#include "quantize.h"
#include "support/error.h"

#ifdef EMBER_PY_HAVE_CLI
#include "tools/cli.h"
#endif

namespace py = pybind11;

namespace {

// Runs the `ember` command line in-process, writing to this process's stdout/stderr.
int run_cli(const std::vector<std::string>& args) {
#ifdef EMBER_PY_HAVE_CLI
  // Python's buffered output must come out before the CLI's, not interleaved after it.
  py::module_ sys = py::module_::import("sys");
  for (const char* stream : {"stdout", "stderr"}) {
    py::object s = sys.attr(stream);
    if (!s.is_none()) s.attr("flush")();
  }
  int rc;
  {
    py::gil_scoped_release nogil;  // `ember bench` may run for a long time
    rc = ember::cli::run_cli(args, std::cout, std::cerr);
    std::cout.flush();
    std::cerr.flush();
  }
  return rc;
#else
  (void)args;
  ember::fail(ember::Status::Unsupported, "this build of the ember module has no command line (EMBER_BUILD_CLI=OFF)");
#endif
}

}  // namespace

PYBIND11_MODULE(_ember, m) {
  m.doc() = "Ember inference runtime (native part; use the `ember` package)";
  m.attr("__version__") = EMBER_VERSION_STRING;
  ember::python::bind_errors(m);
  ember::python::bind_session(m);
  ember::python::bind_optimize(m);
  ember::python::bind_verify(m);
  ember::python::bind_quantize(m);
  m.def("run_cli", &run_cli, py::arg("args"), "Runs the ember command line with these arguments; returns the exit code.");
}
