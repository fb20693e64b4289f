package dev.qpair.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file mapped shared ({@code mmap(MAP_SHARED)} through {@link FileChannel#map(FileChannel.MapMode, long, long, Arena)}),
 * so that processes that map the same file share its bytes: rings, doorbell pages, data and
 * counters between JVMs. The file starts with a {@value #HEADER_SIZE}-byte header (magic, version,
 * data size); {@link #segment()} is the page-aligned data after it.
 *
 * <p>Safety: {@link #create} never overwrites a file ({@code O_CREAT|O_EXCL}) and writes the magic
 * last, with release semantics, so an {@link #open} that sees the magic sees a complete header;
 * {@link #open} refuses files that are not initialised, are not such files, or are shorter than
 * their header says. {@link #grow} only grows (another process may have the old length mapped),
 * under an exclusive file lock, and is refused while a memory region uses the mapping. Truncating
 * the file behind a mapping's back is outside this contract: accesses past the new end fault.
 */
public final class SharedMemoryFile extends DmaMemory {

    /** Bytes before the data: one page. */
    public static final long HEADER_SIZE = 4096;
    /** The header's first 8 bytes, "QPAIRSHM" in ASCII, little-endian. */
    public static final long MAGIC = 0x4d48535249415051L;
    /** The header format written by this version. */
    public static final int VERSION = 1;
    /** Largest data size: 1 TiB. */
    public static final long MAX_DATA_SIZE = 1L << 40;

    private static final long MAGIC_OFFSET = 0;
    private static final long VERSION_OFFSET = 8;
    private static final long DATA_SIZE_OFFSET = 16;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();

    private final Path path;
    private final FileChannel channel;
    private Arena arena;
    private volatile MemorySegment file; // smp_store_release()/smp_load_acquire() (volatile is stronger): a remapped segment before its use on another thread
    private volatile MemorySegment data; // smp_store_release()/smp_load_acquire() (volatile is stronger): as above, for segment()

    private SharedMemoryFile(Path path, FileChannel channel) {
        super("SharedMemoryFile[" + path + "]");
        this.path = path;
        this.channel = channel;
    }

    /**
     * Creates {@code path} with {@code dataSize} zeroed data bytes and maps it.
     *
     * @param dataSize 1 .. {@link #MAX_DATA_SIZE}
     * @throws java.nio.file.FileAlreadyExistsException when the file exists: it is never overwritten
     * @throws IllegalArgumentException naming the size and the limit
     */
    public static SharedMemoryFile create(Path path, long dataSize) throws IOException {
        Check.notNull(path, "path");
        Check.inRange(dataSize, "dataSize", 1, MAX_DATA_SIZE);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        SharedMemoryFile shm = new SharedMemoryFile(path, channel);
        try {
            extend(channel, HEADER_SIZE + dataSize);
            shm.map(dataSize);
            shm.file.set(ValueLayout.JAVA_INT, VERSION_OFFSET, VERSION);
            shm.file.set(ValueLayout.JAVA_LONG, DATA_SIZE_OFFSET, dataSize);
            LONG.setRelease(shm.file, MAGIC_OFFSET, MAGIC); // smp_store_release(): version and size before the magic that says they are there
            shm.file.asSlice(0, HEADER_SIZE).force();
            return shm;
        } catch (IOException | RuntimeException e) {
            shm.unmapQuietly();
            channel.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /**
     * Maps an existing file made by {@link #create}, at the data size its header records.
     *
     * @throws IOException when the file is missing, not initialised, not a shared-memory file, of
     *                     another version, or shorter than its header says, naming what was found
     */
    public static SharedMemoryFile open(Path path) throws IOException {
        Check.notNull(path, "path");
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        SharedMemoryFile shm = new SharedMemoryFile(path, channel);
        try {
            shm.map(shm.checkedDataSize(channel.size()));
            return shm;
        } catch (IOException | RuntimeException e) {
            shm.unmapQuietly();
            channel.close();
            throw e;
        }
    }

    private long checkedDataSize(long fileSize) throws IOException {
        if (fileSize < HEADER_SIZE) {
            throw new IOException(path + " is " + fileSize + " bytes, shorter than the " + HEADER_SIZE
                    + "-byte header of a shared-memory file");
        }
        try (Arena headerArena = Arena.ofConfined()) {
            MemorySegment header = channel.map(FileChannel.MapMode.READ_ONLY, 0, HEADER_SIZE, headerArena);
            long magic = (long) LONG.getAcquire(header, MAGIC_OFFSET); // smp_load_acquire(): the magic before the version and size it vouches for
            if (magic == 0) {
                throw new IOException(path + " is not initialised: its creator has not finished creating it, or died doing so");
            }
            if (magic != MAGIC) {
                throw new IOException(String.format("%s is not a qpair shared-memory file: magic 0x%016x, expected 0x%016x",
                        path, magic, MAGIC));
            }
            int version = header.get(ValueLayout.JAVA_INT, VERSION_OFFSET);
            if (version != VERSION) {
                throw new IOException(path + " has header version " + version + "; this code reads version " + VERSION);
            }
            long dataSize = (long) LONG.getAcquire(header, DATA_SIZE_OFFSET); // smp_load_acquire(): pairs with grow's release of the new size
            if (dataSize < 1 || dataSize > MAX_DATA_SIZE || fileSize - HEADER_SIZE < dataSize) {
                throw new IOException(path + " is truncated or corrupt: its header says " + dataSize
                        + " data bytes, the file holds " + (fileSize - HEADER_SIZE) + " after the header");
            }
            return dataSize;
        }
    }

    /**
     * Grows the data to {@code newDataSize} bytes (zeroed), remaps, and records the size for later
     * {@link #open}s and {@link #remap}s. When another process has grown the file further already,
     * this maps at that larger size instead: the recorded size never shrinks. Segments obtained
     * before are unmapped: using them throws {@link IllegalStateException}. A size equal to this
     * mapping's does nothing.
     *
     * @throws IllegalArgumentException when {@code newDataSize} is below the current size or above {@link #MAX_DATA_SIZE}
     * @throws IllegalStateException    while a memory region uses this memory, or after close
     */
    public synchronized void grow(long newDataSize) throws IOException {
        // The pins' monitor is held from the check to the close of the old mapping, so a concurrent
        // registration either is refused by the check or pins (and reads the segment) after the remap.
        long current = data.byteSize();
        Check.inRange(newDataSize, "newDataSize", current, MAX_DATA_SIZE);
        if (!isOpen()) {
            throw new IllegalStateException(this + " is closed");
        }
        if (newDataSize == current) {
            return;
        }
        synchronized (pins) {
            pins.refuseIfUsed("grow");
            FileLock lock = channel.lock();
            try {
                long recorded = (long) LONG.getAcquire(file, DATA_SIZE_OFFSET); // smp_load_acquire(): another process's growth before mapping past it
                long size = Math.max(newDataSize, recorded);
                extend(channel, HEADER_SIZE + size);
                Arena old = arena;
                map(size);
                LONG.setRelease(file, DATA_SIZE_OFFSET, size); // smp_store_release(): the file's new extent before the size that admits it
                file.asSlice(0, HEADER_SIZE).force();
                old.close();
            } finally {
                lock.release();
            }
        }
    }

    /**
     * Maps again at the size in the header, picking up a {@link #grow} by another process.
     *
     * @return whether the size changed
     * @throws IllegalStateException while a memory region uses this memory, or after close
     */
    public synchronized boolean remap() throws IOException {
        if (!isOpen()) {
            throw new IllegalStateException(this + " is closed");
        }
        long size = checkedDataSize(channel.size());
        if (size == data.byteSize()) {
            return false;
        }
        synchronized (pins) {
            pins.refuseIfUsed("remap");
            Arena old = arena;
            map(size);
            old.close();
        }
        return true;
    }

    /** {@code msync}: writes the data and header back to the file. */
    public void force() {
        file.force();
    }

    /** The file. */
    public Path path() {
        return path;
    }

    /** The data after the header, page-aligned. */
    @Override
    public MemorySegment segment() {
        return data;
    }

    @Override
    public DeviceId owner() {
        return DeviceId.HOST;
    }

    @Override
    synchronized void release() {
        arena.close();
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing " + path, e);
        }
    }

    private void map(long dataSize) throws IOException {
        Arena next = Arena.ofShared();
        try {
            MemorySegment whole = channel.map(FileChannel.MapMode.READ_WRITE, 0, HEADER_SIZE + dataSize, next);
            arena = next;
            file = whole;
            data = whole.asSlice(HEADER_SIZE, dataSize);
        } catch (IOException | RuntimeException e) {
            next.close();
            throw e;
        }
    }

    private void unmapQuietly() {
        if (arena != null) {
            arena.close();
        }
    }

    private static void extend(FileChannel channel, long size) throws IOException {
        if (channel.size() < size) {
            channel.write(ByteBuffer.wrap(new byte[1]), size - 1);
        }
    }

    @Override
    public String toString() {
        MemorySegment d = data;
        return "SharedMemoryFile[" + path + ", dataSize=" + (d == null ? 0 : d.byteSize()) + "]";
    }
}
