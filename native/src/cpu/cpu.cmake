# native/src/cpu/cpu.cmake — the CPU fast path's sources, included by the top CMakeLists.txt.
# The ISA-specific kernels get their instruction set per file (never for the whole library): the
# library runs on any x86-64 and picks the kernels at run time (cpu/isa.h). On other processors
# (linux-arm64, native/cmake/aarch64-linux-gnu.cmake) the x86 kernel files are left out and the
# CPU path is the portable one (OpenBLAS + the pointwise loops, which the compiler vectorises).
set(JRNN_CPU_DIR "${CMAKE_CURRENT_SOURCE_DIR}/native/src/cpu")
list(APPEND JRNN_SOURCES
     "${JRNN_CPU_DIR}/isa.cc"
     "${JRNN_CPU_DIR}/host_memory.cc"
     "${JRNN_CPU_DIR}/threads.cc"
     "${JRNN_CPU_DIR}/fast_rnn.cc")
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(JRNN_X86_64 ON)
else()
  set(JRNN_X86_64 OFF)
endif()
if(JRNN_X86_64)
  list(APPEND JRNN_SOURCES
       "${JRNN_CPU_DIR}/kernels_avx2.cc"
       "${JRNN_CPU_DIR}/kernels_avx512.cc")
  set_source_files_properties("${JRNN_CPU_DIR}/kernels_avx2.cc" PROPERTIES
      COMPILE_OPTIONS "-mavx2;-mfma")
  set_source_files_properties("${JRNN_CPU_DIR}/kernels_avx512.cc" PROPERTIES
      COMPILE_OPTIONS "-mavx512f;-mavx512dq;-mavx512bw;-mavx512vl;-mavx2;-mfma;-Wno-maybe-uninitialized")
  # (GCC 12 warns falsely about the undefined pass-through operand inside its AVX-512 intrinsics.)
endif()
message(STATUS "jrnn: CPU ${CMAKE_SYSTEM_PROCESSOR}, AVX2/AVX-512 kernels ${JRNN_X86_64}")
