package dev.qpair.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * The second process of {@link SharedMemoryFileTest}: opens the file, waits (bounded) for the
 * parent's flag, checks the payload, answers with a checksum, its view of the size and a pattern
 * of its own, then raises its flag. Exit status: 0 done, 2 timed out, 3 payload mismatch.
 */
public final class SharedMemoryPeer {

    static final long PARENT_FLAG = 0;
    static final long CHILD_FLAG = 8;
    static final long CHECKSUM = 16;
    static final long SIZE_SEEN = 24;
    static final long PAYLOAD = 4096;
    static final long PAYLOAD_LENGTH = 4096;
    static final long ANSWER = 64 * 1024 + 8192;
    static final long ANSWER_LENGTH = 4096;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();

    private SharedMemoryPeer() {
    }

    static byte payloadByte(long i) {
        return (byte) (i * 31 + 7);
    }

    static byte answerByte(long i) {
        return (byte) ~(i * 13 + 5);
    }

    public static void main(String[] args) throws Exception {
        try (SharedMemoryFile shm = SharedMemoryFile.open(Path.of(args[0]))) {
            MemorySegment data = shm.segment();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while ((long) LONG.getAcquire(data, PARENT_FLAG) != 1) { // smp_load_acquire(): the flag before the payload it publishes
                if (System.nanoTime() > deadline) {
                    System.exit(2);
                }
                Thread.onSpinWait();
            }
            long sum = 0;
            for (long i = 0; i < PAYLOAD_LENGTH; i++) {
                byte b = data.get(ValueLayout.JAVA_BYTE, PAYLOAD + i);
                if (b != payloadByte(i)) {
                    System.err.println("payload byte " + i + " is " + b + ", expected " + payloadByte(i));
                    System.exit(3);
                }
                sum += b & 0xff;
            }
            for (long i = 0; i < ANSWER_LENGTH; i++) {
                data.set(ValueLayout.JAVA_BYTE, ANSWER + i, answerByte(i));
            }
            data.set(ValueLayout.JAVA_LONG, CHECKSUM, sum);
            data.set(ValueLayout.JAVA_LONG, SIZE_SEEN, data.byteSize());
            LONG.setRelease(data, CHILD_FLAG, 2L); // smp_store_release(): the answer before the flag that announces it
        }
        System.exit(0);
    }
}
