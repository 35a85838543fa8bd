// api.cc — jrnn.h's core C functions: errors, version, devices, contexts, memory, descriptors and
// the recurrent stack. Each function validates its arguments (messages name the argument), then
// dispatches on the context's device (cpu/ or cuda/); C++ exceptions never cross the C boundary.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>

#include "api_util.h"
#include "cpu/cpu_rnn.h"
#include "cpu/host_memory.h"
#include "cpu/isa.h"
#include "cuda/cuda_backend.h"
#include "cuda/cuda_layout.h"

#ifndef JRNN_VERSION_STRING
#define JRNN_VERSION_STRING "0.0.0"
#endif

using namespace jrnn;
using namespace jrnn::api;

namespace {

bool on_cpu(const jrnn_context* ctx) {
  return ctx->device_type == JRNN_DEVICE_CPU;
}

const jrnn_rnn_desc::Param* param_at(const jrnn_rnn_desc* desc, int index) {
  check_desc(desc);
  if (index < 0 || index >= (int)desc->params.size())
    fail(JRNN_ERR_INVALID_ARGUMENT,
         format("index = %d is outside 0..%d", index, (int)desc->params.size() - 1));
  return &desc->params[index];
}

// Reserve and scratch sizes: each device has its own layout (cpu/layout.h, cuda/cuda_layout.h;
// the CUDA one is host code, so every build can answer for it).
size_t reserve_size(const jrnn_context* ctx, const jrnn_rnn_desc& desc, int64_t T, int64_t N) {
  return on_cpu(ctx) ? cpu::reserve_bytes(desc, T, N) : cuda::reserve_bytes(desc, T, N);
}
size_t scratch_size(const jrnn_context* ctx, const jrnn_rnn_desc& desc, int64_t T, int64_t N,
                    int pass) {
  return on_cpu(ctx) ? cpu::scratch_bytes(desc, T, N, pass) : cuda::scratch_bytes(desc, T, N, pass);
}

void check_scratch(const void* scratch, size_t needed, const char* pass_name) {
  if (!scratch && needed > 0)
    fail(JRNN_ERR_INVALID_ARGUMENT,
         format("scratch is NULL but jrnn_rnn_scratch_bytes(%s) = %zu bytes are needed", pass_name,
                needed));
}

void check_copy(const jrnn_context* ctx, const void* dst, const void* src, size_t bytes) {
  check_context(ctx);
  if (bytes == 0) return;
  require(dst, "dst");
  require(src, "src");
}

}  // namespace

