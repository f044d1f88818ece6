helm_benchmark(bench_helm helm::controller)
