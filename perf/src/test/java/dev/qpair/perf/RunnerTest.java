package dev.qpair.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The warm-up runs the asked samples, then waits for the JIT; the benchmark hears where the measured operations start. */
class RunnerTest {

    /** Records the operation numbers it sees and where the harness said the measured ones start. */
    private static final class Recording extends Fixtures.Counting {
        long measuredFrom = -1;
        long firstSeenAfterMark = -1;
        long calls;

        Recording() {
            super(false);
        }

        @Override
        public void measuredFrom(long firstOp) {
            measuredFrom = firstOp;
        }

        @Override
        public long operation(long i) {
            if (measuredFrom >= 0 && firstSeenAfterMark < 0) {
                firstSeenAfterMark = i;
            }
            calls++;
            return super.operation(i);
        }
    }

    @Test
    void aWarmUpGoesOnPastTheAskedSamplesUntilTheJitIsQuietAndMarksTheMeasuredStart() {
        Recording b = new Recording();
        long warmup = 1_000;
        long samples = 5_000;
        long started = System.nanoTime();
        Measurement m = new Runner(null).measure(b, warmup, samples, 0);
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;

        assertTrue(m.extraWarmupSamples() > 0, "at least " + Runner.QUIET_WINDOWS + " windows past the asked samples");
        assertTrue(elapsedMs >= (long) Runner.QUIET_WINDOWS * Runner.SETTLE_WINDOW_MS,
                "the quiet windows take their time: " + elapsedMs + " ms");
        assertEquals(warmup + m.extraWarmupSamples(), b.measuredFrom, "measured operations start after every warm-up one");
        assertEquals(b.measuredFrom, b.firstSeenAfterMark, "the first measured operation is the one announced");
        assertEquals(samples, m.operations());
        assertEquals(b.measuredFrom + samples, b.calls, "warm-up and measured operations, each once");
        assertTrue(m.jitSettled() || elapsedMs >= Runner.SETTLE_CAP_MS, "settled, unless the cap ended it: " + elapsedMs + " ms");
    }

    @Test
    void noWarmUpAskedMeansNone() {
        Recording b = new Recording();
        Measurement m = new Runner(null).measure(b, 0, 2_000, 0);
        assertEquals(0, m.extraWarmupSamples());
        assertEquals(0, b.measuredFrom);
        assertEquals(2_000, b.calls);
    }
}
