package dev.qpair.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes a run as JSON. The document is an object: {@code schema} ("qpair-perf/1"), {@code jvm},
 * {@code cpus} (available before pinning), {@code notes} (strings) and {@code results}, an array with one object per result
 * whose field names are stable:
 * <ul>
 * <li>{@code name}: the subcommand, with a suffix when one run yields several rows</li>
 * <li>{@code kind}: {@code latency} or {@code bandwidth}</li>
 * <li>{@code params}: every knob that ran (size_bytes, device_mode where it applies, mode, rate, ...)</li>
 * <li>{@code count}: histogram samples; {@code mean_ns}, {@code min_ns}, {@code p50_ns}, {@code p90_ns},
 * {@code p99_ns}, {@code p999_ns}, {@code p9999_ns}, {@code max_ns}: ns per operation</li>
 * <li>{@code ops_per_s}, {@code mib_per_s}: operations and payload MiB per second of the measured loop</li>
 * <li>{@code alloc_bytes_per_op}: bytes the measuring thread allocated per operation</li>
 * <li>{@code limit_p50_ns}: the bracketing limit, the mean of {@code limit_before_ns} and
 * {@code limit_after_ns}; {@code ratio_to_limit_p50}: {@code p50_ns / limit_p50_ns}</li>
 * <li>{@code stable}: the brackets differ by at most 20 %; {@code attempts}: runs it took</li>
 * <li>{@code peer}: the row is a peer library; {@code ratio_to_best_peer}: see {@link PeerRatio}, null
 * when the run has no peer row of the same kind</li>
 * </ul>
 */
public final class JsonReport {

    /** The fields of every result object, in the order they are written. */
    public static final List<String> RESULT_FIELDS = List.of("name", "kind", "params", "count", "mean_ns", "min_ns",
            "p50_ns", "p90_ns", "p99_ns", "p999_ns", "p9999_ns", "max_ns", "ops_per_s", "mib_per_s",
            "alloc_bytes_per_op", "limit_p50_ns", "ratio_to_limit_p50", "limit_before_ns", "limit_after_ns",
            "stable", "attempts", "peer", "ratio_to_best_peer");

    private JsonReport() {
    }

    public static void write(Path file, int cpus, List<Result> results, Set<String> notes) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, toJson(cpus, results, notes), StandardCharsets.UTF_8);
    }

    /** @param cpus the CPUs the JVM could use before the measuring thread was pinned */
    public static String toJson(int cpus, List<Result> results, Set<String> notes) {
        StringBuilder b = new StringBuilder(4096);
        b.append("{\n  \"schema\": \"qpair-perf/1\",\n  \"jvm\": ");
        string(b, System.getProperty("java.vm.name") + " " + Runtime.version());
        b.append(",\n  \"cpus\": ").append(cpus);
        b.append(",\n  \"notes\": [");
        String sep = "";
        for (String note : notes) {
            b.append(sep);
            string(b, note);
            sep = ", ";
        }
        b.append("],\n  \"results\": [");
        sep = "\n";
        for (Result r : results) {
            b.append(sep).append("    {");
            field(b, "name", true);
            string(b, r.name());
            field(b, "kind", false);
            string(b, r.kind().name().toLowerCase(Locale.ROOT));
            field(b, "params", false);
            params(b, r.params().asMap());
            field(b, "count", false);
            b.append(r.histogram().getTotalCount());
            field(b, "mean_ns", false);
            number(b, r.meanNs());
            field(b, "min_ns", false);
            b.append(r.minNs());
            field(b, "p50_ns", false);
            b.append(r.percentileNs(50));
            field(b, "p90_ns", false);
            b.append(r.percentileNs(90));
            field(b, "p99_ns", false);
            b.append(r.percentileNs(99));
            field(b, "p999_ns", false);
            b.append(r.percentileNs(99.9));
            field(b, "p9999_ns", false);
            b.append(r.percentileNs(99.99));
            field(b, "max_ns", false);
            b.append(r.maxNs());
            field(b, "ops_per_s", false);
            number(b, r.opsPerSecond());
            field(b, "mib_per_s", false);
            number(b, r.mibPerSecond());
            field(b, "alloc_bytes_per_op", false);
            number(b, r.allocatedBytesPerOp());
            field(b, "limit_p50_ns", false);
            number(b, r.bracket().limitP50Ns());
            field(b, "ratio_to_limit_p50", false);
            number(b, r.ratioToLimitP50());
            field(b, "limit_before_ns", false);
            b.append(r.bracket().beforeNs());
            field(b, "limit_after_ns", false);
            b.append(r.bracket().afterNs());
            field(b, "stable", false);
            b.append(r.stable());
            field(b, "attempts", false);
            b.append(r.attempts());
            field(b, "peer", false);
            b.append(r.peer());
            field(b, "ratio_to_best_peer", false);
            number(b, PeerRatio.of(r, results));
            b.append('}');
            sep = ",\n";
        }
        b.append("\n  ]\n}\n");
        return b.toString();
    }

    private static void field(StringBuilder b, String name, boolean first) {
        if (!first) {
            b.append(", ");
        }
        string(b, name);
        b.append(": ");
    }

    private static void params(StringBuilder b, Map<String, Object> params) {
        b.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : params.entrySet()) {
            field(b, e.getKey(), first);
            first = false;
            Object v = e.getValue();
            if (v instanceof Long || v instanceof Integer || v instanceof Boolean) {
                b.append(v);
            } else if (v instanceof Double d) {
                number(b, d);
            } else {
                string(b, String.valueOf(v));
            }
        }
        b.append('}');
    }

    private static void number(StringBuilder b, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            b.append("null");
        } else {
            b.append(String.format(Locale.ROOT, "%.3f", v));
        }
    }

    /** Appends {@code s} as a JSON string: quotes, backslashes and control characters escaped. */
    public static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
