#include "ops/attention/attention_util.h"

#include "ops/op_util.h"

namespace ember::ops::attn {

bool is_float_type(DType t) {
  return t == DType::Float32 || t == DType::Float64 || t == DType::Float16 || t == DType::BFloat16;
}

void require_float(const std::string& node, const char* what, DType t) {
  EMBER_CHECK(is_float_type(t), Unsupported, node, ": ", what, " of type ", dtype_name(t),
              " is not supported (float32, float64, float16, bfloat16)");
}

double round_to(DType t, double x) {
  switch (t) {
    case DType::Float32: return double(float(x));
    case DType::Float16: return double(float(half(float(x))));
    case DType::BFloat16: return double(float(bfloat16(float(x))));
    default: return x;
  }
}

DType float_type_from_code(const std::string& node, const char* attr, int64_t code) {
  switch (code) {
    case 1: return DType::Float32;
    case 10: return DType::Float16;
    case 11: return DType::Float64;
    case 16: return DType::BFloat16;
    default: break;
  }
  fail(Status::InvalidModel, node, ": ", attr, "=", code,
       " is not a floating-point type (1 float, 10 float16, 11 double, 16 bfloat16)");
}

}  // namespace ember::ops::attn
