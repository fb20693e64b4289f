/**
 * Qpair perf: the benchmark suite behind {@code ./qpair-perf}. Nothing in the library depends on it.
 */
module dev.qpair.perf {
    requires dev.qpair.barriers;
    requires HdrHistogram;
}
