"""Speed of lstmlab's LSTM against torch.nn.LSTM on the CPU: a thin wrapper around ``python -m lstmlab.bench``.

Usage: ``python benchmarks/bench_lstm.py [--quick] [--repeats R] [--shapes T,N,D,H ...]``
"""

from lstmlab.bench import main

if __name__ == "__main__":
    main()
