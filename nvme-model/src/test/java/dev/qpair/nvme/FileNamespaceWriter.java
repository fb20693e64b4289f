package dev.qpair.nvme;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.qpair.nvme.controller.Namespace;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The second JVM of {@link FileNamespaceTest}: writes a pattern to a file namespace through the
 * driver, flushes, says so on stdout, then waits to be killed.
 */
public final class FileNamespaceWriter {

    static final long LBAS = 64;
    static final int LBA_SIZE = 4096;
    static final long SLBA = 17;
    static final int COUNT = 4;

    static byte pattern(long i) {
        return (byte) (i * 7 + 3);
    }

    public static void main(String[] args) throws Exception {
        Rig rig = Rig.of(true, Namespace.inFile(Path.of(args[0]), LBAS, LBA_SIZE));
        NvmeQpair qp = rig.ctrlr.allocIoQpair(4);
        MemorySegment out = rig.buffer((long) COUNT * LBA_SIZE);
        for (long i = 0; i < out.byteSize(); i++) {
            out.set(JAVA_BYTE, i, pattern(i));
        }
        Done done = new Done();
        if (!qp.write(1, out, SLBA, COUNT, done, null)) {
            throw new IllegalStateException("queue full");
        }
        done.await(qp, 1);
        if (!qp.flush(1, done, null)) {
            throw new IllegalStateException("queue full");
        }
        done.await(qp, 2);
        System.out.println(done.failures == 0 ? "FLUSHED" : "FAILED " + NvmeStatus.describe(done.status));
        System.out.flush();
        Thread.sleep(60_000);
    }
}
