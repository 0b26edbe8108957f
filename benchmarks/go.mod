module goleaklab/benchmarks

go 1.27
