package dev.qpair.memory;

/** Argument checks whose messages name the argument, the value and the limit. */
final class Check {

    private Check() {
    }

    static <T> T notNull(T value, String name) {
        if (value == null) {
            throw new NullPointerException(name + " must not be null");
        }
        return value;
    }

    static long inRange(long value, String name, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " = " + value + " is outside [" + min + ", " + max + "]");
        }
        return value;
    }

    static int inRange(int value, String name, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " = " + value + " is outside [" + min + ", " + max + "]");
        }
        return value;
    }

    /** Checks that [offset, offset + length) lies inside [0, size), without overflow. */
    static void slice(long offset, long length, long size, String what) {
        if (offset < 0 || offset > size) {
            throw new IllegalArgumentException("offset = " + offset + " is outside [0, " + size + "] of " + what);
        }
        if (length <= 0 || length > size - offset) {
            throw new IllegalArgumentException("length = " + length + " is outside [1, " + (size - offset)
                    + "]: offset " + offset + " + length must not pass the " + size + " bytes of " + what);
        }
    }
}
