#include "harness/cli/provenance.h"

#include <cblas.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <thread>
#include <vector>

#include "common/blas.h"
#include "common/version.h"
#include "results/schema.h"

namespace helm {

int64_t peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<int64_t>(u.ru_maxrss) * 1024;  // Linux reports KiB
}

SchedTimes sched_times() {
  SchedTimes t;
  if (FILE* f = std::fopen("/proc/thread-self/schedstat", "r")) {
    long long cpu = 0, wait = 0;
    if (std::fscanf(f, "%lld %lld", &cpu, &wait) == 2) t = {cpu, wait};
    std::fclose(f);
  }
  return t;
}

std::string worker_sched(int world_size) {
  return static_cast<unsigned>(world_size) > std::thread::hardware_concurrency() ? "idle" : "normal";
}

RootAttributes provenance_attributes(const RunContext& ctx, int mpi_size) {
  RootAttributes a;
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  const auto now = std::time(nullptr);
  char when[64];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  auto env = [](const char* k) { const char* v = std::getenv(k); return std::string(v ? v : ""); };
  const unsigned cores = std::thread::hardware_concurrency();
  const auto& o = ctx.opt;
  a.set("config", ctx.config_text)
      .set("git_revision", git_revision())
      .set("git_dirty", static_cast<int64_t>(git_dirty()))
      .set("build_type", build_type())
      .set("backend", o.backend)
      .set("devices", fmt::format("cpu x{}", mpi_size - 1))
      .set("mpi_size", mpi_size)
      .set("slurm_job_id", env("SLURM_JOB_ID"))
      .set("slurm_array_job_id", env("SLURM_ARRAY_JOB_ID"))  // "" outside a job array
      .set("slurm_array_task_id", env("SLURM_ARRAY_TASK_ID"))
      .set("slurm_nodelist", env("SLURM_JOB_NODELIST"))
      .set("host", host)
      .set("start_time", when)
      .set("seed", static_cast<int64_t>(o.seed))
      .set("seeds", fmt::format("base {} (streams derived by name: arrivals, users, items, candidates, weights, router)", o.seed))
      .set("blas", init_blas())
      .set("kv_dtype", "fp32")
      .set("oversubscribed", static_cast<int64_t>(static_cast<unsigned>(mpi_size) > cores))
      .set("worker_sched", worker_sched(mpi_size))
      .set("dataset", o.dataset)
      .set("workload", o.workload)
      .set("memory_policy", o.memory_policy)
      .set("repartition", o.repartition)
      .set("router", o.router)
      .set("model", ctx.model.name)
      .set("pool_mib", o.pool_mib)
      .set("slo_ms", o.slo_ms)
      .set("qps", o.qps)
      .set("warmup_ns", static_cast<int64_t>(o.warmup_s * 1e9))
      .set("trace", ctx.trace.name)
      .set("requests_generated", static_cast<int64_t>(ctx.trace.requests.size()));
  for (const auto& t : o.tags) {
    const auto eq = t.find('=');
    a.set("tag_" + t.substr(0, eq), t.substr(eq + 1));
  }
  return a;
}

}  // namespace helm
