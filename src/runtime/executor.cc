// Plan execution: one frame of value slots per run, kernels called in order, intermediates
// placed in a borrowed arena, dead values released as soon as their last reader has run.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <new>
#include <optional>

#include "runtime/plan.h"
#include "runtime/profiler.h"

namespace ember::runtime {

class StepContext final : public ops::KernelContext {
 public:
  // `observed` (may be null) collects the bytes of every tensor placed on the heap, per slot.
  StepContext(const Step& step, std::vector<ops::RtValue>& frame, const ArenaLayout& layout, char* arena,
              std::vector<size_t>* observed, ThreadPool& pool)
      : step_(step), frame_(frame), layout_(layout), arena_(arena), observed_(observed), pool_(pool) {
    inputs_.reserve(step.inputs.size());
    for (int s : step.inputs) inputs_.push_back(s >= 0 ? &frame[size_t(s)] : nullptr);
    output_count_ = step.outputs.size();
  }

  bool wants_output(size_t i) const override { return i < step_.outputs.size() && step_.outputs[i] >= 0; }

  Tensor& output(size_t i, DType dtype, const Dims& shape) override {
    EMBER_CHECK(i < step_.outputs.size(), Runtime, step_.node->describe(), ": kernel wrote output ", i,
                " but the node has ", step_.outputs.size());
    const int s = step_.outputs[i];
    if (s < 0) {  // the model ignores this output; give the kernel scratch memory
      scratch_.emplace_back(dtype, shape);
      return scratch_.back();
    }
    const size_t offset = layout_.offset[size_t(s)];
    const size_t bytes = size_t(dims_numel(shape)) * dtype_size(dtype);
    ops::RtValue& slot = frame_[size_t(s)];
    slot = ops::RtValue{};
    // Room is checked in bytes, so a data-dependent size larger than the one planned for
    // (or learned) goes to the heap instead of over a neighbour.
    if (offset != SIZE_MAX && arena_ && dtype != DType::String && bytes <= layout_.bytes[size_t(s)]) {
      slot.tensor = Tensor::wrap(dtype, shape, arena_ + offset);
    } else {
      slot.tensor = Tensor(dtype, shape);
      if (observed_ && dtype != DType::String) (*observed_)[size_t(s)] = std::max((*observed_)[size_t(s)], bytes);
    }
    return slot.tensor;
  }

  void set_output(size_t i, ops::RtValue v) override {
    EMBER_CHECK(i < step_.outputs.size(), Runtime, step_.node->describe(), ": kernel set output ", i,
                " but the node has ", step_.outputs.size());
    const int s = step_.outputs[i];
    if (s < 0) return;
    // A tensor that lives in this run's arena may be overwritten once its own slot dies, so
    // an alias of it is copied rather than kept.
    if (!v.is_sequence() && v.tensor.defined() && in_arena(v.tensor.raw())) {
      Tensor src = v.tensor;
      output(i, src.dtype(), src.shape()).copy_from(src);
      return;
    }
    frame_[size_t(s)] = std::move(v);
  }

  ThreadPool& pool() override { return pool_; }

 private:
  bool in_arena(const void* p) const {
    const char* c = static_cast<const char*>(p);
    return arena_ && c >= arena_ && c < arena_ + layout_.arenas->bytes();
  }

