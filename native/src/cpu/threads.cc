// threads.cc — the worker pool and barrier of threads.h.
#include "cpu/threads.h"

#include <pthread.h>
#include <sched.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "cpu/arch.h"

namespace jrnn::cpu {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kBarrierSpin = std::chrono::microseconds(50);  // then sched_yield between checks
constexpr auto kIdleSpin = std::chrono::microseconds(100);    // workers, before sleeping

class Pool {
 public:
  void run(int nt, RegionFn fn, void* arg) {
    std::unique_lock<std::mutex> region(region_mutex_, std::try_to_lock);
    if (!region.owns_lock() || nt <= 1) {
      Barrier one(1);
      fn(arg, 0, 1, &one);
      return;
    }
    grow(nt - 1);
    Barrier barrier(nt);
    fn_ = fn;
    arg_ = arg;
    nt_ = nt;
    barrier_ = &barrier;
    fp_mode_ = fp_mode();
    done_.store(0, std::memory_order_relaxed);
    seq_.fetch_add(1, std::memory_order_seq_cst);  // publishes the fields above
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      std::lock_guard<std::mutex> lock(sleep_mutex_);
      wake_.notify_all();
    }
    fn(arg, 0, nt, &barrier);
    // Every worker acknowledges every region (those beyond nt at once), so none still reads the
    // fields above when the next region rewrites them.
    const int workers = (int)threads_.size();
    const auto t0 = Clock::now();
    int spins = 0;
    while (done_.load(std::memory_order_acquire) < workers) {
      spin_pause();
      if (++spins % 64 == 0 && Clock::now() - t0 > kBarrierSpin) sched_yield();
    }
  }

 private:
  void grow(int workers) {
    while ((int)threads_.size() < workers) {
      const int index = (int)threads_.size() + 1;  // tid of this worker
      // the region about to start is the first one it runs (it may start after seq_ is bumped)
      const unsigned long long seen = seq_.load(std::memory_order_relaxed);
      threads_.emplace_back([this, index, seen] { loop(index, seen); });
    }
  }

  void loop(int tid, unsigned long long seen) {
    for (;;) {
      // Wait for the next region: spin a little, then sleep.
      const auto t0 = Clock::now();
      int spins = 0;
      while (seq_.load(std::memory_order_acquire) == seen) {
        spin_pause();
        if (++spins % 64 == 0 && Clock::now() - t0 > kIdleSpin) {
          std::unique_lock<std::mutex> lock(sleep_mutex_);
          sleepers_.fetch_add(1, std::memory_order_seq_cst);
          wake_.wait(lock, [&] { return seq_.load(std::memory_order_seq_cst) != seen; });
          sleepers_.fetch_sub(1, std::memory_order_relaxed);
          break;
        }
      }
      seen = seq_.load(std::memory_order_acquire);
      if (tid < nt_) {
        set_fp_mode(fp_mode_);
        fn_(arg_, tid, nt_, barrier_);
      }
      done_.fetch_add(1, std::memory_order_release);
    }
  }

  std::mutex region_mutex_;  // one region at a time
  std::vector<std::thread> threads_;
  // The current region (written before seq_ is bumped, read after it is seen).
  RegionFn fn_ = nullptr;
  void* arg_ = nullptr;
  int nt_ = 0;
  Barrier* barrier_ = nullptr;
  FpMode fp_mode_ = 0;  // the caller's (flush-to-zero), for the workers
  alignas(64) std::atomic<unsigned long long> seq_{0};
  alignas(64) std::atomic<int> done_{0};
  std::atomic<int> sleepers_{0};
  std::mutex sleep_mutex_;
  std::condition_variable wake_;
};

}  // namespace

void Barrier::wait() {
  if (n_ <= 1) return;
  const int gen = generation_.load(std::memory_order_acquire);
  if (count_.fetch_add(1, std::memory_order_acq_rel) == n_ - 1) {
    count_.store(0, std::memory_order_relaxed);
    generation_.store(gen + 1, std::memory_order_release);
    return;
  }
  const auto t0 = Clock::now();
  int spins = 0;
  while (generation_.load(std::memory_order_acquire) == gen) {
    spin_pause();
    if (++spins % 64 == 0 && Clock::now() - t0 > kBarrierSpin) sched_yield();
  }
}

int available_cores() {
  static const int cores = [] {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
      const int n = CPU_COUNT(&set);
      if (n > 0) return n;
    }
    const unsigned hc = std::thread::hardware_concurrency();
    return hc > 0 ? (int)hc : 1;
  }();
  return cores;
}

namespace {
std::atomic<Pool*> g_pool{nullptr};
// A forked child has none of the parent's workers: it starts a new pool (the old one is leaked,
// its state may be mid-region).
void after_fork_in_child() {
  g_pool.store(nullptr);
}
}  // namespace

void parallel_region(int want, RegionFn fn, void* arg) {
  Pool* pool = g_pool.load(std::memory_order_acquire);
  if (!pool) {
    static std::mutex create;
    static bool hooked = false;
    std::lock_guard<std::mutex> lock(create);
    pool = g_pool.load(std::memory_order_acquire);
    if (!pool) {
      if (!hooked) pthread_atfork(nullptr, nullptr, after_fork_in_child), hooked = true;
      pool = new Pool;  // never destroyed: workers live as long as the process
      g_pool.store(pool, std::memory_order_release);
    }
  }
  const int nt = want < available_cores() ? want : available_cores();
  pool->run(nt, fn, arg);
}

}  // namespace jrnn::cpu
