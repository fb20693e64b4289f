package dev.qpair.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NvmePerfConfigTest {

    private static String error(String... args) {
        return assertThrows(IllegalArgumentException.class,
                () -> PerfMain.nvmeConfig(args, 0, new ArrayList<>())).getMessage();
    }

    @Test
    void theDefaultsAreFourKibRandomReadsAtQueueDepthOneOnMemoryWithAControllerThread() {
        NvmePerfConfig c = NvmePerfConfig.defaults();
        assertEquals(4096, c.ioSize());
        assertEquals(1, c.queueDepth());
        assertEquals(NvmeWorkload.RANDREAD, c.workload());
        assertEquals(4096, c.lbaSize());
        assertEquals("nvme-perf-randread-qd1-4k-mem", c.name());
    }

    @Test
    void rowOptionsMakeOneRowAndTheOthersGoToTheSuite() {
        List<String> others = new ArrayList<>();
        NvmePerfConfig c = PerfMain.nvmeConfig(new String[] {"nvme-perf", "--qd", "32", "--iterations", "1000",
                "--rw", "randrw", "--rwmixread", "70", "--io-size", "1536", "--ns", "file", "--device", "inline",
                "--ns-mib", "8", "--time", "2", "--shadow-doorbells", "on"}, 1, others);
        assertEquals(List.of("--iterations", "1000", "--time", "2"), others);
        assertEquals(32, c.queueDepth());
        assertEquals(70, c.workload().readPercent(c.rwMixRead()));
        assertTrue(c.workload().random());
        assertEquals(512, c.lbaSize());
        assertTrue(c.shadowDoorbells());
        assertEquals("nvme-perf-randrw70-qd32-1536b-file-inline-shadow", c.name());
        assertTrue(NvmePerfConfig.OPTIONS.contains("--shadow-doorbells"));
        assertNull(PerfMain.nvmeConfig(new String[] {"--iterations", "5"}, 0, new ArrayList<>()));
        assertEquals(100, NvmeWorkload.READ.readPercent(30));
        assertEquals(0, NvmeWorkload.WRITE.readPercent(30));
    }

    @Test
    void badValuesNameTheOptionTheValueAndTheRange() {
        String m = error("--qd", "0");
        assertTrue(m.contains("--qd") && m.contains("0") && m.contains("[1, 1023]"), m);
        m = error("--qd", "deep");
        assertTrue(m.contains("--qd") && m.contains("'deep'") && m.contains("[1, 1023]"), m);
        m = error("--io-size", "1000");
        assertTrue(m.contains("--io-size") && m.contains("1000") && m.contains("multiple of 512")
                && m.contains("[512, 131072]"), m);
        m = error("--io-size", "262144");
        assertTrue(m.contains("--io-size") && m.contains("262144") && m.contains("[512, 131072]"), m);
        m = error("--rw", "randomread");
        assertTrue(m.contains("--rw") && m.contains("'randomread'") && m.contains("randread"), m);
        m = error("--rwmixread", "101");
        assertTrue(m.contains("--rwmixread") && m.contains("101") && m.contains("[0, 100]"), m);
        m = error("--ns", "disk");
        assertTrue(m.contains("--ns") && m.contains("'disk'") && m.contains("memory or file"), m);
        m = error("--device", "gpu");
        assertTrue(m.contains("--device") && m.contains("'gpu'") && m.contains("thread or inline"), m);
        m = error("--shadow-doorbells", "yes");
        assertTrue(m.contains("--shadow-doorbells") && m.contains("'yes'") && m.contains("off or on"), m);
        m = error("--ns-mib", "0");
        assertTrue(m.contains("--ns-mib") && m.contains("[1, 4096]"), m);
        m = error("--qd");
        assertTrue(m.contains("--qd needs a value"), m);
    }

    @Test
    void theDefaultSetHasTheShadowDoorbellTwinsOfTheMemoryRandreadRows() {
        List<String> names = PerfMain.NVME_SET.stream().map(NvmePerfConfig::name).toList();
        assertEquals(List.of("nvme-perf-randread-qd1-4k-mem", "nvme-perf-randread-qd1-4k-mem-shadow",
                "nvme-perf-randread-qd32-4k-mem", "nvme-perf-randread-qd32-4k-mem-shadow"), names.subList(0, 4));
        assertTrue(!NvmePerfConfig.defaults().shadowDoorbells(), "off by default");
    }

    @Test
    void timeIsASuiteOption() {
        assertEquals(3_000_000_000L, Options.parse(new String[] {"--time", "3"}, 0, 2).timeLimitNanos());
        String m = assertThrows(IllegalArgumentException.class,
                () -> Options.parse(new String[] {"--time", "0"}, 0, 2)).getMessage();
        assertTrue(m.contains("--time") && m.contains("[1, 3600]"), m);
    }
}
