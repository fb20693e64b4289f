package dev.qpair.perf;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Entry point of {@code ./qpair-perf}: parses the subcommand and options, runs, prints, writes. */
public final class PerfMain {

    private static final List<Supplier<Benchmark>> BASELINE = List.of(
            LimitPingPong::new, MemcpyRate::new, JctoolsSpscPingPong::new, AgronaRingPingPong::new,
            DisruptorPingPong::new);

    private PerfMain() {
    }

    public static void main(String[] args) throws Exception {
        int cpus = Runtime.getRuntime().availableProcessors();
        String command = args.length == 0 || args[0].startsWith("--") ? "all" : args[0];
        int from = args.length == 0 || args[0].startsWith("--") ? 0 : 1;
        if (command.equals("help") || command.equals("-h") || command.equals("--help")) {
            usage(System.out);
            return;
        }
        Options options;
        try {
            options = Options.parse(args, from, cpus);
        } catch (IllegalArgumentException e) {
            System.err.println("qpair-perf " + command + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        List<Supplier<Benchmark>> set;
        String title;
        switch (command) {
            case "all" -> {
                set = new ArrayList<>(BASELINE);
                set.add(RingDoorbellLat::new);
                set.addAll(verbs(options));
                title = "qpair-perf all: baseline (limit, memcpy, peers), the ring-and-doorbell datapath and the verbs rows";
            }
            case "baseline" -> {
                set = BASELINE;
                title = "qpair-perf baseline: the physical limit, a 4 KiB copy, and the peers, 8-byte ping-pong";
            }
            case "verbs" -> {
                set = new ArrayList<>(BASELINE);
                set.addAll(verbs(options));
                title = "qpair-perf verbs: baseline (limit, memcpy, peers) and the HCA model's verbs rows";
            }
            case RingDoorbellLat.NAME -> {
                set = List.of(RingDoorbellLat::new);
                title = "qpair-perf ring-doorbell-lat: 64 B SEND WQE, writel doorbell, device thread, CQE poll";
            }
            case WriteLat.NAME -> {
                set = List.of(() -> new WriteLat(options));
                title = "qpair-perf write-lat: RDMA_WRITE, signaled, post to polled CQE, HCA model";
            }
            case SendLat.NAME -> {
                set = List.of(() -> new SendLat(options));
                title = "qpair-perf send-lat: SEND/RECV ping-pong between two application threads, HCA model";
            }
            default -> {
                System.err.println("qpair-perf: unknown subcommand '" + command + "'");
                usage(System.err);
                System.exit(2);
                return;
            }
        }
        run(System.out, System.err, title, cpus, options, set);
    }

    /** The verbs rows, in the order {@code all} and {@code verbs} run them. */
    static List<Supplier<Benchmark>> verbs(Options options) {
        return List.of(() -> new WriteLat(options), () -> new SendLat(options));
    }

    static void run(PrintStream out, PrintStream progress, String title, int cpus, Options options,
                    List<Supplier<Benchmark>> set) throws Exception {
        long started = System.nanoTime();
        Suite suite = new Suite(options, progress);
        suite.prepare();
        List<Result> results = suite.run(set);
        Tables.print(out, title, options, results, suite.notes());
        if (options.json() != null) {
            JsonReport.write(options.json(), cpus, results, suite.notes());
            progress.println("wrote " + options.json());
        }
        if (options.hgrm() != null) {
            for (Path file : HistogramFiles.write(options.hgrm(), results)) {
                progress.println("wrote " + file);
            }
        }
        progress.printf("qpair-perf: %d results in %.1f s%n", results.size(), (System.nanoTime() - started) / 1e9);
    }

    private static void usage(PrintStream out) {
        out.println("""
                usage: ./qpair-perf [SUBCOMMAND] [OPTIONS]

                subcommands:
                  all                the default set (default): baseline, ring-doorbell-lat and the verbs rows,
                                     in one run, so that every ratio to the limit and to the peers comes from it
                  verbs              baseline plus the verbs rows (no ring-doorbell-lat)
                  baseline           the physical limit (cache-line ping-pong, release/acquire), a 4 KiB
                                     MemorySegment.copy rate, and the peers JCTools SpscArrayQueue, Agrona
                                     OneToOneRingBuffer and LMAX Disruptor, each an 8-byte busy-spin ping-pong
                  ring-doorbell-lat  64 B SEND WQE through an off-heap ring, writel doorbell, busy-polling
                                     device thread (device_mode thread), CQE poll: round-trip latency
                  write-lat          RDMA_WRITE (64 B inline by default), signaled, ibv_wr_start to polled CQE,
                                     HCA model; --device-mode thread (default: engine thread pinned to CPU B)
                                     or inline (the doorbell runs the engine in the posting thread)
                  send-lat           SEND/RECV ping-pong (64 B inline by default) between two application threads
                                     on CPUs A and B, HCA model; --device-mode inline (default) or thread
                  jmh [JMH ARGS]     the JMH benchmarks (org.openjdk.jmh.Main); e.g. ./qpair-perf jmh -prof gc
                  help               this text

                options:
                  --iterations N   measured samples per result (default 200000, 1..100000000)
                  --warmup N       warm-up samples per result (default 50000, 0..100000000)
                  --bracket N      limit round trips before and after each result (default 20000, 1000..10000000)
                  --retries N      re-runs of a result whose brackets differ by more than 20 %% (default 2, 0..10)
                  --rate OPS       open loop: issue latency operations at OPS per second, each recorded from the
                                   time it was due to start (no coordinated omission) (1..100000000);
                                   without it every latency row runs closed loop
                  --cpus A,B       pin the measuring thread to CPU A and peer/device threads to CPU B (default 0,1)
                  --json FILE      write the results as JSON (fields documented in dev.qpair.perf.JsonReport)
                  --hgrm DIR       write DIR/<name>.hgrm percentile distributions (ns) and DIR/latency-by-percentile.png

                verbs options (write-lat, send-lat, and the verbs rows of all):
                  --size N         payload bytes per operation (default 64, 1..1048576)
                  --device-mode M  thread or inline (default: thread for write-lat, inline for send-lat)
                  --inline on|off  payload inline in the WQE (default on when it fits: at most %d bytes)
                  --post-list N    reserved for the verbs bandwidth rows (write-bw, send-bw: not yet added); parsed only
                  --signal N       send-lat: one signaled SEND in every N (default 16, 1..256); write-lat polls
                                   every CQE and ignores it

                Every result is bracketed by a short limit measurement right before and after it; read the
                x limit column (p50 / bracketing limit p50), not the absolute times.""".formatted(Options.MAX_INLINE));
    }
}
