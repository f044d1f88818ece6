helm_benchmark(bench_router helm::scheduler)
