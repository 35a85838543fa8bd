// bench_rnn.cc — times jrnn's C API on the CPU (no JVM): inference forward, and a training step
// for RNN(tanh), LSTM and GRU stacks (1 layer, unidirectional, with bias) on the agreed shapes
// (N/T/C/H): S1 64/50/256/256, S2 32/100/512/512, S3 1/200/256/256 (forward only),
// S4 128/25/1024/1024.
//
// A training step is what the peers time (../shared/peers): zero the gradient buffer, training
// forward (reserve), MSE loss gradient dy = 2(y - target)/numel (jrnn_mse), backward with weight
// gradients but no input gradient (the peers' inputs do not require grad), SGD update
// (jrnn_sgd_update, lr 1e-4). Buffers are allocated once, outside the timing.
//
// Timing follows the peers' protocol (tools/benchutil.py, BenchUtil.java): warm-up >= BENCH_WARMUP
// calls and >= BENCH_WARMUP_SEC; then samples of k back-to-back calls (k so a sample lasts
// >= BENCH_SAMPLE_MS) until BENCH_REPS samples were clean (other processes used < BENCH_CLEAN_CORES
// cores meanwhile, from /proc) and >= BENCH_MIN_SEC passed, at most BENCH_MAX_REPS samples /
// BENCH_MAX_SEC. Every measurement prints one line for bench/cpu/report.py:
//   RESULT <peer> <cell> <shape> <mode> <N> <T> <C> <H> <ms,...> <other-cores,...> <k>
// plus INFO lines, and a human summary on stderr.
//
// Build: cmake -DJRNN_BUILD_BENCH=ON ... (scripts/bench does it); run:
//   bench_rnn [--shapes S1,S3] [--cells lstm,gru,rnn] [--modes fwd,train(,step)] [--threads 2]
//             [--peer jrnn-native]
// BENCH_SHAPES / BENCH_CELLS in the environment select too (the flags win). Mode "step" (only when
// asked for) times T calls of jrnn_rnn_step, the decoding path (not a peer comparison).
// BENCH_CLOCK=cpu: CPU time instead of wall time (single-thread development runs on a busy
// machine).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <time.h>
#include <unistd.h>
#include <vector>

#include "jrnn/jrnn.h"

namespace {

struct Shape {
  const char* name;
  int64_t N, T, C, H;
  bool forward_only;
};
const Shape kShapes[] = {{"S1", 64, 50, 256, 256, false},
                         {"S2", 32, 100, 512, 512, false},
                         {"S3", 1, 200, 256, 256, true},
                         {"S4", 128, 25, 1024, 1024, false}};
struct CellKind {
  const char* name;
  int cell;
};
const CellKind kCells[] = {{"lstm", JRNN_LSTM}, {"gru", JRNN_GRU}, {"rnn", JRNN_RNN_TANH}};

void check(jrnn_status st, const char* what) {
  if (st != JRNN_OK) {
    std::fprintf(stderr, "%s failed: %s\n", what, jrnn_last_error());
    std::exit(1);
  }
}

double env_num(const char* key, double dflt) {
  const char* v = std::getenv(key);
  return v && *v ? std::atof(v) : dflt;
}

bool listed(const std::string& list, const std::string& name) {
  if (list.empty()) return true;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ','))
    if (item == name) return true;
  return false;
}

// {machine busy ticks, this process's ticks} from /proc, as benchutil._ticks.
void ticks(long long* busy, long long* own) {
  *busy = *own = 0;
  std::ifstream stat("/proc/stat");
  std::string cpu;
  long long v[8] = {0};
  stat >> cpu;
  long long sum = 0;
  for (long long& x : v) stat >> x, sum += x;
  *busy = sum - v[3] - v[4];
  std::ifstream self("/proc/self/stat");
  std::string s((std::istreambuf_iterator<char>(self)), std::istreambuf_iterator<char>());
  size_t r = s.rfind(')');
  if (r == std::string::npos) return;
  std::stringstream fs(s.substr(r + 2));
  std::string f;
  long long ut = 0, st = 0;
  for (int i = 0; i <= 12 && fs >> f; ++i) {
    if (i == 11) ut = std::atoll(f.c_str());
    if (i == 12) st = std::atoll(f.c_str());
  }
  *own = ut + st;
}

