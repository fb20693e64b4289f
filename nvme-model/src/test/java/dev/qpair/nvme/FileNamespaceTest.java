package dev.qpair.nvme;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qpair.nvme.controller.Namespace;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file namespace: created to size, and a flushed write survives kill -9 of the writing process. */
class FileNamespaceTest {

    @TempDir
    Path dir;

    @Test
    void aFlushedWriteSurvivesKillMinus9AndAReopen() throws Exception {
        Path file = dir.resolve("ns1.img");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process writer = new ProcessBuilder(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), FileNamespaceWriter.class.getName(), file.toString()))
                .redirectErrorStream(true).start();
        try {
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
                    StringBuilder all = new StringBuilder();
                    for (String l; (l = r.readLine()) != null; ) {
                        all.append(l).append('\n');
                        if (l.equals("FLUSHED")) {
                            return l;
                        }
                    }
                    return all.toString();
                } catch (Exception e) {
                    return e.toString();
                }
            });
            assertEquals("FLUSHED", line.get(30, TimeUnit.SECONDS));
            writer.destroyForcibly();
            assertTrue(writer.waitFor(10, TimeUnit.SECONDS), "the writer died");
        } finally {
            writer.destroyForcibly();
        }
        assertEquals(FileNamespaceWriter.LBAS * FileNamespaceWriter.LBA_SIZE, Files.size(file));
        try (Rig rig = Rig.of(true, Namespace.inFile(file, FileNamespaceWriter.LBAS, FileNamespaceWriter.LBA_SIZE))) {
            assertEquals(4096, rig.ctrlr.lbaSize(1));
            NvmeQpair qp = rig.ctrlr.allocIoQpair(4);
            MemorySegment in = rig.buffer((long) FileNamespaceWriter.COUNT * FileNamespaceWriter.LBA_SIZE);
            Done done = new Done();
            assertTrue(qp.read(1, in, FileNamespaceWriter.SLBA, FileNamespaceWriter.COUNT, done, null));
            done.await(qp, 1);
            assertEquals(NvmeStatus.SUCCESS, done.status);
            for (long i = 0; i < in.byteSize(); i++) {
                assertEquals(FileNamespaceWriter.pattern(i), in.get(JAVA_BYTE, i), "byte " + i);
            }
            MemorySegment before = rig.buffer(FileNamespaceWriter.LBA_SIZE);
            before.fill((byte) 1);
            assertTrue(qp.read(1, before, FileNamespaceWriter.SLBA - 1, 1, done, null));
            done.await(qp, 2);
            assertEquals(-1, before.mismatch(MemorySegment.ofArray(new byte[FileNamespaceWriter.LBA_SIZE])), "unwritten blocks read as zeroes");
        }
    }

    @Test
    void reopeningWithAnotherGeometryIsRefused() {
        Path file = dir.resolve("ns2.img");
        Namespace.inFile(file, 16, 512).close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Namespace.inFile(file, 16, 4096));
        assertTrue(e.getMessage().contains("8192") && e.getMessage().contains("65536"), e.getMessage());
    }
}
