package dev.qpair.nvme.controller;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A namespace's storage: {@code lbaCount} logical blocks of 512 B or 4 KiB, in memory or in a file
 * mapped into memory. A file namespace is created to its full size (and the size made durable) on
 * first open; Flush forces the mapped pages to the file ({@code msync}), so data written and then
 * flushed survives the death of the process. Allocates nothing after construction.
 */
public final class Namespace implements AutoCloseable {

    /** LBA format 0 of the Identify Namespace structure: 512-byte blocks. */
    public static final int LBA_SIZE_512 = 512;
    /** LBA format 1: 4096-byte blocks. */
    public static final int LBA_SIZE_4K = 4096;

    private final Arena arena;
    private final MemorySegment data;
    private final int lbaShift;
    private final long lbaCount;
    private final Path file;

    private Namespace(Arena arena, MemorySegment data, int lbaShift, long lbaCount, Path file) {
        this.arena = arena;
        this.data = data;
        this.lbaShift = lbaShift;
        this.lbaCount = lbaCount;
        this.file = file;
    }

    /** A zero-filled namespace in off-heap memory. */
    public static Namespace inMemory(long lbaCount, int lbaSize) {
        int shift = checkFormat(lbaCount, lbaSize);
        Arena arena = Arena.ofShared();
        return new Namespace(arena, arena.allocate(lbaCount << shift, 4096), shift, lbaCount, null);
    }

    /**
     * A namespace backed by {@code file}: created and grown to {@code lbaCount * lbaSize} bytes if
     * it does not exist, reopened with its data if it does.
     *
     * @throws IllegalArgumentException when an existing file has another size
     * @throws UncheckedIOException when the file cannot be created, grown or mapped
     */
    public static Namespace inFile(Path file, long lbaCount, int lbaSize) {
        int shift = checkFormat(lbaCount, lbaSize);
        long bytes = lbaCount << shift;
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            long size = channel.size();
            if (size == 0) {
                channel.write(ByteBuffer.wrap(new byte[1]), bytes - 1);
                channel.force(true);
            } else if (size != bytes) {
                throw new IllegalArgumentException("namespace file " + file + " holds " + size
                        + " bytes, but " + lbaCount + " LBAs of " + lbaSize + " B need " + bytes);
            }
            MemorySegment data = channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
            return new Namespace(arena, data, shift, lbaCount, file);
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException("cannot open namespace file " + file, e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static int checkFormat(long lbaCount, int lbaSize) {
        if (lbaSize != LBA_SIZE_512 && lbaSize != LBA_SIZE_4K) {
            throw new IllegalArgumentException("lbaSize " + lbaSize + " is not a supported LBA format: use 512 or 4096");
        }
        int shift = Integer.numberOfTrailingZeros(lbaSize);
        if (lbaCount < 1 || lbaCount > (Long.MAX_VALUE >>> shift)) {
            throw new IllegalArgumentException("lbaCount " + lbaCount + " is out of range [1, " + (Long.MAX_VALUE >>> shift) + "]");
        }
        return shift;
    }

    /** NSZE: the size in logical blocks. */
    public long lbaCount() {
        return lbaCount;
    }

    /** The logical block size in bytes. */
    public int lbaSize() {
        return 1 << lbaShift;
    }

    /** log2 of the logical block size (LBADS). */
    public int lbaShift() {
        return lbaShift;
    }

    /** Whether the namespace lives in a file. */
    public boolean isFileBacked() {
        return file != null;
    }

    MemorySegment data() {
        return data;
    }

    /** Makes every completed write durable: {@code msync} of the mapping for a file namespace. */
    void flush() {
        if (file != null) {
            data.force();
        }
    }

    /** Makes one written range durable (a write with FUA): {@code msync} of those pages. */
    void flush(long offset, long length) {
        if (file != null) {
            data.asSlice(offset, length).force();
        }
    }

    @Override
    public void close() {
        if (file != null) {
            data.force();
        }
        arena.close();
    }
}
