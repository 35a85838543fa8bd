// api_util.h — the C boundary's machinery, shared by the C API files: the thread-local last-error
// message, wrappers that turn C++ exceptions into statuses (nothing crosses extern "C"), and the
// argument checks whose messages name the argument and its bad value.
#pragma once

#include <cstdint>
#include <string>

#include "internal.h"

namespace jrnn::api {

void set_last_error(const std::string& message);
const char* last_error_c_str();
std::string& last_error_storage();  // this thread's message

// guarded() (internal.h) for functions that return a status; this for functions that return a
// value (pointer, size): `on_error` is returned after a throw.
template <typename T, typename Body>
T guard_value(T on_error, Body&& body) noexcept;

void check_context(const jrnn_context* ctx);
void check_desc(const jrnn_rnn_desc* desc);
void check_time_batch(int64_t T, int64_t N);  // T, N >= 1 and T*N within BLAS's int
void check_lengths(const int32_t* lengths, int64_t T, int64_t N);
void require(const void* ptr, const char* name);  // INVALID_ARGUMENT "<name> is NULL ..."
void require_lstm_only(const jrnn_rnn_desc& desc, const void* ptr, const char* name);
void require_nonnegative(int64_t value, const char* name);  // counts and sizes

// ---- template definitions

template <typename T, typename Body>
T guard_value(T on_error, Body&& body) noexcept {
  try {
    return body();
  } catch (...) {
    status_of_current_exception();
    return on_error;
  }
}

}  // namespace jrnn::api
