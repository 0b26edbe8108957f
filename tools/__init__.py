"""Maintainer tooling, apart from the harness a learner uses: the headless runner that executes
every lab (`python -m tools.run_labs`, used by the notebook tests and the docs site) and the notebook
kernels it forks from a zygote. The benchmarks are in `benchmarks/`, the site's builder in `docs/`."""
