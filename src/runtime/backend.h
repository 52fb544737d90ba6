// A device backend turns a node into a Kernel for its device. The CPU backend is always
// present; others (CUDA) register when built. Kernel choice happens once, at session creation.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "ops/op_registry.h"

namespace ember::runtime {

// What a session tells its backend about kernel choice (from SessionOptions).
struct BackendOptions {
  std::string cpu_backend = "auto";  // native | onednn | auto
  int threads = 1;                   // the session's thread count (kernels size their work split)
  // The session's pool, for splitting weight prepacking at creation; null: the calling thread.
  ThreadPool* pool = nullptr;
  // Prepacked weights built so far while this plan is created, so nodes reading the same
  // constant share one packed copy (ALBERT's layers share one layer's weights: packed once per
  // node, its peak RSS was 1.11x onnxruntime's). Key: the constant's graph value, the packer's
  // identity (its kernel table) and its variant (e.g. transposed). Null: no sharing.
  using SharedPacks = std::map<std::tuple<const void*, const void*, int>, std::shared_ptr<const void>>;
  SharedPacks* shared_packs = nullptr;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  virtual std::unique_ptr<ops::Kernel> make_kernel(const ir::Node& node, const ops::OpSchema& schema,
                                                   ops::KernelFactoryContext& ctx,
                                                   const BackendOptions& options) const = 0;
};

// The backend for a device string ("cpu", "cuda:0"); throws Device when it is not built in.
const Backend& find_backend(const std::string& device);

}  // namespace ember::runtime
