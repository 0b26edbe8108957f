"""The lab's benchmarks: `python -m benchmarks WHAT` (bench.py: the probe's overhead, read costs,
sampling pace, compare and lab times, time to verdict, long runs), `benchmarks/accuracy.py` (verdicts
on the corpus), `benchmarks/capstone_stability.py`, `benchmarks/testcheck_watch.py`. The Go programs
they time live in this folder's module (cpu, alloc, readcost, watchsvc). Figures go to README.md."""
