// Root attributes of a results file: provenance and the run's settings, as key -> value.
// Values are int64, float64 or UTF-8 strings (what h5py shows as int, float, str).
#pragma once
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace helm {

// Root attribute keys that the report and summaries read (the harness writes them).
namespace attr {
inline constexpr const char* kSchemaVersion = "schema_version";
inline constexpr const char* kConfig = "config";  // full text of the effective configuration
inline constexpr const char* kDataset = "dataset";
inline constexpr const char* kWorkload = "workload";
inline constexpr const char* kMemoryPolicy = "memory_policy";
inline constexpr const char* kRouter = "router";
inline constexpr const char* kSeed = "seed";               // int64: --seed, the trace's
inline constexpr const char* kSloMs = "slo_ms";             // double; the report requires it
inline constexpr const char* kWarmupNs = "warmup_ns";       // int64; absent = 0
inline constexpr const char* kRequestsGenerated = "requests_generated";  // int64: trace size
inline constexpr const char* kTagPrefix = "tag_";           // --tag k=v is stored as tag_k
}  // namespace attr

using AttrValue = std::variant<int64_t, double, std::string>;

// Keys in insertion order; setting a key again replaces its value in place.
class RootAttributes {
 public:
  RootAttributes& set(const std::string& key, AttrValue v);
  // Any integer (and bool) is stored as int64: spares callers casts and variant ambiguities.
  template <std::integral I>
  RootAttributes& set(const std::string& key, I v) { return set(key, AttrValue(int64_t(v))); }
  RootAttributes& set(const std::string& key, double v) { return set(key, AttrValue(v)); }
  RootAttributes& set(const std::string& key, const char* v) { return set(key, AttrValue(std::string(v))); }
  RootAttributes& set(const std::string& key, std::string v) { return set(key, AttrValue(std::move(v))); }

  const AttrValue* find(const std::string& key) const;
  bool has(const std::string& key) const { return find(key) != nullptr; }
  // Typed look-ups: nullopt when absent or of another type (an int is accepted as a double).
  std::optional<std::string> string(const std::string& key) const;
  std::optional<int64_t> integer(const std::string& key) const;
  std::optional<double> number(const std::string& key) const;
  // Any value as text (strings verbatim, numbers formatted); "" when absent.
  std::string text(const std::string& key) const;

  const std::vector<std::pair<std::string, AttrValue>>& items() const { return items_; }
  bool operator==(const RootAttributes&) const = default;

 private:
  std::vector<std::pair<std::string, AttrValue>> items_;
};

}  // namespace helm
