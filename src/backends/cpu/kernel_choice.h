// Chooses, per node, between Ember's native kernels and oneDNN's (option cpu_backend:
// native | onednn | auto). Null: neither handles the node; the reference kernel runs.
//
// auto: when both exist for a node whose inputs have static shapes, both are timed at session
// creation on random inputs of the node's shapes (one warm-up and kTrialRuns runs each, the
// median kept) and the faster is used. Decisions are cached for the process by (op,
// attributes, input shapes and constness, threads), so repeated identical nodes are timed
// once. Timing stops when a session has spent kTrialBudgetMs on it; later undecided nodes
// take kUntimedPick's kernel. The chosen kernel's name says so: "auto->onednn:conv".
#pragma once

#include <memory>
#include <string>

#include "ops/op_registry.h"
#include "runtime/backend.h"

namespace ember::backends {

inline constexpr int kTrialRuns = 3;
inline constexpr double kTrialBudgetMs = 2000;

// Called by the session before it plans (on the thread that plans): refuses
// cpu_backend=onednn when this build has no oneDNN (Unsupported, naming the option), and
// starts this session's auto timing budget.
void start_cpu_kernel_choice(const std::string& cpu_backend);

std::unique_ptr<ops::Kernel> choose_cpu_kernel(const ir::Node& node,
                                               const runtime::BackendOptions& options);

// Forgets the cached auto decisions (tests).
void clear_cpu_kernel_choices();

}  // namespace ember::backends
