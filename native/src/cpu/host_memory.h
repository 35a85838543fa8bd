// host_memory.h — the host blocks behind jrnn_alloc on a CPU context, with a cache of freed big
// blocks (what PyTorch's caching allocator does for CUDA memory, here for host memory).
//
// Why: the Java API allocates each call's outputs, reserve and scratch (megabytes to tens of
// megabytes) and frees them when the call's scope closes. glibc serves blocks that big with mmap
// and returns them with munmap, so every call paid page faults on fresh pages and zero-filling
// on top of the computation: 5-60 % of a call on the benchmark shapes (bench/cpu/NOTES.md, step
// 7). Freed blocks of at least kMinCachedBytes are kept, up to a cap, and handed out again to a
// request of about the same size; smaller blocks go to malloc/free, which recycles them anyway.
//
// Thread-safe. Built with AddressSanitizer the cap defaults to 0 (nothing cached), so
// use-after-free and leaks are still found.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>

namespace jrnn::cpu {

class HostMemory {
 public:
  static constexpr size_t kMinCachedBytes = size_t(64) << 10;

  // cap_bytes: most bytes kept in the cache (0: cache nothing).
  explicit HostMemory(size_t cap_bytes) : cap_(cap_bytes) {}
  ~HostMemory() { release_cached(); }  // blocks still handed out are their owner's to give back
  HostMemory(const HostMemory&) = delete;
  HostMemory& operator=(const HostMemory&) = delete;

  // A 64-byte aligned block of at least `bytes` (> 0), contents unspecified; nullptr when the
  // system is out of memory.
  void* take(size_t bytes);
  // Gives back a block from take() of this object (nullptr is ignored).
  void give(void* block) noexcept;
  // Frees every cached block (blocks handed out are not affected).
  void release_cached() noexcept;
  size_t cached_bytes() const;

  // JRNN_CPU_CACHE_MB (a whole number of MiB; 0 turns the cache off), else 1024 MiB; 0 when
  // built with AddressSanitizer.
  static size_t default_cap();

 private:
  const size_t cap_;
  mutable std::mutex mutex_;
  std::multimap<size_t, char*> cached_;  // capacity -> block start (the header, see .cc)
  size_t cached_bytes_ = 0;
};

}  // namespace jrnn::cpu
