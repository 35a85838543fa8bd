// api_util.cc — last-error storage, exception-to-status translation and argument checks.
#include "api_util.h"

#include <climits>
#include <exception>
#include <new>

namespace jrnn::api {
std::string& last_error_storage() {
  thread_local std::string last_error;
  return last_error;
}
void set_last_error(const std::string& message) {
  last_error_storage() = message;
}
const char* last_error_c_str() {
  return last_error_storage().c_str();
}

}  // namespace jrnn::api

namespace jrnn {

jrnn_status status_of_current_exception() noexcept {
  using api::last_error_storage;
  auto& last_error = last_error_storage();
  try {
    throw;
  } catch (const Error& e) {
    last_error = e.message;
    return e.status;
  } catch (const std::bad_alloc&) {
    last_error = "out of host memory";
    return JRNN_ERR_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    last_error = std::string("internal error: ") + e.what();
    return JRNN_ERR_INTERNAL;
  } catch (...) {
    last_error = "internal error: unknown exception";
    return JRNN_ERR_INTERNAL;
  }
}

}  // namespace jrnn

namespace jrnn::api {

void check_context(const jrnn_context* ctx) {
  if (!ctx) fail(JRNN_ERR_INVALID_ARGUMENT, "ctx is NULL");
}

void check_desc(const jrnn_rnn_desc* desc) {
  if (!desc) fail(JRNN_ERR_INVALID_ARGUMENT, "desc is NULL");
}

void check_time_batch(int64_t T, int64_t N) {
  if (T < 1) fail(JRNN_ERR_INVALID_ARGUMENT, format("T = %lld must be >= 1", (long long)T));
  if (N < 1) fail(JRNN_ERR_INVALID_ARGUMENT, format("N = %lld must be >= 1", (long long)N));
  if (T > INT_MAX / N)  // T*N rows go to sgemm as an int
    fail(JRNN_ERR_INVALID_ARGUMENT, format("T*N = %lld*%lld exceeds the supported %d rows",
                                           (long long)T, (long long)N, INT_MAX));
}

void check_lengths(const int32_t* lengths, int64_t T, int64_t N) {
  if (!lengths) return;
  for (int64_t n = 0; n < N; ++n)
    if (lengths[n] < 1 || lengths[n] > T)
      fail(JRNN_ERR_INVALID_ARGUMENT, format("lengths[%lld] = %d is outside 1..T (T = %lld)",
                                             (long long)n, lengths[n], (long long)T));
}

void require(const void* ptr, const char* name) {
  if (!ptr) fail(JRNN_ERR_INVALID_ARGUMENT, format("%s is NULL but required", name));
}

void require_lstm_only(const jrnn_rnn_desc& desc, const void* ptr, const char* name) {
  if (ptr && desc.cell != JRNN_LSTM)
    fail(JRNN_ERR_INVALID_ARGUMENT,
         format("%s must be NULL: only LSTM has a cell state (this stack's cell is %s)", name,
                desc.cell == JRNN_GRU        ? "GRU"
                : desc.cell == JRNN_RNN_RELU ? "RNN_RELU"
                                             : "RNN_TANH"));
}

void require_nonnegative(int64_t value, const char* name) {
  if (value < 0)
    fail(JRNN_ERR_INVALID_ARGUMENT, format("%s = %lld must be >= 0", name, (long long)value));
}

}  // namespace jrnn::api
