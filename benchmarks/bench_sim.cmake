helm_benchmark(bench_sim helm::harness)
