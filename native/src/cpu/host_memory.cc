// host_memory.cc — see host_memory.h.
#include "cpu/host_memory.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__SANITIZE_ADDRESS__)
#define JRNN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JRNN_ASAN 1
#endif
#endif

namespace jrnn::cpu {
namespace {

// Every block starts with a 64-byte header that records its capacity (the bytes after the
// header), so give() needs no lookup table; the caller's pointer is 64 bytes in, still aligned.
constexpr size_t kHeader = 64;

size_t capacity_of(const char* block) {
  size_t capacity;
  std::memcpy(&capacity, block, sizeof capacity);
  return capacity;
}

char* new_block(size_t capacity) {
  if (capacity > SIZE_MAX - 2 * kHeader) return nullptr;
  char* block = static_cast<char*>(std::aligned_alloc(kHeader, kHeader + capacity));
  if (block) std::memcpy(block, &capacity, sizeof capacity);
  return block;
}

}  // namespace

void* HostMemory::take(size_t bytes) {
  if (bytes > SIZE_MAX - 2 * kHeader) return nullptr;
  const size_t want = (bytes + kHeader - 1) & ~(kHeader - 1);  // aligned_alloc wants multiples
  if (want >= kMinCachedBytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    // The smallest cached block that fits, if it wastes at most a quarter of itself (requests of
    // one workload repeat their sizes; a much bigger block is kept for the request it fits).
    auto it = cached_.lower_bound(want);
    if (it != cached_.end() && it->first - want <= it->first / 4) {
      char* block = it->second;
      cached_bytes_ -= it->first;
      cached_.erase(it);
      return block + kHeader;
    }
  }
  char* block = new_block(want);
  return block ? block + kHeader : nullptr;
}

void HostMemory::give(void* ptr) noexcept {
  if (!ptr) return;
  char* block = static_cast<char*>(ptr) - kHeader;
  const size_t capacity = capacity_of(block);
  if (capacity >= kMinCachedBytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (cached_bytes_ + capacity <= cap_) {
      cached_.emplace(capacity, block);
      cached_bytes_ += capacity;
      return;
    }
  }
  std::free(block);
}

void HostMemory::release_cached() noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& entry : cached_) std::free(entry.second);
  cached_.clear();
  cached_bytes_ = 0;
}

size_t HostMemory::cached_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return cached_bytes_;
}

size_t HostMemory::default_cap() {
#ifdef JRNN_ASAN
  return 0;
#else
  if (const char* env = std::getenv("JRNN_CPU_CACHE_MB")) {
    char* end = nullptr;
    const unsigned long long mib = std::strtoull(env, &end, 10);
    if (end != env && *end == '\0' && mib < (SIZE_MAX >> 20)) return size_t(mib) << 20;
  }
  return size_t(1024) << 20;
#endif
}

}  // namespace jrnn::cpu
