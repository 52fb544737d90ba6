/* Minimal host program for the Ember C API: loads a model, lists its inputs and outputs,
 * runs it on one input (a raw little-endian float32 file, or zeros) and prints the outputs.
 *
 *   classify MODEL [INPUT.raw]
 *
 * Dynamic input dimensions are set to 1. Only a float32 first input is filled from the file;
 * other inputs get zeros. */
#include <ember/ember.h>

#include <stdio.h>
#include <stdlib.h>

#define MAX_RANK 8
#define MAX_IO 16

static const char* dtype_name(ember_dtype d) {
  switch (d) {
    case EMBER_FLOAT32: return "float32";
    case EMBER_UINT8: return "uint8";
    case EMBER_INT8: return "int8";
    case EMBER_INT32: return "int32";
    case EMBER_INT64: return "int64";
    case EMBER_BOOL: return "bool";
    case EMBER_FLOAT16: return "float16";
    case EMBER_FLOAT64: return "float64";
    default: return "other"; /* the library accepts more ONNX element types */
  }
}

static void print_dims(const int64_t* dims, size_t rank) {
  size_t i;
  printf("[");
  for (i = 0; i < rank; ++i) printf(i ? ", %lld" : "%lld", (long long)dims[i]);
  printf("]");
}

/* Prints one input or output description; returns 0 on success. */
static int describe(const ember_session* s, size_t i, int is_input) {
  ember_dtype dtype;
  size_t rank;
  int64_t dims[MAX_RANK];
  ember_status st = is_input ? ember_session_input_info(s, i, &dtype, &rank, dims, MAX_RANK)
                             : ember_session_output_info(s, i, &dtype, &rank, dims, MAX_RANK);
  if (st != EMBER_OK) return fprintf(stderr, "error: %s\n", ember_last_error()), 1;
  printf("  %s %s: %s", is_input ? "input " : "output",
         is_input ? ember_session_input_name(s, i) : ember_session_output_name(s, i),
         dtype_name(dtype));
  if (rank == EMBER_RANK_UNKNOWN) printf(" (unknown rank)\n");
  else printf(" "), print_dims(dims, rank), printf("\n");
  return 0;
}

/* Makes a zero-filled tensor for input i (dynamic dims -> 1); NULL on failure. */
static ember_tensor* make_input(const ember_session* s, size_t i) {
  ember_dtype dtype;
  size_t rank, d;
  int64_t dims[MAX_RANK];
  ember_tensor* t = NULL;
  if (ember_session_input_info(s, i, &dtype, &rank, dims, MAX_RANK) != EMBER_OK) return NULL;
  if (rank == EMBER_RANK_UNKNOWN) rank = 0;
  for (d = 0; d < rank; ++d)
    if (dims[d] < 0) dims[d] = 1;
  if (ember_tensor_create(dtype, dims, rank, NULL, &t) != EMBER_OK) return NULL;
  return t;
}

/* Fills a float32 tensor from a raw file holding exactly its bytes; returns 0 on success. */
static int read_raw(const char* path, ember_tensor* t) {
  size_t want = ember_tensor_byte_size(t), got;
  FILE* f = fopen(path, "rb");
  if (!f) return fprintf(stderr, "error: cannot open %s\n", path), 1;
  got = fread(ember_tensor_data(t), 1, want, f);
  fclose(f);
  if (got != want) return fprintf(stderr, "error: %s has %zu bytes, expected %zu\n", path, got, want), 1;
  return 0;
}

static void print_output(const char* name, ember_tensor* t) {
  size_t n = ember_tensor_element_count(t), i, best = 0;
  printf("%s: %s ", name, dtype_name(ember_tensor_dtype(t)));
  print_dims(ember_tensor_shape(t), ember_tensor_rank(t));
  printf("\n");
  if (ember_tensor_dtype(t) != EMBER_FLOAT32 || n == 0) return;
  {
    const float* v = (const float*)ember_tensor_data(t);
    for (i = 0; i < n; ++i) {
      if (i < 10) printf("  [%zu] %g\n", i, v[i]);
      if (v[i] > v[best]) best = i;
    }
    printf("  argmax %zu (%g)\n", best, v[best]);
  }
}

int main(int argc, char** argv) {
  ember_options* opts = NULL;
  ember_session* s = NULL;
  ember_tensor* inputs[MAX_IO] = {0};
  ember_tensor* outputs[MAX_IO] = {0};
  const char* in_names[MAX_IO];
  const char* out_names[MAX_IO];
  size_t n_in, n_out, i;
  int rc = 1;

  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s MODEL [INPUT.raw]\n", argv[0]);
    return 2;
  }
  printf("ember %s\n", ember_version());
  if (ember_options_create(&opts) != EMBER_OK || ember_options_set(opts, "threads", "1") != EMBER_OK ||
      ember_session_create(argv[1], opts, &s) != EMBER_OK) {
    fprintf(stderr, "error: %s\n", ember_last_error());
    goto done;
  }
  n_in = ember_session_input_count(s);
  n_out = ember_session_output_count(s);
  if (n_in > MAX_IO || n_out > MAX_IO) {
    fprintf(stderr, "error: this example handles at most %d inputs and outputs\n", MAX_IO);
    goto done;
  }
  for (i = 0; i < n_in; ++i)
    if (describe(s, i, 1)) goto done;
  for (i = 0; i < n_out; ++i)
    if (describe(s, i, 0)) goto done;

  for (i = 0; i < n_in; ++i) {
    in_names[i] = ember_session_input_name(s, i);
    if (!(inputs[i] = make_input(s, i))) {
      fprintf(stderr, "error: %s\n", ember_last_error());
      goto done;
    }
  }
  if (argc == 3) {
    if (n_in == 0 || ember_tensor_dtype(inputs[0]) != EMBER_FLOAT32) {
      fprintf(stderr, "error: the first input is not float32\n");
      goto done;
    }
    if (read_raw(argv[2], inputs[0])) goto done;
  }
  for (i = 0; i < n_out; ++i) out_names[i] = ember_session_output_name(s, i);
  if (ember_session_run(s, in_names, (const ember_tensor* const*)inputs, n_in, out_names, outputs,
                        n_out) != EMBER_OK) {
    fprintf(stderr, "error: %s\n", ember_last_error());
    goto done;
  }
  for (i = 0; i < n_out; ++i) print_output(out_names[i], outputs[i]);
  rc = 0;

done:
  for (i = 0; i < MAX_IO; ++i) {
    ember_tensor_destroy(inputs[i]);
    ember_tensor_destroy(outputs[i]);
  }
  ember_session_destroy(s);
  ember_options_destroy(opts);
  return rc;
}
