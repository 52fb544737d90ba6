#include "opt/random_feed.h"

#include <vector>

#include "ops/op_util.h"
#include "support/error.h"

namespace ember::opt {

Tensor random_feed(const runtime::IoInfo& io, std::mt19937_64& rng) {
  const ir::TypeInfo& t = io.type;
  EMBER_CHECK(t.kind == ir::ValueKind::Tensor, Unsupported, "input '", io.name, "' is ", t.str(),
              "; random inputs can only be made for tensors: give its value");
  EMBER_CHECK(t.has_shape, Unsupported, "input '", io.name,
              "' has an unknown rank; give its value (ember: --input ", io.name, "=FILE.npy)");
  Dims dims;
  for (const ir::Dim& d : t.dims) dims.push_back(d.known() ? d.value : 1);
  Tensor out(t.dtype, dims);
  std::vector<double> v(size_t(out.numel()));
  if (dtype_is_float(t.dtype)) {
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    for (double& x : v) x = u(rng);
  } else if (dtype_is_integer(t.dtype) || t.dtype == DType::Bool) {
    std::uniform_int_distribution<int> u(0, 1);
    for (double& x : v) x = u(rng);
  } else {
    fail(Status::Unsupported, "input '", io.name, "' is ", dtype_name(t.dtype), ": give its value");
  }
  ops::store_doubles(v, out);
  return out;
}

}  // namespace ember::opt
