// Loader throughput: rows/s parsing 10M-row MovieLens and Amazon 2018 files that this benchmark
// writes to /tmp (and deletes), each against a reference getline parser in the same run.
// Goal: >= 5M rows/s parsed on one core.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/rng.h"
#include "workloads/loaders.h"
#include "workloads/movielens.h"
#include "workloads/workload.h"

namespace {
constexpr int64_t kRows = 10'000'000;
std::string g_path;

// ML-20M-like rows: users in order with lognormal activity, 27K items, half-star ratings.
void write_ratings(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + path);
  helm::Rng rng(1);
  fmt::memory_buffer buf;
  buf.append(std::string_view("userId,movieId,rating,timestamp\n"));
  int64_t user = 1, left = 0, t = 0;
  for (int64_t k = 0; k < kRows; ++k) {
    if (left == 0) {
      ++user;
      left = 1 + static_cast<int64_t>(rng.lognormal(4.0, 1.2));
      t = 1000000000 + static_cast<int64_t>(rng.below(500000000));
    }
    --left;
    t += static_cast<int64_t>(rng.below(600));
    const int half_stars = 1 + static_cast<int>(rng.below(10));
    fmt::format_to(std::back_inserter(buf), "{},{},{}.{},{}\n", user, 1 + rng.below(27000),
                   half_stars / 2, half_stars % 2 ? 5 : 0, t);
    if (buf.size() > (1 << 20)) {
      std::fwrite(buf.data(), 1, buf.size(), f);
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), f);
  std::fclose(f);
}

void BM_ParseMovieLens(benchmark::State& state) {
  for (auto _ : state) {
    auto r = helm::parse_movielens(g_path, false);
    benchmark::DoNotOptimize(r.rows.data());
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}

// Parse + dense ids + per-user time order: everything --dataset movielens:PATH pays.
void BM_LoadMovieLens(benchmark::State& state) {
  for (auto _ : state) {
    auto log = helm::load_movielens(g_path, false);
    benchmark::DoNotOptimize(log.item.data());
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}

// The reference: what a straightforward loader does (getline, find, stoll per field).
void BM_ReferenceGetline(benchmark::State& state) {
  for (auto _ : state) {
    std::ifstream in(g_path);
    std::string line;
    std::getline(in, line);
    int64_t sum = 0, n = 0;
    while (std::getline(in, line)) {
      size_t a = line.find(','), b = line.find(',', a + 1), c = line.find(',', b + 1);
      sum += std::stoll(line.substr(0, a)) + std::stoll(line.substr(a + 1, b - a - 1)) +
             static_cast<int64_t>(std::stod(line.substr(b + 1, c - b - 1))) + std::stoll(line.substr(c + 1));
      ++n;
    }
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(n);
  }
}

void BM_SyntheticTrace(benchmark::State& state) {
  helm::WorkloadSpec s;
  s.qps = 1000;
  s.duration_s = 600;  // 600K requests
  int64_t n = 0;
  for (auto _ : state) n += static_cast<int64_t>(helm::build_trace(s).requests.size());
  state.SetItemsProcessed(n);
}

// Amazon 2018 rows (string ASINs and user ids, no header): the string-id remapping path that
// the KuaiRand, Amazon 2023 and Taobao loaders share. The file is written on first use.
std::string g_amazon;
void write_amazon(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + path);
  helm::Rng rng(2);
  fmt::memory_buffer buf;
  for (int64_t k = 0; k < kRows; ++k) {
    fmt::format_to(std::back_inserter(buf), "{:010d},A{:013X},{}.0,{}\n", rng.below(2930451),
                   rng.below(15362619), 1 + rng.below(5), 900000000 + rng.below(600000000));
    if (buf.size() > (1 << 20)) {
      std::fwrite(buf.data(), 1, buf.size(), f);
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), f);
  std::fclose(f);
}

void BM_ParseAmazon2018(benchmark::State& state) {
  if (g_amazon.empty()) {
    g_amazon = fmt::format("/tmp/helm_bench_amazon_{}.csv", ::getpid());
    write_amazon(g_amazon);
  }
  for (auto _ : state) {
    auto r = helm::parse_interactions({"amazon2018", g_amazon}, false);
    benchmark::DoNotOptimize(r.rows.data());
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}

// The reference for the string-id loaders: getline, split, std::unordered_map<std::string>
// interning, on the same Amazon file.
void BM_ReferenceAmazonGetline(benchmark::State& state) {
  if (g_amazon.empty()) {
    g_amazon = fmt::format("/tmp/helm_bench_amazon_{}.csv", ::getpid());
    write_amazon(g_amazon);
  }
  for (auto _ : state) {
    std::ifstream in(g_amazon);
    std::string line;
    std::unordered_map<std::string, int32_t> users, items;
    std::vector<helm::RawRating> rows;
    while (std::getline(in, line)) {
      const size_t a = line.find(','), b = line.find(',', a + 1), c = line.find(',', b + 1);
      const int32_t item = items.try_emplace(line.substr(0, a), static_cast<int32_t>(items.size())).first->second;
      const int32_t user = users.try_emplace(line.substr(a + 1, b - a - 1), static_cast<int32_t>(users.size())).first->second;
      rows.push_back({std::stoll(line.substr(c + 1)), user, item});
    }
    benchmark::DoNotOptimize(rows.data());
    state.SetItemsProcessed(static_cast<int64_t>(rows.size()));
  }
}

// Full-size kuairand-27k (32M items): 12K requests of a 60 s trace, nothing per item built.
void BM_KuaiRandFullTrace(benchmark::State& state) {
  helm::WorkloadSpec s;
  s.dataset = "kuairand-27k";
  s.qps = 200;
  s.duration_s = 60;
  int64_t n = 0;
  for (auto _ : state) n += static_cast<int64_t>(helm::build_trace(s).requests.size());
  state.SetItemsProcessed(n);
}

BENCHMARK(BM_ParseMovieLens)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_LoadMovieLens)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_ReferenceGetline)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_SyntheticTrace)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_ParseAmazon2018)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_ReferenceAmazonGetline)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_KuaiRandFullTrace)->Unit(benchmark::kMillisecond)->Iterations(3);
}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  g_path = fmt::format("/tmp/helm_bench_ratings_{}.csv", ::getpid());
  write_ratings(g_path);
  int rc = 0;
  try {
    benchmark::RunSpecifiedBenchmarks();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_loaders: %s\n", e.what());
    rc = 1;
  }
  std::remove(g_path.c_str());
  if (!g_amazon.empty()) std::remove(g_amazon.c_str());
  benchmark::Shutdown();
  return rc;
}
