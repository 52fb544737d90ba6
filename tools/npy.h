// Reading and writing NumPy .npy files (format versions 1-3, little-endian, C order), the
// tensor exchange format of `ember run`.
#pragma once

#include <string>

#include "ir/tensor.h"

namespace ember::cli {

// Decodes .npy bytes; `what` names the source in errors. Malformed content is
// InvalidArgument; Fortran order, big-endian data and dtypes Ember lacks are Unsupported.
Tensor parse_npy(const std::string& bytes, const std::string& what);
// Reads a .npy file (Io when it cannot be read).
Tensor read_npy(const std::string& path);

// Encodes a tensor as a version 1 .npy (version 2 when the header needs it).
std::string encode_npy(const Tensor& t);
// Writes atomically: a temporary file in the same folder, then a rename, so a failure never
// leaves a partial file under `path`.
void write_npy(const std::string& path, const Tensor& t);

}  // namespace ember::cli
