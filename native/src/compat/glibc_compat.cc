// glibc_compat.cc — keeps libjrnn.so loadable on glibc 2.34 (RHEL 9, Amazon Linux 2023).
//
// libjrnn.so carries its own copy of libstdc++ (-static-libstdc++, see CMakeLists.txt). GCC 12's
// libstdc++.a was built against glibc 2.36 and its std::random_device calls arc4random, which
// glibc has only since 2.36; the archive member comes in with the string code every exception
// uses, although jrnn never creates a random_device. Defining arc4random here (hidden, so the
// process's own libc symbol is untouched) binds that reference inside the library. It returns the
// same kind of value: 32 bits from the kernel's random source.
#include <cerrno>
#include <cstdint>
#include <cstdlib>  // defines __GLIBC__ on glibc systems

#if defined(__linux__) && defined(__GLIBC__)
#include <sys/random.h>

extern "C" __attribute__((visibility("hidden"))) uint32_t arc4random(void) {
  uint32_t value;
  size_t have = 0;
  while (have < sizeof value) {
    ssize_t n = getrandom(reinterpret_cast<char*>(&value) + have, sizeof value - have, 0);
    if (n > 0) {
      have += static_cast<size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      std::abort();  // as glibc's arc4random: there is no way to report failure
    }
  }
  return value;
}
#endif
