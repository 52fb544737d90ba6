// doctest entry point: prints the random seed every test uses, so a failure on random
// inputs can be replayed with EMBER_TEST_SEED=<seed>.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "test_util.h"

int main(int argc, char** argv) {
  std::printf("ember unit tests: seed %llu (set EMBER_TEST_SEED to replay)\n",
              static_cast<unsigned long long>(ember::test::seed()));
  doctest::Context ctx(argc, argv);
  return ctx.run();
}
