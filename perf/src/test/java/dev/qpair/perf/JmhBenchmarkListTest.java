package dev.qpair.perf;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** javac 23+ runs no processor found only on the class path: this fails when JMH's generator did not run. */
class JmhBenchmarkListTest {

    @Test
    void theAnnotationProcessorListedEveryJmhBenchmark() throws Exception {
        String list;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/BenchmarkList")) {
            assertNotNull(in, "META-INF/BenchmarkList was not generated");
            list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String method : new String[] {"BarriersBench_writel_jmhTest", "BarriersBench_writelRelaxed_jmhTest",
                "BarriersBench_wmbThenWritelRelaxed_jmhTest", "BarriersBench_smpStoreRelease_jmhTest",
                "BarriersBench_plainStore_jmhTest", "RingRoundTripBench_postAndPoll_jmhTest",
                "KeyLookupBench_direct_jmhTest", "KeyLookupBench_pageList2Pages_jmhTest",
                "KeyLookupBench_indirect2Elements_jmhTest", "KeyLookupBench_staleKey_jmhTest",
                "PostWrBench_buildWqeThenAbort_jmhTest", "PollCqeBench_pollAll_jmhTest",
                "DeviceStepBench_postExecutePoll_jmhTest", "DeviceStepBench_postExecutePollBatch16_jmhTest",
                "NvmeSubmitCompleteBench_flush_jmhTest", "NvmeSubmitCompleteBench_read4k_jmhTest",
                "NvmeSubmitCompleteBench_write4k_jmhTest"}) {
            assertTrue(list.contains("dev.qpair.perf.jmh.jmh_generated." + method), method + " missing:\n" + list);
        }
    }
}
