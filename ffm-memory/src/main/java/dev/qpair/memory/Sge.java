package dev.qpair.memory;

/**
 * A scatter/gather element, {@code struct ibv_sge}: {@code length} bytes at iova {@code addr} of
 * the memory region named by {@code lkey}. Byte-aligned: any address, any length from 1.
 *
 * @param lkey   the key of a valid {@link MrType#DIRECT} or {@link MrType#PAGE_LIST} region
 * @param addr   iova of the first byte in that region
 * @param length bytes, 1 .. {@link Integer#MAX_VALUE} (verbs lengths are 32-bit)
 */
public record Sge(int lkey, long addr, int length) {

    /** @throws IllegalArgumentException when {@code length} is not positive */
    public Sge {
        Check.inRange(length, "length", 1, Integer.MAX_VALUE);
    }
}
