package dev.qpair.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SuiteTest {

    private static final Options SMALL = new Options(2_000, 500, 1_000, 0, 2, 0, 1, null, null, 0);

    /** Hands out scripted limit p50s and counts how many were asked for. */
    private static final class ScriptedProbe implements LimitProbe {
        final Deque<Long> script = new ArrayDeque<>();
        int calls;

        ScriptedProbe(long... values) {
            for (long v : values) {
                script.add(v);
            }
        }

        @Override
        public long p50Ns(long iterations) {
            calls++;
            return script.removeFirst();
        }
    }

    private static Result runOne(Options options, ScriptedProbe probe, List<Fixtures.Counting> made) {
        Suite suite = new Suite(options, null, probe);
        Supplier<Benchmark> factory = () -> {
            Fixtures.Counting c = new Fixtures.Counting(false);
            made.add(c);
            return c;
        };
        return suite.run(List.of(factory)).get(0);
    }

    @Test
    void aStableFirstAttemptIsKeptWithoutRetry() {
        ScriptedProbe probe = new ScriptedProbe(200, 230);
        List<Fixtures.Counting> made = new ArrayList<>();
        Result r = runOne(SMALL, probe, made);
        assertTrue(r.stable());
        assertEquals(1, r.attempts());
        assertEquals(2, probe.calls);
        assertEquals(200, r.bracket().beforeNs());
        assertEquals(230, r.bracket().afterNs());
        assertEquals(215.0, r.bracket().limitP50Ns());
        assertEquals(1, made.size());
        assertEquals(1, made.get(0).closed);
    }

    @Test
    void anUnstableAttemptIsRerunUntilStable() {
        ScriptedProbe probe = new ScriptedProbe(210, 650, 650, 1040, 1000, 1040);
        List<Fixtures.Counting> made = new ArrayList<>();
        Result r = runOne(SMALL, probe, made);
        assertTrue(r.stable());
        assertEquals(3, r.attempts());
        assertEquals(1000, r.bracket().beforeNs());
        assertEquals(3L, r.params().get("attempt"));
        assertEquals(3, made.size());
        assertTrue(made.stream().allMatch(c -> c.opened == 1 && c.closed == 1));
    }

    @Test
    void retriesAreBoundedAndTheClosestBracketIsKeptAndMarkedUnstable() {
        ScriptedProbe probe = new ScriptedProbe(100, 300, 100, 130, 100, 200);
        Result r = runOne(SMALL, probe, new ArrayList<>());
        assertFalse(r.stable());
        assertEquals(6, probe.calls);
        assertEquals(2, r.attempts());
        assertEquals(130, r.bracket().afterNs());
        assertTrue(probe.script.isEmpty());
    }

    @Test
    void zeroRetriesMeansOneAttempt() {
        Options noRetry = new Options(2_000, 500, 1_000, 0, 0, 0, 1, null, null, 0);
        ScriptedProbe probe = new ScriptedProbe(100, 300);
        Result r = runOne(noRetry, probe, new ArrayList<>());
        assertFalse(r.stable());
        assertEquals(1, r.attempts());
    }

    @Test
    void paramsRecordTheModeAndEveryHarnessKnob() {
        Options open = new Options(2_000, 500, 1_000, 1_000_000, 0, 0, 1, null, null, 0);
        Result r = runOne(open, new ScriptedProbe(100, 100), new ArrayList<>());
        assertEquals("open-loop", r.params().get("mode"));
        assertEquals(1_000_000L, r.params().get("rate_ops_per_s"));
        assertEquals(1_000L, r.params().get("interval_ns"));
        for (String knob : List.of("size_bytes", "iterations", "warmup", "ops_per_sample", "bracket_iterations",
                "cpu_measure", "cpu_peer", "errors")) {
            assertTrue(r.params().asMap().containsKey(knob), knob);
        }
        assertTrue(r.histogram().getTotalCount() >= 2_000);
    }
}
