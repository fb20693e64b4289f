package dev.qpair.rings;

/**
 * Index arithmetic for power-of-two rings driven by free-running 32-bit counters.
 *
 * <p>A producer index and a consumer index count every entry ever produced and consumed; they are
 * never masked when stored and wrap at 2<sup>32</sup>. The slot of index {@code i} is
 * {@code i & (capacity - 1)}; the number of entries in flight is {@code producer - consumer}
 * computed in 32-bit two's complement, which stays correct across the 2<sup>32</sup> wrap as long as
 * no more than {@link #MAX_CAPACITY} entries are ever outstanding.
 *
 * <p><b>Owner bit.</b> The side that hands an entry over writes {@link #ownerBit(int, int)} of the
 * entry's index into it: {@code ((index >>> log2Capacity) & 1) ^ 1}, that is 1 on the first lap, 0
 * on the second, and so on, flipping on every wrap (NVMe's phase tag convention). A zeroed ring
 * therefore holds no valid entry, with no initialisation pass. Because a capacity divides
 * 2<sup>32</sup> an even number of times, the parity continues unbroken across the counter wrap.
 *
 * <p>Nothing here allocates; only capacities are validated.
 */
public final class RingMath {

    /** The largest ring capacity: 2<sup>24</sup> entries. */
    public static final int MAX_CAPACITY = 1 << 24;

    private RingMath() {
    }

    /**
     * Validates a ring capacity: a power of two in [1, {@code limit}].
     *
     * @param name the argument's name, for the message (for example {@code "cqCapacity"})
     * @param capacity the proposed number of entries
     * @param limit the largest capacity the caller accepts, a power of two at most {@link #MAX_CAPACITY}
     * @return log<sub>2</sub> of the capacity
     * @throws IllegalArgumentException naming the argument, its value and the limit
     */
    public static int checkCapacity(String name, int capacity, int limit) {
        if (limit < 1 || limit > MAX_CAPACITY || Integer.bitCount(limit) != 1) {
            throw new IllegalArgumentException("limit for " + name + " is " + limit
                    + ": it must be a power of two in [1, " + MAX_CAPACITY + "]");
        }
        if (capacity < 1 || capacity > limit || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException(name + " is " + capacity
                    + ": it must be a power of two in [1, " + limit + "]");
        }
        return Integer.numberOfTrailingZeros(capacity);
    }

    /** The smallest power of two that is at least {@code n}, for {@code n} in [1, 2<sup>30</sup>]. */
    public static int roundUpToPowerOfTwo(int n) {
        if (n < 1 || n > 1 << 30) {
            throw new IllegalArgumentException("n is " + n + ": it must be in [1, " + (1 << 30) + "]");
        }
        return n == 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    /** The slot of free-running {@code index} in a ring whose mask is {@code capacity - 1}. */
    public static int slot(int index, int mask) {
        return index & mask;
    }

    /** The owner bit written with the entry of free-running {@code index}: 1 on lap 0, flipping each lap. */
    public static int ownerBit(int index, int log2Capacity) {
        return ((index >>> log2Capacity) & 1) ^ 1;
    }

    /** Entries produced and not yet consumed, wrap-safe across 2<sup>32</sup>. */
    public static int used(int producer, int consumer) {
        return producer - consumer;
    }

    /** Free slots in a ring of {@code capacity}, wrap-safe across 2<sup>32</sup>. */
    public static int free(int capacity, int producer, int consumer) {
        return capacity - (producer - consumer);
    }

    /** Whether {@code n} more entries fit, wrap-safe across 2<sup>32</sup>. */
    public static boolean hasRoom(int capacity, int producer, int consumer, int n) {
        return (long) (producer - consumer) + n <= capacity;
    }

    /** Whether free-running index {@code a} comes before {@code b} (within 2<sup>31</sup> of each other). */
    public static boolean isBefore(int a, int b) {
        return a - b < 0;
    }
}
