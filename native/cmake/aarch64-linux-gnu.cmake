# native/cmake/aarch64-linux-gnu.cmake — CMake toolchain file: libjrnn.so for linux-arm64, cross-built
# on x86-64 with Debian's cross compiler (g++-aarch64-linux-gnu, scripts/prereqs.sh arm64).
# Used by scripts/build-native.sh (JRNN_ARCH=arm64) and scripts/test-native-arm64.sh; by hand:
#   cmake -S . -B build/native-arm64 -DCMAKE_TOOLCHAIN_FILE=native/cmake/aarch64-linux-gnu.cmake \
#         -DJRNN_CUDA=OFF -DJRNN_OPENBLAS_DIR=$(scripts/fetch-openblas.sh linux-arm64)
# The tests run under user-mode QEMU (qemu-user): CMAKE_CROSSCOMPILING_EMULATOR makes ctest start
# every test executable through qemu-aarch64, with the cross toolchain's glibc as its root (-L).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(JRNN_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${JRNN_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${JRNN_CROSS_TRIPLE}-g++)
# The compiler knows its own sysroot (/usr/aarch64-linux-gnu); OpenBLAS is found by its explicit
# folder (JRNN_OPENBLAS_DIR). Programs (nvcc, python) are never taken from the target.
set(CMAKE_FIND_ROOT_PATH /usr/${JRNN_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
find_program(JRNN_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static)
if(JRNN_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${JRNN_QEMU_AARCH64};-L;/usr/${JRNN_CROSS_TRIPLE}")
endif()
