#include "backends/cpu/kernel_choice.h"

#include <chrono>
#include <map>
#include <mutex>
#include <sstream>

#include "backends/cpu/kernel_trial.h"
#include "backends/cpu/native_registry.h"
#include "backends/onednn/onednn_kernels.h"

namespace ember::backends {

namespace {

enum class Pick { Native, Onednn };
// When a node cannot be timed (dynamic shapes, budget spent): native, which measured faster than
// Debian's oneDNN 2.6 with plain NCHW at the kernel boundary on all three benchmark models
// (docs/cpu_backends.md).
constexpr Pick kUntimedPick = Pick::Native;

// Plan::build runs on the thread that creates the session, so a thread-local budget is the
// session's budget (start_cpu_kernel_choice resets it).
thread_local double t_trial_spent_ms = 0;

std::mutex g_cache_mutex;
std::map<std::string, Pick>& decision_cache() {
  static std::map<std::string, Pick> cache;
  return cache;
}

// What the speed of a kernel depends on: op, attributes, input shapes/dtypes, which inputs are
// constant (weights prepacked or not), and the thread count. Not the constant values.
std::string choice_key(const ir::Node& node, int threads) {
  std::ostringstream k;
  k << node.domain << '/' << node.op_type << '/' << node.opset << " t" << threads << " |";
  for (const ir::Value* v : node.inputs) {
    if (!v) {
      k << " -";
      continue;
    }
    k << ' ' << v->type.str() << (v->constant ? "c" : "");
  }
  k << " |";
  for (const auto& [name, a] : node.attrs) {
    if (name == "source_nodes") continue;  // provenance, not computation
    k << ' ' << name << '=' << int(a.type) << ':' << a.i << ':' << a.f << ':' << a.s;
    for (int64_t i : a.ints) k << ',' << i;
    for (float f : a.floats) k << ',' << f;
  }
  return k.str();
}

ThreadPool& trial_pool(int threads) {
  static std::mutex mu;
  static std::map<int, std::unique_ptr<ThreadPool>> pools;
  std::lock_guard<std::mutex> lock(mu);
  auto& p = pools[threads];
  if (!p) p = std::make_unique<ThreadPool>(threads);
  return *p;
}

// A kernel chosen by auto, renamed so profiles show the choice.
class ChosenKernel final : public ops::Kernel {
 public:
  explicit ChosenKernel(std::unique_ptr<ops::Kernel> inner)
      : inner_(std::move(inner)), name_(std::string("auto->") + inner_->name()) {}
  void run(ops::KernelContext& ctx) const override { inner_->run(ctx); }
  const char* name() const override { return name_.c_str(); }
  bool prepacked_input(size_t i) const override { return inner_->prepacked_input(i); }

 private:
  std::unique_ptr<ops::Kernel> inner_;
  std::string name_;
};

// Times both kernels on the same random inputs; a kernel that throws loses.
Pick time_both(const ir::Node& node, const ops::Kernel& native, const ops::Kernel& onednn, int threads) {
  TrialContext ctx(node, trial_pool(threads), /*seed=*/0x5eed);
  double t_native = 0, t_onednn = 0;
  try {
    t_native = time_kernel(native, ctx, kTrialRuns);
  } catch (const std::exception&) {
    return Pick::Onednn;
  }
  try {
    t_onednn = time_kernel(onednn, ctx, kTrialRuns);
  } catch (const std::exception&) {
    return Pick::Native;
  }
  return t_onednn < t_native ? Pick::Onednn : Pick::Native;
}

std::unique_ptr<ops::Kernel> choose_auto(const ir::Node& node, const runtime::BackendOptions& options) {
  std::unique_ptr<ops::Kernel> onednn = make_onednn_kernel(node, options);
  std::unique_ptr<ops::Kernel> native = make_native_kernel(node, options);
  if (!onednn || !native) return onednn ? std::move(onednn) : std::move(native);
  const std::string key = choice_key(node, options.threads);
  Pick pick = kUntimedPick;
  bool known = false;
  {
    std::lock_guard<std::mutex> lock(g_cache_mutex);
    auto it = decision_cache().find(key);
    if (it != decision_cache().end()) {
      pick = it->second;
      known = true;
    }
  }
  if (!known && TrialContext::can_trial(node) && t_trial_spent_ms < kTrialBudgetMs) {
    const auto t0 = std::chrono::steady_clock::now();
    pick = time_both(node, *native, *onednn, options.threads);
    t_trial_spent_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::lock_guard<std::mutex> lock(g_cache_mutex);
    decision_cache()[key] = pick;
  }
  return std::make_unique<ChosenKernel>(pick == Pick::Onednn ? std::move(onednn) : std::move(native));
}

}  // namespace

void start_cpu_kernel_choice(const std::string& cpu_backend) {
  EMBER_CHECK(cpu_backend != "onednn" || onednn_available(), Unsupported,
              "option 'cpu_backend=onednn': this build has no oneDNN backend");
  t_trial_spent_ms = 0;
}

std::unique_ptr<ops::Kernel> choose_cpu_kernel(const ir::Node& node,
                                               const runtime::BackendOptions& options) {
  if (options.cpu_backend == "native") return make_native_kernel(node, options);
  if (options.cpu_backend == "onednn") {
    if (auto k = make_onednn_kernel(node, options)) return k;
    return make_native_kernel(node, options);
  }
  return choose_auto(node, options);
}

void clear_cpu_kernel_choices() {
  std::lock_guard<std::mutex> lock(g_cache_mutex);
  decision_cache().clear();
}

}  // namespace ember::backends
