#include "controller/online_learner.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

#include "common/error.h"

namespace helm {

OnlineLearner::OnlineLearner(int nodes, int state_dim, AdapterConfig cfg, uint64_t seed)
    : nodes_(std::max(1, nodes)),
      dim_(state_dim),
      cfg_(std::move(cfg)),
      ppo_(state_dim, 1, cfg_.ppo, stream_seed(seed, "helm-adapter")),
      open_(static_cast<size_t>(nodes_)),
      outbox_(static_cast<size_t>(nodes_)),
      ready_(static_cast<size_t>(nodes_)) {
  HELM_CHECK(cfg_.every >= 2, "adapter: every must be at least 2");
  initial_ = published_ = AdapterWeights{ppo_.net().mean, ppo_.net().log_std};
  if (cfg_.background) {
    const int base = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
    const int nice = cfg_.nice;
    thread_ = std::thread([this, base, nice] {
      // Below the creator (the pacing or driver thread): training yields to decisions.
      setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), std::min(19, base + nice));
      loop();
    });
  }
}

OnlineLearner::~OnlineLearner() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void OnlineLearner::push(int node, const float* obs, float u, double logp, double reward,
                         const float* next_obs) {
  HELM_CHECK(node >= 0 && node < nodes_, "adapter: node {} of {}", node, nodes_);
  // open_ and outbox_ of a node belong to its one caller: no lock while filling.
  Segment& s = open_[static_cast<size_t>(node)];
  if (s.u.empty()) {  // a new segment: allocate once, not while the decisions append
    s.obs.reserve(static_cast<size_t>(cfg_.every) * dim_);
    s.u.reserve(static_cast<size_t>(cfg_.every));
    s.logp.reserve(static_cast<size_t>(cfg_.every));
    s.reward.reserve(static_cast<size_t>(cfg_.every));
  }
  s.obs.insert(s.obs.end(), obs, obs + dim_);
  s.u.push_back(u);
  s.logp.push_back(logp);
  s.reward.push_back(reward);
  auto& out = outbox_[static_cast<size_t>(node)];
  if (static_cast<int>(s.u.size()) >= cfg_.every) {
    s.next_obs.assign(next_obs, next_obs + dim_);
    if (static_cast<int>(out.size()) >= cfg_.max_ready) out.erase(out.begin());
    out.push_back(std::move(s));
    s = Segment{};
  }
  if (out.empty()) return;
  // Hand full segments over. In background mode only if the lock is free right now: the
  // trainer runs niced and may be preempted holding it, and a decision must not wait for it
  // (the segments stay in the outbox until a later push).
  std::unique_lock<std::mutex> lock(mu_, std::defer_lock);
  if (cfg_.background) {
    if (!lock.try_lock()) return;
  } else {
    lock.lock();
  }
  auto& q = ready_[static_cast<size_t>(node)];
  for (auto& seg : out) {
    if (static_cast<int>(q.size()) >= cfg_.max_ready) q.erase(q.begin());
    q.push_back(std::move(seg));
  }
  out.clear();
  if (cfg_.background) {
    if (std::all_of(ready_.begin(), ready_.end(), [](const auto& x) { return !x.empty(); })) cv_.notify_one();
    return;
  }
  std::vector<Segment> round;
  if (!take_round(round)) return;
  lock.unlock();
  train(std::move(round));
}

bool OnlineLearner::take_round(std::vector<Segment>& round) {
  for (const auto& q : ready_)
    if (q.empty()) return false;
  round.clear();
  for (auto& q : ready_) {
    round.push_back(std::move(q.front()));
    q.erase(q.begin());
  }
  return true;
}

void OnlineLearner::loop() {
  std::vector<Segment> round;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || take_round(round); });
      if (stop_) return;
    }
    train(std::move(round));
  }
}

void OnlineLearner::train(std::vector<Segment> round) {
  const int E = static_cast<int>(round.size()), T = cfg_.every;
  Rollout r(T, E, dim_, 1);
  for (int e = 0; e < E; ++e) {
    const Segment& s = round[static_cast<size_t>(e)];
    for (int t = 0; t < T; ++t) {
      const size_t k = static_cast<size_t>(t) * E + e;
      std::copy_n(s.obs.data() + static_cast<size_t>(t) * dim_, dim_, r.obs.data() + k * dim_);
      r.act[k] = s.u[t];
      r.logp[k] = s.logp[t];
      r.reward[k] = s.reward[t];
      r.value[k] = ppo_.value(r.obs.data() + k * dim_);
    }
    r.next_value[e] = ppo_.value(s.next_obs.data());  // a continuing task: never done
  }
  ppo_.update(r);
  AdapterWeights w{ppo_.net().mean, ppo_.net().log_std};
  {
    std::lock_guard<std::mutex> lock(mu_);
    published_ = std::move(w);
    latest_.store(++version_, std::memory_order_release);
  }
  updates_.fetch_add(1, std::memory_order_relaxed);
}

bool OnlineLearner::fetch(uint64_t& version, AdapterWeights& w) {
  if (latest_.load(std::memory_order_acquire) == version) return false;
  std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
  if (!lock.owns_lock()) return false;  // busy: keep the current weights, retry next decision
  w.mean.params() = published_.mean.params();  // same shapes: copies, no reallocation
  w.log_std = published_.log_std;
  version = version_;
  return true;
}

}  // namespace helm
