package dev.qpair.perf;

/** Measures the limit's p50 for a bracket; the suite's one source of limit figures. */
@FunctionalInterface
public interface LimitProbe {

    /** The p50 in ns of {@code iterations} limit round trips; positive. */
    long p50Ns(long iterations);
}
