package dev.qpair.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** flat-send delivers each operation's number through the receive CQE into the peer's buffer and back, for the sizes it takes. */
class FlatSendTest {

    private static Options size(int bytes, String... more) {
        String[] args = new String[2 + more.length];
        args[0] = "--size";
        args[1] = Integer.toString(bytes);
        System.arraycopy(more, 0, args, 2, more.length);
        return Options.parse(args, 0, 2);
    }

    @Test
    void roundTripsTheOperationNumberOverSeveralLapsOfEveryRing() {
        for (int bytes : new int[] {8, 33, 64, 96}) {
            for (String signal : new String[] {"1", "16", "256"}) {
                try (FlatSend row = new FlatSend(size(bytes, "--signal", signal))) {
                    row.open(-1);
                    for (long i = 0; i < 2_000; i++) {
                        long op = 7 + 5 * i;
                        assertEquals(op, row.operation(op), "size " + bytes + ", signal " + signal + ", op " + i);
                    }
                    assertEquals(0, row.errors());
                }
            }
        }
    }

    @Test
    void aSizeOutsideEightTo96OrNotInlineIsRejectedNamingSizeAndTheRange() {
        for (int bytes : new int[] {4, 97}) {
            String message = assertThrows(IllegalArgumentException.class, () -> new FlatSend(size(bytes))).getMessage();
            assertTrue(message.startsWith("size: " + bytes + " ") && message.contains("8..96"), message);
        }
        String message = assertThrows(IllegalArgumentException.class, () -> new FlatSend(size(64, "--inline", "off"))).getMessage();
        assertTrue(message.startsWith("size: 64 ") && message.contains("not inline"), message);
    }

    @Test
    void describesWhatItMirrors() {
        Params params = new Params();
        new FlatSend(size(64)).describe(params);
        assertEquals(SendLat.NAME, params.get("mirrors"));
        assertEquals(64L, params.get("size_bytes"));
        assertEquals(128L, params.get("recv_cqe_bytes"));
    }
}
