// `helm-bench run`: the real MPI run. Input is parsed and validated (and the trace built) before
// MPI_Init, so bad input is reported identically with or without mpirun.
#include <mpi.h>

#include <ctime>
#include <iostream>

#include "common/blas.h"
#include "common/error.h"
#include "harness/cli/commands.h"
#include "harness/mpi/mpi_driver.h"
#include "harness/node/kv_hit_worth.h"

namespace helm {

int cmd_run(int argc, char** argv) {
  RunOptions opt;
  double worker_timeout_s = 30;
  cli::po::options_description desc("run options");
  cli::po::options_description faults("Faults");
  faults.add_options()
      ("worker-timeout-s", cli::po::value(&worker_timeout_s)->default_value(worker_timeout_s),
       "a worker silent this long (it reports every control interval) is lost: its requests fail, "
       "the footer is written and the job ends with exit 1");
  desc.add(faults);
  add_run_options(desc, opt);
  desc.add_options()("cost-model", cli::po::value(&opt.cost_model)->default_value(opt.cost_model, cli::shown(opt.cost_model)),
                     "a calibrated cost model of this backend and model (calibrate --out FILE, or a shipped "
                     "cpu-* name) that values a KV hit at its marginal recompute cost for the mrc policy; "
                     "empty: each worker measures it at start-up")
      ("clock-resync-s", cli::po::value(&opt.clock_resync_s)->default_value(opt.clock_resync_s, cli::shown(opt.clock_resync_s)),
       "re-measure the clock offset of workers on other hosts this often and correct their clocks (0 = only at start-up)");
  auto p = cli::parse("run", "[options]   (under mpirun -np N, N >= 2)", desc, argc, argv);
  if (p.help) return 0;
  // Two intervals at least: a live worker's report may come a batch late.
  if (!(worker_timeout_s * 1e3 >= 2 * opt.control_interval_ms) || !(worker_timeout_s <= 1e6))
    bad_input("--worker-timeout-s: must be at least two control intervals ({} s) and at most 1e6 (got {})",
              2 * opt.control_interval_ms / 1e3, worker_timeout_s);
  if (opt.out.empty()) {
    char buf[64];
    const auto t = std::time(nullptr);
    std::strftime(buf, sizeof buf, "helm-run-%Y%m%d-%H%M%S.h5", std::localtime(&t));
    opt.out = buf;
  }
  // On a GPU the pool's default is what the device has free (cudaMemGetInfo less the weights,
  // activations and a margin: copy_plan.h), not the CPU run's 24 MiB; --pool-mib still overrides.
  if (opt.backend == "cuda" && p.vm["pool-mib"].defaulted()) opt.pool_mib = 0;
  // A real forward needs every embedding row: sampling is a rule of the simulator only.
  if (opt.emb_sample != 1) bad_input("--emb-sample: sim only (run computes every row; got {})", opt.emb_sample);
  RunContext ctx = build_run_context(opt, cli::effective_config(p.vm));
  if (!(opt.clock_resync_s >= 0)) bad_input("--clock-resync-s: must be >= 0 seconds (0 = never), got {}", opt.clock_resync_s);
  load_worth_model(ctx.opt, ctx.model);  // bad input before MPI (each worker loads it again)
  init_blas();

  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size < 2) {
    std::cerr << "helm-bench run: needs at least 2 MPI ranks (rank 0 schedules, the others serve); "
                 "launch it as: mpirun -np 4 --oversubscribe --bind-to none build/bin/helm-bench run ...\n";
    MPI_Finalize();
    return 2;
  }
  int rc = 0;
  try {
    rc = rank == 0 ? run_scheduler(ctx, size, worker_timeout_s) : run_worker(ctx, rank);
  } catch (const std::exception& e) {
    std::cerr << "helm-bench run (rank " << rank << "): error: " << e.what() << "\n";
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Finalize();
  return rc;
}

}  // namespace helm
