// The `ember` executable: all logic is in run_cli (tools/cli.h).
#include <iostream>
#include <string>
#include <vector>

#include "tools/cli.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const int rc = ember::cli::run_cli(args, std::cout, std::cerr);
  std::cout.flush();
  return rc;
}
