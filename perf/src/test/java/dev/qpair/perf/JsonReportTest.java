package dev.qpair.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonReportTest {

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> results(String json) {
        Map<String, Object> doc = (Map<String, Object>) MiniJson.parse(json);
        assertEquals("qpair-perf/1", doc.get("schema"));
        return (List<Map<String, Object>>) doc.get("results");
    }

    @Test
    void everyResultHasEveryDocumentedFieldAndTheDocumentParses(@TempDir Path dir) throws Exception {
        List<Result> rows = List.of(
                Fixtures.result("baseline-limit", Benchmark.Kind.LATENCY, 200, 210, 190, 200, 205, 400),
                Fixtures.result("baseline-memcpy-4k", Benchmark.Kind.BANDWIDTH, 200, 300, 20, 22, 30));
        Path file = dir.resolve("sub/r.json");
        JsonReport.write(file, 2, rows, Set.of("a note"));

        List<Map<String, Object>> results = results(Files.readString(file));
        assertEquals(2, results.size());
        for (Map<String, Object> r : results) {
            assertEquals(JsonReport.RESULT_FIELDS, List.copyOf(r.keySet()));
        }
        Map<String, Object> limit = results.get(0);
        assertEquals("baseline-limit", limit.get("name"));
        assertEquals(200L, limit.get("p50_ns"));
        assertEquals(205.0, (Double) limit.get("limit_p50_ns"), 1e-9);
        assertEquals(200.0 / 205.0, (Double) limit.get("ratio_to_limit_p50"), 1e-3);
        assertEquals(200L, limit.get("limit_before_ns"));
        assertEquals(210L, limit.get("limit_after_ns"));
        assertEquals(Boolean.TRUE, limit.get("stable"));
        Map<?, ?> params = (Map<?, ?>) limit.get("params");
        assertEquals(8L, params.get("size_bytes"));
        assertEquals("thread", params.get("device_mode"));
        assertEquals(Boolean.FALSE, results.get(1).get("stable"));
    }

    @Test
    void stringsAreEscaped() {
        String nasty = "q\"b\\n\nt\tc\u0001é";
        Set<String> notes = new LinkedHashSet<>(List.of(nasty));
        Result row = Fixtures.result(nasty, Benchmark.Kind.LATENCY, 100, 100, 100);
        row.params().put("weird \"key\"", nasty);

        String json = JsonReport.toJson(2, List.of(row), notes);

        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) MiniJson.parse(json);
        assertEquals(List.of(nasty), doc.get("notes"));
        Map<String, Object> r = results(json).get(0);
        assertEquals(nasty, r.get("name"));
        assertEquals(nasty, ((Map<?, ?>) r.get("params")).get("weird \"key\""));
        assertTrue(json.contains("\\u0001"), json);
    }
}
