// test_cpu_threads.cc — the CPU backend used from several threads at once, as jrnn.h allows (a
// context per thread): four threads with 2- and 3-thread contexts run forward, training forward,
// backward, step and linear layers over and over, so regions of the worker pool overlap (one gets
// the pool, the others run on their caller alone), and every result must be bit-identical to the
// same calls made alone on a 1-thread context beforehand (results do not depend on the thread
// count). Meanwhile two more threads take, fill, check, give back and release blocks of one shared
// block cache (cpu::HostMemory, which is thread-safe). Written for ThreadSanitizer
// (scripts/test-tsan.sh) and checks its results in any build. Run: ctest -R cpu_threads.
#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "cpu/host_memory.h"
#include "rnn_harness.h"

using namespace jrnn::test;

namespace {

constexpr int kComputeThreads = 4;
constexpr int kRounds = 3;
constexpr int kCacheThreads = 2;
constexpr int kCacheRounds = 300;

void die_on(jrnn_status st, const char* what) {
  if (st != JRNN_OK) {
    std::fprintf(stderr, "FATAL: %s failed (%d): %s\n", what, (int)st, jrnn_last_error());
    std::exit(2);
  }
}

// The inputs shared (read only) by every thread.
struct Inputs {
  Case c;
  std::vector<float> x, h0, c0, w, dy, lin_w, lin_dy;
  int64_t lin_o;
};

// Everything the calls produce, downloaded to the host.
struct Results {
  std::vector<std::vector<float>> arrays;
  bool operator==(const Results& o) const { return arrays == o.arrays; }
};

std::vector<float> random_floats(std::mt19937& rng, size_t n) {
  return to_float(random_values(rng, n, 1.0));
}

// Forward (inference and training), backward, T steps and a linear layer forward and backward
// of `in` on ctx.
Results run_all(jrnn_context* ctx, const Inputs& in) {
  const Case& c = in.c;
  Desc desc(c);
  const int64_t states = int64_t(c.L) * c.D() * c.N * c.H;
  const int64_t y_count = c.T * c.N * c.D() * c.H;
  DeviceTensor x(ctx, in.x.size()), h0(ctx, states), c0(ctx, states), w(ctx, in.w.size());
  x.upload(in.x), h0.upload(in.h0), c0.upload(in.c0), w.upload(in.w);
  DeviceTensor y(ctx, y_count), hy(ctx, states), cy(ctx, states);
  const bool lstm = c.cell == JRNN_LSTM;  // only the LSTM takes c0, cy, dc0
  float* c0p = lstm ? c0.get() : nullptr;
  float* cyp = lstm ? cy.get() : nullptr;
  Results r;
  {
    GuardedBuffer scratch(ctx, jrnn_rnn_scratch_bytes(ctx, desc.d, c.T, c.N, JRNN_PASS_INFERENCE));
    die_on(jrnn_rnn_forward(ctx, desc.d, c.T, c.N, c.lengths_or_null(), x.get(), h0.get(), c0p,
                            w.get(), y.get(), hy.get(), cyp, nullptr, scratch.get()),
           "jrnn_rnn_forward");
    r.arrays.push_back(y.download());
    r.arrays.push_back(hy.download());
    r.arrays.push_back(cy.download());
  }
  {
    GuardedBuffer reserve(ctx, jrnn_rnn_reserve_bytes(ctx, desc.d, c.T, c.N));
    GuardedBuffer scratch(
        ctx, jrnn_rnn_scratch_bytes(ctx, desc.d, c.T, c.N, JRNN_PASS_TRAINING_FORWARD));
    die_on(jrnn_rnn_forward(ctx, desc.d, c.T, c.N, c.lengths_or_null(), x.get(), h0.get(), c0p,
                            w.get(), y.get(), hy.get(), cyp, reserve.get(), scratch.get()),
           "jrnn_rnn_forward (training)");
    DeviceTensor dy(ctx, y_count), dx(ctx, in.x.size()), dh0(ctx, states), dc0(ctx, states),
        dw(ctx, in.w.size());
    dy.upload(in.dy);
    GuardedBuffer back(ctx, jrnn_rnn_scratch_bytes(ctx, desc.d, c.T, c.N, JRNN_PASS_BACKWARD));
    die_on(jrnn_rnn_backward(ctx, desc.d, c.T, c.N, c.lengths_or_null(), x.get(), h0.get(), c0p,
                             w.get(), dy.get(), nullptr, nullptr, dx.get(), dh0.get(),
                             lstm ? dc0.get() : nullptr, dw.get(), reserve.get(), back.get()),
           "jrnn_rnn_backward");
    r.arrays.push_back(y.download());
    r.arrays.push_back(dx.download());
    r.arrays.push_back(dh0.download());
    r.arrays.push_back(dw.download());
  }
  if (!c.bidirectional) {
    DeviceTensor sy(ctx, c.N * c.H), sh(ctx, states), sc(ctx, states);
    sh.upload(in.h0), sc.upload(in.c0);
    GuardedBuffer scratch(ctx, jrnn_rnn_scratch_bytes(ctx, desc.d, 1, c.N, JRNN_PASS_STEP));
    for (int64_t t = 0; t < c.T; ++t)
      die_on(jrnn_rnn_step(ctx, desc.d, c.N, x.get() + t * c.N * c.C, sh.get(),
                           lstm ? sc.get() : nullptr, w.get(), sy.get(), sh.get(),
                           lstm ? sc.get() : nullptr, scratch.get()),
             "jrnn_rnn_step");
    r.arrays.push_back(sy.download());
    r.arrays.push_back(sh.download());
  }
  {
    const int64_t M = c.T * c.N, I = c.C, O = in.lin_o;
    DeviceTensor lw(ctx, O * I), ly(ctx, M * O), ldy(ctx, M * O), ldx(ctx, M * I), ldw(ctx, O * I);
    lw.upload(in.lin_w), ldy.upload(in.lin_dy);
    die_on(jrnn_linear_forward(ctx, M, I, O, x.get(), lw.get(), nullptr, ly.get()),
           "jrnn_linear_forward");
    die_on(jrnn_linear_backward(ctx, M, I, O, x.get(), lw.get(), ldy.get(), ldx.get(), ldw.get(),
                                nullptr),
           "jrnn_linear_backward");
    r.arrays.push_back(ly.download());
    r.arrays.push_back(ldx.download());
    r.arrays.push_back(ldw.download());
  }
  die_on(jrnn_context_release_cached(ctx), "jrnn_context_release_cached");
  return r;
}

Inputs make_inputs(int cell, bool bidirectional, uint32_t seed) {
  std::mt19937 rng(seed);
  // Big enough that every pass and product uses several threads (cpu/fast_rnn.cc threads_for).
  Inputs in{Case{cell, 8, 16, 48, 64, 2, bidirectional, true, {}}, {}, {}, {}, {}, {}, {}, {}, 96};
  Case& c = in.c;
  c.lengths = ragged_lengths(rng, c.T, c.N);
  Desc desc(c);
  const size_t states = size_t(c.L) * c.D() * c.N * c.H;
  in.x = random_floats(rng, c.T * c.N * c.C);
  in.h0 = random_floats(rng, states);
  in.c0 = random_floats(rng, states);
  in.w = random_floats(rng, jrnn_rnn_weights_count(desc.d));
  in.dy = random_floats(rng, c.T * c.N * c.D() * c.H);
  in.lin_w = random_floats(rng, in.lin_o * c.C);
  in.lin_dy = random_floats(rng, c.T * c.N * in.lin_o);
  return in;
}

// Takes blocks of 64 KiB to 1 MiB from the shared cache, fills each with this thread's mark, checks
// the mark is intact before giving it back (a block handed to two threads at once would not be),
// and now and then empties the cache. Returns the number of corrupted blocks.
int churn_cache(jrnn::cpu::HostMemory& memory, uint32_t seed) {
  std::mt19937 rng(seed);
  int bad = 0;
  std::vector<std::pair<unsigned char*, size_t>> held;
  for (int i = 0; i < kCacheRounds; ++i) {
    const size_t bytes = (size_t(64) << 10) + rng() % (size_t(960) << 10);
    auto* p = static_cast<unsigned char*>(memory.take(bytes));
    if (!p) return bad + 1;
    std::memset(p, int(seed & 0xff), bytes);
    held.emplace_back(p, bytes);
    if (held.size() > 3 || rng() % 2) {
      auto [q, n] = held.front();
      held.erase(held.begin());
      for (size_t k = 0; k < n; k += 4096)
        if (q[k] != (unsigned char)(seed & 0xff)) ++bad;
      memory.give(q);
    }
    if (rng() % 50 == 0) memory.release_cached();
    if (memory.cached_bytes() > (size_t(8) << 20)) ++bad;
  }
  for (auto& [q, n] : held) memory.give(q);
  return bad;
}

}  // namespace

