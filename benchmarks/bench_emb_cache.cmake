helm_benchmark(bench_emb_cache helm::allocator)
