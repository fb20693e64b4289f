package dev.qpair.perf;

import dev.qpair.hca.DeviceMode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/** Entry point of {@code ./qpair-perf}: parses the subcommand and options, runs, prints, writes. */
public final class PerfMain {

    private static final List<Supplier<Benchmark>> BASELINE = List.of(
            LimitPingPong::new, MemcpyRate::new, JctoolsSpscPingPong::new, AgronaRingPingPong::new,
            DisruptorPingPong::new);

    /** The bandwidth peers: one-way streams of 8-byte messages, the ratio base of write-bw and send-bw. */
    static final List<Supplier<Benchmark>> BW_PEERS = List.of(
            JctoolsSpscStream::new, AgronaRingStream::new, DisruptorStream::new);

    /** {@code qp-scan}'s idle QPs: 2, 64 and 1024 QPs on the device, one of them ringing. */
    static final int[] SCAN_IDLE_QPS = {0, 62, 1022};

    private PerfMain() {
    }

    /** The nvme-perf rows of {@code all}: 4 KiB random reads on a memory namespace, controller thread, QD1 and QD32. */
    static final List<NvmePerfConfig> SHORT_NVME_SET = List.of(
            NvmePerfConfig.defaults(),
            NvmePerfConfig.defaults().with("--qd", "32"));

    /** {@code nvme-perf} without row options: issue 4's rows, memory (randread also with shadow doorbells) and file namespaces. */
    static final List<NvmePerfConfig> NVME_SET = List.of(
            NvmePerfConfig.defaults(),
            NvmePerfConfig.defaults().with("--shadow-doorbells", "on"),
            NvmePerfConfig.defaults().with("--qd", "32"),
            NvmePerfConfig.defaults().with("--qd", "32").with("--shadow-doorbells", "on"),
            NvmePerfConfig.defaults().with("--rw", "randwrite"),
            NvmePerfConfig.defaults().with("--rw", "randwrite").with("--qd", "32"),
            NvmePerfConfig.defaults().with("--ns", "file"),
            NvmePerfConfig.defaults().with("--ns", "file").with("--rw", "randwrite").with("--qd", "32"));

