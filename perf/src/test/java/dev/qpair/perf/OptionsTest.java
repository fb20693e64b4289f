package dev.qpair.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OptionsTest {

    private static String error(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> Options.parse(args, 0, 2)).getMessage();
    }

    @Test
    void parsesEveryOption() {
        Options o = Options.parse(new String[] {"--iterations", "1_000", "--warmup", "0", "--bracket", "5000",
                "--rate", "20000", "--retries", "4", "--cpus", "1,0", "--json", "r.json", "--hgrm", "h"}, 0, 2);
        assertEquals(1_000, o.iterations());
        assertEquals(0, o.warmup());
        assertEquals(5_000, o.bracketIterations());
        assertEquals(20_000, o.rate());
        assertEquals(50_000, o.intervalNs());
        assertEquals("open-loop", o.mode());
        assertEquals(4, o.retries());
        assertEquals(1, o.measureCpu());
        assertEquals(0, o.peerCpu());
        assertEquals(Path.of("r.json"), o.json());
        assertEquals(Path.of("h"), o.hgrm());
        assertEquals("closed-loop", Options.parse(new String[0], 0, 2).mode());
    }

    @Test
    void outOfRangeNamesTheOptionTheValueAndTheLimits() {
        String m = error("--iterations", "0");
        assertTrue(m.contains("--iterations") && m.contains("0") && m.contains("[1, 100000000]"), m);
        m = error("--retries", "11");
        assertTrue(m.contains("--retries") && m.contains("11") && m.contains("[0, 10]"), m);
        m = error("--bracket", "999");
        assertTrue(m.contains("--bracket") && m.contains("999") && m.contains("[1000, 10000000]"), m);
        m = error("--rate", "fast");
        assertTrue(m.contains("--rate") && m.contains("'fast'") && m.contains("[1, 100000000]"), m);
    }

    @Test
    void cpusMustBeTwoDifferentCpusBelowTheCount() {
        String m = error("--cpus", "0,2");
        assertTrue(m.contains("--cpus") && m.contains("2") && m.contains("[0, 1]"), m);
        m = error("--cpus", "1,1");
        assertTrue(m.contains("--cpus") && m.contains("'1,1'") && m.contains("same CPU"), m);
        m = error("--cpus", "3");
        assertTrue(m.contains("--cpus") && m.contains("'3'") && m.contains("A,B"), m);
    }

    @Test
    void unknownOptionsAndMissingValuesAreNamed() {
        String m = error("--iters", "5");
        assertTrue(m.contains("'--iters'") && m.contains("--iterations"), m);
        m = error("--json");
        assertTrue(m.contains("--json needs a value"), m);
        m = error("fast");
        assertTrue(m.contains("'fast'"), m);
    }

    @Test
    void parsesTheVerbsKnobs() {
        Options o = Options.parse(new String[] {"--size", "256", "--device-mode", "inline", "--inline", "off",
                "--post-list", "32", "--signal", "8"}, 0, 2);
        assertEquals(256, o.sizeOr(64));
        assertEquals(dev.qpair.hca.DeviceMode.INLINE, o.deviceModeOr(dev.qpair.hca.DeviceMode.THREAD));
        assertEquals(false, o.inlineFor(64));
        assertEquals(32, o.postList());
        assertEquals(8, o.signalInterval());
        Options d = Options.parse(new String[0], 0, 2);
        assertEquals(64, d.sizeOr(64));
        assertEquals(dev.qpair.hca.DeviceMode.THREAD, d.deviceModeOr(dev.qpair.hca.DeviceMode.THREAD));
        assertTrue(d.inlineFor(64));
        assertEquals(false, d.inlineFor(Options.MAX_INLINE + 1));
    }

    @Test
    void parsesTheBandwidthScanAndAtomicKnobs() {
        Options o = Options.parse(new String[] {"--qps", "64", "--idle-qps", "1022", "--atomic", "cmp-swap"}, 0, 2);
        assertEquals(64, o.qps());
        assertEquals(1022, o.idleQps());
        assertTrue(o.cmpSwap());
        assertEquals(62, o.withIdleQps(62).idleQps());
        assertEquals(64, o.withIdleQps(62).qps());
        Options d = Options.parse(new String[0], 0, 2);
        assertEquals(1, d.qps());
        assertEquals(0, d.idleQps());
        assertEquals(false, d.cmpSwap());
        assertEquals(false, Options.parse(new String[] {"--atomic", "fetch-add"}, 0, 2).cmpSwap());
    }

    @Test
    void badBandwidthScanAndAtomicKnobsAreNamedWithTheirLimits() {
        String m = error("--qps", "0");
        assertTrue(m.contains("--qps") && m.contains("0") && m.contains("[1, 1024]"), m);
        m = error("--qps", "1025");
        assertTrue(m.contains("--qps") && m.contains("1025") && m.contains("[1, 1024]"), m);
        m = error("--qps", "1024", "--size", "1048576");
        assertTrue(m.contains("--qps") && m.contains("1024") && m.contains(String.valueOf(Options.MAX_BW_BYTES)), m);
        m = error("--idle-qps", "-2");
        assertTrue(m.contains("--idle-qps") && m.contains("-2") && m.contains("[0, 4094]"), m);
        m = error("--idle-qps", "4096");
        assertTrue(m.contains("--idle-qps") && m.contains("4096") && m.contains("[0, 4094]"), m);
        m = error("--idle-qps", "63");
        assertTrue(m.contains("--idle-qps") && m.contains("63") && m.contains("even") && m.contains("4094"), m);
        m = error("--atomic", "swap");
        assertTrue(m.contains("--atomic") && m.contains("'swap'") && m.contains("fetch-add or cmp-swap"), m);
    }

    private static String checkError(String command, String... args) {
        Options o = Options.parse(args, 0, 2);
        return assertThrows(IllegalArgumentException.class, () -> PerfMain.check(command, o)).getMessage();
    }

    @Test
    void subcommandsRejectKnobsThatDoNotApplyToThem() {
        String m = checkError("read-lat", "--inline", "on");
        assertTrue(m.contains("--inline") && m.contains("read-lat") && m.contains("off"), m);
        m = checkError("atomic-lat", "--size", "16");
        assertTrue(m.contains("--size") && m.contains("16") && m.contains("8"), m);
        m = checkError("atomic-lat", "--inline", "on");
        assertTrue(m.contains("--inline") && m.contains("atomic-lat"), m);
        m = checkError("qp-scan", "--idle-qps", "2");
        assertTrue(m.contains("--idle-qps") && m.contains("qp-scan"), m);
        PerfMain.check("atomic-lat", Options.parse(new String[] {"--size", "8", "--inline", "off"}, 0, 2));
        PerfMain.check("read-lat", Options.parse(new String[] {"--size", "4096"}, 0, 2));
        PerfMain.check("write-bw", Options.parse(new String[] {"--qps", "8"}, 0, 2));
    }

    @Test
    void badVerbsKnobsAreNamedWithTheirRange() {
        String m = error("--size", "0");
        assertTrue(m.contains("--size") && m.contains("0") && m.contains("[1, 1048576]"), m);
        m = error("--device-mode", "fast");
        assertTrue(m.contains("--device-mode") && m.contains("'fast'") && m.contains("thread or inline"), m);
        m = error("--inline", "yes");
        assertTrue(m.contains("--inline") && m.contains("'yes'") && m.contains("on or off"), m);
        m = error("--post-list", "257");
        assertTrue(m.contains("--post-list") && m.contains("257") && m.contains("[1, 256]"), m);
        m = error("--signal", "0");
        assertTrue(m.contains("--signal") && m.contains("0") && m.contains("[1, 256]"), m);
        m = error("--size", "1000", "--inline", "on");
        assertTrue(m.contains("--size") && m.contains("1000") && m.contains("[1, " + Options.MAX_INLINE + "]"), m);
    }
}
