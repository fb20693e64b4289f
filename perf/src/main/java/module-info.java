/**
 * Qpair perf: the benchmark suite behind {@code ./qpair-perf}. Nothing in the library depends on it.
 */
module dev.qpair.perf {
    requires dev.qpair.barriers;
    requires dev.qpair.memory;
    requires dev.qpair.hca;
    requires dev.qpair.nvme;
    requires HdrHistogram;
    requires org.jctools.core;
    requires org.agrona;
    requires com.lmax.disruptor;
    requires org.knowm.xchart;
    requires java.desktop;
    requires jdk.management;
    requires jmh.core;
}
