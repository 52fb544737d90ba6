#include "runtime/backend.h"

#include "backends/cpu/cpu_backend.h"

namespace ember::runtime {

const Backend& find_backend(const std::string& device) {
  if (device == "cpu") return backends::cpu_backend();
  if (device.rfind("cuda", 0) == 0)
    fail(Status::Device, "device '", device, "' requested, but this build of Ember has no CUDA backend");
  fail(Status::InvalidArgument, "unknown device '", device, "' (expected cpu or cuda:N)");
}

}  // namespace ember::runtime
