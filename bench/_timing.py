"""Timing helpers shared by the benchmarks: best-of-N wall time per call."""
import time


def best(fn, repeat=7, number=None):
    """Seconds per call of fn(): the best of `repeat` runs of `number` calls (auto-sized to ~0.1 s)."""
    if number is None:
        number, t = 1, 0.0
        while t < 0.05:
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            t = time.perf_counter() - t0
            number *= 2
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return min(times)


def report(title, rows):
    """rows: (name, seconds) with chainrule first; prints each time and its ratio to chainrule's."""
    print(title)
    base = rows[0][1]
    for name, sec in rows:
        print(f"  {name:<22} {sec * 1e6:10.1f} µs   chainrule / {name}: {base / sec:5.2f}x")
