package dev.qpair.perf;

/**
 * xorshift64*: the benchmarks' uniform stream, without allocation. nvme-perf draws its LBAs (and its
 * read/write mix) with it, and the copy bound of a random row draws its blocks with it, from the same
 * seed and with the same distribution. One thread.
 */
final class Xorshift64Star {

    private static final long SEED = 0x9E3779B97F4A7C15L;

    private long state = SEED;

    /** A value in {@code [0, bound)}, {@code bound > 0}: the top 63 bits of the next output, modulo {@code bound}. */
    long below(long bound) {
        long x = state;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        state = x;
        return ((x * 0x2545F4914F6CDD1DL) >>> 1) % bound;
    }
}