extern "C" {

const char* jrnn_last_error(void) {
  return last_error_c_str();
}
const char* jrnn_version(void) {
  return JRNN_VERSION_STRING;
}
const char* jrnn_cpu_isa(void) {
  return cpu::isa_name(cpu::active_isa());
}
int jrnn_has_cuda(void) {
  return cuda::compiled() ? 1 : 0;
}
int jrnn_cuda_device_count(void) {
  return guard_value(0, [] { return cuda::device_count(); });
}

// ------------------------------------------------------------------ contexts

jrnn_context* jrnn_context_create(int device_type, int device_index, int num_threads) {
  return guard_value<jrnn_context*>(nullptr, [&]() -> jrnn_context* {
    auto ctx = std::make_unique<jrnn_context>();
    ctx->device_type = device_type;
    if (device_type == JRNN_DEVICE_CPU) {
      if (device_index != 0)
        fail(JRNN_ERR_INVALID_ARGUMENT,
             format("device_index = %d must be 0 for the CPU", device_index));
      const int cores = (int)std::thread::hardware_concurrency();
      ctx->num_threads = num_threads > 0 ? num_threads : (cores > 0 ? cores : 1);
      ctx->host_memory = new cpu::HostMemory(cpu::HostMemory::default_cap());
    } else if (device_type == JRNN_DEVICE_CUDA) {
      ctx->num_threads = 1;
      cuda::context_init(*ctx, device_index);
    } else {
      fail(JRNN_ERR_INVALID_ARGUMENT,
           format("device_type = %d is not a jrnn_device_type (0 CPU, 1 CUDA)", device_type));
    }
    return ctx.release();
  });
}

void jrnn_context_destroy(jrnn_context* ctx) {
  if (!ctx) return;
  if (ctx->device_type == JRNN_DEVICE_CUDA) cuda::context_release(*ctx);
  delete ctx->host_memory;
  delete ctx;
}

int jrnn_context_device_type(const jrnn_context* ctx) {
  return guard_value(-1, [&] {
    check_context(ctx);
    return ctx->device_type;
  });
}

int jrnn_context_num_threads(const jrnn_context* ctx) {
  return guard_value(-1, [&] {
    check_context(ctx);
    return ctx->num_threads;
  });
}

jrnn_status jrnn_context_synchronize(jrnn_context* ctx) {
  return guarded([&] {
    check_context(ctx);
    if (!on_cpu(ctx)) cuda::synchronize(*ctx);
  });
}

// ------------------------------------------------------------------ memory

namespace {
void* allocate(jrnn_context* ctx, size_t bytes, bool zeroed) {
  return guard_value<void*>(nullptr, [&]() -> void* {
    check_context(ctx);
    if (bytes == 0) fail(JRNN_ERR_INVALID_ARGUMENT, "bytes = 0 must be > 0");
    if (!on_cpu(ctx)) return cuda::alloc(*ctx, bytes);  // always zero-filled (cheap on a GPU)
    void* ptr = ctx->host_memory->take(bytes);
    if (!ptr)
      fail(JRNN_ERR_OUT_OF_MEMORY, format("out of host memory allocating %zu bytes", bytes));
    if (zeroed) std::memset(ptr, 0, bytes);
    return ptr;
  });
}
}  // namespace

void* jrnn_alloc(jrnn_context* ctx, size_t bytes) {
  return allocate(ctx, bytes, true);
}
void* jrnn_alloc_uninitialized(jrnn_context* ctx, size_t bytes) {
  return allocate(ctx, bytes, false);
}

void jrnn_free(jrnn_context* ctx, void* ptr) {
  if (!ptr || !ctx) return;
  if (on_cpu(ctx))
    ctx->host_memory->give(ptr);
  else
    cuda::free(*ctx, ptr);
}

size_t jrnn_context_cached_bytes(const jrnn_context* ctx) {
  return guard_value<size_t>(0, [&] {
    check_context(ctx);
    return on_cpu(ctx) ? ctx->host_memory->cached_bytes() : size_t(0);
  });
}

jrnn_status jrnn_context_release_cached(jrnn_context* ctx) {
  return guarded([&] {
    check_context(ctx);
    if (on_cpu(ctx)) ctx->host_memory->release_cached();
  });
}

jrnn_status jrnn_copy_from_host(jrnn_context* ctx, void* dst, const void* src, size_t bytes) {
  return guarded([&] {
    check_copy(ctx, dst, src, bytes);
    if (bytes == 0) return;
    if (on_cpu(ctx))
      std::memcpy(dst, src, bytes);
    else
      cuda::copy_from_host(*ctx, dst, src, bytes);
  });
}

jrnn_status jrnn_copy_to_host(jrnn_context* ctx, void* dst, const void* src, size_t bytes) {
  return guarded([&] {
    check_copy(ctx, dst, src, bytes);
    if (bytes == 0) return;
    if (on_cpu(ctx))
      std::memcpy(dst, src, bytes);
    else
      cuda::copy_to_host(*ctx, dst, src, bytes);
  });
}

jrnn_status jrnn_copy_on_device(jrnn_context* ctx, void* dst, const void* src, size_t bytes) {
  return guarded([&] {
    check_copy(ctx, dst, src, bytes);
    if (bytes == 0) return;
    if (on_cpu(ctx))
      std::memcpy(dst, src, bytes);
    else
      cuda::copy_on_device(*ctx, dst, src, bytes);
  });
}

jrnn_status jrnn_zero(jrnn_context* ctx, void* dst, size_t bytes) {
  return guarded([&] {
    check_context(ctx);
    if (bytes == 0) return;
    require(dst, "dst");
    if (on_cpu(ctx))
      std::memset(dst, 0, bytes);
    else
      cuda::zero(*ctx, dst, bytes);
  });
}

// ------------------------------------------------------------------ descriptors

jrnn_rnn_desc* jrnn_rnn_desc_create(int cell, int64_t input_size, int64_t hidden_size,
                                    int num_layers, int bidirectional, int bias) {
  return guard_value<jrnn_rnn_desc*>(nullptr, [&] {
    return new jrnn_rnn_desc(
        make_desc(cell, input_size, hidden_size, num_layers, bidirectional, bias));
  });
}

void jrnn_rnn_desc_destroy(jrnn_rnn_desc* desc) {
  delete desc;
}

int64_t jrnn_rnn_weights_count(const jrnn_rnn_desc* desc) {
  return guard_value<int64_t>(-1, [&] {
    check_desc(desc);
    return desc->weights_count;
  });
}

int jrnn_rnn_param_count(const jrnn_rnn_desc* desc) {
  return guard_value(-1, [&] {
    check_desc(desc);
    return (int)desc->params.size();
  });
}

const char* jrnn_rnn_param_name(const jrnn_rnn_desc* desc, int index) {
  return guard_value<const char*>(nullptr, [&] { return param_at(desc, index)->name.c_str(); });
}

int64_t jrnn_rnn_param_offset(const jrnn_rnn_desc* desc, int index) {
  return guard_value<int64_t>(-1, [&] { return param_at(desc, index)->offset; });
}

int64_t jrnn_rnn_param_rows(const jrnn_rnn_desc* desc, int index) {
  return guard_value<int64_t>(-1, [&] { return param_at(desc, index)->rows; });
}

int64_t jrnn_rnn_param_cols(const jrnn_rnn_desc* desc, int index) {
  return guard_value<int64_t>(-1, [&] { return param_at(desc, index)->cols; });
}

// ------------------------------------------------------------------ recurrent stacks

size_t jrnn_rnn_reserve_bytes(const jrnn_context* ctx, const jrnn_rnn_desc* desc, int64_t T,
                              int64_t N) {
  return guard_value<size_t>(0, [&] {
    check_context(ctx);
    check_desc(desc);
    check_time_batch(T, N);
    return reserve_size(ctx, *desc, T, N);
  });
}

size_t jrnn_rnn_scratch_bytes(const jrnn_context* ctx, const jrnn_rnn_desc* desc, int64_t T,
                              int64_t N, int pass) {
  return guard_value<size_t>(0, [&] {
    check_context(ctx);
    check_desc(desc);
    if (pass < JRNN_PASS_INFERENCE || pass > JRNN_PASS_STEP)
      fail(JRNN_ERR_INVALID_ARGUMENT,
           format("pass = %d is not a jrnn_pass (0 inference, 1 training forward, 2 backward, "
                  "3 step)",
                  pass));
    if (pass == JRNN_PASS_STEP) T = 1;  // ignored for a step
    check_time_batch(T, N);
    return scratch_size(ctx, *desc, T, N, pass);
  });
}

jrnn_status jrnn_rnn_forward(jrnn_context* ctx, const jrnn_rnn_desc* desc, int64_t T, int64_t N,
                             const int32_t* lengths, const float* x, const float* h0,
                             const float* c0, const float* w, float* y, float* hy, float* cy,
                             void* reserve, void* scratch) {
  return guarded([&] {
    check_context(ctx);
    check_desc(desc);
    check_time_batch(T, N);
    check_lengths(lengths, T, N);
    require(x, "x");
    require(w, "w");
    require(y, "y");
    require_lstm_only(*desc, c0, "c0");
    require_lstm_only(*desc, cy, "cy");
    const int pass = reserve ? JRNN_PASS_TRAINING_FORWARD : JRNN_PASS_INFERENCE;
    check_scratch(scratch, scratch_size(ctx, *desc, T, N, pass),
                  reserve ? "TRAINING_FORWARD" : "INFERENCE");
    const ForwardArgs args{desc, T, N, lengths, x, h0, c0, w, y, hy, cy, reserve, scratch};
    if (on_cpu(ctx))
      cpu::rnn_forward(*ctx, args);
    else
      cuda::rnn_forward(*ctx, args);
  });
}

jrnn_status jrnn_rnn_backward(jrnn_context* ctx, const jrnn_rnn_desc* desc, int64_t T, int64_t N,
                              const int32_t* lengths, const float* x, const float* h0,
                              const float* c0, const float* w, const float* dy, const float* dhy,
                              const float* dcy, float* dx, float* dh0, float* dc0, float* dw,
                              const void* reserve, void* scratch) {
  return guarded([&] {
    check_context(ctx);
    check_desc(desc);
    check_time_batch(T, N);
    check_lengths(lengths, T, N);
    require(x, "x");
    require(w, "w");
    require(reserve, "reserve (filled by a training jrnn_rnn_forward)");
    require_lstm_only(*desc, c0, "c0");
    require_lstm_only(*desc, dcy, "dcy");
    require_lstm_only(*desc, dc0, "dc0");
    check_scratch(scratch, scratch_size(ctx, *desc, T, N, JRNN_PASS_BACKWARD), "BACKWARD");
    const BackwardArgs args{desc, T,   N,  lengths, x,   h0, c0,      w,      dy,
                            dhy,  dcy, dx, dh0,     dc0, dw, reserve, scratch};
    if (on_cpu(ctx))
      cpu::rnn_backward(*ctx, args);
    else
      cuda::rnn_backward(*ctx, args);
  });
}

jrnn_status jrnn_rnn_step(jrnn_context* ctx, const jrnn_rnn_desc* desc, int64_t N, const float* x,
                          const float* hx, const float* cx, const float* w, float* y, float* hy,
                          float* cy, void* scratch) {
  return guarded([&] {
    check_context(ctx);
    check_desc(desc);
    if (desc->num_directions != 1)
      fail(JRNN_ERR_NOT_SUPPORTED,
           "jrnn_rnn_step needs a unidirectional stack: a reverse direction needs the whole "
           "sequence (use jrnn_rnn_forward)");
    check_time_batch(1, N);
    require(x, "x");
    require(w, "w");
    require(y, "y");
    require(hy, "hy");
    require_lstm_only(*desc, cx, "cx");
    require_lstm_only(*desc, cy, "cy");
    if (desc->cell == JRNN_LSTM) require(cy, "cy (required for LSTM)");
    check_scratch(scratch, scratch_size(ctx, *desc, 1, N, JRNN_PASS_STEP), "STEP");
    const StepArgs args{desc, N, x, hx, cx, w, y, hy, cy, scratch};
    if (on_cpu(ctx))
      cpu::rnn_step(*ctx, args);
    else
      cuda::rnn_step(*ctx, args);
  });
}

}  // extern "C"
