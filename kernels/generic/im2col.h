// im2col / col2im for N-dimensional convolutions, the data movement that turns a convolution
// into a GEMM. One "image" is [channels, in...] (row-major); its column matrix is
// [channels * kernel_size, out_size], row (c, k...) holding the input element each output
// position sees through kernel tap k (zero where the tap falls into padding).
#pragma once

#include <cstdint>

namespace ember::kernels {

constexpr int kMaxConvDims = 8;

struct ConvGeom {
  int nd = 0;                        // number of spatial dimensions
  int64_t in[kMaxConvDims] = {};     // image spatial sizes
  int64_t out[kMaxConvDims] = {};    // output (column) spatial sizes
  int64_t kernel[kMaxConvDims] = {};
  int64_t stride[kMaxConvDims] = {};
  int64_t dilation[kMaxConvDims] = {};
  int64_t pad[kMaxConvDims] = {};    // padding before each dimension (the end pad is implied by out)

  int64_t in_size() const;
  int64_t out_size() const;
  int64_t kernel_size() const;
  // True when the column matrix equals the image itself (1x1 kernel, stride 1, no padding).
  bool is_pointwise() const;
};

// Writes columns [s0, s1) of the column matrix into `col`, whose rows have length s1 - s0.
// Splitting by column ranges lets callers tile a convolution across threads. Taps in the
// padding get `pad` (quantized convolutions pad with the input's zero point, not 0).
template <class T>
void im2col(const T* img, int64_t channels, const ConvGeom& g, int64_t s0, int64_t s1, T* col, T pad = T(0));

// The adjoint: adds every column entry back onto the image position it came from
// (img += col2im(col)). Used by ConvTranspose; `img` must be initialised by the caller.
// Processes channels [c0, c1) so callers can split the work across threads.
template <class T>
void col2im_add(const T* col, int64_t c0, int64_t c1, const ConvGeom& g, T* img);

}  // namespace ember::kernels
