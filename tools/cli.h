// The `ember` command line as a library function, so the executable (main.cc), the Python
// package and the tests all run exactly the same code in-process.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace ember::cli {

// Runs one command line; `args` excludes the program name (e.g. {"run", "m.onnx"}).
// Returns the exit status: 0 success, 1 an error while doing the work (message on `err` as
// "ember: error: ..."), 2 a usage error (message and usage on `err`). Never throws.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ember::cli
