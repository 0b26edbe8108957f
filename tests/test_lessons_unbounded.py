"""Lab 25's module on real runs of go_samples/unbounded: the driver's lines read into tables,
Little's law with the run's numbers."""

import pytest

import harness as lab
from harness.samples import run_sample
from harness.lessons import unbounded


@pytest.fixture(scope="module")
def queue_pair():
    return lab.side_by_side(lambda v: run_sample("unbounded", v, 2.0, args=["-case", "queue"]), ("leaky", "fixed"))


def test_results_are_the_drivers_numbers(queue_pair):
    leaky, fixed = queue_pair
    assert leaky.verdict.verdict == "leak" and fixed.verdict.verdict == "clean"
    lq, fq = unbounded.results(leaky)["queue"], unbounded.results(fixed)["queue"]
    assert set(unbounded.results(leaky)) == {"queue"}
    assert lq["submitted"] > 1500 and lq["served"] < 0.6 * lq["submitted"], lq
    assert fq["submitted"] < 0.6 * lq["submitted"], "back-pressure: the fixed receiver waited"
    assert lq["last"] > 3 * fq["last"] and fq["last"] < 400, (lq, fq)


def test_table_and_little(queue_pair):
    text = unbounded.table(queue_pair)
    assert text.count("\n") == 3 and "peak goroutines" in text and "| leaky | queue |" in text
    line = unbounded.little(queue_pair[1], "queue", 2.0)
    assert line.startswith("fixed queue: λ = ") and "L = λ·W" in line
    inside = int(line.rsplit(": ", 1)[1].replace(",", ""))
    assert 0 <= inside <= 64 + 4 + 4, line   # queued + being served (+ one per worker between the two)
    assert unbounded.peak_goroutines(queue_pair[0]) < 20 and unbounded.peak_heap(queue_pair[0]) > 5e6
