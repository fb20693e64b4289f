package dev.qpair.perf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The payload of the size-matched peer ping-pongs: the sequence number in its first 8 bytes, then a
 * fixed pattern. Each side fills a preallocated source array once and, per message, writes the
 * sequence number into it and bulk-copies all of it into the ring; the receiver bulk-copies the
 * message out into its own preallocated receive array and reads the sequence number from there.
 */
final class PeerPayload {

    /** The smallest payload: the sequence number alone. */
    static final int MIN_BYTES = Long.BYTES;
    /** The largest payload a peer ping-pong accepts. */
    static final int MAX_BYTES = 4096;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private PeerPayload() {
    }

    /**
     * Returns {@code size} when a peer can carry it.
     *
     * @throws IllegalArgumentException naming {@code size}, its value and the range
     */
    static int checkSize(int size) {
        if (size < MIN_BYTES || size > MAX_BYTES) {
            throw new IllegalArgumentException("size: " + size + " bytes is outside " + MIN_BYTES + ".." + MAX_BYTES);
        }
        return size;
    }

    /** A source array of {@code size} bytes: 0 where the sequence number goes, {@code seed + i} at byte i after it. */
    static byte[] source(int size, int seed) {
        byte[] bytes = new byte[size];
        for (int i = MIN_BYTES; i < size; i++) {
            bytes[i] = (byte) (seed + i);
        }
        return bytes;
    }

    static void putSequence(byte[] payload, long sequence) {
        LONG.set(payload, 0, sequence);
    }

    static long sequence(byte[] payload) {
        return (long) LONG.get(payload, 0);
    }
}
