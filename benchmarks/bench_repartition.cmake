helm_benchmark(bench_repartition helm::allocator helm::controller)
