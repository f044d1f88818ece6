// The project's own random generators and distributions.
//
// std:: distributions differ between standard libraries, so a trace built from them would not
// be the same on every machine. Everything random in helm-bench goes through this header:
// xoshiro256** seeded by SplitMix64, and distributions written out here. Each concern
// (arrivals, users, items, candidates, weights, exploration) gets its own stream via
// stream_seed(base, "name"), so changing one never shifts another.
#pragma once
#include <cstdint>
#include <string_view>

namespace helm {

inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A stateless 64-bit mix of (a, b): for values that must be a pure function of ids,
// e.g. an embedding row generated from (seed, item).
inline uint64_t hash64(uint64_t a, uint64_t b = 0) {
  uint64_t s = a ^ (b * 0xD1B54A32D192ED03ull);
  splitmix64(s);
  return splitmix64(s);
}

// Seed of the named stream derived from a base seed (FNV-1a of the name, mixed).
inline uint64_t stream_seed(uint64_t base, std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return hash64(base, h);
}

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) { reseed(seed); }
  void reseed(uint64_t seed) {
    uint64_t sm = seed;
    for (auto& w : s_) w = splitmix64(sm);
  }
  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return to_uniform(next()); }
  static double to_uniform(uint64_t x) { return static_cast<double>(x >> 11) * 0x1.0p-53; }
  // What Rng(seed).next() returns, without building the rest of the state: the first output
  // depends on the second state word only, one SplitMix64 step instead of four. For callers
  // that seed a generator per value (histories: one per position) and mostly need one output.
  static uint64_t first_output(uint64_t seed) {
    uint64_t sm = seed + 0x9E3779B97F4A7C15ull;  // SplitMix64's state after the first word
    return rotl(splitmix64(sm) * 5, 7) * 9;
  }
  // Uniform in (0, 1]: safe under log().
  double uniform_pos() { return 1.0 - uniform(); }
  // Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject). n > 0.
  uint64_t below(uint64_t n) {
    unsigned __int128 m = static_cast<unsigned __int128>(next()) * n;
    uint64_t lo = static_cast<uint64_t>(m);
    if (lo < n) {
      const uint64_t threshold = (0 - n) % n;
      while (lo < threshold) {
        m = static_cast<unsigned __int128>(next()) * n;
        lo = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }
  double exponential(double rate);                // mean 1/rate
  double normal(double mean = 0, double sd = 1);  // Box-Muller, no cached second value
  double lognormal(double mu, double sigma);
  double gamma(double shape, double scale);       // Marsaglia-Tsang
  bool bernoulli(double p) { return uniform() < p; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// Zipf over ranks 1..n with P(k) ~ k^-s, s > 0, in O(1) per draw for any n
// (rejection-inversion, Hoermann & Derflinger 1996): no table, so a 32M-item catalogue costs
// nothing to set up.
class ZipfSampler {
 public:
  ZipfSampler(uint64_t n, double s);
  uint64_t operator()(Rng& rng) const;  // a rank in [1, n]
  // operator()'s first try on its first uniform u: true with `rank` when that try is accepted
  // (operator() then returns exactly this rank), false when operator() would draw again. With
  // Rng::first_output a caller skips building a generator for most draws.
  bool first_try(double u, uint64_t& rank) const { return try_once(u, rank); }
  uint64_t n() const { return n_; }
  double exponent() const { return s_; }

 private:
  bool try_once(double u, uint64_t& rank) const;  // one rejection-inversion try (one owner)
  double h(double x) const;
  double h_integral(double x) const;
  double h_integral_inverse(double x) const;
  uint64_t n_;
  double s_;
  double h_integral_x1_, h_integral_n_, threshold_;
};

}  // namespace helm