int main() {
  jrnn_context* alone = jrnn_context_create(JRNN_DEVICE_CPU, 0, 1);
  EXPECT(alone != nullptr, "jrnn_context_create: %s", jrnn_last_error());
  if (!alone) return finish("test_cpu_threads");
  const Inputs inputs[] = {make_inputs(JRNN_LSTM, false, 1), make_inputs(JRNN_GRU, true, 2)};
  std::vector<Results> expected;
  for (const Inputs& in : inputs) expected.push_back(run_all(alone, in));
  jrnn_context_destroy(alone);

  jrnn::cpu::HostMemory shared_cache(size_t(8) << 20);
  std::atomic<int> mismatches{0}, cache_errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kComputeThreads; ++i)
    threads.emplace_back([&, i] {
      jrnn_context* ctx = jrnn_context_create(JRNN_DEVICE_CPU, 0, 2 + i % 2);
      if (!ctx) {
        mismatches.fetch_add(1000);
        return;
      }
      for (int round = 0; round < kRounds; ++round) {
        const int k = (i + round) % 2;
        if (!(run_all(ctx, inputs[k]) == expected[k])) mismatches.fetch_add(1);
      }
      jrnn_context_destroy(ctx);
    });
  for (int i = 0; i < kCacheThreads; ++i)
    threads.emplace_back([&, i] { cache_errors.fetch_add(churn_cache(shared_cache, 7 + i)); });
  for (std::thread& t : threads) t.join();
  EXPECT(mismatches.load() == 0,
         "%d of %d concurrent runs differ from the same calls made alone (1000: no context)",
         mismatches.load(), kComputeThreads * kRounds);
  EXPECT(cache_errors.load() == 0, "%d blocks of the shared cache were corrupted or over the cap",
         cache_errors.load());
  shared_cache.release_cached();
  EXPECT(shared_cache.cached_bytes() == 0, "release_cached left %zu bytes",
         shared_cache.cached_bytes());
  return finish("test_cpu_threads");
}
