helm_benchmark(bench_loaders helm::workloads)
