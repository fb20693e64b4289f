package dev.qpair.perf;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Runs benchmarks one after another, each bracketed by a short limit measurement right before and
 * right after it. A result whose brackets differ by more than {@link Bracket#TOLERANCE} is re-run,
 * at most {@code retries} more times; the attempt with the closest brackets is kept, and marked
 * unstable when even that one is outside the tolerance.
 */
public final class Suite {

    private final Options options;
    private final Runner runner;
    private final PrintStream progress;
    private final Set<String> notes = new LinkedHashSet<>();
    private final LimitProbe probe;

    /** A suite whose brackets are real {@link LimitPingPong} runs. */
    public Suite(Options options, PrintStream progress) {
        this.options = options;
        this.progress = progress;
        this.runner = new Runner(progress);
        this.probe = this::limitP50;
    }

    /** A suite whose brackets come from {@code probe}. */
    public Suite(Options options, PrintStream progress, LimitProbe probe) {
        this.options = options;
        this.progress = progress;
        this.runner = new Runner(progress);
        this.probe = probe;
    }

    /** Notes for the output: pinning failures, and anything else a reader must know. */
    public Set<String> notes() {
        return notes;
    }

    /**
     * Once per run, before {@link #run}: pins the calling (measuring) thread, warms the limit path
     * up, and trains the recording loops on three benchmark classes, so that their call into
     * {@link Benchmark#operation} is compiled as the same virtual call for every row (the limit's
     * included) instead of being inlined for the first one or two classes only. Notes the cost of
     * an empty operation, which every figure includes.
     */
    public void prepare() {
        note(Affinity.pinCurrentThread(options.measureCpu()));
        long warm = Math.max(Options.MIN_BRACKET, options.bracketIterations() / 4);
        long emptyP50 = 0;
        for (int round = 0; round < 3; round++) {
            probe.p50Ns(options.bracketIterations());
            for (Benchmark b : new Benchmark[] {new EmptyOperation(), new MemcpyRate()}) {
                try (b) {
                    b.open(options.peerCpu());
                    Measurement m = runner.measure(b, warm, warm * 4, 0);
                    if (b instanceof EmptyOperation) {
                        emptyP50 = m.histogram().getValueAtPercentile(50);
                    }
                    if (options.rate() != 0) {
                        runner.measure(b, warm, warm * 4, 1);
                    }
                }
            }
        }
        note("clock: an empty operation measures p50 " + emptyP50 + " ns per sample; every figure includes it");
    }

    /** Runs every benchmark in order on the calling thread; prints "[k/n] name" progress lines. */
    public List<Result> run(List<Supplier<Benchmark>> benchmarks) {
        List<Result> results = new ArrayList<>();
        int k = 0;
        for (Supplier<Benchmark> factory : benchmarks) {
            k++;
            results.add(runOne(factory, k, benchmarks.size()));
        }
        return results;
    }

    private Result runOne(Supplier<Benchmark> factory, int k, int n) {
        Result best = null;
        int attempts = options.retries() + 1;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            long before = probe.p50Ns(options.bracketIterations());
            Benchmark benchmark = factory.get();
            if (progress != null) {
                progress.printf("[%d/%d] %s (attempt %d of at most %d, limit before %,d ns)%n",
                        k, n, benchmark.name(), attempt, attempts, before);
            }
            Measurement measurement;
            long errors;
            try (benchmark) {
                note(benchmark.open(options.peerCpu()));
                long interval = benchmark.kind() == Benchmark.Kind.LATENCY ? options.intervalNs() : 0;
                measurement = runner.measure(benchmark, options.warmup(), options.iterations(), interval,
                        options.timeLimitNanos());
                errors = benchmark.errors();
            }
            long after = probe.p50Ns(options.bracketIterations());
            Bracket bracket = new Bracket(before, after);
            boolean stable = bracket.stable(Bracket.TOLERANCE);
            Result result = new Result(benchmark.name(), benchmark.kind(), benchmark.peer(), benchmark.sizeBytes(),
                    params(benchmark, errors, attempt, measurement), measurement, bracket, stable, attempt);
            if (best == null || bracket.spread() < best.bracket().spread()) {
                best = result;
            }
            if (stable) {
                break;
            }
            if (progress != null) {
                progress.printf("  unstable: limit %,d ns before, %,d ns after (%.0f %% apart)%n",
                        before, after, bracket.spread() * 100);
            }
        }
        return best;
    }

    private Params params(Benchmark benchmark, long errors, int attempt, Measurement measurement) {
        Params params = new Params();
        benchmark.describe(params);
        boolean openLoop = options.rate() != 0 && benchmark.kind() == Benchmark.Kind.LATENCY;
        params.put("mode", openLoop ? "open-loop" : "closed-loop");
        if (openLoop) {
            params.put("rate_ops_per_s", options.rate()).put("interval_ns", options.intervalNs())
                    .put("co_correction", "latency_from_due_time");
        }
        params.put("iterations", options.iterations()).put("warmup", options.warmup())
                .put("warmup_extra_samples", measurement.extraWarmupSamples())
                .put("warmup_jit_settled", measurement.jitSettled())
                .put("ops_per_sample", openLoop ? 1 : benchmark.opsPerSample())
                .put("time_limit_s", options.timeSeconds())
                .put("bracket_iterations", options.bracketIterations())
                .put("cpu_measure", options.measureCpu()).put("cpu_peer", options.peerCpu())
                .put("attempt", attempt).put("errors", errors);
        return params;
    }

    /** The p50 of a short closed-loop limit ping-pong, in ns. */
    private long limitP50(long iterations) {
        try (LimitPingPong limit = new LimitPingPong()) {
            note(limit.open(options.peerCpu()));
            Measurement m = runner.measure(limit, Math.max(Options.MIN_BRACKET, iterations / 4), iterations, 0);
            return Math.max(1, m.histogram().getValueAtPercentile(50));
        }
    }

    private void note(String note) {
        if (note != null) {
            notes.add(note);
        }
    }
}
