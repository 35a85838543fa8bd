// threads.h — jrnn's own CPU worker threads for the fast path (isa.h: avx2/avx512). One
// process-wide pool; a parallel region runs fn(arg, tid, nt, barrier) on nt threads (the calling
// thread is tid 0) and returns when all are done. Inside a region threads meet at a spinning
// Barrier (no sleeping, no wake-ups: one per time step costs ~0.1-0.5 us). Between regions workers
// spin for a short while, then sleep on a condition variable, so a burst of calls (a training loop)
// wakes them once. Workers take the caller's floating-point mode (arch.h: flush-to-zero) per
// region.
//
// Work is split so that every output element is computed by exactly one thread, in an order that
// does not depend on nt: results are identical for any thread count. That is also why a region may
// run with fewer threads than asked (another region is running, or there are fewer cores): nt is
// only a speed setting.
#pragma once

#include <atomic>

namespace jrnn::cpu {

class Barrier {
 public:
  explicit Barrier(int n) : n_(n) {}
  Barrier(const Barrier&) = delete;
  Barrier& operator=(const Barrier&) = delete;
  // Returns when all n threads of the region have called wait() (for this round). Spins with
  // pause, then yields the core if the others take long (a busy machine).
  void wait();
  int size() const { return n_; }

 private:
  alignas(64) std::atomic<int> count_{0};
  alignas(64) std::atomic<int> generation_{0};
  int n_;
};

using RegionFn = void (*)(void* arg, int tid, int nt, Barrier* barrier);

// Runs fn on min(want, cores) threads, or on the caller alone when want <= 1 or another region is
// running (regions do not nest and do not share the pool).
void parallel_region(int want, RegionFn fn, void* arg);

// Cores this process may run on (sched_getaffinity), at least 1.
int available_cores();

// Splits [0, count) into nt contiguous parts; part tid is [*begin, *end).
inline void split_range(long long count, int tid, int nt, long long* begin, long long* end) {
  const long long base = count / nt, extra = count % nt;
  *begin = tid * base + (tid < extra ? tid : extra);
  *end = *begin + base + (tid < extra ? 1 : 0);
}

}  // namespace jrnn::cpu
