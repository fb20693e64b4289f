package dev.qpair.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The new rows through the suite and the JSON report: every documented field, and the knobs that ran. */
class VerbsRowsJsonTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> byName(String json) {
        Map<String, Object> doc = (Map<String, Object>) MiniJson.parse(json);
        Map<String, Map<String, Object>> rows = new java.util.LinkedHashMap<>();
        for (Object o : (List<Object>) doc.get("results")) {
            Map<String, Object> r = (Map<String, Object>) o;
            rows.put((String) r.get("name"), r);
        }
        return rows;
    }

    @Test
    void theNewRowsCarryEveryFieldAndTheirKnobs() {
        Options o = Options.parse(new String[] {"--iterations", "2000", "--warmup", "500", "--bracket", "1000",
                "--retries", "0", "--qps", "2", "--post-list", "4", "--signal", "3", "--atomic", "cmp-swap"}, 0, 2);
        List<Supplier<Benchmark>> set = List.of(JctoolsSpscStream::new, AgronaRingStream::new, DisruptorStream::new,
                () -> new WriteBw(o), () -> new SendBw(o), () -> new ReadLat(o), () -> new AtomicLat(o),
                () -> new WriteLat(o.withIdleQps(2)));
        List<Result> results = new Suite(o, null, iterations -> 200).run(set);
        Map<String, Map<String, Object>> rows = byName(JsonReport.toJson(2, results, new LinkedHashSet<>()));

        assertEquals(List.of("baseline-jctools-spsc-bw", "baseline-agrona-o2o-bw", "baseline-disruptor-bw", "write-bw",
                "send-bw", "read-lat", "atomic-lat-cmp-swap", "write-lat-qps4"), List.copyOf(rows.keySet()));
        for (Map<String, Object> r : rows.values()) {
            assertEquals(JsonReport.RESULT_FIELDS, List.copyOf(r.keySet()), (String) r.get("name"));
            Map<?, ?> params = (Map<?, ?>) r.get("params");
            assertEquals(0L, params.get("errors"), r.get("name") + " " + params);
            assertNotNull(params.get("size_bytes"));
            assertTrue((Double) r.get("ops_per_s") > 0, (String) r.get("name"));
            assertTrue((Double) r.get("mib_per_s") > 0, (String) r.get("name"));
            assertNotNull(r.get("alloc_bytes_per_op"));
            assertEquals(200.0, (Double) r.get("limit_p50_ns"), 1e-9);
        }
        for (String bw : List.of("write-bw", "send-bw")) {
            Map<String, Object> r = rows.get(bw);
            assertEquals("bandwidth", r.get("kind"));
            assertEquals(Boolean.FALSE, r.get("peer"));
            Map<?, ?> params = (Map<?, ?>) r.get("params");
            assertEquals(64L, params.get("size_bytes"));
            assertEquals(4L, params.get("post_list"));
            assertEquals(3L, params.get("signal_interval"));
            assertEquals(2L, params.get("qps"));
            assertEquals(4L, params.get("ops_per_sample"));
            assertNotNull(params.get("device_mode"));
            double peerRatio = (Double) r.get("ratio_to_best_peer");
            double best = rows.values().stream().filter(p -> Boolean.TRUE.equals(p.get("peer")))
                    .mapToDouble(p -> (Double) p.get("ops_per_s")).max().orElseThrow();
            assertEquals((Double) r.get("ops_per_s") / best, peerRatio, 1e-3 * Math.max(1, peerRatio));
        }
        assertEquals("thread", ((Map<?, ?>) rows.get("write-bw").get("params")).get("device_mode"));
        assertEquals("inline", ((Map<?, ?>) rows.get("send-bw").get("params")).get("device_mode"));
        assertEquals("RDMA_READ", ((Map<?, ?>) rows.get("read-lat").get("params")).get("opcode"));
        Map<?, ?> atomic = (Map<?, ?>) rows.get("atomic-lat-cmp-swap").get("params");
        assertEquals("ATOMIC_CMP_AND_SWP", atomic.get("opcode"));
        assertEquals(8L, atomic.get("size_bytes"));
        Map<?, ?> scan = (Map<?, ?>) rows.get("write-lat-qps4").get("params");
        assertEquals(2L, scan.get("idle_qps"));
        assertEquals(4L, scan.get("qps_on_device"));
        for (String lat : List.of("read-lat", "atomic-lat-cmp-swap", "write-lat-qps4")) {
            Map<String, Object> r = rows.get(lat);
            assertEquals("latency", r.get("kind"));
            assertNull(r.get("ratio_to_best_peer"), "no latency peer ran");
            for (String f : List.of("mean_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "p9999_ns", "max_ns",
                    "ratio_to_limit_p50")) {
                assertNotNull(r.get(f), lat + " " + f);
            }
        }
    }
}
