#include "support/error.h"

namespace ember {

const char* status_name(Status s) {
  switch (s) {
    case Status::Ok: return "ok";
    case Status::InvalidArgument: return "invalid argument";
    case Status::InvalidModel: return "invalid model";
    case Status::Unsupported: return "unsupported";
    case Status::ShapeMismatch: return "shape mismatch";
    case Status::TypeMismatch: return "type mismatch";
    case Status::OutOfMemory: return "out of memory";
    case Status::Io: return "i/o error";
    case Status::Device: return "device error";
    case Status::Runtime: return "runtime error";
  }
  return "unknown";
}

}  // namespace ember