    public static void main(String[] args) throws Exception {
        int cpus = Runtime.getRuntime().availableProcessors();
        String command = args.length == 0 || args[0].startsWith("--") ? "all" : args[0];
        int from = args.length == 0 || args[0].startsWith("--") ? 0 : 1;
        if (command.equals("help") || command.equals("-h") || command.equals("--help")) {
            usage(System.out);
            return;
        }
        Options options;
        NvmePerfConfig nvme = null;
        try {
            String[] rest = args;
            if (command.equals(NvmePerf.NAME)) {
                List<String> others = new ArrayList<>();
                nvme = nvmeConfig(args, from, others);
                rest = others.toArray(new String[0]);
                from = 0;
            }
            options = Options.parse(rest, from, cpus);
            check(command, options);
        } catch (IllegalArgumentException e) {
            System.err.println("qpair-perf " + command + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        long warmup = options.warmup();
        List<Supplier<Benchmark>> set;
        String title;
        switch (command) {
            case "all" -> {
                set = new ArrayList<>(BASELINE);
                set.addAll(sizedPeers(options));
                set.addAll(floors(options));
                set.add(RingDoorbellLat::new);
                set.addAll(verbs(options));
                set.addAll(nvmeRows(SHORT_NVME_SET, warmup));
                title = "qpair-perf all: baseline (limit, memcpy, 8-byte peers)" + sizedPeersTitle(options) + floorsTitle(options)
                        + ", the ring-and-doorbell datapath, the verbs rows, and 4 KiB random reads on the NVMe model"
                        + " at QD1 and QD32, each after its copy bound";
            }
            case "baseline" -> {
                set = BASELINE;
                title = "qpair-perf baseline: the physical limit, a 4 KiB copy, and the peers, 8-byte ping-pong";
            }
            case "verbs" -> {
                set = new ArrayList<>(BASELINE);
                set.addAll(sizedPeers(options));
                set.addAll(floors(options));
                set.addAll(verbs(options));
                set.addAll(BW_PEERS);
                set.add(() -> new WriteBw(options));
                set.add(() -> new SendBw(options));
                title = "qpair-perf verbs: baseline (limit, memcpy, 8-byte peers)" + sizedPeersTitle(options) + floorsTitle(options)
                        + ", the bandwidth peers and every verbs row of the HCA model";
            }
            case ReadLat.NAME -> {
                set = List.of(() -> new ReadLat(options));
                title = "qpair-perf read-lat: RDMA_READ, signaled, post to polled CQE, HCA model";
            }
            case AtomicLat.NAME -> {
                set = List.of(() -> new AtomicLat(options));
                title = "qpair-perf atomic-lat: " + (options.cmpSwap() ? "ATOMIC_CMP_AND_SWP" : "ATOMIC_FETCH_AND_ADD")
                        + ", signaled, post to polled CQE, HCA model";
            }
            case WriteBw.NAME -> {
                set = new ArrayList<>(BW_PEERS);
                set.add(() -> new WriteBw(options));
                title = "qpair-perf write-bw: RDMA_WRITE stream, HCA model, with the peers' one-way message streams";
            }
            case SendBw.NAME -> {
                set = new ArrayList<>(BW_PEERS);
                set.add(() -> new SendBw(options));
                title = "qpair-perf send-bw: SEND/RECV stream, HCA model, with the peers' one-way message streams";
            }
            case "qp-scan" -> {
                set = new ArrayList<>();
                for (int idle : SCAN_IDLE_QPS) {
                    Options scan = options.withIdleQps(idle);
                    set.add(() -> new WriteLat(scan));
                }
                title = "qpair-perf qp-scan: write-lat with 2, 64 and 1024 connected QPs on the device, one ringing";
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
                set = new ArrayList<>(peerPingPongs(peerSize(options)));
                set.addAll(sendFloors(options));
                set.add(() -> new SendLat(options));
                title = "qpair-perf send-lat: SEND/RECV ping-pong between two application threads, HCA model, after the"
                        + " peers' " + peerSize(options) + "-byte ping-pongs and send-lat's floors";
            }
            case NvmePerf.NAME -> {
                set = new ArrayList<>();
                set.add(MemcpyRate::new);
                set.addAll(nvmeRows(nvme == null ? NVME_SET : List.of(nvme), warmup));
                title = "qpair-perf nvme-perf: the NVMe controller model and the SPDK-shaped host driver, with each random"
                        + " row's copy bound and the cache-hot 4 KiB copy measured in the same run";
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

    /**
     * Rejects options a subcommand cannot run with, naming the option and what it accepts.
     *
     * @throws IllegalArgumentException naming the option, the value and the limit
     */
    static void check(String command, Options options) {
        switch (command) {
            case ReadLat.NAME -> ReadLat.check(options);
            case AtomicLat.NAME -> AtomicLat.check(options);
            case "qp-scan" -> {
                if (options.idleQps() != 0) {
                    throw new IllegalArgumentException("--idle-qps: qp-scan sets it itself (0, 62, 1022); use"
                            + " write-lat --idle-qps N for one row");
                }
            }
            default -> {
            }
        }
    }

    /**
     * Takes the nvme-perf options out of {@code args[from..]} into a config and puts every other
     * option, with its value, into {@code others}.
     *
     * @return the config of the one row the options describe, or null when none was given (the default set)
     */
    static NvmePerfConfig nvmeConfig(String[] args, int from, List<String> others) {
        NvmePerfConfig config = NvmePerfConfig.defaults();
        boolean given = false;
        for (int i = from; i < args.length; i++) {
            if (!NvmePerfConfig.OPTIONS.contains(args[i])) {
                others.add(args[i]);
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value (see ./qpair-perf help)");
            }
            config = config.with(args[i], args[++i]);
            given = true;
        }
        return given ? config : null;
    }

    /**
     * The nvme-perf rows of {@code configs}, after one {@link MemcpyRandomRate} bound row per distinct
     * (direction, I/O size, namespace MiB, queue depth) among the random-read and random-write rows.
     */
    static List<Supplier<Benchmark>> nvmeRows(List<NvmePerfConfig> configs, long warmup) {
        List<Supplier<Benchmark>> rows = new ArrayList<>();
        Set<String> bounds = new HashSet<>();
        for (NvmePerfConfig config : configs) {
            MemcpyRandomRate bound = MemcpyRandomRate.matching(config);
            if (bound != null && bounds.add(bound.name())) {
                rows.add(() -> MemcpyRandomRate.matching(config));
            }
        }
        for (NvmePerfConfig config : configs) {
            rows.add(() -> new NvmePerf(config, warmup));
        }
        return rows;
    }

    /**
     * The message size of the peer ping-pongs that the verbs latency rows are compared with: send-lat's
     * size ({@code --size}, default 64, at least 8), or 8 when that is more than a peer carries (4096).
     */
    static int peerSize(Options options) {
        int size = Math.max(Long.BYTES, options.sizeOr(64));
        return size <= PeerPayload.MAX_BYTES ? size : Long.BYTES;
    }

    /** The three peer ping-pongs (JCTools, Agrona, Disruptor) moving {@code size} bytes per message. */
    static List<Supplier<Benchmark>> peerPingPongs(int size) {
        return List.of(() -> new JctoolsSpscPingPong(size), () -> new AgronaRingPingPong(size),
                () -> new DisruptorPingPong(size));
    }

    /**
     * What {@code all} and {@code verbs} add after {@link #BASELINE}: the peer ping-pongs at
     * {@link #peerSize}, or nothing when that is 8 (the baseline's peers are those).
     */
    static List<Supplier<Benchmark>> sizedPeers(Options options) {
        int size = peerSize(options);
        return size == Long.BYTES ? List.of() : peerPingPongs(size);
    }

    private static String sizedPeersTitle(Options options) {
        return sizedPeers(options).isEmpty() ? "" : ", the peers at the verbs rows' " + peerSize(options) + " bytes";
    }

    /**
     * The floors of write-lat and send-lat at the verbs rows' {@code --size} ({@link LineFloor}):
     * none above 4096 bytes, and no write floor when the write row's payload is not inline; then
     * {@link #sendFloors}'s flat-send.
     */
    static List<Supplier<Benchmark>> floors(Options options) {
        int size = options.sizeOr(64);
        List<Supplier<Benchmark>> floors = new ArrayList<>();
        if (size <= LineFloor.MAX_SIZE && options.inlineFor(size)) {
            floors.add(() -> LineFloor.write(size));
        }
        floors.addAll(sendFloors(options));
        return floors;
    }

    /**
     * send-lat's floor rows at its {@code --size}: floor-send (none above 4096 bytes), then
     * send-lat's work written flat ({@link FlatSend}) where send-lat scatters an inline payload into
     * the CQE (8 to 96 bytes) in INLINE device mode.
     */
    static List<Supplier<Benchmark>> sendFloors(Options options) {
        int size = options.sizeOr(64);
        List<Supplier<Benchmark>> floors = new ArrayList<>();
        if (size <= LineFloor.MAX_SIZE) {
            floors.add(() -> LineFloor.send(size));
        }
        if (options.inlineFor(size) && size >= Long.BYTES && size <= FlatSend.MAX_SIZE
                && options.deviceModeOr(DeviceMode.INLINE) == DeviceMode.INLINE) {
            floors.add(() -> new FlatSend(options));
        }
        return floors;
    }

    private static String floorsTitle(Options options) {
        return floors(options).isEmpty() ? "" : ", the floors of the latency rows' lines (floor-*)";
    }

    /** The verbs rows, in the order {@code all} and {@code verbs} run them. */
    static List<Supplier<Benchmark>> verbs(Options options) {
        return List.of(() -> new WriteLat(options), () -> new ReadLat(options), () -> new AtomicLat(options),
                () -> new SendLat(options));
    }

    static void run(PrintStream out, PrintStream progress, String title, int cpus, Options options,
                    List<Supplier<Benchmark>> set) throws Exception {
        long started = System.nanoTime();
        Suite suite = new Suite(options, progress);
        suite.prepare();
        List<Result> results = suite.run(set);
        Tables.print(out, title, options, results, suite.notes());
        NvmePerfTable.print(out, results);
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
                  all                the default set (default): baseline, the three peer ping-pongs again at the
                                     verbs rows' --size (64 B by default; not when it is 8 or above 4096),
                                     floor-write and floor-send (the cache lines write-lat and send-lat move
                                     between the cores, moved by two threads that do nothing else: a row's
                                     distance from its floor is its datapath's work; up to 4096 bytes),
                                     flat-send (send-lat's per-message checks and copies written flat, with no
                                     objects, locks or dispatch: what the semantics cost over floor-send; inline
                                     sizes 8 to 96 bytes), ring-doorbell-lat, the verbs latency rows (write-lat,
                                     read-lat, atomic-lat, send-lat) and nvme-perf's 4 KiB random reads on a
                                     memory namespace at QD1 and QD32 with their copy bounds, in one run, so that
                                     every ratio to the limit and to the peers comes from it; a row's x peer uses
                                     the peers of its own size (the 8-byte ones when no peer of its size ran)
                  verbs              baseline, the peer ping-pongs and the floors at --size (as in all), the
                                     verbs latency rows, the peers' one-way streams and the verbs bandwidth rows
                                     (no ring-doorbell-lat)
                  baseline           the physical limit (cache-line ping-pong, release/acquire), a 4 KiB
                                     MemorySegment.copy rate, and the peers JCTools SpscArrayQueue, Agrona
                                     OneToOneRingBuffer and LMAX Disruptor, each an 8-byte busy-spin ping-pong
                  ring-doorbell-lat  64 B SEND WQE through an off-heap ring, writel doorbell, busy-polling
                                     device thread (device_mode thread), CQE poll: round-trip latency
                  write-lat          RDMA_WRITE (64 B inline by default), signaled, ibv_wr_start to polled CQE,
                                     HCA model; --device-mode thread (default: engine thread pinned to CPU B)
                                     or inline (the doorbell runs the engine in the posting thread)
                  send-lat           SEND/RECV ping-pong (64 B inline by default) between two application threads
                                     on CPUs A and B, HCA model; --device-mode inline (default) or thread; runs
                                     the three peer ping-pongs at its --size first (8 bytes above 4096), so that
                                     x peer compares rows moving the same bytes, then floor-send and flat-send
                  read-lat           RDMA_READ (64 B by default; never inline), signaled, ibv_wr_start to polled CQE,
                                     HCA model; --device-mode thread (default) or inline
                  atomic-lat         ATOMIC_FETCH_AND_ADD (or --atomic cmp-swap: ATOMIC_CMP_AND_SWP), 8 bytes,
                                     signaled, ibv_wr_start to polled CQE; --device-mode thread (default) or inline
                  write-bw           RDMA_WRITE stream (ib_write_bw): --size, --post-list WRs per doorbell, one WR in
                                     --signal signaled, over --qps QP pairs; --device-mode thread (default) or inline;
                                     runs the peers' one-way 8-byte streams first (x peer compares ops/s)
                  send-bw            SEND/RECV stream (ib_send_bw), receives polled and reposted by a thread on CPU B;
                                     same knobs; --device-mode inline (default) or thread; with the peers' streams
                  qp-scan            write-lat (thread mode unless --device-mode) with 2, 64 and 1024 connected QPs
                                     on the device, one of them ringing (rows write-lat, write-lat-qps64,
                                     write-lat-qps1024): does the engine's cost grow with all QPs or only with
                                     those that ring?
                  nvme-perf          spdk_nvme_perf against the NVMe controller model: one I/O qpair, one namespace,
                                     with copy rows measured first: for each random row the copy its I/O makes
                                     (random blocks of an --ns-mib region to or from --qd host buffers, the
                                     bound of its ratios), and a cache-hot 4 KiB copy for reference. Without row
                                     options: 4 KiB randread and randwrite at QD1 and QD32 on memory (randread
                                     also with shadow doorbells), and file rows;
                                     with any of them: the one row they describe (unset ones take the defaults)
                  jmh [JMH ARGS]     the JMH benchmarks (org.openjdk.jmh.Main); e.g. ./qpair-perf jmh -prof gc
                  help               this text

                options:
                  --iterations N   measured samples per result (default 200000, 1..100000000)
                  --warmup N       warm-up samples per result (default 50000, 0..100000000); then more, in
                                   50 ms windows, until the JIT has been quiet for two (at most 3 s more)
                  --bracket N      limit round trips before and after each result (default 20000, 1000..10000000)
                  --retries N      re-runs of a result whose brackets differ by more than 20 %% (default 2, 0..10)
                  --rate OPS       open loop: issue latency operations at OPS per second, each recorded from the
                                   time it was due to start (no coordinated omission) (1..100000000);
                                   without it every latency row runs closed loop
                  --cpus A,B       pin the measuring thread to CPU A and peer/device threads to CPU B (default 0,1)
                  --time S         stop each result's measured samples after S seconds (1..3600), whichever of
                                   --iterations and --time comes first
                  --json FILE      write the results as JSON (fields documented in dev.qpair.perf.JsonReport)
                  --hgrm DIR       write DIR/<name>.hgrm percentile distributions (ns) and DIR/latency-by-percentile.png

                verbs options (write-lat, read-lat, atomic-lat, send-lat, write-bw, send-bw, qp-scan, verbs, all):
                  --size N         payload bytes per operation (default 64, 1..1048576; atomic-lat: 8 only)
                  --device-mode M  thread or inline (default: inline for send-lat and send-bw, thread for the others)
                  --inline on|off  payload inline in the WQE (default on when it fits: at most %d bytes)
                  --post-list N    write-bw, send-bw: WRs under one doorbell (default 16, 1..256)
                  --signal N       send-lat, write-bw, send-bw: one signaled WR in every N per QP (default 16,
                                   1..256); the latency rows other than send-lat signal every WR and ignore it
                  --qps N          write-bw, send-bw: QP pairs, one doorbell's batch each in turn (default 1,
                                   1..%d; N x size at most %d MiB)
                  --idle-qps N     write-lat: N more connected QPs on the device that never ring (default 0,
                                   an even number in 0..%d); the row is named write-lat-qps<2+N>
                  --atomic A       atomic-lat: fetch-add (default) or cmp-swap

                nvme-perf row options (an I/O count is --iterations x ops_per_sample: 1 at QD1, 16 above):
                  --io-size B      bytes per I/O, a multiple of 512 (default 4096, 512..131072)
                  --qd N           queue depth, commands kept outstanding (default 1, 1..1023)
                  --rw P           read, write, randread, randwrite, rw, randrw (default randread)
                  --rwmixread PCT  percent reads for rw and randrw (default 50, 0..100)
                  --ns KIND        memory or file (a memory-mapped file in java.io.tmpdir) (default memory)
                  --ns-mib M       namespace size in MiB (default 64, 1..4096)
                  --device MODE    thread (the controller busy-polls on the peer CPU) or inline (default thread)
                  --shadow-doorbells on|off
                                   Doorbell Buffer Config: the host writes an MMIO doorbell only when the
                                   controller's EventIdx asks for one (default off; row name -shadow)

                Every result is bracketed by a short limit measurement right before and after it; read the
                x limit column (p50 / bracketing limit p50), not the absolute times.""".formatted(Options.MAX_INLINE,
                Options.MAX_QPS, Options.MAX_BW_BYTES >> 20, Options.MAX_IDLE_QPS));
    }
}
