// BitCast (opset 26): reinterprets the bits of every element as another type of the same bit
// width; the shape is unchanged. Ember stores narrow types unpacked (see ir/dtype.h), so for
// them the element's bit code is moved, masked to its width and sign-extended for int4/int2.
// Bytes that are not 0 or 1 cannot become bool (reading them as bool is undefined), so such
// input is an InvalidArgument error instead.
#include <cstring>

#include "ir/narrow_types.h"
#include "ops/elementwise/ew_ops.h"
#include "ops/op_util.h"

namespace ember::ops::ew {
namespace {

DType parse_bitcast_to(const ir::Node& n, DType from) {
  const int64_t to = n.attr_int("to");
  if (const char* name = onnx_only_type_name(to))
    fail(Status::Unsupported, n.describe(), ": BitCast to ", name, " (to=", to, ") is not supported");
  EMBER_CHECK(to > 0 && to < (1 << 30) && dtype_is_valid(int32_t(to)), InvalidModel, n.describe(),
              ": attribute 'to' = ", to, " is not a valid ONNX element type");
  const DType t = DType(int32_t(to));
  EMBER_CHECK(t != DType::String && from != DType::String, TypeMismatch, n.describe(),
              ": BitCast does not apply to string tensors");
  if (from != DType::Undefined)
    EMBER_CHECK(dtype_wire_bits(from) == dtype_wire_bits(t), TypeMismatch, n.describe(), ": cannot BitCast ",
                dtype_name(from), " (", dtype_wire_bits(from), " bits) to ", dtype_name(t), " (",
                dtype_wire_bits(t), " bits): the bit widths differ");
  return t;
}

class BitCastKernel final : public Kernel {
 public:
  explicit BitCastKernel(const ir::Node& n) : who_(n.describe()), to_(parse_bitcast_to(n, DType::Undefined)) {}
  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const DType to = to_;
    EMBER_CHECK(x.dtype() != DType::String, TypeMismatch, who_, ": BitCast does not apply to string tensors");
    EMBER_CHECK(dtype_wire_bits(x.dtype()) == dtype_wire_bits(to), TypeMismatch, who_, ": cannot BitCast ",
                dtype_name(x.dtype()), " to ", dtype_name(to), ": the bit widths differ");
    const int64_t n = x.numel();
    const auto* src = static_cast<const uint8_t*>(x.raw());
    if (to == DType::Bool) {
      for (int64_t i = 0; i < n; ++i)
        EMBER_CHECK(src[i] <= 1, InvalidArgument, who_, ": element ", i, " has byte value ",
                    int(src[i]), ", which is not a bool (0 or 1)");
    }
    Tensor& y = ctx.output(0, to, x.shape());
    if (n == 0) return;
    auto* dst = static_cast<uint8_t*>(y.raw());
    if (dtype_is_narrow(to) || dtype_is_narrow(x.dtype())) {
      const int bits = dtype_wire_bits(to);
      for (int64_t i = 0; i < n; ++i) {
        const uint8_t code = uint8_t(src[i] & ((1u << bits) - 1));
        dst[i] = dtype_is_narrow_int(to) ? int_to_narrow_int(to, code) : code;
      }
      return;
    }
    std::memcpy(dst, src, x.nbytes());  // little-endian host: the bytes are the bits
  }

 private:
  std::string who_;
  DType to_;
};

void infer_bitcast(InferContext& ctx) {
  const TypeInfo& x = ctx.input_type(0);
  ctx.set_output(0, with_dtype(x, parse_bitcast_to(ctx.node(), x.dtype)));
}

std::unique_ptr<Kernel> make_bitcast(const ir::Node& n, KernelFactoryContext&) {
  return std::make_unique<BitCastKernel>(n);
}

}  // namespace

void add_bitcast_ops(OpRegistry& r) {
  r.add(OpSchema{"BitCast", "", 26, 1 << 30, &infer_bitcast, &make_bitcast, {}});
}

}  // namespace ember::ops::ew
