/* A C99 host program written only against the installed <ember/ember.h>: loads the digits
 * model, classifies two known images and checks the predicted labels.
 *
 *   consumer_c MODEL          exit 0 when both images are classified correctly */
#include <ember/ember.h>

#include <stdio.h>
#include <string.h>

#include "../common/digits.h"

static int fail(const char* what) {
  fprintf(stderr, "consumer_c: %s failed: %s\n", what, ember_last_error());
  return 1;
}

int main(int argc, char** argv) {
  ember_options* opts = NULL;
  ember_session* session = NULL;
  ember_tensor* input = NULL;
  ember_tensor* output = NULL;
  const int64_t shape[4] = {DIGITS_COUNT, 1, 8, 8};
  float pixels[DIGITS_COUNT * 64];
  const char* in_name;
  const char* out_name;
  const float* logits;
  int i, k, rc = 1;

  if (argc != 2) {
    fprintf(stderr, "usage: consumer_c MODEL\n");
    return 2;
  }
  printf("consumer_c: ember %s (API version %d)\n", ember_version(), EMBER_API_VERSION);
  for (i = 0; i < DIGITS_COUNT; ++i)
    for (k = 0; k < 64; ++k) pixels[i * 64 + k] = (float)kDigitsPixels[i][k] / 16.0f;

  if (ember_options_create(&opts) != EMBER_OK) return fail("ember_options_create");
  if (ember_options_set(opts, "threads", "1") != EMBER_OK) { rc = fail("ember_options_set"); goto done; }
  if (ember_session_create(argv[1], opts, &session) != EMBER_OK) { rc = fail("ember_session_create"); goto done; }
  if (ember_tensor_create(EMBER_FLOAT32, shape, 4, pixels, &input) != EMBER_OK) {
    rc = fail("ember_tensor_create");
    goto done;
  }
  in_name = ember_session_input_name(session, 0);
  out_name = ember_session_output_name(session, 0);
  if (ember_session_run(session, &in_name, (const ember_tensor* const*)&input, 1, &out_name,
                        &output, 1) != EMBER_OK) {
    rc = fail("ember_session_run");
    goto done;
  }
  if (ember_tensor_element_count(output) != DIGITS_COUNT * 10) {
    fprintf(stderr, "consumer_c: %s has %zu elements, expected %d\n", out_name,
            ember_tensor_element_count(output), DIGITS_COUNT * 10);
    goto done;
  }
  logits = (const float*)ember_tensor_data(output);
  rc = 0;
  for (i = 0; i < DIGITS_COUNT; ++i) {
    int best = 0;
    for (k = 1; k < 10; ++k)
      if (logits[i * 10 + k] > logits[i * 10 + best]) best = k;
    printf("consumer_c: image %d: predicted %d, label %d\n", i, best, kDigitsLabels[i]);
    if (best != kDigitsLabels[i]) rc = 1;
  }
  printf(rc == 0 ? "consumer_c: ok\n" : "consumer_c: WRONG PREDICTION\n");

done:
  ember_tensor_destroy(output);
  ember_tensor_destroy(input);
  ember_session_destroy(session);
  ember_options_destroy(opts);
  return rc;
}
