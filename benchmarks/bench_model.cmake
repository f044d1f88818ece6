helm_benchmark(bench_model helm::gr_model)
