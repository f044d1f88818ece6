// Shared pieces of the GPU check: a tiny JSON builder, timing, and the two halves
// (gpu_check.cpp: parity and cache checks; bench.cpp: benchmarks and the cost-model calibration).
#pragma once
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace helm::check {

// JSON values are kept serialised; objects keep insertion order.
struct J {
  std::string s = "null";
  J() = default;
  J(double v) {
    if (!std::isfinite(v)) { s = "null"; return; }
    char b[64];
    std::snprintf(b, sizeof b, "%.6g", v);
    s = b;
  }
  J(int v) : J(static_cast<double>(v)) {}
  J(long v) : J(static_cast<double>(v)) {}
  J(long long v) : J(static_cast<double>(v)) {}
  J(size_t v) : J(static_cast<double>(v)) {}
  J(bool v) : s(v ? "true" : "false") {}
  J(const char* v) : J(std::string(v)) {}
  J(const std::string& v) {
    s = "\"";
    for (char c : v) {
      if (c == '"' || c == '\\') s += '\\', s += c;
      else if (c == '\n') s += "\\n";
      else if (static_cast<unsigned char>(c) < 0x20) s += ' ';
      else s += c;
    }
    s += "\"";
  }
  static J raw(std::string r) { J j; j.s = std::move(r); return j; }
};
struct Obj {
  std::vector<std::pair<std::string, J>> kv;
  Obj& add(const std::string& k, J v) { kv.emplace_back(k, std::move(v)); return *this; }
  J json() const {
    std::string s = "{";
    for (size_t i = 0; i < kv.size(); ++i) s += (i ? ", " : "") + J(kv[i].first).s + ": " + kv[i].second.s;
    return J::raw(s + "}");
  }
};
inline J arr(const std::vector<J>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i].s;
  return J::raw(s + "]");
}

inline double now_ns() {
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}
// Median host wall time of f() (which must synchronise) over reps after warm warm-ups.
template <typename F>
double time_ns(F&& f, int reps = 7, int warm = 2) {
  for (int i = 0; i < warm; ++i) f();
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    const double t0 = now_ns();
    f();
    t.push_back(now_ns() - t0);
  }
  return median(t);
}

// Least squares y = a + b x.
inline std::pair<double, double> fit_line(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t i = 0; i < x.size(); ++i) sx += x[i], sy += y[i], sxx += x[i] * x[i], sxy += x[i] * y[i];
  const double b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  return {(sy - b * sx) / n, b};
}

inline void say(const char* fmt_str, const std::string& a = "") {
  std::printf(fmt_str, a.c_str());
  std::fflush(stdout);
}

struct BenchResult {
  Obj figures;     // benchmark figures (gpu-check.json "benchmarks")
  Obj cost_model;  // calibration (gpu-check.json "cost_model", also written alone)
  std::vector<std::string> summary;
};
BenchResult run_benchmarks(bool quick);

}  // namespace helm::check
