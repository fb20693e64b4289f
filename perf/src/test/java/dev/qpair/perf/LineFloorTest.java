package dev.qpair.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The floor rows move the lines of write-lat and send-lat, check what comes back, and follow --size and --inline. */
class LineFloorTest {

    private static void runsClean(LineFloor floor, long ops) {
        try (floor) {
            floor.open(-1);
            for (long i = 0; i < ops; i++) {
                long op = 1_000 + 3 * i;
                assertEquals(op, floor.operation(op), floor.name() + " at " + floor.sizeBytes() + " bytes");
            }
            assertEquals(0, floor.errors(), floor.name());
        }
    }

    @Test
    void bothFloorsRoundTripTheOperationNumberAtEverySizeTheyTake() {
        for (int size : new int[] {1, 8, 13, 64, 65, 4096}) {
            runsClean(LineFloor.write(size), 3_000);
            runsClean(LineFloor.send(size), 3_000);
        }
    }

    @Test
    void theLinesAreThoseTheRowsMove() {
        LineFloor write = LineFloor.write(64);
        assertEquals(2, write.outLines(), "a 12-byte doorbell and a 100-byte WQE");
        assertEquals(1, write.backLines(), "one CQE");
        LineFloor send = LineFloor.send(64);
        assertEquals(2, send.outLines(), "a 128-byte CQE with 64 bytes scattered into it");
        assertEquals(2, send.backLines());
        assertEquals(3, LineFloor.send(65).outLines(), "a CQE and 65 bytes in the buffer");
        assertEquals(1, LineFloor.write(16).outLines(), "12 + 36 + 16 bytes");
        assertEquals(2, LineFloor.write(17).outLines(), "65 bytes");
        Params params = new Params();
        write.describe(params);
        assertEquals(112L, params.get("out_bytes"));
        assertEquals(WriteLat.NAME, params.get("mirrors"));
        assertEquals(64L, params.get("size_bytes"));
    }

    @Test
    void aSizeOutsideOneTo4096IsRejectedNamingSizeAndTheRange() {
        for (int size : new int[] {0, -1, 4097}) {
            String message = assertThrows(IllegalArgumentException.class, () -> LineFloor.write(size)).getMessage();
            assertTrue(message.startsWith("size: " + size + " ") && message.contains("1..4096"), message);
            message = assertThrows(IllegalArgumentException.class, () -> LineFloor.send(size)).getMessage();
            assertTrue(message.startsWith("size: " + size + " ") && message.contains("1..4096"), message);
        }
    }

    @Test
    void allAndVerbsAddTheFloorsAtTheRowsSizeAndOnlyWhereTheyMirrorARow() {
        assertEquals(List.of(LineFloor.WRITE + "@64", LineFloor.SEND + "@64", FlatSend.NAME + "@64"), rows(PerfMain.floors(options())));
        assertEquals(List.of(LineFloor.WRITE + "@96", LineFloor.SEND + "@96", FlatSend.NAME + "@96"),
                rows(PerfMain.floors(options("--size", "96"))));
        assertEquals(List.of(LineFloor.WRITE + "@97", LineFloor.SEND + "@97"), rows(PerfMain.floors(options("--size", "97"))),
                "97 bytes do not fit a 128-byte CQE");
        assertEquals(List.of(LineFloor.WRITE + "@4", LineFloor.SEND + "@4"), rows(PerfMain.floors(options("--size", "4"))),
                "flat-send carries an 8-byte sequence number");
        assertEquals(List.of(LineFloor.WRITE + "@256", LineFloor.SEND + "@256"), rows(PerfMain.floors(options("--size", "256"))));
        assertEquals(List.of(LineFloor.SEND + "@64"), rows(PerfMain.floors(options("--inline", "off"))));
        assertEquals(List.of(LineFloor.SEND + "@1024"), rows(PerfMain.floors(options("--size", "1024"))), "1024 bytes are not inline");
        assertEquals(List.of(), rows(PerfMain.floors(options("--size", "8192"))));
    }

    @Test
    void sendLatRunsSendLatsFloorsOnly() {
        assertEquals(List.of(LineFloor.SEND + "@64", FlatSend.NAME + "@64"), rows(PerfMain.sendFloors(options())));
        assertEquals(List.of(LineFloor.SEND + "@1024"), rows(PerfMain.sendFloors(options("--size", "1024"))));
        assertEquals(List.of(LineFloor.SEND + "@64"), rows(PerfMain.sendFloors(options("--device-mode", "thread"))),
                "flat-send is INLINE mode's work");
    }

    private static Options options(String... args) {
        return Options.parse(args, 0, 2);
    }

    private static List<String> rows(List<Supplier<Benchmark>> set) {
        return set.stream().map(Supplier::get).map(b -> b.name() + "@" + b.sizeBytes()).toList();
    }
}
