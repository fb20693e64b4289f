package dev.qpair.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedMemoryFileTest {

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();

    @TempDir
    Path dir;

    private static void assertMessage(Throwable e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void aSecondJvmMapsTheSameFileAndSeesTheSameBytes() throws Exception {
        Path path = dir.resolve("ring.shm");
        try (SharedMemoryFile shm = SharedMemoryFile.create(path, 64 * 1024)) {
            shm.grow(128 * 1024);
            MemorySegment data = shm.segment();
            Process peer = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"),
                    SharedMemoryPeer.class.getName(), path.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("peer.log").toFile())
                    .start();
            try {
                for (long i = 0; i < SharedMemoryPeer.PAYLOAD_LENGTH; i++) {
                    data.set(ValueLayout.JAVA_BYTE, SharedMemoryPeer.PAYLOAD + i, SharedMemoryPeer.payloadByte(i));
                }
                LONG.setRelease(data, SharedMemoryPeer.PARENT_FLAG, 1L); // smp_store_release(): the payload before the flag
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while ((long) LONG.getAcquire(data, SharedMemoryPeer.CHILD_FLAG) != 2) { // smp_load_acquire(): the flag before the answer
                    assertTrue(peer.isAlive() || (long) LONG.getAcquire(data, SharedMemoryPeer.CHILD_FLAG) == 2,
                            "the peer exited with " + (peer.isAlive() ? "-" : peer.exitValue()) + " before answering: "
                                    + Files.readString(dir.resolve("peer.log")));
                    assertTrue(System.nanoTime() < deadline, "no answer from the peer within 60 s");
                    Thread.sleep(1);
                }
                long sum = 0;
                for (long i = 0; i < SharedMemoryPeer.PAYLOAD_LENGTH; i++) {
                    sum += SharedMemoryPeer.payloadByte(i) & 0xff;
                }
                assertEquals(sum, data.get(ValueLayout.JAVA_LONG, SharedMemoryPeer.CHECKSUM));
                assertEquals(128 * 1024, data.get(ValueLayout.JAVA_LONG, SharedMemoryPeer.SIZE_SEEN),
                        "the peer opened the grown file at its grown size");
                for (long i = 0; i < SharedMemoryPeer.ANSWER_LENGTH; i++) {
                    assertEquals(SharedMemoryPeer.answerByte(i), data.get(ValueLayout.JAVA_BYTE, SharedMemoryPeer.ANSWER + i));
                }
                assertTrue(peer.waitFor(60, TimeUnit.SECONDS), "the peer did not exit");
                assertEquals(0, peer.exitValue(), Files.readString(dir.resolve("peer.log")));
            } finally {
                peer.destroyForcibly();
            }
        }
    }

    @Test
    void dataSurvivesCloseAndReopenAndGrowth() throws IOException {
        Path path = dir.resolve("counters.shm");
        try (SharedMemoryFile shm = SharedMemoryFile.create(path, 4096)) {
            assertEquals(4096, shm.byteSize());
            assertEquals(0, shm.segment().address() % 4096, "data is page-aligned");
            shm.segment().set(ValueLayout.JAVA_LONG, 8, 0x1234_5678_9abc_def0L);
            MemorySegment before = shm.segment();
            shm.grow(3 * 4096);
            assertEquals(3 * 4096, shm.byteSize());
            assertEquals(0x1234_5678_9abc_def0L, shm.segment().get(ValueLayout.JAVA_LONG, 8));
            assertEquals(0, shm.segment().get(ValueLayout.JAVA_LONG, 3 * 4096 - 8), "grown bytes are zero");
            assertThrows(IllegalStateException.class, () -> before.get(ValueLayout.JAVA_LONG, 8),
                    "the mapping from before the growth is unmapped");
            shm.force();
        }
        assertEquals(4096 + 3 * 4096, Files.size(path));
        try (SharedMemoryFile again = SharedMemoryFile.open(path)) {
            assertEquals(3 * 4096, again.byteSize());
            assertEquals(0x1234_5678_9abc_def0L, again.segment().get(ValueLayout.JAVA_LONG, 8));
        }
    }

    @Test
    void aSecondMappingPicksUpGrowthWithRemap() throws IOException {
        Path path = dir.resolve("grow.shm");
        try (SharedMemoryFile first = SharedMemoryFile.create(path, 4096);
             SharedMemoryFile second = SharedMemoryFile.open(path)) {
            first.segment().set(ValueLayout.JAVA_INT, 0, 77);
            assertEquals(77, second.segment().get(ValueLayout.JAVA_INT, 0), "one file, one set of bytes");
            first.grow(8192);
            assertFalse(first.remap(), "the grower is current already");
            assertEquals(4096, second.byteSize());
            assertTrue(second.remap());
            assertEquals(8192, second.byteSize());
            second.segment().set(ValueLayout.JAVA_INT, 8000, 99);
            assertEquals(99, first.segment().get(ValueLayout.JAVA_INT, 8000));
        }
    }

    @Test
    void createNeverOverwritesAnExistingFile() throws IOException {
        Path path = dir.resolve("taken.shm");
        Files.writeString(path, "someone else's data");
        assertThrows(FileAlreadyExistsException.class, () -> SharedMemoryFile.create(path, 4096));
        assertEquals("someone else's data", Files.readString(path));
    }

    @Test
    void openRefusesFilesThatAreNotCompleteSharedMemoryFiles() throws IOException {
        Path missing = dir.resolve("missing.shm");
        assertThrows(java.nio.file.NoSuchFileException.class, () -> SharedMemoryFile.open(missing));

        Path shortFile = dir.resolve("short.shm");
        Files.write(shortFile, new byte[100]);
        assertMessage(assertThrows(IOException.class, () -> SharedMemoryFile.open(shortFile)), "is 100 bytes", "4096-byte header");

        Path zeroes = dir.resolve("zeroes.shm");
        Files.write(zeroes, new byte[8192]);
        assertMessage(assertThrows(IOException.class, () -> SharedMemoryFile.open(zeroes)), "not initialised");

        Path foreign = dir.resolve("foreign.shm");
        byte[] junk = new byte[8192];
        junk[0] = 'E';
        junk[1] = 'L';
        junk[2] = 'F';
        Files.write(foreign, junk);
        assertMessage(assertThrows(IOException.class, () -> SharedMemoryFile.open(foreign)), "not a qpair shared-memory file");

        Path truncated = dir.resolve("truncated.shm");
        SharedMemoryFile.create(truncated, 8192).close();
        try (RandomAccessFile f = new RandomAccessFile(truncated.toFile(), "rw")) {
            f.setLength(4096 + 4096);
        }
        assertMessage(assertThrows(IOException.class, () -> SharedMemoryFile.open(truncated)),
                "truncated", "says 8192 data bytes", "holds 4096");
    }

    @Test
    void growAndCloseAreRefusedWhileRegisteredAndShrinkingIsRefused() throws IOException {
        Path path = dir.resolve("registered.shm");
        ProtectionDomain pd = KeyTable.create(4).allocPd();
        try (SharedMemoryFile shm = SharedMemoryFile.create(path, 8192)) {
            MemoryRegion mr = pd.regMr(shm, AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_WRITE);
            assertMessage(assertThrows(IllegalStateException.class, () -> shm.grow(16384)),
                    "cannot grow", String.format("lkey 0x%08x", mr.lkey()));
            assertMessage(assertThrows(IllegalStateException.class, shm::close), "cannot close");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> shm.grow(4096)),
                    "newDataSize = 4096", "[8192, ");
            Translation t = new Translation();
            assertEquals(AccessStatus.OK, pd.table().lookup(mr.rkey(), mr.iova() + 8, 8, AccessFlags.REMOTE_WRITE, pd, t));
            assertTrue(t.next());
            assertTrue(t.segment() == shm.segment());
            mr.deregister();
            shm.grow(16384);
            assertEquals(16384, shm.byteSize());
        }
        assertMessage(assertThrows(IllegalArgumentException.class, () -> SharedMemoryFile.create(dir.resolve("x"), 0)),
                "dataSize = 0");
        assertFalse(Files.exists(dir.resolve("x")), "a refused create leaves no file");
    }
}