  const Step& step_;
  std::vector<ops::RtValue>& frame_;
  const ArenaLayout& layout_;
  char* arena_;
  std::vector<size_t>* observed_;
  ThreadPool& pool_;
  std::vector<Tensor> scratch_;
};

namespace {

// Confirms a kernel honoured the statically inferred shape; a disagreement is a bug in
// Ember (inference or kernel), reported as such instead of corrupting the arena.
void check_against_inferred(const Step& step, const std::vector<ops::RtValue>& frame) {
  for (size_t i = 0; i < step.outputs.size(); ++i) {
    const int s = step.outputs[i];
    if (s < 0) continue;
    const ir::Value* v = step.node->outputs[i];
    const ops::RtValue& r = frame[size_t(s)];
    if (r.is_sequence() || r.is_none || v->type.kind != ir::ValueKind::Tensor) continue;
    EMBER_CHECK(r.tensor.defined(), Runtime, step.node->describe(), ": kernel did not produce output ", i);
    const ir::TypeInfo& t = v->type;
    bool ok = t.dtype == DType::Undefined || t.dtype == r.tensor.dtype();
    if (ok && t.has_shape) {
      ok = t.dims.size() == r.tensor.rank();
      for (size_t d = 0; ok && d < t.dims.size(); ++d)
        ok = !t.dims[d].known() || t.dims[d].value == r.tensor.dim(d);
    }
    EMBER_CHECK(ok, Runtime, step.node->describe(), ": output '", v->name, "' is ",
                dtype_name(r.tensor.dtype()), dims_str(r.tensor.shape()), " but type inference expected ",
                t.str(), " (internal error; please report)");
  }
}

// The tensor shapes in `slots` (for the profiler); nullopt for omitted or non-tensor values.
// A constant only prepacking read has no slot: its static shape stands in (`values`: the
// node's inputs or outputs).
std::vector<std::optional<Dims>> shapes_of(const std::vector<int>& slots, const std::vector<ops::RtValue>& frame,
                                           const std::vector<ir::Value*>& values) {
  std::vector<std::optional<Dims>> shapes(slots.size());
  for (size_t i = 0; i < slots.size(); ++i) {
    if (slots[i] < 0) {
      if (i < values.size() && values[i] && values[i]->type.is_static()) shapes[i] = values[i]->type.static_dims();
      continue;
    }
    const ops::RtValue& v = frame[size_t(slots[i])];
    if (!v.is_sequence() && !v.is_none && v.tensor.defined()) shapes[i] = v.tensor.shape();
  }
  return shapes;
}

[[noreturn]] void rethrow_with_node(const Step& step) {
  const std::string where = step.node->describe();
  try {
    throw;
  } catch (const Error& e) {
    const std::string msg = e.what();
    if (msg.find("'" + step.node->name + "'") != std::string::npos) throw;
    throw Error(e.status(), where + ": " + msg);
  } catch (const std::bad_alloc&) {
    throw Error(Status::OutOfMemory, where + ": out of memory");
  } catch (const std::exception& e) {
    throw Error(Status::Runtime, where + ": " + e.what());
  }
}

}  // namespace

std::vector<ops::RtValue> Plan::execute(std::vector<ops::RtValue> bound, ThreadPool& pool,
                                        Profiler* profiler) const {
  std::vector<ops::RtValue> frame = slot_init_;
  EMBER_CHECK(bound.size() <= bound_slots_.size(), InvalidArgument, "graph '", graph_->name, "' takes ",
              bound_slots_.size(), " inputs, got ", bound.size());
  for (size_t k = 0; k < bound.size(); ++k) {
    ops::RtValue& b = bound[k];
    if (b.tensor.defined() || b.is_sequence() || b.is_none) frame[size_t(bound_slots_[k])] = std::move(b);
  }
  // With dynamic intermediates: the layout learned for these input shapes, or, on their first
  // run, the static one while the heap sizes are recorded to learn it.
  std::shared_ptr<const ArenaLayout> layout = static_layout_;
  std::vector<Dims> input_shapes;
  std::vector<size_t> observed;
  if (stats_.heap_values > 0) {
    for (int s : bound_slots_) {
      const ops::RtValue& v = frame[size_t(s)];
      input_shapes.push_back(!v.is_sequence() && v.tensor.defined() ? v.tensor.shape() : Dims{-1});
    }
    if (auto learned = shaped_layouts_.find(input_shapes))
      layout = std::move(learned);
    else
      observed.assign(slot_value_.size(), 0);
  }
  std::unique_ptr<ArenaPool::Lease> lease;
  if (layout->arenas->bytes() > 0) lease = layout->arenas->acquire();
  char* arena = lease ? lease->data() : nullptr;
  std::vector<size_t>* observing = observed.empty() ? nullptr : &observed;

  auto run_step = [&](const Step& step) {
    try {
      StepContext ctx(step, frame, *layout, arena, observing, pool);
      step.kernel->run(ctx);
      check_against_inferred(step, frame);
    } catch (...) {
      rethrow_with_node(step);
    }
  };
  auto release = [&](const Step& step) {
    for (int s : step.release) frame[size_t(s)] = ops::RtValue{};
  };
  if (!profiler) {
    for (const Step& step : steps_) {
      run_step(step);
      release(step);
    }
  } else {
    // Timed separately so that an unprofiled run pays nothing per step.
    const auto run_start = Profiler::Clock::now();
    std::vector<StepRecord> records(steps_.size());
    const uint32_t thread = Profiler::thread_id();
    for (size_t k = 0; k < steps_.size(); ++k) {
      const Step& step = steps_[k];
      const auto t0 = Profiler::Clock::now();
      run_step(step);
      const auto t1 = Profiler::Clock::now();
      StepRecord& r = records[k];
      r.step = uint32_t(k);
      r.thread = thread;
      r.start_ns = profiler->since_start_ns(t0);
      r.dur_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
      r.inputs = shapes_of(step.inputs, frame, step.node->inputs);
      r.outputs = shapes_of(step.outputs, frame, step.node->outputs);
      release(step);
    }
    profiler->add_run(run_start, Profiler::Clock::now(), std::move(records));
  }

  if (observing) shaped_layouts_.add(input_shapes, make_arena_layout(slot_value_.size(), arena_requests_, observing));

  std::vector<ops::RtValue> outputs;
  outputs.reserve(output_slots_.size());
  for (int s : output_slots_) {
    ops::RtValue& r = frame[size_t(s)];
    EMBER_CHECK(r.tensor.defined() || r.is_sequence() || r.is_none, InvalidArgument, "graph '", graph_->name,
                "': output '", slot_value_[size_t(s)]->name, "' was not computed (missing input?)");
    outputs.push_back(r);
  }
  return outputs;
}

}  // namespace ember::runtime
