// The factories the registry (registry.cpp) maps names to; one policy per file.
#pragma once
#include <memory>
#include <string_view>

#include "controller/memory_policy.h"

namespace helm::policies {

std::unique_ptr<MemoryPolicy> make_static(std::string_view arg, const PolicyContext& ctx);
std::unique_ptr<MemoryPolicy> make_emb_only(std::string_view arg, const PolicyContext& ctx);
std::unique_ptr<MemoryPolicy> make_kv_only(std::string_view arg, const PolicyContext& ctx);
std::unique_ptr<MemoryPolicy> make_naive_adaptive(std::string_view arg, const PolicyContext& ctx);
std::unique_ptr<MemoryPolicy> make_mrc(std::string_view arg, const PolicyContext& ctx);
std::unique_ptr<MemoryPolicy> make_oracle(std::string_view arg, const PolicyContext& ctx);
std::unique_ptr<MemoryPolicy> make_helm(std::string_view arg, const PolicyContext& ctx);

// A fixed split (static, emb-only, kv-only share it).
class FixedShare final : public MemoryPolicy {
 public:
  explicit FixedShare(double r) : r_(r) {}
  double initial_share() const override { return r_; }
  double decide(const NodeWindowStats&) override { return r_; }

 private:
  double r_;
};

// "0.3" -> 0.3; BadInput naming --memory-policy unless a number in [0, 1].
double parse_share(std::string_view text, std::string_view spec);

}  // namespace helm::policies
