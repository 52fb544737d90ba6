// The contract between operators and the runtime.
//
// Each op family file (src/ops/<family>.cc) registers one OpSchema per op: shape/type
// inference and a factory that builds a Kernel for one node at session creation (parsing and
// validating attributes once). Kernel::run is const and may run concurrently from several
// threads; everything per-run lives in the KernelContext.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "support/thread_pool.h"

namespace ember::ops {

using ir::TypeInfo;

// One runtime value slot: a tensor, a sequence of tensors, or an absent optional.
struct RtValue {
  Tensor tensor;
  std::shared_ptr<const std::vector<Tensor>> sequence;  // set for sequence values
  bool is_none = false;                                 // optional with no value
  bool is_sequence() const { return sequence != nullptr; }
};

class KernelContext;

// A compiled subgraph (If branch, Loop/Scan body) a kernel can execute.
class Subgraph {
 public:
  virtual ~Subgraph() = default;
  // Runs the body. `inputs` are the body's formal inputs followed by its captures (which the
  // kernel receives as its implicit inputs, in the same order). Returns the body's outputs.
  virtual std::vector<RtValue> run(KernelContext& parent, std::vector<RtValue> inputs) const = 0;
  virtual size_t formal_input_count() const = 0;
  virtual size_t output_count() const = 0;
};

class KernelContext {
 public:
  virtual ~KernelContext() = default;

  size_t input_count() const { return inputs_.size(); }
  // False for an omitted optional input (or an absent optional value).
  bool has_input(size_t i) const {
    return i < inputs_.size() && inputs_[i] && !inputs_[i]->is_none &&
           (inputs_[i]->tensor.defined() || inputs_[i]->is_sequence());
  }
  const Tensor& input(size_t i) const;           // throws InvalidModel if absent
  const RtValue& input_value(size_t i) const;    // sequences / optionals
  size_t output_count() const { return output_count_; }
  // False when the model does not use output i (omitted optional output).
  virtual bool wants_output(size_t i) const = 0;

  // Allocates output i (from the session arena when the plan reserved it, else the heap).
  // Contents are uninitialised.
  virtual Tensor& output(size_t i, DType dtype, const Dims& shape) = 0;
  // Sets output i to an already computed value (sequences, optionals, or a fresh Tensor).
  virtual void set_output(size_t i, RtValue v) = 0;

  virtual ThreadPool& pool() = 0;

 protected:
  std::vector<const RtValue*> inputs_;
  size_t output_count_ = 0;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual void run(KernelContext& ctx) const = 0;
  // Name of the implementation, shown in profiles ("reference", "eigen", ...).
  virtual const char* name() const { return "reference"; }
  // True when input i is a constant this kernel copied (prepacked) at creation and run()
  // never reads: the runtime may then free the constant once no other reader needs it.
  virtual bool prepacked_input(size_t /*i*/) const { return false; }
};

// What a kernel factory may ask of the runtime while building a kernel.
class KernelFactoryContext {
 public:
  virtual ~KernelFactoryContext() = default;
  virtual std::shared_ptr<const Subgraph> compile_subgraph(const ir::Graph& body) = 0;
};

// In a dims_value, a shape tensor's literal -1 (Reshape's "infer this dim", torch's expand(-1)):
// unknown as a dim, told apart from an unknown value by its symbol, so Equal(target, -1) and a
// Reshape to [batch, seq, -1, 64] can be decided. Never a size: is_named_dim excludes it.
inline ir::Dim minus_one_literal() { return ir::Dim{-1, "-1"}; }
inline bool is_minus_one_literal(const ir::Dim& d) { return !d.known() && d.symbol == "-1"; }
// A symbolic size (an ONNX dim_param), as opposed to a known, unknown or literal entry.
inline bool is_named_dim(const ir::Dim& d) { return !d.known() && !d.symbol.empty() && !is_minus_one_literal(d); }

class InferContext {
 public:
  InferContext(const ir::Node& node, std::vector<const TypeInfo*> in_types,
               std::vector<const Tensor*> in_values);
  const ir::Node& node() const { return node_; }
  size_t input_count() const { return in_types_.size(); }
  bool has_input(size_t i) const { return i < in_types_.size() && in_types_[i] != nullptr; }
  const TypeInfo& input_type(size_t i) const;     // throws InvalidModel if absent
  // The input's value when it is known before running (initializer or folded constant).
  const Tensor* input_value(size_t i) const {
    return i < in_values_.size() ? in_values_[i] : nullptr;
  }
  // The dims an integer input of rank <= 1 holds (TypeInfo::dims_value), from a Shape-derived
  // type or from a constant (whose -1 entries are minus_one_literal()); nullopt when not known.
  std::optional<std::vector<ir::Dim>> input_dims_value(size_t i) const;
  size_t output_count() const { return out_types_.size(); }
  void set_output(size_t i, TypeInfo t);  // drops t.dims_value
  void set_output_dims_value(size_t i, std::vector<ir::Dim> v);  // after set_output
  std::vector<TypeInfo>& outputs() { return out_types_; }

 private:
  const ir::Node& node_;
  std::vector<const TypeInfo*> in_types_;
  std::vector<const Tensor*> in_values_;
  std::vector<TypeInfo> out_types_;
};

using InferFn = void (*)(InferContext&);
using MakeKernelFn = std::unique_ptr<Kernel> (*)(const ir::Node&, KernelFactoryContext&);

struct OpSchema {
  std::string op_type;
  std::string domain;               // "" = ai.onnx
  int since_version = 1;            // first opset this entry handles
  int last_version = 1 << 30;       // last opset this entry handles
  InferFn infer = nullptr;          // must set every output's TypeInfo it can determine
  MakeKernelFn make = nullptr;
  std::vector<DType> dtypes;        // element types the reference kernel accepts (for docs)
};

class OpRegistry {
 public:
  static const OpRegistry& global();   // all built-in ops, registered on first use
  void add(OpSchema s);
  // The entry for `op_type` in `domain` covering `opset`, or null.
  const OpSchema* find(const std::string& op_type, const std::string& domain, int opset) const;
  bool knows(const std::string& op_type, const std::string& domain) const;
  const std::vector<OpSchema>& all() const { return schemas_; }

 private:
  std::vector<OpSchema> schemas_;
};

}  // namespace ember::ops
