package dev.qpair.perf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The knobs a result ran with, in the order they were added; values are strings, longs, doubles or booleans. */
public final class Params {

    private final Map<String, Object> values = new LinkedHashMap<>();

    public Params put(String key, String value) {
        values.put(key, value);
        return this;
    }

    public Params put(String key, long value) {
        values.put(key, value);
        return this;
    }

    public Params put(String key, double value) {
        values.put(key, value);
        return this;
    }

    public Params put(String key, boolean value) {
        values.put(key, value);
        return this;
    }

    public Object get(String key) {
        return values.get(key);
    }

    public Map<String, Object> asMap() {
        return Collections.unmodifiableMap(values);
    }
}
