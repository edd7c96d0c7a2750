"""A smoke test of the speed benchmark: it runs on tiny shapes and reports sane numbers (no timing assertions)."""

import math
import subprocess
import sys
from pathlib import Path

import pytest

from lstmlab import bench

pytest.importorskip("torch")


def test_forward_flops_formula():
    # 2 T N 4H (D + H) for the forward pass of (T, N, D, H) = (10, 2, 3, 5)
    assert bench.forward_flops(10, 2, 3, 5) == 2 * 10 * 2 * 4 * 5 * (3 + 5)


def test_measure_returns_positive_times_and_consistent_ratios():
    r = bench.measure((3, 2, 2, 3), repeats=1, warmup=0)
    assert r["shape"] == (3, 2, 2, 3)
    for k in ("lab_fwd", "lab_fwd_bwd", "torch_fwd", "torch_fwd_bwd"):
        assert r[k] > 0 and math.isfinite(r[k]), k
    assert r["ratio_fwd"] == pytest.approx(r["lab_fwd"] / r["torch_fwd"])
    assert r["ratio_fwd_bwd"] == pytest.approx(r["lab_fwd_bwd"] / r["torch_fwd_bwd"])
    assert r["gflops_fwd_bwd"] == pytest.approx(3 * bench.forward_flops(3, 2, 2, 3) / r["lab_fwd_bwd"] / 1e9)


def test_main_quick_prints_a_row_per_shape(capsys):
    results = bench.main(["--quick", "--shapes", "2,1,1,2", "3,2,1,1"])
    out = capsys.readouterr().out
    assert [r["shape"] for r in results] == [(2, 1, 1, 2), (3, 2, 1, 1)]
    assert "BLAS:" in out and "(2, 1, 1, 2)" in out and "(3, 2, 1, 1)" in out


def test_one_thread_cpu_time(capsys):
    results = bench.main(["--quick", "--threads", "1", "--cpu-time", "--shapes", "2,1,1,2"])
    assert "1 threads" in capsys.readouterr().out
    assert results[0]["lab_fwd_bwd"] >= 0 and results[0]["torch_fwd_bwd"] >= 0


def test_bad_shape_is_refused():
    with pytest.raises(SystemExit):
        bench.main(["--shapes", "1,2,3"])


def test_script_runs():
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_lstm.py"
    done = subprocess.run([sys.executable, str(script), "--quick"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert all(str(s) in done.stdout for s in bench.QUICK_SHAPES)


def test_measure_in_float64():
    r = bench.measure((3, 2, 2, 3), repeats=1, warmup=0, dtype="float64")
    assert r["lab_fwd_bwd"] > 0 and r["torch_fwd_bwd"] > 0
    with pytest.raises(TypeError, match="dtype"):
        bench.measure((3, 2, 2, 3), repeats=1, warmup=0, dtype="int32")