// BENCH_CLOCK=cpu: time by the process's CPU time instead of the wall clock (development on a busy
// machine with --threads 1: other tenants then stretch the wall time but hardly the CPU time).
double now_s() {
  static const bool cpu =
      std::getenv("BENCH_CLOCK") && !std::strcmp(std::getenv("BENCH_CLOCK"), "cpu");
  if (cpu) {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Samples {
  std::vector<double> ms, other;
  int k;
};

template <typename F>
Samples measure(F&& call) {
  const int min_warm = (int)env_num("BENCH_WARMUP", 3);
  const double warm_sec = env_num("BENCH_WARMUP_SEC", 1.0);
  const int reps = (int)env_num("BENCH_REPS", 7);
  const double min_sec = env_num("BENCH_MIN_SEC", 1.5);
  const int max_reps = (int)env_num("BENCH_MAX_REPS", 40);
  const double max_sec = env_num("BENCH_MAX_SEC", 60.0);
  const double sample_ms = env_num("BENCH_SAMPLE_MS", 200.0);
  const double clean = env_num("BENCH_CLEAN_CORES", 0.25);
  const double hz = (double)sysconf(_SC_CLK_TCK);
  const double t0 = now_s();
  std::vector<double> warm;
  while ((int)warm.size() < min_warm || now_s() - t0 < warm_sec) {
    const double a = now_s();
    call();
    warm.push_back((now_s() - a) * 1e3);
  }
  std::vector<double> last(warm.end() - std::min<size_t>(5, warm.size()), warm.end());
  std::sort(last.begin(), last.end());
  const double per = last[last.size() / 2];
  Samples s;
  s.k = std::max(1, (int)((sample_ms / std::max(per, 1e-4)) + 0.999));
  int n_clean = 0;
  const double start = now_s();
  for (;;) {
    const double el = now_s() - start;
    if ((int)s.ms.size() >= max_reps || (el >= max_sec && (int)s.ms.size() >= reps)) break;
    if (n_clean >= reps && (int)s.ms.size() >= reps && el >= min_sec) break;
    long long b0, o0, b1, o1;
    ticks(&b0, &o0);
    const double a = now_s();
    for (int j = 0; j < s.k; ++j) call();
    const double d = now_s() - a;
    ticks(&b1, &o1);
    const double oth = std::max(0.0, ((b1 - b0) - (o1 - o0)) / hz / d);
    s.ms.push_back(d * 1e3 / s.k);
    s.other.push_back(oth);
    if (oth < clean) ++n_clean;
  }
  return s;
}

void emit(const std::string& peer, const CellKind& k, const Shape& s, const char* mode,
          const Samples& r) {
  std::string ms, other;
  char buf[64];
  for (size_t i = 0; i < r.ms.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%.4f", i ? "," : "", r.ms[i]);
    ms += buf;
    std::snprintf(buf, sizeof buf, "%s%.2f", i ? "," : "", r.other[i]);
    other += buf;
  }
  std::printf("RESULT\t%s\t%s\t%s\t%s\t%lld\t%lld\t%lld\t%lld\t%s\t%s\t%d\n", peer.c_str(), k.name,
              s.name, mode, (long long)s.N, (long long)s.T, (long long)s.C, (long long)s.H,
              ms.c_str(), other.c_str(), r.k);
  std::fflush(stdout);
  const double clean = env_num("BENCH_CLEAN_CORES", 0.25);
  std::vector<double> all = r.ms, cl;
  for (size_t i = 0; i < r.ms.size(); ++i)
    if (r.other[i] < clean) cl.push_back(r.ms[i]);
  std::sort(all.begin(), all.end());
  std::sort(cl.begin(), cl.end());
  std::fprintf(stderr,
               "  %-12s %-5s %-3s %-5s n=%2zu k=%3d median=%9.3f ms min=%9.3f clean=%zu "
               "median_clean=%s\n",
               peer.c_str(), k.name, s.name, mode, all.size(), r.k, all[all.size() / 2], all[0],
               cl.size(), cl.empty() ? "-" : std::to_string(cl[cl.size() / 2]).c_str());
}

void bench(const std::string& peer, jrnn_context* ctx, const Shape& s, const CellKind& k,
           const std::string& modes) {
  jrnn_rnn_desc* desc = jrnn_rnn_desc_create(k.cell, s.C, s.H, 1, 0, 1);
  if (!desc) check(JRNN_ERR_INTERNAL, "jrnn_rnn_desc_create");
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  const float scale = 1.0f / std::sqrt((float)s.H);  // PyTorch's default init range
  auto buffer = [&](int64_t count, float range) {
    void* p = jrnn_alloc(ctx, count * sizeof(float));
    if (!p) check(JRNN_ERR_OUT_OF_MEMORY, "jrnn_alloc");
    std::vector<float> v(count);
    for (float& f : v) f = range * u(rng);
    check(jrnn_copy_from_host(ctx, p, v.data(), count * sizeof(float)), "copy");
    return static_cast<float*>(p);
  };
  const int64_t TN = s.T * s.N, NW = jrnn_rnn_weights_count(desc);
  float* x = buffer(TN * s.C, 1.0f);
  float* w = buffer(NW, scale);
  float* target = buffer(TN * s.H, 1.0f);
  float* y = buffer(TN * s.H, 0.0f);
  float* dy = buffer(TN * s.H, 0.0f);
  float* hy = buffer(s.N * s.H, 0.0f);
  float* cy = buffer(s.N * s.H, 0.0f);
  float* dw = buffer(NW, 0.0f);
  const bool lstm = k.cell == JRNN_LSTM;
  const size_t reserve_bytes = jrnn_rnn_reserve_bytes(ctx, desc, s.T, s.N);
  void* reserve = jrnn_alloc(ctx, std::max<size_t>(reserve_bytes, 1));
  size_t scratch_bytes = 1;
  for (int pass = 0; pass <= 2; ++pass)
    scratch_bytes = std::max(scratch_bytes, jrnn_rnn_scratch_bytes(ctx, desc, s.T, s.N, pass));
  void* scratch = jrnn_alloc(ctx, scratch_bytes);

  if (listed(modes, "fwd")) {
    emit(peer, k, s, "fwd", measure([&] {
           check(jrnn_rnn_forward(ctx, desc, s.T, s.N, nullptr, x, nullptr, nullptr, w, y, hy,
                                  lstm ? cy : nullptr, nullptr, scratch),
                 "forward");
         }));
  }
  if (!modes.empty() && listed(modes, "step")) {  // development only: T calls of jrnn_rnn_step
    std::vector<char> step_scratch(jrnn_rnn_scratch_bytes(ctx, desc, 1, s.N, JRNN_PASS_STEP) + 64);
    emit(peer, k, s, "step", measure([&] {
           for (int64_t t = 0; t < s.T; ++t)
             check(jrnn_rnn_step(ctx, desc, s.N, x + t * s.N * s.C, hy, lstm ? cy : nullptr, w,
                                 y + t * s.N * s.H, hy, lstm ? cy : nullptr, step_scratch.data()),
                   "step");
         }));
  }
  if (!s.forward_only && listed(modes, "train")) {
    int64_t step = 0;
    emit(peer, k, s, "train", measure([&] {
           check(jrnn_zero(ctx, dw, NW * sizeof(float)), "zero dw");
           check(jrnn_rnn_forward(ctx, desc, s.T, s.N, nullptr, x, nullptr, nullptr, w, y, hy,
                                  lstm ? cy : nullptr, reserve, scratch),
                 "training forward");
           check(jrnn_mse(ctx, TN, s.H, y, target, nullptr, 1.0f / float(TN * s.H), nullptr, dy),
                 "mse");
           // no input gradient (dx NULL): the peers' inputs do not require grad
           check(
               jrnn_rnn_backward(ctx, desc, s.T, s.N, nullptr, x, nullptr, nullptr, w, dy, nullptr,
                                 nullptr, nullptr, nullptr, nullptr, dw, reserve, scratch),
               "backward");
           check(jrnn_sgd_update(ctx, NW, w, dw, nullptr, 1e-4f, 0.0f, 0.0f, 0, ++step), "sgd");
         }));
  }
  for (void* p : {(void*)x, (void*)w, (void*)target, (void*)y, (void*)dy, (void*)hy, (void*)cy,
                  (void*)dw, reserve, scratch})
    jrnn_free(ctx, p);
  jrnn_rnn_desc_destroy(desc);
}

}  // namespace

int main(int argc, char** argv) {
  const char* env_shapes = std::getenv("BENCH_SHAPES");
  const char* env_cells = std::getenv("BENCH_CELLS");
  std::string shapes = env_shapes ? env_shapes : "", cells = env_cells ? env_cells : "";
  std::string modes, peer = "jrnn-native";
  int threads = (int)env_num("BENCH_THREADS", 2);
  if (argc == 2 && std::string(argv[1]) == "--print-isa") {  // for scripts/bench's meta.txt
    std::printf("%s\n", jrnn_cpu_isa());
    return 0;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--shapes" || flag == "--shape")
      shapes = value;
    else if (flag == "--cells" || flag == "--cell")
      cells = value;
    else if (flag == "--modes")
      modes = value;
    else if (flag == "--threads")
      threads = std::atoi(value.c_str());
    else if (flag == "--peer")
      peer = value;
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  for (char& c : cells) c = (char)std::tolower(c);
  if (cells == "rnn_tanh") cells = "rnn";
  jrnn_context* ctx = jrnn_context_create(JRNN_DEVICE_CPU, 0, threads);
  if (!ctx) return std::fprintf(stderr, "%s\n", jrnn_last_error()), 1;
  const char* isa = std::getenv("JRNN_CPU_ISA");
  std::printf(
      "INFO\t%s\tjrnn %s C API (no JVM), CPU context with %d threads; kernels %s "
      "(JRNN_CPU_ISA=%s); OPENBLAS_CORETYPE=%s\n",
      peer.c_str(), jrnn_version(), jrnn_context_num_threads(ctx), jrnn_cpu_isa(),
      isa ? isa : "<unset: picked from cpuid>",
      std::getenv("OPENBLAS_CORETYPE") ? std::getenv("OPENBLAS_CORETYPE") : "<unset>");
  for (const CellKind& k : kCells)
    for (const Shape& s : kShapes)
      if (listed(shapes, s.name) && listed(cells, k.name)) bench(peer, ctx, s, k, modes);
  jrnn_context_destroy(ctx);
  return 0;
}
