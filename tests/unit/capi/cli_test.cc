// The `ember` command line, run in-process through run_cli: exit codes and messages for bad
// invocations, and run/inspect/bench on small models.
#include <doctest/doctest.h>

#ifdef EMBER_HAVE_CLI

#include <filesystem>
#include <sstream>

#include "capi/onnx_bytes.h"
#include "test_util.h"
#include "tools/cli.h"
#include "tools/npy.h"

namespace {

struct CliResult {
  int rc;
  std::string out, err;
};

CliResult cli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int rc = ember::cli::run_cli(args, out, err);
  return {rc, out.str(), err.str()};
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A fresh folder, `model.path + ".d"`, removed with the model file.
std::string temp_dir(const capi_test::TempFile& model) {
  const std::string dir = model.path + ".d";
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("capi: cli help, version and usage errors") {
  CliResult r = cli({});
  CHECK(r.rc == 2);
  CHECK(contains(r.err, "usage: ember COMMAND"));
  r = cli({"--help"});
  CHECK(r.rc == 0);
  CHECK(contains(r.out, "inspect"));
  r = cli({"--version"});
  CHECK(r.rc == 0);
  CHECK(r.out == std::string("ember ") + EMBER_VERSION_STRING + "\n");
  r = cli({"frobnicate"});
  CHECK(r.rc == 2);
  CHECK(contains(r.err, "unknown command 'frobnicate'"));
  for (const char* cmd : {"run", "bench", "inspect"}) {
    CAPTURE(cmd);
    r = cli({cmd, "--help"});
    CHECK(r.rc == 0);
    CHECK(contains(r.out, std::string("usage: ember ") + cmd));
    r = cli({cmd});
    CHECK(r.rc == 2);
    CHECK(contains(r.err, "missing MODEL"));
    r = cli({cmd, "m.onnx", "--bogus"});
    CHECK(r.rc == 2);
    CHECK(contains(r.err, "unknown option '--bogus'"));
    r = cli({cmd, "a.onnx", "b.onnx"});
    CHECK(r.rc == 2);
    r = cli({cmd, "/nonexistent/model.onnx"});
    CHECK(r.rc == 1);
    CHECK(contains(r.err, "ember: error: "));
    CHECK(contains(r.err, "/nonexistent/model.onnx"));
  }
  r = cli({"bench", "m.onnx", "--iterations", "abc"});
  CHECK(r.rc == 2);
  CHECK(contains(r.err, "--iterations expects an integer"));
  r = cli({"bench", "m.onnx", "--iterations=0"});
  CHECK(r.rc == 2);
  r = cli({"run", "m.onnx", "--threads"});
  CHECK(r.rc == 2);
  CHECK(contains(r.err, "needs a value"));
  r = cli({"run", "m.onnx", "--input", "novalue"});
  CHECK(r.rc == 2);
  CHECK(contains(r.err, "NAME=FILE.npy"));
  r = cli({"run", "m.onnx", "--random-inputs=1"});
  CHECK(r.rc == 2);
}

TEST_CASE("capi: cli run writes outputs computed from .npy inputs") {
  const capi_test::TempFile file = capi_test::write_temp_file("add.onnx", capi_test::add_model());
  const std::string& model = file.path;
  const std::string dir = temp_dir(file);
  ember::Tensor x = ember::test::random_tensor(ember::DType::Float32, {7, 5});
  ember::Tensor y = ember::test::random_tensor(ember::DType::Float32, {7, 5});
  ember::cli::write_npy(dir + "/x.npy", x);
  ember::cli::write_npy(dir + "/y.npy", y);

  CliResult r = cli({"run", model, "--input", "x=" + dir + "/x.npy", "--input=y=" + dir + "/y.npy",
                     "--output-dir", dir + "/out", "--threads", "1"});
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(contains(r.out, "z: float32 [7, 5]"));
  const ember::Tensor z = ember::cli::read_npy(dir + "/out/z.npy");
  ember::Tensor want(ember::DType::Float32, {7, 5});
  for (int64_t i = 0; i < 35; ++i) want.data<float>()[i] = x.data<float>()[i] + y.data<float>()[i];
  ember::test::check_close(z, want, ember::test::Tier::Exact);

  // Missing input without --random-inputs, an unknown input name, a file of the wrong dtype.
  r = cli({"run", model, "--input", "x=" + dir + "/x.npy", "--no-save"});
  CHECK(r.rc == 1);
  CHECK(contains(r.err, "no value for input 'y'"));
  r = cli({"run", model, "--input", "w=" + dir + "/x.npy", "--no-save"});
  CHECK(r.rc == 1);
  CHECK(contains(r.err, "no input 'w'"));
  ember::cli::write_npy(dir + "/i.npy", ember::Tensor::zeros(ember::DType::Int32, {7, 5}));
  r = cli({"run", model, "--input", "x=" + dir + "/x.npy", "--input", "y=" + dir + "/i.npy", "--no-save"});
  CHECK(r.rc == 1);
  r = cli({"run", model, "--input", "x=" + dir + "/missing.npy", "--random-inputs", "--no-save"});
  CHECK(r.rc == 1);
  CHECK(contains(r.err, "missing.npy"));
}

TEST_CASE("capi: cli run with random inputs sets dynamic dims to 1") {
  const capi_test::TempFile file = capi_test::write_temp_file("add.onnx", capi_test::add_model());
  const std::string& model = file.path;
  const std::string dir = temp_dir(file);
  CliResult r = cli({"run", model, "--random-inputs", "--output-dir", dir});
  INFO(r.err);
  REQUIRE(r.rc == 0);
  const ember::Tensor z = ember::cli::read_npy(dir + "/z.npy");
  CHECK(z.shape() == ember::Dims{1, 5});
  CHECK(contains(r.out, "argmax"));
  // No temporary file is left behind.
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files += e.is_regular_file();
  CHECK(files == 1);
}

TEST_CASE("capi: cli inspect counts parameters and MatMul FLOPs") {
  const capi_test::TempFile file = capi_test::write_temp_file("mm.onnx", capi_test::matmul_model());
  const std::string& model = file.path;
  CliResult r = cli({"inspect", model});
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(contains(r.out, "MatMul: 1"));
  CHECK(contains(r.out, "parameters: 51 "));    // W is [17, 3]
  CHECK(contains(r.out, "204 bytes"));
  CHECK(contains(r.out, "x: float32[7, 17]"));
  CHECK(contains(r.out, "FLOPs (2 x MACs of Conv/ConvTranspose/Gemm/MatMul): 714"));  // 2*7*17*3
  CHECK(contains(r.out, "capi-tests"));
}

TEST_CASE("capi: cli bench reports latency percentiles") {
  const capi_test::TempFile file = capi_test::write_temp_file("mm.onnx", capi_test::matmul_model());
  const std::string& model = file.path;
  CliResult r = cli({"bench", model, "--iterations", "5", "--warmup", "1", "--json"});
  INFO(r.err);
  REQUIRE(r.rc == 0);
  for (const char* key : {"\"session_create_ms\"", "\"median_ms\"", "\"p90_ms\"", "\"peak_rss_mib\""})
    CHECK(contains(r.out, key));
  r = cli({"bench", model, "--iterations", "3"});
  REQUIRE(r.rc == 0);
  CHECK(contains(r.out, "latency p90"));
}

#endif  // EMBER_HAVE_CLI
