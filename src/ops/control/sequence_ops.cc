// Sequence ops (all opset 11+): SequenceEmpty, SequenceConstruct, SequenceAt, SequenceInsert,
// SequenceErase, SequenceLength, ConcatFromSequence, SplitToSequence.
//
// A sequence value is an immutable shared vector of tensors (RtValue::sequence), so inserting
// or erasing copies handles, not data. Tensors entering a sequence are cloned: the runtime may
// hand a kernel a view of its arena, which is reused once the producing slot dies, while a
// sequence can outlive that slot.
#include <cstring>

#include "ops/control/control_ops.h"
#include "ops/control/control_util.h"
#include "ops/op_util.h"

namespace ember::ops::control {
namespace {

using Seq = std::vector<Tensor>;

TypeInfo seq_of(TypeInfo elem) {
  TypeInfo t;
  t.kind = ir::ValueKind::Sequence;
  t.dtype = elem.dtype;
  t.elem = std::make_shared<TypeInfo>(std::move(elem));
  return t;
}

// The element type of a sequence input, or an unknown tensor type.
TypeInfo elem_type(const InferContext& ctx, size_t i) {
  const TypeInfo& t = ctx.input_type(i);
  EMBER_CHECK(t.kind == ir::ValueKind::Sequence || t.dtype == DType::Undefined, TypeMismatch,
              ctx.node().describe(), ": input ", i, " must be a sequence, got ", t.str());
  if (t.elem) return *t.elem;
  return TypeInfo::tensor_unknown_shape(t.dtype);
}

const Seq& seq_input(const KernelContext& ctx, size_t i, const std::string& desc) {
  const RtValue& v = ctx.input_value(i);
  EMBER_CHECK(v.is_sequence(), TypeMismatch, desc, ": input ", i, " must be a sequence");
  return *v.sequence;
}

void set_seq(KernelContext& ctx, size_t i, Seq s) {
  ctx.set_output(i, RtValue{Tensor{}, std::make_shared<const Seq>(std::move(s)), false});
}

// A position input (scalar int32/int64), normalised against `size`; `allow_end` admits
// position == size (SequenceInsert).
int64_t read_position(const Tensor& p, int64_t size, bool allow_end, const std::string& desc) {
  EMBER_CHECK(p.numel() == 1 && (p.dtype() == DType::Int32 || p.dtype() == DType::Int64), InvalidArgument, desc,
              ": position must be an int32/int64 scalar, got ", dtype_name(p.dtype()), dims_str(p.shape()));
  const int64_t raw = p.int_at(0);
  const int64_t pos = raw < 0 ? raw + size : raw;
  EMBER_CHECK(pos >= 0 && (pos < size || (allow_end && pos == size)), InvalidArgument, desc, ": position ", raw,
              " is out of range for a sequence of length ", size);
  return pos;
}

// A kernel whose behaviour is a plain function of the node's description and the context.
using RunFn = void (*)(KernelContext&, const ir::Node&);
class FnKernel final : public Kernel {
 public:
  FnKernel(const ir::Node& node, RunFn fn) : node_(node), fn_(fn) {
    node_.inputs.clear();  // identity and attributes only; edges belong to the graph
    node_.outputs.clear();
  }
  void run(KernelContext& ctx) const override { fn_(ctx, node_); }

