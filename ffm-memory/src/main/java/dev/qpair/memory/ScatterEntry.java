package dev.qpair.memory;

/**
 * One element of a scatter list for page-list registration: {@code length} bytes at
 * {@code offset} in {@code memory} (a {@code struct scatterlist} entry: page, offset, length).
 *
 * @param memory the memory, open
 * @param offset byte offset of the first byte in {@code memory}
 * @param length bytes, at least 1
 */
public record ScatterEntry(DmaMemory memory, long offset, long length) {

    /** @throws IllegalArgumentException when the range is not inside {@code memory} */
    public ScatterEntry {
        Check.notNull(memory, "memory");
        Check.slice(offset, length, memory.byteSize(), memory.toString());
    }

    /** The address of the first byte. */
    public long address() {
        return memory.segment().address() + offset;
    }
}