 private:
  ir::Node node_;
  RunFn fn_;
};

// ---- SequenceEmpty / Construct / At / Insert / Erase / Length

void infer_empty(InferContext& ctx) {
  const int64_t code = ctx.node().attr_int("dtype", int64_t(DType::Float32));
  EMBER_CHECK(code <= INT32_MAX && dtype_is_valid(int32_t(code)), Unsupported, ctx.node().describe(),
              ": dtype ", code, " is not supported");
  ctx.set_output(0, seq_of(TypeInfo::tensor_unknown_shape(DType(code))));
}
void run_empty(KernelContext& ctx, const ir::Node&) { set_seq(ctx, 0, {}); }

void infer_construct(InferContext& ctx) {
  TypeInfo elem = ctx.input_type(0);
  for (size_t i = 1; i < ctx.input_count(); ++i)
    elem = merge_alternatives(elem, ctx.input_type(i), ctx.node(), "element " + std::to_string(i));
  ctx.set_output(0, seq_of(elem));
}
void run_construct(KernelContext& ctx, const ir::Node& n) {
  Seq s;
  for (size_t i = 0; i < ctx.input_count(); ++i) {
    s.push_back(ctx.input(i).clone());
    EMBER_CHECK(s.back().dtype() == s[0].dtype(), TypeMismatch, n.describe(), ": element ", i, " is ",
                dtype_name(s.back().dtype()), ", element 0 is ", dtype_name(s[0].dtype()));
  }
  set_seq(ctx, 0, std::move(s));
}

void infer_at(InferContext& ctx) { ctx.set_output(0, elem_type(ctx, 0)); }
void run_at(KernelContext& ctx, const ir::Node& n) {
  const Seq& s = seq_input(ctx, 0, n.describe());
  const int64_t pos = read_position(ctx.input(1), int64_t(s.size()), false, n.describe());
  ctx.set_output(0, RtValue{s[size_t(pos)], nullptr, false});
}

void infer_insert(InferContext& ctx) {
  ctx.set_output(0, seq_of(merge_alternatives(elem_type(ctx, 0), ctx.input_type(1), ctx.node(), "inserted tensor")));
}
void run_insert(KernelContext& ctx, const ir::Node& n) {
  Seq s = seq_input(ctx, 0, n.describe());
  const Tensor& t = ctx.input(1);
  EMBER_CHECK(s.empty() || s[0].dtype() == t.dtype(), TypeMismatch, n.describe(), ": inserting ",
              dtype_name(t.dtype()), " into a sequence of ", dtype_name(s[0].dtype()));
  const int64_t pos = ctx.has_input(2) ? read_position(ctx.input(2), int64_t(s.size()), true, n.describe())
                                       : int64_t(s.size());
  s.insert(s.begin() + pos, t.clone());
  set_seq(ctx, 0, std::move(s));
}

void infer_erase(InferContext& ctx) { ctx.set_output(0, seq_of(elem_type(ctx, 0))); }
void run_erase(KernelContext& ctx, const ir::Node& n) {
  Seq s = seq_input(ctx, 0, n.describe());
  EMBER_CHECK(!s.empty(), InvalidArgument, n.describe(), ": cannot erase from an empty sequence");
  const int64_t pos = ctx.has_input(1) ? read_position(ctx.input(1), int64_t(s.size()), false, n.describe())
                                       : int64_t(s.size()) - 1;
  s.erase(s.begin() + pos);
  set_seq(ctx, 0, std::move(s));
}

void infer_length(InferContext& ctx) { ctx.set_output(0, TypeInfo::tensor(DType::Int64, {})); }
void run_length(KernelContext& ctx, const ir::Node& n) {
  const Seq& s = seq_input(ctx, 0, n.describe());
  ctx.output(0, DType::Int64, {}).data<int64_t>()[0] = int64_t(s.size());
}

// ---- ConcatFromSequence / SplitToSequence

void infer_concat(InferContext& ctx) {
  const TypeInfo elem = elem_type(ctx, 0);
  const bool new_axis = ctx.node().attr_int("new_axis", 0) != 0;
  TypeInfo out = TypeInfo::tensor_unknown_shape(elem.dtype);
  if (elem.has_shape) {
    const int64_t rank = int64_t(elem.dims.size()) + (new_axis ? 1 : 0);
    const int64_t axis = normalize_axis(ctx.node().attr_int("axis"), rank, ctx.node());
    out = new_axis ? insert_dim(elem, axis, ir::Dim{}) : elem;
    out.dims[size_t(axis)] = ir::Dim{};  // depends on the sequence's length
  }
  ctx.set_output(0, out);
}
void run_concat(KernelContext& ctx, const ir::Node& n) {
  const Seq& s = seq_input(ctx, 0, n.describe());
  EMBER_CHECK(!s.empty(), InvalidArgument, n.describe(), ": cannot concatenate an empty sequence");
  const bool new_axis = n.attr_int("new_axis", 0) != 0;
  const Dims& first = s[0].shape();
  const int64_t axis = normalize_axis(n.attr_int("axis"), int64_t(first.size()) + (new_axis ? 1 : 0), n);
  for (const Tensor& t : s) {
    bool ok = t.dtype() == s[0].dtype() && t.rank() == first.size();
    for (size_t d = 0; ok && d < first.size(); ++d) ok = t.dim(d) == first[d] || (!new_axis && int64_t(d) == axis);
    EMBER_CHECK(ok, ShapeMismatch, n.describe(), ": cannot concatenate ", dtype_name(t.dtype()), dims_str(t.shape()),
                " with ", dtype_name(s[0].dtype()), dims_str(first), new_axis ? " (new_axis)" : "", " on axis ", axis);
  }
  if (new_axis) {
    Tensor& out = ctx.output(0, s[0].dtype(), stacked_shape(first, axis, int64_t(s.size())));
    return stack_into(out, s, axis, false);
  }
  EMBER_CHECK(s[0].dtype() != DType::String, Unsupported, n.describe(), ": string tensors are not supported");
  int64_t outer = 1, inner = 1, total = 0;
  for (int64_t d = 0; d < int64_t(first.size()); ++d)
    if (d != axis) (d < axis ? outer : inner) *= first[size_t(d)];
  for (const Tensor& t : s) total += t.dim(size_t(axis));
  Dims shape = first;
  shape[size_t(axis)] = total;
  Tensor& out = ctx.output(0, s[0].dtype(), shape);
  const size_t esz = dtype_size(out.dtype());
  char* dst = static_cast<char*>(out.raw());
  int64_t at = 0;  // running offset along the axis
  for (const Tensor& t : s) {
    const int64_t len = t.dim(size_t(axis));
    const char* src = static_cast<const char*>(t.raw());
    for (int64_t o = 0; o < outer; ++o)
      std::memcpy(dst + size_t((o * total + at) * inner) * esz, src + size_t(o * len * inner) * esz,
                  size_t(len * inner) * esz);
    at += len;
  }
}

void infer_split(InferContext& ctx) {
  const TypeInfo& in = ctx.input_type(0);
  TypeInfo elem = TypeInfo::tensor_unknown_shape(in.dtype);
  if (in.has_shape && !in.dims.empty()) {
    const int64_t axis = normalize_axis(ctx.node().attr_int("axis", 0), int64_t(in.dims.size()), ctx.node());
    elem = in;
    if (ctx.has_input(1)) {
      elem.dims[size_t(axis)] = ir::Dim{};
    } else if (ctx.node().attr_int("keepdims", 1) != 0) {
      elem.dims[size_t(axis)] = ir::Dim::of(1);
    } else {
      elem.dims.erase(elem.dims.begin() + axis);
    }
  }
  ctx.set_output(0, seq_of(elem));
}
void run_split(KernelContext& ctx, const ir::Node& n) {
  const Tensor& x = ctx.input(0);
  EMBER_CHECK(x.rank() >= 1, InvalidArgument, n.describe(), ": cannot split a scalar");
  EMBER_CHECK(x.dtype() != DType::String, Unsupported, n.describe(), ": string tensors are not supported");
  const int64_t axis = normalize_axis(n.attr_int("axis", 0), int64_t(x.rank()), n);
  const int64_t len = x.dim(size_t(axis));
  std::vector<int64_t> sizes;
  bool squeeze = false;
  if (!ctx.has_input(1)) {
    sizes.assign(size_t(len), 1);
    squeeze = n.attr_int("keepdims", 1) == 0;
  } else if (ctx.input(1).rank() == 0) {
    const int64_t chunk = ctx.input(1).int_at(0);
    EMBER_CHECK(chunk > 0, InvalidArgument, n.describe(), ": split size must be positive, got ", chunk);
    for (int64_t at = 0; at < len; at += chunk) sizes.push_back(std::min(chunk, len - at));
  } else {
    sizes = ctx.input(1).to_int64_vector();
    int64_t sum = 0;
    for (int64_t v : sizes) {
      EMBER_CHECK(v >= 0, InvalidArgument, n.describe(), ": negative split size ", v);
      sum += v;
    }
    EMBER_CHECK(sum == len, InvalidArgument, n.describe(), ": split sizes add up to ", sum, " but axis ", axis,
                " has length ", len);
  }
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < int64_t(x.rank()); ++d)
    if (d != axis) (d < axis ? outer : inner) *= x.dim(size_t(d));
  const size_t esz = dtype_size(x.dtype());
  const char* src = static_cast<const char*>(x.raw());
  Seq s;
  int64_t at = 0;
  for (int64_t part : sizes) {
    Dims shape = x.shape();
    shape[size_t(axis)] = part;
    if (squeeze) shape.erase(shape.begin() + axis);
    Tensor t(x.dtype(), shape);
    char* dst = static_cast<char*>(t.raw());
    for (int64_t o = 0; o < outer; ++o)
      std::memcpy(dst + size_t(o * part * inner) * esz, src + size_t((o * len + at) * inner) * esz,
                  size_t(part * inner) * esz);
    at += part;
    s.push_back(std::move(t));
  }
  set_seq(ctx, 0, std::move(s));
}

template <RunFn F>
std::unique_ptr<Kernel> make(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<FnKernel>(node, F);
}

}  // namespace

void add_sequence_ops(OpRegistry& r) {
  r.add(OpSchema{"SequenceEmpty", "", 11, 1 << 30, infer_empty, make<run_empty>, {}});
  r.add(OpSchema{"SequenceConstruct", "", 11, 1 << 30, infer_construct, make<run_construct>, {}});
  r.add(OpSchema{"SequenceAt", "", 11, 1 << 30, infer_at, make<run_at>, {}});
  r.add(OpSchema{"SequenceInsert", "", 11, 1 << 30, infer_insert, make<run_insert>, {}});
  r.add(OpSchema{"SequenceErase", "", 11, 1 << 30, infer_erase, make<run_erase>, {}});
  r.add(OpSchema{"SequenceLength", "", 11, 1 << 30, infer_length, make<run_length>, {}});
  r.add(OpSchema{"ConcatFromSequence", "", 11, 1 << 30, infer_concat, make<run_concat>, {}});
  r.add(OpSchema{"SplitToSequence", "", 11, 1 << 30, infer_split, make<run_split>, {}});
}

}  // namespace ember::ops::control
